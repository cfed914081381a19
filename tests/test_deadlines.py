"""No call can hang: the deadline bounds every read of every call, a metadata call is bounded
even without one, and the bounds that keep the retry loop and the error path short hold;
within a longer deadline, each timeout of its own (connect, write, pool, read) still ends a
call at its time. Servers here mostly drip one byte every half second, so per-read timeouts
alone never fire."""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import aiohttp
import httpx2
import pytest

from azure_openai_files import (
    AsyncFilesClient,
    FilesClient,
    RequestTimeoutError,
    ServerError,
    UnexpectedResponseError,
)
from azure_openai_files._response_head_timeout import HeadClock, bound_response_heads
from tests.support.clients import KINDS, Clients, Timer
from tests.support.credentials import NumberedAsyncCredential, NumberedCredential
from tests.support.fuzzing import Delivery, ScriptedResponse, render
from tests.support.loopback import (
    LoopbackServer,
    drip,
    drip_head,
    respond,
    respond_json,
    stall,
    stall_after,
)

FILE = {"id": "file-1", "filename": "train.jsonl", "purpose": "fine-tune", "bytes": 5}
# A valid file object, padded to 100 bytes: dripped at 0.5 s a byte it takes 50 s.
SLOW_FILE = json.dumps(FILE).ljust(100).encode()
DRIP = 0.5
DEADLINE = 2.0
SLACK = 2.0  # one dripped byte, plus a loaded machine


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", KINDS)
def test_a_dripping_metadata_body_cannot_outlive_the_call_deadline(
    server: LoopbackServer, kind: str
) -> None:
    server.script(drip(SLOW_FILE, DRIP))
    with Timer() as timer, pytest.raises(RequestTimeoutError, match="deadline") as caught:
        Clients(kind, server.endpoint).call("get_file", "f", deadline=DEADLINE)
    assert timer.elapsed < DEADLINE + SLACK and len(server.requests) == 1
    assert caught.value.client_request_id == server.requests[0].headers["x-ms-client-request-id"]


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", KINDS)
def test_a_dripping_content_body_cannot_outlive_the_client_deadline(
    server: LoopbackServer, kind: str
) -> None:
    server.script(drip(b"x" * 100, DRIP, content_type="application/octet-stream"))
    with Timer() as timer, pytest.raises(RequestTimeoutError, match="deadline"):
        Clients(kind, server.endpoint, deadline=DEADLINE).call("get_file_content", "f")
    assert timer.elapsed < DEADLINE + SLACK and len(server.requests) == 1


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", KINDS)
def test_a_dripping_stream_cannot_outlive_the_deadline(server: LoopbackServer, kind: str) -> None:
    server.script(drip(b"x" * 100, DRIP, content_type="application/octet-stream"))
    with Timer() as timer, pytest.raises(RequestTimeoutError, match="deadline"):
        Clients(kind, server.endpoint).stream("f", deadline=DEADLINE)
    assert timer.elapsed < DEADLINE + SLACK


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", KINDS)
def test_a_metadata_response_must_arrive_within_one_read_timeout_without_a_deadline(
    server: LoopbackServer, kind: str
) -> None:
    server.script(drip(SLOW_FILE, 0.3))  # 30 s in all, each byte well within the timeout
    clients = Clients(
        kind, server.endpoint, timeout=httpx2.Timeout(2.0), max_retries=1, retry_backoff=0
    )
    with Timer() as timer, pytest.raises(RequestTimeoutError):
        clients.call("get_file", "f")
    # two attempts (a slow response is retried like a read timeout), each cut at 2 s
    assert len(server.requests) == 2 and timer.elapsed < 2 * 2.0 + 2 * SLACK


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
def test_a_metadata_body_larger_than_a_file_object_is_refused_without_reading_it_all(
    server: LoopbackServer, kind: str
) -> None:
    prefix = b"[" + b"0," * (3 * 1024 * 1024)  # 6 MiB of a 50 MB array, then silence
    server.script(stall_after(prefix, 50_000_000, 25))
    clients = Clients(kind, server.endpoint, timeout=20.0)
    with Timer() as timer, pytest.raises(UnexpectedResponseError, match="exceeds") as caught:
        clients.call("get_file", "f", client_request_id="cap-1")
    assert timer.elapsed < 10 and len(server.requests) == 1
    assert caught.value.status_code == 200 and caught.value.client_request_id == "cap-1"


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
def test_an_endless_error_body_is_read_only_up_to_its_bound(
    server: LoopbackServer, kind: str
) -> None:
    page = b"<html><body><h1>Bad Gateway</h1>" + b"<p>padding</p>" * 120_000  # ~1.7 MB
    server.script(stall_after(page, 10_000_000, 25, status=502, content_type="text/html"))
    clients = Clients(kind, server.endpoint, timeout=20.0, max_retries=0)
    with Timer() as timer, pytest.raises(ServerError, match="Bad Gateway"):
        clients.call("get_file", "f")
    assert timer.elapsed < 10  # without the bound it waits for the rest until the read timeout


