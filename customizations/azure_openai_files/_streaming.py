"""What reading a file's content means, for every reader: whole, streamed, downloaded.
`AsyncContentStream` (`_async_streaming`, the source of `ContentStream` in `_sync_streaming`)
hands the content on as it arrives, in constant memory.

The body is checked against Content-Length (httpx2/h11 raise on a short body); a body cut
off, or one that outlives the call's deadline, raises `IncompleteDownloadError` /
`RequestTimeoutError` instead of handing truncated data on as if it were whole. A body that
arrives content-encoded although `identity` was asked for (a proxy compressed it) is decoded;
its Content-Length counts the bytes on the wire, so those are what is checked.
"""

from __future__ import annotations

import re

import httpx2

from ._errors import IncompleteDownloadError, UnexpectedResponseError, sent_client_request_id
from ._retry import RetryState
from ._transport import BodyResponse, ResponseHead

# Content requests ask for the bytes as stored, so lengths and Range offsets are exact.
CONTENT_HEADERS = {
    "Accept": "application/octet-stream, application/json",
    "Accept-Encoding": "identity",
}


_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


def is_part_of_content(response: ResponseHead) -> bool:
    """Whether a response says, in its Content-Range, that it carries only part of the file
    (a 200 should not, but a cache or proxy may pass a range on with the status changed)."""
    match = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", "").strip())
    if match is None:
        return False
    first, last, total = match.groups()
    return int(first) != 0 or (total != "*" and int(last) != int(total) - 1)


# What every transport decodes without optional packages (httpx2 passes an encoding it does
# not know through undecoded, which would hand on compressed bytes as the file's content):
# all a request offers, and all a response may use.
DECODED_ENCODINGS = frozenset({"identity", "gzip", "deflate"})
ACCEPTED_ENCODINGS = "gzip, deflate"


def body_is_encoded(response: ResponseHead) -> bool:
    """Whether the body needs decoding; an encoding this package cannot decode is refused
    (every body it reads goes through here: whole content, streams, downloads)."""
    value = response.headers.get("content-encoding")
    if value is None:
        return False
    codings = [coding.strip().lower() for coding in value.split(",") if coding.strip()]
    unknown = [coding for coding in codings if coding not in DECODED_ENCODINGS]
    if unknown:
        raise UnexpectedResponseError(
            f"the content arrived with Content-Encoding {', '.join(unknown)}, which this client "
            "cannot decode (it asks for identity)",
            status_code=response.status_code,
            headers=response.headers,
            client_request_id=sent_client_request_id(response),
        )
    return any(coding != "identity" for coding in codings)


def undecodable(response: ResponseHead, exc: httpx2.DecodingError) -> UnexpectedResponseError:
    """A body that does not decode as its Content-Encoding says: the service's (or a proxy's)
    mistake, which sending again would repeat, so never retried."""
    error = UnexpectedResponseError(
        f"the content does not decode as its Content-Encoding "
        f"{response.headers.get('content-encoding', '')!r} says ({type(exc).__name__})",
        status_code=response.status_code,
        headers=response.headers,
        client_request_id=sent_client_request_id(response),
    )
    error.__cause__ = exc
    return error


def content_length(response: ResponseHead) -> int | None:
    value = response.headers.get("content-length")
    return int(value) if value is not None and value.isdigit() else None


def incomplete(
    received: int,
    expected: int | None,
    exc: BaseException | None,
    client_request_id: str | None = None,
) -> IncompleteDownloadError:
    of = f" of {expected}" if expected is not None else ""
    cause = f": {type(exc).__name__}: {exc}" if exc is not None else ""
    error = IncompleteDownloadError(
        f"content ended after {received}{of} bytes{cause}",
        received=received,
        expected=expected,
        client_request_id=client_request_id,
    )
    error.__cause__ = exc
    return error


class _StreamBase:
    def __init__(self, response: BodyResponse, state: RetryState) -> None:
        self._response = response
        self._state = state
        self.received = 0

    @property
    def status_code(self) -> int:
        return self._response.status_code

    @property
    def headers(self) -> httpx2.Headers:
        headers = self._response.headers
        return (
            headers
            if isinstance(headers, httpx2.Headers)
            else httpx2.Headers(list(headers.items()))
        )

    @property
    def content_length(self) -> int | None:
        """Bytes announced by the service (None when it did not say)."""
        return content_length(self._response)

    @property
    def content_type(self) -> str | None:
        content_type: str | None = self._response.headers.get("content-type")
        return content_type

    @property
    def request_id(self) -> str | None:
        headers = self._response.headers
        request_id: str | None = headers.get("apim-request-id") or headers.get("x-request-id")
        return request_id

    @property
    def client_request_id(self) -> str | None:
        client_request_id: str | None = self._response.request.headers.get("x-ms-client-request-id")
        return client_request_id

    def _check_complete(self) -> None:
        """After the last chunk: the body is whole (the attempt that sent it succeeded), or
        `IncompleteDownloadError`."""
        expected = self.content_length
        on_wire = self._response.num_bytes_downloaded  # before any decoding
        if expected is not None and on_wire != expected:
            raise incomplete(on_wire, expected, None, self.client_request_id)
        if self._state.trace is not None:
            self._state.trace.attempt_succeeded()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code}, "
            f"content_length={self.content_length}, request_id={self.request_id!r})"
        )
