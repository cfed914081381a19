"""The auth headers, on their own: an api key is sent as given and read again on every
attempt, a bearer token is fetched once for its scope, cached, and renewed near its expiry
or after a 401 (with the claims its challenge asks for), a credential failure reads as one
line, and a token never travels in clear text to another host."""

from __future__ import annotations

import asyncio
import base64
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2
import pytest

from azure_openai_files import _auth
from azure_openai_files._async_bearer_auth import AsyncBearerTokenAuth
from azure_openai_files._auth import (
    TOKEN_REFRESH_MARGIN,
    TOKEN_SCOPE,
    ApiKeyAuth,
    CachedToken,
    Renewal,
    check_credential_transport,
    claims_challenge,
    credential_error,
)
from azure_openai_files._errors import CredentialError
from azure_openai_files._sync_bearer_auth import BearerTokenAuth
from tests.support.credentials import (
    AccessToken,
    FailingCredential,
    Key,
    NumberedAsyncCredential,
    NumberedCredential,
)

# --- api keys -------------------------------------------------------------------------------------


def test_an_api_key_is_sent_as_given_and_read_again_on_each_attempt() -> None:
    assert ApiKeyAuth("k1").header_value() == "k1"
    rotating = Key("old")
    auth = ApiKeyAuth(rotating)
    assert auth.header_value() == "old"
    rotating.key = "new"
    assert auth.header_value() == "new"
    assert ApiKeyAuth.header_name == "api-key"


def test_a_key_credential_whose_key_is_not_text_is_a_type_error_saying_so() -> None:
    auth = ApiKeyAuth(Key(b"bytes-key"))  # type: ignore[arg-type]
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
        ApiKeyAuth(Key(key)).header_value()


def test_auth_reprs_show_no_secret() -> None:
    assert repr(ApiKeyAuth("sk-secret")) == "ApiKeyAuth(<redacted>)"
    assert (
        repr(BearerTokenAuth(NumberedCredential("tok-secret")))
        == "BearerTokenAuth(NumberedCredential)"
    )
    assert (
        repr(AsyncBearerTokenAuth(NumberedCredential("t")))
        == "AsyncBearerTokenAuth(NumberedCredential)"
    )


# --- bearer tokens: fetched once, cached, renewed -------------------------------------------------


def test_a_bearer_token_is_fetched_once_for_its_scope_and_cached() -> None:
    credential = NumberedCredential("tok")
    auth = BearerTokenAuth(credential)
    assert auth.header_value() == "Bearer tok1"
    assert auth.header_value() == "Bearer tok1"
    assert credential.scopes == [(TOKEN_SCOPE,)]
    assert BearerTokenAuth.header_name == "Authorization"


def test_a_token_near_its_expiry_is_refreshed() -> None:
    credential = NumberedCredential("tok", lifetime=TOKEN_REFRESH_MARGIN - 1)
    auth = BearerTokenAuth(credential)
    assert auth.header_value() == "Bearer tok1"
    assert auth.header_value() == "Bearer tok2"


def test_a_token_just_beyond_the_refresh_margin_is_kept() -> None:
    credential = NumberedCredential("tok", lifetime=TOKEN_REFRESH_MARGIN + 30)
    auth = BearerTokenAuth(credential)
    auth.header_value()
    assert auth.header_value() == "Bearer tok1"


def test_a_token_exactly_at_the_refresh_margin_is_refreshed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_auth.time, "time", lambda: 1000.0)  # type: ignore[attr-defined]
    credential = NumberedCredential("tok", lifetime=TOKEN_REFRESH_MARGIN)
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
        def get_token(self, *scopes: str) -> AccessToken:
            return AccessToken(token, time.time() + 3600)

    with pytest.raises(error, match=message):
        BearerTokenAuth(Empty()).header_value()  # type: ignore[arg-type]


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
        BearerTokenAuth(Broken()).header_value()  # type: ignore[arg-type]


