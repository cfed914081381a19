"""Exact behaviour of the retry policy, the auth headers and the error mapping, stated
directly on the I/O-free code: each test fails when the line keeping its promise changes
(found by `make mutation`; see README, "Mutation testing")."""

from __future__ import annotations

import asyncio
import errno
import gzip
import json
import logging
import math
import os
import random
import re
import socket
import ssl
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2
import pytest

from azure_openai_files import AsyncFilesClient, FilesClient, _auth, _download, _retry
from azure_openai_files._auth import (
    TOKEN_REFRESH_MARGIN,
    TOKEN_SCOPE,
    ApiKeyAuth,
    AsyncBearerTokenAuth,
    BearerTokenAuth,
    check_credential_transport,
    credential_error,
)
from azure_openai_files._download import PartFile
from azure_openai_files._errors import (
    HTML_EXCERPT_LIMIT,
    MESSAGE_BODY_LIMIT,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    CredentialError,
    FileProcessingError,
    IncompleteDownloadError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    ServiceError,
    TransportError,
    UnexpectedResponseError,
    WaitTimeoutError,
    error_class_for,
    error_from_response,
)
from azure_openai_files._head_bound import HeadClock, _HeadBoundedBackend
from azure_openai_files._pipeline import (
    MAX_ERROR_BODY,
    MAX_METADATA_BODY,
    call_headers,
    new_client_request_id,
    request_url,
    transport_error,
)
from azure_openai_files._retry import RetryPolicy, RetryState, requested_retry_after
from azure_openai_files._streaming import incomplete
from tests.support.clients import DOCS_SAMPLE, KINDS, Clients
from tests.support.fuzzing import Delivery, ScriptedResponse, render
from tests.support.loopback import (
    CRLF,
    LoopbackServer,
    ReceivedRequest,
    Reply,
    drip,
    drip_head,
    partial_body,
    reset_connection,
    respond,
    respond_json,
    serving,
    stall,
)

# --- retry policy -----------------------------------------------------------------------------


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
    monkeypatch.setattr(random, "uniform", lambda low, high: bounds.append((low, high)) or high)
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
    monkeypatch.setattr(_retry.time, "time", lambda: 1_445_412_470.0)  # 10 s before the date
    assert requested_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 10.0


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
    monkeypatch.setattr(_retry.time, "monotonic", lambda: 100.0)
    state = RetryState(RetryPolicy(), 2.0)
    monkeypatch.setattr(_retry.time, "monotonic", lambda: 102.0)
    assert state.remaining() == 0.0
    with pytest.raises(RequestTimeoutError):
        state.check_deadline()


def test_a_wait_ending_exactly_at_the_deadline_is_not_started(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_retry.time, "monotonic", lambda: 100.0)
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


# --- auth -------------------------------------------------------------------------------------


class _Key:
    def __init__(self, key: str) -> None:
        self.key = key


def test_an_api_key_is_sent_as_given_and_read_again_on_each_attempt() -> None:
    assert ApiKeyAuth("k1").header_value() == "k1"
    rotating = _Key("old")
    auth = ApiKeyAuth(rotating)
    assert auth.header_value() == "old"
    rotating.key = "new"
    assert auth.header_value() == "new"
    assert ApiKeyAuth.header_name == "api-key"


def test_a_key_credential_whose_key_is_not_text_is_a_type_error_saying_so() -> None:
    auth = ApiKeyAuth(_Key(b"bytes-key"))  # type: ignore[arg-type]
    with pytest.raises(TypeError) as raised:
        auth.header_value()
    assert str(raised.value) == "the key credential's `key` must be a str"


def test_every_printable_ascii_character_may_be_in_a_key() -> None:
    key = "".join(chr(code) for code in range(ord("!"), ord("~") + 1)) + " inner space~"
    assert ApiKeyAuth(key).header_value() == key


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("", "is empty"),
        (
            "abc\x7fdef",  # DEL, the first character past "~"
            "contains a control or non-ASCII character at position 3; "
            "check how it was read or pasted",
        ),
    ],
)
def test_a_string_key_is_refused_as_the_api_key_saying_why(key: str, reason: str) -> None:
    with pytest.raises(ValueError) as raised:
        ApiKeyAuth(key)
    assert str(raised.value) == f"the api key {reason}"


@pytest.mark.parametrize("key", ["", "   "])
def test_an_empty_api_key_is_refused(key: str) -> None:
    with pytest.raises(ValueError, match=r"^the api key is empty$"):
        ApiKeyAuth(_Key(key)).header_value()


def test_auth_reprs_show_no_secret() -> None:
    assert repr(ApiKeyAuth("sk-secret")) == "ApiKeyAuth(<redacted>)"
    assert repr(BearerTokenAuth(_Credential("tok-secret"))) == "BearerTokenAuth(_Credential)"
    assert repr(AsyncBearerTokenAuth(_Credential("t"))) == "AsyncBearerTokenAuth(_Credential)"


class _Token:
    def __init__(self, token: str, expires_on: float) -> None:
        self.token = token
        self.expires_on = expires_on


class _Credential:
    def __init__(self, token: str, lifetime: float = 3600.0) -> None:
        self.token = token
        self.lifetime = lifetime
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> _Token:
        self.scopes.append(scopes)
        return _Token(f"{self.token}{len(self.scopes)}", time.time() + self.lifetime)


class _AsyncCredential(_Credential):
    async def get_token(self, *scopes: str, **kwargs: Any) -> _Token:  # type: ignore[override]
        await asyncio.sleep(0.01)  # a real credential waits on the network
        return super().get_token(*scopes)


def test_a_bearer_token_is_fetched_once_for_its_scope_and_cached() -> None:
    credential = _Credential("tok")
    auth = BearerTokenAuth(credential)
    assert auth.header_value() == "Bearer tok1"
    assert auth.header_value() == "Bearer tok1"
    assert credential.scopes == [(TOKEN_SCOPE,)]
    assert BearerTokenAuth.header_name == "Authorization"


def test_a_token_near_its_expiry_is_refreshed() -> None:
    credential = _Credential("tok", lifetime=TOKEN_REFRESH_MARGIN - 1)
    auth = BearerTokenAuth(credential)
    assert auth.header_value() == "Bearer tok1"
    assert auth.header_value() == "Bearer tok2"


def test_a_token_just_beyond_the_refresh_margin_is_kept() -> None:
    credential = _Credential("tok", lifetime=TOKEN_REFRESH_MARGIN + 30)
    auth = BearerTokenAuth(credential)
    auth.header_value()
    assert auth.header_value() == "Bearer tok1"


def test_a_token_exactly_at_the_refresh_margin_is_refreshed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_auth.time, "time", lambda: 1000.0)
    credential = _Credential("tok", lifetime=TOKEN_REFRESH_MARGIN)
    auth = BearerTokenAuth(credential)
    assert [auth.header_value(), auth.header_value()] == ["Bearer tok1", "Bearer tok2"]


@pytest.mark.parametrize(
    ("token", "error", "message"),
    [
        ("", ValueError, r"^the token from the credential is empty$"),
        (None, TypeError, r"^the credential's get_token returned no str `token`"),
    ],
)
def test_an_empty_token_is_refused(token: Any, error: type[Exception], message: str) -> None:
    class Empty:
        def get_token(self, *scopes: str) -> _Token:
            return _Token(token, time.time() + 3600)

    with pytest.raises(error, match=message):
        BearerTokenAuth(Empty()).header_value()


class _Lacking:
    """An access token from a credential that breaks the protocol: an attribute is missing."""

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)


@pytest.mark.parametrize(
    "access_token",
    [_Lacking(expires_on=time.time() + 3600), _Lacking(token="tok")],
    ids=["no-token", "no-expires_on"],
)
def test_an_access_token_missing_a_field_is_a_type_error(access_token: _Lacking) -> None:
    class Broken:
        def get_token(self, *scopes: str) -> _Lacking:
            return access_token

    with pytest.raises(TypeError, match=r"^the credential's get_token returned no str `token`"):
        BearerTokenAuth(Broken()).header_value()


@pytest.mark.timeout(10)
def test_a_cached_token_is_used_without_waiting_for_a_refresh_in_progress() -> None:
    auth = BearerTokenAuth(_Credential("tok"))
    auth.header_value()
    with auth._lock:  # another thread is fetching a token
        got: list[str] = []
        reader = threading.Thread(target=lambda: got.append(auth.header_value()), daemon=True)
        reader.start()
        reader.join(timeout=2)
        assert got == ["Bearer tok1"]


def test_a_cached_token_is_used_without_waiting_for_an_async_refresh_in_progress() -> None:
    auth = AsyncBearerTokenAuth(_AsyncCredential("tok"))

    async def scenario() -> str:
        await auth.header_value()
        assert auth._lock is not None
        async with auth._lock:  # another task is fetching a token
            return await asyncio.wait_for(auth.header_value(), timeout=2)

    assert asyncio.run(scenario()) == "Bearer tok1"


@pytest.mark.parametrize("credential_class", [_Credential, _AsyncCredential])
def test_the_async_auth_takes_sync_and_async_credentials_and_caches(
    credential_class: type[_Credential],
) -> None:
    credential = credential_class("tok")
    auth = AsyncBearerTokenAuth(credential)

    async def twice() -> list[str]:
        return [await auth.header_value(), await auth.header_value()]

    assert asyncio.run(twice()) == ["Bearer tok1", "Bearer tok1"]
    assert credential.scopes == [(TOKEN_SCOPE,)]


def test_the_async_auth_refreshes_a_token_near_its_expiry() -> None:
    auth = AsyncBearerTokenAuth(_Credential("tok", lifetime=TOKEN_REFRESH_MARGIN - 1))

    async def twice() -> list[str]:
        return [await auth.header_value(), await auth.header_value()]

    assert asyncio.run(twice()) == ["Bearer tok1", "Bearer tok2"]


@pytest.mark.timeout(20)
def test_an_async_credential_gets_its_token_while_every_worker_thread_is_busy() -> None:
    # Only a sync get_token needs a worker thread; an async one is awaited on the loop, so it
    # never queues behind the blocking work that fills the default executor.
    auth = AsyncBearerTokenAuth(_AsyncCredential("tok"))

    async def scenario() -> str:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(ThreadPoolExecutor(max_workers=1))
        release = threading.Event()
        busy = loop.run_in_executor(None, release.wait)
        try:
            return await asyncio.wait_for(auth.header_value(), timeout=5)
        finally:
            release.set()
            await busy

    assert asyncio.run(scenario()) == "Bearer tok1"


