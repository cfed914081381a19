"""The package's modules import one way: no circle, including imports made inside functions
or only for type checking (they hide a circle, they do not remove it), and the generated code
never imports the hand-written layer."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "customizations" / "azure_openai_files"
GENERATED = ROOT / "generated" / "azure_openai_files_generated"


def imported_modules(path: Path) -> set[str]:
    """The package modules `path` imports, wherever in the file the import is."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:  # `from . import _async_io`
                found.update(alias.name for alias in node.names)
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("azure_openai_files.")
        ):
            found.add(node.module.split(".")[1])
    return found


def import_graph() -> dict[str, set[str]]:
    return {path.stem: imported_modules(path) - {path.stem} for path in PACKAGE.glob("*.py")}


def test_no_module_imports_in_a_circle() -> None:
    graph = import_graph()
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as error:
        raise AssertionError(f"import circle: {' -> '.join(error.args[1])}") from None
    assert "_errors" in order and order.index("_errors") < order.index("_generated_api")


def test_the_check_sees_an_import_inside_a_function() -> None:
    graph = import_graph()
    graph["_errors"] = graph["_errors"] | {"_responses"}  # as 0.2.0's error mapping did
    try:
        list(TopologicalSorter(graph).static_order())
    except CycleError:
        return
    raise AssertionError("a circle through a function-level import went unnoticed")


def test_only_one_module_reads_the_generated_code() -> None:
    readers = {
        path.stem
        for path in PACKAGE.glob("*.py")
        if "azure_openai_files_generated" in path.read_text("utf-8")
    }
    assert readers == {"_generated_api"}


def test_the_generated_code_never_imports_the_hand_written_layer() -> None:
    for path in GENERATED.rglob("*.py"):
        assert "azure_openai_files." not in path.read_text("utf-8").replace(
            "azure_openai_files_generated", ""
        ), path
