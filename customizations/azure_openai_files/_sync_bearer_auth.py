"""Generated from `_async_bearer_auth.py` by `.ci/unasync.py`: edit that file, then run
`make generate`. Never edited by hand."""

from __future__ import annotations

from . import _sync_io
from ._auth import (
    TOKEN_SCOPE,
    CachedToken,
    Renewal,
    TokenCredential,
    credential_error,
    token_options,
)


class BearerTokenAuth:
    """Safe to share between concurrent requests: they share one token request. The async
    flavour takes async (azure.identity.aio) credentials and sync ones, whose `get_token`
    runs on a worker thread."""

    header_name = "Authorization"

    def __init__(self, credential: TokenCredential) -> None:
        self._credential = credential
        self._cache = CachedToken()
        self._lock = _sync_io.Lock()

    def cached_header_value(self) -> str | None:
        """The header while the cached token is fresh; None when a fetch is due."""
        token = self._cache.fresh()
        return None if token is None else f"Bearer {token}"

    def header_value(self, renewal: Renewal | None = None) -> str:
        """The header for the next attempt: the cached token while it is fresh, else a new
        one from the credential. With a `renewal` (after a 401) the refused token is never
        the cached answer, and the credential is given the challenge's claims."""
        header = self._cache.usable(renewal)
        if header is not None:
            return header
        with self._lock:
            header = self._cache.usable(renewal)
            if header is not None:
                return header
            try:
                access_token = _sync_io.get_token(
                    self._credential, TOKEN_SCOPE, token_options(renewal)
                )
            except Exception as exc:
                raise credential_error(self._credential, exc) from exc
            return self._cache.store(access_token)

    def invalidate(self, header_value: str) -> None:
        self._cache.invalidate(header_value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({type(self._credential).__name__})"
