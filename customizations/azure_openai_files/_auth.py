"""Authentication: the `api-key` header for keys, `Authorization: Bearer` for Microsoft Entra
ID credentials (`AsyncBearerTokenAuth` and its generated twin `BearerTokenAuth`), never
both. Each attempt asks its auth for a fresh header value, so a rotated
key or a refreshed token is used by the very next request (retries included).

Secrets are cleaned here, once: surrounding whitespace (a key read from a file ends with a
newline) is stripped, and a value that still holds anything but printable ASCII is refused
with a ValueError that does not quote it, before it can reach a header, a log or an error."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
import time
from collections.abc import Mapping
from typing import Any, NamedTuple, Protocol, runtime_checkable

import httpx2

from ._errors import CredentialError, printable

TOKEN_SCOPE = "https://cognitiveservices.azure.com/.default"  # noqa: S105 (a scope, not a secret)
# Refresh this long before `expires_on`, so no request goes out with a token about to expire.
TOKEN_REFRESH_MARGIN = 300.0


def clean_secret(value: str, what: str) -> str:
    """`value` without surrounding whitespace; ValueError (never quoting it) when it is empty or
    holds a control or non-ASCII character, which no key or token does."""
    secret = value.strip()
    if not secret:
        raise ValueError(f"the {what} is empty")
    for position, char in enumerate(secret):
        if not " " <= char <= "~":
            raise ValueError(
                f"the {what} contains a control or non-ASCII character at position {position}; "
                "check how it was read or pasted"
            )
    return secret


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
class AsyncTokenCredential(Protocol):
    """What azure-identity's `azure.identity.aio` credentials provide."""

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessTokenLike: ...


@runtime_checkable
class KeyCredential(Protocol):
    """An object whose `.key` may change over time, e.g. azure-core's AzureKeyCredential."""

    @property
    def key(self) -> str: ...


class ApiKeyAuth:
    header_name = "api-key"

    def __init__(self, key: str | KeyCredential) -> None:
        self._key = clean_secret(key, "api key") if isinstance(key, str) else key

    def header_value(self) -> str:
        if isinstance(self._key, str):
            return self._key
        key = self._key.key
        if not isinstance(key, str):
            raise TypeError("the key credential's `key` must be a str")
        return clean_secret(key, "api key")

    def __repr__(self) -> str:
        return "ApiKeyAuth(<redacted>)"


class Renewal(NamedTuple):
    """Why a token is fetched again: the service refused `refused_header` with a 401, and
    maybe asked for `claims` (a Continuous Access Evaluation challenge)."""

    refused_header: str
    claims: str | None

    def __repr__(self) -> str:
        return f"Renewal(refused_header=<redacted>, claims={self.claims!r})"


# One item of a WWW-Authenticate header: a scheme (`Bearer`) or one of its `name=value`
# parameters, the value quoted or a bare token.
_CHALLENGE_ITEM = re.compile(
    r'[\s,]*([\w!#$%&\'*+.^`|~-]+)(?:\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*)))?'
)


def claims_challenge(headers: Mapping[str, str]) -> str | None:
    """The claims a 401's `WWW-Authenticate: Bearer ... error="insufficient_claims",
    claims="<base64url JSON>"` challenge asks for, decoded; None for any other 401 (the
    header as azure-core's bearer token policy reads it)."""
    header = headers.get("www-authenticate")
    if not header:
        return None
    challenges: list[tuple[str, dict[str, str]]] = []
    for match in _CHALLENGE_ITEM.finditer(header):
        name, quoted, bare = match.groups()
        if quoted is None and bare is None:
            challenges.append((name.lower(), {}))
        elif challenges:
            challenges[-1][1][name.lower()] = quoted if quoted is not None else bare
    for scheme, parameters in challenges:
        encoded = parameters.get("claims")
        if scheme != "bearer" or parameters.get("error") != "insufficient_claims" or not encoded:
            continue
        try:
            claims = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        except (binascii.Error, ValueError):
            return None  # not a challenge this client can answer: the 401 stands
        return claims or None
    return None


def token_options(renewal: Renewal | None) -> dict[str, str]:
    """The keyword arguments of `get_token`: the claims of a challenge, when there is one."""
    return {"claims": renewal.claims} if renewal is not None and renewal.claims else {}


class CachedToken:
    """Token cache of a bearer auth: the token, until shortly before it expires."""

    __slots__ = ("expires_on", "value")

    def __init__(self) -> None:
        self.value: str | None = None
        self.expires_on = 0.0

    def fresh(self) -> str | None:
        if self.value is not None and self.expires_on - time.time() > TOKEN_REFRESH_MARGIN:
            return self.value
        return None

    def store(self, access_token: AccessTokenLike) -> str:
        token = getattr(access_token, "token", None)
        expires_on = getattr(access_token, "expires_on", None)
        if not isinstance(token, str) or not isinstance(expires_on, int | float):
            raise TypeError("the credential's get_token returned no str `token` and `expires_on`")
        self.value, self.expires_on = clean_secret(token, "token from the credential"), expires_on
        return f"Bearer {self.value}"

    def invalidate(self, header_value: str) -> None:
        """Forget the token sent as `header_value` (refused with a 401), unless a newer one
        has replaced it meanwhile."""
        if self.value is not None and header_value == f"Bearer {self.value}":
            self.value, self.expires_on = None, 0.0

    def usable(self, renewal: Renewal | None) -> str | None:
        """The header to send without asking the credential: the fresh token, unless it is
        the one being renewed (another call may have renewed it already) or claims are asked
        for (a cached token cannot satisfy them)."""
        token = self.fresh()
        if token is None:
            return None
        header = f"Bearer {token}"
        if renewal is not None and (renewal.claims or header == renewal.refused_header):
            return None
        return header


def credential_error(credential: object, exc: Exception) -> CredentialError:
    """The credential's failure as one readable line, its exception chained."""
    lines = str(exc).strip().splitlines()
    reason = f"{type(exc).__name__}: {lines[0][:300]}" if lines else type(exc).__name__
    error = CredentialError(
        printable(f"{type(credential).__name__} could not get a token: {reason}")
    )
    error.__cause__ = exc
    return error


def check_credential_transport(endpoint: httpx2.URL) -> None:
    """Keys and tokens only travel over https, except to this machine (tests, local proxies)."""
    if endpoint.scheme == "https" or _is_loopback(endpoint.host):
        return
    raise ValueError(
        f"refusing to send credentials in clear text over {endpoint.scheme}:// to "
        f"{endpoint.host}; use an https:// endpoint, or a loopback address "
        "(http://127.0.0.1, http://localhost) for a local proxy or test server"
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
