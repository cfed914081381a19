"""The part file a download writes through, on a real disk: hidden beside its destination,
fed in batches by one daemon writer thread and flushed by one daemon flusher, committed only
when complete and never over a file that appeared meanwhile, continued by a matching 206;
stale leftovers are removed, and a resume that made progress costs no retry."""

from __future__ import annotations

import errno
import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from azure_openai_files import _durable_file
from azure_openai_files._config import resolve_settings
from azure_openai_files._download import Download
from azure_openai_files._durable_file import DurableFile
from azure_openai_files._errors import (
    IncompleteDownloadError,
    RequestTimeoutError,
    UnexpectedResponseError,
)
from azure_openai_files._pipeline import PipelineBase
from azure_openai_files._retry import RetryPolicy, RetryState
from azure_openai_files._streaming import incomplete
from azure_openai_files._transport import Request

# --- the writer: batches, threads, writeback ------------------------------------------------------


def _part_file(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Download:
    monkeypatch.setattr(_durable_file, "BATCH_BYTES", 4)
    monkeypatch.setattr(_durable_file, "BATCHES_IN_FLIGHT", 2)
    return Download(DurableFile(folder / "out.bin", overwrite=False))


def test_the_temporary_file_is_hidden_beside_its_destination(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = _part_file(tmp_path, monkeypatch)
    assert part.file.path.parent == tmp_path  # same filesystem: the final rename is atomic
    assert part.file.path.name.startswith(".out.bin.") and part.file.path.name.endswith(".part")
    assert (part.size, part.expected) == (0, None)
    part.file.discard()


@pytest.mark.timeout(20)
def test_batches_reach_the_file_through_one_daemon_writer_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = _part_file(tmp_path, monkeypatch)
    part.start_body(httpx2.Response(200, headers={"content-length": "40"}), 0)
    for _ in range(10):
        part.write(b"abcd")  # ten batches, at most two queued
    writers = [t for t in threading.enumerate() if t.name == "azure-openai-files-writer"]
    assert len(writers) == 1 and writers[0].daemon  # never keeps a process alive
    part.check_complete()
    assert part.file.commit().read_bytes() == b"abcd" * 10
    assert not writers[0].is_alive()


def test_at_most_one_batch_is_buffered_before_the_writer_takes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = _part_file(tmp_path, monkeypatch)  # batches of 4 bytes
    part.start_body(httpx2.Response(200, headers={"content-length": "8"}), 0)
    part.write(b"ab")
    part.write(b"cd")  # a full batch: handed over
    assert part.file._batch_bytes == 0 and part.file._writer is not None
    part.write(b"efgh")
    assert part.file._batch_bytes == 0
    assert part.file.commit().read_bytes() == b"abcdefgh"


def test_a_body_smaller_than_one_batch_is_written_without_a_writer_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = _part_file(tmp_path, monkeypatch)  # batches of 4 bytes
    part.start_body(httpx2.Response(200, headers={"content-length": "3"}), 0)
    for chunk in (b"a", b"b", b"c"):
        part.write(chunk)
    writers = [t for t in threading.enumerate() if t.name == "azure-openai-files-writer"]
    assert writers == []  # still gathering its first batch: no thread needed yet
    assert part.file.commit().read_bytes() == b"abc"


@pytest.mark.skipif(not hasattr(os, "POSIX_FADV_DONTNEED"), reason="a Linux page-cache hint")
@pytest.mark.timeout(20)
def test_writeback_is_started_for_exactly_the_bytes_written_since_the_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, int, int]] = []
    monkeypatch.setattr(
        os,
        "posix_fadvise",
        lambda fd, offset, length, advice: calls.append((offset, length, advice)),
    )
    monkeypatch.setattr(_durable_file, "WRITEBACK_EVERY", 8)
    part = _part_file(tmp_path, monkeypatch)
    part.start_body(httpx2.Response(200, headers={"content-length": "16"}), 0)
    for _ in range(4):
        part.write(b"abcd")
    part.file.commit()
    assert calls == [(0, 8, os.POSIX_FADV_DONTNEED), (8, 8, os.POSIX_FADV_DONTNEED)]


