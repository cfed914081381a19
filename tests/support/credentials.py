"""Fake keys and Entra ID credentials, one of each kind the package meets. None of them
reaches a network: a token is a counter, a slow identity endpoint a sleep."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

# A 401 as the gateway sends it for a missing, expired or refused token.
UNAUTHORIZED = {"error": {"code": "401", "message": "Access token is missing or invalid."}}


class Key:
    """A key credential (`.key`, as azure-core's AzureKeyCredential): rotated by assignment."""

    def __init__(self, key: str) -> None:
        self.key = key


class AccessToken:
    """What `get_token` returns: `.token` and `.expires_on` (seconds since the epoch)."""

    def __init__(self, token: str, expires_on: float) -> None:
        self.token = token
        self.expires_on = expires_on


class NumberedCredential:
    """A sync credential that hands out a new token on every request (`<prefix>1`,
    `<prefix>2`, ...), each valid `lifetime` seconds, after `delay` seconds (a slow identity
    endpoint). It records the scopes of each request and the thread it ran on."""

    def __init__(
        self, prefix: str = "fake-token-", lifetime: float = 3600.0, delay: float = 0.0
    ) -> None:
        self.prefix, self.lifetime, self.delay = prefix, lifetime, delay
        self.scopes: list[tuple[str, ...]] = []
        self.threads: list[int] = []
        self._lock = threading.Lock()

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        if self.delay:
            time.sleep(self.delay)
        return self.issue(scopes)

    def issue(self, scopes: tuple[str, ...]) -> AccessToken:
        """The next token, recorded as asked for `scopes` on this thread."""
        with self._lock:
            self.scopes.append(scopes)
            self.threads.append(threading.get_ident())
            number = len(self.scopes)
        return AccessToken(f"{self.prefix}{number}", time.time() + self.lifetime)


class NumberedAsyncCredential(NumberedCredential):
    """The async kind (an `AsyncTokenCredential`): each token is awaited for `delay` seconds,
    by default a hundredth of a second, as a real credential waits on the network."""

    def __init__(
        self, prefix: str = "fake-token-", lifetime: float = 3600.0, delay: float = 0.01
    ) -> None:
        super().__init__(prefix, lifetime, delay)

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:  # type: ignore[override]
        await asyncio.sleep(self.delay)
        return self.issue(scopes)


class FixedCredential:
    """A sync credential whose token is always `token`, exactly as given, valid an hour."""

    def __init__(self, token: str) -> None:
        self.token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self.token, time.time() + 3600)


class FailingCredential:
    """A sync credential that cannot get a token: every request raises `failure`."""

    def __init__(self, failure: Exception) -> None:
        self.failure = failure

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        raise self.failure


class FailingAsyncCredential:
    """The async kind of `FailingCredential`."""

    def __init__(self, failure: Exception) -> None:
        self.failure = failure

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        raise self.failure