@pytest.mark.timeout(20)
def test_a_token_fetch_counts_against_the_deadline_sync(server: LoopbackServer) -> None:
    server.script(respond_json(200, FILE))
    with (
        FilesClient(server.endpoint, credential=NumberedCredential(delay=6)) as client,
        Timer() as timer,
        pytest.raises(RequestTimeoutError, match="token"),
    ):
        client.get_file("f", deadline=1.0)
    assert timer.elapsed < 1.0 + SLACK and server.requests == []


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    "credential", [NumberedCredential(delay=6), NumberedAsyncCredential(delay=6)]
)
def test_a_token_fetch_counts_against_the_deadline_async(
    server: LoopbackServer, credential: Any
) -> None:
    server.script(respond_json(200, FILE))

    async def run() -> float:
        async with AsyncFilesClient(server.endpoint, credential=credential) as client:
            with Timer() as timer, pytest.raises(RequestTimeoutError, match="token"):
                await client.get_file("f", deadline=1.0)
        return timer.elapsed

    # asyncio.run then waits for the worker thread of the sync credential: time the call only
    assert asyncio.run(run()) < 1.0 + SLACK and server.requests == []


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
def test_dripped_response_headers_cannot_outlive_the_deadline(
    server: LoopbackServer, kind: str
) -> None:
    server.script(drip_head(DRIP))  # 100 s in all
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            Clients(kind, server.endpoint).call("get_file", "f", deadline=DEADLINE)
        except BaseException as exc:  # handed to the assertion below
            outcome.append(exc)

    worker = threading.Thread(target=call, daemon=True)  # left behind if it hangs
    worker.start()
    worker.join(DEADLINE + SLACK)
    assert outcome and isinstance(outcome[0], RequestTimeoutError)
    # What ended it, chained: the head's bound, on the request that was sent.
    cause = outcome[0].__cause__
    while cause is not None and not isinstance(cause, httpx2.ReadTimeout):
        cause = cause.__cause__
    assert isinstance(cause, httpx2.ReadTimeout)
    if kind != "aiohttp":  # httpx2 names the request it sent
        assert cause.request.url.path == "/openai/files/f"
    if kind != "sync":  # a blocking read shortened to the head's end times out as a read
        assert str(cause) == "the response head took too long"


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", KINDS)
def test_a_dripping_error_body_cannot_outlive_the_call_deadline(
    server: LoopbackServer, kind: str
) -> None:
    page = b'{"error": {"code": "InternalServerError", "message": "' + b"x" * 200 + b'"}}'
    server.script(drip(page, DRIP, status=500))
    clients = Clients(kind, server.endpoint, max_retries=0)
    with Timer() as timer, pytest.raises(RequestTimeoutError, match="deadline"):
        clients.call("get_file_content", "f", deadline=DEADLINE)
    assert timer.elapsed < DEADLINE + SLACK and len(server.requests) == 1


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", KINDS)
def test_a_dripping_error_body_without_a_deadline_is_cut_after_one_read_timeout(
    server: LoopbackServer, kind: str
) -> None:
    page = b"<html><body><h1>Bad Gateway</h1>" + b"<p>padding</p>" * 50 + b"</body></html>"
    server.script(drip(page, DRIP, status=502, content_type="text/html"))
    clients = Clients(kind, server.endpoint, timeout=2.0, max_retries=0)
    with Timer() as timer, pytest.raises(ServerError) as caught:
        clients.call("get_file_content", "f")
    # Mapped by its status from what arrived in time, instead of waiting ~6 minutes for it all.
    assert caught.value.status_code == 502
    assert timer.elapsed < 2.0 + SLACK


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
def test_dripped_response_headers_without_a_deadline_end_after_one_read_timeout(
    server: LoopbackServer, kind: str
) -> None:
    server.script(drip_head(DRIP))  # 100 s in all
    with Timer() as timer, pytest.raises(RequestTimeoutError):
        Clients(kind, server.endpoint, timeout=2.0, max_retries=0).call("get_file", "f")
    # aiohttp does not say when a request goes out: there the head's limit counts from the
    # attempt's start, after the time allowed for a connection (pool + connect).
    limit = 2.0 if kind != "aiohttp" else 3 * 2.0
    assert timer.elapsed < limit + SLACK


