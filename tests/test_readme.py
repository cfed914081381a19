"""Every Python example in README.md runs, as written, against the replay server; the README's
tables agree with the code they describe.

The examples read AZURE_OPENAI_ENDPOINT / AZURE_OPENAI_API_KEY like real code would; the test
points them at the replay server. The Entra ID example imports azure-identity's
`DefaultAzureCredential`; the test provides a stand-in module with the same class name, so the
example's text stays exactly what a user writes.
"""

from __future__ import annotations

import inspect
import logging
import re
import sys
import time
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from azure_openai_files import AsyncFilesClient, FilesClient
from azure_openai_files import _cli as cli
from tests.replay import ReplayServer, replay_server

README = Path(__file__).resolve().parent.parent / "README.md"
FAKE_KEY = "readme-example-key"
REQUEST_METHODS = ("get_file", "download_file", "stream_file_content", "wait_for_processing")


def python_blocks() -> list[tuple[int, str]]:
    """(line number, code) of each ```python block."""
    blocks: list[tuple[int, str]] = []
    lines = README.read_text(encoding="utf-8").splitlines()
    start: int | None = None
    for number, line in enumerate(lines, start=1):
        if start is None and line.strip() == "```python":
            start = number
        elif start is not None and line.strip() == "```":
            blocks.append((start, "\n".join(lines[start : number - 1]) + "\n"))
            start = None
    assert start is None, f"README.md:{start}: unterminated code block"
    return blocks


BLOCKS = python_blocks()


@pytest.fixture(scope="module")
def replay() -> Iterator[ReplayServer]:
    with replay_server() as server:
        yield server


class DefaultAzureCredential:
    """Stands in for azure.identity.DefaultAzureCredential: same call, a fixed token."""

    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: object) -> object:
        self.scopes.append(scopes)
        return types.SimpleNamespace(token="readme-entra-token", expires_on=time.time() + 3600)


@pytest.fixture
def example_environment(
    replay: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ReplayServer]:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", replay.endpoint)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", FAKE_KEY)
    monkeypatch.chdir(tmp_path)
    identity = types.ModuleType("azure.identity")
    identity.DefaultAzureCredential = DefaultAzureCredential  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "azure.identity", identity)
    # Examples may configure logging; leave the process as it was.
    root = logging.getLogger()
    package = logging.getLogger("azure_openai_files")
    saved = (list(root.handlers), root.level, package.level)
    replay.requests.clear()
    try:
        yield replay
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        package.setLevel(saved[2])


def test_readme_has_examples() -> None:
    assert len(BLOCKS) >= 6
    assert any("AsyncFilesClient" in code for _, code in BLOCKS)
    assert any("credential=" in code for _, code in BLOCKS)


@pytest.mark.parametrize(("line", "code"), BLOCKS, ids=[f"README.md:{n}" for n, _ in BLOCKS])
def test_example_runs(
    line: int, code: str, example_environment: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    exec(compile(code, f"README.md:{line}", "exec"), {"__name__": "__readme__"})

    requests = example_environment.requests
    if any(f".{method}(" in code for method in REQUEST_METHODS):
        assert requests, "the example should have reached the server"
    for _, _, headers in requests:
        if "credential=" in code:
            assert headers.get("authorization") == "Bearer readme-entra-token"
            assert "api-key" not in headers
        else:
            assert headers.get("api-key") == FAKE_KEY
    assert FAKE_KEY not in capsys.readouterr().out


def test_download_examples_write_the_file(
    example_environment: ReplayServer, tmp_path: Path
) -> None:
    (code,) = [c for _, c in BLOCKS if "download_file(file_id" in c and "async" not in c]
    exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})

    written = tmp_path / "step_metrics.jsonl"
    assert written.stat().st_size == 4783  # `bytes` of the recorded file's metadata


def table_rows(header: str) -> list[list[str]]:
    """Body cells of the table whose header row starts with `header`."""
    text = README.read_text(encoding="utf-8")
    section = text.split(header, 1)[1].split("\n", 1)[1]
    rows: list[list[str]] = []
    for line in section.splitlines():
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif rows:
            break
    return rows[1:]  # skip the separator


def test_exit_code_table_matches_the_command_line() -> None:
    documented = {int(row[0]) for row in table_rows("| exit code | meaning |")}
    actual = {value for name, value in vars(cli).items() if name.startswith("EXIT_")}
    assert documented == actual


def test_method_table_covers_every_public_method() -> None:
    documented = {
        re.match(r"`(\w+)\(", row[0])[1]  # type: ignore[index]
        for row in table_rows("| call (`FilesClient`")
        if re.match(r"`(\w+)\(", row[0])
    }
    for client in (FilesClient, AsyncFilesClient):
        public = {
            name
            for name, member in inspect.getmembers(client)
            if not name.startswith("_") and callable(member)
        }
        assert public == documented, client


def test_every_test_the_reliability_table_names_exists() -> None:
    """The README's promise table points at tests; a renamed or deleted one must not leave it
    pointing at nothing."""
    named = re.findall(r"`(test_\w+\.py)::(test_\w+)`", README.read_text(encoding="utf-8"))
    assert len(named) >= 10
    tests = Path(__file__).parent
    missing = [
        f"{module}::{name}"
        for module, name in named
        if not re.search(rf"^(async )?def {name}\(", (tests / module).read_text(), re.MULTILINE)
    ]
    assert missing == []
