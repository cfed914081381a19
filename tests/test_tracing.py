"""OpenTelemetry tracing and metrics, through both clients, against the SDK's in-memory
exporters: one span per public call, one CLIENT span and one duration measurement per HTTP
attempt, `traceparent` on every attempt, nothing secret anywhere, and nothing at all without
the API or with `tracing=False`.

The package uses the GLOBAL providers, which OpenTelemetry lets a process set only once: this
module sets them the first time a test asks (`telemetry` fixture). The tracer provider routes
each span to the SDK only while a test of this module runs (`Routed`); every other test in the
same process sees a no-op tracer, as if no provider were configured, so its requests carry no
`traceparent` of ours. Measurements of other tests land in the same reader: each test reads
only its own server's port.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import Histogram, MeterProvider
from opentelemetry.sdk.metrics.export import AggregationTemporality, InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.trace import SpanKind, StatusCode

import azure_openai_files
from azure_openai_files import AsyncFilesClient, FilesClient, NotFoundError, _tracing
from tests.support.clients import DOCS_SAMPLE, FAKE_KEY, KINDS, Clients
from tests.support.loopback import LoopbackServer, partial_body, respond, respond_json, serve_range

ROOT = Path(__file__).resolve().parent.parent
PREFIX = {"aiohttp": "AsyncFilesClient", "sync": "FilesClient", "async": "AsyncFilesClient"}
NOT_FOUND = {"error": {"code": "notFound", "message": "The resource is not found."}}


class Routed(trace.TracerProvider):
    """A global tracer provider whose tracers hand each span to `Routed.target`: the SDK's
    recording tracer, a sampling-out one, or a no-op one (the default)."""

    target = "off"

    def __init__(self) -> None:
        self.recording = TracerProvider()
        self.dropping = TracerProvider(sampler=ALWAYS_OFF)

    def get_tracer(self, *args: Any, **kwargs: Any) -> trace.Tracer:
        return _RoutedTracer(
            {
                "on": self.recording.get_tracer(*args, **kwargs),
                "dropping": self.dropping.get_tracer(*args, **kwargs),
                "off": trace.NoOpTracer(),
            }
        )


class _RoutedTracer(trace.Tracer):
    def __init__(self, tracers: dict[str, trace.Tracer]) -> None:
        self._tracers = tracers

    def start_span(self, *args: Any, **kwargs: Any) -> trace.Span:
        return self._tracers[Routed.target].start_span(*args, **kwargs)

    def start_as_current_span(self, *args: Any, **kwargs: Any) -> Any:
        return self._tracers[Routed.target].start_as_current_span(*args, **kwargs)


class Telemetry:
    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        # Delta: each collection holds only what was measured since the last one, so a test
        # sees its own points, not those of an earlier test whose server had the same port.
        self.reader = InMemoryMetricReader(
            preferred_temporality={Histogram: AggregationTemporality.DELTA}
        )
        self.provider = Routed()
        self.provider.recording.add_span_processor(SimpleSpanProcessor(self.exporter))
        trace.set_tracer_provider(self.provider)
        metrics.set_meter_provider(MeterProvider(metric_readers=[self.reader]))
        self.tracer = self.provider.recording.get_tracer("tests")

    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def calls(self) -> list[ReadableSpan]:
        return self._package(SpanKind.INTERNAL)

    def attempts(self) -> list[ReadableSpan]:
        return self._package(SpanKind.CLIENT)

    def _package(self, kind: SpanKind) -> list[ReadableSpan]:
        """The package's spans of that kind (not the tests' own)."""
        return [
            span
            for span in self.spans()
            if span.kind is kind
            and span.instrumentation_scope is not None
            and span.instrumentation_scope.name == "azure_openai_files"
        ]

    def durations(self, port: int) -> tuple[Any, list[Any]]:
        """The duration histogram and its points for requests to `port`."""
        data = self.reader.get_metrics_data()
        for resource in data.resource_metrics if data else []:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if (scope.scope.name, metric.name) == (
                        "azure_openai_files",
                        "http.client.request.duration",
                    ):
                        points = metric.data.data_points
                        return metric, [p for p in points if attributes(p)["server.port"] == port]
        return None, []


_installed: list[Telemetry] = []


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    if not _installed:
        _installed.append(Telemetry())
    installed = _installed[0]
    installed.exporter.clear()
    installed.reader.get_metrics_data()  # drops what earlier tests measured
    Routed.target = "on"
    try:
        yield installed
    finally:
        Routed.target = "off"


def clients(kind: str, server: LoopbackServer, **options: Any) -> Clients:
    return Clients(kind, server.endpoint, retry_backoff=0.0, **options)


def by_start(spans: list[ReadableSpan]) -> list[ReadableSpan]:
    return sorted(spans, key=lambda span: span.start_time or 0)


def attributes(item: Any) -> dict[str, Any]:
    """A span's, an event's or a measurement's attributes."""
    return dict(item.attributes or {})


