"""Downloads: what may be replaced, what lands on disk with which mode, encoded bodies,
resumes and their retry budget, leftovers, and each step of the commit, observed."""

from __future__ import annotations

import errno
import gzip
import logging
import os
import signal
import socket
import stat
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from azure_openai_files import IncompleteDownloadError, TransportError, UnexpectedResponseError
from azure_openai_files._durable_file import DurableFile
from tests.support.clients import FAST_RETRIES, KINDS, Clients
from tests.support.loopback import (
    LoopbackServer,
    ReceivedRequest,
    partial_body,
    respond,
    respond_chunked,
    serve_range,
)

BODY = bytes(range(256)) * 2048  # 512 KiB, not valid UTF-8
GZIPPED = gzip.compress(BODY)
OCTETS = "application/octet-stream"
DAY = 24 * 60 * 60

pytestmark = pytest.mark.timeout(60)
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")


@pytest.fixture(params=KINDS)
def clients(request: pytest.FixtureRequest, server: LoopbackServer) -> Clients:
    return Clients(request.param, server.endpoint, max_retries=3, **FAST_RETRIES)


def refuses_chunked_with_length(clients: Clients) -> bool:
    """Whether the transport refuses a chunked response that also has a Content-Length (a
    request-smuggling shape) outright, as aiohttp does: then a typed transport error says
    so, and no content is handed on."""
    if clients.kind != "aiohttp":
        return False
    with pytest.raises(TransportError, match="Content-Length can't be present with Transfer"):
        clients.stream("f")
    return True


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def ranges(server: LoopbackServer) -> list[str | None]:
    return [r.headers.get("range") for r in server.requests]


@pytest.fixture
def umask() -> Iterator[Any]:
    """Set the process umask for one test, then put the previous one back."""
    previous = os.umask(0o022)
    try:
        yield os.umask
    finally:
        os.umask(previous)


# --- what an existing destination may be -------------------------------------------------


@needs_fifo
def test_overwrite_refuses_a_fifo_before_sending(
    clients: Clients, server: LoopbackServer, tmp_path: Path
) -> None:
    fifo = tmp_path / "out.bin"
    os.mkfifo(fifo)
    server.script(respond(200, BODY, content_type=OCTETS))
    with pytest.raises(FileExistsError, match="FIFO"):
        clients.download("f", fifo, overwrite=True)
    assert server.requests == []
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and [p.name for p in tmp_path.iterdir()] == [
        "out.bin"
    ]


@pytest.mark.skipif(not os.path.exists("/dev/null") or os.name != "posix", reason="POSIX only")
def test_overwrite_refuses_a_symlink_to_a_device(
    clients: Clients, server: LoopbackServer, tmp_path: Path
) -> None:
    link = tmp_path / "out.bin"
    link.symlink_to("/dev/null")
    server.script(respond(200, BODY, content_type=OCTETS))
    with pytest.raises(FileExistsError, match="character device"):
        clients.download("f", link, overwrite=True)
    assert server.requests == []
    assert os.readlink(link) == "/dev/null" and [p.name for p in tmp_path.iterdir()] == ["out.bin"]
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_overwrite_refuses_a_symlink_to_nothing(
    clients: Clients, server: LoopbackServer, tmp_path: Path
) -> None:
    link = tmp_path / "out.bin"
    link.symlink_to(tmp_path / "missing")
    server.script(respond(200, BODY, content_type=OCTETS))
    with pytest.raises(FileExistsError, match="symlink to nothing"):
        clients.download("f", link, overwrite=True)
    assert server.requests == [] and os.path.islink(link)


def test_a_symlink_to_a_regular_file_is_itself_replaced_and_its_target_kept(
    clients: Clients, server: LoopbackServer, tmp_path: Path
) -> None:
    target = tmp_path / "target.bin"
    target.write_bytes(b"kept")
    link = tmp_path / "out.bin"
    link.symlink_to(target)
    server.script(respond(200, BODY, content_type=OCTETS))
    clients.download("f", link, overwrite=True)
    assert not link.is_symlink() and link.read_bytes() == BODY
    assert target.read_bytes() == b"kept"


@needs_fifo
def test_a_destination_that_became_a_fifo_during_the_download_is_not_replaced(
    clients: Clients, server: LoopbackServer, tmp_path: Path
) -> None:
    destination = tmp_path / "out.bin"
    destination.write_bytes(b"old")

    def swap_for_a_fifo(done: int, total: int | None) -> None:
        if destination.is_file():
            destination.unlink()
            os.mkfifo(destination)

    server.script(respond(200, BODY, content_type=OCTETS))
    with pytest.raises(FileExistsError, match="FIFO"):
        clients.download("f", destination, overwrite=True, progress=swap_for_a_fifo)
    assert stat.S_ISFIFO(os.lstat(destination).st_mode) and leftovers(tmp_path) == []


