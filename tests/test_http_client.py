"""A caller's own httpx2 client (`http_client=`): it carries every request, stays the caller's,
and the package's guarantees (no redirects, its URL, auth, timeouts, retries) hold on it.
Also the connection pool under concurrency, for the package's own client and a caller's, and
the package's own settings (user agent, read timeout, proxies from the environment) on both."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from azure_openai_files import AsyncFilesClient, FilesClient, RequestTimeoutError, ServiceError
from azure_openai_files._config import DEFAULT_LIMITS
from tests.support.clients import DOCS_SAMPLE, FAKE_KEY, FAST_RETRIES, KINDS, Clients
from tests.support.credentials import FixedCredential
from tests.support.loopback import LoopbackServer, respond, respond_json, serving, stall

API_VERSION = "2024-10-21"


def use(
    kind: str,
    endpoint: str,
    http_options: dict[str, Any],
    calls: Callable[[Any], Any],
    **options: Any,
) -> Any:
    """Run `calls(files_client)` on a FilesClient/AsyncFilesClient built on a caller's
    httpx2 client made from `http_options`; check that closing the package's client left the
    caller's open."""
    options = {"api_key": FAKE_KEY, **options}
    if kind == "sync":
        with httpx2.Client(**http_options) as http:
            with FilesClient(endpoint, http_client=http, **options) as client:
                result = calls(client)
            assert not http.is_closed
            return result

    async def run() -> Any:
        async with httpx2.AsyncClient(**http_options) as http:
            async with AsyncFilesClient(endpoint, http_client=http, **options) as client:
                result = await calls(client)
            assert not http.is_closed
            return result

    return asyncio.run(run())


def call(method: str, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
    """One method call, for either kind of client (the async one returns its coroutine)."""
    return lambda client: getattr(client, method)(*args, **kwargs)


def recording_hooks(kind: str, seen: list[str]) -> dict[str, list[Any]]:
    """Event hooks that note each request's and response's URL path."""
    if kind == "sync":
        return {
            "request": [lambda request: seen.append(f"request {request.url.path}")],
            "response": [lambda response: seen.append(f"response {response.status_code}")],
        }

    async def on_request(request: httpx2.Request) -> None:
        seen.append(f"request {request.url.path}")

    async def on_response(response: httpx2.Response) -> None:
        seen.append(f"response {response.status_code}")

    return {"request": [on_request], "response": [on_response]}


# --- the caller's client carries every request ---------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_event_hooks_of_the_callers_client_see_every_request_and_retry(
    kind: str, server: LoopbackServer, tmp_path: Path
) -> None:
    seen: list[str] = []
    hooks = {"event_hooks": recording_hooks(kind, seen)}
    server.script(respond_json(503, {"error": {"code": "busy", "message": "busy"}}))
    server.replies.append(respond_json(200, DOCS_SAMPLE))

    use(kind, server.endpoint, hooks, call("get_file", "file-1"), **FAST_RETRIES)

    assert seen == [
        "request /openai/files/file-1",
        "response 503",
        "request /openai/files/file-1",
        "response 200",
    ]
    assert len(server.requests) == 2

    seen.clear()
    server.script(respond(200, b"abc", content_type="application/octet-stream"))
    use(kind, server.endpoint, hooks, call("get_file_content", "file-1"))
    use(kind, server.endpoint, hooks, call("download_file", "file-1", tmp_path / "f"))
    assert seen == ["request /openai/files/file-1/content", "response 200"] * 2
    assert (tmp_path / "f").read_bytes() == b"abc"


@pytest.mark.parametrize("kind", KINDS)
def test_a_proxy_configured_client_sends_through_its_proxy(
    kind: str, server: LoopbackServer
) -> None:
    # Nothing listens at the endpoint's port: only the proxy can answer.
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{unused.getsockname()[1]}"
    server.script(respond_json(200, DOCS_SAMPLE))

    file = use(kind, endpoint, {"proxy": server.endpoint}, call("get_file", "file-1"))

    assert file.filename == DOCS_SAMPLE["filename"]
    (sent,) = server.requests
    # A forward proxy gets the absolute URL of the package's endpoint.
    assert sent.target == f"{endpoint}/openai/files/file-1?api-version={API_VERSION}"
    assert sent.headers["api-key"] == FAKE_KEY


# --- the package's guarantees hold on the caller's client ----------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_client_set_to_follow_redirects_still_does_not_follow(
    kind: str, server: LoopbackServer
) -> None:
    with serving(respond_json(200, DOCS_SAMPLE)) as elsewhere:
        location = f"{elsewhere.endpoint}/openai/files/f?api-version={API_VERSION}"
        server.script(respond(302, "", {"location": location}, content_type=None))
        with pytest.raises(ServiceError) as caught:
            use(kind, server.endpoint, {"follow_redirects": True}, call("get_file", "f"))
        assert elsewhere.requests == []
    assert caught.value.status_code == 302
    assert len(server.requests) == 1


