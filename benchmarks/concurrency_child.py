"""One contender of the concurrent get_file part, in a process of its own, driven round by round.

    python -m benchmarks.concurrency_child CONTENDER ENDPOINT

Builds the contender's async client (benchmarks/contenders.py, ASYNC_GET) and prints one JSON
line: {"ready": true}, or {"unavailable": why} and exits. Then it answers one JSON command per
line of stdin with one JSON line:

- {"tasks": C, "calls": N, "warmup": W}: W calls per task untimed, then N calls spread over C
  tasks (each task takes the next call while any is left), timed: {"rps", "seconds", "calls"}
- {"close": true}: closes the client, answers {"closed": true, "httpx_imported": bool} (whether
  the old `httpx` package was imported by anything the contender ran) and exits.

The process lives for the whole part, so its imports are done and its pool keeps its
connections between rounds, as in a long-running service; the harness asks one child at a
time, so the others sit blocked on stdin and take no CPU from the one being timed.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
from typing import Any

from benchmarks import contenders as c

FILE_ID = "file-1024"


async def burst(call: c.AsyncCall, tasks: int, calls: int) -> float:
    """Seconds for `calls` calls shared by `tasks` tasks."""
    remaining = calls

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call(FILE_ID)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(tasks)))
    return time.perf_counter() - started


def answer(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(document) + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> None:
    contender, endpoint = argv
    with asyncio.Runner() as runner:  # one loop for the child's life: the pool lives in it
        try:
            call, close = runner.run(c.ASYNC_GET[contender](endpoint))
        except c.Unavailable as error:
            answer({"unavailable": str(error)})
            return
        answer({"ready": True})
        for line in sys.stdin:
            command = json.loads(line)
            if command.get("close"):
                runner.run(close())
                answer({"closed": True, "httpx_imported": "httpx" in sys.modules})
                return
            tasks, calls = int(command["tasks"]), int(command["calls"])
            runner.run(burst(call, tasks, tasks * int(command.get("warmup", 0))))
            gc.collect()
            seconds = runner.run(burst(call, tasks, calls))
            answer({"rps": calls / seconds, "seconds": seconds, "calls": calls})


if __name__ == "__main__":
    main(sys.argv[1:])