def _short_writes(monkeypatch: pytest.MonkeyPatch, calls: list[tuple[str, int]]) -> None:
    """Every write or writev writes at most 3 bytes, as a signal or a full pipe may leave it."""
    real_write = os.write

    def write(fd: int, data: Any) -> int:
        calls.append(("write", 1))
        return real_write(fd, bytes(data)[:3])

    def writev(fd: int, buffers: list[bytes]) -> int:
        calls.append(("writev", len(buffers)))
        return real_write(fd, b"".join(buffers)[:3])

    monkeypatch.setattr(os, "write", write)
    monkeypatch.setattr(os, "writev", writev, raising=False)


def test_a_batch_is_written_whole_however_short_each_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, int]] = []
    _short_writes(monkeypatch, calls)
    chunks = [b"ab", b"", b"cdefgh", b"i", b"jklmnopq"]
    with open(tmp_path / "out", "wb", buffering=0) as out:
        _durable_file.write_all(out.fileno(), chunks)
    assert (tmp_path / "out").read_bytes() == b"abcdefghijklmnopq"
    assert calls[0] == ("writev", 5)  # one call for the whole batch, then the remainders


def test_a_batch_of_more_buffers_than_writev_takes_goes_in_groups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_durable_file, "IOV_MAX", 16)
    sizes: list[int] = []
    real_writev = os.writev

    def writev(fd: int, buffers: list[bytes]) -> int:
        sizes.append(len(buffers))
        return real_writev(fd, buffers)

    monkeypatch.setattr(os, "writev", writev)
    chunks = [bytes([n]) for n in range(40)]
    with open(tmp_path / "out", "wb", buffering=0) as out:
        _durable_file.write_all(out.fileno(), chunks)
    assert (tmp_path / "out").read_bytes() == bytes(range(40))
    assert sizes == [16, 16, 8]


def test_without_writev_each_chunk_is_written_in_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, int]] = []
    _short_writes(monkeypatch, calls)
    monkeypatch.delattr(os, "writev", raising=False)  # as on Windows
    with open(tmp_path / "out", "wb", buffering=0) as out:
        _durable_file.write_all(out.fileno(), [b"abcde", b"f", b"ghijklm"])
    assert (tmp_path / "out").read_bytes() == b"abcdefghijklm"
    assert {name for name, _ in calls} == {"write"}


@pytest.mark.timeout(20)
def test_a_discarded_download_stops_writing_what_is_still_queued(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writing, disk_free = threading.Event(), threading.Event()
    write_batch = DurableFile._write_batch

    def slow_first_write(part: DurableFile, batch: list[bytes]) -> None:
        if not writing.is_set():  # a slow disk: the first batch takes until it is released
            writing.set()
            disk_free.wait(10)
        write_batch(part, batch)

    monkeypatch.setattr(DurableFile, "_write_batch", slow_first_write)
    part = _part_file(tmp_path, monkeypatch)  # batches of 4 bytes, at most two queued
    part.start_body(httpx2.Response(200, headers={"content-length": "12"}), 0)
    part.write(b"abcd")
    assert writing.wait(10)
    part.write(b"efgh")
    part.write(b"ijkl")  # both queued behind the slow write
    stop_writer = part.file._stop_writer

    def free_the_disk_once_discarding() -> None:
        disk_free.set()
        stop_writer()

    monkeypatch.setattr(part.file, "_stop_writer", free_the_disk_once_discarding)
    reader = os.open(part.file.path, os.O_RDONLY)  # reads the file even after it is unlinked
    try:
        part.file.discard()
        assert os.read(reader, 100) == b"abcd"  # the queued batches were dropped, not written
    finally:
        os.close(reader)
    assert not part.file.path.exists()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_discard_removes_the_part_file_even_when_the_disk_is_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = _part_file(tmp_path, monkeypatch)
    part.start_body(httpx2.Response(200, headers={"content-length": "3"}), 0)
    part.write(b"abc")
    part.resume_headers()  # settled: written to the file
    full = os.open("/dev/full", os.O_WRONLY)
    os.dup2(full, part.file._fd)  # from now on every write fails with ENOSPC
    os.close(full)
    part.file.discard()  # a close that could not write must not keep the part file
    assert list(tmp_path.iterdir()) == []


# --- the flusher ----------------------------------------------------------------------------------


@pytest.mark.timeout(20)
def test_the_flusher_is_one_named_daemon_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_durable_file, "SYNC_EVERY", 2)
    part = _part_file(tmp_path, monkeypatch)  # batches of 4 bytes
    part.start_body(httpx2.Response(200, headers={"content-length": "2"}), 0)
    part.write(b"ab")
    # Less than a batch: written, and the sync asked for, on this thread rather than the
    # writer's, so a flusher inheriting its starter's daemon flag would not be a daemon.
    part.resume_headers()
    flushers = [t for t in threading.enumerate() if t.name == "azure-openai-files-flusher"]
    assert len(flushers) == 1 and flushers[0].daemon  # never keeps a process alive
    assert part.file.commit().read_bytes() == b"ab"
    assert not flushers[0].is_alive()