def traceparent(span: ReadableSpan) -> str:
    context = span.get_span_context()
    assert context is not None
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"


# --- one call, its attempts -----------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_retried_call_is_one_call_span_over_a_client_span_per_attempt(
    kind: str, server: LoopbackServer, telemetry: Telemetry
) -> None:
    server.script(
        respond(503, b"busy", {"x-request-id": "first"}),
        respond_json(200, DOCS_SAMPLE, {"apim-request-id": "apim-2", "x-request-id": "x-2"}),
    )
    clients(kind, server).call("get_file", "file-abc", client_request_id="my-call-1")

    (call,) = telemetry.calls()
    assert call.name == f"{PREFIX[kind]}.get_file"
    assert call.parent is None
    assert call.status.status_code is StatusCode.UNSET
    assert attributes(call) == {
        "az.namespace": "Microsoft.CognitiveServices",
        "azure.openai.api_version": "2024-10-21",
    }
    first, second = by_start(telemetry.attempts())
    url = f"http://127.0.0.1:{server.port}/openai/files/file-abc?api-version=2024-10-21"
    common = {
        "http.request.method": "GET",
        "server.address": "127.0.0.1",
        "server.port": server.port,
        "url.full": url,
        "az.namespace": "Microsoft.CognitiveServices",
        "az.client_request_id": "my-call-1",
    }
    assert attributes(first) == {
        **common,
        "http.response.status_code": 503,
        "az.service_request_id": "first",
        "error.type": "503",
    }
    assert first.status.status_code is StatusCode.ERROR
    assert attributes(second) == {
        **common,
        "http.response.status_code": 200,
        "az.service_request_id": "apim-2",
        "http.request.resend_count": 1,
    }
    assert second.status.status_code is StatusCode.UNSET
    for attempt in (first, second):
        assert attempt.name == "GET"
        assert attempt.parent is not None
        assert attempt.parent.span_id == call.context.span_id
        assert attempt.context.trace_id == call.context.trace_id
        assert call.start_time <= attempt.start_time <= attempt.end_time <= call.end_time  # type: ignore[operator]


@pytest.mark.parametrize("kind", KINDS)
def test_each_attempt_carries_the_traceparent_of_its_own_client_span(
    kind: str, server: LoopbackServer, telemetry: Telemetry
) -> None:
    server.script(respond(503), respond(503), respond_json(200, DOCS_SAMPLE))
    clients(kind, server).call("get_file", "file-abc")
    sent = [request.headers["traceparent"] for request in server.requests]
    assert sent == [traceparent(span) for span in by_start(telemetry.attempts())]
    assert len(set(sent)) == 3
    assert [
        attributes(resend).get("http.request.resend_count")
        for resend in by_start(telemetry.attempts())
    ] == [None, 1, 2]


