"""Releasing: `make release` tags a finished release `v<version>` and refuses an unfinished
one, naming what is left; README's git install line follows the version."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_release() -> ModuleType:
    spec = importlib.util.spec_from_file_location("release", ROOT / ".ci" / "release.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["release"] = module
    spec.loader.exec_module(module)
    return module


release = _load_release()
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def finished(tmp_path: Path) -> Path:
    """A repository holding a finished 1.4.0 release."""
    (tmp_path / "customizations/azure_openai_files").mkdir(parents=True)
    (tmp_path / ".ci/api").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1.4.0"\n')
    (tmp_path / release.VERSION_FILE).write_text('__version__ = "1.4.0"\n')
    (tmp_path / "CHANGELOG.md").write_text(
        "# Changelog\n\n## [Unreleased]\n\n## [1.4.0] - 2026-12-01\n\n### Fixed\n\n- x\n"
    )
    (tmp_path / "README.md").write_text(
        'pip install "azure-openai-files @ git+https://git.example/g/azure-openai-files@v1.4.0"\n'
    )
    (tmp_path / ".ci/api/released-1.4.0.pyi").write_text("")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "-c", "user.name=r", "-c", "user.email=r@x", "commit", "-qm", "1.4.0")
    return tmp_path


def test_a_finished_release_is_tagged_on_head_once(finished: Path) -> None:
    assert release.main(["--root", str(finished)]) == 0
    assert git(finished, "rev-parse", "v1.4.0^{commit}") == git(finished, "rev-parse", "HEAD")
    assert git(finished, "cat-file", "-t", "v1.4.0") == "tag"  # annotated
    assert "nothing to do" in release.create_tag(finished)


@pytest.mark.parametrize(
    ("path", "text", "reason"),
    [
        (release.VERSION_FILE, '__version__ = "1.3.0"\n', "_version.py says 1.3.0"),
        (Path("CHANGELOG.md"), "## [1.4.0]\n", "no dated section for 1.4.0"),
        (Path("CHANGELOG.md"), "## [Unreleased]\n", "no dated section for 1.4.0"),
        (Path("README.md"), 'pip install x@git+https://h/r@v1.3.0"\n', "not @v1.3.0"),
        (Path("README.md"), "pip install x\n", "must name @v1.4.0"),
    ],
)
def test_an_unfinished_release_is_refused_naming_what_is_left(
    finished: Path, path: Path, text: str, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (finished / path).write_text(text)
    git(finished, "-c", "user.name=r", "-c", "user.email=r@x", "commit", "-qam", "edit")
    assert release.main(["--root", str(finished)]) == 1
    assert reason in capsys.readouterr().err
    assert git(finished, "tag") == ""


def test_a_release_without_its_stored_surface_or_with_uncommitted_work_is_refused(
    finished: Path,
) -> None:
    (finished / "notes.txt").write_text("wip")
    with pytest.raises(release.ReleaseError, match="uncommitted changes"):
        release.check_release(finished)
    (finished / "notes.txt").unlink()
    (finished / ".ci/api/released-1.4.0.pyi").unlink()
    with pytest.raises(release.ReleaseError, match="make api-release"):
        release.check_release(finished)


def test_a_tag_on_another_commit_is_never_moved(finished: Path) -> None:
    release.create_tag(finished)
    git(
        finished,
        "-c",
        "user.name=r",
        "-c",
        "user.email=r@x",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "more",
    )
    with pytest.raises(release.ReleaseError, match=r"already tags \w+, not HEAD: bump the version"):
        release.create_tag(finished)


def test_the_readme_installs_the_tag_of_this_version() -> None:
    assert release.readme_install_tags(ROOT) == [f"v{VERSION}"]
