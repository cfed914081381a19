"""The retry policy and one call's retry state, on their own: which settings are valid, how
long each backoff is, what wait a throttling response asks for, and when a failure is
retried, waited for, or raised against the deadline."""

from __future__ import annotations

import math
import random
import re
import time
from typing import Any

import pytest

from azure_openai_files import _retry
from azure_openai_files._errors import (
    RequestTimeoutError,
    ServerError,
    ServiceError,
    TransportError,
)
from azure_openai_files._retry import RetryPolicy, RetryState, requested_retry_after

# --- settings and backoff -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": True}, "max_retries"),
        ({"max_retries": 1.5}, "max_retries"),
        ({"backoff": -0.1}, "retry_backoff"),
        ({"backoff": math.inf}, "retry_backoff"),
        ({"backoff_max": -1.0}, "retry_backoff_max"),
        ({"backoff_max": math.nan}, "retry_backoff_max"),
        ({"max_retry_after": -1.0}, "max_retry_after"),
        ({"max_retry_after": math.inf}, "max_retry_after"),
    ],
)
def test_a_retry_setting_out_of_range_is_refused_by_name(
    options: dict[str, Any], named: str
) -> None:
    expected = (
        "max_retries must be a whole number, 0 or more"
        if named == "max_retries"
        else f"{named} must be a finite number of seconds >= 0"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        RetryPolicy(**options)


def test_zero_is_a_valid_value_of_every_retry_setting() -> None:
    policy = RetryPolicy(0, 0.0, 0.0, 0.0)
    assert (policy.max_retries, policy.backoff, policy.backoff_max, policy.max_retry_after) == (
        0,
        0.0,
        0.0,
        0.0,
    )


def test_the_retry_policy_defaults_and_repr() -> None:
    policy = RetryPolicy()
    assert repr(policy) == (
        "RetryPolicy(max_retries=3, backoff=0.5, backoff_max=8.0, max_retry_after=60.0)"
    )


def test_backoff_doubles_per_retry_up_to_its_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    bounds: list[tuple[float, float]] = []
    monkeypatch.setattr(random, "uniform", lambda low, high: bounds.append((low, high)) or high)  # type: ignore[func-returns-value]
    policy = RetryPolicy(backoff=0.5, backoff_max=3.0)
    delays = [policy.backoff_delay(n) for n in range(5)]
    assert delays == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert all(low == 0 for low, _ in bounds)  # full jitter: anywhere from 0
    assert RetryPolicy(backoff=1.0, backoff_max=1e30).backoff_delay(10_000) == 2.0**32


def test_backoff_is_jittered_within_its_ceiling() -> None:
    policy = RetryPolicy(backoff=1.0, backoff_max=100.0)
    delays = {policy.backoff_delay(2) for _ in range(50)}
    assert all(0 <= delay <= 4.0 for delay in delays)
    assert len(delays) > 1


# --- the wait a throttling response asks for ------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after-ms": "250"}, 0.25),
        ({"x-ms-retry-after-ms": "250"}, 0.25),
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "0"}, 0.0),
        ({"retry-after-ms": "0"}, 0.0),
        # precedence: retry-after-ms, then x-ms-retry-after-ms, then retry-after
        ({"retry-after-ms": "100", "x-ms-retry-after-ms": "200", "retry-after": "3"}, 0.1),
        ({"x-ms-retry-after-ms": "200", "retry-after": "3"}, 0.2),
        # an unreadable or out-of-range value falls through to the next header
        ({"retry-after-ms": "soon", "x-ms-retry-after-ms": "200"}, 0.2),
        ({"retry-after-ms": "inf", "retry-after": "3"}, 3.0),
        ({"retry-after-ms": "nan", "retry-after": "3"}, 3.0),
        ({"retry-after-ms": "-5", "retry-after": "3"}, 3.0),
        ({"x-ms-retry-after-ms": "-5", "retry-after": "3"}, 3.0),
        ({"x-ms-retry-after-ms": "inf", "retry-after": "3"}, 3.0),
        # retry-after alone, unreadable or out of range: no requested wait
        ({}, None),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "-1"}, None),
        ({"retry-after": "inf"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),  # a date in the past
    ],
)
def test_the_requested_wait_is_read_from_the_throttling_headers(
    headers: dict[str, str], seconds: float | None
) -> None:
    assert requested_retry_after(headers) == seconds


def test_retry_after_as_a_future_http_date_is_the_time_until_then(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_retry.time, "time", lambda: 1_445_412_470.0)  # type: ignore[attr-defined]  # 10 s before the date
    assert requested_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 10.0


# --- one call's retry state: the deadline, the budget, the waits ----------------------------------


def _server_error(retry_after: float | None = None) -> ServiceError:
    return ServerError("busy", status_code=503, retry_after=retry_after)


def test_remaining_is_none_without_a_deadline() -> None:
    state = RetryState(RetryPolicy(), None)
    assert state.deadline_at is None and state.remaining() is None
    state.check_deadline()  # nothing to exceed


def test_remaining_counts_down_from_the_deadline() -> None:
    state = RetryState(RetryPolicy(), 5.0)
    assert 4.0 < (state.remaining() or 0) <= 5.0
    assert state.deadline_seconds == 5.0