@pytest.mark.parametrize("kind", KINDS)
def test_every_attempt_is_measured_in_the_duration_histogram(
    kind: str, server: LoopbackServer, telemetry: Telemetry
) -> None:
    server.script(respond(503), respond_json(200, DOCS_SAMPLE))
    clients(kind, server).call("get_file", "file-abc")
    histogram, points = telemetry.durations(server.port)
    assert histogram.unit == "s"
    measured = {tuple(sorted(point.attributes.items())): point for point in points}
    common = {
        "http.request.method": "GET",
        "server.address": "127.0.0.1",
        "server.port": server.port,
    }
    failed = {**common, "http.response.status_code": 503, "error.type": "503"}
    succeeded = {**common, "http.response.status_code": 200}
    assert set(measured) == {tuple(sorted(failed.items())), tuple(sorted(succeeded.items()))}
    for point in measured.values():
        assert point.count == 1
        assert 0 < point.sum < 10
        assert list(point.explicit_bounds) == list(_tracing.DURATION_BUCKETS)


@pytest.mark.parametrize("kind", KINDS)
def test_a_download_that_resumes_after_a_cut_body_has_a_client_span_per_attempt(
    kind: str, server: LoopbackServer, telemetry: Telemetry, tmp_path: Path
) -> None:
    body = bytes(range(256)) * 400
    server.script(partial_body(body, 40_000), serve_range(body))
    path = clients(kind, server).download("file-abc", tmp_path / "out.bin")
    assert path.read_bytes() == body

    (call,) = telemetry.calls()
    assert call.name == f"{PREFIX[kind]}.download_file"
    assert call.status.status_code is StatusCode.UNSET
    cut, resumed = by_start(telemetry.attempts())
    assert server.requests[1].headers["range"] == "bytes=40000-"
    assert attributes(cut)["http.response.status_code"] == 200
    assert str(attributes(cut)["error.type"]).startswith("httpx2.")
    assert cut.status.status_code is StatusCode.ERROR
    assert attributes(resumed)["http.response.status_code"] == 206
    assert attributes(resumed)["http.request.resend_count"] == 1
    assert "error.type" not in attributes(resumed)
    # Each attempt's span ends with its body, before the file is committed and the call ends.
    assert cut.end_time <= resumed.start_time  # type: ignore[operator]
    assert resumed.end_time <= call.end_time  # type: ignore[operator]


@pytest.mark.parametrize("kind", KINDS)
def test_a_failing_call_marks_its_span_as_an_error_with_the_exception(
    kind: str, server: LoopbackServer, telemetry: Telemetry
) -> None:
    server.script(respond_json(404, NOT_FOUND, {"apim-request-id": "apim-404"}))
    with pytest.raises(NotFoundError) as raised:
        clients(kind, server).call("get_file", "file-gone")

    (call,) = telemetry.calls()
    assert call.status.status_code is StatusCode.ERROR
    assert call.status.description == str(raised.value)
    assert attributes(call)["error.type"] == "azure_openai_files.NotFoundError"
    (event,) = call.events
    assert event.name == "exception"
    assert attributes(event) == {
        "exception.type": "azure_openai_files.NotFoundError",
        "exception.message": str(raised.value),
    }
    (attempt,) = telemetry.attempts()
    assert attributes(attempt)["error.type"] == "404"
    assert attributes(attempt)["http.response.status_code"] == 404
    assert attributes(attempt)["az.service_request_id"] == "apim-404"
    assert attempt.status.status_code is StatusCode.ERROR


@pytest.mark.parametrize("kind", KINDS)
def test_a_stream_refused_on_entering_its_block_ends_its_span_as_an_error(
    kind: str, server: LoopbackServer, telemetry: Telemetry
) -> None:
    server.script(respond_json(404, NOT_FOUND))
    with pytest.raises(NotFoundError):
        clients(kind, server).stream("file-gone")
    (call,) = telemetry.calls()
    assert call.name == f"{PREFIX[kind]}.stream_file_content"
    assert attributes(call)["error.type"] == "azure_openai_files.NotFoundError"
    (attempt,) = telemetry.attempts()
    assert attributes(attempt)["error.type"] == "404"


