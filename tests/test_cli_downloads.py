"""`azure-openai-files download` and its output: the verified file, where it lands (the
service's name made safe, a folder, stdout), what it refuses to replace, the progress line
on a terminal, and no part file left behind by a signal.

Tests call `main(argv)` in-process against the replay server (recorded responses) or a
scripted loopback server (faults)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from azure_openai_files._cli import EXIT_HANGUP, EXIT_NETWORK, EXIT_OK, EXIT_TERMINATED, EXIT_USAGE
from tests.support.cli import (
    API_VERSION,
    DOCS_FILE,
    HOSTILE_NAME,
    LARGE_FILE,
    PENDING,
    RESULTS_FILE,
    SECRET_KEY,
    one_error_line,
    recording,
    run_cli,
)
from tests.support.loopback import (
    LoopbackServer,
    ReceivedRequest,
    partial_body,
    respond,
    respond_json,
)
from tests.support.replay import GeneratedBody, ReplayServer, replay_server


@pytest.fixture(scope="module")
def replay() -> Iterator[ReplayServer]:
    with replay_server(API_VERSION) as server:
        yield server


# --------------------------------------------------------------------------------------
# download
# --------------------------------------------------------------------------------------


def test_download_writes_the_verified_file(
    replay: ReplayServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "metrics.jsonl"

    code = run_cli(
        "--endpoint", replay.endpoint, "--api-key", SECRET_KEY,
        "download", RESULTS_FILE, "-o", str(target),
    )  # fmt: skip

    out, err = capsys.readouterr()
    assert code == EXIT_OK
    expected = recording("content-fine-tune-results").body_bytes()  # type: ignore[attr-defined]
    assert target.read_bytes() == expected
    assert out.strip() == str(target)
    assert f"downloaded {len(expected)} bytes" in err
    assert "\r" not in err  # not a terminal: no progress line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.jsonl"]


def test_download_defaults_to_the_service_filename(
    replay: ReplayServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)

    code = run_cli("--endpoint", replay.endpoint, "--api-key", SECRET_KEY, "download", RESULTS_FILE)

    assert code == EXIT_OK
    assert (tmp_path / "step_metrics.jsonl").is_file()


def test_download_never_writes_outside_the_current_folder(
    server: LoopbackServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    server.script(
        respond_json(200, PENDING | {"filename": "../escape.txt"}),
        respond(200, b"data", content_type="application/octet-stream"),
    )

    assert run_cli("--endpoint", server.endpoint, "--api-key", "k", "download", "file-x") == 0
    assert (work / "escape.txt").read_bytes() == b"data"
    assert not (tmp_path / "escape.txt").exists()


def test_download_refuses_an_existing_file_unless_overwrite(
    replay: ReplayServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "metrics.jsonl"
    target.write_bytes(b"keep me")
    base = ("--endpoint", replay.endpoint, "--api-key", SECRET_KEY, "download", RESULTS_FILE)

    assert run_cli(*base, "-o", str(target)) == EXIT_USAGE
    assert "exists" in one_error_line(capsys.readouterr().err)
    assert target.read_bytes() == b"keep me"

    assert run_cli(*base, "-o", str(target), "--overwrite") == EXIT_OK
    expected = recording("content-fine-tune-results").body_bytes()  # type: ignore[attr-defined]
    assert target.read_bytes() == expected


def test_existing_destination_message_names_the_overwrite_flag(
    replay: ReplayServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "exists.jsonl"
    target.write_text("keep")

    code = run_cli(
        "--endpoint", replay.endpoint, "--api-key", "k", "download", RESULTS_FILE, "-o", str(target)
    )

    line = one_error_line(capsys.readouterr().err)
    assert code == EXIT_USAGE
    assert "use --overwrite" in line
    assert "overwrite=True" not in line


def test_incomplete_download_exits_4_and_leaves_nothing(
    server: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.script(partial_body(b"x" * 5000, 1000))

    code = run_cli(
        "--endpoint", server.endpoint, "--api-key", SECRET_KEY, "--max-retries", "0",
        "download", "file-x", "-o", str(tmp_path / "out.bin"),
    )  # fmt: skip

    assert code == EXIT_NETWORK
    assert "IncompleteDownloadError" in one_error_line(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []


def test_download_json_describes_the_written_file(
    replay: ReplayServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "m.jsonl"

    code = run_cli(
        "download", RESULTS_FILE, "-o", str(target), "--json",
        "--endpoint", replay.endpoint, "--api-key", SECRET_KEY,
    )  # fmt: skip

    out = capsys.readouterr().out
    assert code == EXIT_OK
    size = len(recording("content-fine-tune-results").body_bytes())  # type: ignore[attr-defined]
    assert json.loads(out) == {"id": RESULTS_FILE, "path": str(target), "bytes": size}


def test_server_filename_is_sanitized_for_the_default_destination(
    server: LoopbackServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    server.script(
        respond_json(200, PENDING | {"filename": HOSTILE_NAME}),
        respond(200, b"data", content_type="application/octet-stream"),
    )

    assert run_cli("--endpoint", server.endpoint, "--api-key", "k", "download", "file-x") == 0

    assert [p.name for p in tmp_path.iterdir()] == ["report]0;owned[31mred.jsonl"]
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err


# --------------------------------------------------------------------------------------
# Progress on a terminal
# --------------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_download_shows_progress_on_a_terminal(
    replay: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    target = tmp_path / "large.bin"

    code = run_cli(
        "--endpoint", replay.endpoint, "--api-key", SECRET_KEY,
        "download", LARGE_FILE, "-o", str(target),
    )  # fmt: skip

    assert code == EXIT_OK
    body = recording("content-large-file").body  # type: ignore[attr-defined]
    assert isinstance(body, GeneratedBody)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == body.sha256
    text = terminal.getvalue()
    last = text.split("\n")[0].split("\r")[-1]
    assert "100%" in last
    size = f"{body.size / 2**20:.1f} MiB"
    assert f"{size} / {size}" in last
    assert "/s" in last
    assert "ETA" in last


# --------------------------------------------------------------------------------------
# -o DIR/ and -o -
# --------------------------------------------------------------------------------------


def test_download_into_an_existing_folder_uses_the_files_own_name(
    replay: ReplayServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "results"
    folder.mkdir()

    code = run_cli(
        "--endpoint", replay.endpoint, "--api-key", SECRET_KEY,
        "download", RESULTS_FILE, "-o", f"{folder}/",
    )  # fmt: skip

    out = capsys.readouterr().out
    assert code == EXIT_OK
    written = folder / "step_metrics.jsonl"
    expected = recording("content-fine-tune-results").body_bytes()  # type: ignore[attr-defined]
    assert written.read_bytes() == expected
    assert out.strip() == str(written)


def test_download_into_a_missing_folder_is_refused(
    replay: ReplayServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_cli(
        "--endpoint", replay.endpoint, "--api-key", SECRET_KEY,
        "download", RESULTS_FILE, "-o", f"{tmp_path}/missing/",
    )  # fmt: skip

    assert code == EXIT_USAGE
    assert "no such folder" in one_error_line(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []


def test_download_to_stdout_streams_the_content(
    replay: ReplayServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    monkeypatch.chdir(tmp_path)

    code = run_cli(
        "--endpoint", replay.endpoint, "--api-key", SECRET_KEY, "download", RESULTS_FILE, "-o", "-"
    )

    out, err = capsysbinary.readouterr()
    assert code == EXIT_OK, err
    assert out == recording("content-fine-tune-results").body_bytes()  # type: ignore[attr-defined]
    assert list(tmp_path.iterdir()) == []  # no file named "-"


@pytest.mark.timeout(60)
def test_download_to_stdout_stops_quietly_when_the_reader_closes(
    replay: ReplayServer, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_OPENAI", "OPENAI"))}
    env |= {"AZURE_OPENAI_ENDPOINT": replay.endpoint, "AZURE_OPENAI_API_KEY": SECRET_KEY}
    command = f"{sys.executable} -m azure_openai_files download {LARGE_FILE} -o - | head -c 10"

    got = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], capture_output=True, env=env, timeout=60,
        check=False, cwd=tmp_path,
    )  # fmt: skip

    assert got.returncode == 0, got.stderr
    assert len(got.stdout) == 10
    assert got.stderr == b""
    assert list(tmp_path.iterdir()) == []


def test_get_stops_quietly_when_stdout_is_a_closed_pipe(
    replay: ReplayServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone: every write fails with EPIPE
    with open(write_end, "w", encoding="utf-8") as closed_pipe:
        monkeypatch.setattr(sys, "stdout", closed_pipe)

        code = run_cli("--endpoint", replay.endpoint, "--api-key", "k", "get", DOCS_FILE)

        monkeypatch.undo()
    assert code == EXIT_OK
    assert capsys.readouterr().err == ""


def test_download_to_stdout_refuses_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("download", "file-x", "-o", "-", "--json") == EXIT_USAGE
    assert "cannot be combined with --json" in capsys.readouterr().err


# --------------------------------------------------------------------------------------
# Signals
# --------------------------------------------------------------------------------------


def _drip(conn: socket.socket, request: ReceivedRequest) -> None:
    """Announce 64 MiB, then send 1 KiB every 20 ms: a download that lasts minutes."""
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 67108864\r\n"
    conn.sendall(head + b"Content-Type: application/octet-stream\r\n\r\n")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn.sendall(b"x" * 1024)
        except OSError:
            return
        time.sleep(0.02)


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("signum", "exit_code"), [(signal.SIGTERM, EXIT_TERMINATED), (signal.SIGHUP, EXIT_HANGUP)]
)
def test_termination_signal_during_download_removes_the_part_file(
    signum: int, exit_code: int, server: LoopbackServer, tmp_path: Path
) -> None:
    server.script(_drip)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_OPENAI", "OPENAI"))}
    env |= {"AZURE_OPENAI_ENDPOINT": server.endpoint, "AZURE_OPENAI_API_KEY": SECRET_KEY}
    folder = tmp_path / "downloads"
    folder.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "azure_openai_files", "download", "file-x",
         "-o", str(folder / "big.bin")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        started = time.monotonic()
        while not any(folder.iterdir()) and time.monotonic() - started < 30:
            time.sleep(0.05)  # the .part file appears once the body is arriving
        assert any(folder.iterdir()), "the download never started"
        time.sleep(0.2)
        process.send_signal(signum)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait()

    assert process.returncode == exit_code, err
    assert list(folder.iterdir()) == []
    assert err.strip() == f"azure-openai-files: terminated by {signal.Signals(signum).name}"
    assert out == ""