def answer_after(seconds: float) -> Any:
    """A valid file object, `seconds` after the request: a busy service, not a dripping one."""
    ok = respond_json(200, FILE)

    def reply(conn: Any, request: Any) -> None:
        time.sleep(seconds)
        ok(conn, request)

    return reply


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
def test_waiting_for_a_free_connection_does_not_count_against_the_response_time(
    server: LoopbackServer, kind: str
) -> None:
    # Three calls share one connection; each answer takes 0.6 s of a 1 s read timeout, so the
    # last call waits 1.2 s for the connection. Its response is on time all the same: the
    # head's and the metadata's time limits start when the request goes out.
    server.script(answer_after(0.6))
    limits = httpx2.Limits(max_connections=1)
    options: dict[str, Any] = {
        "api_key": "k",
        "timeout": httpx2.Timeout(5.0, read=1.0),
        "max_retries": 0,
    }
    if kind == "sync":
        with (
            httpx2.Client(limits=limits) as http,
            FilesClient(server.endpoint, http_client=http, **options) as client,
            ThreadPoolExecutor(3) as pool,
        ):
            files = list(pool.map(client.get_file, ["a", "b", "c"]))
    else:

        async def run() -> list[Any]:
            http: Any = (
                httpx2.AsyncClient(limits=limits)
                if kind == "async"
                else aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1))
            )
            async with (
                http,
                AsyncFilesClient(server.endpoint, http_client=http, **options) as client,
            ):
                return list(await asyncio.gather(*(client.get_file(i) for i in "abc")))

        files = asyncio.run(run())
    assert [f.id for f in files] == ["file-1"] * 3 and len(server.requests) == 3


