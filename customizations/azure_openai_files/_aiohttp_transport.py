"""The aiohttp transport: `AsyncFilesClient(http_client=aiohttp.ClientSession(...))` sends
through the caller's session directly (the `aiohttp` extra), with the same behaviour as on
httpx2: per-attempt timeouts, the head's time limit, no redirect followed, the package's
headers, bodies streamed both ways and decoded here, and aiohttp's failures raised as the
httpx2 exception classes the pipeline maps (`_transport`). The session stays the caller's:
the package never closes it."""

from __future__ import annotations

import asyncio
import time
import zlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import httpx2
from aiohttp.http_exceptions import HttpProcessingError
from yarl import URL

from ._async_transport import PACKAGE_HEADERS, AsyncResponse
from ._logging import logger
from ._response_head_timeout import HeadClock
from ._transport import Request
from ._watchdog import bound_after, rescheduler


class AiohttpTransport:
    def __init__(self, session: aiohttp.ClientSession) -> None:
        if session.closed:
            raise ValueError("http_client is closed")
        # A session's own credential or package headers would travel with every request
        # next to the package's: refused, as an httpx2 client's are dropped.
        if session.auth is not None:
            raise ValueError(
                "http_client must not have auth set: the client's credential is the only one"
            )
        clashing = sorted(name for name in session.headers if name.lower() in PACKAGE_HEADERS)
        if clashing:
            raise ValueError(
                f"http_client's default headers must not set {', '.join(clashing)}: "
                "the client sets them on every request"
            )
        # aiohttp would refuse such a value only when a request is made, as a ValueError.
        unsendable = sorted(
            name
            for name, value in session.headers.items()
            if any((char < " " and char != "\t") or char == "\x7f" for char in name + value)
        )
        if unsendable:
            raise ValueError(
                f"http_client's default headers {', '.join(unsendable)} hold a control "
                "character, which no request can carry"
            )
        _no_hidden_resend(session)
        self._session = session
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}

    @property
    def is_closed(self) -> bool:
        return self._session.closed

    def _timeout(self, timeout: dict[str, float | None]) -> aiohttp.ClientTimeout:
        """aiohttp's timeouts for the attempt: waiting for a connection and connecting within
        pool + connect, nothing on the whole (the deadline is that). Reads are bounded here,
        not by aiohttp's `sock_read`, whose timer would be re-armed on every packet: the head
        by `send`'s bound, each wait for a body chunk by `AiohttpResponse._chunk`."""
        key = (timeout["pool"], timeout["connect"])
        found = self._timeouts.get(key)
        if found is None:
            pool, connect = key
            found = aiohttp.ClientTimeout(
                total=None,
                connect=None if pool is None or connect is None else pool + connect,
                sock_connect=connect,
            )
            if len(self._timeouts) < 64:  # a deadline makes every attempt's differ
                self._timeouts[key] = found
        return found

    async def send(self, request: Request, clock: HeadClock, outer: float) -> AsyncResponse:
        headers = request.headers
        if "Transfer-Encoding" in headers:  # a body of unknown size: aiohttp chunks it itself
            headers = {
                name: value for name, value in headers.items() if name != "Transfer-Encoding"
            }
        body_failed: list[Exception] = []
        failure: Exception
        try:
            with bound_after(outer) as bound:
                data = None
                if request.body is not None:
                    clock.on_bound(rescheduler(bound))
                    write = request.timeout["write"]
                    data = _sending(request.body, clock, write, body_failed)
                try:
                    response = await self._session.request(
                        request.method,
                        URL(request.url, encoded=True),
                        headers=headers,
                        data=data,
                        allow_redirects=False,
                        auto_decompress=False,
                        raise_for_status=False,  # an error status is the pipeline's to read
                        timeout=self._timeout(request.timeout),
                    )
                finally:
                    clock.on_bound(None)  # the bound is gone once this block is left
        except aiohttp.ClientConnectorError as exc:  # never connected: nothing went out
            failure = httpx2.ConnectError(_describe(exc))
        except aiohttp.ConnectionTimeoutError:
            failure = httpx2.ConnectTimeout("connecting timed out")
        except TimeoutError:  # a write of the body, or the head's limit, passed
            if clock.sent and not clock.written:  # only the body marks it sent this early
                failure = httpx2.WriteTimeout(clock.overdue())
            else:
                failure = httpx2.ReadTimeout(clock.overdue())
                clock.mark_sent()  # it may have gone out
        except (aiohttp.ClientError, HttpProcessingError) as exc:
            clock.mark_sent()
            # The body's own error (a file that shrank, a stream over the limit) as it is,
            # as on httpx2: aiohttp hands it on as a connection error.
            failure = body_failed[0] if body_failed else _failure(exc)
        else:
            # The head is here: a request without a body never said when it was out, so a
            # response's own time limits count from now, not from the wait for a connection.
            clock.mark_written()
            return AiohttpResponse(response, request)
        # Raised outside the handler, so aiohttp's exception (whose request info holds the
        # request's headers, the credential among them) is neither its cause nor context.
        raise failure

    async def aclose(self) -> None:
        """The session is the caller's: left open."""