@pytest.mark.timeout(10)
def test_a_cached_token_is_used_without_waiting_for_a_refresh_in_progress() -> None:
    auth = BearerTokenAuth(NumberedCredential("tok"))
    auth.header_value()
    with auth._lock:  # another thread is fetching a token
        got: list[str] = []
        reader = threading.Thread(target=lambda: got.append(auth.header_value()), daemon=True)
        reader.start()
        reader.join(timeout=2)
        assert got == ["Bearer tok1"]


def test_a_cached_token_is_used_without_waiting_for_an_async_refresh_in_progress() -> None:
    auth = AsyncBearerTokenAuth(NumberedAsyncCredential("tok"))

    async def scenario() -> str:
        await auth.header_value()
        assert auth._lock is not None
        async with auth._lock:  # another task is fetching a token
            return await asyncio.wait_for(auth.header_value(), timeout=2)

    assert asyncio.run(scenario()) == "Bearer tok1"


@pytest.mark.parametrize("credential_class", [NumberedCredential, NumberedAsyncCredential])
def test_the_async_auth_takes_sync_and_async_credentials_and_caches(
    credential_class: type[NumberedCredential],
) -> None:
    credential = credential_class("tok")
    auth = AsyncBearerTokenAuth(credential)

    async def twice() -> list[str]:
        return [await auth.header_value(), await auth.header_value()]

    assert asyncio.run(twice()) == ["Bearer tok1", "Bearer tok1"]
    assert credential.scopes == [(TOKEN_SCOPE,)]


def test_the_async_auth_refreshes_a_token_near_its_expiry() -> None:
    auth = AsyncBearerTokenAuth(NumberedCredential("tok", lifetime=TOKEN_REFRESH_MARGIN - 1))

    async def twice() -> list[str]:
        return [await auth.header_value(), await auth.header_value()]

    assert asyncio.run(twice()) == ["Bearer tok1", "Bearer tok2"]


@pytest.mark.timeout(20)
def test_an_async_credential_gets_its_token_while_every_worker_thread_is_busy() -> None:
    # Only a sync get_token needs a worker thread; an async one is awaited on the loop, so it
    # never queues behind the blocking work that fills the default executor.
    auth = AsyncBearerTokenAuth(NumberedAsyncCredential("tok"))

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


class _DisguisedAsyncCredential(NumberedCredential):
    """A plain `get_token` that hands back a coroutine, as a wrapper or a partial of an async
    credential's method does."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        return self._get_token(*scopes)

    async def _get_token(self, *scopes: str) -> AccessToken:
        return NumberedCredential.get_token(self, *scopes)


def test_the_async_auth_awaits_what_a_plain_get_token_returns() -> None:
    credential = _DisguisedAsyncCredential("tok")
    auth = AsyncBearerTokenAuth(credential)
    assert asyncio.run(auth.header_value()) == "Bearer tok1"
    assert credential.scopes == [(TOKEN_SCOPE,)]


def test_concurrent_async_requests_share_one_token_request() -> None:
    credential = NumberedAsyncCredential("tok")
    auth = AsyncBearerTokenAuth(credential)

    async def many() -> list[str]:
        return list(await asyncio.gather(*(auth.header_value() for _ in range(5))))

    assert asyncio.run(many()) == ["Bearer tok1"] * 5
    assert len(credential.scopes) == 1


def _header(auth: BearerTokenAuth | AsyncBearerTokenAuth) -> str:
    """The auth's header for the next attempt, fetched the way its client would."""
    if isinstance(auth, AsyncBearerTokenAuth):
        return asyncio.run(auth.header_value())
    return auth.header_value()


@pytest.mark.parametrize("auth_class", [BearerTokenAuth, AsyncBearerTokenAuth])
def test_a_401_forgets_the_token_it_was_sent_with_but_not_a_newer_one(
    auth_class: type[BearerTokenAuth | AsyncBearerTokenAuth],
) -> None:
    auth = auth_class(NumberedCredential("tok"))
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
    fresh = auth_class(NumberedCredential("tok"))
    assert fresh.cached_header_value() is None  # nothing fetched yet
    _header(fresh)
    assert fresh.cached_header_value() == "Bearer tok1"
    expiring = auth_class(NumberedCredential("tok", lifetime=TOKEN_REFRESH_MARGIN - 1))
    _header(expiring)
    assert expiring.cached_header_value() is None


