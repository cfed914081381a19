"""Adding an api-version is one step: write openapi/<version>.yaml, run `make generate` (and
`make api`, whose diff is the review of the public change). Tried here on a copy of the
project with a synthetic version that cannot be a real one, derived from the newest dated
document: after those two commands the version is supported and dispatched, the shared
contract cases run for it, and no other file needed a hand."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import ROOT

NEW = "2099-01-01-preview"
TEMPLATE = "2025-04-01-preview"  # the newest dated document


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=600
    )


def git(copy: Path, *args: str) -> str:
    done = run("git", "-c", "user.name=m", "-c", "user.email=m@x", *args, cwd=copy)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the committed project, a new document written, `make generate` and `make
    api` run (their scripts, with this interpreter)."""
    copy = tmp_path_factory.mktemp("upgrade") / "project"
    copy.mkdir()
    # The committed project (whatever the working tree holds besides).
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(copy)], input=archive.stdout, check=True)
    git(copy, "init", "-q")
    git(copy, "add", "-A")
    git(copy, "commit", "-qm", "before")
    # The one hand-written step: the new version's document.
    text = (copy / "openapi" / f"{TEMPLATE}.yaml").read_text(encoding="utf-8")
    (copy / "openapi" / f"{NEW}.yaml").write_text(text.replace(TEMPLATE, NEW), encoding="utf-8")
    for script in ("generate.py", "unasync.py"):  # make generate
        done = run(sys.executable, f".ci/{script}", cwd=copy)
        assert done.returncode == 0, done.stdout + done.stderr
    done = run(sys.executable, ".ci/api.py", "--write", cwd=copy)  # make api
    assert done.returncode == 0, done.stdout + done.stderr
    return copy


def in_copy(copy: Path) -> dict[str, str]:
    """The environment that imports the copy's package, not the checkout's."""
    paths = [str(copy / "customizations"), str(copy / "generated"), str(copy)]
    return dict(os.environ, PYTHONPATH=os.pathsep.join(paths))


@pytest.mark.timeout(600)
def test_nothing_but_the_document_is_written_by_hand(upgraded: Path) -> None:
    changed = {
        line[3:]
        for line in git(upgraded, "status", "--porcelain", "--untracked-files=all").splitlines()
    }
    by_hand = {name for name in changed if not name.startswith("generated/")}
    assert by_hand == {
        f"openapi/{NEW}.yaml",  # written by hand
        "customizations/azure_openai_files/_version.py",  # SUPPORTED_API_VERSIONS: generated
        "README.md",  # its list of api-versions: generated
        ".ci/api/azure_openai_files.pyi",  # `make api`
    }
    # The public change, as `make api` shows it for review: the version joins the tuple.
    stub_diff = git(upgraded, "diff", "-U0", "--", ".ci/api/azure_openai_files.pyi")
    added = [line for line in stub_diff.splitlines() if line.startswith("+") and "+++" not in line]
    assert len(added) == 1 and "SUPPORTED_API_VERSIONS" in added[0] and f"'{NEW}'" in added[0]


@pytest.mark.timeout(600)
def test_the_generated_and_api_checks_pass(upgraded: Path) -> None:
    for args in (
        (".ci/generate.py", "--check"),
        (".ci/unasync.py", "--check"),
        (".ci/api.py", "--check"),
    ):
        done = run(sys.executable, *args, cwd=upgraded)
        assert done.returncode == 0, f"{args}: {done.stdout}{done.stderr}"


@pytest.mark.timeout(600)
def test_the_new_version_is_supported_dispatched_and_covered_by_the_shared_cases(
    upgraded: Path,
) -> None:
    probe = (
        "import azure_openai_files as aof\n"
        "from azure_openai_files._generated_api import generated_api_versions\n"
        f"assert '{NEW}' in aof.SUPPORTED_API_VERSIONS, aof.SUPPORTED_API_VERSIONS\n"
        f"assert '{NEW}' in generated_api_versions()\n"
        "client = aof.FilesClient(\n"
        f"    'https://r.openai.azure.com', api_key='k', api_version='{NEW}'\n"
        ")\n"
        "print(aof.__file__)\n"
    )
    done = run(sys.executable, "-c", probe, cwd=upgraded, env=in_copy(upgraded))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(str(upgraded))  # the copy's package, not the checkout's
    tests = run(
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "tests/contract/test_recordings_spec.py",
        "tests/contract/test_recordings_sdk.py",
        "-k",
        NEW,
        cwd=upgraded,
        env=in_copy(upgraded),
    )
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-2000:]
    summary = tests.stdout.strip().splitlines()[-1]
    passed = int(summary.split(" passed")[0].split()[-1])
    assert passed >= 40, summary  # every shared case, through the documents and the SDK
