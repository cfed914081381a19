"""The distribution: one wheel with both import packages, the declared runtime dependencies
and nothing else, installable into a clean environment.

No subprocess here may reach a package index: builds run without isolation, installs with
--no-index --no-deps, and the runtime dependencies come from this environment's own copies.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import json
import os
import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import azure_openai_files as aof
from tests.support.paths import ROOT

PACKAGES = {
    "azure_openai_files": ROOT / "customizations" / "azure_openai_files",
    "azure_openai_files_generated": ROOT / "generated" / "azure_openai_files_generated",
}
# Modules that serve an extra and import its library: loaded only when the extra is used.
EXTRA_MODULES = {"azure_openai_files._aiohttp_transport": "aiohttp"}
API_VERSIONS = {path.stem for path in (ROOT / "openapi").glob("*.yaml")}
# MAJOR.MINOR.PATCH, optionally with a PEP 440 pre-release or dev suffix.
SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:(?:a|b|rc)\d+)?(?:\.dev\d+)?")


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_"))}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONNOUSERSITE="1")
    return env


def run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, timeout=300, **kwargs)  # type: ignore[call-overload]
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), "."],
        cwd=ROOT,
        env=clean_env(),
    )
    return out


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    wheels = list(dist.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return Parser().parsestr(archive.read(name).decode("utf-8"))


def declared(metadata: Message) -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in metadata.get_all("Requires-Dist", [])}


def shipped_python(wheel: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheel) as archive:
        return {
            name: archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.endswith(".py")
        }


def test_build_produces_one_wheel_and_one_sdist(dist: Path) -> None:
    assert len(list(dist.glob("*.whl"))) == 1
    assert len(list(dist.glob("*.tar.gz"))) == 1


def test_wheel_ships_both_packages_with_type_markers(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())

    assert "azure_openai_files/__init__.py" in names
    assert "azure_openai_files/py.typed" in names
    assert "azure_openai_files_generated/py.typed" in names
    # Every module of both source trees is shipped, nothing outside them is.
    for package, source in PACKAGES.items():
        expected = {
            f"{package}/{path.relative_to(source).as_posix()}"
            for path in source.rglob("*.py")
            if "__pycache__" not in path.parts
        }
        assert expected, package
        assert expected <= names, sorted(expected - names)
    top_level = {name.split("/", 1)[0] for name in names}
    assert {t for t in top_level if not t.endswith(".dist-info")} == set(PACKAGES)


def test_sdist_carries_the_generator_inputs(dist: Path) -> None:
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}

    for required in (
        "pyproject.toml",
        "generator-config.yaml",
        "generated/provenance.json",
        "customizations/azure_openai_files/__init__.py",
        "generated/azure_openai_files_generated/__init__.py",
        *(f"openapi/{version}.yaml" for version in API_VERSIONS),
    ):
        assert required in names, required


def test_wheel_metadata_name_and_semver_version(metadata: Message) -> None:
    assert metadata["Name"] == "azure-openai-files"
    version = metadata["Version"]
    assert SEMVER.fullmatch(version), version
    # The package version is not the service's api-version.
    assert version not in API_VERSIONS
    assert not re.fullmatch(r"\d{4}-\d{2}-\d{2}", version)


def test_wheel_requires_exactly_httpx2_its_transport_and_attrs(
    metadata: Message, wheel: Path
) -> None:
    # Extras (`bench`, `entra`) carry an `extra == ...` marker; only unmarked ones are runtime.
    required = {
        canonicalize_name(Requirement(r).name)
        for r in metadata.get_all("Requires-Dist", [])
        if Requirement(r).marker is None
    }

    assert required == {"httpx2", "httpcore2", "attrs"}
    # The generator can emit python-dateutil imports (for date-time fields); none is shipped,
    # so not declaring python-dateutil is right.
    dateutil = re.compile(r"^\s*(?:import\s+dateutil|from\s+dateutil)\b", re.MULTILINE)
    assert [name for name, text in shipped_python(wheel).items() if dateutil.search(text)] == []


def test_every_third_party_import_is_a_declared_dependency(metadata: Message, wheel: Path) -> None:
    imported: set[str] = set()
    for text in shipped_python(wheel).values():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - set(PACKAGES) - {"__future__"}

    providers = importlib.metadata.packages_distributions()
    declared = {
        canonicalize_name(Requirement(r).name) for r in metadata.get_all("Requires-Dist", [])
    }
    # A namespace package (`opentelemetry`) is provided by several distributions: declaring
    # one of them (opentelemetry-api, the `tracing` extra) is what covers the import.
    undeclared = {
        module: sorted(canonicalize_name(dist) for dist in providers[module])
        for module in third_party
        if not {canonicalize_name(dist) for dist in providers[module]} & declared
    }
    assert third_party, "expected httpx2/attrs imports"
    assert undeclared == {}


def runtime_closure(metadata: Message) -> list[importlib.metadata.Distribution]:
    """The installed distributions the wheel's Requires-Dist pulls in, transitively."""
    seen: dict[str, importlib.metadata.Distribution] = {}
    pending = [Requirement(r) for r in metadata.get_all("Requires-Dist", [])]
    while pending:
        requirement = pending.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(requirement.name)
        if name in seen:
            continue
        seen[name] = importlib.metadata.distribution(name)
        pending.extend(Requirement(r) for r in seen[name].requires or [])
    return list(seen.values())