@pytest.mark.timeout(20)
def test_a_sync_is_asked_for_once_per_sync_interval_not_after_every_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_durable_file, "SYNC_EVERY", 8)
    part = _part_file(tmp_path, monkeypatch)  # batches of 4 bytes
    asked_at: list[int] = []
    request_sync = part.file._request_sync

    def recording_request_sync() -> None:
        asked_at.append(part.file._written)
        request_sync()

    monkeypatch.setattr(part.file, "_request_sync", recording_request_sync)
    part.start_body(httpx2.Response(200, headers={"content-length": "20"}), 0)
    for _ in range(5):
        part.write(b"abcd")
    assert part.file.commit().read_bytes() == b"abcd" * 5
    assert asked_at == [8, 16]


@pytest.mark.timeout(20)
def test_without_fdatasync_the_flusher_syncs_with_fsync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(os, "fdatasync", raising=False)  # as on macOS and Windows
    flushed_mid_download = threading.Event()
    fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        fsync(fd)
        if threading.current_thread().name == "azure-openai-files-flusher":
            flushed_mid_download.set()

    monkeypatch.setattr(os, "fsync", recording_fsync)
    monkeypatch.setattr(_durable_file, "SYNC_EVERY", 4)
    part = _part_file(tmp_path, monkeypatch)  # batches of 4 bytes
    part.start_body(httpx2.Response(200, headers={"content-length": "8"}), 0)
    part.write(b"abcd")  # a full batch: the writer takes it and asks for a sync
    assert flushed_mid_download.wait(5)
    part.write(b"efgh")
    assert part.file.commit().read_bytes() == b"abcdefgh"


# --- the commit -----------------------------------------------------------------------------------


def test_a_short_download_names_what_arrived_and_what_was_announced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = _part_file(tmp_path, monkeypatch)
    part.start_body(httpx2.Response(200, headers={"content-length": "10"}), 0)
    part.write(b"abc")
    with pytest.raises(IncompleteDownloadError) as raised:
        part.check_complete()
    assert (raised.value.received, raised.value.expected) == (3, 10)
    assert str(raised.value) == "content ended after 3 of 10 bytes"
    assert raised.value.__cause__ is None
    part.file.discard()


def test_a_file_short_on_disk_is_never_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = _part_file(tmp_path, monkeypatch)
    part.start_body(httpx2.Response(200, headers={"content-length": "3"}), 0)
    part.write(b"abc")
    part.file.settle()
    part.file._file.flush()
    os.truncate(part.file.path, 1)  # the disk lost bytes behind the writer's back
    with pytest.raises(OSError) as raised:
        part.file.commit()
    assert raised.value.errno == errno.EIO
    assert raised.value.strerror == f"1 of 3 bytes reached {part.file.path}"
    assert not (tmp_path / "out.bin").exists()
    part.file.discard()


