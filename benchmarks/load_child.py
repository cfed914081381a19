"""Many asyncio callers on one client, in a fresh process: one contender of the load section.

    python benchmarks/load_child.py CONTENDER ENDPOINT CALLERS SUCCESSES CAP_SECONDS

Every contender runs the same loop: CALLERS tasks share ONE client (default settings) and
each calls get-file again and again until the group has SUCCESSES successes or CAP_SECONDS
have passed. A call that raises is a failure to its caller, who goes on with the next call.
Once the group stops, calls in flight may finish (up to DRAIN seconds) and count.

Contenders: ``sdk`` (AsyncFilesClient), ``openai`` (AsyncAzureOpenAI), ``azure_core`` (an
AsyncPipelineClient with its default AsyncRetryPolicy on the default aiohttp transport) and
``ideal`` (raw httpx2 behind one shared pacer at exactly the resource's rate, no retries).

Prints one JSON object: successes, failures (and their kinds), the seconds to reach the
successes, whether the cap ended the run, and call latencies (p50/p99, ms).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

API_VERSION = "2024-10-21"
API_KEY = "k"
FILE_ID = "file-1"
IDEAL_RATE = 200.0  # the resource's budget, requests/s: what the ideal pacer sends at
DRAIN = 15.0  # seconds that calls in flight at the stop may take to finish

Call = Callable[[], Awaitable[object]]
Close = Callable[[], Awaitable[object]]


def sdk(endpoint: str) -> tuple[Call, Close]:
    from azure_openai_files import AsyncFilesClient

    client = AsyncFilesClient(endpoint, api_key=API_KEY, api_version=API_VERSION)

    async def call() -> object:
        return await client.get_file(FILE_ID)

    return call, client.close


def openai(endpoint: str) -> tuple[Call, Close]:
    from openai import AsyncAzureOpenAI

    client = AsyncAzureOpenAI(azure_endpoint=endpoint, api_key=API_KEY, api_version=API_VERSION)

    async def call() -> object:
        return await client.files.retrieve(FILE_ID)

    return call, client.close


def azure_core(endpoint: str) -> tuple[Call, Close]:
    from azure.core import AsyncPipelineClient
    from azure.core.configuration import Configuration
    from azure.core.pipeline.policies import (
        AsyncRetryPolicy,
        HeadersPolicy,
        NetworkTraceLoggingPolicy,
        UserAgentPolicy,
    )
    from azure.core.rest import HttpRequest

    # The policies a generated Azure SDK client configures, each with its defaults.
    config: Configuration[Any, Any] = Configuration()
    config.headers_policy = HeadersPolicy({"api-key": API_KEY})
    config.user_agent_policy = UserAgentPolicy()
    config.retry_policy = AsyncRetryPolicy()
    config.logging_policy = NetworkTraceLoggingPolicy()
    client: AsyncPipelineClient[Any, Any] = AsyncPipelineClient(endpoint, config=config)
    url = f"{endpoint}/openai/files/{FILE_ID}?api-version={API_VERSION}"

    async def call() -> object:
        response = await client.send_request(HttpRequest("GET", url))
        await response.read()
        if not 200 <= response.status_code < 300:
            raise RuntimeError(f"HTTP {response.status_code} after retries")
        return response.json()

    return call, client.close


class Pacer:
    """One schedule for every caller: slot k is at start + k / rate, whoever takes it."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self.next: float | None = None

    async def wait(self) -> None:
        now = time.monotonic()
        slot = now if self.next is None or self.next < now else self.next
        self.next = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)


def ideal(endpoint: str) -> tuple[Call, Close]:
    import httpx2

    client = httpx2.AsyncClient(base_url=endpoint, headers={"api-key": API_KEY}, timeout=60.0)
    pacer = Pacer(IDEAL_RATE)
    path = f"/openai/files/{FILE_ID}"
    params = {"api-version": API_VERSION}

    async def call() -> object:
        await pacer.wait()
        response = await client.get(path, params=params)
        response.raise_for_status()
        return response.json()

    return call, client.aclose


CONTENDERS: dict[str, Callable[[str], tuple[Call, Close]]] = {
    "sdk": sdk,
    "openai": openai,
    "azure_core": azure_core,
    "ideal": ideal,
}


def _percentile(sorted_values: list[float], q: float) -> float | None:
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


async def load(call: Call, callers: int, target: int, cap: float) -> dict[str, Any]:
    successes = 0
    failures: Counter[str] = Counter()
    latencies: list[float] = []
    reached: float | None = None
    stop = asyncio.Event()
    started = time.perf_counter()

    async def caller() -> None:
        nonlocal successes, reached
        while not stop.is_set():
            began = time.perf_counter()
            try:
                await call()
            except Exception as error:  # a failure to this caller, who goes on
                failures[type(error).__name__] += 1
            else:
                successes += 1
            ended = time.perf_counter()
            latencies.append(ended - began)
            if successes >= target and reached is None:
                reached = ended - started
                stop.set()

    tasks = [asyncio.create_task(caller()) for _ in range(callers)]
    try:
        await asyncio.wait_for(stop.wait(), cap)
    except TimeoutError:
        stop.set()
    stopped = time.perf_counter() - started
    _, pending = await asyncio.wait(tasks, timeout=DRAIN)
    for task in pending:  # still in a retry at the end of the drain
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    latencies.sort()
    seconds = reached if reached is not None else stopped
    return {
        "callers": callers,
        "target": target,
        "successes": successes,
        "failures": sum(failures.values()),
        "failure_kinds": dict(failures),
        "cancelled_at_drain": len(pending),
        "cap_hit": reached is None,
        "seconds": seconds,
        "goodput": min(successes, target) / seconds if seconds > 0 else None,
        "p50_ms": None if not latencies else statistics.median(latencies) * 1e3,
        "p99_ms": None if not latencies else (_percentile(latencies, 0.99) or 0.0) * 1e3,
        "calls": len(latencies),
    }


async def main_async(name: str, endpoint: str, callers: int, target: int, cap: float) -> None:
    call, close = CONTENDERS[name](endpoint)
    try:
        result = await load(call, callers, target, cap)
    finally:
        await close()
    sys.stdout.write(json.dumps({"contender": name, **result}) + "\n")


def main(argv: list[str]) -> None:
    name, endpoint, callers, target, cap = argv
    if name not in CONTENDERS:
        raise SystemExit(f"unknown contender {name!r}")
    asyncio.run(main_async(name, endpoint, int(callers), int(target), float(cap)))


if __name__ == "__main__":
    main(sys.argv[1:])
