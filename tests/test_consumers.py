"""The sample programs (samples/, code written as consuming teams write it) run against the
replay server, once per api-version in `SUPPORTED_API_VERSIONS`, configured only through the
environment.

File ids come from each version's recordings (a processed file with content, a failed one,
a throttled one, ...), so a newly supported api-version is covered as soon as its
recordings exist.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from azure_openai_files import SUPPORTED_API_VERSIONS
from azure_openai_files_generated import API_VERSIONS
from samples import (
    async_fetch,
    download_batch_output,
    download_with_progress,
    handle_errors,
    show_files,
    upload_then_delete,
    wait_then_download,
)
from tests.replay import GeneratedBody, Recording, ReplayServer, load_recordings, replay_server

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"
# No recording of any api-version has this id: the replay server answers 404 notFound.
MISSING_FILE = "file-no-recording-has-this-id"
KEY = "any-key-works-with-the-replay-server"


@dataclass(frozen=True)
class Cast:
    """The recordings of one api-version that the snippets need."""

    version: str
    ready: Recording  # Files_Get of a processed file whose content is recorded too
    content: Recording  # ...and that content
    by_status: dict[int, Recording]  # Files_Get error responses, one per status
    failed: Recording | None  # Files_Get of a file whose processing failed

    @property
    def ready_id(self) -> str:
        return file_id_of(self.ready)

    @property
    def content_sha256(self) -> str:
        body = self.content.body
        if isinstance(body, GeneratedBody):
            return body.sha256
        return hashlib.sha256(body).hexdigest()

    @property
    def content_size(self) -> int:
        body = self.content.body
        return body.size if isinstance(body, GeneratedBody) else len(body)

    def error(self, status: int) -> Recording:
        if status not in self.by_status:
            pytest.skip(f"no recorded HTTP {status} for Files_Get in api-version {self.version}")
        return self.by_status[status]


def file_id_of(recording: Recording) -> str:
    """The id in the recorded path, whatever the api-version's route prefix (`/openai/files/`,
    `/openai/v1/files/`)."""
    match = re.search(r"/files/([^/]+)", recording.request_path)
    assert match is not None, recording.path
    return match.group(1)


def _status_of(recording: Recording) -> object:
    document = recording.json_body()
    return document.get("status") if isinstance(document, dict) else None


def cast_for(version: str) -> Cast:
    recordings = load_recordings(version)
    gets = [r for r in recordings if r.operation == "Files_Get"]
    contents = {
        file_id_of(r): r
        for r in recordings
        if r.operation == "Files_GetContent" and r.status == 200
    }
    ready = [
        r
        for r in gets
        if r.status == 200 and _status_of(r) == "processed" and file_id_of(r) in contents
    ]
    assert ready, f"api-version {version}: no recorded processed file with recorded content"
    smallest = min(ready, key=lambda r: len(contents[file_id_of(r)].body_bytes()))
    failed = [r for r in gets if r.status == 200 and _status_of(r) == "error"]
    return Cast(
        version=version,
        ready=smallest,
        content=contents[file_id_of(smallest)],
        by_status={r.status: r for r in sorted(gets, key=lambda r: r.name) if r.status >= 400},
        failed=failed[0] if failed else None,
    )


@pytest.fixture(scope="module", params=SUPPORTED_API_VERSIONS)
def replay(request: pytest.FixtureRequest) -> Iterator[tuple[Cast, ReplayServer]]:
    version: str = request.param
    with replay_server(version) as server:
        yield cast_for(version), server


@pytest.fixture
def cast(replay: tuple[Cast, ReplayServer], monkeypatch: pytest.MonkeyPatch) -> Cast:
    """The environment a consumer sets; nothing else configures the snippets."""
    cast, server = replay
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", server.endpoint)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_API_VERSION", cast.version)
    return cast


def test_every_supported_api_version_has_recordings() -> None:
    for version in SUPPORTED_API_VERSIONS:
        cast_for(version)  # fails naming the version when a needed recording is missing


@pytest.mark.timeout(60)
def test_show_files_reports_ready_and_missing_files(
    cast: Cast, capsys: pytest.CaptureFixture[str]
) -> None:
    code = show_files.main([cast.ready_id, MISSING_FILE])

    lines = capsys.readouterr().out.splitlines()
    assert code == 1  # one file was missing
    filename = cast.ready.json_body()["filename"]
    size = cast.ready.json_body()["bytes"]
    assert lines[0] == (
        f"{cast.ready_id} {filename}: ready, {size} bytes, "
        f"purpose {cast.ready.json_body()['purpose']}"
    )
    assert lines[1].startswith(f"{MISSING_FILE}: not found (code notFound, request id ")


@pytest.mark.timeout(120)
def test_download_with_progress_writes_the_verified_file(
    cast: Cast, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = download_with_progress.main([cast.ready_id, str(tmp_path)])

    out = capsys.readouterr().out.splitlines()
    assert code == 0, out
    name = Path(cast.ready.json_body()["filename"]).name
    assert out[0] == f"{name} {cast.content_size} bytes sha256 {cast.content_sha256}"
    assert out[1] == "progress reached 100"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


@pytest.mark.timeout(120)
def test_async_fetch_gathers_streams_and_downloads(
    cast: Cast, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = async_fetch.main([str(tmp_path), MISSING_FILE, cast.ready_id])

    out = capsys.readouterr().out.splitlines()
    assert code == 0, out
    assert f"{MISSING_FILE}: HTTP 404 notFound" in out
    assert f"streamed sha256 {cast.content_sha256}" in out
    assert f"downloaded sha256 {cast.content_sha256}" in out


@pytest.mark.timeout(60)
def test_wait_then_download_reads_a_processed_file(
    cast: Cast, capsys: pytest.CaptureFixture[str]
) -> None:
    code = wait_then_download.main([cast.ready_id])

    out = capsys.readouterr().out.strip()
    assert code == 0, out
    filename = cast.ready.json_body()["filename"]
    assert out == f"{filename} is processed: {cast.content_size} bytes"


@pytest.mark.timeout(60)
def test_wait_then_download_reports_failed_processing(
    cast: Cast, capsys: pytest.CaptureFixture[str]
) -> None:
    if cast.failed is None:
        pytest.skip(f"no recorded failed file in api-version {cast.version}")

    code = wait_then_download.main([file_id_of(cast.failed)])

    details = cast.failed.json_body().get("status_details")
    assert code == 5
    assert capsys.readouterr().out.strip() == f"{file_id_of(cast.failed)} failed: {details}"


@pytest.mark.timeout(60)
def test_handle_errors_finds_a_ready_file(cast: Cast, capsys: pytest.CaptureFixture[str]) -> None:
    assert handle_errors.main([cast.ready_id]) == 0
    assert capsys.readouterr().out.strip() == f"found {cast.ready.json_body()['filename']}"


@pytest.mark.timeout(60)
def test_handle_errors_not_found_carries_code_message_and_ids(
    cast: Cast, capsys: pytest.CaptureFixture[str]
) -> None:
    assert handle_errors.main([MISSING_FILE]) == 66
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("no such file: notFound: ")
    request_id, echoed = lines[1].removeprefix("ids: ").split()
    assert request_id not in ("", "None")
    assert echoed == "True"  # our client_request_id came back on the error


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("status", "exit_code", "prefix"),
    [
        (429, 75, "throttled: retry after "),
        (401, 77, "fix the key: "),
        (500, 69, "service failed: "),
    ],
)
def test_handle_errors_branches_on_the_error_class(
    cast: Cast, status: int, exit_code: int, prefix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    recording = cast.error(status)

    code = handle_errors.main([file_id_of(recording)])

    out = capsys.readouterr().out.strip()
    assert code == exit_code, out
    assert out.startswith(prefix)
    if status == 429:
        assert recording.headers["apim-request-id"] in out
        assert "unknown" not in out  # the recording says how long to wait


def needs_operations(cast: Cast, *roles: str) -> None:
    """Skip an api-version whose document lacks one of the operations (the generated
    package's API_VERSIONS roles, the table the client dispatches on)."""
    missing = [role for role in roles if role not in API_VERSIONS[cast.version]]
    if missing:
        pytest.skip(f"api-version {cast.version} has no {', '.join(missing)}")


@pytest.mark.timeout(60)
def test_download_batch_output_downloads_each_listed_file_verified(
    cast: Cast, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    needs_operations(cast, "list_files", "get_file_content")
    recordings = {r.name: r for r in load_recordings(cast.version)}
    listed = recordings["list-batch-output"].json_body()["data"]

    code = download_batch_output.main([str(tmp_path)])

    out = capsys.readouterr().out.splitlines()
    assert code == 0, out
    expected = []
    for item in listed:
        content = next(
            r
            for r in recordings.values()
            if r.operation == "Files_GetContent" and file_id_of(r) == item["id"]
        ).body_bytes()
        name = Path(item["filename"]).name
        assert (tmp_path / name).read_bytes() == content
        expected.append(f"{name} {len(content)} bytes sha256 {hashlib.sha256(content).hexdigest()}")
    assert out == [*expected, f"{len(listed)} batch output files downloaded"]
    if cast.version == "2024-06-01":  # no Batch API: nothing has the purpose
        assert listed == []
    else:
        assert len(listed) == 2


@pytest.mark.timeout(60)
def test_upload_then_delete_uploads_waits_and_deletes(
    cast: Cast, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    needs_operations(cast, "upload_file", "get_file", "delete_file")
    recordings = {r.name: r for r in load_recordings(cast.version)}
    uploaded = recordings["upload-training-file"].json_body()
    source = tmp_path / uploaded["filename"]
    source.write_bytes(b'{"messages": [{"role": "user", "content": "Hi"}]}\n')

    code = upload_then_delete.main([str(source)])

    out = capsys.readouterr().out.splitlines()
    assert code == 0, out
    processed = recordings["get-uploaded-training-file"].json_body()
    assert out == [
        f"uploaded {uploaded['filename']} as {uploaded['id']} ({uploaded['status']})",
        f"{uploaded['id']} is processed: {processed['bytes']} bytes",
        f"deleted {uploaded['id']}: True",
    ]


def test_snippets_use_only_the_public_package() -> None:
    snippets = sorted(p for p in SAMPLES_DIR.glob("*.py") if p.name != "__init__.py")
    assert len(snippets) >= 5
    for snippet in snippets:
        tree = ast.parse(snippet.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("azure_openai_files."), snippet.name
                assert not node.module.startswith("tests"), snippet.name
                if node.module == "azure_openai_files":
                    private = [a.name for a in node.names if a.name.startswith("_")]
                    assert not private, f"{snippet.name} imports {private}"


@pytest.mark.timeout(60)
def test_a_snippet_runs_as_a_program(cast: Cast) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    got = subprocess.run(
        [sys.executable, "-m", "samples.show_files", cast.ready_id],
        capture_output=True, text=True, env=env, timeout=60, check=False,
        cwd=Path(__file__).parent.parent,
    )  # fmt: skip
    assert got.returncode == 0, got.stderr
    assert got.stdout.startswith(f"{cast.ready_id} ")


def test_each_sample_names_the_command_that_runs_it() -> None:
    for sample in sorted(p for p in SAMPLES_DIR.glob("*.py") if p.name != "__init__.py"):
        docstring = ast.get_docstring(ast.parse(sample.read_text(encoding="utf-8"))) or ""
        assert f"python -m samples.{sample.stem} " in docstring, sample.name


def test_the_samples_are_type_checked_strictly() -> None:
    """`make typecheck` holds the samples to `mypy --strict`, as consumers' CI would."""
    makefile = (SAMPLES_DIR.parent / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^\t\$\(BIN\)/mypy --strict samples ", makefile, re.MULTILINE)