class _RenewingCredential:
    """A new token on every request, as after a 401 a real credential gives."""

    def __init__(self) -> None:
        self.issued = 0

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        self.issued += 1
        return type("Token", (), {"token": f"token-{self.issued}", "expires_on": 2e9})()


@pytest.mark.parametrize("kind", KINDS)
def test_a_resend_with_a_renewed_token_is_an_attempt_of_its_own(
    kind: str, server: LoopbackServer, telemetry: Telemetry
) -> None:
    server.script(respond_json(401, {"error": {"code": "401"}}), respond_json(200, DOCS_SAMPLE))
    clients(kind, server, api_key=None, credential=_RenewingCredential()).call("get_file", "f")
    refused, renewed = by_start(telemetry.attempts())
    assert attributes(refused)["error.type"] == "401"
    assert "http.request.resend_count" not in attributes(refused)
    assert attributes(renewed)["http.response.status_code"] == 200
    assert attributes(renewed)["http.request.resend_count"] == 1
    (call,) = telemetry.calls()
    assert call.status.status_code is StatusCode.UNSET


def _refusing_endpoint() -> tuple[str, int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    return f"http://127.0.0.1:{port}", port


@pytest.mark.parametrize("kind", KINDS)
def test_a_refused_connection_is_an_error_of_each_attempt_and_of_the_call(
    kind: str, telemetry: Telemetry
) -> None:
    endpoint, port = _refusing_endpoint()
    with pytest.raises(azure_openai_files.TransportError):
        Clients(kind, endpoint, max_retries=1, retry_backoff=0.0).call("get_file", "file-abc")

    (call,) = telemetry.calls()
    assert attributes(call)["error.type"] == "azure_openai_files.TransportError"
    attempts = by_start(telemetry.attempts())
    assert len(attempts) == 2
    for attempt in attempts:
        assert attributes(attempt)["error.type"] == "httpx2.ConnectError"
        assert "http.response.status_code" not in attributes(attempt)
        assert attempt.status.status_code is StatusCode.ERROR
    assert attributes(attempts[1])["http.request.resend_count"] == 1
    _, points = telemetry.durations(port)
    (point,) = points
    assert point.count == 2
    assert dict(point.attributes) == {
        "http.request.method": "GET",
        "server.address": "127.0.0.1",
        "server.port": port,
        "error.type": "httpx2.ConnectError",
    }


# --- which calls, and where the spans sit ------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_public_call_has_its_span_joining_the_callers_current_span(
    kind: str, server: LoopbackServer, telemetry: Telemetry, tmp_path: Path
) -> None:
    content = b"line one\nline two\n"
    processed = {**DOCS_SAMPLE, "status": "processed"}
    runs: dict[str, tuple[Any, tuple[Any, ...]]] = {
        "get_file": (respond_json(200, DOCS_SAMPLE), ("f",)),
        "get_file_content": (respond(200, content), ("f",)),
        "download_file": (respond(200, content), ("f", tmp_path / "out")),
        "wait_for_processing": (respond_json(200, processed), ("f",)),
    }
    with telemetry.tracer.start_as_current_span("caller") as caller:
        for method, (reply, args) in runs.items():
            server.script(reply)
            clients(kind, server).call(method, *args)
        server.script(respond(200, content))
        assert clients(kind, server).stream("f")[0] == content

    calls = by_start(telemetry.calls())
    methods = [*runs, "get_file", "stream_file_content"]  # the wait's poll is a get_file
    assert [span.name for span in calls] == [f"{PREFIX[kind]}.{method}" for method in methods]
    wait, polled = calls[3], calls[4]
    assert polled.name == f"{PREFIX[kind]}.get_file"  # the poll, a child of the wait
    assert polled.parent is not None and polled.parent.span_id == wait.context.span_id
    for span in calls:
        assert span.context.trace_id == caller.get_span_context().trace_id
        if span is not polled:
            assert span.parent is not None
            assert span.parent.span_id == caller.get_span_context().span_id
    attempts = telemetry.attempts()
    assert len(attempts) == 5
    call_ids = {span.context.span_id for span in calls}
    assert {span.parent.span_id for span in attempts if span.parent} <= call_ids


