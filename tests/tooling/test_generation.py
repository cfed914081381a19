"""The spec-driven foundation: generated/ is a pure, checked function of openapi/ and
generator-config.yaml, and the code it holds does what the service documents need.

Every subprocess here runs `.ci/generate.py` (no network: the generator reads local files only).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.utils import canonicalize_name

import azure_openai_files
import azure_openai_files as aof
from azure_openai_files import SUPPORTED_API_VERSIONS
from azure_openai_files._generated_api import generated_api_versions
from azure_openai_files_generated.v2024_10_21.models import Purpose
from tests.support.paths import ROOT

GENERATED = ROOT / "generated"
PACKAGE = "azure_openai_files_generated"
SPECS = sorted((ROOT / "openapi").glob("*.yaml"))
NEWEST_SPEC = ROOT / "openapi" / "2024-10-21.yaml"  # the default api-version's document
OLDER_SPEC = ROOT / "openapi" / "2024-06-01.yaml"
# The subpackage of the default api-version, where the single-file drift tests edit.
DEFAULT_PACKAGE = f"{PACKAGE}/v2024_10_21"


def run_generate(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, ".ci/generate.py", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def files_of(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def drifted(output: str) -> list[str]:
    """The file names `generate.py --check` lists after its summary line."""
    match = re.search(r"differs from what its inputs produce in (\d+) file\(s\):\n", output)
    assert match is not None, output
    names = re.findall(r"^  (\S.*)$", output[match.end() :], re.MULTILINE)
    assert len(names) == int(match.group(1)), output
    return names


# --- 1. generated/ cannot be edited by hand, nor drift from its inputs ------------------------


@pytest.fixture(scope="module")
def pristine_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generator's inputs and the committed output, outside the working tree."""
    copy = tmp_path_factory.mktemp("pristine")
    shutil.copytree(ROOT / "openapi", copy / "openapi")
    shutil.copytree(GENERATED, copy / "generated", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "generator-config.yaml", copy / "generator-config.yaml")
    (copy / ".ci").mkdir()
    shutil.copy2(ROOT / ".ci" / "generate.py", copy / ".ci" / "generate.py")
    shutil.copytree(ROOT / ".ci" / "generator-templates", copy / ".ci" / "generator-templates")
    # The hand-written files whose lists of api-versions `make generate` writes.
    version_file = Path("customizations", "azure_openai_files", "_version.py")
    (copy / version_file.parent).mkdir(parents=True)
    for listing in (version_file, Path("README.md"), Path("CONTRIBUTING.md")):
        shutil.copy2(ROOT / listing, copy / listing)
    return copy


