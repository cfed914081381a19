"""The command line's words, on their own: server filenames made safe, control characters
escaped, library messages worded with flags, the progress line, and --json on every command
that prints."""

from __future__ import annotations

import inspect
import io
import time

import pytest

from azure_openai_files import FilesClient
from azure_openai_files._cli import (
    EXIT_USAGE,
    FLAG_FOR_PARAMETER,
    TerminalProgress,
    describe_failure,
    printable,
    safe_filename,
)
from azure_openai_files._errors import (
    DestinationExistsError,
    InvalidArgument,
    InvalidArgumentType,
)


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
    ("error", "cli"),
    [
        (
            DestinationExistsError("/x"),
            "destination /x exists; use --overwrite to replace it",
        ),
        (
            InvalidArgument("deadline", "must be a positive number of seconds, or None"),
            "--deadline must be a positive number of seconds, or None",
        ),
        (
            InvalidArgumentType("timeout", "must be seconds (float) or an httpx2.Timeout"),
            "--network-timeout must be seconds (float) or an httpx2.Timeout",
        ),
        (
            InvalidArgument("api_version", "'preview' is not supported: use one of ..."),
            "--api-version 'preview' is not supported: use one of ...",
        ),
        # A parameter no flag sets keeps the library's words.
        (
            InvalidArgument("retry_backoff", "must be a finite number of seconds >= 0"),
            "retry_backoff must be a finite number of seconds >= 0",
        ),
        # The text of an error is never searched: only its class and attributes count.
        (ValueError("deadline must be positive"), "deadline must be positive"),
    ],
)
def test_refused_arguments_are_worded_with_flags_from_their_attributes(
    error: Exception, cli: str
) -> None:
    assert describe_failure(error) == (EXIT_USAGE, cli)


def test_every_flag_maps_a_parameter_the_client_takes() -> None:
    parameters = {
        name
        for method in (FilesClient.__init__, FilesClient.list_files, FilesClient.upload_file,
                       FilesClient.import_file)
        for name in inspect.signature(method).parameters
    }  # fmt: skip
    assert set(FLAG_FOR_PARAMETER) <= parameters | {"timeout"}
    # options are flags; the positional arguments are named in capitals
    assert all(f.startswith("--") or f.isupper() for f in FLAG_FOR_PARAMETER.values())


@pytest.mark.parametrize(
    ("options", "parameter"),
    [
        ({"deadline": -1}, "deadline"),
        ({"deadline": "3"}, "deadline"),
        ({"timeout": 0}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"api_version": "preview"}, "api_version"),
        ({"api_version": "2024-13-45"}, "api_version"),
    ],
)
def test_the_library_names_the_refused_parameter(
    options: dict[str, object], parameter: str
) -> None:
    with pytest.raises((InvalidArgument, InvalidArgumentType)) as caught:
        FilesClient("https://r.openai.azure.com", api_key="k", **options)  # type: ignore[arg-type]
    refused = caught.value
    assert isinstance(refused, InvalidArgument | InvalidArgumentType)
    assert refused.parameter == parameter
    assert str(refused) == f"{parameter} {refused.reason}"


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