# --- claims challenges ----------------------------------------------------------------------------

CLAIMS = '{"access_token":{"nbf":{"essential":true,"value":"1726000000"}}}'
ENCODED_CLAIMS = base64.urlsafe_b64encode(CLAIMS.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("header", "claims"),
    [
        (f'Bearer error="insufficient_claims", claims="{ENCODED_CLAIMS}"', CLAIMS),
        # Parameters may be bare tokens as well as quoted strings.
        (f"Bearer error=insufficient_claims, claims={ENCODED_CLAIMS}", CLAIMS),
        # The Bearer challenge is found after another scheme's.
        (f'Basic realm="x", Bearer error="insufficient_claims", claims="{ENCODED_CLAIMS}"', CLAIMS),
        # Only a Bearer challenge for insufficient claims, with claims, is answered.
        (f'PoP error="insufficient_claims", claims="{ENCODED_CLAIMS}"', None),
        (f'Bearer error="invalid_token", claims="{ENCODED_CLAIMS}"', None),
        ('Bearer error="insufficient_claims"', None),
        ('Bearer error="insufficient_claims", claims=""', None),
        ('Bearer error="insufficient_claims", claims="%%%"', None),
        ('Bearer realm=""', None),
    ],
    ids=[
        "quoted",
        "bare",
        "after-basic",
        "other-scheme",
        "other-error",
        "no-claims",
        "empty-claims",
        "undecodable-claims",
        "no-challenge",
    ],
)
def test_only_a_bearer_insufficient_claims_challenge_asks_for_its_claims(
    header: str, claims: str | None
) -> None:
    assert claims_challenge({"www-authenticate": header}) == claims
    assert claims_challenge({}) is None


def test_claims_of_any_length_are_read_without_the_padding_base64url_leaves_out() -> None:
    for size in range(24):
        claims = '{"access_token":{"xms_cc":{"values":["' + "c" * size + '"]}}}'
        encoded = base64.urlsafe_b64encode(claims.encode()).decode().rstrip("=")
        header = f'Bearer error="insufficient_claims", claims="{encoded}"'
        assert claims_challenge({"www-authenticate": header}) == claims, size


def test_a_renewal_is_offered_the_cached_token_only_if_it_is_not_the_refused_one() -> None:
    cache = CachedToken()
    assert cache.store(AccessToken("tok2", time.time() + 3600)) == "Bearer tok2"
    assert cache.usable(None) == "Bearer tok2"
    # The 401 refused this very token: it is not sent again.
    assert cache.usable(Renewal("Bearer tok2", None)) is None
    # It refused an older one another call has renewed meanwhile: the renewed one is used.
    assert cache.usable(Renewal("Bearer tok1", None)) == "Bearer tok2"
    # Claims are asked for: no cached token satisfies them, renewed or not.
    assert cache.usable(Renewal("Bearer tok1", CLAIMS)) is None
    assert cache.usable(Renewal("Bearer tok2", CLAIMS)) is None


# --- credential failures, and where tokens may travel ---------------------------------------------


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
        BearerTokenAuth(FailingCredential(failure)).header_value()
    assert str(raised.value) == f"FailingCredential could not get a token: {reason}"


def test_a_credential_error_is_chained_to_the_credential_failure_by_itself() -> None:
    # The auths also raise it `from` the failure; any other caller gets the chain all the same.
    failure = RuntimeError("no managed identity endpoint")
    error = credential_error(FailingCredential(failure), failure)
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


def test_a_renewal_never_shows_the_refused_token() -> None:
    renewal = Renewal("Bearer secret-token-value", '{"access_token": {}}')
    assert "secret-token-value" not in repr(renewal) and "<redacted>" in repr(renewal)


def test_a_credential_interrupted_on_its_thread_is_not_reported_as_a_timeout() -> None:
    from azure_openai_files._sync_io import within

    def interrupted() -> str:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        within(interrupted, 5.0)
