"""The command line's words, on their own: server filenames made safe, control characters
escaped, library messages worded with flags, the progress line, and --json on every command
that prints."""

from __future__ import annotations

import io
import time

import pytest

from azure_openai_files._cli import TerminalProgress, cli_wording, printable, safe_filename


@pytest.mark.parametrize(
    ("filename", "safe"),
    [
        ("a.jsonl", "a.jsonl"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\a.txt", "a.txt"),
        ("\n\r\t", "file-x"),
        (".bashrc", "file-x"),
        ("..", "file-x"),
        ("a\x1b[0mb\u009bc", "a[0mbc"),
    ],
)
def test_safe_filename(filename: str, safe: str) -> None:
    assert safe_filename(filename, "file-x") == safe


def test_printable_escapes_control_characters() -> None:
    assert printable("a\nb\x1b[0m\x7f\u009b ok é") == "a\\nb\\x1b[0m\\x7f\\x9b ok é"


@pytest.mark.parametrize(
    ("library", "cli"),
    [
        (
            "destination /x exists; pass overwrite=True to replace it",
            "destination /x exists; use --overwrite to replace it",
        ),
        (
            "no endpoint: pass endpoint= (e.g. https://r.openai.azure.com) or set X",
            "no endpoint: use --endpoint (e.g. https://r.openai.azure.com) or set X",
        ),
        (
            "deadline must be a positive number of seconds, or None",
            "--deadline must be a positive number of seconds, or None",
        ),
        (
            "pass either api_key or credential, not both",
            "use either --api-key or --entra-id, not both",
        ),
    ],
)
def test_library_messages_are_worded_with_flags(library: str, cli: str) -> None:
    assert cli_wording(library) == cli


def test_progress_line_is_throttled_and_reports_rate_and_eta() -> None:
    terminal = io.StringIO()
    progress = TerminalProgress(terminal)
    started = time.monotonic()
    for done in range(1, 20001):
        progress(done * 100, 2_000_000)
    elapsed = time.monotonic() - started
    progress.finish()

    draws = terminal.getvalue().count("\r")
    assert 2 <= draws <= elapsed / 0.1 + 3  # far fewer redraws than the 20000 updates
    final = terminal.getvalue().split("\r")[-1]
    assert "100%" in final
    assert "1.9 MiB / 1.9 MiB" in final
    assert final.endswith("\n")


def test_progress_without_a_known_size_shows_bytes_and_rate() -> None:
    terminal = io.StringIO()
    progress = TerminalProgress(terminal)
    progress(2048, None)
    progress.finish()

    final = terminal.getvalue().split("\r")[-1]
    assert final.startswith("2.0 KiB  ")
    assert "/s" in final
    assert "ETA" not in final


@pytest.mark.parametrize("command", ["get", "download", "wait"])
def test_every_command_that_prints_has_json(command: str) -> None:
    from azure_openai_files._cli import build_parser

    parser = build_parser()
    assert parser.parse_args([command, "file-x", "--json"]).json is True
