"""The exception hierarchy, and the one place where an HTTP error response becomes one.

Every error raised by the public API is a `FilesError`. Service errors carry Azure's error
fields (code, message, target, details, innererror) and the request ids support asks for.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

import httpx2

# At most this much of a non-JSON error body goes into an exception message.
MESSAGE_BODY_LIMIT = 2048
# An HTML page (a gateway's 502) is cut to this many characters of its text.
HTML_EXCERPT_LIMIT = 200


# Control characters (C0, DEL, C1) and Unicode line breaks: what could end a log line or
# drive a terminal when a message from the service is printed.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """`text` on one line: each control character written as its Python escape (`\\n`,
    `\\x1b`), so text from the service cannot forge log lines or terminal output."""
    return _UNPRINTABLE.sub(lambda match: match.group().encode("unicode_escape").decode(), text)


def _rebuild(cls: type[FilesError], args: tuple[Any, ...], state: dict[str, Any]) -> FilesError:
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class FilesError(Exception):
    """Base class of every error this package raises."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception's default pickling calls `cls(*args)`, which the keyword-only constructors
        # below refuse; rebuild from the message and the attributes instead, so errors cross
        # process boundaries (multiprocessing, concurrent.futures) and survive deepcopy.
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


class CredentialError(FilesError):
    """The credential could not get a token; its own exception is chained as `__cause__`."""


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
        client_request_id: str | None = None,
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
        # The echo when the service sent one, else the id this client sent.
        self.client_request_id = (
            self.headers.get("x-ms-client-request-id") or client_request_id or None
        )
        self.retry_after = retry_after
        super().__init__(self._one_line())

    def _one_line(self) -> str:
        """The message: the service's code and message on one line (the raw text stays in
        `code` and `message`)."""
        context = f"HTTP {self.status_code}"
        if self.request_id:
            context += f", request id {self.request_id}"
        prefix = f"{self.code}: " if self.code else ""
        return printable(f"{prefix}{self.message} ({context})")


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
    """The request or response failed on the network (refused, reset, broken body).
    `client_request_id` is the `x-ms-client-request-id` the call sent, when known."""

    def __init__(self, message: str, *, client_request_id: str | None = None) -> None:
        self.client_request_id = client_request_id
        super().__init__(message)


class RequestTimeoutError(TransportError):
    """A connect/read timeout, or the call's overall deadline, ran out."""


class IncompleteDownloadError(TransportError):
    """A body ended before all of it arrived and the retry budget could not complete it."""

    def __init__(
        self,
        message: str,
        *,
        received: int,
        expected: int | None,
        client_request_id: str | None = None,
    ) -> None:
        self.received = received
        self.expected = expected
        super().__init__(message, client_request_id=client_request_id)


class FileProcessingError(FilesError):
    """`wait_for_processing` saw the file reach status `error`."""

    def __init__(self, file_id: str, status_details: str | None) -> None:
        self.file_id = file_id
        self.status_details = status_details
        super().__init__(
            printable(f"file {file_id} failed processing: {status_details or 'no details'}")
        )


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
    sent_id = sent_client_request_id(response)
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
            client_request_id=sent_id,
            **parsed,
        )
    if status == 304:
        # Only a conditional request earns a 304, and this client never sends one.
        message = "304 Not Modified to a request that was not conditional"
    elif 300 <= status < 400:
        location = response.headers.get("location", "")
        message = (
            f"redirect to {_origin_of(location)} not followed: credentials stay with the endpoint"
        )
    else:
        message = (
            _summarize_body(body, response.headers.get("content-type", ""))
            or response.reason_phrase
            or "no error body"
        )
    return error_class(
        message,
        status_code=status,
        headers=response.headers,
        retry_after=retry_after,
        client_request_id=sent_id,
    )


def sent_client_request_id(response: httpx2.Response) -> str | None:
    """The `x-ms-client-request-id` the request carried (None for a response built by hand)."""
    try:
        value: str | None = response.request.headers.get("x-ms-client-request-id")
    except RuntimeError:  # a Response without a request
        return None
    return value


_HIDDEN_HTML = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<[^>]*>")


def _summarize_body(body: bytes, content_type: str = "") -> str:
    """One line from a non-JSON error body; an HTML page is reduced to a short text excerpt."""
    text = body[:MESSAGE_BODY_LIMIT].decode("utf-8", "replace")
    cut = len(body) > MESSAGE_BODY_LIMIT
    if "html" in content_type.lower() or text.lstrip()[:1] == "<":
        text = html.unescape(_HTML_TAG.sub(" ", _HIDDEN_HTML.sub(" ", text)))
        words = " ".join(text.split())
        if len(words) > HTML_EXCERPT_LIMIT:
            words, cut = words[:HTML_EXCERPT_LIMIT].rstrip(), True
        return words + (" …" if cut and words else "")
    return " ".join(text.split()) + (" …" if cut else "")


def _origin_of(url: str) -> str:
    try:
        parsed = httpx2.URL(url)
    except (httpx2.InvalidURL, TypeError):
        return "another location"
    return f"{parsed.scheme}://{parsed.netloc.decode('ascii')}" if parsed.host else "another path"
