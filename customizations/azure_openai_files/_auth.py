"""Authentication: the `api-key` header for keys, `Authorization: Bearer` for Microsoft Entra
ID credentials, never both. Each attempt asks its auth for a fresh header value, so a rotated
key or a refreshed token is used by the very next request (retries included)."""

from __future__ import annotations

import inspect
import ipaddress
import threading
import time
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import httpx2

if TYPE_CHECKING:
    import asyncio

TOKEN_SCOPE = "https://cognitiveservices.azure.com/.default"  # noqa: S105 (a scope, not a secret)
# Refresh this long before `expires_on`, so no request goes out with a token about to expire.
TOKEN_REFRESH_MARGIN = 300.0


class AccessTokenLike(Protocol):
    @property
    def token(self) -> str: ...
    @property
    def expires_on(self) -> int | float: ...


@runtime_checkable
class TokenCredential(Protocol):
    """What azure-identity's credentials provide (sync flavour)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessTokenLike: ...


@runtime_checkable
class KeyCredential(Protocol):
    """An object whose `.key` may change over time, e.g. azure-core's AzureKeyCredential."""

    @property
    def key(self) -> str: ...


class ApiKeyAuth:
    header_name = "api-key"

    def __init__(self, key: str | KeyCredential) -> None:
        self._key = key

    def header_value(self) -> str:
        key = self._key if isinstance(self._key, str) else self._key.key
        if not key or not key.strip():
            raise ValueError("the api key is empty")
        return key

    def __repr__(self) -> str:
        return "ApiKeyAuth(<redacted>)"


class _CachedToken:
    """Token cache shared by the sync and async bearer auths."""

    __slots__ = ("expires_on", "value")

    def __init__(self) -> None:
        self.value: str | None = None
        self.expires_on = 0.0

    def fresh(self) -> str | None:
        if self.value is not None and self.expires_on - time.time() > TOKEN_REFRESH_MARGIN:
            return self.value
        return None

    def store(self, access_token: AccessTokenLike) -> str:
        token, expires_on = access_token.token, float(access_token.expires_on)
        if not isinstance(token, str) or not token:
            raise ValueError("the credential returned an empty token")
        self.value, self.expires_on = token, expires_on
        return f"Bearer {token}"


class BearerTokenAuth:
    """Thread-safe: concurrent requests share one token request."""

    header_name = "Authorization"

    def __init__(self, credential: TokenCredential) -> None:
        self._credential = credential
        self._cache = _CachedToken()
        self._lock = threading.Lock()

    def header_value(self) -> str:
        token = self._cache.fresh()
        if token is not None:
            return f"Bearer {token}"
        with self._lock:
            token = self._cache.fresh()
            if token is not None:
                return f"Bearer {token}"
            return self._cache.store(self._credential.get_token(TOKEN_SCOPE))

    def __repr__(self) -> str:
        return f"BearerTokenAuth({type(self._credential).__name__})"


class AsyncBearerTokenAuth:
    """Task-safe; accepts sync credentials and async ones (whose get_token is a coroutine)."""

    header_name = "Authorization"

    def __init__(self, credential: Any) -> None:
        self._credential = credential
        self._cache = _CachedToken()
        self._lock: asyncio.Lock | None = None

    async def header_value(self) -> str:
        token = self._cache.fresh()
        if token is not None:
            return f"Bearer {token}"
        if self._lock is None:
            import asyncio  # deferred: only async users pay for importing asyncio

            self._lock = asyncio.Lock()
        async with self._lock:
            token = self._cache.fresh()
            if token is not None:
                return f"Bearer {token}"
            result = self._credential.get_token(TOKEN_SCOPE)
            if inspect.isawaitable(result):
                result = await result
            return self._cache.store(result)

    def __repr__(self) -> str:
        return f"AsyncBearerTokenAuth({type(self._credential).__name__})"


def check_bearer_transport(endpoint: httpx2.URL) -> None:
    """Bearer tokens only travel over https, except to this machine (tests, local proxies)."""
    if endpoint.scheme == "https" or _is_loopback(endpoint.host):
        return
    raise ValueError(
        f"refusing to send an Entra ID token over {endpoint.scheme}:// to {endpoint.host}; "
        "use an https endpoint"
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