# --- modes -------------------------------------------------------------------------------


@pytest.mark.parametrize(("mask", "mode"), [(0o002, 0o664), (0o027, 0o640)])
def test_a_new_download_follows_the_umask(
    clients: Clients, server: LoopbackServer, tmp_path: Path, umask: Any, mask: int, mode: int
) -> None:
    umask(mask)
    server.script(respond(200, BODY, content_type=OCTETS))
    path = clients.download("f", tmp_path / "out.bin")
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_an_overwritten_file_keeps_its_mode(
    clients: Clients, server: LoopbackServer, tmp_path: Path, umask: Any
) -> None:
    destination = tmp_path / "out.bin"
    destination.write_bytes(b"old")
    destination.chmod(0o604)
    server.script(respond(200, BODY, content_type=OCTETS))
    clients.download("f", destination, overwrite=True)
    assert destination.read_bytes() == BODY and stat.S_IMODE(destination.stat().st_mode) == 0o604


# --- content-encoded bodies ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "encoded"), [("gzip", GZIPPED), ("deflate", zlib.compress(BODY))]
)
def test_an_encoded_download_is_written_decoded(
    clients: Clients, server: LoopbackServer, tmp_path: Path, encoding: str, encoded: bytes
) -> None:
    server.script(respond(200, encoded, {"Content-Encoding": encoding}, content_type=OCTETS))
    assert clients.download("f", tmp_path / "out.bin").read_bytes() == BODY
    assert len(server.requests) == 1 and leftovers(tmp_path) == []


def test_a_gzip_encoded_body_read_whole_is_decoded(
    clients: Clients, server: LoopbackServer
) -> None:
    server.script(respond(200, GZIPPED, {"Content-Encoding": "gzip"}, content_type=OCTETS))
    assert clients.call("get_file_content", "f") == BODY


def test_a_gzip_encoded_stream_hands_on_decoded_bytes(
    clients: Clients, server: LoopbackServer
) -> None:
    server.script(respond(200, GZIPPED, {"Content-Encoding": "gzip"}, content_type=OCTETS))
    body, described = clients.stream("f")
    assert body == BODY and described["content_length"] == len(GZIPPED)
    assert len(server.requests) == 1


