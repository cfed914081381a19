"""What a client accepts and refuses when it is built, before anything is sent: its endpoint,
credentials (never in clear text to another host), timeouts, api-version and a caller's
http client (of the right kind, and open); and which http client it closes."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx2
import pytest

import azure_openai_files as aof
from azure_openai_files import AsyncFilesClient, FilesClient
from tests.support.clients import FAKE_KEY
from tests.support.credentials import FixedCredential, Key, NumberedCredential

SECRET = "sk-0123456789abcdef"  # an obvious fake


# --- endpoint, credentials, timeouts, api-version -------------------------------------------------


def test_construction_errors_are_clear() -> None:
    with pytest.raises(ValueError, match="no endpoint"):
        FilesClient(api_key="k")
    with pytest.raises(ValueError, match="no credential"):
        FilesClient("https://r.openai.azure.com")
    with pytest.raises(ValueError, match="not both"):
        FilesClient("https://r.openai.azure.com", api_key="k", credential=NumberedCredential())
    with pytest.raises(ValueError, match="http"):
        FilesClient("ftp://r.openai.azure.com", api_key="k")
    with pytest.raises(ValueError, match="never 'no timeout'"):
        FilesClient("https://r.openai.azure.com", api_key="k", timeout=httpx2.Timeout(None))


def test_bearer_tokens_are_refused_over_plain_http_except_loopback() -> None:
    with pytest.raises(ValueError, match="https"):
        FilesClient("http://r.openai.azure.com", credential=NumberedCredential())
    FilesClient("http://127.0.0.1:1", credential=NumberedCredential()).close()
    FilesClient("http://localhost:1", credential=NumberedCredential()).close()


def test_default_timeouts_are_finite() -> None:
    with FilesClient("https://r.openai.azure.com", api_key="k") as client:
        timeout = client._settings.timeout
    assert None not in (timeout.connect, timeout.read, timeout.write, timeout.pool)


def test_an_async_credential_is_refused_by_the_sync_client_at_construction() -> None:
    class AsyncCredential:
        async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
            raise AssertionError("never called")

    with pytest.raises(TypeError, match="AsyncFilesClient"):
        FilesClient("https://r.openai.azure.com", credential=AsyncCredential())  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [f"{SECRET[:8]}\n{SECRET[8:]}", f"{SECRET}\x00", f"{SECRET}é"])
def test_a_key_with_control_characters_is_refused_at_construction_without_quoting_it(
    bad: str,
) -> None:
    for client_class in (FilesClient, AsyncFilesClient):
        with pytest.raises(ValueError, match="control or non-ASCII character") as caught:
            client_class("https://r.openai.azure.com", api_key=bad)
        assert SECRET[:8] not in str(caught.value) and SECRET[8:] not in str(caught.value)


@pytest.mark.parametrize("client_class", [FilesClient, AsyncFilesClient])
@pytest.mark.parametrize(
    "options",
    [{"api_key": SECRET}, {"api_key": Key(SECRET)}, {"credential": FixedCredential(SECRET)}],
)
def test_every_credential_is_refused_over_plain_http_except_to_loopback(
    client_class: Any, options: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match=r"https://.*loopback") as caught:
        client_class("http://r.openai.azure.com", **options)
    assert SECRET not in str(caught.value)
    for endpoint in ("http://127.0.0.1:1", "http://localhost:1", "http://[::1]:1"):
        client = client_class(endpoint, **options)
        if client_class is FilesClient:
            client.close()
        else:
            asyncio.run(client.close())


@pytest.mark.parametrize("version", ["preview", "v2", "latest"])
def test_an_undated_unlisted_api_version_is_refused_before_sending(version: str) -> None:
    with pytest.raises(ValueError, match="not supported"):
        FilesClient("https://example.invalid", api_key=FAKE_KEY, api_version=version)


# --- a caller's http client, and which one is closed ----------------------------------------------


def test_a_caller_client_of_the_wrong_kind_or_closed_is_refused_in_so_many_words() -> None:
    endpoint = "https://r.openai.azure.com"
    async_http = httpx2.AsyncClient()
    with pytest.raises(TypeError) as wrong_kind:
        FilesClient(endpoint, api_key="k", http_client=async_http)  # type: ignore[arg-type]
    assert str(wrong_kind.value) == "http_client must be an httpx2.Client, not AsyncClient"
    with httpx2.Client() as sync_http, pytest.raises(TypeError) as wrong_kind:
        AsyncFilesClient(endpoint, api_key="k", http_client=sync_http)  # type: ignore[arg-type]
    assert str(wrong_kind.value) == (
        "http_client must be an httpx2.AsyncClient or an aiohttp.ClientSession, not Client"
    )

    closed = httpx2.Client()
    closed.close()
    with pytest.raises(ValueError) as refused:
        FilesClient(endpoint, api_key="k", http_client=closed)
    assert str(refused.value) == "http_client is closed"
    asyncio.run(async_http.aclose())
    with pytest.raises(ValueError) as refused:
        AsyncFilesClient(endpoint, api_key="k", http_client=async_http)
    assert str(refused.value) == "http_client is closed"


def test_the_client_closes_the_http_client_it_built_and_only_that_one() -> None:
    own = FilesClient("https://r.openai.azure.com", api_key="k")
    built = own._pipeline.transport
    own.close()
    with httpx2.Client() as caller_http:
        FilesClient("https://r.openai.azure.com", api_key="k", http_client=caller_http).close()
        caller_closed = caller_http.is_closed
    assert (built.is_closed, caller_closed) == (True, False)


def test_the_async_client_closes_the_http_client_it_built_and_only_that_one() -> None:
    async def scenario() -> tuple[bool, bool]:
        own = AsyncFilesClient("https://r.openai.azure.com", api_key="k")
        built = own._pipeline.transport
        await own.close()
        caller_http = httpx2.AsyncClient()
        theirs = AsyncFilesClient(
            "https://r.openai.azure.com", api_key="k", http_client=caller_http
        )
        await theirs.close()
        caller_closed = caller_http.is_closed
        await caller_http.aclose()
        return built.is_closed, caller_closed

    assert asyncio.run(scenario()) == (True, False)


def test_the_client_the_package_built_is_closed_with_it() -> None:
    client = FilesClient("https://r.openai.azure.com", api_key="k")
    client.close()
    assert client._pipeline.transport.is_closed

    async def run() -> bool:
        async_client = AsyncFilesClient("https://r.openai.azure.com", api_key="k")
        await async_client.close()
        return async_client._pipeline.transport.is_closed

    assert asyncio.run(run())


def test_a_client_of_the_wrong_kind_or_closed_is_refused() -> None:
    with pytest.raises(TypeError, match=r"httpx2\.Client"):
        FilesClient("https://r.openai.azure.com", api_key="k", http_client=httpx2.AsyncClient())  # type: ignore[arg-type]
    with (
        httpx2.Client() as sync_http,
        pytest.raises(TypeError, match=r"httpx2\.AsyncClient"),
    ):
        AsyncFilesClient("https://r.openai.azure.com", api_key="k", http_client=sync_http)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        FilesClient("https://r.openai.azure.com", api_key="k", http_client="client")  # type: ignore[arg-type]
    closed = httpx2.Client()
    closed.close()
    with pytest.raises(ValueError, match="closed"):
        FilesClient("https://r.openai.azure.com", api_key="k", http_client=closed)


@pytest.mark.parametrize("api_version", ["", "   "])
def test_a_blank_api_version_is_refused_not_replaced_by_the_default(
    api_version: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_VERSION", "2024-06-01")
    with pytest.raises(ValueError, match="api_version must not be blank: pass one of"):
        FilesClient("https://r.openai.azure.com", api_key="k", api_version=api_version)


def test_an_empty_api_version_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_VERSION", "")
    with FilesClient("https://r.openai.azure.com", api_key="k") as client:
        assert client.api_version == aof.DEFAULT_API_VERSION


@pytest.mark.parametrize("api_version", ["2024-13-45", "2024-02-30", "2025-00-01-preview"])
def test_a_dated_api_version_must_be_a_real_date(api_version: str) -> None:
    with pytest.raises(ValueError, match=f"api_version '{api_version}' is not a real date"):
        FilesClient("https://r.openai.azure.com", api_key="k", api_version=api_version)


@pytest.mark.parametrize(
    ("endpoint", "suffix", "resource"),
    [
        ("https://r.openai.azure.com/openai", "/openai", "https://r.openai.azure.com"),
        ("https://r.openai.azure.com/openai/", "/openai", "https://r.openai.azure.com"),
        ("https://r.openai.azure.com/openai/v1/", "/openai/v1", "https://r.openai.azure.com"),
        ("https://gw.example.com:8443/team/openai", "/openai", "https://gw.example.com:8443/team"),
    ],
)
def test_an_endpoint_that_already_ends_in_openai_is_refused_naming_what_to_pass(
    endpoint: str, suffix: str, resource: str
) -> None:
    with pytest.raises(ValueError) as caught:
        FilesClient(endpoint, api_key="k")
    assert str(caught.value) == (
        f"endpoint must be the resource URL without {suffix!r}: pass {resource} "
        "(the client adds /openai to every route)"
    )


def test_an_endpoint_with_a_path_of_its_own_keeps_it() -> None:
    with FilesClient("https://gw.example.com/team/", api_key="k") as client:
        assert client.endpoint == "https://gw.example.com/team/openai"
