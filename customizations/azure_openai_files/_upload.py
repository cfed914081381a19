"""Uploads: where the bytes come from, the streamed multipart body that carries them, the
checks made before anything is sent, and how a large file is cut into parts.

A source is read in chunks as it is sent, never whole: memory does not grow with the file.
A path is opened for each attempt (and for each part), so every resend starts from the first
byte; a seekable file object is rewound to where it stood; a non-seekable one is read once.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import mimetypes
import os
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Protocol, TypeVar, Union
from urllib.parse import parse_qsl, urlsplit

from ._errors import FilesError, InvalidArgument, InvalidArgumentType, printable
from ._operation import RequestBody


class _ListedFile(Protocol):
    """What a listing tells of a file (a `FileObject`)."""

    @property
    def filename(self) -> str: ...
    @property
    def purpose(self) -> str: ...
    @property
    def bytes(self) -> int | None: ...
    @property
    def created_at(self) -> int | None: ...


_Listed = TypeVar("_Listed", bound=_ListedFile)


class BinaryReadable(Protocol):
    """A binary file object, or any object that reads bytes (a pipe, a socket's file)."""

    def read(self, size: int = -1, /) -> bytes | None: ...


UploadInput = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, BinaryReadable]

# The service's limit for one `POST /files` (512 MB); larger files go through the Uploads API.
MAX_SINGLE_UPLOAD = 512 * 10**6
# The Uploads API's limit for one file, and the largest part (OpenAI documents 64 MB a part;
# the Azure documents name no part size).
MAX_UPLOAD = 9 * 10**9
PART_SIZE = 64 * 10**6
# Parts sent at the same time: enough to fill a link, few enough to stay polite.
PARALLEL_PARTS = 4
# `expires_after.seconds`, as every document that has it bounds it: 14 to 30 days.
MIN_EXPIRY = 1_209_600
MAX_EXPIRY = 2_592_000

# A file found after an upload's answer was lost counts as that upload's when the service
# says it was created at most this long before the upload began (clocks differ).
CLOCK_SKEW = 60.0

# Read and sent this much at a time: large enough that a fast link is not held back by
# per-chunk costs, small enough that parts in parallel stay a few MiB of memory.
CHUNK = 1024 * 1024


def check_purpose(purpose: object, allowed: tuple[str, ...], api_version: str) -> str:
    """The purpose as sent; refused before sending when the api-version does not take it for
    an upload (the File's purposes include service-written ones such as `batch_output`)."""
    if not isinstance(purpose, str):
        raise InvalidArgumentType("purpose", f"must be a str, not {type(purpose).__name__}")
    value = str(purpose)  # a Purpose member is sent as its value
    if value not in allowed:
        raise InvalidArgument(
            "purpose",
            f"{value!r} is not accepted for upload in api-version {api_version}: use one of "
            f"{', '.join(allowed)}",
        )
    return value


def check_expires_after(expires_after: object, *, supported: bool, api_version: str) -> int | None:
    """`expires_after` in whole seconds (an int or a timedelta), checked against the range
    the documents allow; None when not given."""
    if expires_after is None:
        return None
    if isinstance(expires_after, datetime.timedelta):
        seconds = expires_after.total_seconds()
        if seconds != int(seconds):
            raise InvalidArgument("expires_after", "must be a whole number of seconds")
        expires_after = int(seconds)
    if isinstance(expires_after, bool) or not isinstance(expires_after, int):
        raise InvalidArgumentType(
            "expires_after",
            f"must be an int (seconds) or a timedelta, not {type(expires_after).__name__}",
        )
    if not supported:
        raise InvalidArgument(
            "expires_after",
            f"is not available in api-version {api_version} (it is from 2025-04-01-preview on)",
        )
    if not MIN_EXPIRY <= expires_after <= MAX_EXPIRY:
        raise InvalidArgument(
            "expires_after",
            f"must be between {MIN_EXPIRY} and {MAX_EXPIRY} seconds (14 to 30 days), "
            f"not {expires_after}",
        )
    return expires_after


def check_filename(filename: object) -> str:
    if not isinstance(filename, str):
        raise InvalidArgumentType("filename", f"must be a str, not {type(filename).__name__}")
    if not filename or filename != filename.strip() or printable(filename) != filename:
        raise InvalidArgument(
            "filename",
            f"{printable(filename)!r} must be a non-empty name without control characters",
        )
    return filename


def mime_type_of(filename: str) -> str:
    """The media type the Uploads API asks for, from the name (JSON Lines as OpenAI names it)."""
    if filename.lower().endswith(".jsonl"):
        return "text/jsonl"
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