class _DisguisedAsyncCredential(_Credential):
    """A plain `get_token` that hands back a coroutine, as a wrapper or a partial of an async
    credential's method does."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        return self._get_token(*scopes)

    async def _get_token(self, *scopes: str) -> _Token:
        return _Credential.get_token(self, *scopes)


def test_the_async_auth_awaits_what_a_plain_get_token_returns() -> None:
    credential = _DisguisedAsyncCredential("tok")
    auth = AsyncBearerTokenAuth(credential)
    assert asyncio.run(auth.header_value()) == "Bearer tok1"
    assert credential.scopes == [(TOKEN_SCOPE,)]


def test_concurrent_async_requests_share_one_token_request() -> None:
    credential = _AsyncCredential("tok")
    auth = AsyncBearerTokenAuth(credential)

    async def many() -> list[str]:
        return list(await asyncio.gather(*(auth.header_value() for _ in range(5))))

    assert asyncio.run(many()) == ["Bearer tok1"] * 5
    assert len(credential.scopes) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_401_is_retried_once_with_a_new_token(server: LoopbackServer, kind: str) -> None:
    # A fresh call has not renewed its token yet: its first 401 earns one more attempt.
    unauthorized = {"error": {"code": "Unauthorized", "message": "token expired"}}
    server.script(respond_json(401, unauthorized), respond_json(200, DOCS_SAMPLE))
    credential = _Credential("tok")
    clients = Clients(kind, server.endpoint, api_key=None, credential=credential, max_retries=0)
    assert clients.call("get_file", "f").id == DOCS_SAMPLE["id"]
    sent = [request.headers.get("authorization") for request in server.requests]
    assert sent == ["Bearer tok1", "Bearer tok2"]


def _header(auth: BearerTokenAuth | AsyncBearerTokenAuth) -> str:
    """The auth's header for the next attempt, fetched the way its client would."""
    if isinstance(auth, AsyncBearerTokenAuth):
        return asyncio.run(auth.header_value())
    return auth.header_value()


@pytest.mark.parametrize("auth_class", [BearerTokenAuth, AsyncBearerTokenAuth])
def test_a_401_forgets_the_token_it_was_sent_with_but_not_a_newer_one(
    auth_class: type[BearerTokenAuth | AsyncBearerTokenAuth],
) -> None:
    auth = auth_class(_Credential("tok"))
    assert _header(auth) == "Bearer tok1"
    auth.invalidate("Bearer tok1")  # refused: the next attempt fetches a new token
    assert _header(auth) == "Bearer tok2"
    # A 401 to a request that went out with tok1 arrives after tok2 was fetched: keep tok2.
    auth.invalidate("Bearer tok1")
    assert _header(auth) == "Bearer tok2"


@pytest.mark.parametrize("auth_class", [BearerTokenAuth, AsyncBearerTokenAuth])
def test_the_cached_header_is_offered_only_while_the_token_is_fresh(
    auth_class: type[BearerTokenAuth | AsyncBearerTokenAuth],
) -> None:
    # The clients skip the credential (and, with a deadline, its waiting thread) on a header.
    fresh = auth_class(_Credential("tok"))
    assert fresh.cached_header_value() is None  # nothing fetched yet
    _header(fresh)
    assert fresh.cached_header_value() == "Bearer tok1"
    expiring = auth_class(_Credential("tok", lifetime=TOKEN_REFRESH_MARGIN - 1))
    _header(expiring)
    assert expiring.cached_header_value() is None


class _FailingCredential:
    def __init__(self, failure: Exception) -> None:
        self.failure = failure

    def get_token(self, *scopes: str, **kwargs: Any) -> _Token:
        raise self.failure


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (RuntimeError(), "RuntimeError"),
        (RuntimeError(" \n "), "RuntimeError"),
        (RuntimeError(f"{'x' * 400}\nsecond line"), f"RuntimeError: {'x' * 300}"),
    ],
    ids=["no-message", "blank-message", "long-message"],
)
def test_a_credential_failure_reads_as_its_type_and_first_line_cut_to_300(
    failure: Exception, reason: str
) -> None:
    with pytest.raises(CredentialError) as raised:
        BearerTokenAuth(_FailingCredential(failure)).header_value()
    assert str(raised.value) == f"_FailingCredential could not get a token: {reason}"


def test_a_credential_error_is_chained_to_the_credential_failure_by_itself() -> None:
    # The auths also raise it `from` the failure; any other caller gets the chain all the same.
    failure = RuntimeError("no managed identity endpoint")
    error = credential_error(_FailingCredential(failure), failure)
    assert error.__cause__ is failure and error.__suppress_context__


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://example.com",
        "http://localhost:8080",
        "http://127.0.0.1",
        "http://127.9.9.9",
        "http://[::1]:80",
    ],
)
def test_bearer_tokens_travel_over_https_or_to_this_machine(endpoint: str) -> None:
    check_credential_transport(httpx2.URL(endpoint))


@pytest.mark.parametrize("endpoint", ["http://example.com", "http://10.0.0.1", "http://[::2]"])
def test_bearer_tokens_never_travel_in_clear_to_another_host(endpoint: str) -> None:
    url = httpx2.URL(endpoint)
    with pytest.raises(ValueError) as raised:
        check_credential_transport(url)
    # The whole message: it names both ways out, https and a loopback address.
    assert str(raised.value) == (
        f"refusing to send credentials in clear text over http:// to {url.host}; use an https://"
        " endpoint, or a loopback address (http://127.0.0.1, http://localhost) for a local"
        " proxy or test server"
    )


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (429, RateLimitError),
        (500, ServerError),
        (599, ServerError),
        (499, ServiceError),
        (418, ServiceError),
        (302, ServiceError),
    ],
)
def test_each_status_maps_to_its_error_class(status: int, error_class: type) -> None:
    assert error_class_for(status) is error_class


def _response(status: int, headers: dict[str, str] | None = None) -> httpx2.Response:
    request = httpx2.Request("GET", "https://example.com/openai/files/f")
    return httpx2.Response(status, headers=headers or {}, request=request)


def test_an_azure_error_body_becomes_the_error_fields() -> None:
    body = (
        b'{"error": {"code": "NotFound", "message": "no such file", "target": "file_id",'
        b' "details": [{"code": "a", "message": "b"}],'
        b' "innererror": {"code": "Inner"}}}'
    )
    headers = {"apim-request-id": "apim-1", "x-request-id": "x-1", "x-ms-client-request-id": "c"}
    error = error_from_response(_response(404, headers), body, retry_after=1.5)
    assert isinstance(error, NotFoundError)
    assert (error.status_code, error.code, error.message) == (404, "NotFound", "no such file")
    assert error.target == "file_id"
    assert error.details == [{"code": "a", "message": "b"}]
    assert error.inner_error == {"code": "Inner"}
    assert (error.request_id, error.client_request_id) == ("apim-1", "c")
    assert error.retry_after == 1.5
    assert str(error) == "NotFound: no such file (HTTP 404, request id apim-1)"


def test_odd_optional_error_fields_are_dropped_not_fatal() -> None:
    body = b'{"error": {"code": "C", "message": "m", "target": 5, "details": {}, "innererror": []}}'
    error = error_from_response(_response(400), body)
    assert (error.code, error.message, error.target) == ("C", "m", None)
    assert error.details == [] and error.inner_error is None


def test_the_request_id_falls_back_to_x_request_id() -> None:
    error = error_from_response(_response(500, {"x-request-id": "x-9"}), b"")
    assert error.request_id == "x-9"
    assert error.client_request_id is None


def test_an_error_without_code_or_request_id_reads_as_message_and_status() -> None:
    error = ServiceError("went wrong", status_code=418)
    assert str(error) == "went wrong (HTTP 418)"
    assert error.details == [] and error.headers == {}


def test_the_requested_wait_is_kept_whatever_the_error_body() -> None:
    assert error_from_response(_response(429), b"slow down", retry_after=3.0).retry_after == 3.0
    azure = b'{"error": {"code": "429", "message": "slow down"}}'
    assert error_from_response(_response(429), azure, retry_after=3.0).retry_after == 3.0


def test_a_non_json_error_body_is_summarized_on_one_line() -> None:
    error = error_from_response(_response(502), b"<h1>Bad\n  gateway</h1>\n")
    assert error.message == "Bad gateway"
    assert error.code is None


def test_an_error_page_is_read_as_html_by_its_content_type_whatever_its_case() -> None:
    # A page that does not open with a tag is still HTML when its Content-Type says so.
    body = b"Service down: <b>retry</b> &amp; wait\n"
    for content_type in ("text/html; charset=utf-8", "Text/HTML"):
        error = error_from_response(_response(502, {"content-type": content_type}), body)
        assert error.message == "Service down: retry & wait"
    plain = error_from_response(_response(502, {"content-type": "text/plain"}), body)
    assert plain.message == "Service down: <b>retry</b> &amp; wait"


def test_an_html_page_after_leading_blank_lines_is_reduced_to_its_text() -> None:
    body = b"\r\n  <html><body><p>Bad &amp; gateway</p></body></html>"
    assert error_from_response(_response(502), body).message == "Bad & gateway"


def test_an_html_excerpt_is_cut_only_beyond_its_limit_and_without_a_trailing_space() -> None:
    def page(text: str) -> bytes:
        return f"<html><p>{text}</p></html>".encode()

    exact = "a" * HTML_EXCERPT_LIMIT
    assert error_from_response(_response(502), page(exact)).message == exact
    # The cut falls just after a space: the excerpt ends on the word before it.
    word_then_space = "a" * (HTML_EXCERPT_LIMIT - 1) + " " + "b" * 10
    message = error_from_response(_response(502), page(word_then_space)).message
    assert message == "a" * (HTML_EXCERPT_LIMIT - 1) + " …"


def test_an_error_body_that_is_not_utf8_is_summarized_with_replacements() -> None:
    error = error_from_response(_response(500), b"bad \xff\xfe body")
    assert error.message == "bad \ufffd\ufffd body"


def test_a_long_error_body_is_cut_to_the_limit() -> None:
    body = b"x" * (MESSAGE_BODY_LIMIT + 1)
    assert error_from_response(_response(500), body).message == "x" * MESSAGE_BODY_LIMIT + " …"
    exact = b"y" * MESSAGE_BODY_LIMIT
    assert error_from_response(_response(500), exact).message == "y" * MESSAGE_BODY_LIMIT


def test_an_empty_error_body_falls_back_to_the_reason_phrase() -> None:
    assert error_from_response(_response(503), b"").message == "Service Unavailable"
    assert error_from_response(_response(599), b"").message == "no error body"


def test_a_json_error_without_a_text_message_keeps_its_code_and_shows_the_body() -> None:
    body = b'{"error": {"code": "C", "message": 5}}'
    error = error_from_response(_response(400), body)
    assert error.code == "C" and error.message == body.decode()


def test_a_v1_error_keeps_its_param_and_type() -> None:
    request = httpx2.Request("GET", "https://example.com/openai/v1/files/f")
    body = (
        b'{"error": {"code": "invalid_value", "message": "bad purpose",'
        b' "param": "purpose", "type": "invalid_request_error"}}'
    )
    error = error_from_response(httpx2.Response(400, request=request), body)
    assert (error.param, error.type) == ("purpose", "invalid_request_error")


def test_a_304_says_the_request_was_not_conditional() -> None:
    error = error_from_response(_response(304), b"")
    assert error.message == "304 Not Modified to a request that was not conditional"


