"""The sync modules are generated from their async sources (`.ci/unasync.py`), so the two
clients cannot drift: a twin edited by hand, or a source changed without regenerating, fails
`make check-generated`."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "customizations" / "azure_openai_files"
SCRIPT = ROOT / ".ci" / "unasync.py"


def _load_unasync() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ci_unasync", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


unasync = _load_unasync()


def check(package: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--check", "--package", str(package)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def test_every_committed_twin_is_what_its_async_source_generates() -> None:
    done = check(PACKAGE)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_sync_module_has_an_async_source_and_says_it_is_generated() -> None:
    sync_modules = {path.name for path in PACKAGE.glob("_sync_*.py")} - {"_sync_io.py"}
    assert sync_modules == set(unasync.TWINS.values())
    for source, twin in unasync.TWINS.items():
        assert (PACKAGE / source).is_file()
        assert (PACKAGE / twin).read_text().startswith(f'"""Generated from `{source}`')


def test_a_twin_edited_by_hand_fails_the_check_naming_it(tmp_path: Path) -> None:
    package = tmp_path / "azure_openai_files"
    shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    twin = package / "_sync_client.py"
    edited = twin.read_text().replace("max_retries: int = 3,", "max_retries: int = 9,", 1)
    assert edited != twin.read_text()
    twin.write_text(edited)
    done = check(package)
    assert done.returncode == 1
    assert "_sync_client.py differ from what their async sources generate" in done.stderr
    assert "-        max_retries: int = 9," in done.stdout


def test_a_source_change_reaches_its_twin(tmp_path: Path) -> None:
    package = tmp_path / "azure_openai_files"
    shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    source = package / "_async_client.py"
    source.write_text(source.read_text().replace("max_retries: int = 3", "max_retries: int = 4"))
    assert check(package).returncode == 1
    subprocess.run([sys.executable, str(SCRIPT), "--package", str(package)], check=True, cwd=ROOT)
    assert "max_retries: int = 4" in (package / "_sync_client.py").read_text()
    assert check(package).returncode == 0


def test_the_twins_differ_only_in_their_io() -> None:
    # What the flavours do differently is in _async_io/_sync_io, with the same names.
    def public_names(module: str) -> set[str]:
        text = (PACKAGE / module).read_text()
        return {
            line.split("(")[0].split(" =")[0].removeprefix("async def ").removeprefix("def ")
            for line in text.splitlines()
            if line.startswith(("def ", "async def ")) or (line[:1].isupper() and " = " in line)
        }

    assert public_names("_async_io.py") == public_names("_sync_io.py")
