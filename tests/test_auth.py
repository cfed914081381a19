"""Entra ID credentials in practice: a sync credential never runs on the event loop, a 401
throws the cached token away (and the call tries once more with a new one), and both clients
send a stream's request at the same moment: on entering its block."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from azure_openai_files import AsyncFilesClient, AuthenticationError, FilesClient
from tests.support.clients import DOCS_SAMPLE, FAKE_KEY, KINDS, Clients
from tests.support.credentials import UNAUTHORIZED, NumberedCredential
from tests.support.loopback import LoopbackServer, respond, respond_json


def tokens_sent(server: LoopbackServer) -> list[str]:
    return [request.headers["authorization"] for request in server.requests]


def test_a_sync_credential_runs_off_the_event_loop(server: LoopbackServer) -> None:
    credential = NumberedCredential()
    server.script(respond_json(200, DOCS_SAMPLE))

    async def run() -> int:
        async with AsyncFilesClient(server.endpoint, credential=credential) as client:
            await client.get_file("f")
        return threading.get_ident()

    loop_thread = asyncio.run(run())
    assert len(credential.threads) == 1 and credential.threads[0] != loop_thread


@pytest.mark.parametrize("kind", KINDS)
def test_a_401_renews_the_token_and_retries_once(server: LoopbackServer, kind: str) -> None:
    credential = NumberedCredential()
    clients = Clients(kind, server.endpoint, api_key=None, credential=credential, max_retries=0)
    server.script(respond_json(401, UNAUTHORIZED), respond_json(200, DOCS_SAMPLE))
    assert clients.call("get_file", "f").filename == "puppy.jsonl"
    assert tokens_sent(server) == ["Bearer fake-token-1", "Bearer fake-token-2"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_token_renewal_leaves_the_retry_budget_alone(server: LoopbackServer, kind: str) -> None:
    credential = NumberedCredential()
    clients = Clients(
        kind, server.endpoint, api_key=None, credential=credential, max_retries=1, retry_backoff=0
    )
    server.script(
        respond_json(401, UNAUTHORIZED),
        respond(503, "busy", content_type="text/plain"),
        respond_json(200, DOCS_SAMPLE),
    )
    assert clients.call("get_file", "f").filename == "puppy.jsonl"
    assert len(server.requests) == 3


@pytest.mark.parametrize("kind", KINDS)
def test_a_token_refused_twice_fails_and_is_not_reused(server: LoopbackServer, kind: str) -> None:
    credential = NumberedCredential()
    server.script(respond_json(401, UNAUTHORIZED))

    def calls(client: Any) -> None:
        for _ in range(2):
            with pytest.raises(AuthenticationError):
                client.get_file("f")

    async def async_calls(client: Any) -> None:
        for _ in range(2):
            with pytest.raises(AuthenticationError):
                await client.get_file("f")

    if kind == "sync":
        with FilesClient(server.endpoint, credential=credential, max_retries=3) as client:
            calls(client)
    else:

        async def run() -> None:
            async with AsyncFilesClient(server.endpoint, credential=credential) as client:
                await async_calls(client)

        asyncio.run(run())
    # one renewal per call; the next call does not start with the refused token either
    assert tokens_sent(server) == [f"Bearer fake-token-{n}" for n in (1, 2, 3, 4)]


@pytest.mark.parametrize("kind", KINDS)
def test_a_401_with_an_api_key_is_not_retried(server: LoopbackServer, kind: str) -> None:
    server.script(respond_json(401, UNAUTHORIZED), respond_json(200, DOCS_SAMPLE))
    with pytest.raises(AuthenticationError):
        Clients(kind, server.endpoint).call("get_file", "f")
    assert len(server.requests) == 1 and server.requests[0].headers["api-key"] == FAKE_KEY


def test_both_clients_send_a_stream_request_when_its_block_is_entered(
    server: LoopbackServer,
) -> None:
    server.script(respond(200, b"hello", content_type="application/octet-stream"))
    with FilesClient(server.endpoint, api_key=FAKE_KEY) as client:
        pending = client.stream_file_content("f")
        assert server.requests == []
        with pending as stream:
            assert len(server.requests) == 1
            assert stream.read() == b"hello"

    async def run() -> None:
        async with AsyncFilesClient(server.endpoint, api_key=FAKE_KEY) as client:
            pending = client.stream_file_content("f")
            assert len(server.requests) == 1
            async with pending as stream:
                assert len(server.requests) == 2
                assert await stream.read() == b"hello"

    asyncio.run(run())


def test_an_async_credential_is_refused_by_the_sync_client_at_construction() -> None:
    class AsyncCredential:
        async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
            raise AssertionError("never called")

    with pytest.raises(TypeError, match="AsyncFilesClient"):
        FilesClient("https://r.openai.azure.com", credential=AsyncCredential())  # type: ignore[arg-type]