CALLER_DEFAULTS: dict[str, Any] = {
    "params": {"api-version": "1999-01-01", "tenant": "caller"},
    "cookies": {"session": "caller-cookie"},
    "auth": ("caller-user", "caller-password"),
    "headers": {
        "api-key": "caller-key",
        "Authorization": "Bearer caller-token",
        "Host": "caller.example",
        "User-Agent": "caller-agent/1.0",
        "x-ms-client-request-id": "caller-request-id",
        "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "x-caller-tag": "kept",
    },
}


@pytest.mark.parametrize("kind", KINDS)
def test_callers_base_url_params_and_default_headers_leave_routing_and_api_key_alone(
    kind: str, server: LoopbackServer
) -> None:
    server.script(respond_json(200, DOCS_SAMPLE))
    with serving(respond_json(200, DOCS_SAMPLE)) as elsewhere:
        options = {**CALLER_DEFAULTS, "base_url": f"{elsewhere.endpoint}/elsewhere/"}
        use(kind, server.endpoint, options, call("get_file", "file-1"))
        assert elsewhere.requests == []

    (sent,) = server.requests
    assert sent.path == "/openai/files/file-1"
    assert sent.query == f"api-version={API_VERSION}"
    assert sent.headers["host"] == f"127.0.0.1:{server.port}"
    assert sent.headers["api-key"] == FAKE_KEY
    assert "authorization" not in sent.headers
    assert "cookie" not in sent.headers
    assert sent.headers["user-agent"].startswith("azure-openai-files/")
    assert sent.headers["x-ms-client-request-id"] != "caller-request-id"
    # The caller's other default headers (tracing, tags) go along.
    assert sent.headers["traceparent"] == CALLER_DEFAULTS["headers"]["traceparent"]
    assert sent.headers["x-caller-tag"] == "kept"


@pytest.mark.parametrize("kind", KINDS)
def test_callers_credential_headers_do_not_replace_the_packages_bearer_token(
    kind: str, server: LoopbackServer
) -> None:
    server.script(respond_json(200, DOCS_SAMPLE))

    use(
        kind,
        server.endpoint,
        CALLER_DEFAULTS,
        call("get_file", "file-1"),
        api_key=None,
        credential=FixedCredential("package-token"),
    )

    (sent,) = server.requests
    assert sent.headers["authorization"] == "Bearer package-token"
    assert "api-key" not in sent.headers


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.timeout(30)
def test_the_packages_timeout_applies_on_a_client_without_one(
    kind: str, server: LoopbackServer
) -> None:
    server.script(stall(10))
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError):
        use(kind, server.endpoint, {"timeout": None}, call("get_file", "f"), timeout=0.3)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.timeout(30)
def test_the_call_deadline_applies_on_a_client_without_a_timeout(
    kind: str, server: LoopbackServer
) -> None:
    server.script(stall(10))
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError):
        use(kind, server.endpoint, {"timeout": None}, call("get_file", "f", deadline=0.5))
    assert time.monotonic() - started < 5


# --- who closes what -----------------------------------------------------------------------


def test_caller_keeps_using_its_client_after_the_files_client_is_closed(
    server: LoopbackServer,
) -> None:
    server.script(respond_json(200, DOCS_SAMPLE))
    with httpx2.Client() as http:
        with FilesClient(server.endpoint, api_key=FAKE_KEY, http_client=http) as client:
            client.get_file("file-1")
        assert http.get(f"{server.endpoint}/caller/own").status_code == 200
    assert [r.path for r in server.requests] == ["/openai/files/file-1", "/caller/own"]


def test_caller_keeps_using_its_async_client_after_the_files_client_is_closed(
    server: LoopbackServer,
) -> None:
    server.script(respond_json(200, DOCS_SAMPLE))

    async def run() -> int:
        async with httpx2.AsyncClient() as http:
            async with AsyncFilesClient(server.endpoint, api_key=FAKE_KEY, http_client=http) as c:
                await c.get_file("file-1")
            return (await http.get(f"{server.endpoint}/caller/own")).status_code

    assert asyncio.run(run()) == 200
    assert [r.path for r in server.requests] == ["/openai/files/file-1", "/caller/own"]


# --- connection pool under concurrency ---------------------------------------------------


