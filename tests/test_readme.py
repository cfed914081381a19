"""Every Python example of the documentation (README.md, CONTRIBUTING.md, docs/*.md) runs, as
written, against the replay server; the tables agree with the code they describe, wherever
they live; links between the documents lead somewhere.

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

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"  # for the people who use the package
CONTRIBUTING = ROOT / "CONTRIBUTING.md"  # for the people who work on it
DESIGN = ROOT / "docs" / "design.md"
# Every document whose examples run: the README, CONTRIBUTING and all of docs/.
DOCUMENTS = [README, CONTRIBUTING, *sorted((ROOT / "docs").glob("*.md"))]
FAKE_KEY = "readme-example-key"
REQUEST_METHODS = ("get_file", "download_file", "stream_file_content", "wait_for_processing")


def name_of(document: Path) -> str:
    return document.relative_to(ROOT).as_posix()


def python_blocks(document: Path) -> list[tuple[int, str]]:
    """(line number, code) of each ```python block."""
    blocks: list[tuple[int, str]] = []
    lines = document.read_text(encoding="utf-8").splitlines()
    start: int | None = None
    for number, line in enumerate(lines, start=1):
        if start is None and line.strip() == "```python":
            start = number
        elif start is not None and line.strip() == "```":
            blocks.append((start, "\n".join(lines[start : number - 1]) + "\n"))
            start = None
    assert start is None, f"{name_of(document)}:{start}: unterminated code block"
    return blocks


# (where, code): `where` is "README.md:12", "docs/design.md:40"...
BLOCKS = [
    (f"{name_of(document)}:{line}", code)
    for document in DOCUMENTS
    for line, code in python_blocks(document)
]
README_BLOCKS = [code for _, code in python_blocks(README)]


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
    assert len(README_BLOCKS) >= 6
    assert any("AsyncFilesClient" in code for code in README_BLOCKS)
    assert any("credential=" in code for code in README_BLOCKS)


def test_every_document_is_looked_at() -> None:
    assert CONTRIBUTING.exists() and DESIGN.exists()
    assert {name_of(d) for d in DOCUMENTS} >= {
        "README.md", "CONTRIBUTING.md", "docs/design.md", "docs/performance.md",
        "docs/mutation-testing.md", "docs/fuzzing.md",
    }  # fmt: skip


@pytest.mark.parametrize(("where", "code"), BLOCKS, ids=[where for where, _ in BLOCKS])
def test_example_runs(
    where: str, code: str, example_environment: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    exec(compile(code, where, "exec"), {"__name__": "__readme__"})

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
    (code,) = [c for c in README_BLOCKS if "download_file(file_id" in c and "async" not in c]
    exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})

    written = tmp_path / "step_metrics.jsonl"
    assert written.stat().st_size == 4783  # `bytes` of the recorded file's metadata


def table_rows(header: str, document: Path = README) -> list[list[str]]:
    """Body cells of the table in `document` whose header row starts with `header`."""
    text = document.read_text(encoding="utf-8")
    assert header in text, f"{name_of(document)} has no table {header!r}"
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
    """The promise table (docs/design.md) points at tests; a renamed or deleted one must not
    leave it pointing at nothing."""
    rows = table_rows("| promise | kept by (in `tests/`) |", DESIGN)
    named = re.findall(r"`(test_\w+\.py)::(test_\w+)`", "\n".join("|".join(r) for r in rows))
    assert len(named) >= 10
    tests = Path(__file__).parent
    missing = [
        f"{module}::{name}"
        for module, name in named
        if not re.search(rf"^(async )?def {name}\(", (tests / module).read_text(), re.MULTILINE)
    ]
    assert missing == []


# Each promise of the table in docs/design.md, and how the README states it to users.
PROMISES = {
    "no hang": "no call hangs",
    "nothing partial": "a download is complete and verified, or absent",
    "nothing twice": "an upload is stored once, or you are told it may have been",
    "no secret": "no secret shows in logs, reprs, errors or output",
}


def test_the_readme_promises_what_the_promise_table_keeps() -> None:
    """Each promise the tests keep is stated to users too, without the test ids."""
    readme = " ".join(README.read_text(encoding="utf-8").split())
    rows = table_rows("| promise | kept by (in `tests/`) |", DESIGN)
    kept = [next((k for k in PROMISES if row[0].startswith(k)), row[0]) for row in rows]
    assert kept == list(PROMISES)
    for phrase in PROMISES.values():
        assert phrase in readme
    assert "(docs/design.md)" in readme


def test_the_readme_is_for_users() -> None:
    """No test ids, no maintainer procedures: those live in CONTRIBUTING.md and docs/."""
    readme = README.read_text(encoding="utf-8")
    assert re.findall(r"test_\w+\.py", readme) == []
    assert len(readme.encode("utf-8")) <= 20_000
    assert len(CONTRIBUTING.read_text(encoding="utf-8").encode("utf-8")) <= 10_000


# Where the maintainer sections the README once held live now.
MOVED_SECTIONS = {
    "## Try it by hand": CONTRIBUTING,  # tests/test_cli.py runs its commands
    "## Layout": CONTRIBUTING,
    "## Adding an api-version": CONTRIBUTING,
    "## Recordings and record mode": CONTRIBUTING,
    "## Releasing": CONTRIBUTING,
    "## The promises and the tests that keep them": DESIGN,
    "# Performance": ROOT / "docs" / "performance.md",
    "# Mutation testing": ROOT / "docs" / "mutation-testing.md",
    "# Fuzzing": ROOT / "docs" / "fuzzing.md",
}


def prose(document: Path) -> str:
    """The document without its fenced code blocks (whose `#` lines are comments)."""
    text = document.read_text(encoding="utf-8")
    return re.sub(r"^```.*?^```$", "", text, flags=re.MULTILINE | re.DOTALL)


def headings(document: Path) -> list[str]:
    return [line.strip() for line in prose(document).splitlines() if line.startswith("#")]


@pytest.mark.parametrize("heading", MOVED_SECTIONS, ids=list(MOVED_SECTIONS))
def test_a_moved_section_is_in_its_new_home(heading: str) -> None:
    assert heading in headings(MOVED_SECTIONS[heading])
    title = heading.lstrip("# ")
    assert title not in [h.lstrip("# ") for h in headings(README)]


def test_the_samples_section_lists_every_sample() -> None:
    readme = README.read_text(encoding="utf-8")
    section = readme.split("\n## Samples\n", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^- \[`(\w+)`\]\(samples/(\w+)\.py\): \S", section, re.MULTILINE)
    samples = sorted(p.stem for p in (ROOT / "samples").glob("*.py") if p.name != "__init__.py")
    assert sorted(stem for stem, _ in listed) == samples
    assert all(stem == target for stem, target in listed)


def slug(heading: str) -> str:
    """The anchor a Markdown heading gets (GitHub's rule)."""
    text = heading.lstrip("#").strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def links(document: Path) -> list[str]:
    return re.findall(r"\]\(([^)\s]+)\)", prose(document))


@pytest.mark.parametrize("document", DOCUMENTS, ids=name_of)
def test_links_between_the_documents_lead_somewhere(document: Path) -> None:
    broken = []
    for link in links(document):
        if re.match(r"[a-z]+:", link):
            continue  # https://..., mailto:
        path, _, anchor = link.partition("#")
        target = (document.parent / path).resolve() if path else document
        anchors = {slug(h) for h in headings(target)} if anchor and target.is_file() else set()
        if not target.exists() or (anchor and anchor not in anchors):
            broken.append(link)
    assert broken == []