def test_a_destination_that_appears_during_the_download_is_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = _part_file(tmp_path, monkeypatch)
    part.start_body(httpx2.Response(200, headers={"content-length": "3"}), 0)
    part.write(b"abc")
    (tmp_path / "out.bin").write_bytes(b"theirs")
    with pytest.raises(FileExistsError) as raised:
        part.file.commit()
    assert str(raised.value) == f"destination {tmp_path / 'out.bin'} appeared during the download"
    assert (tmp_path / "out.bin").read_bytes() == b"theirs"
    part.file.discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]


def _without_hard_links(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")  # as on FAT, and some FUSE mounts

    monkeypatch.setattr(os, "link", refuse)


def test_without_hard_links_the_file_is_renamed_into_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _without_hard_links(monkeypatch)
    part = _part_file(tmp_path, monkeypatch)
    part.start_body(httpx2.Response(200, headers={"content-length": "3"}), 0)
    part.write(b"abc")
    assert part.file.commit().read_bytes() == b"abc"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_without_hard_links_a_destination_that_appeared_is_still_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _without_hard_links(monkeypatch)
    part = _part_file(tmp_path, monkeypatch)
    part.start_body(httpx2.Response(200, headers={"content-length": "3"}), 0)
    part.write(b"abc")
    (tmp_path / "out.bin").write_bytes(b"theirs")
    with pytest.raises(FileExistsError) as raised:
        part.file.commit()
    assert str(raised.value) == f"destination {tmp_path / 'out.bin'} appeared during the download"
    assert (tmp_path / "out.bin").read_bytes() == b"theirs"
    part.file.discard()
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_a_file_of_a_kind_without_a_name_is_refused_as_special(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Linux has no such kind, but BSD and macOS have whiteouts (S_IFWHT) and Solaris doors.
    whiteout = 0o160000 | 0o644
    destination = tmp_path / "out.bin"
    real_stat = os.stat

    def stat_as_whiteout(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        status = real_stat(path, *args, **kwargs)
        if path != destination:
            return status
        return os.stat_result((whiteout, *tuple(status)[1:]))

    destination.write_bytes(b"x")
    monkeypatch.setattr(os, "stat", stat_as_whiteout)
    with pytest.raises(FileExistsError) as raised:
        _durable_file.replaced_file_mode(destination)
    assert str(raised.value) == (
        f"destination {destination} is special, not a regular file; refusing to replace it"
    )


def test_a_destination_that_cannot_be_written_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError) as raised:
        _durable_file.prepare_destination(tmp_path, overwrite=True)
    assert str(raised.value) == f"destination {tmp_path} is a directory; name the file to write"
    missing = tmp_path / "missing" / "out.bin"
    with pytest.raises(FileNotFoundError) as raised_missing:
        _durable_file.prepare_destination(missing, overwrite=True)
    assert str(raised_missing.value) == f"destination folder {missing.parent} does not exist"


# --- resumes --------------------------------------------------------------------------------------


def _resumable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Download:
    part = _part_file(tmp_path, monkeypatch)
    part.start_body(httpx2.Response(200, headers={"content-length": "10"}), 0)
    part.write(b"0123")
    return part


@pytest.mark.parametrize("content_range", ["bytes 4-9/10", "bytes 4-9/*", " bytes 4-9/10 "])
def test_a_matching_206_continues_the_bytes_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content_range: str
) -> None:
    part = _resumable(tmp_path, monkeypatch)
    assert part.resume_headers() == {"Range": "bytes=4-"}
    part.start_body(httpx2.Response(206, headers={"content-range": content_range}), 4)
    part.write(b"456789")
    part.check_complete()
    assert part.file.commit().read_bytes() == b"0123456789"


def test_a_body_sent_identity_encoded_is_resumed_like_a_plain_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `identity` is no encoding: the bytes on disk are the wire's, so Range can continue them.
    identity = {"content-encoding": "identity"}
    part = _part_file(tmp_path, monkeypatch)
    part.start_body(httpx2.Response(200, headers={**identity, "content-length": "10"}), 0)
    assert part.expected == 10
    part.write(b"0123")
    assert part.resume_headers() == {"Range": "bytes=4-"}
    continued = {**identity, "content-range": "bytes 4-9/10"}
    part.start_body(httpx2.Response(206, headers=continued), 4)
    part.write(b"456789")
    part.check_complete()
    assert part.file.commit().read_bytes() == b"0123456789"


@pytest.mark.parametrize("content_range", [None, "bytes 4-9/11", "bytes 3-9/10", "bytes */10"])
def test_a_206_that_does_not_continue_restarts_from_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content_range: str | None
) -> None:
    part = _resumable(tmp_path, monkeypatch)
    headers = {} if content_range is None else {"content-range": content_range}
    with pytest.raises(IncompleteDownloadError) as raised:
        part.start_body(httpx2.Response(206, headers=headers), 4)
    assert str(raised.value) == (
        "content ended after 0 bytes: ValueError: Content-Range does not continue at byte 4"
    )
    assert (raised.value.received, raised.value.expected) == (0, None)
    assert part.size == 0 and part.resume_headers() == {}
    part.file.discard()


