"""The transport interface the async pipeline sends through, and its httpx2 transport. This
file is the source of `_sync_transport.py` (`.ci/unasync.py` writes it); the aiohttp
transport (`_aiohttp_transport`) is async only."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Protocol

import httpx2

from ._response_head_timeout import HeadClock
from ._transport import Request

# How a request goes out on an httpx2 client and its head is awaited within a time limit:
# `_async_io.send_head` (blocking: `_sync_io.send_head`), given to the transport by its maker.
SendHead = Callable[
    [httpx2.AsyncClient, httpx2.Request, HeadClock, float], Awaitable[httpx2.Response]
]

# Headers this package sets on every request: a caller's `http_client` default value for any
# of them is dropped, so routing (Host) and auth stay the package's. Its other default
# headers (tracing ones, for instance) are sent.
PACKAGE_HEADERS = frozenset(
    ("api-key", "authorization", "host", "user-agent", "x-ms-client-request-id")
)


class AsyncResponse:
    """A response with its head read and its body on demand, whatever transport got it.
    `content` is the body once `aread` has read it. Reading fails with httpx2's exceptions
    (`_transport` says why); a body is read once."""

    __slots__ = ("content", "headers", "request", "status_code")

    def __init__(self, status_code: int, headers: Mapping[str, str], request: Request) -> None:
        self.status_code = status_code
        self.headers = headers
        self.request = request
        self.content = b""

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def num_bytes_downloaded(self) -> int:
        """Body bytes received so far, as they came over the wire (before any decoding)."""
        raise NotImplementedError

    def aiter_raw(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """The body as it came over the wire."""
        raise NotImplementedError

    def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """The body, decoded from its Content-Encoding."""
        raise NotImplementedError

    async def aclose(self) -> None:
        raise NotImplementedError

    async def aread(self, check: Callable[[int], None] | None = None) -> bytes:
        """The whole (decoded) body, also kept as `content`; `check(bytes_so_far)` runs after
        each chunk and may raise to stop reading."""
        chunks = []
        received = 0
        async for chunk in self.aiter_bytes():
            chunks.append(chunk)
            if check is not None:
                received += len(chunk)
                check(received)
        self.content = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        return self.content


class AsyncTransport(Protocol):
    """What carries a request: the one interface between the pipeline and an HTTP library."""

    @property
    def is_closed(self) -> bool: ...

    async def send(self, request: Request, clock: HeadClock, outer: float) -> AsyncResponse:
        """Send `request` and return once its response head has arrived, all of it within
        `outer` seconds, and within the clock's limit of the request going out (the clock is
        told when it does)."""
        ...

    async def aclose(self) -> None: ...


class AsyncHttpx2Response(AsyncResponse):
    __slots__ = ("_response",)

    def __init__(self, response: httpx2.Response, request: Request) -> None:
        super().__init__(response.status_code, response.headers, request)
        self._response = response

    @property
    def num_bytes_downloaded(self) -> int:
        return self._response.num_bytes_downloaded

    def aiter_raw(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        return self._response.aiter_raw(chunk_size)

    def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        return self._response.aiter_bytes(chunk_size)

    async def aclose(self) -> None:
        await self._response.aclose()


def httpx2_url(url: str) -> httpx2.URL:
    """`url` as httpx2's URL. It is absolute and percent-encoded ASCII as `join_url` builds
    it, so only its origin is parsed (once); parsing and checking all of it again is most of
    what building an httpx2 request costs. Should httpx2 change its URL's insides, it is
    parsed whole instead."""
    start = url.find("/", url.find("//") + 2)
    origin = _ORIGINS.get(url[:start])
    if origin is None:
        origin = httpx2.URL(url[:start])
        if len(_ORIGINS) < 64:
            _ORIGINS[url[:start]] = origin
    path, separator, query = url[start:].partition("?")
    try:
        parts = origin._uri_reference._replace(path=path, query=query if separator else None)
        parsed = httpx2.URL.__new__(httpx2.URL)
        parsed._uri_reference = parts
    except AttributeError:
        return httpx2.URL(url)
    return parsed


_ORIGINS: dict[str, httpx2.URL] = {}


def adopt(response: httpx2.Response) -> AsyncHttpx2Response:
    """An httpx2 response, as the package reads one (content streams took those before)."""
    try:
        sent = response.request
    except RuntimeError:  # built by hand, without a request
        return AsyncHttpx2Response(response, Request("GET", "", {}, None, {}))
    request = Request(sent.method, str(sent.url), dict(sent.headers.items()), None, {})
    return AsyncHttpx2Response(response, request)


class AsyncHttpx2Transport:
    """Sends through an `httpx2.AsyncClient`: one the package built, or the caller's (whose
    base_url, params, cookies, auth, timeout and redirect setting never apply)."""

    def __init__(self, http: httpx2.AsyncClient, send_head: SendHead, *, owned: bool) -> None:
        self.http = http
        self._send_head = send_head
        self._owned = owned
        # A client the package built keeps its default headers: merged once, not per request.
        self._defaults = self._default_headers() if owned else None

    @property
    def is_closed(self) -> bool:
        return self.http.is_closed

    def _default_headers(self) -> list[tuple[str, str]]:
        return [
            (name, value)
            for name, value in self.http.headers.multi_items()
            if name not in PACKAGE_HEADERS
        ]

    async def send(self, request: Request, clock: HeadClock, outer: float) -> AsyncResponse:
        defaults = self._defaults if self._defaults is not None else self._default_headers()
        sent = {name.lower() for name in request.headers}
        headers = [item for item in defaults if item[0] not in sent]
        headers.extend(request.headers.items())
        outgoing = httpx2.Request(
            request.method,
            httpx2_url(request.url),
            headers=headers,
            extensions={"timeout": request.timeout},
        )
        if request.body is not None:
            # Set after construction, which adds the Host header only to a request built
            # without a stream; the body's own headers already frame it.
            outgoing.stream = request.body
        response = await self._send_head(self.http, outgoing, clock, outer)
        return AsyncHttpx2Response(response, request)

    async def aclose(self) -> None:
        if self._owned:
            await self.http.aclose()
