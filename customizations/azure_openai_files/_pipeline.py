"""Sends one logical call: auth per attempt, retries with backoff, deadline, logging, and
the mapping of failures to this package's errors. `SyncPipeline` and `AsyncPipeline` differ
only in their I/O; every decision is made once, in `_Pipeline` and `RetryState`."""

from __future__ import annotations

import logging
import os
import time
from typing import Any
from urllib.parse import urlencode

import httpx2

from ._auth import ApiKeyAuth, AsyncBearerTokenAuth, BearerTokenAuth
from ._config import DEFAULT_LIMITS, USER_AGENT, ClientSettings
from ._errors import (
    FilesError,
    RateLimitError,
    RequestTimeoutError,
    ServiceError,
    TransportError,
    error_from_response,
)
from ._logging import loggable_headers, logger
from ._retry import RETRYABLE_STATUS_CODES, RetryState, requested_retry_after

# Error bodies are read up to this size; the rest is dropped (a gateway page can be large).
MAX_ERROR_BODY = 1024 * 1024

# Headers this package sets on every request: a caller's `http_client` default value for any
# of them is dropped, so routing (Host) and auth stay the package's. Its other default
# headers (tracing ones, for instance) are sent.
PACKAGE_HEADERS = ("api-key", "authorization", "host", "user-agent", "x-ms-client-request-id")

# Per `send`, whatever the http_client's own settings: no redirect is followed (credentials
# must not travel to another origin; a 3xx is an error) and the client's `auth` never runs
# (the package's credential is the only one).
SEND_OPTIONS: dict[str, Any] = {"stream": True, "follow_redirects": False, "auth": None}


def new_client_request_id() -> str:
    """A random (version 4) UUID; formatted directly, as `uuid` costs more to import and call."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = raw.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def call_headers(
    client_request_id: str | None, extra: dict[str, str] | None = None
) -> dict[str, str]:
    """Headers of one logical call: the same client request id on every attempt."""
    headers = {"x-ms-client-request-id": client_request_id or new_client_request_id()}
    if extra:
        headers.update(extra)
    return headers


def request_url(
    base_url: httpx2.URL, relative: str, params: dict[str, str] | None = None
) -> httpx2.URL:
    """`{endpoint}/openai` joined with an operation's path (already percent-encoded) and
    query: absolute, so the base_url of a caller's http_client never applies. Built as one
    string and parsed once: URL parsing is most of what building a request costs."""
    path = relative.lstrip("/").encode("ascii")
    query = b"?" + urlencode(params).encode("ascii") if params else b""
    return base_url.copy_with(raw_path=base_url.raw_path.rstrip(b"/") + b"/" + path + query)


def check_http_client(http_client: object, expected: type[Any], name: str) -> None:
    if not isinstance(http_client, expected):
        raise TypeError(f"http_client must be an {name}, not {type(http_client).__name__}")
    if http_client.is_closed:
        raise ValueError("http_client is closed")


def transport_error(exc: httpx2.HTTPError) -> TransportError:
    """A network failure as this package's error, its cause chained."""
    error: TransportError
    if isinstance(exc, httpx2.TimeoutException):
        error = RequestTimeoutError(f"{type(exc).__name__}: the request timed out")
    else:
        error = TransportError(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    error.__cause__ = exc
    return error


class _Pipeline:
    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self.retry_policy = settings.retry_policy

    def new_state(self, deadline: float | None) -> RetryState:
        return RetryState(
            self.retry_policy, deadline if deadline is not None else self.settings.deadline
        )

    def _http_options(self) -> dict[str, Any]:
        """The client this package builds when the caller passes no http_client."""
        return {"timeout": self.settings.timeout, "limits": DEFAULT_LIMITS}

    def build_request(
        self,
        http: httpx2.Client | httpx2.AsyncClient,
        operation: dict[str, Any],
        headers: dict[str, str] | None,
    ) -> httpx2.Request:
        """The request of one call, on any http client: the package's URL, timeouts and
        headers win over the client's base_url, params, cookies, timeout and default headers."""
        merged = http.headers.copy()
        for name in PACKAGE_HEADERS:
            merged.pop(name, None)
        merged["User-Agent"] = USER_AGENT
        if headers:
            merged.update(headers)
        return httpx2.Request(
            operation["method"],
            request_url(self.settings.base_url, operation["url"], operation.get("params")),
            headers=merged,
            extensions={"timeout": self.settings.timeout.as_dict()},
        )

    def _start_attempt(self, request: httpx2.Request, state: RetryState, auth_header: str) -> None:
        state.attempts += 1
        state.check_deadline()
        request.headers[self._auth_name] = auth_header
        remaining = state.remaining()
        if remaining is not None:
            # No single connect or read may outlive the call's deadline.
            timeout = self.settings.timeout
            request.extensions["timeout"] = {
                "connect": min(timeout.connect or remaining, remaining),
                "read": min(timeout.read or remaining, remaining),
                "write": min(timeout.write or remaining, remaining),
                "pool": min(timeout.pool or remaining, remaining),
            }
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "Request %s %s attempt %d: %s",
                request.method,
                request.url,
                state.attempts,
                loggable_headers(request.headers.items()),
            )

    @staticmethod
    def _log_response(response: httpx2.Response) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "Response %d for %s %s: %s",
                response.status_code,
                response.request.method,
                response.request.url,
                loggable_headers(response.headers.items()),
            )

    def _error_for(self, response: httpx2.Response, body: bytes) -> ServiceError:
        retry_after = requested_retry_after(response.headers)
        return error_from_response(response, body, retry_after=retry_after)

    def delay_before_retry(
        self,
        request: httpx2.Request,
        state: RetryState,
        error: FilesError,
        *,
        retryable: bool = True,
    ) -> float:
        """Seconds to wait before retrying `request` after `error` (logged), or raise it."""
        delay = state.delay_before_retry(error, retryable=retryable)
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "Retrying %s %s in %.2f s (attempt %d of %d failed: %s; client request id %s)",
                request.method,
                request.url.path,
                delay,
                state.attempts,
                state.policy.max_retries + 1,
                _reason(error),
                request.headers.get("x-ms-client-request-id"),
            )
        return delay

    @staticmethod
    def _is_retryable(error: ServiceError) -> bool:
        return error.status_code in RETRYABLE_STATUS_CODES

    _auth_name: str