class UploadSource:
    """The bytes of one upload, read by range. `size` is None only for a non-seekable
    stream; `can_restart` says whether it can be read again from the start."""

    def __init__(self, file: object, filename: str | None) -> None:
        self._path: str | None = None
        self._data: memoryview | None = None
        self._stream: IO[bytes] | None = None
        self._lock = threading.Lock()  # parts in parallel share a file object's position
        self._start = 0
        self.size: int | None
        if isinstance(file, str | os.PathLike):
            self._path = os.fspath(file)
            try:
                self.size = os.stat(self._path).st_size
            except OSError as exc:
                raise InvalidArgument("file", f"cannot be read: {exc}") from None
            if not os.path.isfile(self._path):
                raise InvalidArgument("file", f"{self._path!r} is not a regular file")
            default_name: str | None = os.path.basename(self._path)
        elif isinstance(file, bytes | bytearray | memoryview):
            self._data = memoryview(file).cast("B")
            self.size = len(self._data)
            default_name = None
        elif isinstance(file, io.TextIOBase):
            raise InvalidArgumentType("file", "must be opened in binary mode ('rb'), not text")
        elif callable(getattr(file, "read", None)):
            self._stream = file  # type: ignore[assignment]
            self.size = self._measure(file)
            name = getattr(file, "name", None)
            default_name = os.path.basename(name) if isinstance(name, str) else None
        else:
            raise InvalidArgumentType(
                "file",
                f"must be a path, bytes or a binary file object, not {type(file).__name__}",
            )
        if filename is None and not default_name:
            raise InvalidArgument("filename", "is required when the file has no name of its own")
        self.filename = check_filename(filename if filename is not None else default_name)

    def _measure(self, stream: Any) -> int | None:
        """The bytes left from the stream's position, when it can seek; None otherwise."""
        try:
            if not stream.seekable():
                return None
            self._start = stream.tell()
            end = stream.seek(0, io.SEEK_END)
            stream.seek(self._start)
        except (AttributeError, OSError, ValueError):
            return None
        return int(end - self._start)

    @property
    def can_restart(self) -> bool:
        return self.size is not None

    def chunks(self, offset: int = 0, length: int | None = None) -> Iterator[bytes]:
        """The bytes from `offset` on (`length` of them, or to the end), a chunk at a time; a
        source that ends early is an error, since the request declared its length."""
        if self._data is not None:
            end = len(self._data) if length is None else offset + length
            for start in range(offset, end, CHUNK):
                yield bytes(self._data[start : min(start + CHUNK, end)])
            return
        if self._path is not None:
            with open(self._path, "rb") as handle:
                handle.seek(offset)
                yield from _read(handle.read, length)
            return
        assert self._stream is not None
        stream = self._stream
        if self.size is None:  # read once, as it comes
            yield from _read(stream.read, None)
            return

        position = self._start + offset

        def read_at(n: int) -> bytes:
            nonlocal position
            with self._lock:
                stream.seek(position)
                data = stream.read(n)
            position += len(data)
            return data

        yield from _read(read_at, length)

    def md5(self) -> str:
        """The hex MD5 of the whole source (read once more; the Uploads API checks it)."""
        digest = hashlib.md5(usedforsecurity=False)
        for chunk in self.chunks(0, self.size):
            digest.update(chunk)
        return digest.hexdigest()


def _read(read: Callable[[int], bytes], length: int | None) -> Iterator[bytes]:
    left = length
    while left is None or left > 0:
        chunk = read(CHUNK if left is None else min(CHUNK, left))
        if not chunk:
            if left:
                raise FilesError(
                    f"the file ended {left} bytes early: it changed while it was being uploaded"
                )
            return
        if left is not None:
            left -= len(chunk)
        yield chunk


def _form_value(value: str) -> str:
    """A form field value or filename, as HTML forms escape it inside a quoted string."""
    return value.replace("\\", "\\\\").replace('"', "%22")


