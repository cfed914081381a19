"""Benchmark the SDK against raw httpx2 (and raw httpx, and the openai SDK when installed)
on loopback. Raw httpx2 is the baseline of every target of the SDK on its default stack, raw
aiohttp that of the SDK on a caller's aiohttp session; raw httpx, the unmaintained stack the
SDK ran on before, is a reference row.

    python -m benchmarks.run              # the full run behind `make bench`
    python -m benchmarks.run --smoke      # tiny sizes, few iterations: checks the code still works
    python -m benchmarks.run --only load  # one part: import, get, download, load, upload, list

Contenders alternate within every round (the order rotates round by round; sequential get_file
switches contender every few milliseconds) and each figure is the median over rounds;
a ratio against a target is the median of the per-round ratios, which cancels the drift of a
shared machine. Downloads and imports run in fresh processes so that
peak memory and import time are each process's own.

Concurrent get_file (64 and 256 asyncio tasks) compares six contenders: the SDK and openai,
each on httpx2 and on aiohttp, and each stack raw. Each runs in a long-lived process of its
own (`concurrency_child.py`), asked for one burst at a time, so only one contender runs at
once while the others keep their imports and connections warm.

The load part is behaviour, not speed: many callers on one client share one throttled
resource (a loopback service with a token bucket, then one with a window of 503s), and each
contender (the SDK, openai, azure-core, and an ideal pacer) runs once per scenario and number
of callers, in a process of its own against a fresh service (see `load_child.py` and
`throttled_server.py`). Prints a table with every target marked met or missed, then one JSON
line with the same figures.

The upload part sends a 256 MiB file (one POST) and a 1 GiB one (the SDK through the Uploads
API) from disk, each contender in a process of its own against upload_server.py, which counts
and discards the bytes (every contender verified once by MD5 first); the list part lists
10,050 files in 2025-04-01-preview's pages (see `upload_child.py` and `upload_server.py`).
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import contextlib
import gc
import http.client
import importlib.util
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import contenders as c

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MiB = 1024 * 1024
GiB = 1024 * MiB
SLICE_CALLS = 10  # sequential get_file: calls per contender per turn


@dataclass
class LoadSettings:
    callers: list[int]  # callers on one client, one run per number; the targets hold at each
    successes: int  # the group stops at this many successes ...
    cap: float  # ... or after this many seconds
    window: float  # seconds of 503s in the 503 scenario, from its first request


@dataclass
class Settings:
    smoke: bool
    rounds: int
    get_calls: int  # sequential get_file calls per contender per round
    # concurrent: (tasks, calls per round shared by the tasks, rounds); the first level has
    # the targets, so it gets the rounds
    concurrency: list[tuple[int, int, int]]
    # (size, rounds): a smaller file is quicker and its figure noisier, so it gets more rounds
    downloads: list[tuple[int, int]]
    import_rounds: int
    load: LoadSettings = field(default_factory=lambda: LoadSettings([64, 256], 3000, 60.0, 10.0))
    # (size, rounds) of the upload part; the SDK sends a file over `single_limit` through the
    # Uploads API in parts of `part_size` (None: the SDK's own 512 MB and 64 MB; the smoke run
    # lowers both so that its tiny files take that path too)
    uploads: list[tuple[int, int]] = field(default_factory=lambda: [(256 * MiB, 5), (1 * GiB, 3)])
    single_limit: int | None = None
    part_size: int | None = None
    # the list part: files on the server, the page size asked for (None: each library's
    # default, 10,000 for the SDK and the service), rounds
    list_files: int = 10_050
    list_page_size: int | None = None
    list_rounds: int = 9


def settings_for(smoke: bool) -> Settings:
    if smoke:
        return Settings(
            True,
            2,
            20,
            [(64, 128, 2), (256, 256, 2)],
            [(1 * MiB, 1), (3 * MiB, 1)],
            1,
            LoadSettings([16], 50, 10.0, 1.0),
            uploads=[(1 * MiB, 1), (3 * MiB, 1)],
            single_limit=2 * 10**6,
            part_size=10**6,
            list_files=250,
            list_page_size=200,
            list_rounds=2,
        )
    # Rounds are paired (each contender right after the others): the more of them, the less
    # one burst of another process on this shared machine moves a median.
    # Concurrent: 3,000 calls take raw aiohttp, the fastest, about 0.5 s and the slowest
    # contender about 6 s (openai at 256). The 64-way level, which has the targets, gets 11
    # rounds of 3,000 (more, shorter rounds: a ratio's median moves less with one slow burst
    # on this shared machine) and the 256-way one 3 (the part stays near 3 minutes).
    # Downloads: single rounds of one contender range up to 6x within a run (the disk), too
    # wide for a median of 5; 9 rounds at each size (the part takes about 7 minutes).
    return Settings(
        False,
        21,
        200,
        [(64, 3000, 11), (256, 3000, 3)],
        [(256 * MiB, 9), (1 * GiB, 9)],
        15,
    )


@dataclass
class Target:
    name: str
    value: float | None
    op: str  # "<=" or ">="
    limit: float
    unit: str = ""
    goal: float | None = None  # where the figure is headed, beyond the limit it must meet

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return self.value <= self.limit if self.op == "<=" else self.value >= self.limit

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "target": f"{self.op} {self.limit:g}{self.unit}",
            "goal": None if self.goal is None else f"{self.op} {self.goal:g}{self.unit}",
            "met": self.met,
        }


@dataclass
class Report:
    settings: Settings
    figures: dict[str, Any] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _rotations(names: list[str], rounds: int) -> Iterator[list[str]]:
    for r in range(rounds):
        k = r % len(names) if names else 0
        yield names[k:] + names[:k]


def _shuffles(names: list[str], rounds: int) -> Iterator[list[str]]:
    """Each round in an order of its own, the same on every run (seeded by the round). A
    rotation keeps each contender behind the same one every round, and a download leaves the
    disk busy after it (writing back what it wrote): that would fall on one contender alone."""
    for r in range(rounds):
        yield random.Random(r).sample(names, len(names))


def _stack_rotations(names: list[str], rounds: int) -> Iterator[list[str]]:
    """Each round, every stack's contenders back to back (the raw stack and the libraries on
    it), the stacks' order and the order within each rotating: a ratio to the raw stack is
    then taken between bursts seconds apart, not across the other stack's turn, while this
    shared machine's speed drifts."""
    stacks: dict[str, list[str]] = {}
    for name in names:
        stacks.setdefault(c.ASYNC_BASELINES.get(name, name), []).append(name)
    groups = list(stacks.values())
    for r in range(rounds):
        shift = r % len(groups)
        yield [
            name
            for group in groups[shift:] + groups[:shift]
            for name in group[r % len(group) :] + group[: r % len(group)]
        ]