def test_a_success_status_other_than_200_is_not_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = _part_file(tmp_path, monkeypatch)
    response = httpx2.Response(203, headers={"apim-request-id": "r-1"})
    with pytest.raises(UnexpectedResponseError) as raised:
        part.start_body(response, 0)
    assert raised.value.message == "unexpected success status 203 for file content"
    assert (raised.value.status_code, raised.value.request_id) == (203, "r-1")
    part.file.discard()


def _content_request() -> Request:
    return Request(
        "GET",
        "http://127.0.0.1/openai/files/f/content",
        {"x-ms-client-request-id": "req-7"},
        None,
        {},
    )


def _delay_after_cut(
    part: Download, state: RetryState, failure: IncompleteDownloadError, started_from: int
) -> float:
    """What the download loop does after a cut body: the pipeline's wait before the next
    attempt, the attempt left out of the budget when it received new bytes."""
    settings = resolve_settings(
        "http://127.0.0.1", api_version=None, timeout=None, retry_policy=state.policy, deadline=None
    )
    progressed = part.forgive(state, started_from)
    return PipelineBase(settings).delay_before_retry(
        _content_request(), state, failure, progressed=progressed
    )


def test_a_free_resume_logs_the_new_bytes_the_failure_and_the_request_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="azure_openai_files")
    part = _resumable(tmp_path, monkeypatch)  # bytes 0-3 of 10
    part.write(b"456")  # an attempt resumed at byte 4 got three more, then broke
    state = RetryState(RetryPolicy(), None)
    state.attempts = 1
    failure = incomplete(7, 10, None)
    delay = _delay_after_cut(part, state, failure, 4)
    assert state.attempts == 0  # not counted
    assert [r.getMessage() for r in caplog.records if r.name == "azure_openai_files"] == [
        f"Retrying GET /openai/files/f/content in {delay:.2f} s (not counted: the attempt "
        "received 3 new bytes before it failed: content ended after 7 of 10 bytes; client "
        "request id req-7)"
    ]
    part.file.discard()


def test_a_free_resume_that_would_pass_the_deadline_raises_chained_to_the_cut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = _resumable(tmp_path, monkeypatch)  # 4 bytes received from byte 0
    state = RetryState(RetryPolicy(), 0.0)  # already over: any wait passes it
    state.client_request_id = "req-7"
    failure = incomplete(4, 10, None)
    with pytest.raises(RequestTimeoutError) as raised:
        _delay_after_cut(part, state, failure, 0)
    assert str(raised.value) == (
        f"deadline of 0 s would pass before the next attempt (last failure: {failure})"
    )
    assert raised.value.__cause__ is failure
    assert failure.client_request_id == "req-7"  # the cut names the call it belonged to
    part.file.discard()


