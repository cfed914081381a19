"""Fault injection on a loopback server, through both clients: each scenario asserts the
exact outcome, that it stays within the configured time bounds, that no partial file is
left, and that no secret reaches the logs."""

from __future__ import annotations

import asyncio
import email.utils
import errno
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from azure_openai_files import (
    AsyncFilesClient,
    IncompleteDownloadError,
    NotFoundError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    ServiceError,
    TransportError,
    UnexpectedResponseError,
)
from azure_openai_files._durable_file import DurableFile
from tests.support.clients import FAKE_KEY, FAST_RETRIES, KINDS, Clients, Timer
from tests.support.credentials import NumberedCredential
from tests.support.loopback import (
    LoopbackServer,
    _head,
    partial_body,
    reset_connection,
    respond,
    respond_json,
    serving,
    stall,
)

FILE = {"id": "file-1", "filename": "train.jsonl", "purpose": "fine-tune", "bytes": 5}
BODY = bytes(range(256)) * 2048  # 512 KiB, not valid UTF-8
THROTTLED = {"error": {"code": "tooManyRequests", "message": "Too many requests."}}


@pytest.fixture(params=KINDS)
def clients(request: pytest.FixtureRequest, server: LoopbackServer) -> Clients:
    return Clients(request.param, server.endpoint, max_retries=3, **FAST_RETRIES)


