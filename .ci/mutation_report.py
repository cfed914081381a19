"""Summarize a `mutmut run` per module: killed, survived, timeout, other, and the score.

Usage: mutation_report.py MUTANTS_DIR [MODULE ...]   (e.g. `.mutation/mutants _retry _auth`)
The score counts timeouts as kills (the tests noticed: the mutant hung) and leaves out
mutants that were not run.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code


def summarize(meta: Path) -> Counter[str]:
    exit_codes = json.loads(meta.read_text())["exit_code_by_key"]
    return Counter(status_by_exit_code[code] for code in exit_codes.values())


def main(argv: list[str]) -> int:
    mutants = Path(argv[0])
    modules = argv[1:]
    header = f"{'module':<14}{'killed':>8}{'survived':>10}{'timeout':>9}{'other':>7}"
    print(f"{header}{'not run':>9}{'score':>8}")
    for module in modules:
        meta = mutants / "src" / "azure_openai_files" / f"{module}.py.meta"
        if not meta.exists():
            print(f"{module:<14} not run")
            continue
        counts = summarize(meta)
        killed, survived, timeout = counts["killed"], counts["survived"], counts["timeout"]
        other = sum(counts.values()) - killed - survived - timeout - counts["not checked"]
        tested = killed + survived + timeout + other
        score = f"{100 * (killed + timeout) / tested:.1f}%" if tested else "-"
        row = f"{module:<14}{killed:>8}{survived:>10}{timeout:>9}{other:>7}"
        print(f"{row}{counts['not checked']:>9}{score:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