class MultipartBody(RequestBody):
    """A `multipart/form-data` body: the form fields, then one file part streamed from its
    source (a range of it, for an Uploads API part). Its length is known unless the source
    is a stream, which then goes out in chunked transfer encoding."""

    def __init__(
        self,
        fields: list[tuple[str, bytes, str | None]],
        file_field: str,
        source: UploadSource,
        *,
        offset: int = 0,
        length: int | None = None,
        on_sent: Callable[[int], object] | None = None,
        limit: int | None = None,
    ) -> None:
        boundary = os.urandom(16).hex()
        head = bytearray()
        for name, value, media_type in fields:
            head += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n'.encode()
            if media_type:
                head += f"Content-Type: {media_type}\r\n".encode()
            head += b"\r\n" + value + b"\r\n"
        head += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
            f'filename="{_form_value(source.filename)}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        self._head = bytes(head)
        self._tail = f"\r\n--{boundary}--\r\n".encode()
        self._source = source
        self._offset = offset
        self._length = (
            length
            if length is not None
            else (None if source.size is None else source.size - offset)
        )
        self._on_sent = on_sent
        self._limit = limit
        self._started = False
        self.headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        if self._length is None:
            self.headers["Transfer-Encoding"] = "chunked"
        else:
            self.headers["Content-Length"] = str(len(self._head) + self._length + len(self._tail))

    def rewind(self) -> bool:
        if self._started and not self._source.can_restart:
            return False
        self._started = False
        self.sent_whole = False
        if self._on_sent is not None:
            self._on_sent(0)
        return True

    def __iter__(self) -> Iterator[bytes]:
        self._started = True
        yield self._head
        sent = 0
        for chunk in self._source.chunks(self._offset, self._length):
            sent += len(chunk)
            if self._limit is not None and sent > self._limit:
                raise InvalidArgument(
                    "file",
                    f"is larger than the {self._limit} bytes one upload may carry; pass a path "
                    "or a seekable file so that it can go through the Uploads API",
                )
            yield chunk
            if self._on_sent is not None:
                self._on_sent(sent)
        yield self._tail
        self.sent_whole = True

    async def __aiter__(self) -> AsyncIterator[bytes]:
        # The chunks are read from disk in the event loop, as httpx reads a file body: a read
        # of one chunk from the page cache is far shorter than sending it.
        for chunk in self:
            yield chunk


def parts_of(size: int) -> list[tuple[int, int]]:
    """(offset, length) of each Uploads API part, in order."""
    return [(offset, min(PART_SIZE, size - offset)) for offset in range(0, size, PART_SIZE)]


@dataclass(frozen=True, slots=True)
class UploadRules:
    """What one upload sends besides the file, checked for its api-version before sending."""

    api_version: str
    purpose: str
    expires_after: int | None  # seconds, anchored at creation
    # The api-versions with the Uploads API (for files over MAX_SINGLE_UPLOAD); None when
    # this one has it.
    uploads_api_elsewhere: tuple[str, ...] | None

    def check_large(self, size: int) -> None:
        """A file over MAX_SINGLE_UPLOAD goes through the Uploads API: refused before sending
        when this version has none, or when it is over that API's limit too."""
        if self.uploads_api_elsewhere is not None:
            raise InvalidArgument(
                "file",
                f"is {size} bytes, more than the {MAX_SINGLE_UPLOAD} one upload may carry, and "
                f"api-version {self.api_version} has no Uploads API for larger files (it is "
                f"in: {', '.join(self.uploads_api_elsewhere) or 'none'})",
            )
        if size > MAX_UPLOAD:
            raise InvalidArgument(
                "file", f"is {size} bytes, more than the {MAX_UPLOAD} the Uploads API takes"
            )


class UploadProgress:
    """Sums the bytes sent by every part (one part for a plain upload) for `progress`; a
    part sent again counts from zero again."""

    def __init__(self, callback: Callable[[int, int | None], object] | None, total: int | None):
        self._callback = callback
        self._total = total
        self._sent: dict[int, int] = {}
        self._lock = threading.Lock()  # parts of a blocking upload report from their threads

    def part(self, key: int) -> Callable[[int], None]:
        self._sent[key] = 0

        def on_sent(sent: int) -> None:
            if self._callback is None:
                return
            with self._lock:
                self._sent[key] = sent
                self._callback(sum(self._sent.values()), self._total)

        return on_sent


def landed_upload(
    match: UploadSource | str, purpose: str, newest: list[_Listed], started: float
) -> _Listed | None:
    """Among the newest files, the one an upload (or an import, `match` its filename) made
    when its answer was lost: same name, purpose and size, created since it began."""
    name = match if isinstance(match, str) else match.filename
    size = None if isinstance(match, str) else match.size
    for file in newest:
        if (
            file.filename == name
            and str(file.purpose) == purpose
            and (size is None or file.bytes is None or file.bytes == size)
            and (file.created_at or 0) >= started - CLOCK_SKEW
        ):
            return file
    return None


def check_content_url(content_url: object) -> tuple[str, list[str]]:
    """An import's source URL and the secrets in it (its query, often a SAS token, and each
    of its values), which must never be logged, traced or put in an error."""
    if not isinstance(content_url, str):
        raise InvalidArgumentType("content_url", f"must be a str, not {type(content_url).__name__}")
    try:
        parts = urlsplit(content_url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidArgument("content_url", "must be an absolute https URL (its query not shown)")
    secrets = [parts.query] if parts.query else []
    secrets += [value for _, value in parse_qsl(parts.query) if len(value) >= 4]
    return content_url, sorted(set(secrets), key=len, reverse=True)