@pytest.fixture(autouse=True)
def small_write_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every download here reaches its file through the writer thread, many batches deep, and
    is flushed to disk along the way, so each fault below also meets a writer with batches
    still queued and a flusher that may be syncing."""
    monkeypatch.setattr("azure_openai_files._durable_file.BATCH_BYTES", 16 * 1024)
    monkeypatch.setattr("azure_openai_files._durable_file.BATCHES_IN_FLIGHT", 2)
    monkeypatch.setattr("azure_openai_files._durable_file.SYNC_EVERY", 64 * 1024)


@pytest.fixture(autouse=True)
def logs_without_secrets(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG, logger="azure_openai_files")
    yield caplog
    assert FAKE_KEY not in caplog.text


def throttled(header: str, value: str) -> Any:
    return respond_json(429, THROTTLED, {header: value})


# --- throttling ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "value", "wait"),
    [
        ("retry-after-ms", "300", 0.3),
        ("x-ms-retry-after-ms", "300", 0.3),
        ("retry-after", "1", 1.0),
    ],
)
def test_each_throttling_header_is_honored(
    clients: Clients, server: LoopbackServer, header: str, value: str, wait: float
) -> None:
    server.script(throttled(header, value), respond_json(200, FILE))
    with Timer() as timer:
        assert clients.call("get_file", "f").id == "file-1"
    assert len(server.requests) == 2
    assert wait * 0.9 <= timer.elapsed < wait + 1.0


def test_retry_after_as_http_date_is_honored(clients: Clients, server: LoopbackServer) -> None:
    when = email.utils.formatdate(time.time() + 2, usegmt=True)  # second resolution: 1 to 2 s
    server.script(throttled("retry-after", when), respond_json(200, FILE))
    with Timer() as timer:
        clients.call("get_file", "f")
    assert 0.5 <= timer.elapsed < 3.0 and len(server.requests) == 2


@pytest.mark.parametrize(
    "value", ["Fri, 31 Dec 99999999999 23:59:59 GMT", "soon", "1e999", "nan", "-5"]
)
def test_an_unreadable_retry_after_falls_back_to_backoff(
    server: LoopbackServer, value: str
) -> None:
    server.script(throttled("retry-after", value), respond_json(200, FILE))
    assert Clients("sync", server.endpoint, **FAST_RETRIES).call("get_file", "f").id == "file-1"
    assert len(server.requests) == 2


def test_retry_after_ms_takes_precedence(clients: Clients, server: LoopbackServer) -> None:
    headers = {"retry-after": "30", "x-ms-retry-after-ms": "20000", "retry-after-ms": "100"}
    server.script(respond_json(429, THROTTLED, headers), respond_json(200, FILE))
    with Timer() as timer:
        clients.call("get_file", "f")
    assert 0.09 <= timer.elapsed < 1.0


@pytest.mark.timeout(10)  # without the cap the call would sleep a day: fail fast instead
def test_retry_after_above_the_cap_raises_at_once(clients: Clients, server: LoopbackServer) -> None:
    server.script(respond_json(429, THROTTLED, {"retry-after": "86400", "apim-request-id": "r-1"}))
    with Timer() as timer, pytest.raises(RateLimitError) as caught:
        clients.call("get_file", "f")
    assert timer.elapsed < 1.0 and len(server.requests) == 1
    assert caught.value.retry_after == 86400 and caught.value.code == "tooManyRequests"
    assert caught.value.request_id == "r-1"


def test_the_cap_is_configurable(server: LoopbackServer) -> None:
    server.script(throttled("retry-after-ms", "400"), respond_json(200, FILE))
    with pytest.raises(RateLimitError):
        Clients("sync", server.endpoint, max_retry_after=0.2).call("get_file", "f")
    assert len(server.requests) == 1


def test_a_429_without_headers_falls_back_to_backoff(
    clients: Clients, server: LoopbackServer
) -> None:
    server.script(
        respond_json(429, THROTTLED), respond_json(429, THROTTLED), respond_json(200, FILE)
    )
    with Timer() as timer:
        clients.call("get_file", "f")
    assert len(server.requests) == 3 and timer.elapsed < 1.0


def test_throttling_that_outlasts_the_retries_raises_rate_limit_error(
    clients: Clients, server: LoopbackServer
) -> None:
    server.script(throttled("retry-after-ms", "10"))
    with pytest.raises(RateLimitError) as caught:
        clients.call("get_file", "f")
    assert len(server.requests) == 4 and caught.value.retry_after == pytest.approx(0.01)


# --- server errors ------------------------------------------------------------------------


def test_503_then_200_succeeds(clients: Clients, server: LoopbackServer) -> None:
    server.script(
        respond(503, "Service Unavailable", content_type="text/plain"), respond_json(200, FILE)
    )
    assert clients.call("get_file", "f").filename == "train.jsonl"
    assert len(server.requests) == 2


def test_500_with_an_html_body_is_a_server_error_after_the_retries(
    clients: Clients, server: LoopbackServer
) -> None:
    page = "<html><head><title>500</title></head><body><h1>Internal Server Error</h1></body></html>"
    server.script(respond(500, page, {"x-request-id": "x-1"}, content_type="text/html"))
    with Timer() as timer, pytest.raises(ServerError) as caught:
        clients.call("get_file", "f")
    assert len(server.requests) == 4 and timer.elapsed < 2.0
    assert caught.value.status_code == 500 and caught.value.request_id == "x-1"
    assert "Internal Server Error" in str(caught.value) and caught.value.code is None


def test_an_unregistered_status_is_a_typed_error_and_not_retried(
    clients: Clients, server: LoopbackServer
) -> None:
    server.script(respond(599, "odd", content_type="text/plain"))
    with pytest.raises(ServerError) as caught:
        clients.call("get_file", "f")
    assert caught.value.status_code == 599 and len(server.requests) == 1


def test_a_several_megabyte_error_body_is_read_bounded(
    clients: Clients, server: LoopbackServer
) -> None:
    page = "<html>" + "gateway says no " * 400_000 + "</html>"  # ~6.4 MB
    server.script(respond(502, page, content_type="text/html"))
    with Timer() as timer, pytest.raises(ServerError) as caught:
        Clients(clients.kind, server.endpoint, max_retries=0).call("get_file", "f")
    assert timer.elapsed < 5.0 and len(str(caught.value)) < 2300


def test_errors_are_not_retried_when_the_status_is_final(
    clients: Clients, server: LoopbackServer
) -> None:
    server.script(respond_json(404, {"error": {"code": "notFound", "message": "Not here."}}))
    with pytest.raises(NotFoundError):
        clients.call("get_file", "f")
    assert len(server.requests) == 1


# --- the network --------------------------------------------------------------------------


def test_a_reset_before_any_response_is_retried(clients: Clients, server: LoopbackServer) -> None:
    server.script(reset_connection, reset_connection, respond_json(200, FILE))
    assert clients.call("get_file", "f").id == "file-1"
    assert len(server.requests) == 3


def test_resets_that_outlast_the_retries_are_a_transport_error(
    clients: Clients, server: LoopbackServer
) -> None:
    server.script(reset_connection)
    with Timer() as timer, pytest.raises(TransportError) as caught:
        clients.call("get_file", "f")
    assert len(server.requests) == 4 and timer.elapsed < 2.0
    assert caught.value.__cause__ is not None


def malformed_after(first: bytes) -> Any:
    """A chunked 200 whose body turns malformed after its first chunk (a bad chunk header)."""

    def reply(conn: Any, request: Any) -> None:
        head = _head(200, [("Transfer-Encoding", "chunked"), ("Content-Type", "application/json")])
        conn.sendall(head + b"%x\r\n%s\r\n" % (len(first), first))
        time.sleep(0.3)
        conn.sendall(b"ZZZ\r\nmore\r\n0\r\n\r\n")

    return reply


@pytest.mark.parametrize("method", ["get_file", "get_file_content", "download_file"])
def test_a_body_that_turns_malformed_mid_way_fails_and_never_hangs(
    clients: Clients, server: LoopbackServer, method: str, tmp_path: Path
) -> None:
    # aiohttp stops its own read timer when its parser fails: the read must still end.
    server.script(malformed_after(b'{"id": "file-1",'))
    args: tuple[Any, ...] = ("f", tmp_path / "out") if method == "download_file" else ("f",)
    one_try = Clients(clients.kind, server.endpoint, max_retries=0)
    with Timer() as timer, pytest.raises(TransportError):
        one_try.call(method, *args, deadline=2.0)
    assert timer.elapsed < 2.0 + 2.0 and list(tmp_path.iterdir()) == []


def test_a_refused_connection_is_a_transport_error(clients: Clients) -> None:
    with serving() as closed:
        endpoint = closed.endpoint  # the port is free once the server stops
    with Timer() as timer, pytest.raises(TransportError):
        Clients(clients.kind, endpoint, max_retries=2, **FAST_RETRIES).call("get_file", "f")
    assert timer.elapsed < 2.0


def test_a_stalled_body_is_a_timeout_within_bounds(
    clients: Clients, server: LoopbackServer
) -> None:
    server.script(stall(1.5))
    with Timer() as timer, pytest.raises(RequestTimeoutError):
        Clients(clients.kind, server.endpoint, timeout=0.2, max_retries=1, **FAST_RETRIES).call(
            "get_file", "f"
        )
    assert len(server.requests) == 2 and 0.4 <= timer.elapsed < 1.5


def test_the_deadline_bounds_a_call_across_attempts_and_sleeps(
    clients: Clients, server: LoopbackServer
) -> None:
    server.script(respond(503, "busy", content_type="text/plain"))
    options = {"max_retries": 50, "retry_backoff": 0.1, "retry_backoff_max": 0.1}
    with Timer() as timer, pytest.raises(RequestTimeoutError, match="deadline"):
        Clients(clients.kind, server.endpoint, **options).call("get_file", "f", deadline=0.5)
    assert timer.elapsed < 0.8 and len(server.requests) >= 2


def test_the_deadline_bounds_a_stalled_read(clients: Clients, server: LoopbackServer) -> None:
    server.script(stall(3))
    with Timer() as timer, pytest.raises(RequestTimeoutError):
        Clients(clients.kind, server.endpoint, deadline=0.4).call("get_file", "f")
    assert timer.elapsed < 1.0


# --- bodies that break the contract -------------------------------------------------------


@pytest.mark.parametrize(
    "body", [b'{"id": "file-1", "filename":', b"[]"], ids=["malformed", "array"]
)
def test_a_bad_200_body_is_unexpected_and_not_retried(
    clients: Clients, server: LoopbackServer, body: bytes
) -> None:
    server.script(respond(200, body))
    with pytest.raises(UnexpectedResponseError):
        clients.call("get_file", "f")
    assert len(server.requests) == 1


# --- redirects ----------------------------------------------------------------------------


def test_a_redirect_to_another_origin_carries_no_credentials(
    clients: Clients, server: LoopbackServer
) -> None:
    with serving(respond_json(200, FILE)) as elsewhere:
        other_origin = elsewhere.endpoint
        location = f"{elsewhere.endpoint}/openai/files/f?api-version=2024-10-21"
        server.script(respond(302, "", {"location": location}, content_type=None))
        with pytest.raises(ServiceError, match="not followed") as caught:
            clients.call("get_file", "f")
        assert elsewhere.requests == []
    assert caught.value.status_code == 302 and other_origin in str(caught.value)


# --- downloads cut mid-body ---------------------------------------------------------------


def range_reply(body: bytes) -> Any:
    """Answer `Range: bytes=N-` with 206 and a matching Content-Range."""

    def reply(conn: Any, request: Any) -> None:
        start = int(request.headers["range"].removeprefix("bytes=").rstrip("-"))
        headers = {"Content-Range": f"bytes {start}-{len(body) - 1}/{len(body)}"}
        respond(206, body[start:], headers, content_type="application/octet-stream")(conn, request)

    return reply


def test_a_download_cut_mid_body_resumes_with_range(
    clients: Clients, server: LoopbackServer, tmp_path: Path
) -> None:
    server.script(partial_body(BODY, 100_000), range_reply(BODY))
    path = clients.download("f", tmp_path / "out.bin")
    assert path.read_bytes() == BODY and [p.name for p in tmp_path.iterdir()] == ["out.bin"]
    assert [r.headers.get("range") for r in server.requests] == [None, "bytes=100000-"]
    assert (
        server.requests[0].headers["x-ms-client-request-id"]
        == server.requests[1].headers["x-ms-client-request-id"]
    )


def test_a_download_restarts_when_the_server_ignores_range(
    clients: Clients, server: LoopbackServer, tmp_path: Path
) -> None:
    full = respond(200, BODY, content_type="application/octet-stream")
    server.script(partial_body(BODY, 100_000), full)
    assert clients.download("f", tmp_path / "out.bin").read_bytes() == BODY
    assert len(server.requests) == 2


def test_a_download_restarts_when_content_range_does_not_match(
    clients: Clients, server: LoopbackServer, tmp_path: Path
) -> None:
    wrong = respond(
        206,
        BODY[5:],
        {"Content-Range": f"bytes 5-{len(BODY) - 1}/{len(BODY)}"},
        content_type="application/octet-stream",
    )
    full = respond(200, BODY, content_type="application/octet-stream")
    server.script(partial_body(BODY, 100_000), wrong, full)
    assert clients.download("f", tmp_path / "out.bin").read_bytes() == BODY
    assert [r.headers.get("range") for r in server.requests] == [None, "bytes=100000-", None]


def test_a_body_shorter_than_its_content_length_is_never_kept(
    clients: Clients, server: LoopbackServer, tmp_path: Path
) -> None:
    server.script(partial_body(BODY, 1000, reset=False))
    with Timer() as timer, pytest.raises(IncompleteDownloadError) as caught:
        clients.download("f", tmp_path / "out.bin")
    # The first attempt received new bytes, so only the next four count against the budget.
    assert len(server.requests) == 5 and timer.elapsed < 2.0
    assert caught.value.expected == len(BODY) and list(tmp_path.iterdir()) == []


def test_get_file_content_retries_a_body_cut_mid_way(
    clients: Clients, server: LoopbackServer
) -> None:
    server.script(
        partial_body(BODY, 1000), respond(200, BODY, content_type="application/octet-stream")
    )
    assert clients.call("get_file_content", "f") == BODY


def test_a_stream_cut_mid_body_raises_rather_than_truncating(
    clients: Clients, server: LoopbackServer
) -> None:
    server.script(partial_body(BODY, 1000, reset=False))
    with pytest.raises(IncompleteDownloadError) as caught:
        clients.stream("f", client_request_id="cut-1")
    assert (caught.value.received, caught.value.expected) == (1000, len(BODY))
    # The message names the network failure; the id is the one support asks for.
    cause = caught.value.__cause__
    assert isinstance(cause, httpx2.HTTPError)
    assert str(caught.value) == (
        f"content ended after 1000 of {len(BODY)} bytes: {type(cause).__name__}: {cause}"
    )
    assert caught.value.client_request_id == "cut-1"


def test_a_stalled_download_times_out_and_leaves_nothing(
    clients: Clients, server: LoopbackServer, tmp_path: Path
) -> None:
    server.script(stall(2, announce=len(BODY)))
    with Timer() as timer, pytest.raises(TransportError):
        Clients(clients.kind, server.endpoint, timeout=0.2, max_retries=1, **FAST_RETRIES).download(
            "f", tmp_path / "out.bin"
        )
    assert timer.elapsed < 1.5 and list(tmp_path.iterdir()) == []


# --- per-attempt behaviour ----------------------------------------------------------------


def test_every_attempt_sends_the_same_client_request_id(
    clients: Clients, server: LoopbackServer
) -> None:
    server.script(reset_connection, respond(503, "", content_type=None), respond_json(200, FILE))
    clients.call("get_file", "f")
    ids = {r.headers["x-ms-client-request-id"] for r in server.requests}
    assert len(server.requests) == 3 and len(ids) == 1


def test_an_expiring_token_is_refreshed_between_attempts(server: LoopbackServer) -> None:
    server.script(respond(503, "", content_type=None), respond_json(200, FILE))
    Clients(
        "sync",
        server.endpoint,
        api_key=None,
        credential=NumberedCredential("token-", lifetime=60),
        **FAST_RETRIES,
    ).call("get_file", "f")
    assert [r.headers["authorization"] for r in server.requests] == [
        "Bearer token-1",
        "Bearer token-2",
    ]


def test_each_retry_is_logged_with_reason_attempt_delay_and_request_id(
    clients: Clients, server: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.script(
        respond_json(503, {"error": {"code": "serviceUnavailable", "message": "x"}}),
        respond_json(200, FILE),
    )
    clients.call("get_file", "f", client_request_id="corr-42")
    retries = [
        r for r in caplog.records if r.levelno == logging.INFO and "Retrying" in r.getMessage()
    ]
    assert len(retries) == 1
    message = retries[0].getMessage()
    assert "HTTP 503 serviceUnavailable" in message and "attempt 1 of 4" in message
    assert "corr-42" in message and " s " in message


def test_debug_logs_redact_everything_outside_the_allow_list(
    server: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.script(
        respond_json(200, FILE, {"set-cookie": "session=secret-cookie", "apim-request-id": "r-9"})
    )
    Clients("sync", server.endpoint).call("get_file", "f")
    assert "'api-key': 'REDACTED'" in caplog.text and "secret-cookie" not in caplog.text
    assert "r-9" in caplog.text and json.dumps(FILE) not in caplog.text


def test_periodic_writeback_keeps_a_restarted_download_intact(
    clients: Clients, server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("azure_openai_files._durable_file.WRITEBACK_EVERY", 10_000)
    server.script(
        partial_body(BODY, 100_000), respond(200, BODY, content_type="application/octet-stream")
    )
    assert clients.download("f", tmp_path / "out.bin").read_bytes() == BODY


def writer_threads() -> list[threading.Thread]:
    """The download's writer and flusher threads still running."""
    names = ("azure-openai-files-writer", "azure-openai-files-flusher")
    return [t for t in threading.enumerate() if t.name in names]