@pytest.fixture
def repo_copy(pristine_copy: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(pristine_copy, copy)
    return copy


def generated_names(copy: Path) -> list[str]:
    return sorted(files_of(copy / "generated"))


def test_check_passes_on_unmodified_copy_even_with_bytecode_caches(repo_copy: Path) -> None:
    # Importing generated/ (as pytest and mypy do) leaves __pycache__ behind; that is no drift.
    cache = repo_copy / "generated" / DEFAULT_PACKAGE / "models" / "__pycache__"
    cache.mkdir()
    (cache / "file_object.cpython-311.pyc").write_bytes(b"\x00")

    result = run_generate("--check", cwd=repo_copy)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "matches its inputs" in result.stdout


def test_hand_edit_of_any_generated_file_fails_check_and_names_it(repo_copy: Path) -> None:
    names = generated_names(repo_copy)
    assert f"{DEFAULT_PACKAGE}/models/file_object.py" in names and "provenance.json" in names
    for name in names:
        path = repo_copy / "generated" / name
        path.write_bytes(path.read_bytes() + b"\n")  # even a blank line counts

    result = run_generate("--check", cwd=repo_copy)

    assert result.returncode == 1, result.stdout + result.stderr
    assert drifted(result.stdout) == names
    assert f"--- committed/{DEFAULT_PACKAGE}/models/file_object.py" in result.stdout


def test_hand_edit_of_one_generated_file_names_only_that_file(repo_copy: Path) -> None:
    target = repo_copy / "generated" / DEFAULT_PACKAGE / "models" / "file_object.py"
    target.write_text(
        target.read_text(encoding="utf-8").replace(
            "bytes_: int | None | Unset = UNSET", "bytes_: int = 0"
        ),
        encoding="utf-8",
    )

    result = run_generate("--check", cwd=repo_copy)

    assert result.returncode == 1, result.stdout + result.stderr
    assert drifted(result.stdout) == [f"{DEFAULT_PACKAGE}/models/file_object.py"]
    assert "-    bytes_: int = 0" in result.stdout


def test_edited_provenance_fails_check(repo_copy: Path) -> None:
    provenance = repo_copy / "generated" / "provenance.json"
    record = json.loads(provenance.read_text(encoding="utf-8"))
    record["generator"] = "openapi-python-client 0.0.0"
    provenance.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")

    result = run_generate("--check", cwd=repo_copy)

    assert result.returncode == 1, result.stdout + result.stderr
    assert drifted(result.stdout) == ["provenance.json"]


def test_deleted_generated_file_fails_check(repo_copy: Path) -> None:
    (repo_copy / "generated" / PACKAGE / "py.typed").unlink()

    result = run_generate("--check", cwd=repo_copy)

    assert result.returncode == 1, result.stdout + result.stderr
    assert drifted(result.stdout) == [f"{PACKAGE}/py.typed"]


def test_stray_file_in_generated_fails_check(repo_copy: Path) -> None:
    (repo_copy / "generated" / DEFAULT_PACKAGE / "models" / "helpers.py").write_text(
        "def patched() -> None: ...\n", encoding="utf-8"
    )

    result = run_generate("--check", cwd=repo_copy)

    assert result.returncode == 1, result.stdout + result.stderr
    assert drifted(result.stdout) == [f"{DEFAULT_PACKAGE}/models/helpers.py"]


@pytest.mark.parametrize(
    "relative",
    [
        *(f"openapi/{spec.name}" for spec in SPECS),
        "generator-config.yaml",
        ".ci/generator-templates/model.py.jinja",
    ],
    ids=[*(spec.stem for spec in SPECS), "config", "templates"],
)
def test_input_changed_without_regenerating_fails_check_via_provenance(
    repo_copy: Path, relative: str
) -> None:
    # A comment changes no generated code at all; only the recorded hash can catch it.
    path = repo_copy / relative
    comment = b"{# one more byte #}" if relative.endswith(".jinja") else b"# one more byte\n"
    path.write_bytes(path.read_bytes() + comment)

    result = run_generate("--check", cwd=repo_copy)

    assert result.returncode == 1, result.stdout + result.stderr
    assert drifted(result.stdout) == ["provenance.json"]


def test_spec_description_change_without_regenerating_fails_check(repo_copy: Path) -> None:
    spec = repo_copy / "openapi" / NEWEST_SPEC.name
    text = spec.read_text(encoding="utf-8")
    old = "The name of the file."
    assert text.count(old) == 1
    spec.write_text(text.replace(old, "The file's name."), encoding="utf-8")

    result = run_generate("--check", cwd=repo_copy)

    assert result.returncode == 1, result.stdout + result.stderr
    names = drifted(result.stdout)
    assert "provenance.json" in names
    assert f"{DEFAULT_PACKAGE}/models/file_object.py" in names


# --- 2./3. generating other documents; determinism ---------------------------------------------


@pytest.fixture(scope="module")
def older_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("older") / "out"
    result = run_generate("--spec", str(OLDER_SPEC.relative_to(ROOT)), "--out", str(out), cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def isolated_env(pythonpath: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "MYPY"))}
    env["PYTHONPATH"] = str(pythonpath)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def test_older_spec_generates_an_importable_package(older_package: Path) -> None:
    provenance = json.loads((older_package / "provenance.json").read_text(encoding="utf-8"))
    assert list(provenance["api_versions"]) == ["2024-06-01"]

    script = (
        "import json, pkgutil, importlib, azure_openai_files_generated as p\n"
        "for m in pkgutil.walk_packages(p.__path__, p.__name__ + '.'):\n"
        "    importlib.import_module(m.name)\n"
        "from azure_openai_files_generated.v2024_06_01.models import Purpose\n"
        "print(json.dumps({'file': p.__file__, 'purpose': [m.value for m in Purpose]}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=older_package.parent,
        env=isolated_env(older_package),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    # Imported from the temp folder, not the committed generated/ the editable install exposes.
    assert Path(report["file"]).resolve().is_relative_to(older_package.resolve())

    # The documents differ as the service docs say: 2024-06-01 has no batch purposes.
    assert "batch" not in report["purpose"]
    assert "fine-tune" in report["purpose"]
    assert Purpose("batch") is Purpose.BATCH  # the newest document, committed in generated/


def test_older_spec_package_passes_mypy_strict(older_package: Path, tmp_path: Path) -> None:
    env = isolated_env(older_package)
    env["MYPYPATH"] = str(older_package)
    empty_config = tmp_path / "mypy.ini"
    empty_config.write_text("[mypy]\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable, "-m", "mypy", "--strict", "-p", PACKAGE,
            "--config-file", str(empty_config), "--cache-dir", str(tmp_path / "mypy-cache"),
            "--python-version", "3.11", "--verbose",
        ],
        cwd=older_package,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout
    # mypy read the temp folder's modules, not the committed ones.
    checked = re.findall(r"Parsing (\S+) \(azure_openai_files_generated[.\w]*\)", result.stderr)
    assert checked, result.stderr[-2000:]
    assert all(Path(path).resolve().is_relative_to(older_package.resolve()) for path in checked)


def test_generation_is_deterministic_and_leaves_no_caches(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):  # set/dict ordering must not leak into the output
        out = tmp_path / f"run-{seed}"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        result = run_generate("--spec", str(NEWEST_SPEC), "--out", str(out), cwd=ROOT, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        outputs.append(out)

    first, second = (files_of(out) for out in outputs)
    assert first, "nothing generated"
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []

    for out in outputs:
        leftovers = [
            path.relative_to(out).as_posix()
            for path in out.rglob("*")
            if path.name in ("__pycache__", ".ruff_cache", ".mypy_cache")
            or path.name.endswith(("_cache", ".pyc"))
        ]
        assert leftovers == []


# --- 4. the pinned toolchain is the one the lock installs --------------------------------------


def test_toolchain_pins_match_dev_lock() -> None:
    config = yaml.safe_load((ROOT / "generator-config.yaml").read_text(encoding="utf-8"))
    pins = {canonicalize_name(name): str(version) for name, version in config["toolchain"].items()}
    assert set(pins) == {"openapi-python-client", "ruff"}

    locked = {}
    for line in (ROOT / ".ci" / "requirements-dev.lock").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"unpinned lock line: {line!r}"
            locked[canonicalize_name(name)] = version.strip()

    assert {name: locked.get(name) for name in pins} == pins


def test_generate_script_reads_the_same_pins_as_yaml() -> None:
    # .ci/generate.py parses the block with a regex; it must agree with a YAML parser.
    spec = importlib.util.spec_from_file_location(
        "generate_under_test", ROOT / ".ci" / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    config = yaml.safe_load((ROOT / "generator-config.yaml").read_text(encoding="utf-8"))

    assert module.pinned_toolchain() == {k: str(v) for k, v in config["toolchain"].items()}


# --- 5. every api-version: a document, generated code, recordings, a supported entry -----------


def _package_dir(version: str) -> Path:
    name = version.replace("-", "_")
    return GENERATED / PACKAGE / (name if name.startswith("v") else f"v{name}")


def test_documents_generated_code_recordings_and_supported_versions_are_one_list() -> None:
    documents = [spec.stem for spec in SPECS]
    provenance = json.loads((GENERATED / "provenance.json").read_text(encoding="utf-8"))
    recorded = sorted(p.name for p in (ROOT / "tests" / "recordings").iterdir() if p.is_dir())
    subpackages = sorted(
        p.name for p in (GENERATED / PACKAGE).iterdir() if (p / "__init__.py").is_file()
    )

    assert sorted(SUPPORTED_API_VERSIONS) == documents
    assert sorted(provenance["api_versions"]) == documents
    assert sorted(generated_api_versions()) == documents  # the client's dispatch table
    # Every version gets the shared cases; a folder of its own recordings is optional, and
    # none belongs to a version without a document.
    assert set(recorded) - {"shared"} <= set(documents) and "shared" in recorded
    assert subpackages == sorted(_package_dir(v).name for v in documents)
    for version in documents:
        entry = provenance["api_versions"][version]
        assert entry["spec"] == f"openapi/{version}.yaml"
        assert entry["package"] == f"{PACKAGE}.{_package_dir(version).name}"


def test_supported_api_versions_are_the_openapi_documents() -> None:
    documents = sorted(p.stem for p in (ROOT / "openapi").glob("*.yaml"))
    assert list(aof.SUPPORTED_API_VERSIONS) == documents
    assert aof.DEFAULT_API_VERSION in documents
    provenance = json.loads((ROOT / "generated" / "provenance.json").read_text())
    assert sorted(provenance["api_versions"]) == documents


def test_generated_code_is_only_request_builders_and_models() -> None:
    modules = sorted(
        path.relative_to(GENERATED / PACKAGE).as_posix()
        for path in (GENERATED / PACKAGE).rglob("*.py")
    )
    unused = [m for m in modules if m.endswith(("/client.py", "/errors.py"))]
    assert unused == []
    for path in (GENERATED / PACKAGE).rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from)\s+httpx", text, re.MULTILINE), path
        for forbidden in ("def sync", "def asyncio", "def _parse_response", "def _get_kwargs"):
            assert forbidden not in text, (path, forbidden)
    for version in (spec.stem for spec in SPECS):
        builders = sorted(
            re.findall(
                r"^def (build_\w+_request)\(",
                "".join(p.read_text() for p in (_package_dir(version) / "api").rglob("*.py")),
                re.MULTILINE,
            )
        )
        # One builder per operation of the document, no more (no client, no helpers).
        spec = yaml.safe_load((ROOT / "openapi" / f"{version}.yaml").read_text(encoding="utf-8"))
        operations = [
            operation
            for item in spec["paths"].values()
            for operation in item.values()
            if isinstance(operation, dict) and "operationId" in operation
        ]
        assert len(builders) == len(operations), (version, builders)


def _document_enum(version: str, name: str) -> set[str]:
    spec = yaml.safe_load((ROOT / "openapi" / f"{version}.yaml").read_text(encoding="utf-8"))
    return set(spec["components"]["schemas"].get(name, {}).get("enum", []))


@pytest.mark.parametrize(
    ("public", "schema"),
    [
        (azure_openai_files.FileState, "FileState"),
        (azure_openai_files.Purpose, "Purpose"),
        (azure_openai_files._models.TypeDiscriminator, "TypeDiscriminator"),
    ],
)
def test_public_enums_are_the_union_of_every_documents_enum(public: type, schema: str) -> None:
    union: set[str] = set()
    for spec in SPECS:
        union |= _document_enum(spec.stem, schema)
    assert {member.value for member in public} == union  # type: ignore[attr-defined]


def test_new_versions_add_what_the_service_documents() -> None:
    assert {"evals", "evals_output"} <= _document_enum("2025-04-01-preview", "Purpose")
    assert not {"evals", "evals_output"} & _document_enum("2024-10-21", "Purpose")
    assert "evals" in _document_enum("v1", "Purpose")