@pytest.mark.timeout(30)
def test_dripped_response_headers_through_a_proxy_from_the_environment_are_bounded_too(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # httpx2 mounts a transport of its own for a proxy named in the environment; the head
    # bound must be under that one as well. The loopback server plays the proxy.
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", server.endpoint)
    server.script(drip_head(DRIP))  # 100 s in all
    with Timer() as timer, pytest.raises(RequestTimeoutError):
        Clients("sync", "http://localhost:9", timeout=2.0, max_retries=0).call("get_file", "f")
    assert timer.elapsed < 2.0 + SLACK
    assert server.requests[0].target.startswith("http://localhost:9/")  # it did go through it


TLS = Path(__file__).parent / "tls"  # a self-signed certificate for 127.0.0.1, tests only


@pytest.mark.timeout(30)
def test_a_dripped_head_over_tls_is_bounded_as_well() -> None:
    # Every https connection goes through the backend's start_tls: the TLS stream it hands
    # back must bound the head too. A client built like the package's, trusting the test CA.
    class Dripping(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for _ in range(100):
                time.sleep(DRIP)
                self.wfile.write(b"X-Pad: a\r\n")
                self.wfile.flush()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Dripping)
    server.daemon_threads = True
    server.handle_error = lambda *args: None  # type: ignore[method-assign]  # client hung up
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(TLS / "loopback-cert.pem", TLS / "loopback-key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    trust = ssl.create_default_context(cafile=str(TLS / "loopback-cert.pem"))
    try:
        with httpx2.Client(verify=trust, timeout=10.0) as http_client:
            bound_response_heads(http_client)
            request = http_client.build_request("GET", f"https://127.0.0.1:{server.server_port}/")
            clock = HeadClock(DEADLINE, ends_by=None)
            clock.attach(request.extensions, asynchronous=False)
            with Timer() as timer, pytest.raises(httpx2.ReadTimeout), clock.awaiting_head():
                http_client.send(request)
    finally:
        server.shutdown()
        server.server_close()
    assert timer.elapsed < DEADLINE + SLACK


@pytest.mark.timeout(30)
def test_a_callers_blocking_client_is_not_modified_to_bound_heads(server: LoopbackServer) -> None:
    # The package bounds heads on the clients it builds; a caller's client and its
    # transports stay exactly as the caller made them.
    http = httpx2.Client()
    pool = http._transport._pool  # type: ignore[attr-defined]
    backend = pool._network_backend
    server.script(respond_json(200, FILE))
    with FilesClient(server.endpoint, api_key="k", http_client=http) as client:
        assert client.get_file("f").id == "file-1"
    assert pool._network_backend is backend
    http.close()


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("deadline", "error"),
    [(float("nan"), ValueError), (-1.0, ValueError), (0, ValueError), ("3", TypeError)],
)
def test_a_calls_deadline_is_checked_like_the_clients_before_sending(
    server: LoopbackServer, kind: str, deadline: Any, error: type[Exception]
) -> None:
    with pytest.raises(error, match="deadline"):
        Clients(kind, server.endpoint).call("get_file", "f", deadline=deadline)
    assert server.requests == []


# --- each timeout of its own, within a longer deadline --------------------------------------------


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
def test_whole_content_may_take_longer_than_one_read_timeout_within_its_deadline(
    server: LoopbackServer, kind: str
) -> None:
    # Only metadata must arrive within one read timeout; content is bounded by the deadline.
    body = b"0123456789"
    server.script(drip(body, 0.1, content_type="application/octet-stream"))
    clients = Clients(kind, server.endpoint, timeout=0.4, max_retries=0)
    assert clients.call("get_file_content", "f", deadline=30.0) == body


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("timeout", "deadline"), [(0.3, 20.0), (5.0, 0.6)])
def test_a_stalled_read_ends_at_its_own_timeout_or_the_deadline_whichever_is_first(
    server: LoopbackServer, kind: str, timeout: float, deadline: float
) -> None:
    # The deadline shortens the per-read timeouts; it never lengthens or removes them.
    server.script(stall(4.0))
    outcome: list[BaseException] = []

    def call() -> None:
        clients = Clients(kind, server.endpoint, timeout=timeout, max_retries=0)
        try:
            clients.call("get_file_content", "f", deadline=deadline)
        except BaseException as exc:  # handed to the assertions below
            outcome.append(exc)

    worker = threading.Thread(target=call, daemon=True)  # left behind if it hangs
    worker.start()
    worker.join(2.5)
    assert outcome and isinstance(outcome[0], RequestTimeoutError)
    assert str(outcome[0]).startswith("ReadTimeout: the request timed out")