def test_a_streams_span_lasts_until_its_block_exits_and_is_not_current_in_it(
    server: LoopbackServer, telemetry: Telemetry
) -> None:
    server.script(respond(200, b"abc" * 1000))
    with (
        FilesClient(server.endpoint, api_key=FAKE_KEY) as client,
        telemetry.tracer.start_as_current_span("caller") as caller,
    ):
        with client.stream_file_content("f") as stream:
            assert stream.read() == b"abc" * 1000
            assert trace.get_current_span() is caller
            assert telemetry.calls() == []
            (attempt,) = telemetry.attempts()  # its body was read to the end
            leaving = time.time_ns()
        (call,) = telemetry.calls()
    assert call.name == "FilesClient.stream_file_content"
    assert call.end_time >= leaving  # type: ignore[operator]
    assert attempt.parent is not None and attempt.parent.span_id == call.context.span_id


def test_an_async_streams_span_lasts_until_its_block_exits(
    server: LoopbackServer, telemetry: Telemetry
) -> None:
    server.script(respond(200, b"abc" * 1000))

    async def run() -> int:
        async with (
            AsyncFilesClient(server.endpoint, api_key=FAKE_KEY) as client,
            client.stream_file_content("f") as stream,
        ):
            assert await stream.read() == b"abc" * 1000
            assert telemetry.calls() == []
            return time.time_ns()

    leaving = asyncio.run(run())
    (call,) = telemetry.calls()
    assert call.name == "AsyncFilesClient.stream_file_content"
    assert call.end_time >= leaving  # type: ignore[operator]


@pytest.mark.parametrize("kind", KINDS)
def test_a_stream_cut_short_fails_its_attempt_and_its_call(
    kind: str, server: LoopbackServer, telemetry: Telemetry
) -> None:
    server.script(partial_body(b"z" * 100_000, 50_000))
    with pytest.raises(azure_openai_files.IncompleteDownloadError):
        clients(kind, server, max_retries=0).stream("f")
    (call,) = telemetry.calls()
    assert attributes(call)["error.type"] == "azure_openai_files.IncompleteDownloadError"
    (attempt,) = telemetry.attempts()
    assert str(attributes(attempt)["error.type"]).startswith("httpx2.")


# --- off, sampled out, absent ---------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_tracing_false_sends_no_traceparent_and_records_nothing(
    kind: str, server: LoopbackServer, telemetry: Telemetry
) -> None:
    server.script(respond(503), respond_json(200, DOCS_SAMPLE))
    with telemetry.tracer.start_as_current_span("caller"):
        clients(kind, server, tracing=False).call("get_file", "f")
    assert [span.name for span in telemetry.spans()] == ["caller"]
    assert [request.headers.get("traceparent") for request in server.requests] == [None, None]
    assert telemetry.durations(server.port)[1] == []


@pytest.mark.parametrize("client_class", [FilesClient, AsyncFilesClient])
def test_tracing_takes_only_a_bool(client_class: type[Any]) -> None:
    with pytest.raises(TypeError, match="tracing must be True or False"):
        client_class("https://r.openai.azure.com", api_key=FAKE_KEY, tracing="no")


