"""The package logger and the header allow-list: anything not listed is logged as REDACTED,
so keys, tokens and signed URLs cannot reach a log at any level."""

from __future__ import annotations

import logging
from collections.abc import Iterable

logger = logging.getLogger("azure_openai_files")

_LOGGABLE_HEADERS = frozenset(
    {
        # request
        "accept",
        "accept-encoding",
        "range",
        "user-agent",
        "x-ms-client-request-id",
        # response
        "apim-request-id",
        "x-request-id",
        "content-type",
        "content-length",
        "content-range",
        "content-encoding",
        "accept-ranges",
        "date",
        "etag",
        "last-modified",
        "retry-after",
        "retry-after-ms",
        "x-ms-retry-after-ms",
        "x-ms-region",
        "x-ratelimit-remaining-requests",
        "x-ratelimit-remaining-tokens",
        "x-ratelimit-reset-requests",
        "x-ratelimit-reset-tokens",
    }
)


def loggable_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {
        name: value if name.lower() in _LOGGABLE_HEADERS else "REDACTED" for name, value in headers
    }
