"""The `azure-openai-files` command line: options, environment, output, exit codes, secrets.

Most tests call `main(argv)` in-process against the replay server (recorded responses) or a
scripted loopback server (faults); one runs the installed console script as a subprocess.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import time
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from azure_openai_files import FilesClient, FilesError, TransportError, __version__
from azure_openai_files._cli import (
    EXIT_FILE,
    EXIT_INTERRUPTED,
    EXIT_NETWORK,
    EXIT_OK,
    EXIT_SERVICE,
    EXIT_USAGE,
    CredentialFailure,
    describe_failure,
)
from tests.support.cli import (
    API_VERSION,
    DOCS_FILE,
    FAILED_FILE,
    HOSTILE_NAME,
    PENDING,
    SECRET_KEY,
    one_error_line,
    recording,
    run_cli,
)
from tests.support.loopback import LoopbackServer, reset_connection, respond, respond_json, stall
from tests.support.replay import ReplayServer, api_versions, load_recordings, replay_server


@pytest.fixture(scope="module")
def replay() -> Iterator[ReplayServer]:
    with replay_server(API_VERSION) as server:
        yield server


# --------------------------------------------------------------------------------------
# get
# --------------------------------------------------------------------------------------


def test_get_prints_readable_metadata(
    replay: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_cli("--endpoint", replay.endpoint, "--api-key", SECRET_KEY, "get", DOCS_FILE)

    out, err = capsys.readouterr()
    assert code == EXIT_OK
    rows = dict(line.split(None, 1) for line in out.splitlines())
    assert rows["id"] == DOCS_FILE
    assert rows["filename"] == "puppy.jsonl"
    assert rows["status"] == "succeeded"  # a status this version does not list, kept as sent
    assert rows["bytes"].startswith("140 ")
    assert rows["created_at"].startswith("2022-03-01T09:15:27Z")
    assert err == ""


def test_get_json_prints_the_service_object(
    replay: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_cli(
        "--endpoint", replay.endpoint, "--api-key", SECRET_KEY, "get", DOCS_FILE, "--json"
    )

    out, _ = capsys.readouterr()
    assert code == EXIT_OK
    assert json.loads(out) == recording("get-docs-sample").json_body()  # type: ignore[attr-defined]


def test_endpoint_key_and_api_version_come_from_the_environment(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server.script(respond_json(200, PENDING))
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", server.endpoint)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", SECRET_KEY)
    monkeypatch.setenv("OPENAI_API_VERSION", "2024-06-01")

    assert run_cli("get", "file-x") == EXIT_OK

    (request,) = server.requests
    assert request.path == "/openai/files/file-x"
    assert request.query == "api-version=2024-06-01"
    assert request.headers["api-key"] == SECRET_KEY
    assert request.headers["user-agent"].startswith(f"azure-openai-files/{__version__} ")


def test_options_override_the_environment(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.script(respond_json(200, PENDING))
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "env-key")
    monkeypatch.setenv("OPENAI_API_VERSION", "2024-06-01")

    code = run_cli(
        "--endpoint", server.endpoint, "--api-key", SECRET_KEY, "--api-version", API_VERSION,
        "get", "file-x",
    )  # fmt: skip

    assert code == EXIT_OK
    (request,) = server.requests
    assert request.query == f"api-version={API_VERSION}"
    assert request.headers["api-key"] == SECRET_KEY


def test_max_retries_option(server: LoopbackServer, capsys: pytest.CaptureFixture[str]) -> None:
    busy = respond(503, b"busy", {"retry-after-ms": "0"}, content_type="text/plain")
    server.script(busy, busy, respond_json(200, PENDING))
    base = ("--endpoint", server.endpoint, "--api-key", SECRET_KEY)

    assert run_cli(*base, "--max-retries", "2", "get", "file-x") == EXIT_OK
    assert len(server.requests) == 3

    server.script(busy, respond_json(200, PENDING))
    assert run_cli(*base, "--max-retries", "0", "get", "file-x") == EXIT_SERVICE
    assert len(server.requests) == 1
    assert "HTTP 503" in one_error_line(capsys.readouterr().err)


def test_network_timeout_option_bounds_each_read(
    server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.script(stall(3.0))
    started = time.monotonic()

    code = run_cli(
        "--endpoint", server.endpoint, "--api-key", SECRET_KEY, "--network-timeout", "0.3",
        "--max-retries", "0", "get", "file-x",
    )  # fmt: skip

    assert code == EXIT_NETWORK
    assert time.monotonic() - started < 2.5
    assert "RequestTimeoutError" in one_error_line(capsys.readouterr().err)


def test_verbose_logs_retries_to_stderr(
    server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    busy = respond(503, b"busy", {"retry-after-ms": "0"}, content_type="text/plain")
    server.script(busy, respond_json(200, PENDING))

    code = run_cli("--endpoint", server.endpoint, "--api-key", SECRET_KEY, "-v", "get", "file-x")

    err = capsys.readouterr().err
    assert code == EXIT_OK
    assert "INFO azure_openai_files: Retrying GET /openai/files/file-x" in err
    # The handler is removed again: a later run without -v logs nothing.
    server.script(busy, respond_json(200, PENDING))
    assert run_cli("--endpoint", server.endpoint, "--api-key", SECRET_KEY, "get", "file-x") == 0
    assert capsys.readouterr().err == ""


# --------------------------------------------------------------------------------------
# Exit codes
# --------------------------------------------------------------------------------------


def test_not_found_is_one_line_with_code_status_and_request_id(
    replay: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_cli("--endpoint", replay.endpoint, "--api-key", SECRET_KEY, "get", "file-missing")

    out, err = capsys.readouterr()
    assert code == EXIT_SERVICE
    assert out == ""
    line = one_error_line(err)
    assert "NotFoundError: notFound: " in line
    assert "(HTTP 404, request id " in line


def test_service_error_from_a_recording(
    replay: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_cli(
        "--endpoint", replay.endpoint, "--api-key", SECRET_KEY, "get", "file-wrong-key-probe"
    )

    rec = recording("get-unauthorized")
    assert code == EXIT_SERVICE
    line = one_error_line(capsys.readouterr().err)
    assert "AuthenticationError" in line
    assert "HTTP 401" in line
    assert rec.headers["apim-request-id"] in line  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["get", "file-x"], "no endpoint"),
        (["--endpoint", "http://127.0.0.1:9", "get", "file-x"], "no credential"),
        (["--endpoint", "ftp://example", "--api-key", "k", "get", "file-x"], "http(s) URL"),
    ],
)
def test_configuration_errors_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(*argv) == EXIT_USAGE
    assert message in one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate", "file-x"],
        ["get"],
        ["--max-retries", "-1", "get", "file-x"],
        ["--timeout", "0", "get", "file-x"],
        ["--api-key", "k", "--entra-id", "get", "file-x"],
        ["wait", "file-x", "--poll-interval", "nan"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(*argv) == EXIT_USAGE
    assert "usage: azure-openai-files" in capsys.readouterr().err


def test_help_and_version_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("--help") == EXIT_OK
    assert "exit codes:" in capsys.readouterr().out
    assert run_cli("--version") == EXIT_OK
    assert capsys.readouterr().out.strip() == f"azure-openai-files {__version__}"


def test_connection_failure_exits_4(
    server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.script(reset_connection)

    code = run_cli(
        "--endpoint", server.endpoint, "--api-key", SECRET_KEY, "--max-retries", "0",
        "get", "file-x",
    )  # fmt: skip

    assert code == EXIT_NETWORK
    assert "TransportError" in one_error_line(capsys.readouterr().err)


def test_failed_processing_exits_5(
    replay: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_cli("--endpoint", replay.endpoint, "--api-key", SECRET_KEY, "wait", FAILED_FILE)

    assert code == EXIT_FILE
    line = one_error_line(capsys.readouterr().err)
    assert "FileProcessingError" in line
    assert "Line 3: missing 'messages'." in line


def test_wait_timeout_exits_5(server: LoopbackServer, capsys: pytest.CaptureFixture[str]) -> None:
    server.script(respond_json(200, PENDING | {"status": "pending"}))

    code = run_cli(
        "--endpoint", server.endpoint, "--api-key", SECRET_KEY,
        "wait", "file-x", "--wait-timeout", "0.3", "--poll-interval", "0.05",
    )  # fmt: skip

    assert code == EXIT_FILE
    assert "WaitTimeoutError" in one_error_line(capsys.readouterr().err)
    assert len(server.requests) >= 2


def test_wait_returns_the_processed_file(
    server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.script(
        respond_json(200, PENDING | {"status": "running"}),
        respond_json(200, PENDING | {"status": "processed", "bytes": 12}),
    )

    code = run_cli(
        "--endpoint", server.endpoint, "--api-key", SECRET_KEY,
        "wait", "file-x", "--poll-interval", "0.01", "--json",
    )  # fmt: skip

    assert code == EXIT_OK
    assert json.loads(capsys.readouterr().out)["status"] == "processed"
    assert len(server.requests) == 2


def test_ctrl_c_exits_130(
    replay: ReplayServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(self: FilesClient, file_id: str, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(FilesClient, "get_file", interrupted)

    code = run_cli("--endpoint", replay.endpoint, "--api-key", SECRET_KEY, "get", DOCS_FILE)

    assert code == EXIT_INTERRUPTED
    assert one_error_line(capsys.readouterr().err) == "azure-openai-files: interrupted"


# --------------------------------------------------------------------------------------
# Entra ID
# --------------------------------------------------------------------------------------


def test_entra_id_without_azure_identity_is_a_clear_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "azure.identity", None)  # import fails

    code = run_cli("--endpoint", "https://example.invalid", "--entra-id", "get", "file-x")

    assert code == EXIT_USAGE
    assert "pip install azure-identity" in one_error_line(capsys.readouterr().err)


def test_entra_id_sends_a_bearer_token_from_default_azure_credential(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    scopes: list[tuple[str, ...]] = []

    class DefaultAzureCredential:
        def get_token(self, *requested: str, **kwargs: object) -> object:
            scopes.append(requested)
            return types.SimpleNamespace(token="entra-token", expires_on=time.time() + 3600)

    fake = types.ModuleType("azure.identity")
    fake.DefaultAzureCredential = DefaultAzureCredential  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "azure.identity", fake)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", SECRET_KEY)  # ignored with --entra-id
    server.script(respond_json(200, PENDING))

    assert run_cli("--endpoint", server.endpoint, "--entra-id", "get", "file-x") == EXIT_OK

    (request,) = server.requests
    assert request.headers["authorization"] == "Bearer entra-token"
    assert "api-key" not in request.headers
    assert scopes == [("https://cognitiveservices.azure.com/.default",)]


# --------------------------------------------------------------------------------------
# Secrets
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("key_from", ["option", "environment"])
def test_the_key_never_reaches_output_or_logs(
    key_from: str,
    server: LoopbackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="azure_openai_files")
    key_args = ["--api-key", SECRET_KEY] if key_from == "option" else []
    if key_from == "environment":
        monkeypatch.setenv("AZURE_OPENAI_API_KEY", SECRET_KEY)
    busy = respond(503, b"busy", {"retry-after-ms": "0"}, content_type="text/plain")
    denied = respond_json(401, {"error": {"code": "401", "message": "Access denied."}})
    server.script(busy, denied)

    code = run_cli("--endpoint", server.endpoint, *key_args, "-vv", "get", "file-x")

    out, err = capsys.readouterr()
    assert code == EXIT_SERVICE
    assert [r.headers["api-key"] for r in server.requests] == [SECRET_KEY, SECRET_KEY]
    assert "Retrying" in err and "api-key" in err  # -vv logged the request headers...
    assert "REDACTED" in err  # ...with the key's value replaced
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for text in (out, err, logged):
        assert SECRET_KEY not in text
        assert SECRET_KEY[3:15] not in text


# --------------------------------------------------------------------------------------
# The installed entry points
# --------------------------------------------------------------------------------------


def test_console_script_and_module_entry_points(replay: ReplayServer, tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "azure-openai-files"
    assert script.is_file(), "console script not installed: run `make test` to rebuild .venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_OPENAI", "OPENAI"))}
    env |= {"AZURE_OPENAI_ENDPOINT": replay.endpoint, "AZURE_OPENAI_API_KEY": SECRET_KEY}

    got = subprocess.run(
        [str(script), "get", DOCS_FILE, "--json"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert got.returncode == EXIT_OK, got.stderr
    assert json.loads(got.stdout)["id"] == DOCS_FILE

    missing = subprocess.run(
        [sys.executable, "-m", "azure_openai_files", "get", "file-missing"],
        capture_output=True, text=True, env=env, timeout=60, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert missing.returncode == EXIT_SERVICE
    assert missing.stdout == ""
    assert "(HTTP 404, request id " in missing.stderr
    assert SECRET_KEY not in missing.stderr + got.stderr + got.stdout


# --------------------------------------------------------------------------------------
# Options where users put them
# --------------------------------------------------------------------------------------


def test_global_options_are_accepted_after_the_command(
    server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    busy = respond(503, b"busy", {"retry-after-ms": "0"}, content_type="text/plain")
    server.script(busy, respond_json(200, PENDING))

    code = run_cli(
        "get", "file-x", "--json", "-v", "--endpoint", server.endpoint, "--api-key", SECRET_KEY,
        "--api-version", "2024-06-01", "--max-retries", "1", "--network-timeout", "5",
        "--deadline", "30",
    )  # fmt: skip

    out, err = capsys.readouterr()
    assert code == EXIT_OK, err
    assert json.loads(out)["id"] == "file-x"
    assert "INFO azure_openai_files: Retrying GET /openai/files/file-x" in err
    assert [r.query for r in server.requests] == ["api-version=2024-06-01"] * 2


def test_options_after_the_command_do_not_reset_those_before(
    server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    busy = respond(503, b"busy", {"retry-after-ms": "0"}, content_type="text/plain")
    server.script(busy, respond_json(200, PENDING))

    code = run_cli(
        "--max-retries", "0", "--endpoint", server.endpoint, "get", "file-x", "--api-key", "k"
    )

    assert code == EXIT_SERVICE  # --max-retries 0 still holds: one request, no retry
    assert len(server.requests) == 1
    capsys.readouterr()


def test_verbose_counts_on_both_sides_of_the_command(
    server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.script(respond_json(200, PENDING))

    code = run_cli("-v", "--endpoint", server.endpoint, "--api-key", SECRET_KEY, "get", "x", "-v")

    err = capsys.readouterr().err
    assert code == EXIT_OK
    assert " DEBUG azure_openai_files: " in err  # -v -v is -vv: requests are logged
    assert SECRET_KEY not in err


def test_api_key_and_entra_id_exclude_each_other_across_the_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = run_cli("--api-key", "k", "--endpoint", "https://x.invalid", "get", "f", "--entra-id")

    assert code == EXIT_USAGE
    assert "--api-key and --entra-id exclude each other" in capsys.readouterr().err


def test_old_global_timeout_spelling_still_works_with_a_note(
    server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.script(stall(3.0))

    code = run_cli(
        "--endpoint", server.endpoint, "--api-key", "k", "--timeout", "0.3", "--max-retries", "0",
        "get", "file-x",
    )  # fmt: skip

    note, error = capsys.readouterr().err.strip().splitlines()
    assert code == EXIT_NETWORK
    assert note == "azure-openai-files: note: --timeout before the command is now --network-timeout"
    assert "RequestTimeoutError" in error


def test_old_wait_timeout_spelling_still_works_with_a_note(
    server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.script(respond_json(200, PENDING | {"status": "pending"}))

    code = run_cli(
        "--endpoint", server.endpoint, "--api-key", "k",
        "wait", "file-x", "--timeout", "0.3", "--poll-interval", "0.05",
    )  # fmt: skip

    note, error = capsys.readouterr().err.strip().splitlines()
    assert code == EXIT_FILE
    assert note == "azure-openai-files: note: wait --timeout is now --wait-timeout"
    assert "WaitTimeoutError" in error and "after 0.3 s" in error


def test_wait_timeout_and_network_timeout_are_distinct_options(
    server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.script(respond_json(200, PENDING | {"status": "pending"}))

    code = run_cli(
        "--endpoint", server.endpoint, "--api-key", "k", "wait", "file-x",
        "--wait-timeout", "0.3", "--network-timeout", "5", "--poll-interval", "0.05",
    )  # fmt: skip

    err = capsys.readouterr().err
    assert code == EXIT_FILE
    assert "after 0.3 s of waiting" in one_error_line(err)  # no note: new spellings


def test_deadline_option_bounds_the_whole_call(
    server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    busy = respond(503, b"busy", {"retry-after-ms": "2000"}, content_type="text/plain")
    server.script(busy)
    started = time.monotonic()

    code = run_cli(
        "--endpoint", server.endpoint, "--api-key", "k", "get", "file-x", "--deadline", "1"
    )

    assert code == EXIT_NETWORK
    assert "deadline of 1 s" in one_error_line(capsys.readouterr().err)
    assert len(server.requests) == 1  # the 2 s retry wait would pass the deadline
    assert time.monotonic() - started < 1.9  # no 2 s retry wait before giving up


def test_api_version_v1_is_accepted(
    server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    v1_file = PENDING | {"bytes": None, "created_at": 1731575520, "status": "pending"}
    server.script(respond_json(200, v1_file | {"expires_at": 1735689600}))

    code = run_cli(
        "--endpoint", server.endpoint, "--api-key", "k", "get", "file-x", "--api-version", "v1"
    )

    out, err = capsys.readouterr()
    assert code == EXIT_OK, err
    (request,) = server.requests
    assert request.path == "/openai/v1/files/file-x"
    rows = dict(line.split(None, 1) for line in out.splitlines())
    assert rows["expires_at"] == "2025-01-01T00:00:00Z (1735689600)"


def test_expires_at_is_shown_when_present(
    server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.script(respond_json(200, PENDING | {"expires_at": 1735689600}))

    assert run_cli("--endpoint", server.endpoint, "--api-key", "k", "get", "file-x") == EXIT_OK

    rows = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines())
    assert rows["expires_at"] == "2025-01-01T00:00:00Z (1735689600)"


# --------------------------------------------------------------------------------------
# Messages name flags, not Python parameters
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "environment", "expected"),
    [
        (["get", "f"], {}, "no endpoint: use --endpoint https://"),
        (["get", "f", "--endpoint", "https://x.invalid"], {}, "use --api-key"),
        (["get", "f", "--endpoint", "https://x.invalid", "--api-key", "  "], {}, "use --entra-id"),
    ],
)
def test_configuration_messages_name_flags_and_variables(
    argv: list[str],
    environment: dict[str, str],
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)

    assert run_cli(*argv) == EXIT_USAGE

    line = one_error_line(capsys.readouterr().err)
    assert expected in line
    assert "=" not in line.split(": ", 1)[1]  # no `endpoint=`, `api_key=` hints


# --------------------------------------------------------------------------------------
# Entra ID without a token, hostile names, unexpected failures
# --------------------------------------------------------------------------------------


def test_entra_id_credential_that_cannot_get_a_token_is_one_line_exit_2(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class ClientAuthenticationError(Exception):
        pass

    class DefaultAzureCredential:
        def get_token(self, *scopes: str, **kwargs: object) -> object:
            raise ClientAuthenticationError(
                "DefaultAzureCredential failed to retrieve a token from the included "
                "credentials.\nAttempted credentials:\n\tEnvironmentCredential: incomplete"
            )

    fake = types.ModuleType("azure.identity")
    fake.DefaultAzureCredential = DefaultAzureCredential  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "azure.identity", fake)
    server.script(respond_json(200, PENDING))

    code = run_cli("--endpoint", server.endpoint, "--entra-id", "get", "file-x")

    err = capsys.readouterr().err
    assert code == EXIT_USAGE
    line = one_error_line(err)
    assert "could not get a token (ClientAuthenticationError: DefaultAzureCredential failed" in line
    assert "Traceback" not in err
    assert server.requests == []


@pytest.mark.parametrize("wrapper", [FilesError, TransportError, RuntimeError])
def test_credential_failure_is_exit_2_however_the_library_wraps_it(
    wrapper: type[Exception],
) -> None:
    try:
        try:
            raise CredentialFailure("could not get a token (X: no account)")
        except CredentialFailure as failure:
            raise wrapper("authentication failed") from failure
    except Exception as error:
        code, message = describe_failure(error)

    assert code == EXIT_USAGE
    assert message == "Entra ID: could not get a token (X: no account)"


def test_long_error_page_is_cut_keeping_status_and_request_id(
    server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    page = "<html><body>" + "<p>Bad gateway, the upstream is unwell.</p>" * 300 + "</body></html>"
    server.script(respond(502, page, {"apim-request-id": "req-502"}, content_type="text/html"))

    code = run_cli(
        "--endpoint", server.endpoint, "--api-key", "k", "--max-retries", "0", "get", "f"
    )

    line = one_error_line(capsys.readouterr().err)
    assert code == EXIT_SERVICE
    assert len(line) <= 700
    assert " … " in line
    assert line.endswith("(HTTP 502, request id req-502)")


def test_server_filename_is_sanitized_for_display(
    server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.script(respond_json(200, PENDING | {"filename": HOSTILE_NAME}))

    assert run_cli("--endpoint", server.endpoint, "--api-key", "k", "get", "file-x") == EXIT_OK

    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    rows = dict(line.split(None, 1) for line in out.splitlines())
    assert rows["filename"] == "report\\n\\x1b]0;owned\\x07\\x1b[31mred.jsonl"


def test_service_error_text_is_sanitized(
    server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.script(respond_json(404, {"error": {"code": "x", "message": "gone\x1b[2J\nnow"}}))

    assert run_cli("--endpoint", server.endpoint, "--api-key", "k", "get", "f") == EXIT_SERVICE

    line = one_error_line(capsys.readouterr().err)
    assert "\x1b" not in line
    assert "gone\\x1b[2J\\nnow" in line  # escaped by the error itself


def test_unexpected_exception_is_one_line_without_traceback_or_secret(
    replay: ReplayServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(self: FilesClient, file_id: str, **kwargs: object) -> None:
        raise RuntimeError(f"Illegal header value b'{SECRET_KEY}\\n'")

    monkeypatch.setattr(FilesClient, "get_file", broken)

    code = run_cli("--endpoint", replay.endpoint, "--api-key", SECRET_KEY, "get", DOCS_FILE)

    out, err = capsys.readouterr()
    assert code == 1
    line = one_error_line(err)
    assert line == "azure-openai-files: unexpected RuntimeError (its message is not shown)"
    assert SECRET_KEY not in out + err
    assert "Traceback" not in err


@pytest.mark.parametrize("key", ["e", "k", "found"])
def test_a_short_key_leaves_every_message_intact(
    server: LoopbackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    key: str,
) -> None:
    # The library never puts a key in a message, so nothing is searched for and replaced:
    # a key that is a common word or letter cannot mangle the message or the request id.
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "environment-key")
    body = {"error": {"code": "fileNotFound", "message": "The file was not found."}}
    server.script(respond_json(404, body, {"apim-request-id": "req-e1e2-k3"}))

    code = run_cli("--endpoint", server.endpoint, "--api-key", key, "get", "file-keep")

    assert code == EXIT_SERVICE
    assert one_error_line(capsys.readouterr().err) == (
        "azure-openai-files: NotFoundError: fileNotFound: The file was not found. "
        "(HTTP 404, request id req-e1e2-k3)"
    )


# --------------------------------------------------------------------------------------
# CONTRIBUTING.md: "Try it by hand"
# --------------------------------------------------------------------------------------


def _try_it_by_hand() -> str:
    readme = (Path(__file__).resolve().parents[1] / "CONTRIBUTING.md").read_text(encoding="utf-8")
    return readme.split("## Try it by hand\n", 1)[1].split("\n## ", 1)[0]


def test_try_it_by_hand_file_ids_are_recorded() -> None:
    section = _try_it_by_hand()
    rows = [line for line in section.splitlines() if line.startswith("| `file-")]
    assert len(rows) >= 4
    for version in api_versions():  # "the same in every recorded api-version"
        recorded = {r.request_path.split("/files/")[1].split("/")[0]: r
                    for r in load_recordings(version) if r.operation == "Files_Get"}  # fmt: skip
        for row in rows:
            for file_id in re.findall(r"`(file-[\w-]+)`", row.split("|")[1]):
                assert file_id in recorded, (version, file_id)
                if recorded[file_id].status == 200:
                    filename = recorded[file_id].json_body()["filename"]
                    assert f"`{filename}`" in row, (version, row)


@pytest.mark.timeout(120)
def test_try_it_by_hand_commands_work(replay: ReplayServer, tmp_path: Path) -> None:
    section = _try_it_by_hand()
    commands = [
        line for line in section.splitlines() if line.startswith(".venv/bin/azure-openai-files ")
    ]
    assert len(commands) == 3
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_OPENAI", "OPENAI"))}
    exports = re.findall(r"^export (\w+)=(\S+)", section, re.MULTILINE)
    env |= dict(exports)  # as the reader sets them...
    env["AZURE_OPENAI_ENDPOINT"] = replay.endpoint  # ...but on this test's free port
    assert {name for name, _ in exports} == {
        "AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "OPENAI_API_VERSION"
    }  # fmt: skip
    bin_dir = Path(sys.executable).parent
    outputs = []
    for command in commands:
        command = command.replace(".venv/bin/", f"{bin_dir}/").replace(" /tmp/", f" {tmp_path}/")
        got = subprocess.run(
            ["bash", "-c", command], capture_output=True, text=True, env=env, timeout=60,
            check=False,
        )  # fmt: skip
        assert got.returncode == 0, got.stderr
        assert "Traceback" not in got.stderr
        outputs.append(got.stdout)
    assert "step_metrics.jsonl" in outputs[0]
    assert (tmp_path / "large-training-set.jsonl").stat().st_size == 16 * 2**20
    assert outputs[2].strip() == "exit code 5"  # the failed file: --json prints nothing
