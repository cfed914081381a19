"""The time limit on a response head (status line and headers) as a whole.

Per-read timeouts restart with every byte, so a server that drips its head a byte at a time
would hold a call for as long as it likes. The limit counts from when the whole request has
gone out on a connection (`HeadClock`): waiting for a free connection, connecting and
sending the body have timeouts of their own, and neither a burst of calls queued for the
pool nor a large upload on a slow link must eat into the head's time.

The async pipeline enforces it from outside (a `_watchdog` bound, moved to the clock's end
when the request is out). A blocking read cannot be interrupted from outside, so on the
blocking clients the package builds, a network backend enforces it from inside: each read
made while a head is awaited is shortened to what is left of the head's time.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from ._logging import logger

if TYPE_CHECKING:
    import httpcore2
    import httpx2


# httpcore2's trace events (after "http11" or "http2"): the request starting to go out, and
# the whole of it out, the head awaited.
_HEADERS_SENT = ".send_request_headers.started"
_HEAD_AWAITED = ".receive_response_headers.started"


class HeadClock:
    """One attempt's head time limit: `limit` seconds from when the whole request has gone
    out, and never past `ends_by` (the call's deadline). While a request body is still going
    out, the head's time has not started: each write has the write timeout instead, so an
    upload that takes longer to send than one read timeout is not cut off for it. httpcore2
    reports, through the request's `trace` extension, when it starts sending the request
    and when it starts waiting for the head."""

    __slots__ = (
        "_extensions",
        "_on_bound",
        "_sent",
        "_start_event",
        "_written_at",
        "began",
        "ends_by",
        "limit",
    )

    def __init__(self, limit: float, ends_by: float | None, *, body: bool = False) -> None:
        self.limit = limit
        self.ends_by = ends_by
        self.began = time.monotonic()
        self._sent = False
        self._written_at: float | None = None
        self._on_bound: Callable[[float | None], None] | None = None
        self._extensions: dict[str, Any] = {}
        # Without a body the request is out once its headers are, which saves a report.
        self._start_event = _HEAD_AWAITED if body else _HEADERS_SENT

    @property
    def head_from(self) -> float:
        """When the head's time started (when the attempt began, if the transport did not
        say): a response's own time limits count from here too."""
        return self.began if self._written_at is None else self._written_at

    @property
    def sent(self) -> bool:
        """Whether the request started going out: the service may have received it."""
        return self._sent

    @property
    def written(self) -> bool:
        """Whether the whole request has gone out and the head is awaited."""
        return self._written_at is not None

    def ends_at(self) -> float | None:
        """The monotonic time the head must have arrived by; None until the request is out."""
        return None if self._written_at is None else self._ends_after(self._written_at)

    def _ends_after(self, written_at: float) -> float:
        ends = written_at + self.limit
        return ends if self.ends_by is None else min(ends, self.ends_by)

    def on_bound(self, callback: Callable[[float | None], None] | None) -> None:
        """Call `callback(ends_at)` with the monotonic time the exchange is bounded by from
        outside, each time it moves: only the deadline (None: nothing) while a body is going
        out, the head's end once the whole request is out. None: no longer."""
        self._on_bound = callback

    def attach(self, extensions: dict[str, Any], *, asynchronous: bool) -> None:
        """Have httpcore2 report the send through a request's `extensions`. Once the head is
        awaited, the report is detached: the rest of the exchange does not pay for tracing."""
        self._extensions = extensions
        extensions["trace"] = self.atrace if asynchronous else self.trace

    def bound_by(self, ends_at: float) -> None:
        """Bound the exchange from outside by `ends_at` for now: a chunk's write timeout."""
        if self._on_bound is not None:
            self._on_bound(ends_at)

    def mark_sent(self) -> None:
        """The request is starting to go out, its body to follow: until the whole request is
        out, only the deadline bounds it from outside (the first report counts)."""
        if not self._sent:
            self._sent = True
            if self._on_bound is not None and self._written_at is None:
                self._on_bound(self.ends_by)

    def mark_written(self) -> None:
        """The whole request has gone out: the head's time starts now (the first report
        counts)."""
        self._sent = True
        if self._written_at is None:
            self._written_at = time.monotonic()
            if self._on_bound is not None:
                self._on_bound(self._ends_after(self._written_at))

    def overdue(self) -> str:
        """What ran out when the bound from outside passed."""
        if self._written_at is not None or not self._sent:
            return "the response head took too long"
        return "the request took too long to send"

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event.endswith(self._start_event):
            if not _tunnel(info):
                self._extensions.pop("trace", None)
                self.mark_written()
        elif event.endswith(_HEADERS_SENT) and not _tunnel(info):
            self.mark_sent()

    async def atrace(self, event: str, info: dict[str, Any]) -> None:
        self.trace(event, info)

    @contextmanager
    def awaiting_head(self) -> Iterator[None]:
        """Within this block, the package's blocking connections bound their reads by it."""
        token = _awaited_head.set(self)
        try:
            yield
        finally:
            _awaited_head.reset(token)


