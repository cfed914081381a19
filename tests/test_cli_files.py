"""`azure-openai-files list`, `upload`, `delete` and `import`: what each prints (text and
`--json`), its exit codes, an import's SAS token kept out of every line, and nothing sent for
arguments the command line or the library refuses.

Tests call `main(argv)` in-process against the stateful fake Files service
(`tests/support/files_service.py`) or a scripted loopback server."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from azure_openai_files._cli import EXIT_OK, EXIT_OUTCOME_UNKNOWN, EXIT_SERVICE, EXIT_USAGE
from azure_openai_files._generated_api import versions_with
from tests.support.cli import SECRET_KEY, one_error_line, run_cli
from tests.support.files_service import FilesService, files_service
from tests.support.loopback import respond_json, serving

PREVIEW = "2025-04-01-preview"  # pages with limit/after, takes expires_after
SIGNATURE = "Zm9vYmFyYmF6cXV4c2VjcmV0"
SAS = f"sv=2024-08-04&se=2026-12-31&sr=b&sp=r&sig={SIGNATURE}"
CONTENT_URL = f"https://account.blob.core.windows.net/data/batch.jsonl?{SAS}"


@pytest.fixture(scope="module")
def running() -> Iterator[tuple[FilesService, str]]:
    # One server for the module (stopping one takes half a second), emptied for each test.
    with files_service(paging="short-page") as running:
        yield running


@pytest.fixture
def service(running: tuple[FilesService, str]) -> tuple[FilesService, list[str]]:
    """The fake service, empty (short pages, as 2025-04-01-preview), and the options that
    reach it."""
    files, endpoint = running
    for kept in (files.files, files.seen, files.faults, files.imported, files.uploads):
        kept.clear()
    files._counter = 0
    return files, ["--endpoint", endpoint, "--api-key", SECRET_KEY, "--api-version", PREVIEW]


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert SIGNATURE not in text and SAS not in text and SECRET_KEY not in text


# --------------------------------------------------------------------------------------
# list
# --------------------------------------------------------------------------------------


def test_list_prints_an_aligned_table_with_utc_times(
    service: tuple[FilesService, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    files, options = service
    files.add_files(2)  # created 1700000000 and 1700000001
    files._store("a much longer name.jsonl", "fine-tune", 123_456, created_at=1_700_000_002)

    code = run_cli(*options, "list")

    out, err = capsys.readouterr()
    assert code == EXIT_OK and err == ""
    header, *rows = out.splitlines()
    assert header.split() == ["id", "created", "bytes", "status", "purpose", "filename"]
    assert rows[0].split() == [
        "file-000001", "2023-11-14", "22:13:20Z", "10", "processed", "batch", "file-00000.jsonl",
    ]  # fmt: skip
    assert rows[2].endswith("  fine-tune  a much longer name.jsonl")
    # Every column starts where its header does; bytes end where theirs does.
    for name in ("created", "status", "purpose", "filename"):
        start = header.index(name)
        assert all(row[start - 1] == " " and row[start] != " " for row in rows), name
    end = header.index("bytes") + len("bytes")
    assert [row[:end].split()[-1] for row in rows] == ["10", "10", "123456"]
    assert all(row[end] == " " for row in rows)


def test_list_passes_purpose_and_order(
    service: tuple[FilesService, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    files, options = service
    files.add_files(3, purpose="batch")
    files.add_files(1, purpose="fine-tune", start=1_800_000_000)

    code = run_cli(*options, "list", "--purpose", "batch", "--order", "desc")

    out, _ = capsys.readouterr()
    assert code == EXIT_OK
    assert [line.split()[0] for line in out.splitlines()[1:]] == [
        "file-000003", "file-000002", "file-000001",
    ]  # fmt: skip
    (request,) = files.seen
    assert request.query["purpose"] == "batch" and request.query["order"] == "desc"


def test_list_json_is_one_array_across_pages(
    service: tuple[FilesService, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    files, options = service
    files.add_files(10_001)  # more than one page of 10,000

    code = run_cli(*options, "list", "--json")

    out, _ = capsys.readouterr()
    assert code == EXIT_OK
    listed = json.loads(out)
    assert listed == files.files
    assert [s.query.get("after") for s in files.seen] == [None, "file-010000"]


def test_list_limit_stops_after_n_files_and_asks_for_no_more(
    service: tuple[FilesService, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    files, options = service
    files.add_files(5)

    code = run_cli(*options, "list", "--limit", "2", "--json")

    out, _ = capsys.readouterr()
    assert code == EXIT_OK
    assert [f["id"] for f in json.loads(out)] == ["file-000001", "file-000002"]
    (request,) = files.seen
    assert request.query["limit"] == "2"


def test_list_of_no_files(
    service: tuple[FilesService, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, options = service

    assert run_cli(*options, "list") == EXIT_OK
    out, err = capsys.readouterr()
    assert out == "" and err == "no files\n"

    assert run_cli(*options, "list", "--json") == EXIT_OK
    assert json.loads(capsys.readouterr().out) == []


# --------------------------------------------------------------------------------------
# upload
# --------------------------------------------------------------------------------------


@pytest.fixture
def training_file(tmp_path: Path) -> Path:
    path = tmp_path / "train.jsonl"
    path.write_bytes(b'{"prompt": "a", "completion": "b"}\n' * 100)
    return path


def test_upload_prints_the_stored_file(
    service: tuple[FilesService, list[str]],
    training_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    files, options = service

    code = run_cli(*options, "upload", str(training_file), "--purpose", "fine-tune")

    out, err = capsys.readouterr()
    assert code == EXIT_OK
    assert err == ""  # not a terminal: no progress bar
    rows = dict(line.split(None, 1) for line in out.splitlines())
    (stored,) = files.files
    assert rows["id"] == stored["id"]
    assert rows["filename"] == "train.jsonl" and rows["purpose"] == "fine-tune"
    assert rows["bytes"].startswith(f"{training_file.stat().st_size} ")
    assert stored["bytes"] == training_file.stat().st_size


def test_upload_json_under_another_name(
    service: tuple[FilesService, list[str]],
    training_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    files, options = service

    code = run_cli(
        *options, "upload", str(training_file), "--purpose", "batch", "--filename", "b.jsonl",
        "--expires-after", "1209600", "--json",
    )  # fmt: skip

    out, _ = capsys.readouterr()
    assert code == EXIT_OK
    (stored,) = files.files
    assert json.loads(out) == {k: v for k, v in stored.items() if k != "md5"}
    assert stored["filename"] == "b.jsonl" and stored["purpose"] == "batch"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_upload_shows_progress_on_a_terminal(
    service: tuple[FilesService, list[str]],
    training_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, options = service
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)

    code = run_cli(*options, "upload", str(training_file), "--purpose", "batch")

    assert code == EXIT_OK
    text = terminal.getvalue()
    assert text.startswith("\r") and text.endswith("\n")
    last = text.rstrip("\n").split("\r")[-1]
    assert "100%" in last and "3.4 KiB / 3.4 KiB" in last
    assert "id" in capsys.readouterr().out  # the file still goes to stdout


# --------------------------------------------------------------------------------------
# delete
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_json", "expected"),
    [(False, "deleted file-000001\n"), (True, {"id": "file-000001", "deleted": True})],
)
def test_delete_reports_the_deleted_file(
    service: tuple[FilesService, list[str]],
    capsys: pytest.CaptureFixture[str],
    as_json: bool,
    expected: object,
) -> None:
    files, options = service
    files.add_files(2)

    code = run_cli(*options, "delete", "file-000001", *(["--json"] if as_json else []))

    out, _ = capsys.readouterr()
    assert code == EXIT_OK
    assert (json.loads(out) if as_json else out) == expected
    assert [f["id"] for f in files.files] == ["file-000002"]


def test_deleting_a_missing_file_exits_3(
    service: tuple[FilesService, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, options = service

    code = run_cli(*options, "delete", "file-nope")

    out, err = capsys.readouterr()
    assert code == EXIT_SERVICE and out == ""
    line = one_error_line(err)
    assert "fileNotFound" in line and "HTTP 404" in line


# --------------------------------------------------------------------------------------
# import
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_json", [False, True])
def test_import_sends_the_url_and_prints_the_file_without_its_query(
    service: tuple[FilesService, list[str]], capsys: pytest.CaptureFixture[str], as_json: bool
) -> None:
    files, options = service

    code = run_cli(
        *options, "import", CONTENT_URL, "--filename", "batch.jsonl", "--purpose", "batch",
        "--expires-after", "1209600", *(["--json"] if as_json else []),
    )  # fmt: skip

    out, err = capsys.readouterr()
    assert code == EXIT_OK
    assert files.imported == [
        {
            "content_url": CONTENT_URL,
            "filename": "batch.jsonl",
            "purpose": "batch",
            "expires_after": {"anchor": "created_at", "seconds": 1_209_600},
        }
    ]
    (stored,) = files.files
    shown = (
        json.loads(out)["id"]
        if as_json
        else dict(line.split(None, 1) for line in out.splitlines())["id"]
    )
    assert shown == stored["id"]
    assert_no_secret(out, err)


def test_import_never_shows_the_sas_token_a_service_error_echoes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    echo = {
        "error": {
            "code": "invalidUrl",
            "message": f"cannot read {CONTENT_URL}",
            "details": [{"code": "x", "message": f"sig in {SAS}"}],
        }
    }
    with serving(respond_json(400, echo)) as server:
        code = run_cli(
            "--endpoint", server.endpoint, "--api-key", SECRET_KEY, "-vv",
            "import", CONTENT_URL, "--filename", "batch.jsonl", "--purpose", "batch",
        )  # fmt: skip
        assert len(server.requests) == 1

    out, err = capsys.readouterr()
    assert code == EXIT_SERVICE
    assert "invalidUrl" in err and "HTTP 400" in err
    assert "account.blob.core.windows.net/data/batch.jsonl?REDACTED" in err
    assert_no_secret(out, err)


@pytest.mark.parametrize("as_json", [False, True])
def test_import_never_prints_the_sas_token_the_stored_file_echoes(
    capsys: pytest.CaptureFixture[str], as_json: bool
) -> None:
    stored = {
        "id": "file-imp",
        "object": "file",
        "bytes": 0,
        "created_at": 1_700_000_000,
        "filename": "batch.jsonl",
        "purpose": "batch",
        "status": "pending",
        "source": {"content_url": CONTENT_URL},  # a field this package does not know
    }
    with serving(respond_json(201, stored)) as server:
        code = run_cli(
            "--endpoint", server.endpoint, "--api-key", SECRET_KEY,
            "import", CONTENT_URL, "--filename", "batch.jsonl", "--purpose", "batch",
            *(["--json"] if as_json else []),
        )  # fmt: skip

    out, err = capsys.readouterr()
    assert code == EXIT_OK
    assert "file-imp" in out and "account.blob.core.windows.net/data/batch.jsonl?" in out
    assert_no_secret(out, err)


@pytest.mark.parametrize(
    "argv",
    [
        # the library refuses the URL
        ["import", f"ftp://account/x.jsonl?{SAS}", "--filename", "x.jsonl", "--purpose", "batch"],
        # argparse quotes an argument it does not expect
        ["import", CONTENT_URL, CONTENT_URL, "--filename", "x.jsonl", "--purpose", "batch"],
        # argparse names a missing option
        ["import", CONTENT_URL, "--purpose", "batch"],
    ],
)
def test_a_refused_import_does_not_echo_the_url_query(
    service: tuple[FilesService, list[str]], capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    files, options = service

    code = run_cli(*options, *argv)

    out, err = capsys.readouterr()
    assert code == EXIT_USAGE
    assert files.seen == []
    assert_no_secret(out, err)


def test_an_operation_the_api_version_lacks_names_the_versions_that_have_it(
    service: tuple[FilesService, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    files, options = service

    code = run_cli(
        *options, "--api-version", "v1",
        "import", CONTENT_URL, "--filename", "x.jsonl", "--purpose", "batch",
    )  # fmt: skip

    _, err = capsys.readouterr()
    assert code == EXIT_USAGE
    assert files.seen == []
    line = one_error_line(err)
    assert "import is not available in api-version v1" in line
    assert line.endswith(
        "use --api-version with one of: " + ", ".join(versions_with("import_file"))
    )
    assert_no_secret(err)


# --------------------------------------------------------------------------------------
# an outcome nobody can tell, and refused arguments
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "argv"),
    [
        ("POST /files", ["upload", "{path}", "--purpose", "batch"]),
        (
            "POST /files/import",
            ["import", CONTENT_URL, "--filename", "b.jsonl", "--purpose", "batch"],
        ),
    ],
)
def test_an_outcome_unknown_exits_6_and_says_to_check_list_first(
    service: tuple[FilesService, list[str]],
    training_file: Path,
    capsys: pytest.CaptureFixture[str],
    route: str,
    argv: list[str],
) -> None:
    files, options = service
    files.faults[route] = ["lose-answer"]
    files.faults["GET /files"] = ["500"]  # so the client cannot look for the file

    code = run_cli(
        *options, "--max-retries", "0", *[a.replace("{path}", str(training_file)) for a in argv]
    )

    out, err = capsys.readouterr()
    assert code == EXIT_OUTCOME_UNKNOWN and out == ""
    line = one_error_line(err)
    assert "outcome unknown" in line and "may have been stored" in line
    assert f"check `azure-openai-files list` before running `azure-openai-files {argv[0]}`" in line
    assert len(files.files) == 1  # it was stored: retrying blindly would store it twice
    assert_no_secret(out, err)


UPLOAD_FOR_TWO_WEEKS = ["upload", "{path}", "--purpose", "batch", "--expires-after", "1209600"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["list", "--order", "newest"], "argument --order: invalid choice"),
        (["list", "--limit", "0"], "argument --limit: must be 1 or more"),
        (["upload", "{path}"], "the following arguments are required: --purpose"),
        (["upload", "{path}", "--purpose", "nope"], "--purpose 'nope' is not accepted"),
        (["upload", "{missing}", "--purpose", "batch"], "PATH cannot be read"),
        (
            ["upload", "{path}", "--purpose", "batch", "--expires-after", "60"],
            "--expires-after must be between 1209600 and 2592000 seconds",
        ),
        (
            ["upload", "{path}", "--purpose", "batch", "--expires-after", "1 day"],
            "argument --expires-after: not a whole number of seconds",
        ),
        (
            ["--api-version", "2024-10-21", *UPLOAD_FOR_TWO_WEEKS],
            "--expires-after is not available in api-version 2024-10-21",
        ),
        (
            ["import", CONTENT_URL, "--filename", "a\x1b.jsonl", "--purpose", "batch"],
            "must be a non-empty name without control characters",
        ),
        (["delete", " "], "file_id must not be empty or blank"),
    ],
)
def test_refused_arguments_exit_2_and_send_nothing(
    service: tuple[FilesService, list[str]],
    training_file: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    files, options = service
    missing = training_file.with_name("missing.jsonl")
    argv = [
        a.replace("{path}", str(training_file)).replace("{missing}", str(missing)) for a in argv
    ]

    code = run_cli(*options, *argv)

    out, err = capsys.readouterr()
    assert code == EXIT_USAGE and out == ""
    assert message in err.strip().splitlines()[-1]
    assert "\x1b" not in err  # shown escaped, never sent to the terminal
    assert files.seen == []
    assert_no_secret(err)
