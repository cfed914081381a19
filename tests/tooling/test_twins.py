"""The sync and async twins are the same code: each async class, turned into sync code the way
httpcore makes its sync half (unasync's token replacement), must equal its sync twin method by
method, docstrings aside. The differences that must exist are listed below with their reason;
an entry that no longer differs fails too, so the list cannot go stale."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest
import unasync

from tests.support.paths import ROOT

PACKAGE = ROOT / "customizations" / "azure_openai_files"

# Names unasync does not know: this package's async names and httpx2's.
REPLACEMENTS = {
    "AsyncFilesClient": "FilesClient",
    "AsyncPipeline": "SyncPipeline",
    "AsyncContentStream": "ContentStream",
    "AsyncBearerTokenAuth": "BearerTokenAuth",
    "_AsyncGuardedBody": "_GuardedBody",
    "AsyncClient": "Client",
    "AsyncByteStream": "SyncByteStream",
    "aread": "read",
    "aclose": "close",
    "aiter_bytes": "iter_bytes",
    "aiter_raw": "iter_raw",
    "AbstractAsyncContextManager": "AbstractContextManager",
}

# (async module, sync module, class pairs): every method of each pair is compared.
TWINS = [
    ("_async_client.py", "_client.py", [("AsyncFilesClient", "FilesClient")]),
    ("_async_client.py", "_client.py", [("_StreamRequest", "_StreamRequest")]),
    ("_pipeline.py", "_pipeline.py", [("AsyncPipeline", "SyncPipeline")]),
    ("_pipeline.py", "_pipeline.py", [("_AsyncGuardedBody", "_GuardedBody")]),
    ("_streaming.py", "_streaming.py", [("AsyncContentStream", "ContentStream")]),
    ("_auth.py", "_auth.py", [("AsyncBearerTokenAuth", "BearerTokenAuth")]),
]

# The differences that must exist, and why.
ALLOWED = {
    # The async client also takes an async credential (`AsyncTokenCredential`), and tells
    # resolve_auth which kind of bearer auth to build.
    ("FilesClient", "__init__"),
    # The commit fsyncs: the async client runs it on a worker thread, off the event loop.
    ("FilesClient", "download_file"),
    # A sync credential cannot be interrupted: the sync pipeline waits for it on a thread up to
    # the deadline; the async one cancels the awaited fetch with asyncio.wait_for.
    ("SyncPipeline", "_auth_header"),
    # asyncio can bound the whole response head from outside, on any client; a blocking read
    # cannot be interrupted, so the sync pipeline sets the head's time limit for the network
    # backend it puts under the clients it builds (`_head_bound`).
    ("SyncPipeline", "_own_http_client"),
    ("SyncPipeline", "_send_head"),
    # `b"".join()` cannot consume an async iterator; the async read collects a list first.
    ("ContentStream", "read"),
    # The async auth also takes a sync credential, whose get_token runs on a worker thread
    # (it may do network and subprocess I/O); its lock is made lazily, inside the event loop.
    ("BearerTokenAuth", "__init__"),
    ("BearerTokenAuth", "header_value"),
}


def unasynced(source_file: Path, workdir: Path) -> str:
    """`source_file` as unasync turns it into sync code (its public API works on folders)."""
    async_copy = workdir / "_async" / source_file.name
    async_copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source_file, async_copy)
    unasync.unasync_files([str(async_copy)], [unasync.Rule("/_async/", "/_sync/", REPLACEMENTS)])
    # The one rename a token table cannot express; deferred `import asyncio`s then go unused.
    return (
        (workdir / "_sync" / source_file.name).read_text().replace("asyncio.sleep(", "time.sleep(")
    )


def methods(source: str, class_name: str, like: str | None = None) -> dict[str, str]:
    """Each method of `class_name` as normalized source, docstring and `import asyncio` left out.
    With `like` (the module before unasync), the class is the one at `class_name`'s place
    there: a module holding both twins holds two classes of one name once unasynced."""
    nodes = ast.parse(source).body
    cls: ast.stmt
    if like is None:
        (cls,) = [n for n in nodes if isinstance(n, ast.ClassDef) and n.name == class_name]
    else:
        (place,) = [
            i
            for i, n in enumerate(ast.parse(like).body)
            if isinstance(n, ast.ClassDef) and n.name == class_name
        ]
        cls = nodes[place]
    assert isinstance(cls, ast.ClassDef)
    found: dict[str, str] = {}
    for node in cls.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            body = [
                statement
                for statement in node.body
                if not (
                    isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
                )
                and not (isinstance(statement, ast.Import) and statement.names[0].name == "asyncio")
            ]
            node.body = body or [ast.Pass()]
            found[node.name] = ast.unparse(node)
    return found


def pairs() -> list[tuple[str, str, str, str]]:
    return [(a, s, ac, sc) for a, s, classes in TWINS for ac, sc in classes]


@pytest.mark.parametrize(("async_module", "sync_module", "async_class", "sync_class"), pairs())
def test_the_async_twin_unasynced_is_the_sync_twin(
    async_module: str, sync_module: str, async_class: str, sync_class: str, tmp_path: Path
) -> None:
    source = PACKAGE / async_module
    async_methods = methods(unasynced(source, tmp_path), async_class, like=source.read_text())
    sync_methods = methods((PACKAGE / sync_module).read_text(), sync_class)
    assert async_methods.keys() == sync_methods.keys(), "the twins have different methods"
    for name in sorted(sync_methods):
        same = async_methods[name] == sync_methods[name]
        if (sync_class, name) in ALLOWED:
            assert not same, f"{sync_class}.{name} no longer differs: drop it from ALLOWED"
        else:
            assert same, (
                f"{sync_class}.{name} differs from its async twin:\n"
                f"sync:\n{sync_methods[name]}\n\nasync, unasynced:\n{async_methods[name]}"
            )


def test_the_check_notices_a_difference(tmp_path: Path) -> None:
    """The comparison is not vacuous: a one-word change in a copy of the async client shows."""
    changed = tmp_path / "source" / "_async_client.py"
    changed.parent.mkdir()
    original = (PACKAGE / "_async_client.py").read_text()
    assert "metadata=True" in original
    changed.write_text(original.replace("metadata=True", "metadata=False"))
    sync_methods = methods((PACKAGE / "_client.py").read_text(), "FilesClient")
    changed_methods = methods(
        unasynced(changed, tmp_path / "work"), "AsyncFilesClient", like=changed.read_text()
    )
    assert changed_methods["get_file"] != sync_methods["get_file"]
