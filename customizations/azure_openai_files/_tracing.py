"""OpenTelemetry tracing and metrics, when `opentelemetry-api` is installed (the `tracing`
extra): the one home of that behaviour. Without the API nothing here imports it and the
clients work as before; `tracing=False` skips it on a client.

Spans and the duration histogram go to the GLOBAL tracer and meter providers, so they are
no-ops until the application configures them. Per public call: one INTERNAL span named
`<client class>.<method>`, current while the call runs (a stream's span lasts until its block
exits, without being current in the block). Per HTTP attempt: one CLIENT span, its child,
named by the HTTP method, with the stable HTTP-client semantic conventions, its context sent
as `traceparent` through the global propagator; and one `http.client.request.duration`
measurement. No key, token, query string (except `api-version`) or content is ever an
attribute: only the values built below are.

An attempt ends when its outcome is known: its body read to the end, or a failure (a retry
decision, the next attempt or the end of the call says which); the pipeline and the streams
report those moments through `CallTrace`.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import AbstractContextManager, nullcontext
from types import TracebackType
from typing import Any

import httpx2

from ._errors import FilesError, InvalidArgumentType, ServiceError, TransportError
from ._transport import Request, ResponseHead
from ._version import __version__

NAMESPACE = "Microsoft.CognitiveServices"
# The semantic conventions release whose (stable) HTTP attribute names are used here.
SCHEMA_URL = "https://opentelemetry.io/schemas/1.23.1"
# http.client.request.duration: the bucket boundaries the semantic conventions advise.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)
# Any other method is reported as _OTHER, as the conventions ask (a bounded set of values).
_KNOWN_METHODS = frozenset(
    {"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"}
)

# What a call without tracing enters: nothing.
NOT_TRACED: AbstractContextManager[None] = nullcontext()


class _Telemetry:
    """The OpenTelemetry API, imported once per process, and this package's instruments from
    the global providers (proxies until the application sets real ones)."""

    def __init__(self) -> None:
        from opentelemetry import context, metrics, propagate, trace

        self.tracer = trace.get_tracer("azure_openai_files", __version__, schema_url=SCHEMA_URL)
        meter = metrics.get_meter("azure_openai_files", __version__, schema_url=SCHEMA_URL)
        duration = ("http.client.request.duration", "s", "Duration of HTTP client requests.")
        try:
            self.duration = meter.create_histogram(
                *duration, explicit_bucket_boundaries_advisory=DURATION_BUCKETS
            )
        except TypeError:  # an API older than the extra asks for: the SDK's default buckets
            self.duration = meter.create_histogram(*duration)
        self.inject = propagate.inject
        self.in_context = trace.set_span_in_context
        self.current_span = trace.get_current_span
        self._tracer_provider = trace.get_tracer_provider
        self._proxy_tracers = trace.ProxyTracerProvider
        self._meter_provider = metrics.get_meter_provider
        # The meter provider in place while the application has set none: the API's proxy
        # (not public; when it is not recognised, calls are never taken as idle).
        unset = metrics.get_meter_provider()
        self._proxy_meters = unset if type(unset).__name__ == "_ProxyMeterProvider" else None
        self._configured = False
        # Where the API keeps the providers an application sets (module globals, None while
        # unset): read directly, they cost a fraction of the getters, which also look in the
        # environment each time. Used only while no environment variable names a provider
        # (looked for once, when the first client is made: the variables configure a process
        # as it starts) and both globals are where this API version keeps them; else the
        # getters are.
        from opentelemetry.metrics import _internal as metrics_internal

        named = {"OTEL_PYTHON_TRACER_PROVIDER", "OTEL_PYTHON_METER_PROVIDER"} & set(os.environ)
        self._globals: tuple[Any, Any] | None = (
            (trace, metrics_internal)
            if not named
            and hasattr(trace, "_TRACER_PROVIDER")
            and hasattr(metrics_internal, "_METER_PROVIDER")
            else None
        )
        self.attach = context.attach
        self.detach = context.detach
        self.invalid_span = trace.INVALID_SPAN
        self.internal = trace.SpanKind.INTERNAL
        self.client = trace.SpanKind.CLIENT
        self._status = trace.Status
        self._error_code = trace.StatusCode.ERROR
        self.error = trace.Status(trace.StatusCode.ERROR)

    def idle(self) -> bool:
        """Whether a call would record and propagate nothing: the application has set no
        tracer or meter provider (the API's proxies are still in place) and the caller has
        no span context to carry on. A provider, once set, stays: then never idle."""
        if self._configured:
            return False
        if self._globals is not None:
            trace_module, metrics_module = self._globals
            if trace_module._TRACER_PROVIDER is None and metrics_module._METER_PROVIDER is None:
                return not self.current_span().get_span_context().is_valid
        if self._proxy_meters is None or self._meter_provider() is not self._proxy_meters:
            self._configured = True
            return False
        if not isinstance(self._tracer_provider(), self._proxy_tracers):
            self._configured = True
            return False
        return not self.current_span().get_span_context().is_valid

    def error_status(self, description: str | None) -> Any:
        return self._status(self._error_code, description) if description else self.error


_telemetry: _Telemetry | None = None
_looked_for = False


def _load() -> _Telemetry | None:
    """The API when it is importable (looked for once per process), else None."""
    global _telemetry, _looked_for
    if not _looked_for:
        try:
            _telemetry = _Telemetry()
        except ImportError:
            _telemetry = None
        _looked_for = True
    return _telemetry


def for_client(
    client_name: str, base_url: httpx2.URL, api_version: str, enabled: object
) -> ClientTracing | None:
    """A client's tracing: None when turned off or when opentelemetry-api is not installed,
    decided once, at construction."""
    if not isinstance(enabled, bool):
        raise InvalidArgumentType("tracing", f"must be True or False, not {type(enabled).__name__}")
    if not enabled:
        return None
    telemetry = _load()
    if telemetry is None:
        return None
    return ClientTracing(telemetry, client_name, base_url, api_version)


def call(
    tracing: ClientTracing | None, method: str, *, current: bool = True
) -> AbstractContextManager[CallTrace | None]:
    """`with call(self._tracing, "get_file") as trace:` around a public call; `current=False`
    for a span that outlives the call's frame (a stream's), which then is not made current."""
    if tracing is None or tracing.telemetry.idle():
        return NOT_TRACED  # nothing would be recorded or propagated: no span, no measurement
    return CallTrace(tracing, method, current=current)


class ClientTracing:
    """What one client's spans and measurements share."""

    def __init__(
        self, telemetry: _Telemetry, client_name: str, url: httpx2.URL, api_version: str
    ) -> None:
        self.telemetry = telemetry
        self.client_name = client_name
        self.api_version = api_version
        self.server_address = url.host
        self.server_port = url.port or (443 if url.scheme == "https" else 80)


