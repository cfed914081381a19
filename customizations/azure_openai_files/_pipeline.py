"""What every attempt of a call decides, whatever its I/O: the request, auth per attempt,
retries with backoff, the deadline, logging, and the mapping of failures to this package's
errors. `AsyncPipeline` (`_async_pipeline`) does the I/O, and its generated twin
`SyncPipeline` (`_sync_pipeline`) the blocking I/O; every decision is made once, here and in
`RetryState`."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import httpx2

from ._auth import ApiKeyAuth, Renewal, claims_challenge
from ._config import DEFAULT_LIMITS, USER_AGENT, ClientSettings, check_deadline
from ._errors import (
    AuthenticationError,
    FilesError,
    OutcomeUnknownError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    ServiceError,
    TransportError,
    UnexpectedResponseError,
    UploadNotResendableError,
    printable,
)
from ._logging import loggable_headers, logger
from ._operation import Expect, Operation
from ._response_head_timeout import HeadClock
from ._responses import error_from_response
from ._retry import RETRYABLE_STATUS_CODES, RetryState, requested_retry_after
from ._streaming import ACCEPTED_ENCODINGS
from ._transport import Request, ResponseHead, join_url

if TYPE_CHECKING:
    from ._tracing import CallTrace

# Error bodies are read up to this size; the rest is dropped (a gateway page can be large).
MAX_ERROR_BODY = 1024 * 1024
# A file object is a few hundred bytes; a metadata body past this is not one.
MAX_METADATA_BODY = 4 * 1024 * 1024
# A page of 10,000 files (the most a page holds) is a few MiB; past this it is not one.
MAX_LISTING_BODY = 64 * 1024 * 1024

T = TypeVar("T")
R = TypeVar("R", bound=ResponseHead)


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


def check_open(http_client: Any) -> None:
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


def parse_with_request_ids(response: R, parse: Callable[[R], T]) -> T:
    """`parse(response)`; a ServiceError it raises names the client request id that was sent."""
    try:
        return parse(response)
    except ServiceError as error:
        if error.client_request_id is None:
            error.client_request_id = response.request.headers.get("x-ms-client-request-id")
        raise


class PipelineBase:
    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self.retry_policy = settings.retry_policy
        # Absolute, so the base_url of a caller's http_client never applies.
        self._base_url = str(settings.base_url).rstrip("/")
        self._timeout: dict[str, float | None] = settings.timeout.as_dict()
        self._api_version = settings.api_version

    def new_state(self, deadline: float | None, trace: CallTrace | None = None) -> RetryState:
        """The bookkeeping of one call; its own `deadline=` replaces the client's. `trace`:
        the call's tracing (None when untraced), told of each attempt."""
        return RetryState(
            self.retry_policy,
            check_deadline(deadline) if deadline is not None else self.settings.deadline,
            trace,
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

    def build_request(self, operation: Operation, headers: dict[str, str] | None) -> Request:
        """The request of one call, on any transport: the package's URL, timeouts and headers
        win over a caller's http_client's base_url, params, cookies, timeout and defaults."""
        merged = {"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPTED_ENCODINGS}
        if headers:
            merged.update(headers)
        if operation.body is not None:
            merged.update(operation.body.headers)
        url = join_url(self._base_url, operation.url, operation.params)
        return Request(
            operation.method, url, merged, operation.body, self._timeout, self._api_version
        )

    def _body_check(
        self, response: ResponseHead, state: RetryState, expect: Expect, *, started: float
    ) -> Callable[[int], None] | None:
        """What to verify after each chunk of a body read whole: the call's deadline (per-read
        timeouts restart with every byte, so a slow drip would outlive them); for a document
        also its size and that the whole response arrives within one read timeout."""
        metadata = expect in (Expect.DOCUMENT, Expect.LISTING)
        if state.deadline_at is None and not metadata:
            return None
        time_limit = self.settings.timeout.read if metadata else None
        size_limit = MAX_LISTING_BODY if expect is Expect.LISTING else MAX_METADATA_BODY

        def check(received: int) -> None:
            state.check_deadline()
            if metadata and received > size_limit:
                raise UnexpectedResponseError(
                    f"{expect.value} body exceeds {size_limit} bytes; not what the API sends",
                    status_code=response.status_code,
                    headers=response.headers,
                    client_request_id=state.client_request_id,
                )
            if time_limit is not None and time.monotonic() - started > time_limit:
                raise httpx2.ReadTimeout(f"metadata response took over {time_limit:g} s")

        return check

    def _head_clock(self, request: Request, state: RetryState) -> HeadClock:
        """The response head's time limit: one read timeout from when the whole request is
        out, never past the deadline. Per-read timeouts restart with every byte, so only this
        bounds a server that drips its status line and headers."""
        read = self.settings.timeout.read
        assert read is not None  # ClientSettings refuses a timeout with a part left None
        return HeadClock(read, state.deadline_at, body=request.body is not None)

    def _error_body_too_slow(self, started: float) -> bool:
        """An error body is a small document: what has not arrived within one read timeout of
        the request is dropped (the error still maps by its status), so a dripping error page
        cannot hold a call without a deadline."""
        return time.monotonic() - started > (self.settings.timeout.read or 0)

    @staticmethod
    def _not_whole_content(response: ResponseHead, state: RetryState) -> FilesError:
        if response.status_code == 200:
            message = "a 200 for file content whose Content-Range says it is only part of it"
        else:
            message = f"unexpected success status {response.status_code} for file content"
        return UnexpectedResponseError(
            message,
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

    def _start_attempt(self, request: Request, state: RetryState, auth_header: str) -> None:
        state.attempts += 1
        state.check_deadline()
        request.headers[self._auth_name] = auth_header
        remaining = state.remaining()
        if remaining is not None:
            # No single connect or read may outlive the call's deadline.
            timeout = self.settings.timeout
            request.timeout = {
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
        if state.trace is not None:
            state.trace.attempt_started(request)

    def _pace(self, state: RetryState) -> float:
        """Seconds to wait before the next attempt goes out, in step with every other call of
        the client once the resource has throttled it (0 until then). A turn further away
        than the call's deadline, or than `max_retry_after`, is not taken: the call fails at
        once, naming the wait."""
        remaining = state.remaining()
        longest = state.policy.max_retry_after
        if remaining is not None:
            longest = min(longest, remaining)
        wait = self.settings.retry_budget.wait_before_send(time.monotonic(), longest)
        if not wait or wait <= longest:
            return wait
        if remaining is not None and wait >= remaining:
            raise RequestTimeoutError(
                f"deadline of {state.deadline_seconds:g} s would pass while the client waits "
                f"{wait:.2f} s for its turn to send (paced for the resource)",
                client_request_id=state.client_request_id,
            )
        raise RateLimitError(
            f"the resource throttled this client: its next turn is in {wait:.2f} s, longer "
            f"than max_retry_after ({state.policy.max_retry_after:g} s)",
            status_code=429,
            retry_after=wait,
            client_request_id=state.client_request_id,
        )

    def _pace_holds(self, reserved_at: float) -> bool:
        """Whether a turn reserved at `reserved_at` still stands: a 429 that arrived while
        the call waited for it set a new pace, and the call then takes a new turn."""
        return not self.settings.retry_budget.throttled_since(reserved_at)

    def _received(self, response: ResponseHead, request: Request, state: RetryState) -> None:
        """The response head of the attempt under way has arrived."""
        if 200 <= response.status_code < 300:
            self.settings.retry_budget.record_success(time.monotonic())
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "Response %d for %s %s: %s",
                response.status_code,
                request.method,
                request.url,
                loggable_headers(response.headers.items()),
            )
        if state.trace is not None:
            state.trace.response_received(response)

    @staticmethod
    def _body_read(state: RetryState) -> None:
        """The attempt's body was read whole: the attempt succeeded."""
        if state.trace is not None:
            state.trace.attempt_succeeded()

    def _error_for(self, response: ResponseHead, body: bytes) -> ServiceError:
        retry_after = requested_retry_after(response.headers)
        return error_from_response(response, body, retry_after=retry_after)

    def delay_before_retry(
        self,
        request: Request,
        state: RetryState,
        error: FilesError,
        *,
        retryable: bool = True,
        progressed: int = 0,
    ) -> float:
        """Seconds to wait before retrying `request` after `error` (logged), or raise it.
        `progressed`: new bytes the failed attempt received, when the download forgave it."""
        if state.trace is not None:
            state.trace.attempt_failed(error)
        budget = self.settings.retry_budget
        paced = (
            isinstance(error, RateLimitError)
            and error.retry_after is not None
            and error.retry_after <= state.policy.max_retry_after
        )
        if paced:
            # The wait is the whole client's, even when this call cannot wait for it: every
            # call keeps the pace learned from it (`_pace`).
            assert isinstance(error, RateLimitError) and error.retry_after is not None
            budget.on_throttled(time.monotonic(), error.retry_after)
        elif (
            retryable
            and isinstance(error, ServerError)
            and error.retry_after is None
            and budget.on_unavailable(time.monotonic())
        ):
            paced = True  # the resource is failing: the client pauses, every call with it
        delay = state.delay_before_retry(error, retryable=retryable)
        # A paced retry's wait (logged below) is `_pace`'s, in turn with every other call;
        # keeping the pace, it adds no load and is not charged to the budget.
        sleep = 0.0 if paced else delay
        if not paced and not progressed and not budget.try_spend(time.monotonic()):
            error.add_note(
                "not retried: the client's retry budget is spent (retries may add "
                f"{budget.ratio:g} of the successes plus {budget.min_per_second:g} a second)"
            )
            logger.info(
                "Not retrying %s %s: the retry budget is spent (%s; client request id %s)",
                request.method,
                request.path,
                _reason(error),
                request.headers.get("x-ms-client-request-id"),
            )
            raise error
        if not logger.isEnabledFor(logging.INFO):
            return sleep
        if paced:  # the wait shown is the client's pause, when it is the longer one
            delay = max(delay, budget.paused_until() - time.monotonic())
        if progressed:
            logger.info(
                "Retrying %s %s in %.2f s (not counted: the attempt received %d new bytes "
                "before it failed: %s; client request id %s)",
                request.method,
                request.path,
                delay,
                progressed,
                error,
                request.headers.get("x-ms-client-request-id"),
            )
        else:
            logger.info(
                "Retrying %s %s in %.2f s (attempt %d of %d failed: %s; client request id %s)",
                request.method,
                request.path,
                delay,
                state.attempts,
                state.policy.max_retries + 1,
                _reason(error),
                request.headers.get("x-ms-client-request-id"),
            )
        return sleep

    def _head_outer_bound(self, state: RetryState, clock: HeadClock) -> float:
        """A bound on the whole send, from outside, for I/O that can be interrupted: waiting
        for a connection and connecting have their own timeouts (this only backs them up),
        then the head's limit; never past the deadline."""
        timeout = self.settings.timeout
        outer = (timeout.pool or 0.0) + (timeout.connect or 0.0) + clock.limit
        remaining = state.remaining()
        return outer if remaining is None else min(outer, remaining)

    @staticmethod
    def _may_have_arrived(operation: Operation, clock: HeadClock) -> bool:
        """Whether the service may have received the whole request of an attempt that failed
        on the network: not when it never went out (a refused connection) or its body was
        cut off before its end."""
        return clock.sent and PipelineBase._body_arrived(operation)

    @staticmethod
    def _body_arrived(operation: Operation) -> bool:
        return operation.body is None or operation.body.sent_whole

    @staticmethod
    def _outcome_unknown(operation: Operation, error: FilesError, state: RetryState) -> FilesError:
        """What a call that is not safe to resend raises when the service may have carried it
        out: the caller (or the client, for an upload) has to look before sending it again."""
        unknown = OutcomeUnknownError(
            f"{operation.name}: the service may have carried out the request, but its answer "
            f"was lost or did not say ({_reason(error)}); not sent again, so nothing is "
            "created twice",
            client_request_id=state.client_request_id,
        )
        unknown.__cause__ = error
        return unknown

    @staticmethod
    def rewind_body(operation: Operation, error: FilesError) -> None:
        """Ready the request body to be sent again, or raise: a stream already read cannot be."""
        if operation.body is not None and not operation.body.rewind():
            refused = UploadNotResendableError(
                f"{operation.name}: the request must be sent again ({_reason(error)}), but its "
                "body is a stream that cannot be rewound; pass a path, bytes or a seekable file"
            )
            raise refused from error

    @staticmethod
    def _is_retryable(error: ServiceError) -> bool:
        return error.status_code in RETRYABLE_STATUS_CODES

    _auth_name: str


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
