"""`azure-openai-files`: list, upload, import and delete files, read a file's metadata, download
its content or wait for it, from a shell.

    azure-openai-files list [--purpose P] [--order asc|desc] [--limit N] [--json]
    azure-openai-files upload PATH --purpose P [--filename NAME] [--expires-after S] [--json]
    azure-openai-files import URL --filename NAME --purpose P [--expires-after S] [--json]
    azure-openai-files delete FILE_ID [--json]
    azure-openai-files get FILE_ID [--json]
    azure-openai-files download FILE_ID [-o PATH | -o DIR/ | -o -] [--overwrite] [--json]
    azure-openai-files wait FILE_ID [--wait-timeout S] [--poll-interval S] [--json]

Configuration comes from the global options (before or after the command) or, as for the
library, from AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and OPENAI_API_VERSION.

Exit codes: 0 success; 2 usage or configuration error; 3 the service answered with an error;
4 network error (including timeouts and downloads that could not be completed); 5 the file's
processing failed or `wait` timed out; 6 an upload or import may or may not have stored the
file (check `list` before retrying); 130 interrupted (Ctrl-C), 143 terminated (SIGTERM),
129 hung up (SIGHUP). Any other failure exits 1, with one line and never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import logging
import math
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, TextIO
from urllib.parse import parse_qsl, urlsplit

from ._auth import TokenCredential
from ._config import API_KEY_ENV, API_VERSION_ENV, ENDPOINT_ENV
from ._errors import (
    DestinationExistsError,
    FileProcessingError,
    FilesError,
    InvalidArgument,
    InvalidArgumentType,
    OutcomeUnknownError,
    ServiceError,
    TransportError,
    UnsupportedOperationError,
    WaitTimeoutError,
    printable,
)
from ._logging import logger
from ._models import FileDeletionStatus, FileObject
from ._polling import DEFAULT_POLL_INTERVAL, DEFAULT_WAIT_TIMEOUT
from ._sync_client import FilesClient
from ._version import DEFAULT_API_VERSION, __version__

PROG = "azure-openai-files"

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_SERVICE = 3
EXIT_NETWORK = 4
EXIT_FILE = 5
# An upload or import whose request went out but whose outcome nobody can tell: the file may
# be stored. Its own code, so that a script does not blindly retry (and store it twice).
EXIT_OUTCOME_UNKNOWN = 6
EXIT_INTERRUPTED = 130
# As shells report a process killed by a signal: 128 + the signal number.
EXIT_HANGUP = 128 + signal.SIGHUP
EXIT_TERMINATED = 128 + signal.SIGTERM

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
  6    an upload or import may or may not have stored the file: check `list` before retrying
  129  hung up (SIGHUP)
  130  interrupted (Ctrl-C)
  143  terminated (SIGTERM)
"""


class UsageError(Exception):
    """A configuration problem found by the command line itself (exit code 2)."""


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived. A BaseException, like KeyboardInterrupt, so that it unwinds
    through the library's cleanup (a download removes its `.part` file) and nothing catches it
    on the way."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


class CredentialFailure(Exception):
    """The Entra ID credential could not produce a token (exit code 2)."""


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text!r}")
    return value


def positive_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {text!r}")
    return value


def whole_seconds(text: str) -> int:
    # The range is the library's to check (it depends on the api-version).
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of seconds: {text!r}") from None


def retry_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value


# The global options' defaults; `_add_global_options` declares them on the main parser and
# again on every command, so that `get ID --json -v` works as `-v get ID --json` does.
_GLOBAL_DEFAULTS: dict[str, Any] = {
    "endpoint": None,
    "api_key": None,
    "entra_id": False,
    "api_version": None,
    "network_timeout": None,
    "deadline": None,
    "max_retries": 3,
}


