"""Downloads that are complete and verified at their destination, or absent.

The body streams into a temporary file in the destination's folder; it is checked against
the announced size, flushed to disk, and only then renamed into place. A body cut off
mid-way resumes with `Range: bytes=N-` when the service answers 206 with a matching
`Content-Range`, and restarts from zero otherwise, within the call's retry budget.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import httpx

from ._errors import UnexpectedResponseError
from ._streaming import content_length, incomplete

Progress = Callable[[int, int | None], object]

_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")

# Hand written data to the disk every this many bytes, so the fsync before the rename has
# little left to do instead of stalling on the whole file.
WRITEBACK_EVERY = 32 * 1024 * 1024


def prepare_destination(destination: str | os.PathLike[str], *, overwrite: bool) -> Path:
    """Refuse a destination that cannot be written, before anything is sent."""
    path = Path(destination)
    if path.is_dir():
        raise IsADirectoryError(f"destination {path} is a directory; name the file to write")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"destination folder {path.parent} does not exist")
    if path.exists() and not overwrite:
        raise FileExistsError(f"destination {path} exists; pass overwrite=True to replace it")
    return path


class PartFile:
    """The temporary file a download writes; it becomes the destination only when complete."""

    def __init__(self, destination: Path, *, overwrite: bool) -> None:
        self.destination = destination
        self.overwrite = overwrite
        handle, name = tempfile.mkstemp(
            dir=destination.parent, prefix=f".{destination.name}.", suffix=".part"
        )
        self.path = Path(name)
        self._file = os.fdopen(handle, "wb")
        self.size = 0
        self.expected: int | None = None
        self._written_back = 0

    def start_body(self, response: httpx.Response, requested_from: int) -> None:
        """Decide from the response whether it continues the bytes on disk or restarts."""
        if requested_from and response.status_code == 206:
            match = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", "").strip())
            total = None if match is None or match[3] == "*" else int(match[3])
            if (
                match is not None
                and int(match[1]) == requested_from
                and total in (self.expected, None)
            ):
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
        # A full body: whatever was written before is discarded.
        self._restart(content_length(response))

    def _restart(self, expected: int | None) -> None:
        self._file.seek(0)
        self._file.truncate()
        self.size = 0
        self._written_back = 0
        self.expected = expected

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)
        self.size += len(chunk)
        if self.size - self._written_back >= WRITEBACK_EVERY:
            self._start_writeback()

    def _start_writeback(self) -> None:
        """Start writing what is buffered to disk without waiting for it (Linux: fadvise
        DONTNEED on dirty pages starts their writeback and keeps them out of the page cache)."""
        self._file.flush()
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(
                self._file.fileno(),
                self._written_back,
                self.size - self._written_back,
                os.POSIX_FADV_DONTNEED,
            )
        self._written_back = self.size

    def check_complete(self) -> None:
        if self.expected is not None and self.size != self.expected:
            raise incomplete(self.size, self.expected, None)

    def resume_headers(self) -> dict[str, str]:
        return {"Range": f"bytes={self.size}-"} if self.size else {}

    def commit(self) -> Path:
        """Flush to disk, then move into place atomically."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        if self.overwrite:
            os.replace(self.path, self.destination)
        else:
            # link() fails if the destination appeared meanwhile: never clobber it.
            try:
                os.link(self.path, self.destination)
            except FileExistsError:
                raise FileExistsError(
                    f"destination {self.destination} appeared during the download"
                ) from None
            except OSError:
                if self.destination.exists():
                    raise FileExistsError(
                        f"destination {self.destination} appeared during the download"
                    ) from None
                os.replace(self.path, self.destination)
            else:
                self.path.unlink()
        _fsync_folder(self.destination.parent)
        return self.destination

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); best effort elsewhere."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