class _Attempt:
    __slots__ = ("error_type", "method", "recording", "span", "started", "status")

    def __init__(self, span: Any, method: str) -> None:
        self.span = span
        self.recording = span is not None and span.is_recording()
        self.method = method
        self.status: int | None = None
        self.error_type: str | None = None
        self.started = time.perf_counter()


class CallTrace:
    """One public call: its span, and the attempt under way (one at a time)."""

    __slots__ = ("_attempt", "_current", "_name", "_parent", "_sent", "_span", "_token", "tracing")

    def __init__(self, tracing: ClientTracing, method: str, *, current: bool) -> None:
        self.tracing = tracing
        self._name = f"{tracing.client_name}.{method}"
        self._current = current
        self._span: Any = None
        self._token: Any = None  # the context to restore when the call ends
        self._parent: Any = None  # the context attempts start in; None: nothing to propagate
        self._sent = 0
        self._attempt: _Attempt | None = None

    # --- the call ---------------------------------------------------------------------

    def __enter__(self) -> CallTrace:
        telemetry = self.tracing.telemetry
        span = self._span = telemetry.tracer.start_span(self._name, kind=telemetry.internal)
        # No provider and no caller's span: nothing to join or propagate (attempts are only
        # measured). The identity check is the cheap case of the validity check below.
        if span is telemetry.invalid_span:
            return self
        if span.is_recording():
            span.set_attributes(
                {"az.namespace": NAMESPACE, "azure.openai.api_version": self.tracing.api_version}
            )
        if span.get_span_context().is_valid:
            self._parent = telemetry.in_context(span)
            if self._current:
                self._token = telemetry.attach(self._parent)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """End the call, failed with `error` when it raised; an attempt still open ends with
        it (a stream left before its end, a failure no retry decision saw)."""
        self._end_attempt(error)
        telemetry = self.tracing.telemetry
        if self._token is not None:
            telemetry.detach(self._token)
            self._token = None
        span = self._span
        if error is not None and span.is_recording():
            kind = qualified_name(type(error))
            # Only this package's messages, which never hold a secret; another exception
            # (the file system's, a callback's) is named by its class alone.
            message = str(error) if isinstance(error, FilesError) else None
            span.set_attribute("error.type", kind)
            event = {"exception.type": kind}
            if message:
                event["exception.message"] = message
            span.add_event("exception", event)
            span.set_status(telemetry.error_status(message))
        span.end()

    # --- its attempts -----------------------------------------------------------------

    def attempt_started(self, request: Request) -> None:
        """A request is about to be sent: its CLIENT span starts, and `traceparent` (through
        the global propagator) carries that span's context."""
        self._end_attempt(None)
        self._sent += 1
        method = request.method if request.method in _KNOWN_METHODS else "_OTHER"
        telemetry = self.tracing.telemetry
        span = None
        if self._parent is not None:
            span = telemetry.tracer.start_span(
                "HTTP" if method == "_OTHER" else method,
                context=self._parent,
                kind=telemetry.client,
            )
            telemetry.inject(request.headers, context=telemetry.in_context(span))
        attempt = self._attempt = _Attempt(span, method)
        if attempt.recording:
            tracing = self.tracing
            attributes: dict[str, str | int] = {
                "http.request.method": method,
                "server.address": tracing.server_address,
                "server.port": tracing.server_port,
                "url.full": url_full(request.url),
                "az.namespace": NAMESPACE,
            }
            if method == "_OTHER":
                attributes["http.request.method_original"] = request.method
            if self._sent > 1:
                attributes["http.request.resend_count"] = self._sent - 1
            client_request_id = request.headers.get("x-ms-client-request-id")
            if client_request_id:
                attributes["az.client_request_id"] = client_request_id
            span.set_attributes(attributes)  # type: ignore[union-attr]

    def response_received(self, response: ResponseHead) -> None:
        attempt = self._attempt
        if attempt is None:
            return
        status = attempt.status = response.status_code
        if status >= 400:
            attempt.error_type = str(status)
        if attempt.recording:
            span = attempt.span
            span.set_attribute("http.response.status_code", status)
            headers = response.headers
            service_request_id = headers.get("apim-request-id") or headers.get("x-request-id")
            if service_request_id:
                span.set_attribute("az.service_request_id", service_request_id)

    def attempt_failed(self, error: BaseException) -> None:
        """The attempt under way failed with `error` (nothing when none is under way)."""
        self._end_attempt(error)

    def attempt_succeeded(self) -> None:
        """The attempt's response body was read to its end."""
        self._end_attempt(None)

    def _end_attempt(self, error: BaseException | None) -> None:
        attempt = self._attempt
        if attempt is None:
            return
        self._attempt = None
        if error is not None and attempt.error_type is None:
            attempt.error_type = attempt_error_type(error)
        tracing = self.tracing
        measured: dict[str, str | int] = {
            "http.request.method": attempt.method,
            "server.address": tracing.server_address,
            "server.port": tracing.server_port,
        }
        if attempt.status is not None:
            measured["http.response.status_code"] = attempt.status
        if attempt.error_type is not None:
            measured["error.type"] = attempt.error_type
        tracing.telemetry.duration.record(time.perf_counter() - attempt.started, measured)
        span = attempt.span
        if span is None:
            return
        if attempt.error_type is not None and attempt.recording:
            span.set_attribute("error.type", attempt.error_type)
            span.set_status(tracing.telemetry.error)
        span.end()


def attempt_error_type(error: BaseException) -> str:
    """An attempt's `error.type`: the status code of an error response; the network's
    exception class for a transport failure; else the class of the error raised."""
    if isinstance(error, ServiceError) and not 200 <= error.status_code < 300:
        return str(error.status_code)
    cause = error.__cause__
    if isinstance(error, TransportError) and isinstance(cause, httpx2.HTTPError):
        return qualified_name(type(cause))
    return qualified_name(type(error))


def qualified_name(cls: type[BaseException]) -> str:
    """`azure_openai_files.NotFoundError`, `httpx2.ConnectError`, `TimeoutError`: the name a
    class is imported by, when its package exports it from a private module."""
    module = cls.__module__
    if module == "builtins":
        return cls.__qualname__
    public = module.split("._", 1)[0]
    if public != module and getattr(sys.modules.get(public), cls.__qualname__, None) is not cls:
        public = module
    return f"{public}.{cls.__qualname__}"


def url_full(url: str) -> str:
    """The request URL without its query, except `api-version` (a signed URL's query is a
    credential; no other parameter is needed to read the span)."""
    path, _, query = url.partition("?")
    kept = "&".join(pair for pair in query.split("&") if pair.startswith("api-version="))
    return f"{path}?{kept}" if kept else path