def link_distributions(distributions: list[importlib.metadata.Distribution], target: Path) -> None:
    """Symlink each distribution's top-level modules and metadata into `target`."""
    target.mkdir()
    for distribution in distributions:
        tops = {Path(str(f)).parts[0] for f in distribution.files or []}
        for top in sorted(tops):
            if top in ("..", "__pycache__") or top.endswith(".pth"):
                continue
            source = Path(str(distribution.locate_file(top)))
            if source.exists() and not (target / top).exists():
                (target / top).symlink_to(source)


@pytest.fixture(scope="module")
def installed(
    wheel: Path, metadata: Message, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    """The wheel installed into a fresh venv; what importing it there reports."""
    tmp_path = tmp_path_factory.mktemp("install")
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], env=clean_env())
    python = venv / "bin" / "python"
    # This environment's pip installs into the new venv: the wheel only, offline.
    run(
        [
            sys.executable, "-m", "pip", "--python", str(python), "install",
            "--no-index", "--no-deps", "--disable-pip-version-check", "--quiet", str(wheel),
        ],
        env=clean_env(),
    )  # fmt: skip

    # The runtime dependencies, taken from the wheel's own Requires-Dist: if one is missing
    # there, the imports below fail.
    deps = tmp_path / "deps"
    link_distributions(runtime_closure(metadata), deps)
    assert not any((deps / package).exists() for package in PACKAGES)

    script = (
        "import importlib, json, pkgutil\n"
        "import azure_openai_files, azure_openai_files_generated\n"
        "modules = []\n"
        "for package in (azure_openai_files, azure_openai_files_generated):\n"
        "    modules.append(package.__name__)\n"
        "    for info in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
        f"        if info.name in {sorted(EXTRA_MODULES)!r}:\n"
        "            continue\n"
        "        importlib.import_module(info.name)\n"
        "        modules.append(info.name)\n"
        "print(json.dumps({\n"
        "    'files': [azure_openai_files.__file__, azure_openai_files_generated.__file__],\n"
        "    'modules': modules,\n"
        "    'version': getattr(azure_openai_files, '__version__', None),\n"
        "}))\n"
    )
    env = clean_env()
    env["PYTHONPATH"] = str(deps)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    result = run([str(python), "-c", script], cwd=tmp_path, env=env)
    return venv, json.loads(result.stdout)


def test_wheel_installs_and_imports_in_a_clean_venv(installed: tuple[Path, dict[str, Any]]) -> None:
    venv, report = installed

    # Imported from the venv's site-packages, not from the source tree.
    site_packages = venv.resolve() / "lib"
    for file in report["files"]:
        assert Path(file).resolve().is_relative_to(site_packages), file
    assert "azure_openai_files_generated.v2024_10_21.models.file_object" in report["modules"]