@pytest.mark.timeout(30)
def test_with_a_distant_deadline_waiting_for_a_connection_still_has_its_own_timeout(
    server: LoopbackServer,
) -> None:
    server.script(respond(200, b"0123456789", content_type="application/octet-stream"))
    options: dict[str, Any] = {"api_key": "k", "timeout": httpx2.Timeout(5.0, pool=0.3)}
    outcome: list[BaseException] = []
    with (
        httpx2.Client(limits=httpx2.Limits(max_connections=1)) as http,
        FilesClient(server.endpoint, http_client=http, max_retries=0, **options) as client,
        client.stream_file_content("f"),  # holds the only connection
    ):

        def call() -> None:
            try:
                client.get_file("g", deadline=20.0)
            except BaseException as exc:  # handed to the assertions below
                outcome.append(exc)

        worker = threading.Thread(target=call, daemon=True)
        worker.start()
        worker.join(2.5)
        assert outcome and isinstance(outcome[0], RequestTimeoutError)
        assert str(outcome[0]).startswith("PoolTimeout: the request timed out")


@pytest.fixture
def unanswered_endpoint() -> Iterator[str]:
    """A loopback address whose listen queue is full: a new connection is never answered."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    queued = []
    for _ in range(8):  # more than the queue holds; the ones left over wait, unanswered
        waiting = socket.socket()
        waiting.setblocking(False)
        waiting.connect_ex(listener.getsockname())
        queued.append(waiting)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        for waiting in queued:
            waiting.close()
        listener.close()


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
def test_an_unanswered_connect_ends_at_the_connect_timeout_within_a_longer_deadline(
    unanswered_endpoint: str, kind: str
) -> None:
    # The deadline shortens the connect timeout, never replaces or lengthens it.
    clients = Clients(
        kind, unanswered_endpoint, timeout=httpx2.Timeout(10.0, connect=0.5), max_retries=0
    )
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError):
        clients.call("get_file", "f", deadline=8.0)
    assert time.monotonic() - started < 3.0


@contextlib.contextmanager
def accepting(
    receive_buffer: int, handle: Callable[[socket.socket, threading.Event], None]
) -> Iterator[str]:
    """A loopback listener whose connections (their receive buffer `receive_buffer` bytes,
    inherited from the listener) go to `handle(conn, stop)` as they are accepted; at the
    block's end `stop` is set and every connection closed."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue
            handle(accepted[-1], stop)

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        acceptor.join(5)
        for conn in accepted:
            conn.close()
        listener.close()


@pytest.fixture
def unread_endpoint() -> Iterator[str]:
    """A loopback server that accepts connections with a tiny receive buffer and never reads:
    a request larger than what the two socket buffers hold blocks the client's write."""
    with accepting(1024, lambda conn, stop: None) as endpoint:
        yield endpoint


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
def test_a_blocked_write_ends_at_the_write_timeout_within_a_longer_deadline(
    unread_endpoint: str, kind: str
) -> None:
    # A 60 KB file id, through a client whose send buffer is small: the request cannot be
    # written while nobody reads. The deadline shortens the write timeout, never stretches it.
    small_send_buffer = [(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)]
    options: dict[str, Any] = {
        "api_key": "k",
        "timeout": httpx2.Timeout(10.0, write=0.5),
        "max_retries": 0,
    }
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError):
        if kind == "sync":
            transport = httpx2.HTTPTransport(socket_options=small_send_buffer)
            with (
                httpx2.Client(transport=transport) as http,
                FilesClient(unread_endpoint, http_client=http, **options) as client,
            ):
                client.get_file("f" * 60_000, deadline=8.0)
        else:

            async def run() -> None:
                transport = httpx2.AsyncHTTPTransport(socket_options=small_send_buffer)
                async with (
                    httpx2.AsyncClient(transport=transport) as http,
                    AsyncFilesClient(unread_endpoint, http_client=http, **options) as client,
                ):
                    await client.get_file("f" * 60_000, deadline=8.0)

            asyncio.run(run())
    assert time.monotonic() - started < 3.0