def _add_global_options(parser: argparse.ArgumentParser, *, on_command: bool) -> None:
    # On a command, an option that is not given must not reset what was given before the
    # command: SUPPRESS leaves it out of the namespace. `-v` counts separately and is added.
    def default(name: str) -> Any:
        return argparse.SUPPRESS if on_command else _GLOBAL_DEFAULTS[name]

    parser.add_argument(
        "--endpoint",
        default=default("endpoint"),
        help=f"resource endpoint (default: ${ENDPOINT_ENV})",
    )
    parser.add_argument(
        "--api-key",
        default=default("api_key"),
        help=f"api key; prefer ${API_KEY_ENV}: a key on the command line ends up in shell "
        "history and process listings",
    )
    parser.add_argument(
        "--entra-id",
        action="store_true",
        default=default("entra_id"),
        help="authenticate with Microsoft Entra ID (azure-identity's DefaultAzureCredential; "
        "needs `pip install azure-identity`)",
    )
    parser.add_argument(
        "--api-version",
        default=default("api_version"),
        help=f"api-version, e.g. v1 or {DEFAULT_API_VERSION} "
        f"(default: ${API_VERSION_ENV}, else {DEFAULT_API_VERSION})",
    )
    parser.add_argument(
        "--network-timeout",
        type=positive_seconds,
        default=default("network_timeout"),
        metavar="S",
        help="seconds to wait for each connect and each read (default: connect 5, read 60)",
    )
    if not on_command:
        # The old spelling, before the command only: after `wait`, --timeout is the wait's.
        parser.add_argument(
            "--timeout", dest="old_network_timeout", type=positive_seconds, help=argparse.SUPPRESS
        )
    parser.add_argument(
        "--deadline",
        type=positive_seconds,
        default=default("deadline"),
        metavar="S",
        help="seconds for each whole call, retries and waits between them included",
    )
    parser.add_argument(
        "--max-retries",
        type=retry_count,
        default=default("max_retries"),
        metavar="N",
        help="retries of a failed request (default: 3; 0 disables)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        dest="verbose_after_command" if on_command else "verbose",
        action="count",
        default=0,
        help="log retries to stderr (-vv: every request and response, secrets redacted)",
    )


# A URL's query (an import's SAS token) as shown anywhere: never its value.
_URL_QUERY = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*://[^\s?#'\"]*)\?[^\s#'\"]*")


def redact_url_queries(text: str) -> str:
    return _URL_QUERY.sub(r"\1?REDACTED", text)


