"""`azure-openai-files`: read a file's metadata, download its content or wait for it, from a shell.

    azure-openai-files get FILE_ID [--json]
    azure-openai-files download FILE_ID [-o PATH] [--overwrite]
    azure-openai-files wait FILE_ID [--timeout S] [--poll-interval S] [--json]

Configuration comes from the global options (given before the command) or, as for the
library, from AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and OPENAI_API_VERSION.

Exit codes: 0 success; 2 usage or configuration error; 3 the service answered with an error;
4 network error (including timeouts and downloads that could not be completed); 5 the file's
processing failed or `wait` timed out; 130 interrupted (Ctrl-C). Any other failure exits 1.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import math
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from ._auth import TokenCredential
from ._client import FilesClient
from ._config import API_KEY_ENV, API_VERSION_ENV, ENDPOINT_ENV
from ._errors import (
    FileProcessingError,
    FilesError,
    ServiceError,
    TransportError,
    WaitTimeoutError,
)
from ._logging import logger
from ._models import FileObject
from ._polling import DEFAULT_POLL_INTERVAL, DEFAULT_WAIT_TIMEOUT
from ._version import DEFAULT_API_VERSION, __version__

PROG = "azure-openai-files"

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_SERVICE = 3
EXIT_NETWORK = 4
EXIT_FILE = 5
EXIT_INTERRUPTED = 130

# Terminal progress: at most this many redraws per second.
PROGRESS_INTERVAL = 0.1

_EPILOG = f"""\
environment:
  {ENDPOINT_ENV}   endpoint, e.g. https://myresource.openai.azure.com
  {API_KEY_ENV}    api key (preferred over --api-key)
  {API_VERSION_ENV}      api-version (default {DEFAULT_API_VERSION})

exit codes:
  0    success
  1    unexpected local failure
  2    usage or configuration error (bad option, no endpoint or credential, file exists)
  3    the service answered with an error (the line names code, HTTP status, request id)
  4    network error: connection, timeout, or a download that could not be completed
  5    the file's processing failed, or `wait` timed out
  130  interrupted
