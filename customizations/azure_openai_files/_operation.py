"""What one call sends and what it expects back, as a typed value: the pipeline reads how to
treat the response from it, instead of from flags."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Expect(enum.Enum):
    """What a 2xx response of an operation is, and so how its body is read."""

    # A small JSON document: read whole, bounded in size and in time.
    DOCUMENT = "document"
    # The file's whole content, read into memory: only a 200 is all of it.
    CONTENT = "content"
    # The file's whole content, handed on as it arrives: only a 200 is all of it.
    CONTENT_STREAM = "content stream"
    # Content that may continue bytes already on disk: a 206 to a Range request is expected.
    RESUMABLE_CONTENT = "resumable content"

    @property
    def streamed(self) -> bool:
        return self in (Expect.CONTENT_STREAM, Expect.RESUMABLE_CONTENT)

    @property
    def whole_content(self) -> bool:
        """Only a 200 answers it: a 206 the request did not ask for is part of the file."""
        return self in (Expect.CONTENT, Expect.CONTENT_STREAM)


@dataclass(frozen=True, slots=True)
class Operation:
    """One REST operation as the generated code builds it for an api-version."""

    name: str  # the public method it serves, for logs and errors
    method: str
    url: str  # relative to {endpoint}/openai, already percent-encoded
    params: dict[str, str] | None
    expect: Expect
    # Whether sending it again after a failure cannot change the outcome (reads can be
    # resent; an upload may have been stored even if its answer was lost).
    safe_to_resend: bool