class _Parser(argparse.ArgumentParser):
    """argparse quotes arguments in its errors (`unrecognized arguments: ...`): a URL's query
    there would be an import's SAS token, so it is redacted first."""

    def error(self, message: str) -> NoReturn:
        super().error(redact_url_queries(message))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Azure OpenAI Files from the command line: list, upload, import, delete, "
        "metadata, downloads, waiting.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _add_global_options(parser, on_command=False)

    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(
        name: str, help: str, positional: tuple[str, str] | None = ("file_id", "FILE_ID")
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        if positional is not None:
            sub.add_argument(positional[0], metavar=positional[1])
        sub.add_argument("--json", action="store_true", help="print JSON instead of text")
        global_options = sub.add_argument_group("global options (also accepted here)")
        _add_global_options(global_options, on_command=True)  # type: ignore[arg-type]
        return sub

    def expires_after(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--expires-after",
            type=whole_seconds,
            metavar="S",
            help="seconds after its creation when the service deletes the file "
            "(1209600 to 2592000; from api-version 2025-04-01-preview)",
        )

    listing = command("list", "list the files", positional=None)
    listing.add_argument("--purpose", help="only the files of this purpose")
    listing.add_argument("--order", choices=("asc", "desc"), help="by creation time")
    listing.add_argument(
        "--limit", type=positive_count, metavar="N", help="stop after N files (default: all)"
    )

    upload = command("upload", "upload a file", positional=("path", "PATH"))
    upload.add_argument("--purpose", required=True, help="e.g. fine-tune, batch, assistants")
    upload.add_argument("--filename", metavar="NAME", help="the name to store (default: PATH's)")
    expires_after(upload)

    imported = command(
        "import", "have the service fetch a file from a URL (e.g. a blob with a SAS token)",
        positional=("content_url", "URL"),
    )  # fmt: skip
    imported.add_argument("--filename", metavar="NAME", required=True, help="the name to store")
    imported.add_argument("--purpose", required=True, help="e.g. fine-tune, batch")
    expires_after(imported)

    command("delete", "delete a file")

    command("get", "print a file's metadata")

    download = command("download", "download a file's content")
    download.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="the file to write; an existing folder (the file's own name inside it); "
        "or - for stdout (default: the file's own name, in the current folder)",
    )
    download.add_argument("--overwrite", action="store_true", help="replace an existing file")

    wait = command("wait", "wait until a file is processed")
    wait.add_argument(
        "--wait-timeout",
        "--timeout",  # the old spelling, kept working
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
    return parser


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse, then apply what argparse cannot express: options on both sides of the
    command, the old `--timeout` spellings, and `--api-key` vs `--entra-id`."""
    parser = build_parser()
    raw = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(raw)
    args.verbose += args.verbose_after_command
    if args.old_network_timeout is not None:
        _note("--timeout before the command is now --network-timeout")
        if args.network_timeout is None:
            args.network_timeout = args.old_network_timeout
    after_command = raw[raw.index(args.command) + 1 :]
    if args.command == "wait" and any(a.split("=")[0] == "--timeout" for a in after_command):
        _note("wait --timeout is now --wait-timeout")
    if args.api_key is not None and args.entra_id:
        parser.error("--api-key and --entra-id exclude each other")
    if args.command == "download" and args.output == "-" and args.json:
        parser.error("-o - writes the content to stdout; it cannot be combined with --json")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    try:
        args = parse_args(argv)
    except SystemExit as exit_:  # --help, --version, or a usage error already printed
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    level = logger.level
    handler = _configure_logging(args.verbose)
    # The library keeps an import's SAS token out of its errors; the command line makes sure
    # nothing it prints carries it either, whatever the message came from.
    secrets = url_secrets(args.content_url) if args.command == "import" else []
    try:
        with _signals_raise_terminated():
            code = _run(args, secrets)
            sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
            return code
    except BrokenPipeError:
        # The reader had enough (`| head`): stop quietly, as cat does. Point stdout at
        # /dev/null so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_OK
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INTERRUPTED
    except Terminated as stop:
        _error(f"terminated by {signal.Signals(stop.signum).name}")
        return 128 + stop.signum
    except Exception as error:  # one line, never a traceback: it could carry a secret
        code, message = describe_failure(error, command=args.command)
        _error(scrub(message, secrets))
        return code
    finally:
        if handler is not None:
            logger.removeHandler(handler)
            logger.setLevel(level)


def describe_failure(error: Exception, *, command: str | None = None) -> tuple[int, str]:
    """The exit code and the one-line message for a failure (`command`: the one that ran)."""
    # However the library wraps it, a credential that gave no token is a configuration
    # problem, found before anything was sent.
    credential_failure = _first_cause(error, CredentialFailure)
    if credential_failure is not None:
        return EXIT_USAGE, f"Entra ID: {credential_failure}"
    if isinstance(error, UsageError):
        return EXIT_USAGE, str(error)
    if isinstance(error, OutcomeUnknownError):
        return EXIT_OUTCOME_UNKNOWN, _outcome_unknown_message(error, command)
    if isinstance(error, UnsupportedOperationError):
        return EXIT_USAGE, _unsupported_message(error)
    if isinstance(
        error,
        ValueError
        | TypeError
        | FileExistsError
        | IsADirectoryError
        | NotADirectoryError
        | FileNotFoundError,
    ):
        return EXIT_USAGE, _usage_message(error)
    named = f"{type(error).__name__}: {error}"
    if isinstance(error, ServiceError):
        return EXIT_SERVICE, named
    if isinstance(error, TransportError):
        return EXIT_NETWORK, named
    if isinstance(error, FileProcessingError | WaitTimeoutError):
        return EXIT_FILE, named
    if isinstance(error, FilesError | OSError):
        return EXIT_FAILURE, named
    # The library's errors never carry a key or token; an exception from anywhere else might
    # (a header value, a URL), so only its class is shown.
    return EXIT_FAILURE, f"unexpected {type(error).__name__} (its message is not shown)"


@contextmanager
def _signals_raise_terminated() -> Iterator[None]:
    """SIGTERM/SIGHUP (`timeout`, `docker stop`, systemd, a closed terminal) unwind like
    Ctrl-C does, so a download removes its `.part` file before the process exits."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def raise_terminated(signum: int, frame: object) -> None:
        raise Terminated(signum)

    previous = {
        signum: signal.signal(signum, raise_terminated)
        for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None))
        if signum is not None
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _run(args: argparse.Namespace, secrets: Sequence[str] = ()) -> int:
    with _make_client(args) as client:
        if args.command == "list":
            _list(client, args)
        elif args.command == "upload":
            _upload(client, args)
        elif args.command == "import":
            file = client.import_file(
                args.content_url,
                filename=args.filename,
                purpose=args.purpose,
                expires_after=args.expires_after,
            )
            _print_file(file, as_json=args.json, secrets=secrets)
        elif args.command == "delete":
            return _delete(client, args)
        elif args.command == "get":
            _print_file(client.get_file(args.file_id), as_json=args.json)
        elif args.command == "download":
            _download(client, args)
        elif args.command == "wait":
            file = client.wait_for_processing(
                args.file_id, timeout=args.wait_timeout, poll_interval=args.poll_interval
            )
            _print_file(file, as_json=args.json)
        else:  # pragma: no cover - argparse only accepts the commands above
            raise UsageError(f"unknown command {args.command!r}")
    return EXIT_OK


