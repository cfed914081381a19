"""What one call sends and what it expects back, as a typed value: the pipeline reads how to
treat the response from it, instead of from flags."""

from __future__ import annotations

import enum
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any, NamedTuple

import httpx2


class Expect(enum.Enum):
    """What a 2xx response of an operation is, and so how its body is read. `streamed`: the
    body is handed on as it arrives; `whole_content`: only a 200 answers it (a 206 the
    request did not ask for is part of the file). Attributes, not properties: the pipeline
    reads them on every call."""

    # A small JSON document: read whole, bounded in size and in time.
    DOCUMENT = ("document", False, False)
    # A page of a listing: a JSON document of up to 10,000 files, bounded as one.
    LISTING = ("listing", False, False)
    # The file's whole content, read into memory: only a 200 is all of it.
    CONTENT = ("content", False, True)
    # The file's whole content, handed on as it arrives: only a 200 is all of it.
    CONTENT_STREAM = ("content stream", True, True)
    # Content that may continue bytes already on disk: a 206 to a Range request is expected.
    RESUMABLE_CONTENT = ("resumable content", True, False)

    streamed: bool
    whole_content: bool

    def __new__(cls, label: str, streamed: bool, whole_content: bool) -> Expect:
        member = object.__new__(cls)
        member._value_ = label
        member.streamed = streamed
        member.whole_content = whole_content
        return member


class RequestBody(httpx2.SyncByteStream, httpx2.AsyncByteStream):
    """A request body that can tell whether it was sent whole and whether it can be sent
    again: what decides if a failed call that creates something may be resent."""

    headers: dict[str, str]  # Content-Type and Content-Length (or chunked transfer)
    sent_whole = False  # every byte was handed to the transport

    def rewind(self) -> bool:
        """Get ready to be sent again from the start; False when that is impossible (a
        stream already read)."""
        raise NotImplementedError


class JsonBody(RequestBody):
    """A small JSON document, serialized once and sent as often as needed."""

    def __init__(self, document: dict[str, Any]) -> None:
        self._content = json.dumps(document, separators=(",", ":")).encode()
        self.headers = {
            "Content-Type": "application/json",
            "Content-Length": str(len(self._content)),
        }

    def rewind(self) -> bool:
        self.sent_whole = False
        return True

    def __iter__(self) -> Iterator[bytes]:
        yield self._content
        self.sent_whole = True

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._content
        self.sent_whole = True


class Operation(NamedTuple):
    """One REST operation as the generated code builds it for an api-version. Immutable; a
    named tuple, as it is built on every call and costs half of a frozen dataclass."""

    name: str  # the public method it serves, for logs and errors
    method: str
    url: str  # relative to {endpoint}/openai, already percent-encoded
    params: dict[str, str] | None
    expect: Expect
    # Whether sending it again after a failure cannot change the outcome (reads can be
    # resent; an upload may have been stored even if its answer was lost).
    safe_to_resend: bool
    body: RequestBody | None = None
