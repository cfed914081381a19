"""Downloads: which bytes a response carries, and when an attempt may resume.

The body streams into a `DurableFile` (complete and verified at its destination, or absent).
A body cut off mid-way resumes with `Range: bytes=N-` when the service answers 206 with a
matching `Content-Range`, and restarts from zero otherwise (always when the body arrived
content-encoded: byte offsets of the decoded file do not address the encoded one). Attempts
that received new bytes do not count against the retry budget, up to `MAX_FREE_RESUMES`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ._durable_file import DurableFile
from ._errors import UnexpectedResponseError
from ._retry import RetryState
from ._streaming import body_is_encoded, content_length, incomplete
from ._transport import ResponseHead

Progress = Callable[[int, int | None], object]

_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")

# A download that keeps receiving new bytes is not failing: such attempts are left out of the
# retry budget, up to this many per call, so a connection cut every few MiB cannot loop forever.
MAX_FREE_RESUMES = 100


class Download:
    """One download's bytes so far (in `file`) and whether the next attempt resumes them."""

    def __init__(self, file: DurableFile) -> None:
        self.file = file
        self.expected: int | None = None  # the file's size, once a response said
        self._resumable = False  # whether the bytes on file can be continued with Range
        self._free_resumes = 0

    @property
    def size(self) -> int:
        return self.file.size

    def resume_headers(self) -> dict[str, str]:
        self.file.settle()
        return {"Range": f"bytes={self.size}-"} if self.size and self._resumable else {}

    def start_body(self, response: ResponseHead, requested_from: int) -> None:
        """Decide from the response whether it continues the bytes on disk or restarts."""
        encoded = body_is_encoded(response)
        if requested_from and response.status_code == 206:
            match = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", "").strip())
            total = None if match is None or match[3] == "*" else int(match[3])
            if (
                match is not None
                and not encoded
                and int(match[1]) == requested_from
                and (self.expected is None or total in (self.expected, None))
            ):
                if self.expected is None:
                    self.expected = total  # the first response did not say; this one does
                return  # a matching resume: keep what is on disk
            # Not the bytes asked for: drop what is on disk and let the retry start over.
            self._restart(None)
            raise incomplete(
                0, None, ValueError(f"Content-Range does not continue at byte {requested_from}")
            )
        if response.status_code != 200:
            raise UnexpectedResponseError(
                f"unexpected success status {response.status_code} for file content",
                status_code=response.status_code,
                headers=response.headers,
            )
        # A full body: whatever was written before is discarded. An encoded body's
        # Content-Length counts wire bytes (the stream checks those), not the file's size.
        self._restart(None if encoded else content_length(response))
        self._resumable = not encoded

    def _restart(self, expected: int | None) -> None:
        self.file.truncate()
        self.expected = expected

    def write(self, chunk: bytes) -> None:
        self.file.write(chunk)

    def check_complete(self) -> None:
        if self.expected is not None and self.size != self.expected:
            raise incomplete(self.size, self.expected, None)

    def forgive(self, state: RetryState, started_from: int) -> int:
        """New bytes the failed attempt received when it is left out of the retry budget (it
        got further than any before it: only attempts that made no progress use the budget
        up, since a multi-GB file may be cut often; the deadline still holds), else 0."""
        progressed = self.size - started_from
        if progressed <= 0 or self._free_resumes >= MAX_FREE_RESUMES:
            return 0
        self._free_resumes += 1
        state.forgive_attempt()
        return progressed
