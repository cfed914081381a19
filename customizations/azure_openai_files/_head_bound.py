"""A time limit on the response head as a whole, for the blocking clients this package builds.

httpcore2 gives every socket read the full read timeout afresh, so a server that sends its
status line and headers a byte at a time holds a blocking call for as long as it likes. The
async pipeline bounds the head from outside (`asyncio.timeout`); a blocking read cannot be
interrupted from outside, so here the limit is enforced from inside: a network backend that
shortens each read to what is left of the head's time limit. The pipeline sets that limit
for the calling thread while it waits for a head (`head_time_limit`); body reads are not
affected. This module is imported when the first blocking client is built, with httpcore2.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpcore2
import httpx2

# When the head being waited for in this thread (or task) must have arrived; None: no limit.
_head_ends_at: ContextVar[float | None] = ContextVar("head_ends_at", default=None)


@contextmanager
def head_time_limit(seconds: float) -> Iterator[None]:
    """Within this block, reads on the package's own blocking connections end `seconds` from
    now at the latest, with `httpcore2.ReadTimeout` (which httpx2 raises as `ReadTimeout`)."""
    token = _head_ends_at.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _head_ends_at.reset(token)


def _bounded(timeout: float | None) -> float | None:
    ends_at = _head_ends_at.get()
    if ends_at is None:
        return timeout
    left = ends_at - time.monotonic()
    if left <= 0:
        raise httpcore2.ReadTimeout("the response head took too long")
    return left if timeout is None else min(timeout, left)


class _HeadBoundedStream(httpcore2.NetworkStream):
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
    ) -> httpcore2.NetworkStream:
        # Through an https proxy, the tunnel's reads are bounded too.
        return _HeadBoundedStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _HeadBoundedBackend(httpcore2.NetworkBackend):
    def __init__(self, backend: httpcore2.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.NetworkStream:
        stream = self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _HeadBoundedStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.NetworkStream:
        return _HeadBoundedStream(self._backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def bound_response_heads(client: httpx2.Client) -> None:
    """Put the head-bounding backend under every connection pool of `client`: its transport
    and the proxy transports httpx2 mounts from the environment. Only for clients this
    package built: a caller's client is never modified. httpx2 offers no public way to pass
    a network backend, hence its private attributes here (the pinned httpx2 version is
    covered by `tests/test_deadlines.py`, direct and through a proxy)."""
    transports = [client._transport, *client._mounts.values()]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        if pool is None:
            continue
        pool._network_backend = _HeadBoundedBackend(pool._network_backend)
