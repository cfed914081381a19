"""A file that is complete and durable at its destination, or absent.

The bytes go to a temporary file in the destination's folder, are written by a background
thread, flushed along the way, verified on disk and only then moved into place: renamed over
a replaced file (atomically; a symlink itself is replaced, never what it points to), or
linked so that a destination that appeared meanwhile is never clobbered. Anything but a
regular file (a FIFO, a device such as /dev/null, a socket) is refused before sending.
"""

from __future__ import annotations

import contextlib
import errno
import os
import queue
import re
import stat
import threading
import time
from pathlib import Path

from ._errors import DestinationExistsError

# Hand written data to the disk every this many bytes, so the fsync before the rename has
# little left to do instead of stalling on the whole file.
WRITEBACK_EVERY = 4 * 1024 * 1024

# Also flush what is written to the disk (fdatasync) every this many bytes, on a thread of its
# own so the download does not wait for it. A disk's flush costs about in proportion to what
# it has not yet made durable (on a virtual disk, the host's own writeback): flushed along the
# way, the fsync before the rename is left one interval's worth instead of the whole file.
# Both intervals halved from 8 and 16 MiB took a fifth off a download's system CPU time and
# ran 1 GiB on aiohttp 0.95x raw aiohttp against 0.77x (docs/performance.md).
SYNC_EVERY = 8 * 1024 * 1024

# The body reaches the file through a writer thread in batches of this many bytes, at most
# BATCHES_IN_FLIGHT queued: copying into the page cache overlaps reading the socket, and
# memory stays bounded (a slow disk makes the download loop wait, not buffer). A batch is
# written with one writev: each system call is also a hand-over of the interpreter lock
# between the writer and the download loop, and one call a batch instead of one a chunk ran
# a download 15% faster on two cores. Fewer, larger batches were slower: the writer then
# waits while the download loop fills the next one.
BATCH_BYTES = 1024 * 1024
BATCHES_IN_FLIGHT = 4

# writev takes at most this many buffers a call (POSIX leaves it to the system; Linux: 1024).
try:
    IOV_MAX = max(16, os.sysconf("SC_IOV_MAX"))
except (AttributeError, ValueError, OSError):
    IOV_MAX = 16


# Temporary files are named `.<destination name>.<12 hex digits>.part`. One older than
# STALE_PART_AGE was left by a process killed mid-download (SIGKILL, power loss: no chance to
# clean up); the next download into the same folder removes it. A running download writes its
# file as the body arrives (every MiB), so one untouched for a day is, in practice, abandoned.
PART_NAME = re.compile(r"\..+\.[0-9a-f]{12}\.part", re.DOTALL)
STALE_PART_AGE = 24 * 60 * 60

_FILE_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


def prepare_destination(destination: str | os.PathLike[str], *, overwrite: bool) -> Path:
    """Refuse a destination that cannot be written, before anything is sent."""
    path = Path(destination)
    if path.is_dir():
        raise IsADirectoryError(f"destination {path} is a directory; name the file to write")
    if not path.parent.is_dir():
        # The nearest thing that exists on the way says why: a file in the way, or nothing.
        existing = next((folder for folder in path.parents if os.path.lexists(folder)), None)
        if existing is not None and not existing.is_dir():
            raise NotADirectoryError(
                f"destination folder {path.parent} is not a folder: {existing} is a file"
            )
        raise FileNotFoundError(f"destination folder {path.parent} does not exist")
    if os.path.lexists(path):
        if not overwrite:
            raise DestinationExistsError(str(path))
        replaced_file_mode(path)  # refuses anything but a regular file
    return path