def test_a_cut_encoded_download_restarts_instead_of_resuming(
    clients: Clients, server: LoopbackServer, tmp_path: Path
) -> None:
    encoded = {"Content-Encoding": "gzip"}
    server.script(
        partial_body(GZIPPED, len(GZIPPED) // 2, headers=encoded),
        respond(200, GZIPPED, encoded, content_type=OCTETS),
    )
    assert clients.download("f", tmp_path / "out.bin").read_bytes() == BODY
    assert ranges(server) == [None, None]


def test_an_encoded_body_shorter_on_the_wire_than_announced_is_incomplete(
    clients: Clients, server: LoopbackServer
) -> None:
    headers = {"Content-Encoding": "gzip", "Content-Length": str(len(GZIPPED) + 10)}
    server.script(respond_chunked(200, GZIPPED, headers))
    if refuses_chunked_with_length(clients):
        return
    with pytest.raises(IncompleteDownloadError) as caught:
        clients.stream("f")
    assert (caught.value.received, caught.value.expected) == (len(GZIPPED), len(GZIPPED) + 10)


@pytest.mark.parametrize("encoding", ["br", "x-gzip", "gzip, compress"])
def test_an_encoding_the_client_cannot_decode_is_refused_and_leaves_nothing(
    clients: Clients, server: LoopbackServer, tmp_path: Path, encoding: str
) -> None:
    server.script(respond(200, GZIPPED, {"Content-Encoding": encoding}, content_type=OCTETS))
    with pytest.raises(UnexpectedResponseError, match="cannot decode"):
        clients.download("f", tmp_path / "out.bin")
    assert list(tmp_path.iterdir()) == [] and len(server.requests) == 1
    with pytest.raises(UnexpectedResponseError, match="cannot decode"):
        clients.stream("f")


@pytest.mark.parametrize("encoding", ["br", "zstd", "compress", "x-unknown-coding"])
def test_content_read_whole_in_an_encoding_the_client_cannot_decode_is_refused(
    clients: Clients, server: LoopbackServer, encoding: str
) -> None:
    server.script(respond(200, GZIPPED, {"Content-Encoding": encoding}, content_type=OCTETS))
    with pytest.raises(UnexpectedResponseError, match="cannot decode") as caught:
        clients.call("get_file_content", "f")
    assert caught.value.status_code == 200 and len(server.requests) == 1
    assert caught.value.client_request_id == server.requests[0].headers["x-ms-client-request-id"]


@pytest.mark.parametrize("reader", ["get_file_content", "stream", "download"])
def test_a_body_that_does_not_decode_as_declared_is_refused_once_not_retried(
    clients: Clients, server: LoopbackServer, tmp_path: Path, reader: str
) -> None:
    server.script(respond(200, BODY, {"Content-Encoding": "gzip"}, content_type=OCTETS))
    with pytest.raises(UnexpectedResponseError, match="does not decode") as caught:
        if reader == "get_file_content":
            clients.call("get_file_content", "f")
        elif reader == "stream":
            clients.stream("f")
        else:
            clients.download("f", tmp_path / "out.bin")
    assert not isinstance(caught.value, IncompleteDownloadError)
    assert caught.value.status_code == 200 and len(server.requests) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_refused_encoding_names_only_the_codings_not_decoded_and_the_response(
    clients: Clients, server: LoopbackServer
) -> None:
    headers = {"Content-Encoding": "gzip, br, zstd", "apim-request-id": "req-9"}
    server.script(respond(200, GZIPPED, headers, content_type=OCTETS))
    with pytest.raises(UnexpectedResponseError) as caught:
        clients.stream("f")
    assert str(caught.value) == (
        "the content arrived with Content-Encoding br, zstd, which this client cannot decode"
        " (it asks for identity) (HTTP 200, request id req-9)"
    )
    assert caught.value.status_code == 200


# --- resumes and the retry budget ----------------------------------------------------------


def test_a_resume_adopts_the_total_when_the_first_response_had_no_length(
    clients: Clients, server: LoopbackServer, tmp_path: Path
) -> None:
    totals: list[int | None] = []
    server.script(
        serve_range(BODY, cut_after=100_000, length=False),
        serve_range(BODY, upto=200_000),  # complete, but not the rest: the total says so
        serve_range(BODY),
    )
    path = clients.download("f", tmp_path / "out.bin", progress=lambda _, t: totals.append(t))
    assert path.read_bytes() == BODY
    assert ranges(server) == [None, "bytes=100000-", "bytes=200000-"]
    assert totals[0] is None and totals[-1] == len(BODY)


def test_a_resume_with_an_unknown_total_keeps_the_bytes_on_disk(
    clients: Clients, server: LoopbackServer, tmp_path: Path
) -> None:
    server.script(serve_range(BODY, cut_after=100_000), serve_range(BODY, announce_total=False))
    assert clients.download("f", tmp_path / "out.bin").read_bytes() == BODY
    assert ranges(server) == [None, "bytes=100000-"]


def test_attempts_that_make_progress_do_not_use_up_the_retries(
    server: LoopbackServer, tmp_path: Path
) -> None:
    for kind in KINDS:
        server.script(*[serve_range(BODY, cut_after=50_000)] * 5, serve_range(BODY))
        path = Clients(kind, server.endpoint, max_retries=1, **FAST_RETRIES).download(
            "f", tmp_path / f"{kind}.bin"
        )
        assert path.read_bytes() == BODY
        assert ranges(server) == [None] + [f"bytes={n * 50_000}-" for n in range(1, 6)]


def test_attempts_without_progress_still_use_up_the_retries(
    clients: Clients, server: LoopbackServer, tmp_path: Path
) -> None:
    server.script(serve_range(BODY, cut_after=100_000), serve_range(BODY, cut_after=0))
    with pytest.raises(IncompleteDownloadError):
        clients.download("f", tmp_path / "out.bin")
    assert ranges(server) == [None] + ["bytes=100000-"] * 4  # the free one, then 1 + 3 retries
    assert list(tmp_path.iterdir()) == []


def test_a_free_resume_is_logged_and_the_budgeted_attempts_are_numbered_from_one(
    server: LoopbackServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="azure_openai_files")
    server.script(serve_range(BODY, cut_after=100_000), serve_range(BODY, cut_after=0))
    with pytest.raises(IncompleteDownloadError):
        Clients("sync", server.endpoint, max_retries=1, **FAST_RETRIES).download(
            "f", tmp_path / "o"
        )
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert len(messages) == 2, messages
    assert messages[0].startswith("Retrying GET /openai/files/f/content in ")
    assert "(not counted: the attempt received 100000 new bytes before it failed: " in messages[0]
    assert "attempt 1 of 2 failed" in messages[1]


def test_free_resumes_are_bounded(
    server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("azure_openai_files._download.MAX_FREE_RESUMES", 2)
    for kind in KINDS:
        server.script(serve_range(BODY, cut_after=1_000))
        with pytest.raises(IncompleteDownloadError):
            Clients(kind, server.endpoint, max_retries=1, **FAST_RETRIES).download(
                "f", tmp_path / "out.bin"
            )
        assert len(server.requests) == 2 + 1 + 1  # free ones, first attempt, one retry
        assert list(tmp_path.iterdir()) == []


# --- leftovers -----------------------------------------------------------------------------


def test_stale_part_files_are_removed_when_a_download_starts(
    clients: Clients, server: LoopbackServer, tmp_path: Path
) -> None:
    old = time.time() - 2 * DAY
    stale = tmp_path / ".other.bin.0123456789ab.part"
    fresh = tmp_path / ".other.bin.ba9876543210.part"  # maybe another download, running
    not_ours = tmp_path / "notes.0123456789ab.part"
    stale_folder = tmp_path / ".folder.0123456789ab.part"
    stale_link = tmp_path / ".link.0123456789ab.part"  # not a file this package wrote
    for path in (stale, fresh, not_ours):
        path.write_bytes(b"x")
    stale_folder.mkdir()
    stale_link.symlink_to(not_ours)
    for path in (stale, not_ours, stale_folder, stale_link):
        os.utime(path, (old, old), follow_symlinks=False)
    server.script(respond(200, BODY, content_type=OCTETS))
    clients.download("f", tmp_path / "out.bin")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["out.bin", fresh.name, not_ours.name, stale_folder.name, stale_link.name]
    )


def stall_mid_body(seconds: float) -> Any:
    def reply(conn: socket.socket, request: ReceivedRequest) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(BODY)}\r\n\r\n".encode()
        conn.sendall(head + BODY[:100_000])
        time.sleep(seconds)

    return reply