@pytest.mark.parametrize(
    ("status", "body"), [(502, b"<h1>Bad gateway</h1>"), (302, b""), (304, b"")]
)
def test_an_error_without_an_echo_names_the_client_request_id_sent(
    status: int, body: bytes
) -> None:
    request = httpx2.Request(
        "GET", "https://example.com/openai/files/f", headers={"x-ms-client-request-id": "sent-1"}
    )
    error = error_from_response(httpx2.Response(status, request=request), body)
    assert error.client_request_id == "sent-1"


@pytest.mark.parametrize(
    ("location", "named"),
    [
        (None, "another path"),
        ("https://elsewhere.example:8443/x?sig=secret", "https://elsewhere.example:8443"),
        ("/relative/path", "another path"),
        ("http://a:b:c", "another location"),
    ],
)
def test_a_redirect_names_only_the_origin_it_points_to(location: str | None, named: str) -> None:
    headers = {} if location is None else {"location": location}
    error = error_from_response(_response(302, headers), b"")
    assert error.message == f"redirect to {named} not followed: credentials stay with the endpoint"
    assert "secret" not in str(error)


@pytest.mark.parametrize(("status", "redirect"), [(300, True), (308, True), (400, False)])
def test_redirect_statuses_are_described_as_redirects(status: int, redirect: bool) -> None:
    error = error_from_response(_response(status, {"location": "https://b.example/"}), b"")
    assert error.message.startswith("redirect to https://b.example not followed") is redirect


def test_the_other_errors_carry_their_fields() -> None:
    incomplete = IncompleteDownloadError("cut", received=3, expected=10)
    assert (incomplete.received, incomplete.expected, str(incomplete)) == (3, 10, "cut")
    failed = FileProcessingError("file-1", None)
    assert (failed.file_id, failed.status_details) == ("file-1", None)
    assert str(failed) == "file file-1 failed processing: no details"
    assert str(FileProcessingError("file-1", "bad row")) == "file file-1 failed processing: bad row"
    waited = WaitTimeoutError("file-1", "running", 2.5)
    assert (waited.file_id, waited.last_status, waited.timeout) == ("file-1", "running", 2.5)
    assert str(waited) == "file file-1 still has status 'running' after 2.5 s of waiting"


# --- downloads and streams ----------------------------------------------------------------------


def _part_file(folder: Path, monkeypatch: pytest.MonkeyPatch) -> PartFile:
    monkeypatch.setattr(_download, "BATCH_BYTES", 4)
    monkeypatch.setattr(_download, "BATCHES_IN_FLIGHT", 2)
    return PartFile(folder / "out.bin", overwrite=False)


@pytest.mark.timeout(20)
def test_batches_reach_the_file_through_one_daemon_writer_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = _part_file(tmp_path, monkeypatch)
    part.start_body(httpx2.Response(200, headers={"content-length": "40"}), 0)
    for _ in range(10):
        part.write(b"abcd")  # ten batches, at most two queued
    writers = [t for t in threading.enumerate() if t.name == "azure-openai-files-writer"]
    assert len(writers) == 1 and writers[0].daemon  # never keeps a process alive
    part.check_complete()
    assert part.commit().read_bytes() == b"abcd" * 10
    assert not writers[0].is_alive()


@pytest.mark.skipif(not hasattr(os, "POSIX_FADV_DONTNEED"), reason="a Linux page-cache hint")
@pytest.mark.timeout(20)
def test_writeback_is_started_for_exactly_the_bytes_written_since_the_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, int, int]] = []
    monkeypatch.setattr(
        os,
        "posix_fadvise",
        lambda fd, offset, length, advice: calls.append((offset, length, advice)),
    )
    monkeypatch.setattr(_download, "WRITEBACK_EVERY", 8)
    part = _part_file(tmp_path, monkeypatch)
    part.start_body(httpx2.Response(200, headers={"content-length": "16"}), 0)
    for _ in range(4):
        part.write(b"abcd")
    part.commit()
    assert calls == [(0, 8, os.POSIX_FADV_DONTNEED), (8, 8, os.POSIX_FADV_DONTNEED)]


@pytest.fixture
def content_server() -> Iterator[LoopbackServer]:
    with serving(
        respond(200, b"0123456789", {"apim-request-id": "req-1"}, content_type=None)
    ) as server:
        yield server


def test_a_stream_reads_whole_and_describes_itself(content_server: LoopbackServer) -> None:
    with (
        FilesClient(content_server.endpoint, api_key="fake-key") as client,
        client.stream_file_content("file-1") as stream,
    ):
        assert repr(stream) == (
            "ContentStream(status_code=200, content_length=10, request_id='req-1')"
        )
        assert stream.read() == b"0123456789"


def test_an_async_stream_reads_whole_and_describes_itself(content_server: LoopbackServer) -> None:
    async def scenario() -> tuple[str, bytes]:
        async with (
            AsyncFilesClient(content_server.endpoint, api_key="fake-key") as client,
            client.stream_file_content("file-1") as stream,
        ):
            return repr(stream), await stream.read()

    described, body = asyncio.run(scenario())
    assert described == (
        "AsyncContentStream(status_code=200, content_length=10, request_id='req-1')"
    )
    assert body == b"0123456789"


@pytest.mark.timeout(20)
def test_a_body_of_many_reads_is_read_whole_unaltered_and_counted(server: LoopbackServer) -> None:
    # Four times the 64 KiB a socket read returns at most, so `read()` joins several chunks.
    body = bytes(range(256)) * 1024
    server.script(respond(200, body, content_type=None))

    async def read_async() -> tuple[bytes, int]:
        async with (
            AsyncFilesClient(server.endpoint, api_key="fake-key") as client,
            client.stream_file_content("file-1") as stream,
        ):
            return await stream.read(), stream.received

    with (
        FilesClient(server.endpoint, api_key="fake-key") as client,
        client.stream_file_content("file-1") as stream,
    ):
        assert stream.read() == body
        assert stream.received == len(body)
    assert asyncio.run(read_async()) == (body, len(body))


def test_a_short_download_names_what_arrived_and_what_was_announced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = _part_file(tmp_path, monkeypatch)
    part.start_body(httpx2.Response(200, headers={"content-length": "10"}), 0)
    part.write(b"abc")
    with pytest.raises(IncompleteDownloadError) as raised:
        part.check_complete()
    assert (raised.value.received, raised.value.expected) == (3, 10)
    assert str(raised.value) == "content ended after 3 of 10 bytes"
    assert raised.value.__cause__ is None
    part.discard()


def test_a_file_short_on_disk_is_never_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = _part_file(tmp_path, monkeypatch)
    part.start_body(httpx2.Response(200, headers={"content-length": "3"}), 0)
    part.write(b"abc")
    part._settle()
    part._file.flush()
    os.truncate(part.path, 1)  # the disk lost bytes behind the writer's back
    with pytest.raises(OSError) as raised:
        part.commit()
    assert raised.value.errno == errno.EIO
    assert raised.value.strerror == f"1 of 3 bytes reached {part.path}"
    assert not (tmp_path / "out.bin").exists()
    part.discard()


def test_a_destination_that_appears_during_the_download_is_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = _part_file(tmp_path, monkeypatch)
    part.start_body(httpx2.Response(200, headers={"content-length": "3"}), 0)
    part.write(b"abc")
    (tmp_path / "out.bin").write_bytes(b"theirs")
    with pytest.raises(FileExistsError) as raised:
        part.commit()
    assert str(raised.value) == f"destination {tmp_path / 'out.bin'} appeared during the download"
    assert (tmp_path / "out.bin").read_bytes() == b"theirs"
    part.discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]


def test_a_network_failure_is_named_and_chained() -> None:
    timeout = httpx2.ReadTimeout("read timed out")
    error = transport_error(timeout)
    assert isinstance(error, RequestTimeoutError)
    assert str(error) == "ReadTimeout: the request timed out"
    assert error.__cause__ is timeout
    refused = httpx2.ConnectError("connection refused")
    assert str(transport_error(refused)) == "ConnectError: connection refused"
    assert type(transport_error(refused)) is TransportError
    assert str(transport_error(httpx2.RemoteProtocolError(""))) == "RemoteProtocolError"


def test_an_incomplete_body_says_how_much_arrived_and_why() -> None:
    assert str(incomplete(3, None, None)) == "content ended after 3 bytes"
    reason = ValueError("bad range")
    error = incomplete(3, 10, reason)
    assert str(error) == "content ended after 3 of 10 bytes: ValueError: bad range"
    assert error.__cause__ is reason
    assert (error.received, error.expected) == (3, 10)


def test_the_temporary_file_is_hidden_beside_its_destination(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = _part_file(tmp_path, monkeypatch)
    assert part.path.parent == tmp_path  # same filesystem: the final rename is atomic
    assert part.path.name.startswith(".out.bin.") and part.path.name.endswith(".part")
    assert (part.size, part.expected) == (0, None)
    part.discard()


def _resumable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PartFile:
    part = _part_file(tmp_path, monkeypatch)
    part.start_body(httpx2.Response(200, headers={"content-length": "10"}), 0)
    part.write(b"0123")
    return part


@pytest.mark.parametrize("content_range", ["bytes 4-9/10", "bytes 4-9/*", " bytes 4-9/10 "])
def test_a_matching_206_continues_the_bytes_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content_range: str
) -> None:
    part = _resumable(tmp_path, monkeypatch)
    assert part.resume_headers() == {"Range": "bytes=4-"}
    part.start_body(httpx2.Response(206, headers={"content-range": content_range}), 4)
    part.write(b"456789")
    part.check_complete()
    assert part.commit().read_bytes() == b"0123456789"


def test_a_body_sent_identity_encoded_is_resumed_like_a_plain_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `identity` is no encoding: the bytes on disk are the wire's, so Range can continue them.
    identity = {"content-encoding": "identity"}
    part = _part_file(tmp_path, monkeypatch)
    part.start_body(httpx2.Response(200, headers={**identity, "content-length": "10"}), 0)
    assert part.expected == 10
    part.write(b"0123")
    assert part.resume_headers() == {"Range": "bytes=4-"}
    continued = {**identity, "content-range": "bytes 4-9/10"}
    part.start_body(httpx2.Response(206, headers=continued), 4)
    part.write(b"456789")
    part.check_complete()
    assert part.commit().read_bytes() == b"0123456789"


@pytest.mark.parametrize("content_range", [None, "bytes 4-9/11", "bytes 3-9/10", "bytes */10"])
def test_a_206_that_does_not_continue_restarts_from_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content_range: str | None
) -> None:
    part = _resumable(tmp_path, monkeypatch)
    headers = {} if content_range is None else {"content-range": content_range}
    with pytest.raises(IncompleteDownloadError) as raised:
        part.start_body(httpx2.Response(206, headers=headers), 4)
    assert str(raised.value) == (
        "content ended after 0 bytes: ValueError: Content-Range does not continue at byte 4"
    )
    assert (raised.value.received, raised.value.expected) == (0, None)
    assert part.size == 0 and part.resume_headers() == {}
    part.discard()


