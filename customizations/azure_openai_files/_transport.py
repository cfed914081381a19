"""What the pipeline hands a transport and reads back, whatever library carries the bytes.

A transport (`_async_transport` and its twin for httpx2, `_aiohttp_transport` for aiohttp)
takes a `Request` and returns a response with the head read and the body on demand. The rest
of the package sees only these two types, so which library sent a request is known in one
place. Transport failures are raised as httpx2's exception classes (`httpx2.ConnectError`,
`httpx2.ReadTimeout`, ...): the one vocabulary the pipeline maps to this package's errors;
the aiohttp transport translates its library's exceptions into it and uses nothing else of
httpx2 but `httpx2.Headers` for the response head.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlencode, urlsplit

if TYPE_CHECKING:
    from ._operation import RequestBody

# httpx2's own limit: a URL longer than this is refused by every transport alike.
MAX_URL_LENGTH = 65536


class Request:
    """One request of a call: its URL absolute and percent-encoded, its headers the ones
    the package sends (the auth header set per attempt), its per-attempt timeouts."""

    __slots__ = ("api_version", "body", "headers", "method", "timeout", "url")

    def __init__(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        body: RequestBody | None,
        timeout: dict[str, float | None],
        api_version: str | None = None,
    ) -> None:
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.api_version = api_version  # what its response is read by (None: from the URL)

    @property
    def path(self) -> str:
        """The URL's path, without its query (what logs show: a query may carry a secret)."""
        return urlsplit(self.url).path

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.path}>"


def join_url(base: str, relative: str, params: Mapping[str, str] | None = None) -> str:
    """`{endpoint}/openai` (no query, no trailing slash) joined with an operation's path
    (already percent-encoded) and query. ValueError for a URL no transport would send."""
    url = f"{base}/{relative.lstrip('/')}"
    if params:
        url = f"{url}?{_query(params)}"
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(
            f"the arguments do not make a valid request URL: over {MAX_URL_LENGTH} characters"
        )
    return url


# Most calls send the same query (just the api-version): encoded once, not per call.
_QUERIES: dict[tuple[tuple[str, str], ...], str] = {}


def _query(params: Mapping[str, str]) -> str:
    key = tuple(params.items())
    query = _QUERIES.get(key)
    if query is None:
        query = urlencode(params)
        if len(key) == 1 and len(_QUERIES) < 64:  # a listing's cursor would only fill it
            _QUERIES[key] = query
    return query


class RequestHead(Protocol):
    @property
    def url(self) -> object: ...  # str() of it is the URL

    @property
    def headers(self) -> Mapping[str, str]: ...


class ResponseHead(Protocol):
    """What reading a response's meaning takes: its status, headers, the request that got it
    and its body once read. Every transport's response has these (httpx2's own Response
    too, which is what tests build one with)."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...  # every transport's: looked up in any case

    @property
    def request(self) -> RequestHead: ...

    @property
    def content(self) -> bytes: ...


class BodyResponse(ResponseHead, Protocol):
    @property
    def num_bytes_downloaded(self) -> int: ...  # body bytes so far, before any decoding