def test_a_download_stopped_by_a_signal_handler_raising_system_exit_leaves_no_part(
    clients: Clients, server: LoopbackServer, tmp_path: Path
) -> None:
    """What the README tells library callers to do about SIGTERM."""

    def exit_on_sigterm(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    receiving = threading.Event()
    server.script(stall_mid_body(5))
    previous = signal.signal(signal.SIGTERM, exit_on_sigterm)

    def terminate_once_receiving() -> None:
        if receiving.wait(5):
            os.kill(os.getpid(), signal.SIGTERM)

    killer = threading.Thread(target=terminate_once_receiving, daemon=True)
    killer.start()
    try:
        with pytest.raises(SystemExit) as caught:
            clients.download("f", tmp_path / "out.bin", progress=lambda *_: receiving.set())
    finally:
        signal.signal(signal.SIGTERM, previous)
        killer.join(5)
    assert caught.value.code == 128 + signal.SIGTERM and receiving.is_set()
    assert list(tmp_path.iterdir()) == []


# --- each step of the commit, observed -----------------------------------------------------


class DiskLog:
    """Records fsyncs (of files and of folders) and renames/links, in order."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.events: list[tuple[str, int]] = []  # (what, inode)
        fsync, link, replace = os.fsync, os.link, os.replace

        def logged_fsync(fd: int) -> None:
            status = os.fstat(fd)
            kind = "fsync folder" if stat.S_ISDIR(status.st_mode) else "fsync file"
            self.events.append((kind, status.st_ino))
            fsync(fd)

        def logged_link(source: Any, destination: Any, **kwargs: Any) -> None:
            self.events.append(("rename", os.stat(source).st_ino))
            link(source, destination, **kwargs)

        def logged_replace(source: Any, destination: Any, **kwargs: Any) -> None:
            self.events.append(("rename", os.stat(source).st_ino))
            replace(source, destination, **kwargs)

        monkeypatch.setattr(os, "fsync", logged_fsync)
        monkeypatch.setattr(os, "link", logged_link)
        monkeypatch.setattr(os, "replace", logged_replace)


@pytest.mark.parametrize("overwrite", [False, True])
def test_the_file_is_flushed_to_disk_before_it_is_renamed(
    clients: Clients,
    server: LoopbackServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    overwrite: bool,
) -> None:
    disk = DiskLog(monkeypatch)
    server.script(respond(200, BODY, content_type=OCTETS))
    file = os.stat(clients.download("f", tmp_path / "out.bin", overwrite=overwrite)).st_ino
    assert disk.events.index(("fsync file", file)) < disk.events.index(("rename", file))


def test_the_folder_is_flushed_to_disk_after_the_rename(
    clients: Clients, server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk = DiskLog(monkeypatch)
    server.script(respond(200, BODY, content_type=OCTETS))
    file = os.stat(clients.download("f", tmp_path / "out.bin")).st_ino
    folder = os.stat(tmp_path).st_ino
    assert disk.events.index(("rename", file)) < disk.events.index(("fsync folder", folder))


def test_a_long_download_is_flushed_to_disk_as_it_arrives(
    clients: Clients, server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Flushed along the way, the fsync before the rename has little left to write.
    monkeypatch.setattr("azure_openai_files._durable_file.BATCH_BYTES", 16 * 1024)
    monkeypatch.setattr("azure_openai_files._durable_file.SYNC_EVERY", 64 * 1024)
    synced_sizes: list[int] = []
    synced = threading.Event()
    fdatasync = getattr(os, "fdatasync", os.fsync)

    def recording_fdatasync(fd: int) -> None:
        synced_sizes.append(os.fstat(fd).st_size)
        synced.set()
        fdatasync(fd)

    def first_half_then_the_rest(conn: Any, request: Any) -> None:
        # The rest waits for a sync of what has arrived (at most 10 s): on a busy machine the
        # whole body could otherwise be written before the flusher thread ever runs.
        half = len(BODY) // 2
        conn.sendall(
            f"HTTP/1.1 200 OK\r\nContent-Length: {len(BODY)}\r\n"
            f"Content-Type: {OCTETS}\r\n\r\n".encode()
            + BODY[:half]
        )
        synced.wait(10)
        conn.sendall(BODY[half:])

    monkeypatch.setattr(os, "fdatasync", recording_fdatasync, raising=False)
    disk = DiskLog(monkeypatch)
    server.script(first_half_then_the_rest)
    assert clients.download("f", tmp_path / "out.bin").read_bytes() == BODY
    assert synced_sizes and 0 < min(synced_sizes) < len(BODY)  # mid-download, not at the end
    assert [kind for kind, _ in disk.events].count("fsync file") == 1  # and still at the end


def test_bytes_lost_on_the_way_to_disk_fail_the_commit(
    clients: Clients, server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_batch = DurableFile._write_batch

    def lose_the_last_chunk(part: DurableFile, batch: list[bytes]) -> None:
        write_batch(part, batch[:-1])
        part._written += len(batch[-1])  # the file believes it was written

    monkeypatch.setattr(DurableFile, "_write_batch", lose_the_last_chunk)
    server.script(respond(200, BODY, content_type=OCTETS))
    with pytest.raises(OSError) as caught:
        clients.download("f", tmp_path / "out.bin")
    assert caught.value.errno == errno.EIO and list(tmp_path.iterdir()) == []


def test_a_stream_shorter_than_its_content_length_raises_when_the_transport_lets_it_through(
    clients: Clients, server: LoopbackServer
) -> None:
    # A chunked body ends cleanly, so only the stream's own check sees the short count.
    server.script(respond_chunked(200, BODY[:1000], {"Content-Length": str(len(BODY))}))
    if refuses_chunked_with_length(clients):
        return
    with pytest.raises(IncompleteDownloadError) as caught:
        clients.stream("f", client_request_id="short-1")
    assert (caught.value.received, caught.value.expected) == (1000, len(BODY))
    assert caught.value.client_request_id == "short-1"  # the id support asks for


def test_a_destination_created_during_the_download_is_not_clobbered(
    clients: Clients, server: LoopbackServer, tmp_path: Path
) -> None:
    destination = tmp_path / "out.bin"

    def someone_else_writes_it(done: int, total: int | None) -> None:
        if not destination.exists():
            destination.write_bytes(b"theirs")

    server.script(respond(200, BODY, content_type=OCTETS))
    with pytest.raises(FileExistsError, match="appeared during the download"):
        clients.download("f", destination, progress=someone_else_writes_it)
    assert destination.read_bytes() == b"theirs" and leftovers(tmp_path) == []


@pytest.mark.parametrize("below", [(), ("sub",)], ids=["parent", "ancestor"])
def test_a_destination_below_a_regular_file_is_not_a_directory_before_sending(
    clients: Clients, server: LoopbackServer, tmp_path: Path, below: tuple[str, ...]
) -> None:
    in_the_way = tmp_path / "report.jsonl"
    in_the_way.write_bytes(b"kept")
    destination = in_the_way.joinpath(*below, "out.bin")
    with pytest.raises(NotADirectoryError) as caught:
        clients.download("f", destination)
    assert str(caught.value) == (
        f"destination folder {destination.parent} is not a folder: {in_the_way} is a file"
    )
    assert server.requests == [] and in_the_way.read_bytes() == b"kept"
