"""The exception hierarchy, and the one place where an HTTP error response becomes one.

Every error raised by the public API is a `FilesError`. Service errors carry Azure's error
fields (code, message, target, details, innererror) and the request ids support asks for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx2

# At most this much of a non-JSON error body goes into an exception message.
MESSAGE_BODY_LIMIT = 2048


class FilesError(Exception):
    """Base class of every error this package raises."""


class ServiceError(FilesError):
    """The service answered with an error status (or a response this client cannot use)."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str | None = None,
        target: str | None = None,
        details: list[dict[str, Any]] | None = None,
        inner_error: dict[str, Any] | None = None,
        param: str | None = None,
        type: str | None = None,  # the service's field name
        headers: Mapping[str, str] | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status_code = status_code
        self.code = code
        self.message = message
        self.target = target
        self.details = details or []
        self.inner_error = inner_error
        self.param = param
        self.type = type
        self.headers: dict[str, str] = dict(headers or {})
        self.request_id = self.headers.get("apim-request-id") or self.headers.get("x-request-id")
        self.client_request_id = self.headers.get("x-ms-client-request-id")
        self.retry_after = retry_after
        super().__init__(self._one_line())

    def _one_line(self) -> str:
        context = f"HTTP {self.status_code}"
        if self.request_id:
            context += f", request id {self.request_id}"
        prefix = f"{self.code}: " if self.code else ""
        return f"{prefix}{self.message} ({context})"


class BadRequestError(ServiceError):
    """HTTP 400."""


class AuthenticationError(ServiceError):
    """HTTP 401: the key or token was missing, wrong or expired."""


class PermissionDeniedError(ServiceError):
    """HTTP 403."""


class NotFoundError(ServiceError):
    """HTTP 404: no such file (or route) for this resource and api-version."""


class ConflictError(ServiceError):
    """HTTP 409."""


class RateLimitError(ServiceError):
    """HTTP 429. `retry_after` is the wait the service asked for, in seconds, when it said."""


class ServerError(ServiceError):
    """HTTP 5xx."""


class UnexpectedResponseError(ServiceError):
    """A success status whose body breaks the API contract (malformed JSON, missing fields)."""


class TransportError(FilesError):
    """The request or response failed on the network (refused, reset, broken body)."""


class RequestTimeoutError(TransportError):
    """A connect/read timeout, or the call's overall deadline, ran out."""


class IncompleteDownloadError(TransportError):
    """A body ended before all of it arrived and the retry budget could not complete it."""

    def __init__(self, message: str, *, received: int, expected: int | None) -> None:
        self.received = received
        self.expected = expected
        super().__init__(message)


class FileProcessingError(FilesError):
    """`wait_for_processing` saw the file reach status `error`."""

    def __init__(self, file_id: str, status_details: str | None) -> None:
        self.file_id = file_id
        self.status_details = status_details
        super().__init__(f"file {file_id} failed processing: {status_details or 'no details'}")


class WaitTimeoutError(FilesError):
    """`wait_for_processing` reached its timeout before a terminal status."""

    def __init__(self, file_id: str, last_status: str | None, timeout: float) -> None:
        self.file_id = file_id
        self.last_status = last_status
        self.timeout = timeout
        super().__init__(
            f"file {file_id} still has status {last_status!r} after {timeout:g} s of waiting"
        )


_ERRORS_BY_STATUS: dict[int, type[ServiceError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def error_class_for(status_code: int) -> type[ServiceError]:
    if status_code >= 500:
        return ServerError
    return _ERRORS_BY_STATUS.get(status_code, ServiceError)


def error_from_response(
    response: httpx2.Response, body: bytes, *, retry_after: float | None = None
) -> ServiceError:
    """Map an error response to its exception; never raises while parsing the body."""
    status = response.status_code
    error_class = error_class_for(status)
    # The module that reads generated models parses the body (imported here: it imports
    # this module).
    from ._operations import _parse_azure_error

    parsed = _parse_azure_error(body, response)
    if parsed is not None:
        message = parsed.pop("message") or _summarize_body(body) or response.reason_phrase
        return error_class(
            message,
            status_code=status,
            headers=response.headers,
            retry_after=retry_after,
            **parsed,
        )
    if 300 <= status < 400:
        location = response.headers.get("location", "")
        message = (
            f"redirect to {_origin_of(location)} not followed: credentials stay with the endpoint"
        )
    else:
        message = _summarize_body(body) or response.reason_phrase or "no error body"
    return error_class(
        message, status_code=status, headers=response.headers, retry_after=retry_after
    )


def _summarize_body(body: bytes) -> str:
    text = " ".join(body[:MESSAGE_BODY_LIMIT].decode("utf-8", "replace").split())
    return text + (" …" if len(body) > MESSAGE_BODY_LIMIT else "")


def _origin_of(url: str) -> str:
    try:
        parsed = httpx2.URL(url)
    except (httpx2.InvalidURL, TypeError):
        return "another location"
    return f"{parsed.scheme}://{parsed.netloc.decode('ascii')}" if parsed.host else "another path"
