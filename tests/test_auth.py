"""Entra ID credentials in practice: a sync credential never runs on the event loop, a 401
throws the cached token away (and the call tries once more with a new one, outside the retry
budget), a token fetch is bounded by the call's deadline (a sync credential's on a daemon
thread) while a cached token needs no fetch at all, and both clients send a stream's request
at the same moment: on entering its block."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Any

import pytest

from azure_openai_files import AsyncFilesClient, AuthenticationError, FilesClient
from azure_openai_files._errors import CredentialError, RequestTimeoutError, ServerError
from tests.support.clients import DOCS_SAMPLE, FAKE_KEY, KINDS, Clients
from tests.support.credentials import (
    UNAUTHORIZED,
    FailingCredential,
    NumberedAsyncCredential,
    NumberedCredential,
)
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


# --- a 401 and the token renewed ------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_401_is_retried_once_with_a_new_token(server: LoopbackServer, kind: str) -> None:
    # A fresh call has not renewed its token yet: its first 401 earns one more attempt.
    unauthorized = {"error": {"code": "Unauthorized", "message": "token expired"}}
    server.script(respond_json(401, unauthorized), respond_json(200, DOCS_SAMPLE))
    credential = NumberedCredential("tok")
    clients = Clients(kind, server.endpoint, api_key=None, credential=credential, max_retries=0)
    assert clients.call("get_file", "f").id == DOCS_SAMPLE["id"]
    sent = [request.headers.get("authorization") for request in server.requests]
    assert sent == ["Bearer tok1", "Bearer tok2"]


@pytest.mark.parametrize("kind", KINDS)
def test_only_a_401_renews_the_token_and_the_renewal_sends_a_new_one(
    server: LoopbackServer, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="azure_openai_files")
    credential = NumberedCredential()
    clients = Clients(kind, server.endpoint, api_key=None, credential=credential, max_retries=0)
    server.script(respond_json(401, UNAUTHORIZED), respond_json(200, DOCS_SAMPLE))
    assert clients.call("get_file", "f", client_request_id="renew-1").id == DOCS_SAMPLE["id"]
    sent = [request.headers["authorization"] for request in server.requests]
    assert sent == ["Bearer fake-token-1", "Bearer fake-token-2"]
    assert [r.getMessage() for r in caplog.records if r.name == "azure_openai_files"] == [
        "Retrying with a new token after HTTP 401 (client request id renew-1)"
    ]

    # Any other error keeps the token, and without a retry budget it is final.
    server.script(respond(503, "busy", content_type="text/plain"))
    with pytest.raises(ServerError):
        clients.call("get_file", "f")
    assert [request.headers["authorization"] for request in server.requests] == [
        "Bearer fake-token-3"  # a new client: its first token, never renewed
    ]


# --- a token fetch within the call's deadline -----------------------------------------------------


@pytest.mark.timeout(20)
def test_an_async_token_fetched_within_the_deadline_is_sent(server: LoopbackServer) -> None:
    # With a deadline, the async token fetch is bounded by what is left of it, and still sent.
    server.script(respond_json(200, DOCS_SAMPLE))
    clients = Clients(
        "async", server.endpoint, api_key=None, credential=NumberedAsyncCredential("tok")
    )
    assert clients.call("get_file", "f", deadline=10.0).id == DOCS_SAMPLE["id"]
    assert [request.headers.get("authorization") for request in server.requests] == ["Bearer tok1"]


@pytest.mark.timeout(20)
def test_an_async_token_fetch_is_cut_at_the_deadline_saying_so(server: LoopbackServer) -> None:
    clients = Clients(
        "async", server.endpoint, api_key=None, credential=NumberedAsyncCredential("tok", delay=3)
    )
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError) as raised:
        clients.call("get_file", "f", deadline=0.3)
    assert time.monotonic() - started < 0.9  # not a second more, nor the credential's 3 s
    assert (
        str(raised.value) == "deadline of 0.3 s exceeded while the credential was getting a token"
    )
    assert server.requests == []


@pytest.mark.timeout(20)
def test_an_async_cached_token_is_used_without_asking_the_credential(
    server: LoopbackServer,
) -> None:
    # Past its deadline, a call holding a fresh token fails on the deadline itself, not on a
    # token fetch that was never needed.
    server.script(respond_json(200, DOCS_SAMPLE))

    async def scenario() -> RequestTimeoutError:
        async with AsyncFilesClient(
            server.endpoint, credential=NumberedAsyncCredential("tok"), max_retries=0
        ) as client:
            await client.get_file("f")
            with pytest.raises(RequestTimeoutError) as raised:
                await client.get_file("f", deadline=1e-6)
            return raised.value

    assert str(asyncio.run(scenario())) == "deadline of 1e-06 s exceeded"
    assert len(server.requests) == 1


def _token_threads(monkeypatch: pytest.MonkeyPatch) -> list[threading.Thread]:
    """The threads started from now on, whatever their name, as they were started."""
    started: list[threading.Thread] = []
    start = threading.Thread.start

    def recording_start(thread: threading.Thread) -> None:
        started.append(thread)
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", recording_start)
    return started


@pytest.mark.timeout(20)
def test_a_token_fetched_within_the_deadline_is_sent(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With a deadline, a sync credential gets its token on a daemon thread of its own.
    server.script(respond_json(200, DOCS_SAMPLE))
    threads = _token_threads(monkeypatch)
    clients = Clients("sync", server.endpoint, api_key=None, credential=NumberedCredential("tok"))
    assert clients.call("get_file", "f", deadline=10.0).id == DOCS_SAMPLE["id"]
    assert [request.headers.get("authorization") for request in server.requests] == ["Bearer tok1"]
    fetchers = [thread for thread in threads if thread.name == "azure-openai-files-token"]
    assert len(fetchers) == 1 and fetchers[0].daemon


@pytest.mark.timeout(20)
def test_a_token_fetch_is_cut_at_the_deadline_on_a_daemon_thread_saying_so(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads = _token_threads(monkeypatch)
    clients = Clients(
        "sync", server.endpoint, api_key=None, credential=NumberedCredential("t", delay=3)
    )
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError) as raised:
        clients.call("get_file", "f", deadline=0.3)
    assert time.monotonic() - started < 0.9  # not a second more, nor the credential's 3 s
    assert (
        str(raised.value) == "deadline of 0.3 s exceeded while the credential was getting a token"
    )
    assert server.requests == []
    # The credential cannot be interrupted: its thread is left behind, and must not keep the
    # interpreter from exiting.
    fetchers = [thread for thread in threads if thread.name == "azure-openai-files-token"]
    assert len(fetchers) == 1 and fetchers[0].daemon and fetchers[0].is_alive()


@pytest.mark.timeout(20)
def test_a_credential_failure_within_the_deadline_is_raised_as_it_is(
    server: LoopbackServer,
) -> None:
    failure = RuntimeError("no login")
    clients = Clients("sync", server.endpoint, api_key=None, credential=FailingCredential(failure))
    with pytest.raises(CredentialError) as raised:
        clients.call("get_file", "f", deadline=10.0)
    assert raised.value.__cause__ is failure and server.requests == []


@pytest.mark.timeout(20)
def test_a_cached_token_is_used_without_a_fetching_thread(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.script(respond_json(200, DOCS_SAMPLE), respond_json(200, DOCS_SAMPLE))
    with FilesClient(
        server.endpoint, credential=NumberedCredential("tok"), max_retries=0
    ) as client:
        client.get_file("f")
        threads = _token_threads(monkeypatch)
        client.get_file("f", deadline=10.0)
    assert [thread.name for thread in threads] == []
    assert server.requests[1].headers.get("authorization") == "Bearer tok1"