class CountingServer(LoopbackServer):
    """Counts the TCP connections it accepts."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.connections = 0
        self._count_lock = threading.Lock()

    def _serve(self, conn: socket.socket) -> None:
        with self._count_lock:
            self.connections += 1
        super()._serve(conn)


@pytest.fixture
def counting_server() -> Iterator[CountingServer]:
    instance = CountingServer([respond_json(200, DOCS_SAMPLE)], backlog=512)
    instance.start()
    try:
        yield instance
    finally:
        instance.stop()


def concurrent_rounds(endpoint: str, concurrency: int, rounds: int) -> None:
    async def run() -> None:
        async with AsyncFilesClient(endpoint, api_key=FAKE_KEY) as c:
            for _ in range(rounds):
                await asyncio.gather(*(c.get_file(f"file-{i}") for i in range(concurrency)))

    asyncio.run(run())


@pytest.mark.parametrize("concurrency", [64, 256])
@pytest.mark.timeout(120)
def test_concurrent_calls_reuse_connections_round_after_round(
    concurrency: int, counting_server: CountingServer
) -> None:
    rounds = 3
    concurrent_rounds(counting_server.endpoint, concurrency, rounds)

    assert len(counting_server.requests) == concurrency * rounds
    # One pool, kept between bursts: no round opens connections beyond the first one's.
    assert counting_server.connections <= min(concurrency, DEFAULT_LIMITS.max_connections or 0)


@pytest.mark.timeout(120)
def test_a_callers_client_limits_bound_the_connections(counting_server: CountingServer) -> None:
    async def run() -> None:
        limits = httpx2.Limits(max_connections=8, max_keepalive_connections=8)
        async with (
            httpx2.AsyncClient(limits=limits) as http,
            AsyncFilesClient(
                counting_server.endpoint, api_key=FAKE_KEY, http_client=http
            ) as client,
        ):
            for _ in range(2):
                await asyncio.gather(*(client.get_file(f"file-{i}") for i in range(64)))

    asyncio.run(run())

    assert len(counting_server.requests) == 128
    assert counting_server.connections <= 8


# --- the package's own settings over any http client ----------------------------------------------


def test_the_package_user_agent_is_sent_over_a_callers_http_clients(
    server: LoopbackServer,
) -> None:
    from azure_openai_files._config import USER_AGENT

    server.script(respond_json(200, DOCS_SAMPLE))
    with (
        httpx2.Client(headers={"User-Agent": "theirs/1"}) as http,
        FilesClient(server.endpoint, api_key="k", http_client=http) as client,
    ):
        client.get_file("f")
    assert server.requests[0].headers.get("user-agent") == USER_AGENT


@pytest.mark.timeout(20)
def test_without_a_deadline_a_stalled_read_ends_at_the_packages_read_timeout(
    server: LoopbackServer,
) -> None:
    # The package's timeouts go with every request, over a caller's http client's own, and not
    # only with those bounded by a deadline.
    server.script(stall(4.0))
    started = time.monotonic()
    with (
        httpx2.Client(timeout=30.0) as http,
        FilesClient(
            server.endpoint, api_key="k", http_client=http, timeout=0.3, max_retries=0
        ) as client,
        pytest.raises(RequestTimeoutError) as raised,
    ):
        client.get_file_content("f")
    assert time.monotonic() - started < 2.5
    assert str(raised.value).startswith("ReadTimeout: the request timed out")


@pytest.mark.timeout(30)
def test_hosts_exempted_from_proxies_by_the_environment_leave_the_built_client_working(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # httpx2 mounts no transport at all for a NO_PROXY host: there is no pool to bound there.
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "internal.example")
    server.script(respond_json(200, DOCS_SAMPLE))
    assert Clients("sync", server.endpoint).call("get_file", "f").id == DOCS_SAMPLE["id"]


# --- a caller's aiohttp session -------------------------------------------------------------


def on_session(
    endpoint: str, session_options: dict[str, Any], calls: Callable[[Any], Any], **options: Any
) -> Any:
    """`calls(client)` on an AsyncFilesClient over an aiohttp session made from
    `session_options`, which outlives the client."""
    import aiohttp

    async def run() -> Any:
        async with aiohttp.ClientSession(**session_options) as session:
            client = AsyncFilesClient(endpoint, api_key=FAKE_KEY, http_client=session, **options)
            async with client:
                result = await calls(client)
            assert not session.closed
            return result

    return asyncio.run(run())


def test_a_session_that_raises_for_status_still_gets_the_services_error(
    server: LoopbackServer,
) -> None:
    not_found = {"error": {"code": "fileNotFound", "message": "No such file."}}
    server.script(respond_json(404, not_found, {"apim-request-id": "req-404"}))
    with pytest.raises(ServiceError) as caught:
        on_session(server.endpoint, {"raise_for_status": True}, call("get_file", "f"))
    assert (caught.value.status_code, caught.value.code) == (404, "fileNotFound")
    assert caught.value.request_id == "req-404" and len(server.requests) == 1


@pytest.mark.parametrize(
    ("session_options", "refused"),
    [
        ({"headers": {"X-Tenant": "a\r\nInjected: 1"}}, "X-Tenant hold a control character"),
        ({"headers": {"api-key": "theirs"}}, "must not set api-key"),
        ({"headers": {"User-Agent": "theirs"}}, "must not set User-Agent"),
    ],
)
def test_a_session_whose_defaults_cannot_or_must_not_travel_is_refused_before_sending(
    server: LoopbackServer, session_options: dict[str, Any], refused: str
) -> None:
    with pytest.raises(ValueError, match=refused):
        on_session(server.endpoint, session_options, call("get_file", "f"))
    assert server.requests == []
