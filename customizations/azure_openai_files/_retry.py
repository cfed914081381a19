"""Retry policy: which failures are retried, how long to wait, and when to give up.

Sans-IO: the sync and async pipelines both ask `RetryState` what to do after a failure,
so the policy lives here once.
"""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._errors import FilesError, InvalidArgument, RequestTimeoutError, ServiceError, TransportError

if TYPE_CHECKING:
    from ._tracing import CallTrace

RETRYABLE_STATUS_CODES = frozenset({408, 429, 500, 502, 503, 504})


class RetryPolicy:
    """How one client retries. Defaults favour services that run unattended."""

    __slots__ = ("backoff", "backoff_max", "max_retries", "max_retry_after")

    def __init__(
        self,
        max_retries: int = 3,
        backoff: float = 0.5,  # base of the exponential backoff, seconds
        backoff_max: float = 8.0,  # cap of one backoff sleep, seconds
        max_retry_after: float = 60.0,  # a longer requested wait raises RateLimitError at once
    ) -> None:
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise InvalidArgument("max_retries", "must be a whole number, 0 or more")
        for name, value in (
            ("retry_backoff", backoff),
            ("retry_backoff_max", backoff_max),
            ("max_retry_after", max_retry_after),
        ):
            if not (value >= 0 and math.isfinite(value)):
                raise InvalidArgument(name, "must be a finite number of seconds >= 0")
        self.max_retries = max_retries
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.max_retry_after = max_retry_after

    def __repr__(self) -> str:
        return (
            f"RetryPolicy(max_retries={self.max_retries}, backoff={self.backoff}, "
            f"backoff_max={self.backoff_max}, max_retry_after={self.max_retry_after})"
        )

    def backoff_delay(self, retry_number: int) -> float:
        """Exponential backoff with full jitter: uniform in [0, min(max, base * 2^n)]."""
        ceiling = min(self.backoff_max, self.backoff * (2 ** min(retry_number, 32)))
        return random.uniform(0, ceiling)  # noqa: S311 (jitter, not cryptography)


def requested_retry_after(headers: Mapping[str, str]) -> float | None:
    """The wait the service asked for, in seconds: retry-after-ms, x-ms-retry-after-ms,
    then retry-after (delta-seconds or an HTTP date). None when absent or unreadable."""
    for name, scale in (("retry-after-ms", 0.001), ("x-ms-retry-after-ms", 0.001)):
        value = headers.get(name)
        if value is not None:
            try:
                seconds = float(value) * scale
            except ValueError:
                continue
            if math.isfinite(seconds) and seconds >= 0:
                return seconds
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        return max(0.0, when - time.time())
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


class RetryState:
    """The retry bookkeeping of one logical call: attempts made and the overall deadline."""

    __slots__ = (
        "attempts",
        "client_request_id",
        "deadline_at",
        "deadline_seconds",
        "maybe_done",
        "policy",
        "request",
        "token_renewed",
        "trace",
    )

    def __init__(
        self, policy: RetryPolicy, deadline: float | None, trace: CallTrace | None = None
    ) -> None:
        self.policy = policy
        self.attempts = 0
        self.deadline_seconds = deadline
        self.deadline_at = None if deadline is None else time.monotonic() + deadline
        self.client_request_id: str | None = None  # set by the pipeline when it sends
        self.token_renewed = False  # a 401 renews the token and retries once per call
        self.trace = trace  # the call's span and its attempts', when traced
        self.request: Any = None  # the call's httpx2.Request, set by the pipeline when it sends
        # Whether a failed attempt may have been carried out (its answer lost, or a 5xx).
        self.maybe_done = False

    def remaining(self) -> float | None:
        """Seconds left before the deadline (None without one)."""
        if self.deadline_at is None:
            return None
        return self.deadline_at - time.monotonic()

    def forgive_attempt(self) -> None:
        """Leave the attempt that just failed out of the retry budget: it made progress (a
        download that received new bytes before it broke), so it is not a repeated failure."""
        self.attempts -= 1

    def check_deadline(self) -> None:
        if self.deadline_at is not None and self.deadline_at <= time.monotonic():
            raise self.deadline_error()

    def deadline_error(self, while_: str = "") -> RequestTimeoutError:
        return RequestTimeoutError(
            f"deadline of {self.deadline_seconds:g} s exceeded{while_}",
            client_request_id=self.client_request_id,
        )

    def delay_before_retry(self, error: FilesError, *, retryable: bool) -> float:
        """Seconds to sleep before the next attempt, or raise `error` when the call is over."""
        if isinstance(error, TransportError) and error.client_request_id is None:
            error.client_request_id = self.client_request_id
        if not retryable or self.attempts > self.policy.max_retries:
            raise error
        requested = error.retry_after if isinstance(error, ServiceError) else None
        if requested is not None and requested > self.policy.max_retry_after:
            # Sleeping hours would look like a hang; the caller can schedule the work instead.
            raise error
        delay = self.policy.backoff_delay(self.attempts - 1) if requested is None else requested
        remaining = self.remaining()
        if remaining is not None and delay >= remaining:
            raise RequestTimeoutError(
                f"deadline of {self.deadline_seconds:g} s would pass before the next attempt "
                f"(last failure: {error})",
                client_request_id=self.client_request_id,
            ) from error
        return delay