class SyncPipeline(_Pipeline):
    def __init__(
        self,
        settings: ClientSettings,
        auth: ApiKeyAuth | BearerTokenAuth,
        http_client: httpx2.Client | None = None,
    ) -> None:
        super().__init__(settings)
        self._auth = auth
        self._auth_name = auth.header_name
        # The package closes only the client it built; a caller's client stays the caller's.
        self._owns_http = http_client is None
        if http_client is not None:
            check_http_client(http_client, httpx2.Client, "httpx2.Client")
        self.http = http_client or httpx2.Client(**self._http_options())

    def send(
        self,
        operation: dict[str, Any],
        *,
        state: RetryState,
        stream: bool = False,
        headers: dict[str, str] | None = None,
    ) -> httpx2.Response:
        """Send until a 2xx arrives (returned; its body read unless `stream`) or the call
        fails for good (raised as a FilesError)."""
        request = self.build_request(self.http, operation, headers)
        while True:
            self._start_attempt(request, state, self._auth.header_value())
            try:
                response = self.http.send(request, **SEND_OPTIONS)
            except httpx2.HTTPError as exc:
                error: FilesError = transport_error(exc)
                retryable = isinstance(exc, httpx2.TransportError)
            else:
                self._log_response(response)
                if response.is_success:
                    if stream:
                        return response
                    try:
                        response.read()
                        return response
                    except httpx2.HTTPError as exc:
                        error, retryable = transport_error(exc), True
                    finally:
                        response.close()
                else:
                    error = self._error_for(response, self._read_error_body(response))
                    retryable = self._is_retryable(error)
            time.sleep(self.delay_before_retry(request, state, error, retryable=retryable))

    @staticmethod
    def _read_error_body(response: httpx2.Response) -> bytes:
        body = bytearray()
        try:
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_ERROR_BODY:
                    break
        except httpx2.HTTPError:
            pass  # a broken error body still maps by its status
        finally:
            response.close()
        return bytes(body)

    def close(self) -> None:
        if self._owns_http:
            self.http.close()


class AsyncPipeline(_Pipeline):
    def __init__(
        self,
        settings: ClientSettings,
        auth: ApiKeyAuth | AsyncBearerTokenAuth,
        http_client: httpx2.AsyncClient | None = None,
    ) -> None:
        super().__init__(settings)
        self._auth = auth
        self._auth_name = auth.header_name
        self._owns_http = http_client is None
        if http_client is not None:
            check_http_client(http_client, httpx2.AsyncClient, "httpx2.AsyncClient")
        self.http = http_client or httpx2.AsyncClient(**self._http_options())

    async def _auth_header(self) -> str:
        if isinstance(self._auth, ApiKeyAuth):
            return self._auth.header_value()
        return await self._auth.header_value()

    async def send(
        self,
        operation: dict[str, Any],
        *,
        state: RetryState,
        stream: bool = False,
        headers: dict[str, str] | None = None,
    ) -> httpx2.Response:
        """As `SyncPipeline.send`."""
        import asyncio  # deferred: only async users pay for importing asyncio

        request = self.build_request(self.http, operation, headers)
        while True:
            self._start_attempt(request, state, await self._auth_header())
            try:
                response = await self.http.send(request, **SEND_OPTIONS)
            except httpx2.HTTPError as exc:
                error: FilesError = transport_error(exc)
                retryable = isinstance(exc, httpx2.TransportError)
            else:
                self._log_response(response)
                if response.is_success:
                    if stream:
                        return response
                    try:
                        await response.aread()
                        return response
                    except httpx2.HTTPError as exc:
                        error, retryable = transport_error(exc), True
                    finally:
                        await response.aclose()
                else:
                    error = self._error_for(response, await self._read_error_body(response))
                    retryable = self._is_retryable(error)
            await asyncio.sleep(self.delay_before_retry(request, state, error, retryable=retryable))

    @staticmethod
    async def _read_error_body(response: httpx2.Response) -> bytes:
        body = bytearray()
        try:
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_ERROR_BODY:
                    break
        except httpx2.HTTPError:
            pass  # a broken error body still maps by its status
        finally:
            await response.aclose()
        return bytes(body)

    async def close(self) -> None:
        if self._owns_http:
            await self.http.aclose()


def _reason(error: FilesError) -> str:
    if isinstance(error, ServiceError):
        code = f" {error.code}" if error.code else ""
        wait = (
            f", retry-after {error.retry_after:g} s"
            if isinstance(error, RateLimitError) and error.retry_after is not None
            else ""
        )
        return f"HTTP {error.status_code}{code}{wait}"
    return str(error)
