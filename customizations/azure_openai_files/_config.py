"""Client settings: explicit arguments first, then environment variables, then defaults.
Everything is validated here, at construction, before any request is sent."""

from __future__ import annotations

import inspect
import math
import os
import re
import sys
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

import httpx2

from ._auth import (
    ApiKeyAuth,
    AsyncTokenCredential,
    KeyCredential,
    TokenCredential,
    check_credential_transport,
)
from ._errors import InvalidArgument, InvalidArgumentType
from ._generated_api import check_api_version_and_load
from ._retry import RetryPolicy
from ._throttle import RetryBudget
from ._version import DEFAULT_API_VERSION, SUPPORTED_API_VERSIONS, __version__

ENDPOINT_ENV = "AZURE_OPENAI_ENDPOINT"
API_KEY_ENV = "AZURE_OPENAI_API_KEY"
API_VERSION_ENV = "OPENAI_API_VERSION"

# Finite by default: a silent network must not hang a service. `read` bounds each read,
# not the whole body, so large downloads are not cut short.
DEFAULT_TIMEOUT = httpx2.Timeout(connect=5.0, read=60.0, write=60.0, pool=10.0)

# The connection pool of the client this package builds (a caller's http_client keeps its own
# limits). Every idle connection is kept for 30 s, so a burst of calls reuses the previous
# burst's connections (httpx2's default keeps 20 and reconnects the rest). 64 connections: the
# pool scans its connections for every waiting request, so beyond 64 each call costs more CPU
# than the extra connections bring (measured at 256 concurrent calls); more concurrent calls
# wait for a free connection, within the pool timeout.
DEFAULT_LIMITS = httpx2.Limits(
    max_connections=64, max_keepalive_connections=64, keepalive_expiry=30.0
)

USER_AGENT = f"azure-openai-files/{__version__} Python/{'.'.join(map(str, sys.version_info[:3]))}"


_BearerAuth = TypeVar("_BearerAuth")


class ClientSettings(NamedTuple):
    base_url: httpx2.URL  # {endpoint}/openai
    api_version: str
    timeout: httpx2.Timeout
    retry_policy: RetryPolicy
    deadline: float | None
    # The client's view of the resource: its retry budget and, once throttled, its pace.
    retry_budget: RetryBudget


def resolve_settings(
    endpoint: str | None,
    *,
    api_version: str | None,
    timeout: float | httpx2.Timeout | None,
    retry_policy: RetryPolicy,
    deadline: float | None,
    retry_budget: RetryBudget | None = None,
) -> ClientSettings:
    return ClientSettings(
        base_url=_base_url(endpoint if endpoint is not None else os.environ.get(ENDPOINT_ENV)),
        api_version=_api_version(api_version),
        timeout=_timeout(timeout),
        retry_policy=retry_policy,
        deadline=check_deadline(deadline),
        retry_budget=_retry_budget(retry_budget),
    )


def resolve_auth(
    settings: ClientSettings,
    api_key: str | KeyCredential | None,
    credential: TokenCredential | AsyncTokenCredential | None,
    *,
    bearer: Callable[[Any], _BearerAuth],
) -> ApiKeyAuth | _BearerAuth:
    """The client's auth: an api key (given, or from the environment), or `bearer` (the
    client flavour's Entra ID auth) around the credential."""
    if api_key is not None and credential is not None:
        raise ValueError("pass either api_key or credential, not both")
    if credential is not None:
        if not callable(getattr(credential, "get_token", None)):
            raise TypeError("credential must have a get_token(*scopes) method (Entra ID)")
        check_credential_transport(settings.base_url)
        # A blocking auth cannot await an async credential's get_token.
        blocking = not inspect.iscoroutinefunction(getattr(bearer, "header_value", None))
        if blocking and inspect.iscoroutinefunction(credential.get_token):
            raise TypeError("an async credential needs AsyncFilesClient; pass a sync one here")
        return bearer(credential)
    if api_key is None:
        api_key = os.environ.get(API_KEY_ENV)
    if api_key is None or (isinstance(api_key, str) and not api_key.strip()):
        raise ValueError(f"no credential: pass api_key or credential, or set {API_KEY_ENV}")
    if not isinstance(api_key, str) and not isinstance(getattr(api_key, "key", None), str):
        raise TypeError("api_key must be a str or an object with a str `key` attribute")
    check_credential_transport(settings.base_url)
    return ApiKeyAuth(api_key)


