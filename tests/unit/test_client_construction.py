"""What a client accepts and refuses when it is built, before anything is sent: its endpoint,
credentials (never in clear text to another host), timeouts, api-version and a caller's
http client (of the right kind, and open); and which http client it closes."""

from __future__ import annotations

import asyncio

import httpx2
import pytest

from azure_openai_files import AsyncFilesClient, FilesClient


def test_a_caller_client_of_the_wrong_kind_or_closed_is_refused_in_so_many_words() -> None:
    endpoint = "https://r.openai.azure.com"
    async_http = httpx2.AsyncClient()
    with pytest.raises(TypeError) as wrong_kind:
        FilesClient(endpoint, api_key="k", http_client=async_http)  # type: ignore[arg-type]
    assert str(wrong_kind.value) == "http_client must be an httpx2.Client, not AsyncClient"
    with httpx2.Client() as sync_http, pytest.raises(TypeError) as wrong_kind:
        AsyncFilesClient(endpoint, api_key="k", http_client=sync_http)  # type: ignore[arg-type]
    assert str(wrong_kind.value) == "http_client must be an httpx2.AsyncClient, not Client"

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
    built = own._pipeline.http
    own.close()
    with httpx2.Client() as caller_http:
        FilesClient("https://r.openai.azure.com", api_key="k", http_client=caller_http).close()
        caller_closed = caller_http.is_closed
    assert (built.is_closed, caller_closed) == (True, False)


def test_the_async_client_closes_the_http_client_it_built_and_only_that_one() -> None:
    async def scenario() -> tuple[bool, bool]:
        own = AsyncFilesClient("https://r.openai.azure.com", api_key="k")
        built = own._pipeline.http
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