def test_a_passed_deadline_raises_a_timeout_naming_it() -> None:
    state = RetryState(RetryPolicy(), 2.5)
    state.deadline_at = time.monotonic()
    with pytest.raises(RequestTimeoutError) as raised:
        state.check_deadline()
    assert str(raised.value) == "deadline of 2.5 s exceeded"  # no suffix when no step is named


def test_a_deadline_reached_exactly_is_exceeded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_retry.time, "monotonic", lambda: 100.0)  # type: ignore[attr-defined]
    state = RetryState(RetryPolicy(), 2.0)
    monkeypatch.setattr(_retry.time, "monotonic", lambda: 102.0)  # type: ignore[attr-defined]
    assert state.remaining() == 0.0
    with pytest.raises(RequestTimeoutError):
        state.check_deadline()


def test_a_wait_ending_exactly_at_the_deadline_is_not_started(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_retry.time, "monotonic", lambda: 100.0)  # type: ignore[attr-defined]
    state = RetryState(RetryPolicy(max_retry_after=60.0), 2.0)
    state.attempts = 1
    with pytest.raises(RequestTimeoutError):
        state.delay_before_retry(_server_error(retry_after=2.0), retryable=True)
    assert state.delay_before_retry(_server_error(retry_after=1.5), retryable=True) == 1.5


def test_a_final_failure_is_raised_as_it_is() -> None:
    state = RetryState(RetryPolicy(max_retries=3), None)
    state.attempts = 1
    error = _server_error()
    with pytest.raises(ServerError) as raised:
        state.delay_before_retry(error, retryable=False)
    assert raised.value is error


def test_the_retry_budget_allows_exactly_max_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(random, "uniform", lambda low, high: high)
    state = RetryState(RetryPolicy(max_retries=2, backoff=1.0, backoff_max=10.0), None)
    state.attempts = 1
    assert state.delay_before_retry(_server_error(), retryable=True) == 1.0  # backoff(0)
    state.attempts = 2
    assert state.delay_before_retry(_server_error(), retryable=True) == 2.0  # backoff(1)
    state.attempts = 3
    error = _server_error()
    with pytest.raises(ServerError) as raised:
        state.delay_before_retry(error, retryable=True)
    assert raised.value is error


def test_the_requested_wait_replaces_the_backoff_up_to_the_cap() -> None:
    state = RetryState(RetryPolicy(max_retries=3, max_retry_after=5.0), None)
    state.attempts = 1
    assert state.delay_before_retry(_server_error(retry_after=5.0), retryable=True) == 5.0
    assert state.delay_before_retry(_server_error(retry_after=0.0), retryable=True) == 0.0
    too_long = _server_error(retry_after=5.001)
    with pytest.raises(ServerError) as raised:
        state.delay_before_retry(too_long, retryable=True)
    assert raised.value is too_long


def test_a_transport_failure_waits_the_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(random, "uniform", lambda low, high: high)
    state = RetryState(RetryPolicy(backoff=0.25), None)
    state.attempts = 1
    assert state.delay_before_retry(TransportError("reset"), retryable=True) == 0.25


def test_a_transport_failure_keeps_its_own_request_id_or_is_given_the_calls() -> None:
    state = RetryState(RetryPolicy(), None)
    state.client_request_id = "call-1"
    # An error that already names its request keeps it; the call's id only fills a gap.
    named = TransportError("reset", client_request_id="attempt-0")
    unnamed = TransportError("reset")
    for error in (named, unnamed):
        with pytest.raises(TransportError):
            state.delay_before_retry(error, retryable=False)
    assert named.client_request_id == "attempt-0"
    assert unnamed.client_request_id == "call-1"


def test_a_state_that_has_sent_nothing_names_no_request_id() -> None:
    # The pipeline sets the id when it sends; until then a failure names no request at all.
    state = RetryState(RetryPolicy(), 0.0)
    with pytest.raises(RequestTimeoutError) as raised:
        state.check_deadline()
    assert raised.value.client_request_id is None
    refused = TransportError("connection refused")
    with pytest.raises(TransportError):
        state.delay_before_retry(refused, retryable=False)
    assert refused.client_request_id is None


def test_a_wait_past_the_deadline_raises_a_timeout_chained_to_the_failure() -> None:
    state = RetryState(RetryPolicy(max_retry_after=60.0), 1.0)
    state.attempts = 1
    state.client_request_id = "call-1"
    error = _server_error(retry_after=30.0)
    with pytest.raises(RequestTimeoutError, match="would pass before the next attempt") as raised:
        state.delay_before_retry(error, retryable=True)
    assert raised.value.__cause__ is error
    assert raised.value.client_request_id == "call-1"  # the timeout names the call it ended
    assert "deadline of 1 s" in str(raised.value) and "busy" in str(raised.value)


def test_a_wait_within_the_deadline_is_returned() -> None:
    state = RetryState(RetryPolicy(max_retry_after=60.0), 30.0)
    state.attempts = 1
    assert state.delay_before_retry(_server_error(retry_after=1.0), retryable=True) == 1.0