def test_a_success_status_other_than_200_is_not_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = _part_file(tmp_path, monkeypatch)
    response = httpx2.Response(203, headers={"apim-request-id": "r-1"})
    with pytest.raises(UnexpectedResponseError) as raised:
        part.start_body(response, 0)
    assert raised.value.message == "unexpected success status 203 for file content"
    assert (raised.value.status_code, raised.value.request_id) == (203, "r-1")
    part.discard()


def test_at_most_one_batch_is_buffered_before_the_writer_takes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = _part_file(tmp_path, monkeypatch)  # batches of 4 bytes
    part.start_body(httpx2.Response(200, headers={"content-length": "8"}), 0)
    part.write(b"ab")
    part.write(b"cd")  # a full batch: handed over
    assert part._batch_bytes == 0 and part._writer is not None
    part.write(b"efgh")
    assert part._batch_bytes == 0
    assert part.commit().read_bytes() == b"abcdefgh"


# --- downloads: the writer, the flusher, the commit and free resumes, at their edges -----------


def test_a_file_of_a_kind_without_a_name_is_refused_as_special(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Linux has no such kind, but BSD and macOS have whiteouts (S_IFWHT) and Solaris doors.
    whiteout = 0o160000 | 0o644
    destination = tmp_path / "out.bin"
    real_stat = os.stat

    def stat_as_whiteout(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        status = real_stat(path, *args, **kwargs)
        if path != destination:
            return status
        return os.stat_result((whiteout, *tuple(status)[1:]))

    destination.write_bytes(b"x")
    monkeypatch.setattr(os, "stat", stat_as_whiteout)
    with pytest.raises(FileExistsError) as raised:
        _download.replaced_file_mode(destination)
    assert str(raised.value) == (
        f"destination {destination} is special, not a regular file; refusing to replace it"
    )


@pytest.mark.timeout(20)
def test_a_discarded_download_stops_writing_what_is_still_queued(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writing, disk_free = threading.Event(), threading.Event()
    write_batch = PartFile._write_batch

    def slow_first_write(part: PartFile, batch: list[bytes]) -> None:
        if not writing.is_set():  # a slow disk: the first batch takes until it is released
            writing.set()
            disk_free.wait(10)
        write_batch(part, batch)

    monkeypatch.setattr(PartFile, "_write_batch", slow_first_write)
    part = _part_file(tmp_path, monkeypatch)  # batches of 4 bytes, at most two queued
    part.start_body(httpx2.Response(200, headers={"content-length": "12"}), 0)
    part.write(b"abcd")
    assert writing.wait(10)
    part.write(b"efgh")
    part.write(b"ijkl")  # both queued behind the slow write
    stop_writer = part._stop_writer

    def free_the_disk_once_discarding() -> None:
        disk_free.set()
        stop_writer()

    monkeypatch.setattr(part, "_stop_writer", free_the_disk_once_discarding)
    reader = os.open(part.path, os.O_RDONLY)  # reads the file even after it is unlinked
    try:
        part.discard()
        assert os.read(reader, 100) == b"abcd"  # the queued batches were dropped, not written
    finally:
        os.close(reader)
    assert not part.path.exists()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_discard_removes_the_part_file_even_when_the_disk_is_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = _part_file(tmp_path, monkeypatch)
    part.start_body(httpx2.Response(200, headers={"content-length": "3"}), 0)
    part.write(b"abc")
    part.resume_headers()  # written, but still in the file's buffer
    full = os.open("/dev/full", os.O_WRONLY)
    os.dup2(full, part._fd)  # from now on every write fails with ENOSPC
    os.close(full)
    part.discard()  # closing cannot flush the buffer: that must not keep the part file
    assert list(tmp_path.iterdir()) == []


@pytest.mark.timeout(20)
def test_the_flusher_is_one_named_daemon_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_download, "SYNC_EVERY", 2)
    part = _part_file(tmp_path, monkeypatch)  # batches of 4 bytes
    part.start_body(httpx2.Response(200, headers={"content-length": "2"}), 0)
    part.write(b"ab")
    # Less than a batch: written, and the sync asked for, on this thread rather than the
    # writer's, so a flusher inheriting its starter's daemon flag would not be a daemon.
    part.resume_headers()
    flushers = [t for t in threading.enumerate() if t.name == "azure-openai-files-flusher"]
    assert len(flushers) == 1 and flushers[0].daemon  # never keeps a process alive
    assert part.commit().read_bytes() == b"ab"
    assert not flushers[0].is_alive()


@pytest.mark.timeout(20)
def test_a_sync_is_asked_for_once_per_sync_interval_not_after_every_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_download, "SYNC_EVERY", 8)
    part = _part_file(tmp_path, monkeypatch)  # batches of 4 bytes
    asked_at: list[int] = []
    request_sync = part._request_sync

    def recording_request_sync() -> None:
        asked_at.append(part._written)
        request_sync()

    monkeypatch.setattr(part, "_request_sync", recording_request_sync)
    part.start_body(httpx2.Response(200, headers={"content-length": "20"}), 0)
    for _ in range(5):
        part.write(b"abcd")
    assert part.commit().read_bytes() == b"abcd" * 5
    assert asked_at == [8, 16]


@pytest.mark.timeout(20)
def test_without_fdatasync_the_flusher_syncs_with_fsync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(os, "fdatasync", raising=False)  # as on macOS and Windows
    flushed_mid_download = threading.Event()
    fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        fsync(fd)
        if threading.current_thread().name == "azure-openai-files-flusher":
            flushed_mid_download.set()

    monkeypatch.setattr(os, "fsync", recording_fsync)
    monkeypatch.setattr(_download, "SYNC_EVERY", 4)
    part = _part_file(tmp_path, monkeypatch)  # batches of 4 bytes
    part.start_body(httpx2.Response(200, headers={"content-length": "8"}), 0)
    part.write(b"abcd")  # a full batch: the writer takes it and asks for a sync
    assert flushed_mid_download.wait(5)
    part.write(b"efgh")
    assert part.commit().read_bytes() == b"abcdefgh"


def _without_hard_links(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")  # as on FAT, and some FUSE mounts

    monkeypatch.setattr(os, "link", refuse)


def test_without_hard_links_the_file_is_renamed_into_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _without_hard_links(monkeypatch)
    part = _part_file(tmp_path, monkeypatch)
    part.start_body(httpx2.Response(200, headers={"content-length": "3"}), 0)
    part.write(b"abc")
    assert part.commit().read_bytes() == b"abc"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_without_hard_links_a_destination_that_appeared_is_still_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _without_hard_links(monkeypatch)
    part = _part_file(tmp_path, monkeypatch)
    part.start_body(httpx2.Response(200, headers={"content-length": "3"}), 0)
    part.write(b"abc")
    (tmp_path / "out.bin").write_bytes(b"theirs")
    with pytest.raises(FileExistsError) as raised:
        part.commit()
    assert str(raised.value) == f"destination {tmp_path / 'out.bin'} appeared during the download"
    assert (tmp_path / "out.bin").read_bytes() == b"theirs"
    part.discard()
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_a_destination_that_cannot_be_written_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError) as raised:
        _download.prepare_destination(tmp_path, overwrite=True)
    assert str(raised.value) == f"destination {tmp_path} is a directory; name the file to write"
    missing = tmp_path / "missing" / "out.bin"
    with pytest.raises(FileNotFoundError) as raised_missing:
        _download.prepare_destination(missing, overwrite=True)
    assert str(raised_missing.value) == f"destination folder {missing.parent} does not exist"


_real_scandir = os.scandir


class _EntriesInOrder:
    """`os.scandir` with its entries in a chosen order (the real one is the filesystem's)."""

    def __init__(self, folder: Any, first: str) -> None:
        with _real_scandir(folder) as entries:
            self.entries = sorted(entries, key=lambda entry: entry.name != first)

    def __enter__(self) -> _EntriesInOrder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def __iter__(self) -> Iterator[os.DirEntry[str]]:
        return iter(self.entries)


def test_stale_part_files_are_removed_whatever_is_listed_before_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = time.time() - 2 * _download.STALE_PART_AGE
    stale = tmp_path / ".out.bin.0123456789ab.part"
    stale.write_bytes(b"x")
    os.utime(stale, (old, old))
    (tmp_path / "notes.txt").write_bytes(b"x")
    monkeypatch.setattr(os, "scandir", lambda folder: _EntriesInOrder(folder, "notes.txt"))
    _download.remove_stale_parts(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_part_file_exactly_the_stale_age_old_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = 1_700_000_000  # whole seconds: the file's mtime is then exactly the cutoff
    part = tmp_path / ".out.bin.0123456789ab.part"
    part.write_bytes(b"x")
    os.utime(part, (now - _download.STALE_PART_AGE, now - _download.STALE_PART_AGE))
    monkeypatch.setattr(_download.time, "time", lambda: float(now))
    _download.remove_stale_parts(tmp_path)
    assert part.exists()  # "older than" the stale age, not as old as it


def test_a_part_file_left_by_a_killed_download_is_removed_by_the_next_download(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    killed = _part_file(tmp_path, monkeypatch)
    killed._file.close()  # the process died: nothing unlinked it
    old = time.time() - 2 * _download.STALE_PART_AGE
    os.utime(killed.path, (old, old))
    following = _part_file(tmp_path, monkeypatch)
    assert [p.name for p in tmp_path.iterdir()] == [following.path.name]
    following.discard()


def test_a_temporary_name_already_taken_is_drawn_again_not_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draws = iter([b"\x00" * 6, b"\x01" * 6])
    monkeypatch.setattr(os, "urandom", lambda n: next(draws))
    taken = tmp_path / ".out.bin.000000000000.part"
    taken.write_bytes(b"theirs")
    handle, path = _download._create_part_file(tmp_path / "out.bin")
    os.close(handle)
    assert path == tmp_path / ".out.bin.010101010101.part"
    assert taken.read_bytes() == b"theirs"


def test_the_temporary_name_is_drawn_at_most_a_hundred_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draws: list[int] = []
    monkeypatch.setattr(os, "urandom", lambda n: draws.append(n) or b"\x00" * n)
    (tmp_path / ".out.bin.000000000000.part").write_bytes(b"theirs")
    with pytest.raises(FileExistsError) as raised:
        _download._create_part_file(tmp_path / "out.bin")
    assert (raised.value.errno, raised.value.strerror) == (
        errno.EEXIST,
        f"no free temporary name beside {tmp_path / 'out.bin'}",
    )
    assert draws == [6] * 100


def test_the_temporary_file_is_opened_in_binary_mode_where_there_is_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Windows' O_BINARY keeps the C runtime from writing b"\n" as b"\r\n"; stood in for by a
    # flag this system has, so that the flags passed can be seen.
    monkeypatch.setattr(os, "O_BINARY", os.O_CLOEXEC, raising=False)
    opened: list[int] = []
    real_open = os.open

    def recording_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        opened.append(flags)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", recording_open)
    handle, _ = _download._create_part_file(tmp_path / "out.bin")
    os.close(handle)
    assert opened == [os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC]


def test_a_body_smaller_than_one_batch_is_written_without_a_writer_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = _part_file(tmp_path, monkeypatch)  # batches of 4 bytes
    part.start_body(httpx2.Response(200, headers={"content-length": "3"}), 0)
    for chunk in (b"a", b"b", b"c"):
        part.write(chunk)
    writers = [t for t in threading.enumerate() if t.name == "azure-openai-files-writer"]
    assert writers == []  # still gathering its first batch: no thread needed yet
    assert part.commit().read_bytes() == b"abc"


def _content_request() -> httpx2.Request:
    return httpx2.Request(
        "GET",
        "http://127.0.0.1/openai/files/f/content",
        headers={"x-ms-client-request-id": "req-7"},
    )


def test_a_free_resume_logs_the_new_bytes_the_failure_and_the_request_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="azure_openai_files")
    part = _resumable(tmp_path, monkeypatch)  # bytes 0-3 of 10
    part.write(b"456")  # an attempt resumed at byte 4 got three more, then broke
    state = RetryState(RetryPolicy(), None)
    state.attempts = 1
    failure = incomplete(7, 10, None)
    no_pipeline: Any = None  # consulted only for attempts that made no progress
    delay = part.delay_before_retry(no_pipeline, _content_request(), state, failure, 4)
    assert state.attempts == 0  # not counted
    assert [r.getMessage() for r in caplog.records if r.name == "azure_openai_files"] == [
        f"Retrying GET /openai/files/f/content in {delay:.2f} s (not counted: the attempt "
        "received 3 new bytes before it failed: content ended after 7 of 10 bytes; client "
        "request id req-7)"
    ]
    part.discard()


def test_a_free_resume_that_would_pass_the_deadline_raises_chained_to_the_cut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = _resumable(tmp_path, monkeypatch)  # 4 bytes received from byte 0
    state = RetryState(RetryPolicy(), 0.0)  # already over: any wait passes it
    state.client_request_id = "req-7"
    failure = incomplete(4, 10, None)
    no_pipeline: Any = None  # consulted only for attempts that made no progress
    with pytest.raises(RequestTimeoutError) as raised:
        part.delay_before_retry(no_pipeline, _content_request(), state, failure, 0)
    assert str(raised.value) == (
        f"deadline of 0 s would pass before the next attempt (last failure: {failure})"
    )
    assert raised.value.__cause__ is failure
    assert failure.client_request_id == "req-7"  # the cut names the call it belonged to
    part.discard()


def test_an_encoded_stream_is_decoded(server: LoopbackServer) -> None:
    # Chunked, so no Content-Length: the decoded bytes are all there is to check.
    encoded = ScriptedResponse(
        200, gzip.compress(b"hello world", mtime=0), "chunked", (("Content-Encoding", "gzip"),)
    )
    server.script(render(encoded, threading.Event()))
    with (
        FilesClient(server.endpoint, api_key="fake-key") as client,
        client.stream_file_content("file-1") as stream,
    ):
        assert b"".join(stream.iter_bytes()) == b"hello world"


@pytest.mark.parametrize("encoding", [None, "identity", "gzip"])
def test_a_stream_yields_chunks_of_the_size_asked(
    server: LoopbackServer, encoding: str | None
) -> None:
    # A gzip body is decoded first: the chunks are of the bytes handed on, not of the wire's.
    headers = {} if encoding is None else {"Content-Encoding": encoding}
    body = gzip.compress(b"0123456789", mtime=0) if encoding == "gzip" else b"0123456789"
    server.script(respond(200, body, headers, content_type=None))

    async def async_chunks() -> list[bytes]:
        async with (
            AsyncFilesClient(server.endpoint, api_key="fake-key") as client,
            client.stream_file_content("file-1") as stream,
        ):
            return [chunk async for chunk in stream.iter_bytes(3)]

    with (
        FilesClient(server.endpoint, api_key="fake-key") as client,
        client.stream_file_content("file-1") as stream,
    ):
        assert list(stream.iter_bytes(3)) == [b"012", b"345", b"678", b"9"]
    assert asyncio.run(async_chunks()) == [b"012", b"345", b"678", b"9"]


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", KINDS)
def test_a_slow_stream_ends_at_its_deadline(server: LoopbackServer, kind: str) -> None:
    stop = threading.Event()
    slow = ScriptedResponse(
        200, b"x" * 40, "length", (), Delivery(chunk=1, gap=0.1, head_first=True)
    )
    server.script(render(slow, stop))
    started = time.monotonic()
    try:
        with pytest.raises(RequestTimeoutError):
            Clients(kind, server.endpoint, timeout=1.0).stream("file-1", deadline=0.5)
    finally:
        stop.set()
    assert time.monotonic() - started < 2.0  # the body alone takes 4 s


# --- _head_bound: the network backend under the blocking clients the package builds ---------


class _RecordingStream:
    """A network stream that records the timeouts it is given."""

    def __init__(self) -> None:
        self.read_timeouts: list[float | None] = []
        self.writes: list[tuple[bytes, float | None]] = []
        self.closed = False
        self.tls: tuple[Any, ...] | None = None

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.read_timeouts.append(timeout)
        return b"x" * max_bytes

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.writes.append((buffer, timeout))

    def close(self) -> None:
        self.closed = True

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> _RecordingStream:
        self.tls = (ssl_context, server_hostname, timeout)
        return _RecordingStream()

    def get_extra_info(self, info: str) -> Any:
        return f"extra {info}"


class _RecordingBackend:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.streams: list[_RecordingStream] = []

    def _stream(self, *call: Any) -> _RecordingStream:
        self.calls.append(call)
        self.streams.append(_RecordingStream())
        return self.streams[-1]

    def connect_tcp(self, *args: Any) -> _RecordingStream:
        return self._stream("tcp", *args)

    def connect_unix_socket(self, *args: Any) -> _RecordingStream:
        return self._stream("unix", *args)

    def sleep(self, seconds: float) -> None:
        self.calls.append(("sleep", seconds))


def _sent_clock(limit: float) -> HeadClock:
    clock = HeadClock(limit, ends_by=None)
    extensions: dict[str, Any] = {}
    clock.attach(extensions, asynchronous=False)
    extensions["trace"]("http11.send_request_headers.started", {})
    return clock


@pytest.mark.timeout(10)
def test_every_stream_of_the_head_bound_backend_shortens_reads_while_a_head_is_awaited() -> None:
    # TCP, unix-socket and TLS-wrapped streams alike (an https proxy's tunnel is TLS in TLS).
    inner = _RecordingBackend()
    backend = _HeadBoundedBackend(inner)  # type: ignore[arg-type]
    tcp = backend.connect_tcp("files.example", 443, 5.0, "10.0.0.1", [(1, 2, 3)])
    unix = backend.connect_unix_socket("/run/proxy.sock", 6.0, [(4, 5, 6)])
    context = ssl.create_default_context()
    tls = tcp.start_tls(context, "files.example", 7.0)
    backend.sleep(0.25)
    assert inner.calls == [
        ("tcp", "files.example", 443, 5.0, "10.0.0.1", [(1, 2, 3)]),
        ("unix", "/run/proxy.sock", 6.0, [(4, 5, 6)]),
        ("sleep", 0.25),
    ]
    assert inner.streams[0].tls == (context, "files.example", 7.0)

    # No head awaited: reads keep their own timeout.
    assert tcp.read(3, 60.0) == b"xxx"
    with _sent_clock(0.5).awaiting_head():
        for stream in (tcp, unix, tls):
            stream.read(1, 60.0)
            stream.read(1, None)  # no timeout of its own: the head's time still applies
    for recorded in (inner.streams[0], inner.streams[1], tls._stream):  # type: ignore[attr-defined]
        bounded = recorded.read_timeouts[-2:]
        assert all(t is not None and 0 < t <= 0.5 for t in bounded), bounded
    assert inner.streams[0].read_timeouts[0] == 60.0

    # Writes, close and extra info pass through untouched, whatever is awaited.
    with _sent_clock(0.5).awaiting_head():
        tcp.write(b"GET", 30.0)
    tcp.close()
    assert inner.streams[0].writes == [(b"GET", 30.0)] and inner.streams[0].closed
    assert tcp.get_extra_info("server_addr") == "extra server_addr"


@pytest.mark.timeout(10)
def test_a_read_after_the_heads_time_is_up_is_a_read_timeout_before_touching_the_socket() -> None:
    import httpcore2

    inner = _RecordingBackend()
    stream = _HeadBoundedBackend(inner).connect_tcp("h", 1)  # type: ignore[arg-type]
    clock = _sent_clock(0.0)
    with clock.awaiting_head(), pytest.raises(httpcore2.ReadTimeout):
        stream.read(1, 60.0)
    assert inner.streams[0].read_timeouts == []
    # A clock that has not seen its request go out does not bound anything yet.
    with HeadClock(0.0, ends_by=None).awaiting_head():
        assert stream.read(1, 60.0) == b"x"
    assert inner.streams[0].read_timeouts == [60.0]


def test_a_head_clock_starts_when_the_request_goes_out_and_stops_at_the_deadline() -> None:
    extensions: dict[str, Any] = {}
    deadline = time.monotonic() + 0.2
    clock = HeadClock(60.0, ends_by=deadline)
    seen: list[float] = []
    clock.on_send(seen.append)
    clock.attach(extensions, asynchronous=False)
    assert clock.ends_at() is None and clock.sent_at == clock.began
    extensions["trace"]("connection.connect_tcp.started", {})  # not the send yet
    assert clock.ends_at() is None and seen == []
    extensions["trace"]("http11.send_request_headers.started", {})
    assert seen == [deadline] and clock.ends_at() == deadline and clock.sent_at >= clock.began
    assert "trace" not in extensions  # detached: the rest of the exchange is not traced
    unbounded = HeadClock(2.0, ends_by=None)
    unbounded.attach({}, asynchronous=False)
    unbounded.trace("http2.send_request_headers.started", {})
    assert unbounded.ends_at() == pytest.approx(unbounded.sent_at + 2.0)


def test_a_head_clock_reports_the_send_to_async_transports_too() -> None:
    extensions: dict[str, Any] = {}
    clock = HeadClock(1.0, ends_by=None)
    clock.attach(extensions, asynchronous=True)
    asyncio.run(extensions["trace"]("http11.send_request_headers.started", {}))
    assert clock.ends_at() is not None and "trace" not in extensions


# --- _pipeline: one call's checks, retries and errors, through both clients --------------------


def test_a_caller_client_of_the_wrong_kind_or_closed_is_refused_in_so_many_words() -> None:
    endpoint = "https://r.openai.azure.com"
    async_http = httpx2.AsyncClient()
    with pytest.raises(TypeError) as wrong_kind:
        FilesClient(endpoint, api_key="k", http_client=async_http)  # type: ignore[arg-type]
    assert str(wrong_kind.value) == "http_client must be an httpx2.Client, not AsyncClient"
    with httpx2.Client() as sync_http, pytest.raises(TypeError) as wrong_kind:
        AsyncFilesClient(endpoint, api_key="k", http_client=sync_http)  # type: ignore[arg-type]
    assert str(wrong_kind.value) == "http_client must be an httpx2.AsyncClient, not Client"

    closed = httpx2.Client()
    closed.close()
    with pytest.raises(ValueError) as refused:
        FilesClient(endpoint, api_key="k", http_client=closed)
    assert str(refused.value) == "http_client is closed"
    asyncio.run(async_http.aclose())
    with pytest.raises(ValueError) as refused:
        AsyncFilesClient(endpoint, api_key="k", http_client=async_http)
    assert str(refused.value) == "http_client is closed"


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("extra", [0, 1])
def test_a_metadata_body_of_exactly_the_size_limit_is_read_and_one_byte_more_is_not(
    server: LoopbackServer, kind: str, extra: int
) -> None:
    # JSON allows trailing whitespace: the same file object, padded to the byte.
    document = json.dumps(DOCS_SAMPLE).encode()
    body = document + b" " * (MAX_METADATA_BODY + extra - len(document))
    server.script(respond(200, body, {"apim-request-id": "r-1"}))
    clients = Clients(kind, server.endpoint, max_retries=0)
    if extra == 0:
        assert clients.call("get_file", "f").id == DOCS_SAMPLE["id"]
        return
    with pytest.raises(UnexpectedResponseError) as raised:
        clients.call("get_file", "f", client_request_id="big-1")
    error = raised.value
    assert (
        error.message == f"file metadata body exceeds {MAX_METADATA_BODY} bytes; not a file object"
    )
    assert (error.status_code, error.request_id, error.client_request_id) == (200, "r-1", "big-1")
    assert error.headers["apim-request-id"] == "r-1"


def _content_via(clients: Clients, method: str) -> Any:
    if method == "stream":
        return clients.stream("f")
    return clients.call("get_file_content", "f")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method", ["get_file_content", "stream"])
def test_a_partial_success_for_whole_content_is_an_error_with_the_response_headers(
    server: LoopbackServer, kind: str, method: str
) -> None:
    server.script(respond(203, b"part", {"apim-request-id": "r-1"}))
    with pytest.raises(UnexpectedResponseError) as raised:
        _content_via(Clients(kind, server.endpoint), method)
    error = raised.value
    assert error.message == "unexpected success status 203 for file content"
    assert (error.status_code, error.request_id) == (203, "r-1")
    assert error.headers["apim-request-id"] == "r-1"
    assert error.client_request_id == server.requests[0].headers["x-ms-client-request-id"]
    assert len(server.requests) == 1  # a partial body is not retried


UNAUTHORIZED = {"error": {"code": "401", "message": "Access token is missing or invalid."}}


class _NumberedCredential:
    """A new token on every request: `fake-token-1`, `-2`, ..., each valid an hour."""

    def __init__(self) -> None:
        self.issued = 0

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        self.issued += 1
        expires_on = time.time() + 3600
        return type(
            "AccessToken", (), {"token": f"fake-token-{self.issued}", "expires_on": expires_on}
        )()


@pytest.mark.parametrize("kind", KINDS)
def test_only_a_401_renews_the_token_and_the_renewal_sends_a_new_one(
    server: LoopbackServer, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="azure_openai_files")
    credential = _NumberedCredential()
    clients = Clients(kind, server.endpoint, api_key=None, credential=credential, max_retries=0)
    server.script(respond_json(401, UNAUTHORIZED), respond_json(200, DOCS_SAMPLE))
    assert clients.call("get_file", "f", client_request_id="renew-1").id == DOCS_SAMPLE["id"]
    sent = [request.headers["authorization"] for request in server.requests]
    assert sent == ["Bearer fake-token-1", "Bearer fake-token-2"]
    assert [r.getMessage() for r in caplog.records if r.name == "azure_openai_files"] == [
        "Retrying with a new token after HTTP 401 (client request id renew-1)"
    ]

    # Any other error keeps the token, and without a retry budget it is final.
    server.script(respond(503, "busy", content_type="text/plain"))
    with pytest.raises(ServerError):
        clients.call("get_file", "f")
    assert [request.headers["authorization"] for request in server.requests] == [
        "Bearer fake-token-3"  # a new client: its first token, never renewed
    ]


def _split_at(status: int, body: bytes, split: int, pause: float) -> Reply:
    """Send the head and `body[:split]`, then the rest after `pause`: the client has read
    exactly `split` body bytes when the rest arrives."""

    def reply(conn: socket.socket, request: ReceivedRequest) -> None:
        head = [
            f"HTTP/1.1 {status} X",
            f"Content-Length: {len(body)}",
            "Content-Type: application/json",
        ]
        conn.sendall(CRLF.join(line.encode() for line in head) + CRLF * 2 + body[:split])
        time.sleep(pause)
        conn.sendall(body[split:])

    return reply


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
def test_an_error_body_is_read_on_past_exactly_the_size_limit(
    server: LoopbackServer, kind: str
) -> None:
    # The limit is reached exactly at a read's end: the body is not over it yet, so the
    # next read (the end of this JSON document) is still part of the error.
    error = b'{"error": {"code": "atTheLimit", "message": "big"}, "pad": "'
    tail = b'"}'
    body = error + b"x" * (MAX_ERROR_BODY - len(error)) + tail
    server.script(_split_at(400, body, MAX_ERROR_BODY, pause=1.0))
    with pytest.raises(BadRequestError) as raised:
        Clients(kind, server.endpoint, max_retries=0).call("get_file", "f")
    assert (raised.value.code, raised.value.message) == ("atTheLimit", "big")


def _retry_reasons(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What each logged retry says failed: the text between "failed: " and the request id."""
    found = []
    for record in caplog.records:
        matched = re.search(r"failed: (.*); client request id ", record.getMessage())
        if record.name == "azure_openai_files" and matched:
            found.append(matched.group(1))
    return found


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
def test_a_retry_log_names_the_status_the_code_and_the_requested_wait_only_when_there(
    server: LoopbackServer, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="azure_openai_files")
    server.script(
        respond(500, "oops", content_type="text/plain"),
        respond_json(429, {"error": {"code": "tooMany", "message": "x"}}, {"retry-after-ms": "10"}),
        respond_json(503, {"error": {"code": "busy", "message": "x"}}),
        respond_json(200, DOCS_SAMPLE),
    )
    Clients(kind, server.endpoint, retry_backoff=0).call("get_file", "f")
    assert _retry_reasons(caplog) == [
        "HTTP 500",
        "HTTP 429 tooMany, retry-after 0.01 s",
        "HTTP 503 busy",
    ]
    # Each waits as long as it asked for (the 429), or the backoff (here none).
    delays = [r.args[2] for r in caplog.records if "failed: " in r.getMessage()]  # type: ignore[index]
    assert delays == [0.0, 0.01, 0.0]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
def test_a_retry_log_names_a_network_failure_by_its_error(
    server: LoopbackServer, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="azure_openai_files")
    server.script(stall(1.0), respond_json(200, DOCS_SAMPLE))
    Clients(kind, server.endpoint, timeout=0.2, retry_backoff=0).call("get_file", "f")
    assert _retry_reasons(caplog) == ["ReadTimeout: the request timed out"]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
def test_whole_content_may_take_longer_than_one_read_timeout_within_its_deadline(
    server: LoopbackServer, kind: str
) -> None:
    # Only metadata must arrive within one read timeout; content is bounded by the deadline.
    body = b"0123456789"
    server.script(drip(body, 0.1, content_type="application/octet-stream"))
    clients = Clients(kind, server.endpoint, timeout=0.4, max_retries=0)
    assert clients.call("get_file_content", "f", deadline=30.0) == body


class _TwoChunks(httpx2.SyncByteStream, httpx2.AsyncByteStream):
    """A body that arrives as two chunks, at once."""

    def __init__(self, first: bytes, second: bytes) -> None:
        self.chunks = [first, second]

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk


@pytest.mark.parametrize("kind", KINDS)
def test_with_a_read_timeout_of_zero_an_error_body_is_only_what_the_first_read_brought(
    kind: str,
) -> None:
    # Nothing arrives within zero seconds of the request but what came with the head: the
    # rest of the error body is dropped, and the error maps by its status alone.
    def handler(request: httpx2.Request) -> httpx2.Response:
        document = b'{"error": {"code": "split", "message": "in two"}}'
        return httpx2.Response(400, stream=_TwoChunks(document[:17], document[17:]))

    options: dict[str, Any] = {"api_key": "k", "timeout": httpx2.Timeout(5.0, read=0.0)}
    transport = httpx2.MockTransport(handler)
    endpoint = "http://127.0.0.1:1"
    with pytest.raises(BadRequestError) as raised:
        if kind == "sync":
            with (
                httpx2.Client(transport=transport) as http,
                FilesClient(endpoint, http_client=http, **options) as client,
            ):
                client.get_file("f")
        else:

            async def run() -> None:
                async with (
                    httpx2.AsyncClient(transport=transport) as http,
                    AsyncFilesClient(endpoint, http_client=http, **options) as client,
                ):
                    await client.get_file("f")

            asyncio.run(run())
    assert raised.value.code is None
    assert raised.value.message == '{"error": {"code"'


@pytest.mark.parametrize("kind", KINDS)
def test_each_attempt_logs_its_request_and_response_and_each_retry_its_reason(
    server: LoopbackServer, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="azure_openai_files")
    server.script(
        respond_json(503, {"error": {"code": "busy", "message": "x"}}, {"apim-request-id": "r-9"}),
        respond_json(200, DOCS_SAMPLE),
    )
    Clients(kind, server.endpoint, retry_backoff=0).call("get_file", "f", client_request_id="log-1")
    url = f"{server.endpoint}/openai/files/f?{server.requests[0].query}"
    records = [(r.msg, r.args) for r in caplog.records if r.name == "azure_openai_files"]
    assert [msg for msg, _ in records] == [
        "Request %s %s attempt %d: %s",
        "Response %d for %s %s: %s",
        "Retrying %s %s in %.2f s (attempt %d of %d failed: %s; client request id %s)",
        "Request %s %s attempt %d: %s",
        "Response %d for %s %s: %s",
    ]
    first, failed, retry, second, succeeded = (args for _, args in records)
    assert isinstance(first, tuple) and isinstance(second, tuple)
    assert (first[0], str(first[1]), first[2]) == ("GET", url, 1)
    assert (second[0], str(second[1]), second[2]) == ("GET", url, 2)
    for headers in (first[3], second[3]):  # the request's own headers, secrets redacted
        assert headers["x-ms-client-request-id"] == "log-1" and headers["api-key"] == "REDACTED"
    assert isinstance(failed, tuple) and isinstance(succeeded, tuple)
    assert (failed[0], failed[1], str(failed[2])) == (503, "GET", url)
    assert failed[3]["apim-request-id"] == "r-9"  # the response's headers
    assert (succeeded[0], succeeded[1], str(succeeded[2])) == (200, "GET", url)
    assert retry == ("GET", "/openai/files/f", 0.0, 1, 4, "HTTP 503 busy", "log-1")


def test_a_metadata_response_may_take_exactly_one_read_timeout_and_not_a_moment_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with FilesClient("https://r.openai.azure.com", api_key="k", timeout=2.0) as client:
        pipeline = client._pipeline
        response = httpx2.Response(200)
        check = pipeline._body_check(
            response, RetryState(RetryPolicy(), None), metadata=True, started=100.0
        )
    assert check is not None
    monkeypatch.setattr(time, "monotonic", lambda: 102.0)
    check(10)  # in time, to the tick
    monkeypatch.setattr(time, "monotonic", lambda: 102.001)
    with pytest.raises(httpx2.ReadTimeout) as raised:
        check(10)
    assert str(raised.value) == "metadata response took over 2 s"


def test_client_request_ids_are_random_version_4_uuids() -> None:
    ids = [new_client_request_id() for _ in range(256)]
    assert len(set(ids)) == len(ids)
    for value in ids:
        parsed = uuid.UUID(value)
        assert str(parsed) == value
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
    # Every other bit is random: each one varies, independently of every other one (a bit
    # copied from another would show the same column of values across all the ids).
    numbers = [parsed.int for parsed in map(uuid.UUID, ids)]
    fixed = {76, 77, 78, 79, 62, 63}  # the version's and the variant's bits
    columns = [
        sum(((number >> bit) & 1) << row for row, number in enumerate(numbers))
        for bit in range(128)
        if bit not in fixed
    ]
    assert 0 not in columns and (1 << len(ids)) - 1 not in columns
    assert len(set(columns)) == len(columns)


def test_a_call_sends_the_client_request_id_given_or_a_new_one_and_its_extra_headers() -> None:
    # Printable ASCII is space to tilde, both included.
    assert call_headers(" ~") == {"x-ms-client-request-id": " ~"}
    assert call_headers("id-1", {"accept": "x"}) == {
        "x-ms-client-request-id": "id-1",
        "accept": "x",
    }
    assert call_headers("id-1", {}) == {"x-ms-client-request-id": "id-1"}
    (generated,) = call_headers(None).values()
    assert (
        uuid.UUID(generated).version == 4
        and generated != call_headers(None)["x-ms-client-request-id"]
    )


@pytest.mark.parametrize("value", ["", "\x1f", "\x7f", "caf\u00e9", "a\nb", 5, b"id"])
def test_a_client_request_id_that_is_not_printable_ascii_is_refused(value: Any) -> None:
    with pytest.raises(ValueError) as refused:
        call_headers(value)
    assert str(refused.value) == "client_request_id must be a non-empty string of printable ASCII"


@pytest.mark.parametrize(
    ("base", "relative", "params", "expected"),
    [
        (
            "https://h/openai",
            "/files/a%2Fb",
            {"api-version": "v 1"},
            "/openai/files/a%2Fb?api-version=v+1",
        ),
        ("https://h/openai/", "files", None, "/openai/files"),
        ("https://h/openai//", "//files", {}, "/openai/files"),
        ("https://h/openai", "/XY/files", {"a": "1", "b": "2"}, "/openai/XY/files?a=1&b=2"),
        ("https://h/proxyX/", "files", None, "/proxyX/files"),  # only slashes are trimmed
    ],
)
def test_an_operation_url_joins_the_base_path_with_one_slash_and_encodes_its_query(
    base: str, relative: str, params: dict[str, str] | None, expected: str
) -> None:
    url = request_url(httpx2.URL(base), relative, params)
    assert (url.scheme, url.host, url.raw_path.decode()) == ("https", "h", expected)


def test_a_head_bound_read_keeps_its_own_timeout_when_that_is_shorter() -> None:
    inner = _RecordingBackend()
    stream = _HeadBoundedBackend(inner).connect_tcp("h", 1)  # type: ignore[arg-type]
    with _sent_clock(60.0).awaiting_head():
        stream.read(1, 0.25)
    assert inner.streams[0].read_timeouts == [0.25]


def test_a_read_exactly_when_the_heads_time_is_up_is_already_too_late(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import httpcore2

    inner = _RecordingBackend()
    stream = _HeadBoundedBackend(inner).connect_tcp("h", 1)  # type: ignore[arg-type]
    monkeypatch.setattr(time, "monotonic", lambda: 10.0)
    clock = _sent_clock(1.0)  # sent at 10.0: the head is due by 11.0
    monkeypatch.setattr(time, "monotonic", lambda: 11.0)
    with clock.awaiting_head(), pytest.raises(httpcore2.ReadTimeout) as raised:
        stream.read(1, 60.0)
    assert str(raised.value) == "the response head took too long"
    assert inner.streams[0].read_timeouts == []


def test_a_head_clock_told_of_the_send_directly_starts_without_being_attached() -> None:
    clock = HeadClock(5.0, ends_by=None)
    clock.trace("http11.send_request_headers.started", {})
    assert clock.ends_at() == clock.sent_at + 5.0


@pytest.mark.timeout(30)
def test_hosts_exempted_from_proxies_by_the_environment_leave_the_built_client_working(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # httpx2 mounts no transport at all for a NO_PROXY host: there is no pool to bound there.
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "internal.example")
    server.script(respond_json(200, DOCS_SAMPLE))
    assert Clients("sync", server.endpoint).call("get_file", "f").id == DOCS_SAMPLE["id"]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
def test_a_download_cut_before_its_first_byte_is_retried_within_the_budget(
    server: LoopbackServer, kind: str, tmp_path: Path
) -> None:
    body = b"0123456789"
    server.script(
        partial_body(body, 0), respond(200, body, content_type="application/octet-stream")
    )
    destination = tmp_path / "out.bin"
    Clients(kind, server.endpoint, retry_backoff=0).download("f", destination)
    assert destination.read_bytes() == body and len(server.requests) == 2


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("timeout", "deadline"), [(0.3, 20.0), (5.0, 0.6)])
def test_a_stalled_read_ends_at_its_own_timeout_or_the_deadline_whichever_is_first(
    server: LoopbackServer, kind: str, timeout: float, deadline: float
) -> None:
    # The deadline shortens the per-read timeouts; it never lengthens or removes them.
    server.script(stall(4.0))
    outcome: list[BaseException] = []

    def call() -> None:
        clients = Clients(kind, server.endpoint, timeout=timeout, max_retries=0)
        try:
            clients.call("get_file_content", "f", deadline=deadline)
        except BaseException as exc:  # handed to the assertions below
            outcome.append(exc)

    worker = threading.Thread(target=call, daemon=True)  # left behind if it hangs
    worker.start()
    worker.join(2.5)
    assert outcome and isinstance(outcome[0], RequestTimeoutError)
    assert str(outcome[0]).startswith("ReadTimeout: the request timed out")


@pytest.mark.timeout(30)
def test_with_a_distant_deadline_waiting_for_a_connection_still_has_its_own_timeout(
    server: LoopbackServer,
) -> None:
    server.script(respond(200, b"0123456789", content_type="application/octet-stream"))
    options: dict[str, Any] = {"api_key": "k", "timeout": httpx2.Timeout(5.0, pool=0.3)}
    outcome: list[BaseException] = []
    with (
        httpx2.Client(limits=httpx2.Limits(max_connections=1)) as http,
        FilesClient(server.endpoint, http_client=http, max_retries=0, **options) as client,
        client.stream_file_content("f"),  # holds the only connection
    ):

        def call() -> None:
            try:
                client.get_file("g", deadline=20.0)
            except BaseException as exc:  # handed to the assertions below
                outcome.append(exc)

        worker = threading.Thread(target=call, daemon=True)
        worker.start()
        worker.join(2.5)
        assert outcome and isinstance(outcome[0], RequestTimeoutError)
        assert str(outcome[0]).startswith("PoolTimeout: the request timed out")


@pytest.fixture
def unanswered_endpoint() -> Iterator[str]:
    """A loopback address whose listen queue is full: a new connection is never answered."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    queued = []
    for _ in range(8):  # more than the queue holds; the ones left over wait, unanswered
        waiting = socket.socket()
        waiting.setblocking(False)
        waiting.connect_ex(listener.getsockname())
        queued.append(waiting)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        for waiting in queued:
            waiting.close()
        listener.close()


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
def test_an_unanswered_connect_ends_at_the_connect_timeout_within_a_longer_deadline(
    unanswered_endpoint: str, kind: str
) -> None:
    # The deadline shortens the connect timeout, never replaces or lengthens it.
    clients = Clients(
        kind, unanswered_endpoint, timeout=httpx2.Timeout(10.0, connect=0.5), max_retries=0
    )
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError):
        clients.call("get_file", "f", deadline=8.0)
    assert time.monotonic() - started < 3.0


@pytest.fixture
def unread_endpoint() -> Iterator[str]:
    """A loopback server that accepts connections with a tiny receive buffer and never reads:
    a request larger than what the two socket buffers hold blocks the client's write."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)  # inherited when accepted
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        acceptor.join(5)
        for conn in accepted:
            conn.close()
        listener.close()


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
def test_a_blocked_write_ends_at_the_write_timeout_within_a_longer_deadline(
    unread_endpoint: str, kind: str
) -> None:
    # A 60 KB file id, through a client whose send buffer is small: the request cannot be
    # written while nobody reads. The deadline shortens the write timeout, never stretches it.
    small_send_buffer = [(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)]
    options: dict[str, Any] = {
        "api_key": "k",
        "timeout": httpx2.Timeout(10.0, write=0.5),
        "max_retries": 0,
    }
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError):
        if kind == "sync":
            transport = httpx2.HTTPTransport(socket_options=small_send_buffer)
            with (
                httpx2.Client(transport=transport) as http,
                FilesClient(unread_endpoint, http_client=http, **options) as client,
            ):
                client.get_file("f" * 60_000, deadline=8.0)
        else:

            async def run() -> None:
                transport = httpx2.AsyncHTTPTransport(socket_options=small_send_buffer)
                async with (
                    httpx2.AsyncClient(transport=transport) as http,
                    AsyncFilesClient(unread_endpoint, http_client=http, **options) as client,
                ):
                    await client.get_file("f" * 60_000, deadline=8.0)

            asyncio.run(run())
    assert time.monotonic() - started < 3.0


class _HangingAsyncCredential(_Credential):
    async def get_token(self, *scopes: str, **kwargs: Any) -> _Token:  # type: ignore[override]
        await asyncio.sleep(3)  # longer than any deadline below
        return super().get_token(*scopes)


@pytest.mark.timeout(20)
def test_an_async_token_fetched_within_the_deadline_is_sent(server: LoopbackServer) -> None:
    # With a deadline, the async token fetch is bounded by what is left of it, and still sent.
    server.script(respond_json(200, DOCS_SAMPLE))
    clients = Clients("async", server.endpoint, api_key=None, credential=_AsyncCredential("tok"))
    assert clients.call("get_file", "f", deadline=10.0).id == DOCS_SAMPLE["id"]
    assert [request.headers.get("authorization") for request in server.requests] == ["Bearer tok1"]


@pytest.mark.timeout(20)
def test_an_async_token_fetch_is_cut_at_the_deadline_saying_so(server: LoopbackServer) -> None:
    clients = Clients(
        "async", server.endpoint, api_key=None, credential=_HangingAsyncCredential("tok")
    )
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError) as raised:
        clients.call("get_file", "f", deadline=0.3)
    assert time.monotonic() - started < 0.9  # not a second more, nor the credential's 3 s
    assert (
        str(raised.value) == "deadline of 0.3 s exceeded while the credential was getting a token"
    )
    assert server.requests == []


@pytest.mark.timeout(20)
def test_an_async_cached_token_is_used_without_asking_the_credential(
    server: LoopbackServer,
) -> None:
    # Past its deadline, a call holding a fresh token fails on the deadline itself, not on a
    # token fetch that was never needed.
    server.script(respond_json(200, DOCS_SAMPLE))

    async def scenario() -> RequestTimeoutError:
        async with AsyncFilesClient(
            server.endpoint, credential=_AsyncCredential("tok"), max_retries=0
        ) as client:
            await client.get_file("f")
            with pytest.raises(RequestTimeoutError) as raised:
                await client.get_file("f", deadline=1e-6)
            return raised.value

    assert str(asyncio.run(scenario())) == "deadline of 1e-06 s exceeded"
    assert len(server.requests) == 1


def test_the_async_client_closes_the_http_client_it_built_and_only_that_one() -> None:
    async def scenario() -> tuple[bool, bool]:
        own = AsyncFilesClient("https://r.openai.azure.com", api_key="k")
        built = own._pipeline.http
        await own.close()
        caller_http = httpx2.AsyncClient()
        theirs = AsyncFilesClient(
            "https://r.openai.azure.com", api_key="k", http_client=caller_http
        )
        await theirs.close()
        caller_closed = caller_http.is_closed
        await caller_http.aclose()
        return built.is_closed, caller_closed

    assert asyncio.run(scenario()) == (True, False)


class _HangingCredential(_Credential):
    def get_token(self, *scopes: str, **kwargs: Any) -> _Token:
        time.sleep(3)  # longer than any deadline below
        return super().get_token(*scopes)


def _token_threads(monkeypatch: pytest.MonkeyPatch) -> list[threading.Thread]:
    """The threads started from now on, whatever their name, as they were started."""
    started: list[threading.Thread] = []
    start = threading.Thread.start

    def recording_start(thread: threading.Thread) -> None:
        started.append(thread)
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", recording_start)
    return started


@pytest.mark.timeout(20)
def test_a_token_fetched_within_the_deadline_is_sent(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With a deadline, a sync credential gets its token on a daemon thread of its own.
    server.script(respond_json(200, DOCS_SAMPLE))
    threads = _token_threads(monkeypatch)
    clients = Clients("sync", server.endpoint, api_key=None, credential=_Credential("tok"))
    assert clients.call("get_file", "f", deadline=10.0).id == DOCS_SAMPLE["id"]
    assert [request.headers.get("authorization") for request in server.requests] == ["Bearer tok1"]
    fetchers = [thread for thread in threads if thread.name == "azure-openai-files-token"]
    assert len(fetchers) == 1 and fetchers[0].daemon


@pytest.mark.timeout(20)
def test_a_token_fetch_is_cut_at_the_deadline_on_a_daemon_thread_saying_so(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads = _token_threads(monkeypatch)
    clients = Clients("sync", server.endpoint, api_key=None, credential=_HangingCredential("t"))
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError) as raised:
        clients.call("get_file", "f", deadline=0.3)
    assert time.monotonic() - started < 0.9  # not a second more, nor the credential's 3 s
    assert (
        str(raised.value) == "deadline of 0.3 s exceeded while the credential was getting a token"
    )
    assert server.requests == []
    # The credential cannot be interrupted: its thread is left behind, and must not keep the
    # interpreter from exiting.
    fetchers = [thread for thread in threads if thread.name == "azure-openai-files-token"]
    assert len(fetchers) == 1 and fetchers[0].daemon and fetchers[0].is_alive()


@pytest.mark.timeout(20)
def test_a_credential_failure_within_the_deadline_is_raised_as_it_is(
    server: LoopbackServer,
) -> None:
    failure = RuntimeError("no login")
    clients = Clients("sync", server.endpoint, api_key=None, credential=_FailingCredential(failure))
    with pytest.raises(CredentialError) as raised:
        clients.call("get_file", "f", deadline=10.0)
    assert raised.value.__cause__ is failure and server.requests == []


@pytest.mark.timeout(20)
def test_a_cached_token_is_used_without_a_fetching_thread(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.script(respond_json(200, DOCS_SAMPLE), respond_json(200, DOCS_SAMPLE))
    with FilesClient(server.endpoint, credential=_Credential("tok"), max_retries=0) as client:
        client.get_file("f")
        threads = _token_threads(monkeypatch)
        client.get_file("f", deadline=10.0)
    assert [thread.name for thread in threads] == []
    assert server.requests[1].headers.get("authorization") == "Bearer tok1"


def test_the_client_closes_the_http_client_it_built_and_only_that_one() -> None:
    own = FilesClient("https://r.openai.azure.com", api_key="k")
    built = own._pipeline.http
    own.close()
    with httpx2.Client() as caller_http:
        FilesClient("https://r.openai.azure.com", api_key="k", http_client=caller_http).close()
        caller_closed = caller_http.is_closed
    assert (built.is_closed, caller_closed) == (True, False)


def test_an_argument_no_url_can_carry_is_a_value_error_saying_so() -> None:
    with (
        FilesClient("https://r.openai.azure.com", api_key="k") as client,
        pytest.raises(ValueError, match=r"^the arguments do not make a valid request URL: \S"),
    ):
        client.get_file("f" * 70_000)


@pytest.mark.timeout(20)
def test_without_a_deadline_a_stalled_read_ends_at_the_packages_read_timeout(
    server: LoopbackServer,
) -> None:
    # The package's timeouts go with every request, over a caller's http client's own, and not
    # only with those bounded by a deadline.
    server.script(stall(4.0))
    started = time.monotonic()
    with (
        httpx2.Client(timeout=30.0) as http,
        FilesClient(
            server.endpoint, api_key="k", http_client=http, timeout=0.3, max_retries=0
        ) as client,
        pytest.raises(RequestTimeoutError) as raised,
    ):
        client.get_file_content("f")
    assert time.monotonic() - started < 2.5
    assert str(raised.value).startswith("ReadTimeout: the request timed out")


@pytest.mark.timeout(20)
def test_a_dripped_head_ends_at_the_deadline_before_the_read_timeout(
    server: LoopbackServer,
) -> None:
    server.script(drip_head(0.1, padding=80))
    clients = Clients("sync", server.endpoint, timeout=5.0, max_retries=0)
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError):
        clients.call("get_file", "f", deadline=0.6)
    assert time.monotonic() - started < 2.5


def test_the_package_user_agent_is_sent_over_a_callers_http_clients(
    server: LoopbackServer,
) -> None:
    from azure_openai_files._config import USER_AGENT

    server.script(respond_json(200, DOCS_SAMPLE))
    with (
        httpx2.Client(headers={"User-Agent": "theirs/1"}) as http,
        FilesClient(server.endpoint, api_key="k", http_client=http) as client,
    ):
        client.get_file("f")
    assert server.requests[0].headers.get("user-agent") == USER_AGENT


@pytest.mark.timeout(20)
def test_the_clients_deadline_bounds_a_call_that_names_none(server: LoopbackServer) -> None:
    server.script(drip_head(0.1, padding=80))
    clients = Clients("sync", server.endpoint, timeout=5.0, max_retries=0, deadline=0.6)
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError):
        clients.call("get_file", "f")
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize("kind", KINDS)
def test_only_content_calls_insist_on_a_200(server: LoopbackServer, kind: str) -> None:
    # A metadata call takes any 2xx with a file object; only whole content refuses a 206.
    server.script(respond_json(206, DOCS_SAMPLE))
    assert (
        Clients(kind, server.endpoint, max_retries=0).call("get_file", "f").id
        == (DOCS_SAMPLE["id"])
    )


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", KINDS)
def test_a_connection_reset_before_the_head_is_retried(server: LoopbackServer, kind: str) -> None:
    server.script(reset_connection, respond_json(200, DOCS_SAMPLE))
    clients = Clients(kind, server.endpoint, retry_backoff=0)
    assert clients.call("get_file", "f").id == DOCS_SAMPLE["id"]
    assert len(server.requests) == 2


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", KINDS)
def test_a_connection_reset_with_no_retry_left_is_a_transport_error(
    server: LoopbackServer, kind: str
) -> None:
    server.script(reset_connection)
    with pytest.raises(TransportError) as raised:
        Clients(kind, server.endpoint, max_retries=0).call("get_file", "f")
    assert raised.value.client_request_id == server.requests[0].headers["x-ms-client-request-id"]
    assert isinstance(raised.value.__cause__, httpx2.TransportError)  # chained to the failure


def _async_content_call_on(
    handler: Any, timeout: httpx2.Timeout, deadline: float | None = None
) -> bytes:
    """get_file_content through a caller's AsyncClient on a transport that never reports
    when its request goes out (no httpcore2 trace): only the outer head bound applies."""

    async def run() -> bytes:
        async with (
            httpx2.AsyncClient(transport=httpx2.MockTransport(handler)) as http,
            AsyncFilesClient(
                "http://127.0.0.1:9", api_key="k", http_client=http, timeout=timeout, max_retries=0
            ) as client,
        ):
            content: bytes = await client.get_file_content("f", deadline=deadline)
            return content

    return asyncio.run(run())


def _answering_after(seconds: float) -> Any:
    async def handler(request: httpx2.Request) -> httpx2.Response:
        await asyncio.sleep(seconds)
        return httpx2.Response(200, content=b"abc")

    return handler


@pytest.mark.timeout(30)
def test_a_head_may_take_the_pool_connect_and_read_timeouts_together_when_the_send_is_unseen() -> (
    None
):
    # Waiting for a connection and connecting count here: the transport never says when the
    # request went out, so the head's bound is all three timeouts from the start of the attempt.
    within = httpx2.Timeout(1.0, pool=1.0, connect=1.0, read=1.0)
    assert _async_content_call_on(_answering_after(2.5), within) == b"abc"
    with pytest.raises(RequestTimeoutError):
        _async_content_call_on(_answering_after(1.5), httpx2.Timeout(1.0, pool=0.0, connect=0.0))


@pytest.mark.timeout(30)
def test_a_head_whose_send_is_unseen_is_still_bounded_by_the_deadline() -> None:
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError):
        _async_content_call_on(_answering_after(10.0), httpx2.Timeout(5.0), deadline=1.0)
    assert time.monotonic() - started < 4.0