@pytest.mark.parametrize("kind", KINDS)
def test_a_sampled_out_call_builds_no_attributes_but_still_propagates(
    kind: str, server: LoopbackServer, telemetry: Telemetry, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(url: httpx2.URL) -> str:
        raise AssertionError("attributes built for a span that does not record")

    monkeypatch.setattr(_tracing, "url_full", never)
    monkeypatch.setattr(Routed, "target", "dropping")
    server.script(respond(503), respond_json(200, DOCS_SAMPLE))
    clients(kind, server).call("get_file", "f")
    assert telemetry.spans() == []
    sent = [request.headers["traceparent"] for request in server.requests]
    assert len(set(sent)) == 2
    assert all(int(value[-2:], 16) & 1 == 0 for value in sent)  # the sampled flag is off
    assert len(telemetry.durations(server.port)[1]) == 2  # metrics do not depend on sampling


@pytest.mark.parametrize("kind", KINDS)
def test_without_a_configured_tracer_nothing_is_propagated_but_the_callers_own(
    kind: str, server: LoopbackServer, telemetry: Telemetry
) -> None:
    Routed.target = "off"  # as if the application configured no tracer provider
    server.script(respond_json(200, DOCS_SAMPLE))
    clients(kind, server).call("get_file", "f")
    assert "traceparent" not in server.requests[0].headers
    caller = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    with (
        httpx2.Client(headers={"traceparent": caller}) as http,
        FilesClient(server.endpoint, api_key=FAKE_KEY, http_client=http) as client,
    ):
        client.get_file("f")
    assert server.requests[-1].headers["traceparent"] == caller


def _run_python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


_PROBE = """
import json, sys
{setup}
import azure_openai_files
loaded = [name for name, module in sys.modules.items()
          if name.startswith("opentelemetry") and module is not None]
from azure_openai_files import FilesClient
with FilesClient({endpoint!r}, api_key="k", tracing={tracing}) as client:
    file = client.get_file("file-1")
    traced = client._tracing is not None
print(json.dumps([loaded, [name for name, module in sys.modules.items()
                  if name.startswith("opentelemetry") and module is not None], traced, file.id]))
"""


def test_without_opentelemetry_the_client_works_and_imports_nothing(
    server: LoopbackServer,
) -> None:
    server.script(respond_json(200, DOCS_SAMPLE))
    setup = 'sys.modules["opentelemetry"] = None  # as if not installed'
    at_import, after_call, traced, file_id = json.loads(
        _run_python(_PROBE.format(setup=setup, endpoint=server.endpoint, tracing=True))
    )
    assert (at_import, after_call, traced) == ([], [], False)
    assert file_id == DOCS_SAMPLE["id"]
    assert "traceparent" not in server.requests[0].headers


def test_opentelemetry_is_imported_by_a_traced_client_only(server: LoopbackServer) -> None:
    server.script(respond_json(200, DOCS_SAMPLE))
    off = json.loads(_run_python(_PROBE.format(setup="", endpoint=server.endpoint, tracing=False)))
    assert off[:3] == [[], [], False]
    on = json.loads(_run_python(_PROBE.format(setup="", endpoint=server.endpoint, tracing=True)))
    assert on[0] == [] and "opentelemetry.trace" in on[1] and on[2] is True


_IDLE_PROBE = """
import json
from opentelemetry import context, propagate, trace
from azure_openai_files import FilesClient, _tracing

entered = []
real = _tracing.CallTrace.__enter__
_tracing.CallTrace.__enter__ = lambda self: entered.append(self._name) or real(self)
caller = {{"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}}
with FilesClient({endpoint!r}, api_key="k") as client:
    client.get_file("file-1")  # no provider, no caller's span: nothing to do
    idle = list(entered)
    token = context.attach(propagate.extract(caller))  # a caller's incoming context
    client.get_file("file-1")
    context.detach(token)
    carried = list(entered)
    from opentelemetry.sdk.trace import TracerProvider
    trace.set_tracer_provider(TracerProvider())
    client.get_file("file-1")
print(json.dumps([idle, carried, entered]))
"""


def test_with_no_provider_and_no_callers_span_a_call_does_no_tracing_work(
    server: LoopbackServer,
) -> None:
    # The API installed, nothing configured: a call that could record and propagate nothing
    # skips its span and measurements altogether; a caller's context, or a provider set
    # later, brings them back.
    server.script(*[respond_json(200, DOCS_SAMPLE)] * 3)
    idle, carried, entered = json.loads(_run_python(_IDLE_PROBE.format(endpoint=server.endpoint)))
    assert idle == [] and carried == ["FilesClient.get_file"]
    assert entered == ["FilesClient.get_file"] * 2
    sent = [request.headers.get("traceparent") for request in server.requests]
    assert sent[0] is None and sent[1] is not None and sent[1].startswith("00-0af76519")


# --- no secret ------------------------------------------------------------------------------

KEY = "sk-tracing-key-0123456789"
TOKEN = "eyJ-tracing-token-0123456789"
SAS = "sig=tracing-sas-signature-0123"
CONTENT = b"tracing-file-content-0123456789"


class _Token:
    def __init__(self) -> None:
        self.token, self.expires_on = TOKEN, time.time() + 3600


class _Credential:
    def get_token(self, *scopes: str, **kwargs: Any) -> _Token:
        return _Token()


@pytest.mark.parametrize("kind", KINDS)
def test_no_key_token_signed_url_or_content_reaches_a_span_or_a_metric(
    kind: str, server: LoopbackServer, telemetry: Telemetry, tmp_path: Path
) -> None:
    signed = f"https://account.blob.core.windows.net/c/f?sv=2024-01-01&{SAS}"
    for options in ({"api_key": KEY}, {"api_key": None, "credential": _Credential()}):
        run = clients(kind, server, max_retries=1, **options)
        server.script(respond(503, CONTENT), respond(200, CONTENT))
        assert run.call("get_file_content", "f") == CONTENT
        server.script(respond(200, CONTENT))
        run.download("f", tmp_path / "out", overwrite=True)
        server.script(respond(302, b"moved", {"Location": signed}))
        with pytest.raises(azure_openai_files.ServiceError):
            run.call("get_file", "f")
        server.script(respond(401, b"denied"))
        with pytest.raises(azure_openai_files.AuthenticationError):
            run.call("get_file", "f")
    exported = "\n".join(span.to_json() for span in telemetry.spans())
    data = telemetry.reader.get_metrics_data()
    exported += data.to_json() if data else ""
    assert len(telemetry.calls()) == 8
    assert "redirect to https://account.blob.core.windows.net" in exported
    for secret in (KEY, TOKEN, SAS, "sv=2024-01-01", CONTENT.decode()):
        assert secret not in exported


# --- the pieces -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "full"),
    [
        (
            "https://r.openai.azure.com/openai/files/f?api-version=2024-10-21",
            "https://r.openai.azure.com/openai/files/f?api-version=2024-10-21",
        ),
        (
            "https://r.openai.azure.com:8443/openai/v1/files/f",
            "https://r.openai.azure.com:8443/openai/v1/files/f",
        ),
        ("https://h/p?sig=secret&api-version=v&x=1#frag", "https://h/p?api-version=v"),
        ("https://h/p%3Fsig%3Ds?sv=1", "https://h/p%3Fsig%3Ds"),
    ],
)
def test_url_full_keeps_no_query_but_the_api_version(url: str, full: str) -> None:
    assert _tracing.url_full(str(httpx2.URL(url))) == full


def test_error_types_name_classes_as_they_are_imported() -> None:
    assert _tracing.qualified_name(NotFoundError) == "azure_openai_files.NotFoundError"
    assert _tracing.qualified_name(httpx2.ConnectError) == "httpx2.ConnectError"
    assert _tracing.qualified_name(TimeoutError) == "TimeoutError"
    assert _tracing.qualified_name(asyncio.CancelledError) == "asyncio.exceptions.CancelledError"