def test_installed_version_is_the_wheel_version(
    installed: tuple[Path, dict[str, Any]], metadata: Message
) -> None:
    _, report = installed

    assert report["version"] == metadata["Version"]


def test_runtime_dependency_closure_has_no_httpx(metadata: Message) -> None:
    closure = {canonicalize_name(d.metadata["Name"]) for d in runtime_closure(metadata)}

    assert {"httpx2", "attrs"} <= closure
    # httpx and its transport httpcore are the unmaintained stack httpx2 replaces.
    assert closure.isdisjoint({"httpx", "httpcore"}), sorted(closure)


# Every public method of both clients, against a loopback server, in a fresh interpreter that
# has httpx installed (this environment): it must still not be imported.
_EVERY_METHOD_WITHOUT_HTTPX = """
import asyncio, json, sys, tempfile
from pathlib import Path
import azure_openai_files as aof
from tests.support.loopback import respond, respond_json, serving

FILE = {"id": "file-1", "object": "file", "filename": "a.jsonl", "purpose": "fine-tune",
        "status": "processed", "bytes": 3, "created_at": 1}

def route(conn, request):
    if request.path.endswith("/content"):
        respond(200, b"abc", content_type="application/octet-stream")(conn, request)
    else:
        respond_json(200, FILE)(conn, request)

called = []
with serving(route) as server, tempfile.TemporaryDirectory() as tmp:
    with aof.FilesClient(server.endpoint, api_key="fake-key") as client:
        client.get_file("file-1"); called.append("get_file")
        client.get_file_content("file-1"); called.append("get_file_content")
        with client.stream_file_content("file-1") as stream:
            b"".join(stream.iter_bytes())
        called.append("stream_file_content")
        client.download_file("file-1", Path(tmp, "sync")); called.append("download_file")
        client.wait_for_processing("file-1"); called.append("wait_for_processing")

    async def run():
        async with aof.AsyncFilesClient(server.endpoint, api_key="fake-key") as client:
            await client.get_file("file-1"); called.append("async get_file")
            await client.get_file_content("file-1"); called.append("async get_file_content")
            async with client.stream_file_content("file-1") as stream:
                [chunk async for chunk in stream.iter_bytes()]
            called.append("async stream_file_content")
            await client.download_file("file-1", Path(tmp, "async"))
            called.append("async download_file")
            await client.wait_for_processing("file-1"); called.append("async wait_for_processing")

    async def run_on_aiohttp():
        import aiohttp

        async with aiohttp.ClientSession() as session:
            client = aof.AsyncFilesClient(server.endpoint, api_key="fake-key", http_client=session)
            async with client:
                await client.get_file("file-1"); called.append("aiohttp get_file")
                await client.download_file("file-1", Path(tmp, "aiohttp"))
                called.append("aiohttp download_file")

    asyncio.run(run())
    aiohttp_before = "aiohttp" in sys.modules  # only a caller's session brings it in
    asyncio.run(run_on_aiohttp())
    requests = len(server.requests)
print(json.dumps({
    "called": called,
    "requests": requests,
    "httpx_modules": sorted(m for m in sys.modules if m.split(".")[0] in ("httpx", "httpcore")),
    "httpx2_loaded": "httpx2" in sys.modules,
    "aiohttp_before_a_session": aiohttp_before,
}))
"""


def test_importing_and_calling_every_method_never_imports_httpx() -> None:
    assert importlib.util.find_spec("httpx") is not None, "the check needs httpx installed"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    result = run([sys.executable, "-c", _EVERY_METHOD_WITHOUT_HTTPX], cwd=ROOT, env=env)
    report = json.loads(result.stdout)

    assert len(report["called"]) == 12, report["called"]
    assert report["requests"] == 12
    assert report["httpx2_loaded"] is True
    assert report["httpx_modules"] == []
    assert report["aiohttp_before_a_session"] is False


def test_package_version_is_the_pyproject_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert aof.__version__ == project["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", aof.__version__)