def test_a_failed_flush_during_the_download_fails_it_and_leaves_nothing(
    clients: Clients, server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Linux reports a failed writeback to one sync only: the fsync before the rename could
    # then succeed although bytes were lost, so the flusher's failure must fail the download.
    def lose_writeback(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fdatasync", lose_writeback, raising=False)
    monkeypatch.setattr(os, "fsync", lambda fd: None)  # the later sync sees no error
    server.script(respond(200, BODY, content_type="application/octet-stream"))
    with pytest.raises(OSError) as caught:
        clients.download("f", tmp_path / "out.bin")
    assert caught.value.errno == errno.EIO
    assert list(tmp_path.iterdir()) == [] and writer_threads() == []


def test_a_flush_that_fails_while_the_download_commits_still_fails_it(
    clients: Clients, server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The last flush is asked for as the last bytes are written; it fails only after the
    # writer has caught up, while the file is being committed.
    monkeypatch.setattr("azure_openai_files._durable_file.SYNC_EVERY", len(BODY))
    syncing, caught_up = threading.Event(), threading.Event()

    def late_failure(fd: int) -> None:
        syncing.set()
        caught_up.wait(5)
        raise OSError(errno.EIO, "Input/output error")

    settle = DurableFile.settle

    def settle_then_let_the_flush_fail(part: DurableFile) -> None:
        settle(part)
        if part.size == len(BODY):
            syncing.wait(5)
            caught_up.set()

    monkeypatch.setattr(os, "fdatasync", late_failure, raising=False)
    monkeypatch.setattr(os, "fsync", lambda fd: None)  # the later sync sees no error
    monkeypatch.setattr(DurableFile, "settle", settle_then_let_the_flush_fail)
    server.script(respond(200, BODY, content_type="application/octet-stream"))
    with pytest.raises(OSError) as caught:
        clients.download("f", tmp_path / "out.bin")
    assert caught.value.errno == errno.EIO and syncing.is_set()
    assert list(tmp_path.iterdir()) == [] and writer_threads() == []


def test_a_disk_failure_on_the_writer_thread_fails_the_download_and_leaves_nothing(
    clients: Clients, server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_batch = DurableFile._write_batch
    batches = 0

    def fill_disk(part: DurableFile, batch: list[bytes]) -> None:
        nonlocal batches
        batches += 1
        if batches == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        write_batch(part, batch)

    monkeypatch.setattr(DurableFile, "_write_batch", fill_disk)
    server.script(respond(200, BODY, content_type="application/octet-stream"))
    with pytest.raises(OSError) as caught:
        clients.download("f", tmp_path / "out.bin")
    assert caught.value.errno == errno.ENOSPC
    assert list(tmp_path.iterdir()) == [] and writer_threads() == []


def test_a_download_stopped_by_its_caller_stops_the_writer_and_leaves_nothing(
    clients: Clients, server: LoopbackServer, tmp_path: Path
) -> None:
    class Stop(Exception):
        pass

    def progress(done: int, total: int | None) -> None:
        if done > len(BODY) // 2:
            raise Stop

    server.script(respond(200, BODY, content_type="application/octet-stream"))
    with pytest.raises(Stop):
        clients.download("f", tmp_path / "out.bin", progress=progress)
    assert list(tmp_path.iterdir()) == [] and writer_threads() == []


def test_the_async_commit_runs_off_the_event_loop(
    server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fsync = os.fsync
    fsync_threads: set[int] = set()

    def recording_fsync(fd: int) -> None:
        fsync_threads.add(threading.get_ident())
        fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    server.script(respond(200, BODY, content_type="application/octet-stream"))

    async def run() -> tuple[Path, int]:
        async with AsyncFilesClient(server.endpoint, api_key=FAKE_KEY) as client:
            path = await client.download_file("f", tmp_path / "out.bin")
        return path, threading.get_ident()

    path, loop_thread = asyncio.run(run())
    assert path.read_bytes() == BODY
    assert fsync_threads and loop_thread not in fsync_threads


def test_cancelling_an_async_download_during_its_commit_leaves_it_whole(
    server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fsync = os.fsync
    entered, release = threading.Event(), threading.Event()

    def held_fsync(fd: int) -> None:
        entered.set()
        release.wait(10)
        fsync(fd)

    monkeypatch.setattr(os, "fsync", held_fsync)
    server.script(respond(200, BODY, content_type="application/octet-stream"))

    async def run() -> None:
        async with AsyncFilesClient(server.endpoint, api_key=FAKE_KEY) as client:
            task = asyncio.create_task(client.download_file("f", tmp_path / "out.bin"))
            await asyncio.to_thread(entered.wait, 10)
            task.cancel()
            await asyncio.sleep(0.05)
            assert not task.done()  # the commit is allowed to finish
            release.set()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(run())
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]
    assert (tmp_path / "out.bin").read_bytes() == BODY
