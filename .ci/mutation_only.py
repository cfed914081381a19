"""Restrict `[tool.mutmut] only_mutate` of a staged pyproject.toml to the modules asked for.

Usage: mutation_only.py PYPROJECT [MODULE ...]   (e.g. `.mutation/pyproject.toml _retry _auth`)

mutmut makes mutants of every file `only_mutate` names, whichever mutants `mutmut run` is
then told to run: left as it is, `make mutation MUTATION_MODULES=_retry` would generate
(and collect test coverage for) all the listed modules. Rewriting the staged copy keeps the
run to the modules asked for. Each module must be one the committed list names, so the run
never mutates a file the list leaves out. Without modules the file is left as it is.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PACKAGE = "src/azure_openai_files"
LIST = re.compile(r"^only_mutate = \[\n(?:[^\]]*\n)?\]\n", re.MULTILINE)


def restrict(text: str, modules: list[str]) -> str:
    listed = tomllib.loads(text)["tool"]["mutmut"]["only_mutate"]
    wanted = [f"{PACKAGE}/{module}.py" for module in modules]
    unknown = [path for path in wanted if path not in listed]
    if unknown:
        raise SystemExit(f"not in [tool.mutmut] only_mutate: {', '.join(unknown)}")
    if len(LIST.findall(text)) != 1:
        raise SystemExit("expected one multi-line `only_mutate = [...]` list in [tool.mutmut]")
    lines = "".join(f'    "{path}",\n' for path in wanted)
    restricted = LIST.sub(lambda _: f"only_mutate = [\n{lines}]\n", text)
    assert tomllib.loads(restricted)["tool"]["mutmut"]["only_mutate"] == wanted
    return restricted


def main(argv: list[str]) -> int:
    pyproject, modules = Path(argv[0]), argv[1:]
    if modules:
        pyproject.write_text(restrict(pyproject.read_text(), modules))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