def replaced_file_mode(path: Path) -> int | None:
    """The permission bits of the regular file at `path` (a symlink is followed), or None when
    nothing is there. Anything else is refused: replacing /dev/null or a FIFO with a regular
    file would break whatever uses it."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        if os.path.lexists(path):
            raise FileExistsError(
                f"destination {path} is a symlink to nothing; refusing to replace it"
            ) from None
        return None
    if not stat.S_ISREG(status.st_mode):
        kind = next((name for test, name in _FILE_KINDS if test(status.st_mode)), "special")
        raise FileExistsError(
            f"destination {path} is {kind}, not a regular file; refusing to replace it"
        )
    return stat.S_IMODE(status.st_mode) & 0o777  # never carry setuid/setgid over to a download


def remove_stale_parts(folder: Path) -> None:
    """Delete this package's temporary files in `folder` older than STALE_PART_AGE."""
    cutoff = time.time() - STALE_PART_AGE
    try:
        entries = os.scandir(folder)
    except OSError:
        return
    with entries:
        for entry in entries:
            if not entry.name.endswith(".part") or PART_NAME.fullmatch(entry.name) is None:
                continue
            try:
                status = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(status.st_mode) and status.st_mtime < cutoff:
                    os.unlink(entry.path)
            except OSError:
                continue  # gone meanwhile, or not ours to remove


def write_all(fd: int, chunks: list[bytes]) -> None:
    """Write every byte of `chunks`, in order, in as few system calls as the system allows:
    writev where there is one (not on Windows), finishing any short write."""
    writev = getattr(os, "writev", None)
    if writev is None:
        for chunk in chunks:
            _write_rest(fd, memoryview(chunk))
        return
    start = 0
    while start < len(chunks):
        written = writev(fd, chunks[start : start + IOV_MAX])
        while start < len(chunks) and written >= len(chunks[start]):
            written -= len(chunks[start])
            start += 1
        if written:  # a short write ended inside this chunk: finish it
            _write_rest(fd, memoryview(chunks[start])[written:])
            start += 1


def _write_rest(fd: int, rest: memoryview) -> None:
    while rest:
        rest = rest[os.write(fd, rest) :]


