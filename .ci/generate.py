"""Regenerate generated/ from openapi/ and generator-config.yaml, or check that it is current.

    python .ci/generate.py                 # write generated/ from the newest openapi/*.yaml
    python .ci/generate.py --check         # regenerate into a temp folder, diff, exit 1 on drift
    python .ci/generate.py --spec S --out D  # generate another document elsewhere (tests)

The output is a pure function of three inputs: the OpenAPI document, generator-config.yaml
and the pinned toolchain. generated/provenance.json records all three, so a drift in any of
them shows up as a diff of that file.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "generator-config.yaml"
SPECS = ROOT / "openapi"
GENERATED = ROOT / "generated"
PACKAGE = "azure_openai_files_generated"
PROVENANCE = "provenance.json"


def newest_spec() -> Path:
    """The document of the newest api-version: file names are the api-versions."""
    return max(SPECS.glob("*.yaml"), key=lambda path: path.stem)


def pinned_toolchain() -> dict[str, str]:
    """The `toolchain:` block of generator-config.yaml (flat `name: "version"` lines)."""
    text = CONFIG.read_text(encoding="utf-8")
    block = re.search(r"^toolchain:\n((?:[ ]+.*\n)+)", text, re.MULTILINE)
    if block is None:
        raise SystemExit(f"{CONFIG.name}: no toolchain block")
    return dict(re.findall(r'^\s+([\w-]+):\s*"([^"]+)"', block.group(1), re.MULTILINE))


def installed_ruff_version(env: dict[str, str]) -> str:
    out = subprocess.run(["ruff", "--version"], env=env, capture_output=True, text=True, check=True)
    return out.stdout.split()[-1]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def generate(spec: Path, destination: Path) -> None:
    """Write the generated package and provenance.json into `destination` (replaced whole)."""
    pins = pinned_toolchain()
    # The post-hooks call `ruff` from PATH: put this interpreter's scripts first so they
    # run the pinned ruff of this environment, not whichever one the machine has.
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    found = {
        "openapi-python-client": importlib.metadata.version("openapi-python-client"),
        "ruff": installed_ruff_version(env),
    }
    if found != pins:
        raise SystemExit(f"toolchain mismatch: {CONFIG.name} pins {pins}, installed {found}")

    with tempfile.TemporaryDirectory() as scratch:
        package_dir = Path(scratch) / PACKAGE
        result = subprocess.run(
            [
                sys.executable, "-m", "openapi_python_client", "generate",
                "--path", str(spec), "--config", str(CONFIG), "--meta", "none",
                "--output-path", str(package_dir), "--fail-on-warning",
            ],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
        if result.returncode != 0 or not package_dir.is_dir():
            raise SystemExit(f"generation failed:\n{result.stdout}\n{result.stderr}")
        for cache in package_dir.rglob("*_cache"):
            shutil.rmtree(cache)
        (package_dir / "py.typed").write_text("", encoding="utf-8")
        provenance = {
            "api_version": spec.stem,
            "spec": spec.relative_to(ROOT).as_posix() if spec.is_relative_to(ROOT) else spec.name,
            "spec_sha256": sha256(spec),
            "config_sha256": sha256(CONFIG),
            "generator": f"openapi-python-client {found['openapi-python-client']}",
            "formatter": f"ruff {found['ruff']}",
        }
        (Path(scratch) / PROVENANCE).write_text(
            json.dumps(provenance, indent=2) + "\n", encoding="utf-8"
        )
        if destination.exists():
            shutil.rmtree(destination)
        shutil.copytree(scratch, destination)
        # copytree keeps the private mode of the temp folder; use the usual one instead.
        umask = os.umask(0)
        os.umask(umask)
        destination.chmod(0o777 & ~umask)


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def check(committed: Path, spec: Path) -> int:
    """Regenerate from `spec` into a temp folder; print every difference from `committed`."""
    with tempfile.TemporaryDirectory() as scratch:
        fresh_root = Path(scratch) / "generated"
        generate(spec, fresh_root)
        fresh, current = tree(fresh_root), tree(committed) if committed.is_dir() else {}
    drift = []
    for name in sorted(fresh.keys() | current.keys()):
        if fresh.get(name) == current.get(name):
            continue
        drift.append(name)
        before = current.get(name, b"").decode("utf-8", "replace").splitlines(keepends=True)
        after = fresh.get(name, b"").decode("utf-8", "replace").splitlines(keepends=True)
        sys.stdout.writelines(
            difflib.unified_diff(before, after, f"committed/{name}", f"regenerated/{name}")
        )
    if drift:
        print(f"\ngenerated/ differs from what its inputs produce in {len(drift)} file(s):")
        print("\n".join(f"  {name}" for name in drift))
        print("Fix openapi/ or generator-config.yaml, run `make generate`; never edit generated/.")
        return 1
    print(f"generated/ matches its inputs ({len(fresh)} files)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if generated/ has drifted")
    parser.add_argument("--spec", type=Path, help="OpenAPI document (default: newest in openapi/)")
    parser.add_argument("--out", type=Path, default=GENERATED, help="output folder")
    args = parser.parse_args()
    spec = (args.spec or newest_spec()).resolve()
    if args.check:
        return check(args.out, spec)
    generate(spec, args.out.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