def _make_client(args: argparse.Namespace) -> FilesClient:
    # The library's own messages name Python parameters; these name the flags.
    endpoint = args.endpoint if args.endpoint is not None else os.environ.get(ENDPOINT_ENV)
    if not endpoint or not endpoint.strip():
        raise UsageError(
            f"no endpoint: use --endpoint https://<resource>.openai.azure.com or set {ENDPOINT_ENV}"
        )
    api_key = args.api_key if args.api_key is not None else os.environ.get(API_KEY_ENV)
    if not args.entra_id and (not api_key or not api_key.strip()):
        raise UsageError(f"no credential: set {API_KEY_ENV} (or use --api-key), or use --entra-id")
    credential = _entra_credential() if args.entra_id else None
    return FilesClient(
        endpoint,
        api_key=None if args.entra_id else api_key,
        credential=credential,
        api_version=args.api_version,
        timeout=args.network_timeout,
        max_retries=args.max_retries,
        deadline=args.deadline,
    )


def _entra_credential() -> TokenCredential:
    try:
        identity = importlib.import_module("azure.identity")
    except ImportError:
        raise UsageError(
            "--entra-id needs the azure-identity package: pip install azure-identity"
        ) from None
    return _ReportingCredential(identity.DefaultAzureCredential())


class _ReportingCredential:
    """Marks a failure to get a token, so it is reported as one line with exit code 2 however
    the library wraps it."""

    def __init__(self, credential: Any) -> None:
        self._credential = credential

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        try:
            return self._credential.get_token(*scopes, **kwargs)
        except Exception as error:
            first_line = (str(error).strip().splitlines() or [""])[0][:300]
            raise CredentialFailure(
                f"could not get a token ({type(error).__name__}: {first_line}); "
                "check `az login` or the AZURE_* variables azure-identity reads"
            ) from error


def _first_cause(error: BaseException, kind: type[BaseException]) -> BaseException | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


# The library's parameters, as the flags (or arguments) that set them.
FLAG_FOR_PARAMETER = {
    "endpoint": "--endpoint",
    "api_version": "--api-version",
    "timeout": "--network-timeout",
    "max_retries": "--max-retries",
    "deadline": "--deadline",
    "purpose": "--purpose",
    "order": "--order",
    "filename": "--filename",
    "expires_after": "--expires-after",
    "file": "PATH",
    "content_url": "URL",
}

# The library's operations, as the commands that call them.
COMMAND_FOR_OPERATION = {
    "list_files": "list",
    "upload_file": "upload",
    "import_file": "import",
    "delete_file": "delete",
    "get_file": "get",
    "download_file": "download",
    "wait_for_processing": "wait",
}


def _unsupported_message(error: UnsupportedOperationError) -> str:
    command = COMMAND_FOR_OPERATION.get(error.operation, error.operation)
    where = (
        f"use --api-version with one of: {', '.join(error.supported_by)}"
        if error.supported_by
        else "no supported api-version has it"
    )
    return f"{command} is not available in api-version {error.api_version}; {where}"


def _outcome_unknown_message(error: OutcomeUnknownError, command: str | None) -> str:
    cause = error.__cause__
    after = f" after {type(cause).__name__}" if cause is not None else ""
    again = f"`{PROG} {command}`" if command else "it"
    request = f" (client request id {error.client_request_id})" if error.client_request_id else ""
    return (
        f"outcome unknown{after}: the request went out but its answer was lost, so the file "
        f"may have been stored; check `{PROG} list` before running {again} again, or it may "
        f"be stored twice{request}"
    )


def url_secrets(url: str) -> list[str]:
    """What of `url` must never be printed: its query, and each value in it."""
    try:
        query = urlsplit(url).query
    except ValueError:
        query = url.partition("?")[2]
    found = [query] if query else []
    found += [value for _, value in parse_qsl(query) if len(value) >= 4]
    return sorted(set(found), key=len, reverse=True)


def scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "REDACTED")
    return text


