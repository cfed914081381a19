"""`make release`: check that the checkout is a finished release, then tag it `v<version>`.

    python .ci/release.py [--root PATH]

A release is finished when the version in pyproject.toml and `_version.py` agree, CHANGELOG.md
has a dated `## [<version>] - YYYY-MM-DD` section, README.md's git install line names the tag
`v<version>`, the public surface is stored as `.ci/api/released-<version>.pyi` (`make
api-release`) and everything is committed. The tag is created on HEAD; pushing it is left to
the releaser (the command is printed). Run again on a tagged HEAD, it changes nothing.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tomllib
from pathlib import Path

VERSION_FILE = Path("customizations/azure_openai_files/_version.py")
# The README line that installs a release straight from git, pinned to its tag.
README_GIT_INSTALL = re.compile(r'git\+\S+?@(v[^"\s]+)"')


class ReleaseError(Exception):
    """The checkout is not a finished release; the message says what to do."""


def release_version(root: Path) -> str:
    version: str = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    match = re.search(r'^__version__ = "([^"]+)"', (root / VERSION_FILE).read_text("utf-8"), re.M)
    if match is None or match[1] != version:
        raise ReleaseError(
            f"pyproject.toml says {version} but {VERSION_FILE} says "
            f"{match[1] if match else 'nothing'}: set both to the release's version"
        )
    return version


def readme_install_tags(root: Path) -> list[str]:
    """The tags README.md's git install lines name."""
    return README_GIT_INSTALL.findall((root / "README.md").read_text("utf-8"))


def check_release(root: Path) -> str:
    """The tag to create, or ReleaseError naming the first thing left to do."""
    version = release_version(root)
    tag = f"v{version}"
    changelog = (root / "CHANGELOG.md").read_text("utf-8")
    if not re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M):
        raise ReleaseError(
            f"CHANGELOG.md has no dated section for {version}: rename `## [Unreleased]` to "
            f"`## [{version}] - <date>` (and start a new, empty Unreleased section above it)"
        )
    stale = [found for found in readme_install_tags(root) if found != tag]
    if stale or not readme_install_tags(root):
        raise ReleaseError(
            f"README.md's git install line must name @{tag}"
            + (f", not @{stale[0]}" if stale else "")
        )
    if not (root / ".ci" / "api" / f"released-{version}.pyi").is_file():
        raise ReleaseError(f"no .ci/api/released-{version}.pyi: run `make api-release` first")
    if _git(root, "status", "--porcelain"):
        raise ReleaseError("uncommitted changes: commit the release first")
    return tag


def create_tag(root: Path) -> str:
    tag = check_release(root)
    head = _git(root, "rev-parse", "HEAD")
    existing = _git(
        root, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}", check=False
    )
    if existing == head:
        return f"{tag} already tags HEAD; nothing to do"
    if existing:
        raise ReleaseError(f"{tag} already tags {existing[:12]}, not HEAD: bump the version")
    _git(root, "tag", "--annotate", tag, "--message", f"azure-openai-files {tag[1:]}")
    return f"tagged HEAD as {tag}; publish with: git push origin {tag} && make build"


def _git(root: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise ReleaseError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args(argv)
    try:
        print(create_tag(args.root))
    except ReleaseError as error:
        print(f"release: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