def _create_part_file(destination: Path) -> tuple[int, Path]:
    """A new, empty file beside `destination`. Created with mode 0o666 so the umask (and a
    default ACL) applies as to any new file, where mkstemp would force 0o600."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        path = destination.parent / f".{destination.name}.{os.urandom(6).hex()}.part"
        try:
            return os.open(path, flags, 0o666), path
        except FileExistsError:
            continue  # 48 random bits taken already: draw again
    raise FileExistsError(errno.EEXIST, f"no free temporary name beside {destination}")


class DurableFile:
    """A temporary file beside `destination` that becomes it only when committed: flushed to
    disk, verified on disk, and moved into place atomically (never clobbering a destination
    that appeared meanwhile, unless `overwrite`), or discarded.

    `write` is called from the download loop; the bytes reach the file on a writer thread
    (started with the first full batch). Every other method runs in the download loop's
    thread and first waits until the writer has caught up, so the file holds exactly
    `size` bytes whenever it is truncated, resumed from, or committed.
    """

    def __init__(self, destination: Path, *, overwrite: bool) -> None:
        self.destination = destination
        self.overwrite = overwrite
        remove_stale_parts(destination.parent)
        handle, self.path = _create_part_file(destination)
        self._fd = handle
        self._file = os.fdopen(handle, "wb", buffering=0)  # written by `write_all` alone
        self.size = 0  # bytes received; all on file once `settle` returns
        self._written = 0
        self._written_back = 0
        self._sync_requested_at = 0  # `_written` when the flusher was last asked to sync
        self._batch: list[bytes] = []
        self._batch_bytes = 0
        self._batches: queue.Queue[list[bytes] | None] = queue.Queue(BATCHES_IN_FLIGHT)
        self._writer: threading.Thread | None = None
        self._failure: Exception | None = None
        self._discarding = False
        self._flusher: threading.Thread | None = None
        self._sync_wanted = threading.Event()
        self._flusher_stopping = False
        self._sync_pending = False  # a sync asked for and not yet begun

    def truncate(self) -> None:
        """Drop every byte written: the next write starts the file again."""
        self.settle()
        self._file.seek(0)
        self._file.truncate()
        self.size = self._written = self._written_back = self._sync_requested_at = 0

    def write(self, chunk: bytes) -> None:
        self._batch.append(chunk)
        self._batch_bytes += len(chunk)
        self.size += len(chunk)
        if self._batch_bytes >= BATCH_BYTES:
            self._hand_over()

    def _hand_over(self) -> None:
        if self._failure is not None:
            raise self._failure
        if self._writer is None:
            self._writer = threading.Thread(
                target=self._write_batches, name="azure-openai-files-writer", daemon=True
            )
            self._writer.start()
        self._batches.put(self._batch)  # waits while the disk is behind
        self._batch = []
        self._batch_bytes = 0

    def _write_batches(self) -> None:
        while True:
            batch = self._batches.get()
            try:
                if batch is None:
                    return
                if self._failure is None and not self._discarding:
                    self._write_batch(batch)
            except Exception as exc:  # e.g. disk full: raised in the download loop
                self._failure = exc
            finally:
                self._batches.task_done()

    def _write_batch(self, batch: list[bytes]) -> None:
        write_all(self._fd, batch)
        self._written += sum(map(len, batch))
        if self._written - self._written_back >= WRITEBACK_EVERY:
            self._start_writeback()
        if self._written - self._sync_requested_at >= SYNC_EVERY:
            self._request_sync()

    def _request_sync(self) -> None:
        """Ask the flusher thread to sync the file (called on the writer thread, after the
        writes it covers). Requests made while it is busy merge into its next sync."""
        self._sync_requested_at = self._written
        self._sync_pending = True
        if self._flusher is None:
            self._flusher = threading.Thread(
                target=self._sync_when_asked, name="azure-openai-files-flusher", daemon=True
            )
            self._flusher.start()
        self._sync_wanted.set()

    def _sync_when_asked(self) -> None:
        sync = getattr(os, "fdatasync", os.fsync)  # fdatasync: not on macOS or Windows
        while True:
            self._sync_wanted.wait()
            self._sync_wanted.clear()
            # A sync asked for before the stop is still made (unless the file is being
            # discarded): the failure it may report is reported once, to it alone.
            if self._flusher_stopping and (not self._sync_pending or self._discarding):
                return
            self._sync_pending = False
            try:
                sync(self._fd)
            except Exception as exc:
                # Raised in the download loop: the kernel reports a failed writeback once, so
                # the fsync before the rename could succeed although these bytes were lost.
                if self._failure is None:
                    self._failure = exc
                return
            if self._flusher_stopping:
                return

    def settle(self) -> None:
        """Write what is still queued or batched; raise the writer's failure, if any."""
        if self._batch:
            if self._writer is None:
                self._write_batch(self._batch)
                self._batch = []
                self._batch_bytes = 0
            else:
                self._hand_over()
        self._batches.join()
        if self._failure is not None:
            raise self._failure

    def _stop_writer(self) -> None:
        """Stop the writer thread, then the flusher it asks (before the file is closed)."""
        if self._writer is not None:
            self._batches.put(None)
            self._writer.join()
            self._writer = None
        if self._flusher is not None:
            self._flusher_stopping = True
            self._sync_wanted.set()
            self._flusher.join()
            self._flusher = None

    def _start_writeback(self) -> None:
        """Start writing what is in the page cache to disk without waiting for it (Linux:
        fadvise DONTNEED on dirty pages starts their writeback and keeps them out of the cache)."""
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(
                self._fd,
                self._written_back,
                self._written - self._written_back,
                os.POSIX_FADV_DONTNEED,
            )
        self._written_back = self._written

    def commit(self) -> Path:
        """Flush to disk, then move into place atomically."""
        self.settle()
        self._stop_writer()
        if self._failure is not None:  # the flusher's, since `settle` looked
            raise self._failure
        on_disk = os.fstat(self._fd).st_size
        if on_disk != self.size:  # verified where it lands, not only as it arrived
            raise OSError(errno.EIO, f"{on_disk} of {self.size} bytes reached {self.path}")
        if self.overwrite:
            # Checked again: the destination may have changed since the request was sent.
            mode = replaced_file_mode(self.destination)
            if mode is not None:
                os.chmod(self.path, mode)  # a replaced file keeps its permissions
        os.fsync(self._fd)
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
        self._discarding = True  # the writer drops what is still queued
        self._stop_writer()
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
