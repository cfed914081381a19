"""A loopback Azure OpenAI resource under load: what many callers sharing one resource meet.

Two scenarios, one per process (start a fresh one per measured run, so its budget and its
records are that run's alone):

- ``throttled``: one token bucket for the whole resource (``--rate`` requests/s, ``--burst``
  tokens, full at start). Within the budget ``GET /openai/files/{id}`` (or
  ``/openai/v1/files/{id}``) answers 200 with a small file object; over it, 429 with
  ``retry-after: 1``, ``retry-after-ms: 1000`` and the service's error body.
- ``flaky``: no rate limit; during a window of ``--window`` seconds from the first request,
  each request is a 503 with probability ``--fail-rate`` (a seeded coin, so a run with the same
  order of requests meets the same answers), otherwise a 200; after the window, always a 200.

The server records the arrival time of every request and counts the answers by status;
``GET /_stats`` (not counted) returns them as JSON, with the peak number of requests in any
100 ms window. A raw asyncio protocol with keep-alive and pipelining: a few microseconds of
Python per request, so the clients, not the server, set the pace.

    python benchmarks/throttled_server.py --scenario throttled [--rate 200] [--burst 20]
    python benchmarks/throttled_server.py --scenario flaky [--window 10] [--fail-rate 0.5]

It prints ``PORT <n>`` on its first line of stdout once it is listening.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sys
import time
from array import array
from collections import Counter
from typing import Any

PEAK_WINDOW = 0.1  # seconds: the window of the peak request count
_HEAD_END = b"\r\n\r\n"
_COMMON = (
    b"apim-request-id: 00000000-0000-0000-0000-000000000001\r\n"
    b"x-request-id: 00000000-0000-0000-0000-000000000002\r\n"
)
FILE_OBJECT = {
    "id": "file-1",
    "object": "file",
    "bytes": 140,
    "created_at": 1646126127,
    "filename": "puppy.jsonl",
    "purpose": "fine-tune",
    "status": "processed",
}


def _response(status: str, body: object, extra: bytes = b"") -> bytes:
    data = json.dumps(body, separators=(",", ":")).encode()
    return (
        b"HTTP/1.1 " + status.encode() + b"\r\n"
        b"content-type: application/json\r\n"
        b"content-length: " + str(len(data)).encode() + b"\r\n" + extra + _COMMON + b"\r\n" + data
    )


OK = _response("200 OK", FILE_OBJECT)
THROTTLED = _response(
    "429 Too Many Requests",
    {"error": {"code": "429", "message": "Rate limit is exceeded."}},
    b"retry-after: 1\r\nretry-after-ms: 1000\r\n",
)
UNAVAILABLE = _response(
    "503 Service Unavailable",
    {"error": {"code": "ServiceUnavailable", "message": "The service is temporarily unavailable."}},
)
NOT_FOUND = _response(
    "404 Not Found", {"error": {"code": "notFound", "message": "The resource is not found."}}
)


def peak_in_window(arrivals: array[float] | list[float], window: float = PEAK_WINDOW) -> int:
    """The most arrivals within any `window` seconds (arrivals in ascending order)."""
    peak = 0
    first = 0
    for last, at in enumerate(arrivals):
        while at - arrivals[first] >= window:
            first += 1
        peak = max(peak, last - first + 1)
    return peak


class Resource:
    """The shared state of the resource: its budget, its coin, its records."""

    def __init__(
        self, scenario: str, rate: float, burst: float, window: float, fail_rate: float, seed: int
    ) -> None:
        self.scenario = scenario
        self.rate = rate
        self.burst = burst
        self.window = window
        self.fail_rate = fail_rate
        self._coin = random.Random(seed)
        self._tokens = burst
        self._refilled_at: float | None = None
        self.first: float | None = None
        self.arrivals = array("d")  # seconds since the first request
        self.status: Counter[int] = Counter()
        self.in_window: Counter[int] = Counter()  # flaky: the answers inside the window

    def answer(self, now: float) -> bytes:
        if self.first is None:
            self.first = self._refilled_at = now
        since = now - self.first
        self.arrivals.append(since)
        if self.scenario == "throttled":
            assert self._refilled_at is not None
            self._tokens = min(self.burst, self._tokens + (now - self._refilled_at) * self.rate)
            self._refilled_at = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                self.status[200] += 1
                return OK
            self.status[429] += 1
            return THROTTLED
        if since < self.window:
            code = 503 if self._coin.random() < self.fail_rate else 200
            self.in_window[code] += 1
        else:
            code = 200
        self.status[code] += 1
        return UNAVAILABLE if code == 503 else OK

    def stats(self) -> dict[str, Any]:
        arrivals = self.arrivals
        return {
            "scenario": self.scenario,
            "requests": len(arrivals),
            "status": {str(code): n for code, n in sorted(self.status.items())},
            "in_window": {str(code): n for code, n in sorted(self.in_window.items())},
            "seconds": arrivals[-1] if arrivals else 0.0,
            "peak_100ms": peak_in_window(arrivals),
        }


class Connection(asyncio.Protocol):
    def __init__(self, resource: Resource) -> None:
        self.resource = resource
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data if self.buffer else data
        out: list[bytes] = []
        close = False
        while True:
            end = buffer.find(_HEAD_END)
            if end < 0:
                break
            head = buffer[:end]
            lower = head.lower()
            body = 0
            at = lower.find(b"content-length:")
            if at >= 0:
                line_end = lower.find(b"\r\n", at)
                body = int(lower[at + 15 : line_end if line_end >= 0 else None])
            if len(buffer) < end + 4 + body:
                break
            buffer = buffer[end + 4 + body :]
            out.append(self._route(head, time.monotonic()))
            if b"connection: close" in lower:
                close = True
                break
        self.buffer = buffer
        assert self.transport is not None
        if out:
            self.transport.write(b"".join(out))
        if close:
            self.transport.close()

    def _route(self, head: bytes, now: float) -> bytes:
        line_end = head.find(b"\r\n")
        parts = (head if line_end < 0 else head[:line_end]).split(b" ")
        target = parts[1] if len(parts) > 1 else b""
        path = target.split(b"?", 1)[0].strip(b"/").split(b"/")
        if parts[0] == b"GET" and (
            (len(path) == 3 and path[:2] == [b"openai", b"files"])
            or (len(path) == 4 and path[:3] == [b"openai", b"v1", b"files"])
        ):
            return self.resource.answer(now)
        if path == [b"_stats"]:
            data = json.dumps(self.resource.stats()).encode()
            return (
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                b"content-length: " + str(len(data)).encode() + b"\r\n\r\n" + data
            )
        return NOT_FOUND


async def serve(resource: Resource, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: Connection(resource), "127.0.0.1", port, backlog=1024, reuse_address=True
    )
    sys.stdout.write(f"PORT {server.sockets[0].getsockname()[1]}\n")
    sys.stdout.flush()
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=("throttled", "flaky"), required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--rate", type=float, default=200.0, help="throttled: requests/s")
    parser.add_argument("--burst", type=float, default=20.0, help="throttled: bucket size")
    parser.add_argument("--window", type=float, default=10.0, help="flaky: seconds of 503s")
    parser.add_argument("--fail-rate", type=float, default=0.5, help="flaky: share of 503s")
    parser.add_argument("--seed", type=int, default=20240601, help="flaky: the coin's seed")
    args = parser.parse_args(argv)
    resource = Resource(
        args.scenario, args.rate, args.burst, args.window, args.fail_rate, args.seed
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(resource, args.port))


if __name__ == "__main__":
    main()
