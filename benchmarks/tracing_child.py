"""The cost of tracing per `get_file`, in a fresh process: OpenTelemetry lets a process set its
global providers once, so each configuration gets a process of its own.

    python benchmarks/tracing_child.py ENDPOINT PROVIDER ROUNDS CALLS

PROVIDER: `none` (opentelemetry-api installed, no provider configured: what a service gets
until it sets one up) or `sdk` (the SDK's tracer and meter providers, spans handed to an
exporter that drops them, measurements aggregated in memory). Both run a client with tracing
and one with `tracing=False`, taking turns every few calls as `benchmarks.run` does; prints
one JSON object with the microseconds per call of each, round by round.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

API_KEY = "bench-fake-key"
SLICE_CALLS = 10  # calls per client per turn, as in benchmarks.run


def configure_sdk() -> None:
    from opentelemetry import metrics, trace
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
    from opentelemetry.sdk.trace.export import (
        SimpleSpanProcessor,
        SpanExporter,
        SpanExportResult,
    )

    class Dropping(SpanExporter):
        def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(Dropping()))
    trace.set_tracer_provider(provider)
    metrics.set_meter_provider(MeterProvider(metric_readers=[InMemoryMetricReader()]))


def main(argv: list[str]) -> None:
    endpoint, provider, rounds, calls = argv[0], argv[1], int(argv[2]), int(argv[3])
    if provider == "sdk":
        configure_sdk()
    from azure_openai_files import FilesClient

    options = {"tracing": {}, "tracing_off": {"tracing": False}}
    samples: dict[str, list[float]] = {name: [] for name in options}
    file_id = "file-1024"
    names = list(options)
    for r in range(rounds):
        # Fresh clients every round, built in turn: a connection (and the server thread behind
        # it) can be a little faster than another for a whole process, which two clients
        # kept for the whole run would measure as the cost of tracing.
        order = names[r % 2 :] + names[: r % 2]
        clients = {name: FilesClient(endpoint, api_key=API_KEY, **options[name]) for name in order}
        try:
            assert clients["tracing"]._tracing is not None, "opentelemetry-api is not importable"
            for client in clients.values():  # warm up: connections, lazy imports, caches
                for _ in range(max(5, calls // 10)):
                    client.get_file(file_id)
            spent = dict.fromkeys(order, 0.0)
            turns = max(1, calls // SLICE_CALLS)
            gc.collect()
            for turn in range(turns):
                for name in order if turn % 2 == 0 else order[::-1]:
                    call = clients[name].get_file
                    started = time.perf_counter()
                    for _ in range(SLICE_CALLS):
                        call(file_id)
                    spent[name] += time.perf_counter() - started
        finally:
            for client in clients.values():
                client.close()
        for name in order:
            samples[name].append(spent[name] / (turns * SLICE_CALLS) * 1e6)
    result: dict[str, Any] = {"provider": provider, "us_rounds": samples}
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
