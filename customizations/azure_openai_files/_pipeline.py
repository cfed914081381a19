"""Sends one logical call: auth per attempt, retries with backoff, deadline, logging, and
the mapping of failures to this package's errors. `SyncPipeline` and `AsyncPipeline` differ
only in their I/O; every decision is made once, in `_Pipeline` and `RetryState`."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx2

from ._auth import ApiKeyAuth, AsyncBearerTokenAuth, BearerTokenAuth, Renewal, claims_challenge
from ._config import DEFAULT_LIMITS, USER_AGENT, ClientSettings, check_deadline
from ._errors import (
    AuthenticationError,
    FilesError,
    RateLimitError,
    RequestTimeoutError,
    ServiceError,
    TransportError,
    UnexpectedResponseError,
    error_from_response,
    printable,
)
from ._head_bound import HeadClock
from ._logging import loggable_headers, logger
from ._retry import RETRYABLE_STATUS_CODES, RetryState, requested_retry_after
from ._streaming import body_is_encoded, undecodable

# Error bodies are read up to this size; the rest is dropped (a gateway page can be large).
MAX_ERROR_BODY = 1024 * 1024
# A file object is a few hundred bytes; a metadata body past this is not one.
MAX_METADATA_BODY = 4 * 1024 * 1024

T = TypeVar("T")

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
    if client_request_id is not None and not (
        isinstance(client_request_id, str)
        and client_request_id
        and all(" " <= char <= "~" for char in client_request_id)
    ):
        raise ValueError("client_request_id must be a non-empty string of printable ASCII")
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


def check_http_client(http_client: object, expected: type[Any]) -> None:
    if not isinstance(http_client, expected):
        raise TypeError(
            f"http_client must be an httpx2.{expected.__name__}, not {type(http_client).__name__}"
        )
    if http_client.is_closed:
        raise ValueError("http_client is closed")


def transport_error(exc: httpx2.HTTPError) -> TransportError:
    """A network failure as this package's error, its cause chained (the retry state adds the
    client request id when it gives up)."""
    error: TransportError
    if isinstance(exc, httpx2.TimeoutException):
        error = RequestTimeoutError(f"{type(exc).__name__}: the request timed out")
    else:
        error = TransportError(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    error.__cause__ = exc
    return error


def parse_with_request_ids(response: httpx2.Response, parse: Callable[[httpx2.Response], T]) -> T:
    """`parse(response)`; a ServiceError it raises names the client request id that was sent."""
    try:
        return parse(response)
    except ServiceError as error:
        if error.client_request_id is None:
            error.client_request_id = response.request.headers.get("x-ms-client-request-id")
        raise


class _GuardedBody(httpx2.SyncByteStream):
    """A response body that runs `check(bytes_so_far)` after every chunk it hands on."""

    def __init__(self, stream: Any, check: Callable[[int], None]) -> None:
        self._stream = stream
        self._check = check

    def __iter__(self) -> Iterator[bytes]:
        received = 0
        for chunk in self._stream:
            received += len(chunk)
            self._check(received)
            yield chunk

    def close(self) -> None:
        self._stream.close()


class _AsyncGuardedBody(httpx2.AsyncByteStream):
    """As `_GuardedBody`, for async responses."""

    def __init__(self, stream: Any, check: Callable[[int], None]) -> None:
        self._stream = stream
        self._check = check

    async def __aiter__(self) -> AsyncIterator[bytes]:
        received = 0
        async for chunk in self._stream:
            received += len(chunk)
            self._check(received)
            yield chunk

    async def aclose(self) -> None:
        await self._stream.aclose()


class _Pipeline:
    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self.retry_policy = settings.retry_policy

    def new_state(self, deadline: float | None) -> RetryState:
        """The bookkeeping of one call; its own `deadline=` replaces the client's."""
        return RetryState(
            self.retry_policy,
            check_deadline(deadline) if deadline is not None else self.settings.deadline,
        )

    @staticmethod
    def closed_error() -> FilesError:
        return FilesError(
            "the client is closed (or its http_client was closed by its owner); "
            "create a new client to send more requests"
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
        try:
            url = request_url(self.settings.base_url, operation["url"], operation.get("params"))
        except httpx2.InvalidURL as exc:
            # A caller's value (a file id of 64 KB, say) that no URL can carry.
            raise ValueError(f"the arguments do not make a valid request URL: {exc}") from None
        return httpx2.Request(
            operation["method"],
            url,
            headers=merged,
            extensions={"timeout": self.settings.timeout.as_dict()},
        )

    def _body_check(
        self, response: httpx2.Response, state: RetryState, *, metadata: bool, started: float
    ) -> Callable[[int], None] | None:
        """What to verify after each chunk of a body read whole: the call's deadline (per-read
        timeouts restart with every byte, so a slow drip would outlive them); for metadata
        also its size and that the whole response arrives within one read timeout."""
        if state.deadline_at is None and not metadata:
            return None
        time_limit = self.settings.timeout.read if metadata else None

        def check(received: int) -> None:
            state.check_deadline()
            if metadata and received > MAX_METADATA_BODY:
                raise UnexpectedResponseError(
                    f"file metadata body exceeds {MAX_METADATA_BODY} bytes; not a file object",
                    status_code=response.status_code,
                    headers=response.headers,
                    client_request_id=state.client_request_id,
                )
            if time_limit is not None and time.monotonic() - started > time_limit:
                raise httpx2.ReadTimeout(f"metadata response took over {time_limit:g} s")

        return check

    def _head_clock(self, state: RetryState) -> HeadClock:
        """The response head's time limit: one read timeout from when the request goes out,
        never past the deadline. Per-read timeouts restart with every byte, so only this
        bounds a server that drips its status line and headers."""
        read = self.settings.timeout.read
        assert read is not None  # ClientSettings refuses a timeout with a part left None
        return HeadClock(read, state.deadline_at)

    def _error_body_too_slow(self, started: float) -> bool:
        """An error body is a small document: what has not arrived within one read timeout of
        the request is dropped (the error still maps by its status), so a dripping error page
        cannot hold a call without a deadline."""
        return time.monotonic() - started > (self.settings.timeout.read or 0)

    @staticmethod
    def _not_whole_content(response: httpx2.Response, state: RetryState) -> FilesError:
        return UnexpectedResponseError(
            f"unexpected success status {response.status_code} for file content",
            status_code=response.status_code,
            headers=response.headers,
            client_request_id=state.client_request_id,
        )

    def _token_renewal(
        self, error: FilesError, state: RetryState, auth: Any, sent_header: str
    ) -> Renewal | None:
        """After a 401 to a token, once per call: what to ask the credential for (the claims
        of a CAE challenge, or simply a token other than the refused one). A key is not
        retried (the next call reads the key again)."""
        if not isinstance(error, AuthenticationError) or isinstance(auth, ApiKeyAuth):
            return None
        auth.invalidate(sent_header)
        if state.token_renewed:
            return None
        state.token_renewed = True
        return Renewal(sent_header, claims_challenge(error.headers))

    @staticmethod
    def _resends_with(renewal: Renewal, renewed_header: str, state: RetryState) -> bool:
        """Whether the renewed token is worth a resend: never the refused token again (a
        credential with a cache of its own, such as azure-identity's, may hand it back)."""
        if renewed_header == renewal.refused_header:
            logger.info(
                "Not retrying after HTTP 401: the credential returned the refused token again "
                "(client request id %s)",
                state.client_request_id,
            )
            return False
        state.forgive_attempt()  # a renewal is not a retry: the budget stays for failures
        logger.info(
            "Retrying with a new token after HTTP 401%s (client request id %s)",
            " and a claims challenge" if renewal.claims else "",
            state.client_request_id,
        )
        return True

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
            check_http_client(http_client, httpx2.Client)
        self.http = http_client or self._own_http_client()

    def _own_http_client(self) -> httpx2.Client:
        """The client the package builds, its response heads bounded as a whole."""
        from ._head_bound import bound_response_heads  # loads httpcore2, as httpx2.Client does

        http = httpx2.Client(**self._http_options())
        bound_response_heads(http)
        return http

    def send(
        self,
        operation: dict[str, Any],
        *,
        state: RetryState,
        stream: bool = False,
        metadata: bool = False,
        whole_content: bool = False,
        headers: dict[str, str] | None = None,
    ) -> httpx2.Response:
        """Send until a 2xx arrives (returned; its body read unless `stream`) or the call
        fails for good (raised as a FilesError). `metadata`: the body is a small document,
        bounded in size and in time. `whole_content`: only a 200 is the file's content (a 206
        the call did not ask for is only part of it)."""
        if self.http.is_closed:
            raise self.closed_error()
        request = self.build_request(self.http, operation, headers)
        state.client_request_id = request.headers.get("x-ms-client-request-id")
        renewed_header: str | None = None
        while True:
            auth_header = renewed_header or self._auth_header(state)
            renewed_header = None
            self._start_attempt(request, state, auth_header)
            clock = self._head_clock(state)
            try:
                response = self._send_head(request, state, clock)
            except httpx2.HTTPError as exc:
                error: FilesError = transport_error(exc)
                retryable = isinstance(exc, httpx2.TransportError)
            else:
                self._log_response(response)
                if response.is_success and whole_content and response.status_code != 200:
                    response.close()
                    error, retryable = self._not_whole_content(response, state), False
                elif response.is_success:
                    if stream:
                        return response
                    check = self._body_check(
                        response, state, metadata=metadata, started=clock.sent_at
                    )
                    if check is not None:
                        response.stream = _GuardedBody(response.stream, check)
                    try:
                        body_is_encoded(response)  # an encoding it cannot decode is refused
                        response.read()
                        return response
                    except httpx2.DecodingError as exc:
                        error, retryable = undecodable(response, exc), False
                    except httpx2.HTTPError as exc:
                        error, retryable = transport_error(exc), True
                    finally:
                        response.close()
                else:
                    error = self._error_for(
                        response, self._read_error_body(response, state, clock.sent_at)
                    )
                    retryable = self._is_retryable(error)
                    renewal = self._token_renewal(error, state, self._auth, auth_header)
                    if renewal is not None:
                        renewed_header = self._auth_header(state, renewal)
                        if self._resends_with(renewal, renewed_header, state):
                            continue
                        renewed_header = None
            time.sleep(self.delay_before_retry(request, state, error, retryable=retryable))

    def _send_head(
        self, request: httpx2.Request, state: RetryState, clock: HeadClock
    ) -> httpx2.Response:
        """Send and wait for the response head, all of it within the clock's limit on the
        client the package built (its network backend enforces it). A caller's blocking
        client bounds each read only: see README "Retries, timeouts and errors"."""
        clock.attach(request.extensions, asynchronous=False)
        try:
            with clock.awaiting_head():
                return self.http.send(request, **SEND_OPTIONS)
        except RuntimeError as exc:  # httpx2's answer to a send on a closed client
            if self.http.is_closed:
                raise self.closed_error() from exc
            raise

    def _auth_header(self, state: RetryState, renewal: Renewal | None = None) -> str:
        """The auth header (a renewed token after a 401); a token fetch counts against the
        call's deadline."""
        if isinstance(self._auth, ApiKeyAuth):
            return self._auth.header_value()
        auth = self._auth
        if renewal is None:
            header = auth.cached_header_value()
            if header is not None:
                return header
        remaining = state.remaining()
        if remaining is None:
            return auth.header_value(renewal)
        # A sync credential cannot be interrupted: wait for it on a thread of its own, at most
        # until the deadline (a token it gets later is cached for the next call).
        outcome: list[str | Exception] = []

        def fetch() -> None:
            try:
                outcome.append(auth.header_value(renewal))
            except Exception as exc:  # handed to the caller below
                outcome.append(exc)

        fetcher = threading.Thread(target=fetch, name="azure-openai-files-token", daemon=True)
        fetcher.start()
        fetcher.join(max(remaining, 0.0))
        if not outcome:
            raise state.deadline_error(" while the credential was getting a token")
        if isinstance(outcome[0], Exception):
            raise outcome[0]
        return outcome[0]

    def _read_error_body(
        self, response: httpx2.Response, state: RetryState, started: float
    ) -> bytes:
        body = bytearray()
        try:
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_ERROR_BODY or self._error_body_too_slow(started):
                    break
                if state.deadline_at is not None:
                    state.check_deadline()
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
            check_http_client(http_client, httpx2.AsyncClient)
        self.http = http_client or self._own_http_client()

    def _own_http_client(self) -> httpx2.AsyncClient:
        """The client the package builds (`_send_head` bounds response heads on any client)."""
        return httpx2.AsyncClient(**self._http_options())

    async def _send_head(
        self, request: httpx2.Request, state: RetryState, clock: HeadClock
    ) -> httpx2.Response:
        """Send and wait for the response head, all of it within the clock's limit, on any
        client: the bound moves to the clock's end when the request goes out. Before that,
        waiting for a connection and connecting are bounded by their own timeouts; the outer
        bound here only backs them up."""
        import asyncio  # deferred: only async users pay for importing asyncio

        timeout = self.settings.timeout
        outer = (timeout.pool or 0.0) + (timeout.connect or 0.0) + clock.limit
        remaining = state.remaining()
        if remaining is not None:
            outer = min(outer, remaining)  # past the deadline: asyncio.timeout expires at once
        try:
            async with asyncio.timeout(outer) as bound:
                loop = asyncio.get_running_loop()
                # In the loop's own time: an event loop may keep a clock other than monotonic.
                clock.on_send(
                    lambda ends_at: bound.reschedule(loop.time() + ends_at - time.monotonic())
                )
                clock.attach(request.extensions, asynchronous=True)
                return await self.http.send(request, **SEND_OPTIONS)
        except RuntimeError as exc:  # httpx2's answer to a send on a closed client
            if self.http.is_closed:
                raise self.closed_error() from exc
            raise
        except TimeoutError:
            # Handled as any read timeout: retried within the budget and the deadline.
            raise httpx2.ReadTimeout("the response head took too long", request=request) from None

    async def _auth_header(self, state: RetryState, renewal: Renewal | None = None) -> str:
        """As `SyncPipeline._auth_header`."""
        import asyncio  # deferred: only async users pay for importing asyncio

        if isinstance(self._auth, ApiKeyAuth):
            return self._auth.header_value()
        if renewal is None:
            header = self._auth.cached_header_value()
            if header is not None:
                return header
        remaining = state.remaining()
        if remaining is None:
            return await self._auth.header_value(renewal)
        try:
            return await asyncio.wait_for(self._auth.header_value(renewal), max(remaining, 0.0))
        except TimeoutError:
            raise state.deadline_error(" while the credential was getting a token") from None

    async def send(
        self,
        operation: dict[str, Any],
        *,
        state: RetryState,
        stream: bool = False,
        metadata: bool = False,
        whole_content: bool = False,
        headers: dict[str, str] | None = None,
    ) -> httpx2.Response:
        """As `SyncPipeline.send`."""
        import asyncio  # deferred: only async users pay for importing asyncio

        if self.http.is_closed:
            raise self.closed_error()
        request = self.build_request(self.http, operation, headers)
        state.client_request_id = request.headers.get("x-ms-client-request-id")
        renewed_header: str | None = None
        while True:
            auth_header = renewed_header or await self._auth_header(state)
            renewed_header = None
            self._start_attempt(request, state, auth_header)
            clock = self._head_clock(state)
            try:
                response = await self._send_head(request, state, clock)
            except httpx2.HTTPError as exc:
                error: FilesError = transport_error(exc)
                retryable = isinstance(exc, httpx2.TransportError)
            else:
                self._log_response(response)
                if response.is_success and whole_content and response.status_code != 200:
                    await response.aclose()
                    error, retryable = self._not_whole_content(response, state), False
                elif response.is_success:
                    if stream:
                        return response
                    check = self._body_check(
                        response, state, metadata=metadata, started=clock.sent_at
                    )
                    if check is not None:
                        response.stream = _AsyncGuardedBody(response.stream, check)
                    try:
                        body_is_encoded(response)  # an encoding it cannot decode is refused
                        await response.aread()
                        return response
                    except httpx2.DecodingError as exc:
                        error, retryable = undecodable(response, exc), False
                    except httpx2.HTTPError as exc:
                        error, retryable = transport_error(exc), True
                    finally:
                        await response.aclose()
                else:
                    error = self._error_for(
                        response, await self._read_error_body(response, state, clock.sent_at)
                    )
                    retryable = self._is_retryable(error)
                    renewal = self._token_renewal(error, state, self._auth, auth_header)
                    if renewal is not None:
                        renewed_header = await self._auth_header(state, renewal)
                        if self._resends_with(renewal, renewed_header, state):
                            continue
                        renewed_header = None
            await asyncio.sleep(self.delay_before_retry(request, state, error, retryable=retryable))

    async def _read_error_body(
        self, response: httpx2.Response, state: RetryState, started: float
    ) -> bytes:
        body = bytearray()
        try:
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_ERROR_BODY or self._error_body_too_slow(started):
                    break
                if state.deadline_at is not None:
                    state.check_deadline()
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
        return printable(f"HTTP {error.status_code}{code}{wait}")
    return str(error)