UPLOADED = {**FILE, "id": "file-up", "purpose": "batch", "bytes": 16_000_000, "object": "file"}


@pytest.fixture
def slow_reader_endpoint() -> Iterator[str]:
    """A loopback server that reads a request body slowly for its first 2 s (at most 4 MB,
    which with what two socket buffers hold is well short of a 16 MB body) and quickly
    after, then answers with a file: what a large upload on a slow link looks like."""

    def serve(conn: socket.socket, stop: threading.Event) -> None:
        with conn.makefile("rb") as reader:
            length = 0
            while (line := reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            received, slow_until = 0, time.monotonic() + 2.0
            while received < length and not stop.is_set():
                slow = time.monotonic() < slow_until
                received += len(reader.read1(16_384 if slow else 1 << 20))
                if slow:
                    time.sleep(0.01)
            payload = json.dumps(UPLOADED).encode()
            conn.sendall(
                b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(payload), payload)
            )

    def serve_apart(conn: socket.socket, stop: threading.Event) -> None:
        threading.Thread(target=serve, args=(conn, stop), daemon=True).start()

    with accepting(65536, serve_apart) as endpoint:
        yield endpoint


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
def test_an_upload_may_take_longer_to_send_than_one_read_timeout(
    slow_reader_endpoint: str, kind: str
) -> None:
    # The head's time starts once the whole request is out: sending the body has the write
    # timeout for each write instead, so a large upload on a slow link is not cut off.
    clients = Clients(
        kind,
        slow_reader_endpoint,
        api_version="2024-10-21",
        timeout=httpx2.Timeout(10.0, read=0.8),
        max_retries=0,
    )
    with Timer() as timer:
        stored = clients.call("upload_file", b"x" * 16_000_000, purpose="batch", filename="a")
    assert stored.id == "file-up"
    assert timer.elapsed > 2.0  # the body did take longer to send than two read timeouts


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("write", "deadline"),
    [(0.5, 20.0), (10.0, 1.5)],
    ids=["the write timeout within a longer deadline", "the deadline before the write timeout"],
)
def test_an_upload_body_nobody_reads_ends_as_a_write_timeout(
    unread_endpoint: str, kind: str, write: float, deadline: float
) -> None:
    # Writes stall once the socket buffers are full. The head's time has not started, so the
    # write timeout (aiohttp has none: the package bounds each chunk) or the deadline,
    # whichever comes first, ends it, named for what was under way.
    clients = Clients(
        kind,
        unread_endpoint,
        api_version="2024-10-21",
        timeout=httpx2.Timeout(10.0, write=write),
        max_retries=0,
    )
    with Timer() as timer, pytest.raises(RequestTimeoutError) as raised:
        clients.call(
            "upload_file", b"x" * 16_000_000, purpose="batch", filename="a", deadline=deadline
        )
    assert timer.elapsed < 4.0
    assert "WriteTimeout" in str(raised.value)


# --- the deadline ends slow streams and heads -----------------------------------------------------


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", KINDS)
def test_a_slow_stream_ends_at_its_deadline(server: LoopbackServer, kind: str) -> None:
    stop = threading.Event()
    slow = ScriptedResponse(
        200, b"x" * 40, "length", (), Delivery(chunk=1, gap=0.1, head_first=True)
    )
    server.script(render(slow, stop))
    started = time.monotonic()
    try:
        with pytest.raises(RequestTimeoutError):
            Clients(kind, server.endpoint, timeout=1.0).stream("file-1", deadline=0.5)
    finally:
        stop.set()
    assert time.monotonic() - started < 2.0  # the body alone takes 4 s