def _retry_budget(retry_budget: RetryBudget | None) -> RetryBudget:
    if retry_budget is None:
        return RetryBudget()  # a client of its own: its own view of the resource
    if not isinstance(retry_budget, RetryBudget):
        raise InvalidArgumentType(
            "retry_budget", f"must be a RetryBudget or None, not {type(retry_budget).__name__}"
        )
    return retry_budget


def check_deadline(deadline: float | None) -> float | None:
    """A client's or a call's `deadline=`: checked the same way for both, before sending."""
    if deadline is None:
        return None
    if isinstance(deadline, bool) or not isinstance(deadline, int | float):
        raise InvalidArgumentType(
            "deadline", f"must be seconds (a number) or None, not {type(deadline).__name__}"
        )
    if not (deadline > 0 and math.isfinite(deadline)):
        raise InvalidArgument("deadline", "must be a positive number of seconds, or None")
    return deadline


def _base_url(endpoint: str | None) -> httpx2.URL:
    if not endpoint or not endpoint.strip():
        raise ValueError(
            f"no endpoint: pass endpoint= (e.g. https://myresource.openai.azure.com) "
            f"or set {ENDPOINT_ENV}"
        )
    try:
        url = httpx2.URL(endpoint.strip())
    except httpx2.InvalidURL as exc:
        raise InvalidArgument("endpoint", f"is not a valid URL: {exc}") from None
    if url.scheme not in ("https", "http") or not url.host:
        raise InvalidArgument(
            "endpoint",
            "must be an http(s) URL with a host, e.g. https://myresource.openai.azure.com",
        )
    if url.query or url.fragment or url.userinfo:
        raise InvalidArgument("endpoint", "must not contain a query, fragment or user info")
    path = url.path.rstrip("/")
    api_base = _API_BASE_PATH.search(path)
    if api_base is not None:
        # Every route gets /openai itself: this endpoint would make /openai/openai/files/...
        resource = f"{url.scheme}://{url.netloc.decode('ascii')}{path[: api_base.start()]}"
        raise InvalidArgument(
            "endpoint",
            f"must be the resource URL without {api_base.group()!r}: pass {resource} "
            "(the client adds /openai to every route)",
        )
    return url.copy_with(path=path + "/openai")


# An endpoint that already ends in the API's base path, as the portal shows it.
_API_BASE_PATH = re.compile(r"/openai(/v1)?$", re.IGNORECASE)


def _api_version(api_version: str | None) -> str:
    # An explicit value is checked as given (an empty one is a mistake, not "the default");
    # an empty environment variable counts as unset.
    version = (
        api_version
        if api_version is not None
        else os.environ.get(API_VERSION_ENV) or DEFAULT_API_VERSION
    )
    if not isinstance(version, str):
        raise InvalidArgumentType("api_version", f"must be a str, not {type(version).__name__}")
    if not version.strip():
        raise InvalidArgument(
            "api_version",
            f"must not be blank: pass one of {', '.join(SUPPORTED_API_VERSIONS)}, "
            f"or None for the default ({DEFAULT_API_VERSION})",
        )
    # Unlisted dated versions are sent as given; anything else is refused (see _generated_api).
    return check_api_version_and_load(version.strip())


def _timeout(timeout: float | httpx2.Timeout | None) -> httpx2.Timeout:
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, httpx2.Timeout):
        if None in (timeout.connect, timeout.read, timeout.write, timeout.pool):
            raise InvalidArgument("timeout", "must be finite in every part; never 'no timeout'")
        return timeout
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise InvalidArgumentType("timeout", "must be seconds (float) or an httpx2.Timeout")
    if not (timeout > 0 and math.isfinite(timeout)):
        raise InvalidArgument("timeout", "must be a positive, finite number of seconds")
    return httpx2.Timeout(timeout, connect=min(timeout, DEFAULT_TIMEOUT.connect or timeout))