# --- temporary names and leftovers ----------------------------------------------------------------


def test_a_temporary_name_already_taken_is_drawn_again_not_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draws = iter([b"\x00" * 6, b"\x01" * 6])
    monkeypatch.setattr(os, "urandom", lambda n: next(draws))
    taken = tmp_path / ".out.bin.000000000000.part"
    taken.write_bytes(b"theirs")
    handle, path = _durable_file._create_part_file(tmp_path / "out.bin")
    os.close(handle)
    assert path == tmp_path / ".out.bin.010101010101.part"
    assert taken.read_bytes() == b"theirs"


def test_the_temporary_name_is_drawn_at_most_a_hundred_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draws: list[int] = []
    monkeypatch.setattr(os, "urandom", lambda n: draws.append(n) or b"\x00" * n)  # type: ignore[func-returns-value]
    (tmp_path / ".out.bin.000000000000.part").write_bytes(b"theirs")
    with pytest.raises(FileExistsError) as raised:
        _durable_file._create_part_file(tmp_path / "out.bin")
    assert (raised.value.errno, raised.value.strerror) == (
        errno.EEXIST,
        f"no free temporary name beside {tmp_path / 'out.bin'}",
    )
    assert draws == [6] * 100


def test_the_temporary_file_is_opened_in_binary_mode_where_there_is_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Windows' O_BINARY keeps the C runtime from writing b"\n" as b"\r\n"; stood in for by a
    # flag this system has, so that the flags passed can be seen.
    monkeypatch.setattr(os, "O_BINARY", os.O_CLOEXEC, raising=False)
    opened: list[int] = []
    real_open = os.open

    def recording_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        opened.append(flags)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", recording_open)
    handle, _ = _durable_file._create_part_file(tmp_path / "out.bin")
    os.close(handle)
    assert opened == [os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC]


_real_scandir = os.scandir


class _EntriesInOrder:
    """`os.scandir` with its entries in a chosen order (the real one is the filesystem's)."""

    def __init__(self, folder: Any, first: str) -> None:
        with _real_scandir(folder) as entries:
            self.entries = sorted(entries, key=lambda entry: entry.name != first)

    def __enter__(self) -> _EntriesInOrder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def __iter__(self) -> Iterator[os.DirEntry[str]]:
        return iter(self.entries)


def test_stale_part_files_are_removed_whatever_is_listed_before_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = time.time() - 2 * _durable_file.STALE_PART_AGE
    stale = tmp_path / ".out.bin.0123456789ab.part"
    stale.write_bytes(b"x")
    os.utime(stale, (old, old))
    (tmp_path / "notes.txt").write_bytes(b"x")
    monkeypatch.setattr(os, "scandir", lambda folder: _EntriesInOrder(folder, "notes.txt"))
    _durable_file.remove_stale_parts(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_part_file_exactly_the_stale_age_old_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = 1_700_000_000  # whole seconds: the file's mtime is then exactly the cutoff
    part = tmp_path / ".out.bin.0123456789ab.part"
    part.write_bytes(b"x")
    os.utime(part, (now - _durable_file.STALE_PART_AGE, now - _durable_file.STALE_PART_AGE))
    monkeypatch.setattr(_durable_file.time, "time", lambda: float(now))  # type: ignore[attr-defined]
    _durable_file.remove_stale_parts(tmp_path)
    assert part.exists()  # "older than" the stale age, not as old as it


def test_a_part_file_left_by_a_killed_download_is_removed_by_the_next_download(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    killed = _part_file(tmp_path, monkeypatch)
    killed.file._file.close()  # the process died: nothing unlinked it
    old = time.time() - 2 * _durable_file.STALE_PART_AGE
    os.utime(killed.file.path, (old, old))
    following = _part_file(tmp_path, monkeypatch)
    assert [p.name for p in tmp_path.iterdir()] == [following.file.path.name]
    following.file.discard()