def _usage_message(error: Exception) -> str:
    """A refused argument or destination as the command line's user needs it: worded for the
    flags, from the error's attributes."""
    if isinstance(error, InvalidArgument | InvalidArgumentType):
        flag = FLAG_FOR_PARAMETER.get(error.parameter)
        return f"{flag} {error.reason}" if flag else str(error)
    if isinstance(error, DestinationExistsError):
        return f"destination {error.destination} exists; use --overwrite to replace it"
    return str(error)


def _configure_logging(verbosity: int) -> logging.Handler | None:
    """Log the package logger to stderr; its header allow-list keeps secrets out."""
    if verbosity <= 0:
        return None
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbosity >= 2 else logging.INFO)
    return handler


# An error line longer than this (an HTML error page, say) keeps its start and its end,
# where a service error names its HTTP status and request id.
ERROR_LINE_LIMIT = 600


def _error(message: str) -> None:
    line = printable(" ".join(message.split()))
    if len(line) > ERROR_LINE_LIMIT:
        line = f"{line[: ERROR_LINE_LIMIT - 160]} … {line[-150:]}"
    print(f"{PROG}: {line}", file=sys.stderr, flush=True)


def _note(message: str) -> None:
    print(f"{PROG}: note: {message}", file=sys.stderr, flush=True)


# Control characters (C0, DEL, C1): a terminal would act on them (move the cursor, change
# colours, set the title) instead of showing them; dropped from file names.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


# --------------------------------------------------------------------------------------
# get / wait output
# --------------------------------------------------------------------------------------


def _print_file(file: FileObject, *, as_json: bool, secrets: Sequence[str] = ()) -> None:
    document = file.to_dict()
    if as_json:
        print(scrub(json.dumps(document, indent=2, sort_keys=False), secrets))
        return
    rows: list[tuple[str, str]] = [
        ("id", file.id or "-"),
        ("filename", file.filename),
        ("purpose", str(file.purpose)),
        ("status", "-" if file.status is None else str(file.status)),
        ("bytes", "unknown" if file.bytes is None else f"{file.bytes} ({_size(file.bytes)})"),
        ("created_at", "-" if file.created_at is None else _timestamp(file.created_at)),
    ]
    if file.expires_at is not None:
        rows.append(("expires_at", _timestamp(file.expires_at)))
    if file.status_details:
        rows.append(("status_details", file.status_details))
    shown = {name for name, _ in rows}
    rows += [(name, json.dumps(value)) for name, value in file.extra.items() if name not in shown]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(scrub(f"{printable(name):<{width}}  {printable(value)}", secrets))


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


def _moment(seconds: int | None) -> str:
    """A creation time for a table: UTC, to the second."""
    if seconds is None:
        return "-"
    try:
        return f"{datetime.fromtimestamp(seconds, tz=UTC):%Y-%m-%d %H:%M:%S}Z"
    except (OverflowError, OSError, ValueError):
        return str(seconds)


# --------------------------------------------------------------------------------------
# list / upload / delete
# --------------------------------------------------------------------------------------

LIST_COLUMNS = ("id", "created", "bytes", "status", "purpose", "filename")


def _list(client: FilesClient, args: argparse.Namespace) -> None:
    limit: int | None = args.limit
    # Ask for no more than will be shown, where the version pages at all.
    page_size = None if limit is None else min(limit, MAX_LIST_PAGE)
    pager = client.list_files(purpose=args.purpose, order=args.order, page_size=page_size)
    files = _first(pager.by_page(), limit)
    if args.json:
        # One JSON array, written a page at a time: a long listing starts showing at once.
        sys.stdout.write("[")
        separator = "\n"
        for page in files:
            for file in page:
                sys.stdout.write(separator + json.dumps(file.to_dict()))
                separator = ",\n"
            sys.stdout.flush()
        sys.stdout.write("\n]\n" if separator != "\n" else "]\n")
        return
    rows = [
        (
            printable(file.id or "-"),
            _moment(file.created_at),
            "-" if file.bytes is None else str(file.bytes),
            "-" if file.status is None else printable(str(file.status)),
            printable(str(file.purpose)),
            printable(file.filename),
        )
        for page in files
        for file in page
    ]
    if not rows:
        print("no files", file=sys.stderr)
        return
    widths = [max(len(row[i]) for row in [LIST_COLUMNS, *rows]) for i in range(5)]
    for row in [LIST_COLUMNS, *rows]:
        cells = [
            row[i].rjust(width) if LIST_COLUMNS[i] == "bytes" else row[i].ljust(width)
            for i, width in enumerate(widths)
        ]
        print("  ".join([*cells, row[-1]]))  # the filename last: nothing to align after it