def _tunnel(info: dict[str, Any]) -> bool:
    """Whether a trace event is of an https proxy's CONNECT, which httpcore2 sends with the
    request's extensions (its trace among them) before the request itself."""
    request = info.get("request")
    return request is not None and getattr(request, "method", None) == b"CONNECT"


# The head the current thread is waiting for, if any.
_awaited_head: ContextVar[HeadClock | None] = ContextVar("awaited_head", default=None)


def _bounded(timeout: float | None) -> float | None:
    clock = _awaited_head.get()
    ends_at = None if clock is None else clock.ends_at()
    if ends_at is None:
        return timeout
    left = ends_at - time.monotonic()
    if left <= 0:
        import httpcore2  # loaded already: this runs under its connection pool

        raise httpcore2.ReadTimeout("the response head took too long")
    return left if timeout is None else min(timeout, left)


class _HeadBoundedStream:
    """An httpcore2 `NetworkStream` whose reads stop at the awaited head's time limit."""

    def __init__(self, stream: httpcore2.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, timeout)

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> _HeadBoundedStream:
        # Through an https proxy, the tunnel's reads are bounded too.
        return _HeadBoundedStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _HeadBoundedBackend:
    """An httpcore2 `NetworkBackend` that hands out `_HeadBoundedStream`s."""

    def __init__(self, backend: httpcore2.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> _HeadBoundedStream:
        stream = self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _HeadBoundedStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> _HeadBoundedStream:
        return _HeadBoundedStream(self._backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def bound_response_heads(client: httpx2.Client) -> None:
    """Put the head-bounding backend under every connection pool of `client`: its transport
    and the proxy transports httpx2 mounts from the environment. Only for clients this
    package built: a caller's client is never modified. httpx2 offers no public way to pass
    a network backend, hence its private attributes here. `make test` runs the deadline
    tests on the pinned httpx2 and again on the newest release the dependency range admits;
    should a release move these attributes, the client still works with per-read timeouts
    and says so in a warning, instead of losing the bound unnoticed."""
    for transport in (client._transport, *client._mounts.values()):
        if transport is None:  # a NO_PROXY pattern: requests go out through client._transport
            continue
        pool: Any = getattr(transport, "_pool", None)
        if pool is None or not hasattr(pool, "_network_backend"):
            _warn_unbounded(transport)
            continue
        pool._network_backend = _HeadBoundedBackend(pool._network_backend)


def _warn_unbounded(transport: object) -> None:
    import httpx2  # loaded already: the client being set up is one

    logger.warning(
        "httpx2 %s: %s has no connection pool where this package expects it; response heads "
        "are bounded per read only (each read within the read timeout), not as a whole",
        httpx2.__version__,
        type(transport).__name__,
    )