def _no_hidden_resend(session: aiohttp.ClientSession) -> None:
    """Turn off the session's own resend of a GET or DELETE whose connection dropped: the
    client retries within its budget, and must know that a DELETE whose answer was lost may
    have been carried out. aiohttp offers no public switch; its test client flips the same
    attribute. Should a release move it, the session keeps resending and a warning says so."""
    if hasattr(session, "_retry_connection"):
        session._retry_connection = False
    else:
        logger.warning(
            "aiohttp %s: the session has no _retry_connection; it may resend a GET or DELETE "
            "once on a dropped connection, on top of the client's retries",
            aiohttp.__version__,
        )


async def _sending(
    body: AsyncIterator[bytes] | Any,
    clock: HeadClock,
    write: float | None,
    failed: list[Exception],
) -> AsyncIterator[bytes]:
    """The request body, as aiohttp pulls it: it does once the head has gone out, and asks
    for each chunk once it has written the one before. aiohttp has no write timeout, so each
    chunk is given `write` seconds here (never past the deadline), as httpcore2 gives each
    write; the head's time starts once the last chunk is written. An error of the body
    itself is kept in `failed` for `send` to raise."""
    clock.mark_sent()
    try:
        async for chunk in body:
            if write is not None:
                ends = time.monotonic() + write
                clock.bound_by(ends if clock.ends_by is None else min(ends, clock.ends_by))
            yield chunk
    except Exception as exc:
        failed.append(exc)
        raise
    clock.mark_written()


def _describe(exc: aiohttp.ClientError | HttpProcessingError) -> str:
    """An aiohttp failure in words that carry no secret, from fields known to hold none:
    aiohttp's own texts show the request's headers (a response error's request info) or the
    connection's key (a proxy URL with its password, proxy auth)."""
    name = type(exc).__name__
    if isinstance(exc, aiohttp.ClientResponseError):
        return f"{name}: {exc.status}, {exc.message}"
    if isinstance(exc, HttpProcessingError):
        return f"{name}: {exc.code}, {exc.message}"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"{name}: cannot connect to {exc.host}:{exc.port}: {exc.strerror or 'failed'}"
    if isinstance(exc, OSError) and exc.strerror:  # ClientOSError: the system's own words
        return f"{name}: {exc.strerror}"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return f"{name}: the response body is malformed or incomplete"
    return name


def _failure(exc: aiohttp.ClientError | HttpProcessingError) -> httpx2.TransportError:
    message = _describe(exc)
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return httpx2.ReadTimeout(message)
    if isinstance(exc, aiohttp.ClientPayloadError | aiohttp.ClientResponseError):
        return httpx2.RemoteProtocolError(message)  # a malformed or cut-off response
    if isinstance(exc, HttpProcessingError):
        return httpx2.RemoteProtocolError(message)
    if isinstance(exc, aiohttp.InvalidURL):
        return httpx2.UnsupportedProtocol(message)
    return httpx2.ReadError(message)  # the connection failed under the exchange