def _paired(samples: dict[str, list[float]], a: str, b: str) -> float | None:
    """Median over rounds of a's figure / b's figure in the same round. Both ran back to back,
    so a machine whose speed drifts during the run (it is shared) moves both alike."""
    if a not in samples or b not in samples:
        return None
    return statistics.median(x / y for x, y in zip(samples[a], samples[b], strict=True))


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def _rounded(samples: dict[str, list[float]]) -> dict[str, list[float]]:
    """Every round's figure, for judging the spread behind a median."""
    return {name: [float(f"{x:.4g}") for x in values] for name, values in samples.items()}


def _label(size: int) -> str:
    return f"{size // GiB}GiB" if size % GiB == 0 else f"{size // MiB}MiB"


# --- the server -------------------------------------------------------------------------


@contextlib.contextmanager
def loopback_server(max_content: int) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, str(HERE / "server.py"), "--port", "0", "--max-content", str(max_content)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"benchmark server did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- 1. sequential get_file -------------------------------------------------------------


def bench_sequential(endpoint: str, s: Settings, report: Report) -> None:
    names = c.available(list(c.SYNC_GET))
    file_id = "file-1024"
    clients = {name: c.SYNC_GET[name](endpoint) for name in names}
    samples: dict[str, list[float]] = {name: [] for name in names}
    try:
        for name in names:  # warm up: connections, lazy imports, caches
            for _ in range(max(5, s.get_calls // 10)):
                clients[name][0](file_id)
        for order in _rotations(names, s.rounds):
            # Contenders take turns every SLICE_CALLS calls (a few ms), so a burst of load
            # from other users of the machine falls on all of them alike.
            spent = dict.fromkeys(order, 0.0)
            turns = max(1, s.get_calls // SLICE_CALLS)
            gc.collect()
            for turn in range(turns):
                # Forward, then backward: nobody always runs right after the same contender.
                for name in order if turn % 2 == 0 else order[::-1]:
                    call = clients[name][0]
                    started = time.perf_counter()
                    for _ in range(SLICE_CALLS):
                        call(file_id)
                    spent[name] += time.perf_counter() - started
            for name in order:
                samples[name].append(spent[name] / (turns * SLICE_CALLS) * 1e6)
    finally:
        for _, close in clients.values():
            close()
    us = {name: statistics.median(v) for name, v in samples.items()}
    report.figures["get_file_us"] = us
    report.figures["get_file_us_rounds"] = _rounded(samples)
    report.figures["get_file_ratio_sdk_raw"] = _paired(samples, "sdk", c.BASELINE)
    report.figures["get_file_ratio_openai_raw"] = _paired(samples, "openai", c.BASELINE)
    report.figures["get_file_ratio_sdk_openai"] = _paired(samples, "sdk", "openai")
    report.figures["get_file_ratio_sdk_httpx"] = _paired(samples, "sdk", "raw_httpx")
    report.targets.append(
        Target(
            "get_file sequential, SDK/raw httpx2 time",
            report.figures["get_file_ratio_sdk_raw"],
            "<=",
            1.10,
        )
    )


# --- 3. concurrent get_file -------------------------------------------------------------


# The concurrency targets, at the first level (64 tasks): each SDK stack against the same
# stack raw, and the SDK's faster stack against openai's faster one.
SDK_RAW_RPS = 0.95
SDK_AIOHTTP_RAW_RPS = 0.75
SDK_AIOHTTP_RAW_RPS_GOAL = 0.85
SDK_BEST_OPENAI_BEST_RPS = 2.0


class _Child:
    """A contender's process of its own (concurrency_child.py), asked one burst at a time."""

    def __init__(self, name: str, endpoint: str, stderr: Any) -> None:
        self.name = name
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.concurrency_child", name, endpoint],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,  # a file, not a pipe: nobody reads it while the child runs
            text=True,
            cwd=ROOT,
        )
        self.stderr = stderr
        self.ready = self._read()

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self.process.wait()
            self.stderr.seek(0)
            raise RuntimeError(f"concurrency child {self.name} ended:\n{self.stderr.read()}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def ask(self, command: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        return self._read()

    def close(self) -> dict[str, Any]:
        try:
            return self.ask({"close": True})
        finally:
            self.process.wait(timeout=30)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@contextlib.contextmanager
def _children(names: list[str], endpoint: str, report: Report) -> Iterator[dict[str, _Child]]:
    """One ready child per available contender; a contender whose child finds its library
    unable to do the job is dropped with a note."""
    children: dict[str, _Child] = {}
    with tempfile.TemporaryFile("w+") as stderr:
        try:
            for name in names:
                child = _Child(name, endpoint, stderr)
                if "unavailable" in child.ready:
                    child.process.wait(timeout=30)
                    report.notes.append(f"{child.ready['unavailable']}: {name} absent")
                    continue
                children[name] = child
            yield children
        finally:
            for child in children.values():
                child.kill()


def _level_figures(samples: dict[str, list[float]]) -> dict[str, Any]:
    rps = {name: statistics.median(v) for name, v in samples.items()}
    # Each library on whichever of its stacks is faster: of medians, not paired, since
    # which stack is the best one may differ round by round.
    sdk = max((n for n in ("sdk", "sdk_aiohttp") if n in rps), key=rps.__getitem__, default=None)
    openai = max(
        (n for n in ("openai", "openai_aiohttp") if n in rps), key=rps.__getitem__, default=None
    )
    return {
        "rps": rps,
        "rps_rounds": _rounded(samples),
        # Each library contender against the raw stack it runs on (the table's x).
        "ratio_raw": {
            name: _paired(samples, name, baseline) for name, baseline in c.ASYNC_BASELINES.items()
        },
        "ratio_sdk_raw": _paired(samples, "sdk", c.BASELINE),
        "ratio_sdk_aiohttp_raw_aiohttp": _paired(samples, "sdk_aiohttp", "raw_aiohttp"),
        "ratio_sdk_openai": _paired(samples, "sdk", "openai"),
        "ratio_sdk_aiohttp_openai_aiohttp": _paired(samples, "sdk_aiohttp", "openai_aiohttp"),
        "ratio_raw_aiohttp_raw_httpx2": _paired(samples, "raw_aiohttp", c.BASELINE),
        "sdk_best": sdk,
        "openai_best": openai,
        "ratio_sdk_best_openai_best": _ratio(
            None if sdk is None else rps[sdk], None if openai is None else rps[openai]
        ),
    }


def bench_concurrent(endpoint: str, s: Settings, report: Report) -> None:
    """Each contender in a long-lived process of its own, asked for one burst at a time: the
    contenders take turns burst by burst (the order rotating round by round), while the
    others wait on their stdin with their connections open."""
    results: dict[str, Any] = {}
    started = time.perf_counter()
    with _children(c.available(list(c.ASYNC_GET)), endpoint, report) as children:
        for level, (tasks, calls, rounds) in enumerate(s.concurrency):
            _progress(f"get_file, {tasks} concurrent, {len(children)} contenders")
            samples: dict[str, list[float]] = {name: [] for name in children}
            for r, order in enumerate(_stack_rotations(list(children), rounds)):
                for name in order:
                    # Warm up: the first round of a level opens the level's connections, the
                    # later ones replace what the pool let go of while the others ran.
                    command = {"tasks": tasks, "calls": calls, "warmup": 2 if r == 0 else 1}
                    samples[name].append(children[name].ask(command)["rps"])
            figures = {"tasks": tasks, "calls_per_round": calls, "rounds": rounds}
            figures |= _level_figures(samples)
            results[str(tasks)] = figures
            if level == 0:
                report.targets += _concurrent_targets(tasks, figures)
        closed = {name: child.close() for name, child in children.items()}
    report.figures["concurrent"] = results
    report.figures["concurrent_seconds"] = time.perf_counter() - started
    # Whether anything a contender ran imported the old httpx (openai on aiohttp must not).
    report.figures["concurrent_httpx_imported"] = {
        name: answer["httpx_imported"] for name, answer in closed.items()
    }


def _concurrent_targets(tasks: int, figures: dict[str, Any]) -> list[Target]:
    return [
        Target(
            f"get_file x{tasks} concurrent, SDK/raw httpx2 rps",
            figures["ratio_sdk_raw"],
            ">=",
            SDK_RAW_RPS,
        ),
        Target(
            f"get_file x{tasks} concurrent, SDK on aiohttp/raw aiohttp rps",
            figures["ratio_sdk_aiohttp_raw_aiohttp"],
            ">=",
            SDK_AIOHTTP_RAW_RPS,
            goal=SDK_AIOHTTP_RAW_RPS_GOAL,
        ),
        Target(
            f"get_file x{tasks} concurrent, SDK best/openai best rps",
            figures["ratio_sdk_best_openai_best"],
            ">=",
            SDK_BEST_OPENAI_BEST_RPS,
        ),
    ]


# --- 5. the cost of tracing ---------------------------------------------------------------

# Each provider configuration in a process of its own (a process sets its global providers
# once): "none" is opentelemetry-api installed and nothing configured, "sdk" the SDK's
# providers with an exporter that drops the spans.
TRACING_PROVIDERS = ("none", "sdk")
# The no-provider target is a 2% difference, within what one burst of another process on a
# shared machine moves a round: this part gets three times the sequential rounds.
TRACING_ROUNDS_FACTOR = 3


def bench_tracing(endpoint: str, s: Settings, report: Report) -> None:
    """Sequential get_file with tracing against tracing=False, both in the same process."""
    results: dict[str, Any] = {}
    if importlib.util.find_spec("opentelemetry") is None:
        report.notes.append("opentelemetry-api is not installed: tracing figures n/a")
    else:
        for provider in TRACING_PROVIDERS:
            done = subprocess.run(
                [
                    sys.executable,
                    str(HERE / "tracing_child.py"),
                    endpoint,
                    provider,
                    str(s.rounds * TRACING_ROUNDS_FACTOR),
                    str(s.get_calls),
                ],
                capture_output=True,
                text=True,
                check=False,
                cwd=ROOT,
            )
            if done.returncode != 0:
                raise RuntimeError(f"tracing run ({provider}) failed:\n{done.stderr.strip()}")
            samples: dict[str, list[float]] = json.loads(done.stdout.strip().splitlines()[-1])[
                "us_rounds"
            ]
            results[provider] = {
                "us": {name: statistics.median(v) for name, v in samples.items()},
                "us_rounds": _rounded(samples),
                "ratio": _paired(samples, "tracing", "tracing_off"),
            }
    report.figures["tracing"] = results
    report.targets.append(
        Target(
            "get_file traced, no provider/tracing=False time",
            results.get("none", {}).get("ratio"),
            "<=",
            1.02,
        )
    )


# --- 2. downloads -----------------------------------------------------------------------


def _download_once(endpoint: str, name: str, size: int, directory: Path) -> dict[str, Any]:
    destination = directory / f"{name}-{size}.bin"
    done = subprocess.run(
        [
            sys.executable,
            str(HERE / "download_child.py"),
            name,
            endpoint,
            f"file-{size}",
            str(destination),
            str(size),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    with contextlib.suppress(FileNotFoundError):
        destination.unlink()
    # Settle the disk (freeing and discarding the blocks of the file just deleted) so the next
    # contender's timing does not pay for this one's.
    os.sync()
    if done.returncode != 0:
        raise RuntimeError(f"download by {name} failed:\n{done.stderr.strip()}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def bench_downloads(endpoint: str, s: Settings, report: Report, directory: Path) -> None:
    names = c.available(list(c.DOWNLOAD))
    results: dict[str, Any] = {}
    for size, rounds in s.downloads:
        label = _label(size)
        free = shutil.disk_usage(directory).free
        if free < 2 * size + 512 * MiB:
            report.notes.append(f"download {label} skipped: {free // MiB} MiB free in {directory}")
            continue
        gbps: dict[str, list[float]] = {name: [] for name in names}
        growth: dict[str, list[int]] = {name: [] for name in names}
        for order in _shuffles(names, rounds):
            for name in order:
                one = _download_once(endpoint, name, size, directory)
                gbps[name].append(size / one["seconds"] / 1e9)
                growth[name].append(one["peak_growth"])
        figures: dict[str, Any] = {
            "gbps": {name: statistics.median(v) for name, v in gbps.items()},
            # memory: the worst round, not the median
            "peak_growth_mib": {name: max(v) / MiB for name, v in growth.items()},
            "gbps_rounds": _rounded(gbps),
        }
        figures["ratio_sdk_raw"] = _paired(gbps, "sdk", c.BASELINE)
        figures["ratio_sdk_raw_fsync"] = _paired(gbps, "sdk", f"{c.BASELINE}_fsync")
        figures["ratio_sdk_httpx"] = _paired(gbps, "sdk", "raw_httpx")
        figures["ratio_sdk_openai"] = _paired(gbps, "sdk", "openai")
        figures["ratio_sdk_openai_streaming"] = _paired(gbps, "sdk", "openai_streaming")
        # The SDK on aiohttp against raw aiohttp, the target's baseline without the fsync as
        # the httpx2 target's is, and with it (for reading the ratio, no target).
        figures["ratio_sdk_aiohttp_raw_aiohttp"] = _paired(gbps, "sdk_aiohttp", "raw_aiohttp")
        figures["ratio_sdk_aiohttp_raw_aiohttp_fsync"] = _paired(
            gbps, "sdk_aiohttp", "raw_aiohttp_fsync"
        )
        results[label] = figures
        report.targets.append(
            Target(
                f"download {label}, SDK/raw httpx2 throughput", figures["ratio_sdk_raw"], ">=", 0.90
            )
        )
        report.targets.append(
            Target(
                f"download {label}, SDK peak memory growth",
                figures["peak_growth_mib"].get("sdk"),
                "<=",
                64,
                " MiB",
            )
        )
        report.targets.append(
            Target(
                f"download {label}, SDK on aiohttp/raw aiohttp throughput",
                figures["ratio_sdk_aiohttp_raw_aiohttp"],
                ">=",
                0.90,
            )
        )
        report.targets.append(
            Target(
                f"download {label}, SDK on aiohttp peak memory growth",
                figures["peak_growth_mib"].get("sdk_aiohttp"),
                "<=",
                64,
                " MiB",
            )
        )
    report.figures["download"] = results


# --- 6. uploads -------------------------------------------------------------------------

SDK_SINGLE_LIMIT = 512 * 10**6  # the SDK's MAX_SINGLE_UPLOAD and PART_SIZE, as it documents them
SDK_PART_SIZE = 64 * 10**6
UPLOAD_CHUNK = 8 * MiB


@contextlib.contextmanager
def upload_server(list_files: int = 0) -> Iterator[str]:
    """The upload and list server (upload_server.py) in its own process."""
    process = subprocess.Popen(
        [
            sys.executable,
            str(HERE / "upload_server.py"),
            "--port",
            "0",
            "--list-files",
            str(list_files),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"upload server did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _server_call(endpoint: str, method: str, path: str, body: bytes | None = None) -> Any:
    netloc = urllib.parse.urlsplit(endpoint).netloc
    conn = http.client.HTTPConnection(netloc, timeout=30)
    try:
        conn.request(method, path, body=body)
        response = conn.getresponse()
        document = json.loads(response.read())
        if response.status != 200:
            raise RuntimeError(f"upload server: {method} {path}: {response.status} {document}")
        return document
    finally:
        conn.close()


@dataclass
class UploadFile:
    path: Path
    size: int
    md5: str
    part_md5s: list[tuple[int, str]]  # (bytes, md5) of each Uploads API part, in order


def _write_upload_file(path: Path, size: int, part_size: int) -> UploadFile:
    """Random bytes, written once per run (the page cache then holds them for every
    contender alike), with the MD5 of the whole and of each part the SDK will send."""
    import hashlib

    whole = hashlib.md5(usedforsecurity=False)
    parts: list[tuple[int, str]] = []
    part = hashlib.md5(usedforsecurity=False)
    in_part = 0
    with open(path, "wb") as out:
        written = 0
        while written < size:
            block = os.urandom(min(UPLOAD_CHUNK, size - written))
            out.write(block)
            whole.update(block)
            view = memoryview(block)
            while view:
                take = min(len(view), part_size - in_part)
                part.update(view[:take])
                in_part += take
                view = view[take:]
                if in_part == part_size:
                    parts.append((in_part, part.hexdigest()))
                    part, in_part = hashlib.md5(usedforsecurity=False), 0
            written += len(block)
    if in_part:
        parts.append((in_part, part.hexdigest()))
    return UploadFile(path, size, whole.hexdigest(), parts)


def _upload_once(endpoint: str, name: str, file: UploadFile, s: Settings) -> dict[str, Any]:
    command = [sys.executable, str(HERE / "upload_child.py"), name, endpoint, str(file.path)]
    if s.single_limit is not None:
        command += ["--single-limit", str(s.single_limit)]
    if s.part_size is not None:
        command += ["--part-size", str(s.part_size)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"upload by {name} failed:\n{done.stderr.strip()}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["received"] = _server_call(endpoint, "GET", f"/_received/{result['file_id']}")
    if result["received"]["bytes"] != file.size:
        raise RuntimeError(f"upload by {name}: {result['received']} for {file.size} bytes")
    return result


def _verify_upload(name: str, received: dict[str, Any], file: UploadFile) -> str:
    """The route the bytes took; RuntimeError unless the server got every byte in order."""
    if "parts" in received:
        parts = [(n, digest) for n, digest in received["parts"]]
        if received["md5"] != file.md5 or parts != file.part_md5s:
            raise RuntimeError(f"upload by {name}: parts or md5 differ from the file's")
        return f"Uploads API, {len(parts)} parts"
    if received["digest"] != file.md5:
        raise RuntimeError(f"upload by {name}: md5 {received['digest']}, the file's {file.md5}")
    return "one POST /files"


def bench_uploads(s: Settings, report: Report, directory: Path) -> None:
    names = c.available(list(c.UPLOAD))
    results: dict[str, Any] = {}
    single_limit = s.single_limit or SDK_SINGLE_LIMIT
    with upload_server() as endpoint:
        for size, rounds in s.uploads:
            label = _label(size)
            free = shutil.disk_usage(directory).free
            if free < size + 512 * MiB:
                report.notes.append(
                    f"upload {label} skipped: {free // MiB} MiB free in {directory}"
                )
                continue
            _progress(f"upload {label}: writing the file, one verified upload each")
            file = _write_upload_file(
                directory / f"upload-{label}.bin", size, s.part_size or SDK_PART_SIZE
            )
            try:
                # Once with MD5 on, untimed: every contender sends every byte, in order ...
                _server_call(endpoint, "POST", "/_digest", b"md5")
                routes = {
                    name: _verify_upload(
                        name, _upload_once(endpoint, name, file, s)["received"], file
                    )
                    for name in names
                }
                # ... then timed with the server only counting (see upload_server.py).
                _server_call(endpoint, "POST", "/_digest", b"none")
                _progress(f"upload {label}: {rounds} rounds")
                mbps: dict[str, list[float]] = {name: [] for name in names}
                growth: dict[str, list[int]] = {name: [] for name in names}
                for order in _rotations(names, rounds):
                    for name in order:
                        one = _upload_once(endpoint, name, file, s)
                        mbps[name].append(size / one["seconds"] / 1e6)
                        growth[name].append(one["peak_growth"])
            finally:
                file.path.unlink()
            figures: dict[str, Any] = {
                "mbps": {name: statistics.median(v) for name, v in mbps.items()},
                "peak_growth_mib": {name: max(v) / MiB for name, v in growth.items()},
                "mbps_rounds": _rounded(mbps),
                "route": routes,
                "sdk_uses_uploads_api": size > single_limit,
                "verified_md5": True,
            }
            figures["ratio_sdk_raw"] = _paired(mbps, "sdk", c.BASELINE)
            figures["ratio_sdk_async_raw_async"] = _paired(mbps, "sdk_async", "raw_httpx2_async")
            figures["ratio_sdk_openai"] = _paired(mbps, "sdk", "openai")
            figures["ratio_sdk_openai_fileobj"] = _paired(mbps, "sdk", "openai_fileobj")
            figures["ratio_raw_ceiling"] = _paired(mbps, c.BASELINE, "sendfile")
            results[label] = figures
            for sdk, baseline in c.UPLOAD_BASELINES.items():
                flavour = "SDK" if sdk == "sdk" else "async SDK"
                raw = "raw httpx2" if baseline == c.BASELINE else "raw async httpx2"
                ratio = _paired(mbps, sdk, baseline)
                report.targets.append(
                    Target(f"upload {label}, {flavour}/{raw} throughput", ratio, ">=", 0.90)
                )
                report.targets.append(
                    Target(
                        f"upload {label}, {flavour} peak memory growth",
                        figures["peak_growth_mib"].get(sdk),
                        "<=",
                        64,
                        " MiB",
                    )
                )
    report.figures["upload"] = results


# --- 7. listing -------------------------------------------------------------------------


def bench_list(s: Settings, report: Report) -> None:
    """Whole listings of `list_files` files, the contenders alternating round by round in
    this process (clients kept, connections warm), one event loop for all."""
    names = c.available(list(c.LIST))
    loop = asyncio.new_event_loop()
    with upload_server(s.list_files) as endpoint:
        clients = {name: c.LIST[name](endpoint, s.list_page_size) for name in names}
        try:
            listed: dict[str, int] = {}
            requests: dict[str, int] = {}
            for name in names:  # warm up, and count what one listing asks of the server
                before = _server_call(endpoint, "GET", "/_stats")["routes"].get("GET /files", 0)
                listed[name] = loop.run_until_complete(clients[name][0]())
                after = _server_call(endpoint, "GET", "/_stats")["routes"].get("GET /files", 0)
                requests[name] = after - before
            ms: dict[str, list[float]] = {name: [] for name in names}
            for order in _rotations(names, s.list_rounds):
                for name in order:
                    gc.collect()
                    started = time.perf_counter()
                    count = loop.run_until_complete(clients[name][0]())
                    ms[name].append((time.perf_counter() - started) * 1e3)
                    if count != listed[name]:
                        raise RuntimeError(f"{name} listed {count} files, then {listed[name]}")
        finally:
            for _, close in clients.values():
                loop.run_until_complete(close())
            loop.close()
    figures: dict[str, Any] = {
        "files_on_server": s.list_files,
        "page_size": s.list_page_size,
        "ms": {name: statistics.median(v) for name, v in ms.items()},
        "ms_rounds": _rounded(ms),
        "files_listed": listed,
        "requests": requests,
        "ratio_sdk_raw": _paired(ms, "sdk", c.BASELINE),
        "ratio_sdk_async_raw": _paired(ms, "sdk_async", c.BASELINE),
        "ratio_sdk_openai": _paired(ms, "sdk", "openai"),
        "ratio_sdk_async_openai_async": _paired(ms, "sdk_async", "openai_async"),
    }
    report.figures["list"] = figures
    short = [name for name, n in listed.items() if n != s.list_files]
    if short:
        report.notes.append(
            "listed fewer files than the server holds: "
            + ", ".join(f"{name} {listed[name]} of {s.list_files}" for name in short)
        )


# --- 4. import time ---------------------------------------------------------------------

_IMPORT_PROBE = (
    "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
)


def _import_seconds(module: str) -> float:
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return float(done.stdout.strip())


def bench_imports(endpoint: str, s: Settings, report: Report) -> None:
    names = c.available(list(c.IMPORTS), clients=False)  # imports only: no client is built
    samples: dict[str, list[float]] = {name: [] for name in names}
    # Measure the packages as a wheel install leaves them: with bytecode. pip compiles it on
    # install; an editable checkout gets none when PYTHONDONTWRITEBYTECODE is set, and would
    # then be timed compiling its sources. compileall writes the caches regardless.
    for folder in ("customizations", "generated"):
        compileall.compile_dir(ROOT / folder, quiet=1)
    for name in names:  # warm the file cache
        _import_seconds(c.IMPORTS[name])
    for order in _rotations(names, s.import_rounds):
        for name in order:
            samples[name].append(_import_seconds(c.IMPORTS[name]) * 1e3)
    ms = {name: statistics.median(v) for name, v in samples.items()}
    report.figures["import_ms"] = ms
    report.figures["import_ms_rounds"] = _rounded(samples)
    extra = (
        statistics.median(x - y for x, y in zip(samples["sdk"], samples["httpx2"], strict=True))
        if "sdk" in samples
        else None
    )
    report.figures["import_extra_ms_sdk_vs_httpx2"] = extra
    # What aiohttp adds to an application that imports the SDK (a figure, no target).
    if "sdk_aiohttp" in samples:
        report.figures["import_extra_ms_sdk_aiohttp_vs_sdk"] = statistics.median(
            x - y for x, y in zip(samples["sdk_aiohttp"], samples["sdk"], strict=True)
        )
    with _children(c.available(["sdk_aiohttp"]), endpoint, report) as children:
        for name, child in children.items():
            # One get_file in a fresh process, then: is the old httpx in its sys.modules?
            child.ask({"tasks": 1, "calls": 1})
            report.figures[f"{name}_imports_httpx"] = child.close()["httpx_imported"]
    report.targets.append(Target("import, SDK minus httpx2", extra, "<=", 60, " ms"))


# --- 5. many callers on one throttled resource ------------------------------------------

RESOURCE_RATE = 200  # the throttled service's budget, requests/s (burst 20)
RESOURCE_BURST = 20
LOAD_SCENARIOS = {
    "throttled": "throttled service",
    "flaky": "503 window",
}
# (figure, better when, tolerance): "ahead" of a library is no figure worse than its; the
# rates get 2% of slack for run-to-run noise, the counts none.
AHEAD_ON = {
    "throttled": [
        ("requests_per_success", "lower", 0.02),
        ("goodput", "higher", 0.02),
        ("failures", "lower", 0.0),
        ("peak_100ms", "lower", 0.0),
    ],
    "flaky": [("requests_per_success", "lower", 0.02), ("failures", "lower", 0.0)],
}
LOAD_OTHERS = ("openai", "azure_core")  # the libraries the SDK is to be ahead of


@contextlib.contextmanager
def throttled_service(scenario: str, window: float) -> Iterator[str]:
    """A fresh loopback service for one run: its own budget, coin and records."""
    process = subprocess.Popen(
        [
            sys.executable,
            str(HERE / "throttled_server.py"),
            "--scenario",
            scenario,
            "--rate",
            str(RESOURCE_RATE),
            "--burst",
            str(RESOURCE_BURST),
            "--window",
            str(window),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"throttled service did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _service_stats(endpoint: str) -> dict[str, Any]:
    netloc = urllib.parse.urlsplit(endpoint).netloc
    conn = http.client.HTTPConnection(netloc, timeout=30)
    try:
        conn.request("GET", "/_stats")
        stats: dict[str, Any] = json.loads(conn.getresponse().read())
    finally:
        conn.close()
    return stats


def _load_once(scenario: str, name: str, callers: int, s: LoadSettings) -> dict[str, Any]:
    with throttled_service(scenario, s.window) as endpoint:
        done = subprocess.run(
            [
                sys.executable,
                str(HERE / "load_child.py"),
                name,
                endpoint,
                str(callers),
                str(s.successes),
                str(s.cap),
            ],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
            timeout=s.cap + 120,
        )
        stats = _service_stats(endpoint)
    if done.returncode != 0:
        raise RuntimeError(f"load run of {name} failed:\n{done.stderr.strip()}")
    child: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    ok = stats["status"].get("200", 0)
    return {
        "requests_per_success": stats["requests"] / ok if ok else None,
        "goodput": child["goodput"],
        "failures": child["failures"],
        "p50_ms": child["p50_ms"],
        "p99_ms": child["p99_ms"],
        "peak_100ms": stats["peak_100ms"],
        "seconds": child["seconds"],
        "cap_hit": child["cap_hit"],
        "successes": child["successes"],
        "requests": stats["requests"],
        "status": stats["status"],
        "in_window": stats["in_window"],
        "failure_kinds": child["failure_kinds"],
        "cancelled_at_drain": child["cancelled_at_drain"],
    }


def _behind(scenario: str, figures: dict[str, dict[str, Any]]) -> tuple[float | None, list[str]]:
    """How many figures the SDK is behind openai or azure-core on, and which (None when there
    is no SDK or neither library to compare with)."""
    others = [name for name in LOAD_OTHERS if name in figures]
    if "sdk" not in figures or not others:
        return None, []
    sdk = figures["sdk"]
    behind = []
    for key, better, slack in AHEAD_ON[scenario]:
        for other in others:
            mine, theirs = sdk[key], figures[other][key]
            if mine is None or theirs is None:
                continue
            if better == "lower":
                worse = mine > theirs * (1 + slack)
            else:
                worse = mine < theirs * (1 - slack)
            if worse:
                behind.append(f"{key} vs {other}")
    return float(len(behind)), behind


def bench_load(s: Settings, report: Report) -> None:
    names = c.available(list(c.LOAD))
    results: dict[str, Any] = {}
    started = time.perf_counter()
    for scenario in LOAD_SCENARIOS:
        levels: dict[str, Any] = {}
        for level, callers in enumerate(s.load.callers):
            figures: dict[str, dict[str, Any]] = {}
            # Each run has a process and a service of its own; the order still rotates, so
            # that nobody always runs first on a machine that drifts.
            k = level % len(names) if names else 0
            for name in names[k:] + names[:k]:
                _progress(f"load, {LOAD_SCENARIOS[scenario]}, {callers} callers, {name}")
                figures[name] = _load_once(scenario, name, callers, s.load)
            count, behind = _behind(scenario, figures)
            levels[str(callers)] = {"contenders": figures, "sdk_behind_on": behind}
            _load_targets(scenario, callers, figures, count, report)
        results[scenario] = levels
    report.figures["load"] = {
        "settings": {
            "rate": RESOURCE_RATE,
            "burst": RESOURCE_BURST,
            "successes": s.load.successes,
            "cap_s": s.load.cap,
            "window_s": s.load.window,
            "callers": s.load.callers,
        },
        **results,
        "section_seconds": time.perf_counter() - started,
    }


def _load_targets(
    scenario: str,
    callers: int,
    figures: dict[str, dict[str, Any]],
    behind: float | None,
    report: Report,
) -> None:
    sdk = figures.get("sdk", {})
    prefix = f"load x{callers} {LOAD_SCENARIOS[scenario]}, SDK"
    if scenario == "throttled":
        failures = sdk.get("failures")
        peak = sdk.get("peak_100ms")
        report.targets += [
            Target(f"{prefix} requests/success", sdk.get("requests_per_success"), "<=", 1.3),
            Target(f"{prefix} goodput", sdk.get("goodput"), ">=", 0.8 * RESOURCE_RATE, " /s"),
            Target(
                f"{prefix} failures to callers",
                None if failures is None else float(failures),
                "<=",
                0,
                " calls",
            ),
            Target(
                f"{prefix} peak requests/100 ms",
                None if peak is None else float(peak),
                "<=",
                2 * RESOURCE_BURST,
                " req",
            ),
        ]
    else:
        report.targets.append(
            Target(f"{prefix} requests/success", sdk.get("requests_per_success"), "<=", 1.6)
        )
    report.targets.append(Target(f"{prefix} behind openai/azure-core on", behind, "<=", 0, " figs"))


# --- output -----------------------------------------------------------------------------


def _fmt(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def render_table(report: Report) -> str:
    # A part left out with --only has no figures: its section prints empty.
    f = {
        "get_file_us": {},
        "download": {},
        "concurrent": {},
        "import_ms": {},
        "tracing": {},
        "load": {},
        "upload": {},
        "list": {},
        **report.figures,
    }
    lines: list[str] = []
    add = lines.append
    smoke = " (SMOKE: tiny sizes, not figures)" if report.settings.smoke else ""
    add(f"azure-openai-files benchmarks{smoke}")
    m = f["machine"]
    add(
        f"machine: {m['cpus']} cores, {m['platform']}, Python {m['python']}, loopback {m['server']}"
    )
    add(
        f"load average (1/5/15 min) at start {m['load_average_start']}, "
        f"at end {m.get('load_average_end')}"
    )
    add("versions: " + ", ".join(f"{k} {v}" for k, v in f["versions"].items() if v))
    add("")
    add(
        f"1. get_file, sequential (median of {report.settings.rounds} rounds x "
        f"{report.settings.get_calls} calls)"
    )
    for name, us in f["get_file_us"].items():
        x = _fmt(_ratio(us, f["get_file_us"].get(c.BASELINE)), ".2f")
        add(f"   {name:<18} {us:9.1f} us/call   x{x} raw httpx2")
    add("")
    add(
        "2. download to disk (median GB/s of "
        + ", ".join(f"{r} rounds at {_label(size)}" for size, r in report.settings.downloads)
        + "; "
        "peak RSS growth, worst round)"
    )
    for label, d in f["download"].items():
        for name, gbps in d["gbps"].items():
            baseline = c.DOWNLOAD_BASELINES.get(name, c.BASELINE)
            x = _fmt(_ratio(gbps, d["gbps"].get(baseline)), ".2f")
            peak = d["peak_growth_mib"][name]
            add(
                f"   {label:<7} {name:<18} {gbps:6.2f} GB/s  x{x:<5} {baseline:<11}"
                f"  peak +{peak:8.1f} MiB"
            )
    add(
        "   (raw_*_fsync: the raw stack plus the fsync the SDK does before renaming into place;"
        " x: ratio of medians)"
    )
    add("")
    lines += _concurrent_table(f["concurrent"], f.get("concurrent_seconds"))
    add(f"4. import in a fresh process (median of {report.settings.import_rounds})")
    for name, ms in f["import_ms"].items():
        add(f"   {'import ' + c.IMPORTS[name]:<35} {ms:9.1f} ms")
    if "import_extra_ms_sdk_aiohttp_vs_sdk" in f:
        add(f"   aiohttp on top of the SDK: {f['import_extra_ms_sdk_aiohttp_vs_sdk']:.1f} ms")
    if "sdk_aiohttp_imports_httpx" in f:
        add(f"   httpx imported after a get_file on aiohttp: {f['sdk_aiohttp_imports_httpx']}")
    add("")
    add(
        f"5. get_file with tracing vs tracing=False, same process (median of "
        f"{report.settings.rounds * TRACING_ROUNDS_FACTOR} rounds x "
        f"{report.settings.get_calls} calls)"
    )
    labels = {"none": "no provider", "sdk": "SDK provider, spans dropped"}
    for provider, d in f["tracing"].items():
        traced, off = d["us"]["tracing"], d["us"]["tracing_off"]
        add(
            f"   {labels[provider]:<28} {traced:9.1f} us/call traced, {off:9.1f} off"
            f"   x{_fmt(d['ratio'], '.3f')}"
        )
    add("")
    lines += _load_table(f["load"], report.settings.load)
    lines += _upload_table(f["upload"], report.settings)
    lines += _list_table(f["list"], report.settings)
    add("targets (a ratio is the median of per-round ratios; import: of per-round differences)")
    for t in report.targets:
        d = t.as_dict()
        verdict = {True: "met", False: "MISSED", None: "n/a"}[t.met]
        value = _fmt(t.value, ".3f" if t.unit == "" else ".1f")
        goal = "" if d["goal"] is None else f", goal {d['goal']}"
        add(f"   {verdict:<7} {t.name:<60} {value:>9}{t.unit}  (target {d['target']}{goal})")
    if "openai" in f["get_file_us"]:
        add("")
        add(
            "vs openai (AzureOpenAI): SDK/openai get_file time x"
            f"{_fmt(f['get_file_ratio_sdk_openai'], '.2f')}, concurrent throughput "
            + ", ".join(
                f"x{n} x{_fmt(d['ratio_sdk_openai'], '.2f')}" for n, d in f["concurrent"].items()
            )
            + "; download throughput "
            + ", ".join(
                f"{label} x{_fmt(d['ratio_sdk_openai'], '.2f')} (streaming x"
                f"{_fmt(d['ratio_sdk_openai_streaming'], '.2f')})"
                for label, d in f["download"].items()
            )
        )
    if "raw_httpx" in f["get_file_us"]:
        add("")
        add(
            "vs raw httpx (the previous stack): SDK/raw httpx get_file time x"
            f"{_fmt(f['get_file_ratio_sdk_httpx'], '.2f')}; download throughput "
            + ", ".join(
                f"{label} x{_fmt(d['ratio_sdk_httpx'], '.2f')}"
                for label, d in f["download"].items()
            )
        )
    for note in report.notes:
        add(f"note: {note}")
    return "\n".join(lines)


def _concurrent_table(levels: dict[str, Any], seconds: float | None) -> list[str]:
    if not levels:
        return []
    lines = [
        f"3. get_file, {' and '.join(levels)} concurrent (async, each contender in a process of"
        " its own, one at a time; median req/s of "
        + ", ".join(
            f"{d['rounds']} rounds x {d['calls_per_round']} calls at {n}" for n, d in levels.items()
        )
        + "; x: paired ratio to the raw stack under it)",
        f"   {'contender':<15}"
        + "   ".join(f"{f'x{n} req/s':>9} {'':<6}" for n in levels).rstrip(),
    ]
    for name in c.ASYNC_GET:
        baseline = c.ASYNC_BASELINES.get(name)
        cells = []
        for d in levels.values():
            x = f"x{_fmt(d['ratio_raw'][name], '.2f')}" if baseline and name in d["rps"] else ""
            cells.append(f"{_fmt(d['rps'].get(name), '.0f'):>9} {x:<6}")
        against = f" vs {baseline}" if baseline else ""
        lines.append((f"   {name:<15}" + "   ".join(cells) + against).rstrip())
    lines += [
        "   SDK best / openai best (each on its faster stack; of medians): "
        + ", ".join(
            f"x{n} {_fmt(d['ratio_sdk_best_openai_best'], '.2f')}"
            f" ({d['sdk_best'] or 'n/a'} / {d['openai_best'] or 'n/a'})"
            for n, d in levels.items()
        ),
        f"   targets at x{next(iter(levels))}: sdk >= {SDK_RAW_RPS:g} raw_httpx2; sdk_aiohttp >="
        f" {SDK_AIOHTTP_RAW_RPS:g} raw_aiohttp (goal {SDK_AIOHTTP_RAW_RPS_GOAL:g}); SDK best >="
        f" {SDK_BEST_OPENAI_BEST_RPS:g} openai best",
        f"   section took {_fmt(seconds, '.0f')} s",
        "",
    ]
    return lines


UPLOAD_LABELS = {
    "raw_httpx2": "raw httpx2",
    "raw_httpx2_async": "raw httpx2 async",
    "sdk": "sdk",
    "sdk_async": "sdk async",
    "openai": "openai (path)",
    "openai_fileobj": "openai (open file)",
    "sendfile": "sendfile ceiling",
}


def _upload_table(upload: dict[str, Any], s: Settings) -> list[str]:
    if not upload:
        return []
    lines = [
        "6. upload from disk, each in its own process (median MB/s of "
        + ", ".join(f"{r} rounds at {_label(size)}" for size, r in s.uploads)
        + "; peak RSS growth, worst round; every contender first verified once by MD5)"
    ]
    for label, d in upload.items():
        lines.append(
            f"   {label}: the SDK sends "
            + ("it through the Uploads API" if d["sdk_uses_uploads_api"] else "one POST /files")
            + f" ({d['route'].get('sdk', 'n/a')}); the others one POST /files"
        )
        for name, mbps in d["mbps"].items():
            baseline = c.UPLOAD_BASELINES.get(name, c.BASELINE)
            x = _fmt(_ratio(mbps, d["mbps"].get(baseline)), ".2f")
            peak = d["peak_growth_mib"][name]
            against = "raw httpx2 async" if baseline != c.BASELINE else "raw httpx2"
            lines.append(
                f"   {label:<7} {UPLOAD_LABELS.get(name, name):<20} {mbps:7.0f} MB/s"
                f"  x{x} {against:<17} peak +{peak:8.1f} MiB"
            )
    if s.single_limit is not None:
        lines.append(
            f"   (smoke: the SDK's Uploads API threshold lowered to {s.single_limit} bytes, "
            f"parts of {s.part_size})"
        )
    lines.append("")
    return lines


def _list_table(listing: dict[str, Any], s: Settings) -> list[str]:
    if not listing:
        return []
    page = listing["page_size"] or "each library's default (10,000)"
    lines = [
        f"7. list {listing['files_on_server']} files, 2025-04-01-preview paging (limit/after, "
        f"no has_more; page size {page}; median of {s.list_rounds} rounds)"
    ]
    for name, ms in listing["ms"].items():
        x = _fmt(_ratio(ms, listing["ms"].get(c.BASELINE)), ".2f")
        lines.append(
            f"   {name:<14} {ms:9.1f} ms/listing  x{x:<5} raw httpx2  "
            f"{listing['files_listed'][name]:6d} files in {listing['requests'][name]} requests"
        )
    lines.append("")
    return lines


def _load_table(load: dict[str, Any], s: LoadSettings) -> list[str]:
    lines = [
        f"5. many callers on one client, one shared resource (one run per row, each contender in "
        f"its own process against a fresh service; until {s.successes} successes or {s.cap:g} s)"
    ]
    headers = {
        "throttled": f"throttled service: one token bucket of {RESOURCE_RATE} req/s, burst "
        f"{RESOURCE_BURST}; over it 429 with retry-after 1 s "
        f"(capacity {RESOURCE_BURST} per 100 ms)",
        "flaky": f"503 window: for {s.window:g} s from the first request 50% of requests are 503 "
        f"(seeded), no rate limit",
    }
    columns = (
        "   callers contender   req/success  goodput/s  failures   p50 ms   p99 ms"
        "  peak/100ms  seconds"
    )
    for scenario, header in headers.items():
        if scenario not in load:
            continue
        lines += [f"   {header}", columns]
        for callers, level in load[scenario].items():
            for name, r in level["contenders"].items():
                cap = "  CAP" if r["cap_hit"] else ""
                lines.append(
                    f"   {callers:>7} {name:<12} {_fmt(r['requests_per_success'], '10.2f')}"
                    f" {_fmt(r['goodput'], '10.1f')} {r['failures']:9d}"
                    f" {_fmt(r['p50_ms'], '8.1f')} {_fmt(r['p99_ms'], '8.1f')}"
                    f" {r['peak_100ms']:11d} {r['seconds']:8.1f}{cap}"
                )
            if level["sdk_behind_on"]:
                lines.append(f"           SDK behind on: {', '.join(level['sdk_behind_on'])}")
    if load:
        lines += [
            "   goodput: successes per second until the group's last needed success; a call is a"
            " caller's whole call, retries included; CAP: the time cap ended the run",
            "   ideal: one pacer at exactly the budget for all callers, no retries (in the 503"
            " window its 503s are its failures)",
            f"   section took {load['section_seconds']:.0f} s",
            "",
        ]
    return lines


def as_json(report: Report) -> dict[str, Any]:
    mets = [t.met for t in report.targets]
    return {
        "benchmark": "azure-openai-files",
        "smoke": report.settings.smoke,
        **report.figures,
        "targets": [t.as_dict() for t in report.targets],
        "all_met": bool(mets) and all(m is True for m in mets),
        "notes": report.notes,
    }


def _progress(step: str) -> None:
    sys.stderr.write(f"bench: {step} ...\n")
    sys.stderr.flush()


PARTS = ("import", "get", "download", "load", "upload", "list")


def run(s: Settings, only: str | None = None) -> Report:
    report = Report(s)
    report.figures["machine"] = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(terse=True),
        "python": platform.python_version(),
        "server": "python thread-per-connection keep-alive, sendfile from memory",
        "load_average_start": _load_average(),
    }
    report.figures["versions"] = {
        "azure_openai_files": c.version_of("azure_openai_files") if c.sdk_available() else None,
        "httpx2": c.version_of("httpx2"),
        "httpx": c.version_of("httpx"),
        "openai": c.version_of("openai"),
        "azure_core": c.version_of("azure.core") if c.azure_core_available() else None,
        "aiohttp": c.version_of("aiohttp") if c.aiohttp_available() else None,
    }
    if not c.sdk_available():
        report.notes.append("azure_openai_files.FilesClient is not importable: SDK figures n/a")
    if (
        importlib.util.find_spec("httpx") is not None
        and importlib.util.find_spec("sniffio") is None
    ):
        report.notes.append(
            "sniffio is not installed: httpcore (under raw httpx) retries `import sniffio` on"
            " every async request, which slows the raw httpx reference row"
        )
    if not c.openai_available():
        report.notes.append(
            "openai not installed (pip install -e '.[bench]'): openai figures absent"
        )
    if only in (None, "import", "get", "download"):
        if not c.aiohttp_available():
            report.notes.append(
                "aiohttp not installed: raw_aiohttp, sdk_aiohttp and openai_aiohttp absent"
            )
        elif c.sdk_available() and (why := c.sdk_aiohttp_unavailable()) is not None:
            report.notes.append(f"{why}: sdk_aiohttp absent")
    if only in (None, "load") and not c.azure_core_available():
        report.notes.append(
            "azure-core or aiohttp not installed (pip install azure-core aiohttp): azure_core"
            " absent from the load part"
        )
    # The load, upload and list parts have servers of their own; the others share one.
    shared_server = only not in ("load", "upload", "list")
    with (
        tempfile.TemporaryDirectory(prefix="aof-bench-") as tmp,
        (
            loopback_server(max(size for size, _ in s.downloads))
            if shared_server
            else contextlib.nullcontext("")
        ) as endpoint,
    ):
        if only in (None, "import"):
            _progress("import time")
            bench_imports(endpoint, s, report)
        if only in (None, "get"):
            _progress("get_file, sequential")
            bench_sequential(endpoint, s, report)
            bench_concurrent(endpoint, s, report)
            _progress("get_file, tracing")
            bench_tracing(endpoint, s, report)
        if only in (None, "download"):
            _progress("downloads")
            bench_downloads(endpoint, s, report, Path(tmp))
        if only in (None, "upload"):
            _progress("uploads")
            bench_uploads(s, report, Path(tmp))
        if only in (None, "list"):
            _progress("listing")
            bench_list(s, report)
    if only in (None, "load"):
        bench_load(s, report)
    report.figures["machine"]["load_average_end"] = _load_average()
    return report


def _load_average() -> list[float] | None:
    """1, 5 and 15 minute load averages: how busy the (shared) machine was."""
    with contextlib.suppress(OSError, AttributeError):
        return [round(x, 2) for x in os.getloadavg()]
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="SDK vs raw httpx2 (vs openai) on loopback")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, few iterations")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--only", choices=PARTS, help="run one part of the benchmark")
    args = parser.parse_args(argv)
    report = run(settings_for(args.smoke), args.only)
    print(render_table(report))
    print(json.dumps(as_json(report), sort_keys=False))
    missed = any(t.met is False for t in report.targets)
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
