"""Write the sync twins from their async sources, as httpcore writes its sync half.

    python .ci/unasync.py           # `make generate`: (re)write every twin
    python .ci/unasync.py --check   # `make check-generated`: fail when a twin is stale

Each async module below is the source; its twin is that code with the awaits removed and the
async names replaced by the table below, then import-sorted and formatted by the pinned ruff.
A twin is never edited by hand. What only one flavour can do is not rewritten here: it lives
in `_async_io` and `_sync_io`, two small modules with the same names, so a source calls
`_async_io.x` and its twin `_sync_io.x`.
"""

from __future__ import annotations

import argparse
import difflib
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "customizations" / "azure_openai_files"
RUFF = Path(sys.executable).parent / "ruff"

# source module -> its generated twin
TWINS = {
    "_async_client.py": "_sync_client.py",
    "_async_pipeline.py": "_sync_pipeline.py",
    "_async_streaming.py": "_sync_streaming.py",
    "_async_bearer_auth.py": "_sync_bearer_auth.py",
    "_async_paging.py": "_sync_paging.py",
    "_async_uploads.py": "_sync_uploads.py",
    "_async_transport.py": "_sync_transport.py",
}

_METHODS = {
    "aread": "read",
    "aclose": "close",
    "aiter_bytes": "iter_bytes",
    "aiter_raw": "iter_raw",
}

# (pattern, replacement), applied in order to the whole source.
SUBSTITUTIONS: list[tuple[str, str | Callable[[re.Match[str]], str]]] = [
    # This package's async modules and classes, and their twins.
    (
        r"\b_async_(client|pipeline|streaming|bearer_auth|paging|uploads|io|transport)\b",
        r"_sync_\1",
    ),
    (r"\bAsyncFilesClient\b", "FilesClient"),
    (r"\bAsyncPipeline\b", "SyncPipeline"),
    (r"\bAsyncContentStream\b", "ContentStream"),
    (r"\bAsyncBearerTokenAuth\b", "BearerTokenAuth"),
    (r"\bAsyncFilePager\b", "FilePager"),
    (r"\bAsyncUploads\b", "Uploads"),
    (r"\bAsync(Response|Transport|Httpx2Transport|Httpx2Response)\b", r"Sync\1"),
    # Only the async client sends through aiohttp.
    (r"\bhttpx2\.AsyncClient \| aiohttp\.ClientSession\b", "httpx2.AsyncClient"),
    (r" Or an `aiohttp\.ClientSession` \(the `aiohttp` extra\)[^.]*\.", ""),
    # A blocking client can only use a blocking credential.
    (r"\bTokenCredential \| AsyncTokenCredential\b", "TokenCredential"),
    # httpx2's and the standard library's async names.
    (r"\bhttpx2\.AsyncClient\b", "httpx2.Client"),
    (r"\bhttpx2\.AsyncByteStream\b", "httpx2.SyncByteStream"),
    (r"\bAbstractAsyncContextManager\b", "AbstractContextManager"),
    (r"\bAsyncIterator\b", "Iterator"),
    # An awaitable's result is what the blocking call returns.
    (r"\bAwaitable\[([^\[\]]+)\]", r"\1"),
    (r"\b(" + "|".join(_METHODS) + r")\b", lambda match: _METHODS[match[1]]),
    (r"\b__aenter__\b", "__enter__"),
    (r"\b__aexit__\b", "__exit__"),
    (r"\b__aiter__\b", "__iter__"),
    # The keywords.
    (r"\basync (def|with|for)\b", r"\1"),
    (r"\bawait\s+", ""),
]

_MODULE_DOCSTRING = re.compile(r'\A"""(?:[^"\\]|\\.|"(?!""))*"""\n', re.DOTALL)


def unasync(source: str, source_name: str, twin_path: Path) -> str:
    """The twin of `source`, as committed: substituted, import-sorted, formatted."""
    text = source
    for pattern, replacement in SUBSTITUTIONS:
        text = re.sub(pattern, replacement, text)
    text = _MODULE_DOCSTRING.sub(
        f'"""Generated from `{source_name}` by `.ci/unasync.py`: edit that file, then run\n'
        '`make generate`. Never edited by hand."""\n',
        text,
        count=1,
    )
    # Imports the sync code no longer needs go; what remains is sorted and formatted.
    text = _ruff(["check", "--fix", "--quiet", "--select", "I,F401"], text, twin_path)
    return _ruff(["format", "--quiet"], text, twin_path)


def _ruff(arguments: list[str], text: str, path: Path) -> str:
    done = subprocess.run(
        [str(RUFF), *arguments, "--stdin-filename", str(path), "-"],
        input=text,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"ruff {arguments[0]} failed on {path.name}:\n{done.stderr}")
    return done.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when a twin is stale")
    parser.add_argument("--package", type=Path, default=PACKAGE)
    args = parser.parse_args(argv)
    stale = []
    for source_name, twin_name in TWINS.items():
        twin_path = args.package / twin_name
        # ruff formats as for the package's own path, so its settings apply wherever it is.
        expected = unasync(
            (args.package / source_name).read_text("utf-8"), source_name, PACKAGE / twin_name
        )
        current = twin_path.read_text("utf-8") if twin_path.exists() else ""
        if current == expected:
            continue
        if args.check:
            stale.append(twin_name)
            sys.stdout.writelines(
                difflib.unified_diff(
                    current.splitlines(keepends=True),
                    expected.splitlines(keepends=True),
                    f"{twin_name} (committed)",
                    f"{twin_name} (from {source_name})",
                )
            )
        else:
            twin_path.write_text(expected, "utf-8")
            print(f"wrote {twin_path}")
    if stale:
        print(
            f"\n{', '.join(stale)} differ from what their async sources generate: edit the "
            "async source (never the twin) and run `make generate`",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