# The most files one request asks for (the service's limit).
MAX_LIST_PAGE = 10_000


def _first(pages: Iterator[list[FileObject]], limit: int | None) -> Iterator[list[FileObject]]:
    """The pages, cut after `limit` files in all; no page is fetched after the last needed."""
    if limit is None:
        yield from pages
        return
    left = limit
    for page in pages:
        yield page[:left]
        left -= len(page[:left])
        if left <= 0:
            return


def _upload(client: FilesClient, args: argparse.Namespace) -> None:
    size: int | None = None
    with contextlib.suppress(OSError, ValueError):  # the library says what is wrong with it
        size = os.stat(args.path).st_size
    progress = TerminalProgress(sys.stderr, size) if sys.stderr.isatty() else None
    try:
        file = client.upload_file(
            Path(args.path),
            purpose=args.purpose,
            filename=args.filename,
            expires_after=args.expires_after,
            progress=progress,
        )
    finally:
        if progress is not None:
            progress.finish()
    _print_file(file, as_json=args.json)


def _delete(client: FilesClient, args: argparse.Namespace) -> int:
    status: FileDeletionStatus = client.delete_file(args.file_id)
    if args.json:
        print(json.dumps({"id": status.id, "deleted": status.deleted}, indent=2))
    elif status.deleted:
        print(f"deleted {printable(status.id)}")
    if not status.deleted:
        _error(f"the service answered that it did not delete {status.id}")
        return EXIT_SERVICE
    return EXIT_OK


# --------------------------------------------------------------------------------------
# download
# --------------------------------------------------------------------------------------


def _download(client: FilesClient, args: argparse.Namespace) -> None:
    file_id: str = args.file_id
    if args.output == "-":
        _stream_to_stdout(client, file_id)
        return
    output = Path(args.output) if args.output is not None else None
    if output is not None and args.output.endswith(("/", os.sep)) and not output.is_dir():
        raise UsageError(f"no such folder: {args.output} (create it, or name a file)")
    known_size: int | None = None
    if output is None or output.is_dir():
        # The file's own name, in the current folder or the one given.
        file = client.get_file(file_id)
        output = (output or Path()) / safe_filename(file.filename, file_id)
        known_size = file.bytes
    progress = TerminalProgress(sys.stderr, known_size) if sys.stderr.isatty() else None
    started = time.monotonic()
    try:
        path = client.download_file(file_id, output, overwrite=args.overwrite, progress=progress)
    finally:
        if progress is not None:
            progress.finish()
    size = path.stat().st_size
    elapsed = max(time.monotonic() - started, 1e-9)
    print(
        f"downloaded {size} bytes ({_size(size)}) in {elapsed:.2f} s "
        f"({_size(size / elapsed)}/s) to {printable(str(path))}",
        file=sys.stderr,
    )
    if args.json:
        print(json.dumps({"id": file_id, "path": str(path), "bytes": size}, indent=2))
    else:
        print(printable(str(path)))


def _stream_to_stdout(client: FilesClient, file_id: str) -> None:
    """`-o -`: the content to stdout as it arrives (curl's and wget's convention). A body
    cut short still fails with exit code 4, but what arrived has been written."""
    out = sys.stdout.buffer
    with client.stream_file_content(file_id) as stream:
        for chunk in stream.iter_bytes():
            out.write(chunk)


def safe_filename(filename: str, file_id: str) -> str:
    """A name for the service's `filename` in the chosen folder: no folder part, no control
    characters (newlines, terminal escapes), not hidden; the file id when nothing is left."""
    name = Path(_CONTROL.sub("", filename).replace("\\", "/")).name.strip()
    return name if name not in ("", ".", "..") and not name.startswith(".") else file_id


class TerminalProgress:
    """`progress=` for `download_file` and `upload_file`: one `\\r` line on a terminal with
    bytes, rate and ETA, redrawn at most every `PROGRESS_INTERVAL` seconds."""

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


__all__ = [
    "TerminalProgress",
    "build_parser",
    "describe_failure",
    "main",
    "printable",
    "redact_url_queries",
    "safe_filename",
    "scrub",
    "url_secrets",
]
