"""How long a response may take, on the code that bounds it: the head clock starts when the
request goes out and stops at the deadline, the network backend under the package's
blocking clients shortens every read while a head is awaited, and a metadata body must
arrive within one read timeout."""

from __future__ import annotations

import asyncio
import ssl
import time
from typing import Any

import httpx2
import pytest

from azure_openai_files import FilesClient
from azure_openai_files._operation import Expect
from azure_openai_files._response_head_timeout import (
    HeadClock,
    _HeadBoundedBackend,
)
from azure_openai_files._retry import RetryPolicy, RetryState

# --- the head bound: its clock and its network backend --------------------------------------------


class _RecordingStream:
    """A network stream that records the timeouts it is given."""

    def __init__(self) -> None:
        self.read_timeouts: list[float | None] = []
        self.writes: list[tuple[bytes, float | None]] = []
        self.closed = False
        self.tls: tuple[Any, ...] | None = None

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.read_timeouts.append(timeout)
        return b"x" * max_bytes

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.writes.append((buffer, timeout))

    def close(self) -> None:
        self.closed = True

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> _RecordingStream:
        self.tls = (ssl_context, server_hostname, timeout)
        return _RecordingStream()

    def get_extra_info(self, info: str) -> Any:
        return f"extra {info}"


class _RecordingBackend:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.streams: list[_RecordingStream] = []

    def _stream(self, *call: Any) -> _RecordingStream:
        self.calls.append(call)
        self.streams.append(_RecordingStream())
        return self.streams[-1]

    def connect_tcp(self, *args: Any) -> _RecordingStream:
        return self._stream("tcp", *args)

    def connect_unix_socket(self, *args: Any) -> _RecordingStream:
        return self._stream("unix", *args)

    def sleep(self, seconds: float) -> None:
        self.calls.append(("sleep", seconds))


def _sent_clock(limit: float) -> HeadClock:
    clock = HeadClock(limit, ends_by=None)
    extensions: dict[str, Any] = {}
    clock.attach(extensions, asynchronous=False)
    extensions["trace"]("http11.send_request_headers.started", {})
    return clock


@pytest.mark.timeout(10)
def test_every_stream_of_the_head_bound_backend_shortens_reads_while_a_head_is_awaited() -> None:
    # TCP, unix-socket and TLS-wrapped streams alike (an https proxy's tunnel is TLS in TLS).
    inner = _RecordingBackend()
    backend = _HeadBoundedBackend(inner)  # type: ignore[arg-type]
    tcp = backend.connect_tcp("files.example", 443, 5.0, "10.0.0.1", [(1, 2, 3)])
    unix = backend.connect_unix_socket("/run/proxy.sock", 6.0, [(4, 5, 6)])
    context = ssl.create_default_context()
    tls = tcp.start_tls(context, "files.example", 7.0)
    backend.sleep(0.25)
    assert inner.calls == [
        ("tcp", "files.example", 443, 5.0, "10.0.0.1", [(1, 2, 3)]),
        ("unix", "/run/proxy.sock", 6.0, [(4, 5, 6)]),
        ("sleep", 0.25),
    ]
    assert inner.streams[0].tls == (context, "files.example", 7.0)

    # No head awaited: reads keep their own timeout.
    assert tcp.read(3, 60.0) == b"xxx"
    with _sent_clock(0.5).awaiting_head():
        for stream in (tcp, unix, tls):
            stream.read(1, 60.0)
            stream.read(1, None)  # no timeout of its own: the head's time still applies
    for recorded in (inner.streams[0], inner.streams[1], tls._stream):
        bounded = recorded.read_timeouts[-2:]  # type: ignore[union-attr]
        assert all(t is not None and 0 < t <= 0.5 for t in bounded), bounded
    assert inner.streams[0].read_timeouts[0] == 60.0

    # Writes, close and extra info pass through untouched, whatever is awaited.
    with _sent_clock(0.5).awaiting_head():
        tcp.write(b"GET", 30.0)
    tcp.close()
    assert inner.streams[0].writes == [(b"GET", 30.0)] and inner.streams[0].closed
    assert tcp.get_extra_info("server_addr") == "extra server_addr"


@pytest.mark.timeout(10)
def test_a_read_after_the_heads_time_is_up_is_a_read_timeout_before_touching_the_socket() -> None:
    import httpcore2

    inner = _RecordingBackend()
    stream = _HeadBoundedBackend(inner).connect_tcp("h", 1)  # type: ignore[arg-type]
    clock = _sent_clock(0.0)
    with clock.awaiting_head(), pytest.raises(httpcore2.ReadTimeout):
        stream.read(1, 60.0)
    assert inner.streams[0].read_timeouts == []
    # A clock that has not seen its request go out does not bound anything yet.
    with HeadClock(0.0, ends_by=None).awaiting_head():
        assert stream.read(1, 60.0) == b"x"
    assert inner.streams[0].read_timeouts == [60.0]


def test_a_head_bound_read_keeps_its_own_timeout_when_that_is_shorter() -> None:
    inner = _RecordingBackend()
    stream = _HeadBoundedBackend(inner).connect_tcp("h", 1)  # type: ignore[arg-type]
    with _sent_clock(60.0).awaiting_head():
        stream.read(1, 0.25)
    assert inner.streams[0].read_timeouts == [0.25]