@pytest.mark.timeout(20)
def test_a_dripped_head_ends_at_the_deadline_before_the_read_timeout(
    server: LoopbackServer,
) -> None:
    server.script(drip_head(0.1, padding=80))
    clients = Clients("sync", server.endpoint, timeout=5.0, max_retries=0)
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError):
        clients.call("get_file", "f", deadline=0.6)
    assert time.monotonic() - started < 2.5


@pytest.mark.timeout(20)
def test_the_clients_deadline_bounds_a_call_that_names_none(server: LoopbackServer) -> None:
    server.script(drip_head(0.1, padding=80))
    clients = Clients("sync", server.endpoint, timeout=5.0, max_retries=0, deadline=0.6)
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError):
        clients.call("get_file", "f")
    assert time.monotonic() - started < 2.5


# --- a head whose send the transport never reports ------------------------------------------------


def _async_content_call_on(
    handler: Any, timeout: httpx2.Timeout, deadline: float | None = None
) -> bytes:
    """get_file_content through a caller's AsyncClient on a transport that never reports
    when its request goes out (no httpcore2 trace): only the outer head bound applies."""

    async def run() -> bytes:
        async with (
            httpx2.AsyncClient(transport=httpx2.MockTransport(handler)) as http,
            AsyncFilesClient(
                "http://127.0.0.1:9", api_key="k", http_client=http, timeout=timeout, max_retries=0
            ) as client,
        ):
            content: bytes = await client.get_file_content("f", deadline=deadline)
            return content

    return asyncio.run(run())


def _answering_after(seconds: float) -> Any:
    async def handler(request: httpx2.Request) -> httpx2.Response:
        await asyncio.sleep(seconds)
        return httpx2.Response(200, content=b"abc")

    return handler


@pytest.mark.timeout(30)
def test_a_head_may_take_the_pool_connect_and_read_timeouts_together_when_the_send_is_unseen() -> (
    None
):
    # Waiting for a connection and connecting count here: the transport never says when the
    # request went out, so the head's bound is all three timeouts from the start of the attempt.
    within = httpx2.Timeout(1.0, pool=1.0, connect=1.0, read=1.0)
    assert _async_content_call_on(_answering_after(2.5), within) == b"abc"
    with pytest.raises(RequestTimeoutError):
        _async_content_call_on(_answering_after(1.5), httpx2.Timeout(1.0, pool=0.0, connect=0.0))


@pytest.mark.timeout(30)
def test_a_head_whose_send_is_unseen_is_still_bounded_by_the_deadline() -> None:
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError):
        _async_content_call_on(_answering_after(10.0), httpx2.Timeout(5.0), deadline=1.0)
    assert time.monotonic() - started < 4.0


def test_every_pool_of_the_package_client_gets_the_head_bound_on_this_httpx2(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # The private attributes the bound needs are where this httpx2 keeps them (run again on
    # the newest httpx2 the dependency range admits: see `make test-newest-deps`).
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    with caplog.at_level("WARNING", logger="azure_openai_files"):
        http = httpx2.Client()
        bound_response_heads(http)
    pools = [http._transport, *(t for t in http._mounts.values() if t is not None)]
    assert len(pools) == 2 and caplog.records == []
    assert all(
        type(transport._pool._network_backend).__name__ == "_HeadBoundedBackend"  # type: ignore[attr-defined]
        for transport in pools
    )
    http.close()


def test_a_transport_without_the_expected_pool_is_reported_not_skipped_silently(
    caplog: pytest.LogCaptureFixture,
) -> None:
    http = httpx2.Client(transport=httpx2.MockTransport(lambda request: httpx2.Response(200)))
    with caplog.at_level("WARNING", logger="azure_openai_files"):
        bound_response_heads(http)
    [record] = caplog.records
    assert "MockTransport has no connection pool" in record.getMessage()
    assert "bounded per read only" in record.getMessage()
    http.close()