"""


class UsageError(Exception):
    """A configuration problem found by the command line itself (exit code 2)."""


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text!r}")
    return value


def retry_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Azure OpenAI Files from the command line: metadata, downloads, waiting.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--endpoint", help=f"resource endpoint (default: ${ENDPOINT_ENV})")
    auth = parser.add_mutually_exclusive_group()
    auth.add_argument(
        "--api-key",
        help=f"api key; prefer ${API_KEY_ENV}: a key on the command line ends up in shell "
        "history and process listings",
    )
    auth.add_argument(
        "--entra-id",
        action="store_true",
        help="authenticate with Microsoft Entra ID (azure-identity's DefaultAzureCredential; "
        "needs `pip install azure-identity`)",
    )
    parser.add_argument(
        "--api-version",
        help=f"api-version (default: ${API_VERSION_ENV}, else {DEFAULT_API_VERSION})",
    )
    parser.add_argument(
        "--timeout",
        type=positive_seconds,
        metavar="S",
        help="network timeout in seconds for each connect and read (default: connect 5, read 60)",
    )
    parser.add_argument(
        "--max-retries",
        type=retry_count,
        default=3,
        metavar="N",
        help="retries of a failed request (default: 3; 0 disables)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log retries to stderr (-vv: every request and response, secrets redacted)",
    )

    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    get = commands.add_parser("get", help="print a file's metadata")
    get.add_argument("file_id", metavar="FILE_ID")
    get.add_argument("--json", action="store_true", help="print the JSON object")

    download = commands.add_parser("download", help="download a file's content")
    download.add_argument("file_id", metavar="FILE_ID")
    download.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="PATH",
        help="where to write (default: the file's name, in the current folder)",
    )
    download.add_argument("--overwrite", action="store_true", help="replace an existing file")

    wait = commands.add_parser("wait", help="wait until a file is processed")
    wait.add_argument("file_id", metavar="FILE_ID")
    wait.add_argument(
        "--timeout",
        dest="wait_timeout",
        type=positive_seconds,
        default=DEFAULT_WAIT_TIMEOUT,
        metavar="S",
        help=f"give up after S seconds (default: {DEFAULT_WAIT_TIMEOUT:g})",
    )
    wait.add_argument(
        "--poll-interval",
        type=positive_seconds,
        default=DEFAULT_POLL_INTERVAL,
        metavar="S",
        help=f"first wait between polls; grows to 30 s (default: {DEFAULT_POLL_INTERVAL:g})",
    )
    wait.add_argument("--json", action="store_true", help="print the final JSON object")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version, or a usage error already printed
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    level = logger.level
    handler = _configure_logging(args.verbose)
    try:
        return _run(args)
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INTERRUPTED
    except (UsageError, ValueError, TypeError) as error:
        _error(str(error))
        return EXIT_USAGE
    except (FileExistsError, IsADirectoryError, NotADirectoryError, FileNotFoundError) as error:
        _error(str(error))
        return EXIT_USAGE
    except ServiceError as error:
        _error(f"{type(error).__name__}: {error}")
        return EXIT_SERVICE
    except TransportError as error:
        _error(f"{type(error).__name__}: {error}")
        return EXIT_NETWORK
    except (FileProcessingError, WaitTimeoutError) as error:
        _error(f"{type(error).__name__}: {error}")
        return EXIT_FILE
    except (FilesError, OSError) as error:
        _error(f"{type(error).__name__}: {error}")
        return EXIT_FAILURE
    finally:
        if handler is not None:
            logger.removeHandler(handler)
            logger.setLevel(level)


def _run(args: argparse.Namespace) -> int:
    with _make_client(args) as client:
        if args.command == "get":
            file = client.get_file(args.file_id)
            _print_file(file, as_json=args.json)
        elif args.command == "download":
            _download(client, args.file_id, args.output, overwrite=args.overwrite)
        elif args.command == "wait":
            file = client.wait_for_processing(
                args.file_id, timeout=args.wait_timeout, poll_interval=args.poll_interval
            )
            _print_file(file, as_json=args.json)
        else:  # pragma: no cover - argparse only accepts the commands above
            raise UsageError(f"unknown command {args.command!r}")
    return EXIT_OK


def _make_client(args: argparse.Namespace) -> FilesClient:
    credential = _entra_credential() if args.entra_id else None
    return FilesClient(
        args.endpoint,
        api_key=args.api_key,
        credential=credential,
        api_version=args.api_version,
        timeout=args.timeout,
        max_retries=args.max_retries,
    )


def _entra_credential() -> TokenCredential:
    try:
        identity = importlib.import_module("azure.identity")
    except ImportError:
        raise UsageError(
            "--entra-id needs the azure-identity package: pip install azure-identity"
        ) from None
    credential: TokenCredential = identity.DefaultAzureCredential()
    return credential


def _configure_logging(verbosity: int) -> logging.Handler | None:
    """Log the package logger to stderr; its header allow-list keeps secrets out."""
    if verbosity <= 0:
        return None
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbosity >= 2 else logging.INFO)
    return handler


def _error(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# get / wait output
# --------------------------------------------------------------------------------------


def _print_file(file: FileObject, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(file.to_dict(), indent=2, sort_keys=False))
        return
    rows: list[tuple[str, str]] = [
        ("id", file.id or "-"),
        ("filename", file.filename),
        ("purpose", str(file.purpose)),
        ("status", "-" if file.status is None else str(file.status)),
        ("bytes", "unknown" if file.bytes is None else f"{file.bytes} ({_size(file.bytes)})"),
        ("created_at", "-" if file.created_at is None else _timestamp(file.created_at)),
    ]
    if file.status_details:
        rows.append(("status_details", file.status_details))
    rows += [(name, json.dumps(value)) for name, value in file.extra.items()]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def _timestamp(seconds: int) -> str:
    try:
        moment = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return str(seconds)
    return f"{moment:%Y-%m-%dT%H:%M:%SZ} ({seconds})"


def _size(count: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(count) < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} GiB"  # pragma: no cover - the loop returns at GiB


# --------------------------------------------------------------------------------------
# download
# --------------------------------------------------------------------------------------


def _download(client: FilesClient, file_id: str, output: Path | None, *, overwrite: bool) -> None:
    known_size: int | None = None
    if output is None:
        file = client.get_file(file_id)
        output = Path(_safe_name(file.filename, file_id))
        known_size = file.bytes
    progress = TerminalProgress(sys.stderr, known_size) if sys.stderr.isatty() else None
    started = time.monotonic()
    try:
        path = client.download_file(file_id, output, overwrite=overwrite, progress=progress)
    finally:
        if progress is not None:
            progress.finish()
    size = path.stat().st_size
    elapsed = max(time.monotonic() - started, 1e-9)
    print(
        f"downloaded {size} bytes ({_size(size)}) in {elapsed:.2f} s "
        f"({_size(size / elapsed)}/s) to {path}",
        file=sys.stderr,
    )
    print(path)


def _safe_name(filename: str, file_id: str) -> str:
    """A name in the current folder: the service's filename without any folder part."""
    name = Path(filename.replace("\\", "/")).name
    return name if name not in ("", ".", "..") and not name.startswith(".") else file_id


class TerminalProgress:
    """`progress=` for `download_file`: one `\\r` line on a terminal with bytes, rate and ETA,
    redrawn at most every `PROGRESS_INTERVAL` seconds."""

    def __init__(self, stream: TextIO, total: int | None = None) -> None:
        self.stream = stream
        self.total = total
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.done = 0
        self.drawn = False

    def __call__(self, done: int, total: int | None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        now = time.monotonic()
        if now - self.last_draw >= PROGRESS_INTERVAL:
            self.last_draw = now
            self._draw(now)

    def line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        text = _size(self.done)
        if self.total:
            fraction = min(self.done / self.total, 1.0)
            filled = int(fraction * 24)
            bar = "#" * filled + "-" * (24 - filled)
            text = f"[{bar}] {fraction:4.0%}  {text} / {_size(self.total)}"
        text += f"  {_size(rate)}/s"
        if self.total and rate > 0:
            text += f"  ETA {_duration(max(self.total - self.done, 0) / rate)}"
        return text

    def _draw(self, now: float) -> None:
        self.stream.write("\r" + self.line(now).ljust(72))
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        """Draw the final state and end the line."""
        if self.done or self.drawn:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


__all__ = ["TerminalProgress", "build_parser", "main"]