def test_a_read_exactly_when_the_heads_time_is_up_is_already_too_late(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import httpcore2

    inner = _RecordingBackend()
    stream = _HeadBoundedBackend(inner).connect_tcp("h", 1)  # type: ignore[arg-type]
    monkeypatch.setattr(time, "monotonic", lambda: 10.0)
    clock = _sent_clock(1.0)  # sent at 10.0: the head is due by 11.0
    monkeypatch.setattr(time, "monotonic", lambda: 11.0)
    with clock.awaiting_head(), pytest.raises(httpcore2.ReadTimeout) as raised:
        stream.read(1, 60.0)
    assert str(raised.value) == "the response head took too long"
    assert inner.streams[0].read_timeouts == []


def test_a_bodiless_requests_head_clock_starts_as_it_goes_out_and_stops_at_the_deadline() -> None:
    extensions: dict[str, Any] = {}
    deadline = time.monotonic() + 0.2
    clock = HeadClock(60.0, ends_by=deadline)
    seen: list[float | None] = []
    clock.on_bound(seen.append)
    clock.attach(extensions, asynchronous=False)
    assert clock.ends_at() is None and clock.head_from == clock.began and not clock.sent
    extensions["trace"]("connection.connect_tcp.started", {})  # not the send yet
    assert clock.ends_at() is None and seen == []
    extensions["trace"]("http11.send_request_headers.started", {})
    assert seen == [deadline] and clock.ends_at() == deadline and clock.head_from >= clock.began
    assert clock.sent and clock.written
    assert "trace" not in extensions  # detached: the rest of the exchange is not traced
    unbounded = HeadClock(2.0, ends_by=None)
    unbounded.attach({}, asynchronous=False)
    unbounded.trace("http2.send_request_headers.started", {})
    assert unbounded.ends_at() == pytest.approx(unbounded.head_from + 2.0)


def test_a_head_clock_with_a_body_starts_once_the_whole_request_is_out() -> None:
    # Sending the body does not eat into the head's time: until the head is awaited, only
    # the deadline bounds the exchange from outside (each write has its own timeout).
    extensions: dict[str, Any] = {}
    deadline = time.monotonic() + 300.0
    clock = HeadClock(60.0, ends_by=deadline, body=True)
    seen: list[float | None] = []
    clock.on_bound(seen.append)
    clock.attach(extensions, asynchronous=False)
    extensions["trace"]("http11.send_request_headers.started", {})
    assert clock.sent and not clock.written and clock.ends_at() is None
    assert seen == [deadline] and clock.overdue() == "the request took too long to send"
    extensions["trace"]("http11.send_request_body.complete", {})
    assert clock.ends_at() is None and "trace" in extensions
    extensions["trace"]("http11.receive_response_headers.started", {})
    assert clock.written and "trace" not in extensions
    assert clock.ends_at() == pytest.approx(clock.head_from + 60.0)
    assert seen == [deadline, clock.ends_at()]
    assert clock.overdue() == "the response head took too long"
    without_deadline = HeadClock(1.0, ends_by=None, body=True)
    bounds: list[float | None] = []
    without_deadline.on_bound(bounds.append)
    without_deadline.trace("http2.send_request_headers.started", {})
    assert bounds == [None]  # nothing but the write timeouts while the body goes out
    without_deadline.on_bound(None)
    without_deadline.mark_written()
    assert bounds == [None] and without_deadline.written  # detached callbacks are not called


def test_a_head_clock_leaves_an_https_proxys_connect_out() -> None:
    # httpcore2 sends the CONNECT with the request's extensions, its trace among them: the
    # tunnel's own exchange neither starts the head's time nor detaches the report.
    import httpcore2

    extensions: dict[str, Any] = {}
    clock = HeadClock(1.0, ends_by=None, body=True)
    clock.attach(extensions, asynchronous=False)
    tunnel = {"request": httpcore2.Request(b"CONNECT", "http://proxy:8080/")}
    extensions["trace"]("http11.send_request_headers.started", tunnel)
    extensions["trace"]("http11.receive_response_headers.started", tunnel)
    assert not clock.sent and not clock.written and "trace" in extensions
    upload = {"request": httpcore2.Request(b"POST", "https://r.openai.azure.com/openai/files")}
    extensions["trace"]("http11.send_request_headers.started", upload)
    extensions["trace"]("http11.receive_response_headers.started", upload)
    assert clock.written and "trace" not in extensions


def test_a_head_clock_reports_the_send_to_async_transports_too() -> None:
    extensions: dict[str, Any] = {}
    clock = HeadClock(1.0, ends_by=None)
    clock.attach(extensions, asynchronous=True)
    asyncio.run(extensions["trace"]("http11.send_request_headers.started", {}))
    assert clock.ends_at() is not None and "trace" not in extensions


def test_a_head_clock_told_of_the_send_directly_starts_without_being_attached() -> None:
    clock = HeadClock(5.0, ends_by=None)
    clock.trace("http11.send_request_headers.started", {})
    assert clock.ends_at() == clock.head_from + 5.0


# --- the metadata body ----------------------------------------------------------------------------


def test_a_metadata_response_may_take_exactly_one_read_timeout_and_not_a_moment_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with FilesClient("https://r.openai.azure.com", api_key="k", timeout=2.0) as client:
        pipeline = client._pipeline
        response = httpx2.Response(200)
        check = pipeline._body_check(
            response, RetryState(RetryPolicy(), None), Expect.DOCUMENT, started=100.0
        )
    assert check is not None
    monkeypatch.setattr(time, "monotonic", lambda: 102.0)
    check(10)  # in time, to the tick
    monkeypatch.setattr(time, "monotonic", lambda: 102.001)
    with pytest.raises(httpx2.ReadTimeout) as raised:
        check(10)
    assert str(raised.value) == "metadata response took over 2 s"
