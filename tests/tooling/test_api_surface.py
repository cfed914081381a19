"""The public-API lock (.ci/api.py): the checked-in stub matches the code, any change to the
surface fails `make check-api` until `make api` is run, and a change that breaks callers of
the last release passes only with a breaking version bump and a CHANGELOG note.

Each scenario edits a copy of the project (package sources, stubs, pyproject, CHANGELOG) in
tmp_path, as a contributor would in a fresh clone, and runs the check there.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.support.paths import ROOT


def _load_api_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ci_api", ROOT / ".ci" / "api.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("ci_api", module)
    spec.loader.exec_module(module)
    return module


api = _load_api_tool()
STUB = Path(".ci/api/azure_openai_files.pyi")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the parts of the project the check reads."""
    ignore = shutil.ignore_patterns("__pycache__")
    for folder in ("customizations", "generated", ".ci/api"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=ignore)
    for name in ("pyproject.toml", "CHANGELOG.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    # As just after releasing 0.1.0 with today's surface, so each test starts from a clean
    # baseline whatever the working tree's own release state is.
    set_version(tmp_path, "0.1.0")
    assert api.main(["--release", "--root", str(tmp_path)]) == 0
    changelog = tmp_path / "CHANGELOG.md"
    released = re.sub(
        r"(?s)## \[Unreleased\]\n.*?(?=\n## \[)", "## [Unreleased]\n", changelog.read_text()
    )
    changelog.write_text(released)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def package_file(project: Path, name: str) -> Path:
    return project / "customizations" / "azure_openai_files" / name


def check(project: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = api.main(["--check", "--root", str(project)])
    out, err = capsys.readouterr()
    return code, out + err


def accept(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What `make api` does after an intended change."""
    assert api.main(["--write", "--root", str(project)]) == 0
    capsys.readouterr()


def set_version(project: Path, version: str) -> None:
    pyproject = project / "pyproject.toml"
    text = re.sub(r'(?m)^version = "[^"]+"', f'version = "{version}"', pyproject.read_text())
    pyproject.write_text(text)


def announce_breaking(project: Path, note: str) -> None:
    changelog = project / "CHANGELOG.md"
    text = changelog.read_text()
    text = text.replace("## [Unreleased]\n", f"## [Unreleased]\n\n### Breaking\n\n- {note}\n", 1)
    changelog.write_text(text)


# --------------------------------------------------------------------------------------
# The stub is the code's surface
# --------------------------------------------------------------------------------------


@pytest.mark.timeout(60)
def test_checked_in_stub_matches_the_code() -> None:
    assert api.render_surface(ROOT) == (ROOT / STUB).read_text(encoding="utf-8"), (
        "the public API changed: run `make api`"
    )


@pytest.mark.timeout(60)
def test_stub_lists_signatures_defaults_attributes_enums_and_constants() -> None:
    stub = (ROOT / STUB).read_text(encoding="utf-8")
    assert "class FilesClient:" in stub
    assert "        max_retries: int = 3,\n" in stub  # keyword default
    assert "class NotFoundError(ServiceError):" in stub  # exception hierarchy
    assert "    status_code: int\n" in stub  # exception attribute
    assert "    PROCESSED = 'processed'\n" in stub  # enum member and value
    assert "DEFAULT_API_VERSION = " in stub  # module constant
    assert "    @property\n    def bytes(self) -> int | None: ...\n" in stub
    assert "class AsyncFilesClient:" in stub  # the lazily imported export too
    # A private base class is flattened: ContentStream's inherited properties are listed.
    content_stream = stub.split("class ContentStream")[1].split("\nclass ")[0]
    assert "def request_id(self) -> str | None: ..." in content_stream
    assert "_StreamBase" not in stub


# --------------------------------------------------------------------------------------
# Any change to the surface fails until `make api`
# --------------------------------------------------------------------------------------


@pytest.mark.timeout(60)
def test_unchanged_copy_passes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = check(project, capsys)
    assert code == 0, output


@pytest.mark.timeout(60)
def test_changed_default_fails_the_check(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(package_file(project, "_sync_client.py"), "max_retries: int = 3,", "max_retries: int = 5,")

    code, output = check(project, capsys)

    assert code == 1
    assert "-        max_retries: int = 3,\n+        max_retries: int = 5," in output
    assert "run `make api`" in output
    assert "FilesClient.__init__(max_retries): Parameter default was changed: 3 -> 5" in output


@pytest.mark.timeout(60)
def test_a_default_held_in_a_module_constant_is_locked_by_its_value(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(
        package_file(project, "_polling.py"),
        "DEFAULT_WAIT_TIMEOUT = 1800.0",
        "DEFAULT_WAIT_TIMEOUT = 60.0",
    )

    code, output = check(project, capsys)

    assert code == 1
    assert "-        timeout: float = 1800.0,\n+        timeout: float = 60.0," in output
    assert "wait_for_processing(timeout): Parameter default was changed: 1800.0 -> 60.0" in output


@pytest.mark.timeout(60)
def test_new_method_fails_the_check_until_make_api(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(
        package_file(project, "_sync_client.py"),
        "    def close(self) -> None:",
        "    def rename_file(self, file_id: str, *, limit: int = 20) -> list[str]:\n"
        "        return []\n\n    def close(self) -> None:",
    )

    code, output = check(project, capsys)
    assert code == 1
    assert (
        "+    def rename_file(\n+        self,\n+        file_id: str,\n"
        "+        *,\n+        limit: int = 20,\n" in output
    )
    assert "run `make api`" in output
    assert "Breaking" not in output and "breaking changes since" not in output

    accept(project, capsys)  # an addition breaks nobody: accepted without a version bump
    code, output = check(project, capsys)
    assert code == 0, output


@pytest.mark.timeout(60)
def test_removed_attribute_fails_the_check(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(package_file(project, "_errors.py"), "        self.retry_after = retry_after\n", "")

    code, output = check(project, capsys)

    assert code == 1
    assert "-    retry_after: float | None\n" in output
    assert "ServiceError.retry_after: Public object was removed" in output


@pytest.mark.timeout(60)
def test_removed_enum_member_fails_the_check(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Wherever the exported enum is defined (hand-written or generated).
    enum_file = Path(api._final(api.load_package(project)["Purpose"]).filepath)
    edit(enum_file, '    BATCH = "batch"\n', "")

    code, output = check(project, capsys)

    assert code == 1
    assert "-    BATCH = 'batch'\n" in output
    assert "Purpose.BATCH: Public object was removed" in output


# --------------------------------------------------------------------------------------
# Breaking changes against the last release
# --------------------------------------------------------------------------------------


@pytest.mark.timeout(60)
def test_breaking_change_needs_a_breaking_version_and_a_changelog_note(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(package_file(project, "_errors.py"), "        self.retry_after = retry_after\n", "")
    accept(project, capsys)  # the stub alone does not make a breaking change acceptable

    set_version(project, "0.1.1")
    code, output = check(project, capsys)
    assert code == 1
    assert "0.1.1 is not a breaking release" in output
    assert "ServiceError.retry_after: Public object was removed" in output

    set_version(project, "0.9.0")  # a breaking release no CHANGELOG section speaks for yet
    code, output = check(project, capsys)
    assert code == 1
    assert "CHANGELOG.md's section for 0.9.0 (or Unreleased) says nothing breaking" in output

    announce_breaking(project, "`ServiceError.retry_after` is gone; read `headers` instead.")
    code, output = check(project, capsys)
    assert code == 0, output


@pytest.mark.timeout(60)
def test_new_api_version_in_supported_list_is_not_breaking(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    version_file = package_file(project, "_version.py")
    text = version_file.read_text()
    # As `make generate` writes it for a new document: one entry a line, whatever the count.
    grown = re.sub(
        r"(SUPPORTED_API_VERSIONS: .*? = \(\n(?:    .*\n)*)\)",
        lambda m: m[1] + '    "2099-01-01-preview",\n)',
        text,
        flags=re.S,
    )
    assert grown != text
    version_file.write_text(grown)
    accept(project, capsys)

    code, output = check(project, capsys)

    assert code == 0, output


@pytest.mark.timeout(60)
def test_changed_default_api_version_is_breaking(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(
        package_file(project, "_version.py"),
        'DEFAULT_API_VERSION = "2024-10-21"',
        'DEFAULT_API_VERSION = "v1"',
    )
    accept(project, capsys)

    code, output = check(project, capsys)

    assert code == 1
    assert "DEFAULT_API_VERSION: value was changed: '2024-10-21' -> 'v1'" in output


@pytest.mark.timeout(60)
def test_release_stores_the_surface_as_the_new_baseline(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(package_file(project, "_errors.py"), "        self.retry_after = retry_after\n", "")
    accept(project, capsys)
    set_version(project, "0.2.0")
    announce_breaking(project, "`ServiceError.retry_after` is gone.")

    assert api.main(["--release", "--root", str(project)]) == 0

    stored = sorted(p.name for p in (project / ".ci" / "api").glob("released-*.pyi"))
    assert stored == ["released-0.2.0.pyi"]
    assert (
        "azure-openai-files 0.2.0, as released"
        in (project / ".ci" / "api" / "released-0.2.0.pyi").read_text()
    )
    code, output = check(project, capsys)
    assert code == 0, output


@pytest.mark.parametrize(
    ("released", "version", "breaking"),
    [
        ("0.1.0", "0.1.1", False),
        ("0.1.0", "0.2.0", True),
        ("0.1.0", "1.0.0", True),
        ("0.1.0", "0.1.0", False),
        ("1.2.3", "1.3.0", False),
        ("1.2.3", "2.0.0", True),
        ("1.2.3", "2.0.0rc1", True),
    ],
)
def test_breaking_release_follows_semver(released: str, version: str, breaking: bool) -> None:
    assert api.is_breaking_release(released, version) is breaking


def test_changelog_section_is_the_version_or_unreleased() -> None:
    changelog = (
        "# Changelog\n\n## [Unreleased]\n\n- new\n\n"
        "## [0.2.0] - 2026-12-01\n\n### Breaking\n\n## [0.1.0]\n\nold\n"
    )
    assert "Breaking" in api.changelog_section(changelog, "0.2.0")
    assert api.changelog_section(changelog, "0.3.0").strip() == "- new"
    assert api.changelog_section(changelog, "0.1.0").strip() == "old"


@pytest.mark.parametrize(
    ("section", "announced"),
    [
        ("### Breaking\n\n- `x` is gone; use `y`.\n", True),
        ("### Breaking changes\n\n- ...\n", True),
        ("### Changed\n\n- **Breaking:** `x` is gone.\n", True),
        ("### Added\n\n- a check that fails unless the version is a breaking release\n", False),
        ("### Changed\n\n- nothing breaking here\n", False),
    ],
)
def test_only_a_breaking_heading_or_bullet_announces_a_break(section: str, announced: bool) -> None:
    assert api.announces_breaking(section) is announced


@pytest.mark.timeout(60)
def test_parameter_accepting_fewer_types_is_breaking(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(
        package_file(project, "_sync_client.py"),
        "timeout: float | httpx2.Timeout | None = None,",
        "timeout: float | None = None,",
    )
    accept(project, capsys)

    code, output = check(project, capsys)

    assert code == 1
    assert (
        "FilesClient.__init__(timeout): accepts fewer types: "
        "float | httpx2.Timeout | None -> float | None"
    ) in output


OLD_STUB = """
class Client:
    size: int | None
    def get(self, file_id: str, *, timeout: float | None = None) -> bytes: ...
"""


@pytest.mark.parametrize(
    ("new_stub", "finding"),
    [
        (
            OLD_STUB.replace("-> bytes", "-> bytes | str"),
            "Client.get: may return other types: bytes -> bytes | str",
        ),
        (
            OLD_STUB.replace("file_id: str,", "file_id: int,"),
            "Client.get(file_id): accepts fewer types: str -> int",
        ),
        (
            OLD_STUB.replace("size: int | None", "size: str | None"),
            "Client.size: may hold other types: int | None -> str | None",
        ),
    ],
)
def test_type_changes_that_break_callers_are_found(new_stub: str, finding: str) -> None:
    found = api.breaking_changes(OLD_STUB, new_stub)
    assert [line.split("azure_openai_files.", 1)[-1] for line in found] == [finding]


@pytest.mark.parametrize(
    "new_stub",
    [
        OLD_STUB.replace("file_id: str,", "file_id: str | int,"),  # accepts more
        OLD_STUB.replace("timeout: float | None", "timeout: float | Timeout | None"),
        OLD_STUB.replace("size: int | None", "size: int"),  # never None any more
        OLD_STUB.replace("-> bytes", "-> Any"),
    ],
)
def test_compatible_type_changes_pass(new_stub: str) -> None:
    assert api.breaking_changes(OLD_STUB, new_stub) == []


def test_a_private_type_was_no_promise_but_becoming_one_breaks() -> None:
    private = OLD_STUB.replace("file_id: str,", "file_id: _Model,")
    assert api.breaking_changes(private, OLD_STUB) == []  # consumers could not name _Model
    (found,) = api.breaking_changes(OLD_STUB, private)  # but str callers break
    assert "Client.get(file_id): accepts fewer types: str -> _Model" in found