class AiohttpResponse(AsyncResponse):
    __slots__ = ("_closed", "_consumed", "_reset", "_response", "_wire")

    def __init__(self, response: aiohttp.ClientResponse, request: Request) -> None:
        super().__init__(response.status, response.headers, request)
        self._response = response
        self._wire = 0
        self._consumed = False
        self._closed = False
        self._reset = _close_watch(response)

    @property
    def num_bytes_downloaded(self) -> int:
        return self._wire

    def _check_end(self) -> None:
        """At the end of the body: a body that only the connection's close delimits ended
        by a reset, not a close, is cut (aiohttp ends it as if whole)."""
        reset = self._reset
        if reset is not None and reset.done() and not reset.cancelled() and reset.exception():
            raise httpx2.ReadError("the connection was reset before the body's end")

    async def _chunk(self, chunk_size: int | None = None) -> bytes:
        """The body's next chunk (b"" at its end), within one read timeout: aiohttp's own
        read timer stops when its parser fails, and the read would then wait for ever."""
        content = self._response.content
        failure: httpx2.TransportError
        try:
            # What has arrived already is taken without a timer (a metadata answer, mostly).
            chunk = content.read_nowait(chunk_size or -1)
            if not chunk and not content.at_eof():
                with bound_after(self.request.timeout["read"]):
                    chunk = await (content.read(chunk_size) if chunk_size else content.readany())
        except (aiohttp.ClientError, HttpProcessingError) as exc:
            failure = _failure(exc)
        except TimeoutError:
            failure = httpx2.ReadTimeout("reading the response timed out")
        else:
            if chunk:
                self._wire += len(chunk)
            else:
                self._check_end()
            return chunk
        raise failure  # outside the handler: aiohttp's exception is not chained (see send)

    def _start_reading(self) -> None:
        if self._consumed:
            raise httpx2.StreamConsumed()
        if self._closed:
            raise httpx2.StreamClosed()
        self._consumed = True

    async def aiter_raw(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        self._start_reading()
        while chunk := await self._chunk(chunk_size):
            yield chunk

    async def aread(self, check: Callable[[int], None] | None = None) -> bytes:
        if "content-encoding" in self.headers:
            return await super().aread(check)
        # Unencoded (a metadata answer, mostly): no generator in between.
        self._start_reading()
        chunks = []
        content = self._response.content
        while chunk := await self._chunk():
            chunks.append(chunk)
            if check is not None:
                check(self._wire)
            if content.at_eof():  # all of it arrived: no read left to wait for
                self._check_end()
                break
        self.content = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        return self.content

    async def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        decoders = _decoders(self.headers.get("content-encoding"))
        if not decoders:
            async for chunk in self.aiter_raw(chunk_size):
                yield chunk
            return
        try:
            async for chunk in self.aiter_raw(chunk_size):
                for decoder in decoders:
                    chunk = decoder.decompress(chunk)
                if chunk:
                    yield chunk
            tail = b""
            for decoder in decoders:
                tail = decoder.decompress(tail) + decoder.flush()
            if tail:
                yield tail
        except zlib.error as exc:
            raise httpx2.DecodingError(str(exc)) from exc

    async def aclose(self) -> None:
        self._closed = True
        response = self._response
        if response.content.at_eof():
            response.release()  # read whole: the connection goes back to the pool
        else:
            response.close()  # a body left unread: its connection cannot be reused


def _close_watch(response: aiohttp.ClientResponse) -> asyncio.Future[None] | None:
    """For a body that only the connection's close delimits (no Content-Length, not
    chunked), the future its connection settles on closing: with an exception when a reset
    closed it. Asked for now, before the close, which only then records how it happened."""
    headers = response.headers
    if "Content-Length" in headers or "chunked" in headers.get("Transfer-Encoding", "").lower():
        return None
    connection = response.connection
    if connection is None or connection.protocol is None:
        return None
    return connection.protocol.closed


def _decoders(value: str | None) -> list[Any]:
    """zlib decoders for a Content-Encoding, in the order to apply them (the pipeline has
    refused any coding but identity, gzip and deflate before a body is read)."""
    if value is None:
        return []
    codings = [coding.strip().lower() for coding in value.split(",")]
    return [
        _DeflateDecoder() if coding == "deflate" else zlib.decompressobj(zlib.MAX_WBITS | 16)
        for coding in reversed(codings)
        if coding in ("gzip", "deflate")
    ]


class _DeflateDecoder:
    """`deflate` as servers send it: zlib-wrapped as the RFC says, or raw (as some do)."""

    def __init__(self) -> None:
        self._decoder = zlib.decompressobj()
        self._first = True

    def decompress(self, data: bytes) -> bytes:
        if self._first and data:
            self._first = False
            try:
                return self._decoder.decompress(data)
            except zlib.error:
                self._decoder = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._decoder.decompress(data)

    def flush(self) -> bytes:
        return self._decoder.flush()
