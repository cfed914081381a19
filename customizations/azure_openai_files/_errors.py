"""The exception hierarchy (which response becomes which error: `_responses`).

Every error raised by the public API is a `FilesError`. Service errors carry Azure's error
fields (code, message, target, details, innererror) and the request ids support asks for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._transport import ResponseHead

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


class _RefusedArgument(Exception):
    """A caller's argument refused before anything is sent: `parameter` names it, `reason`
    says what is wrong (the message is both), so a caller such as the command line can word
    it for its own options."""

    def __init__(self, parameter: str, reason: str) -> None:
        self.parameter = parameter
        self.reason = reason
        super().__init__(f"{parameter} {reason}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.parameter, self.reason))


class InvalidArgument(_RefusedArgument, ValueError):
    """An argument of the right type but an unusable value."""


class InvalidArgumentType(_RefusedArgument, TypeError):
    """An argument of a type the parameter does not take."""


class DestinationExistsError(FileExistsError):
    """A download's destination exists and the call did not ask to overwrite it."""

    def __init__(self, destination: str) -> None:
        self.destination = destination
        super().__init__(f"destination {destination} exists; pass overwrite=True to replace it")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.destination,))


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
        # Names in lower case, whichever transport's headers these are.
        self.headers: dict[str, str] = {k.lower(): v for k, v in (headers or {}).items()}
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


class UnsupportedOperationError(FilesError):
    """The client's api-version has no such operation; raised before anything is sent.
    `supported_by` names the api-versions that have it."""

    def __init__(self, operation: str, api_version: str, supported_by: tuple[str, ...]) -> None:
        self.operation = operation
        self.api_version = api_version
        self.supported_by = supported_by
        versions = ", ".join(supported_by) or "none of the supported api-versions"
        super().__init__(
            f"{operation} is not available in api-version {api_version}; it is in: {versions}"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.operation, self.api_version, self.supported_by))


class OutcomeUnknownError(FilesError):
    """A call that creates something (an upload, an import) failed after its request went
    out, and the service may have done it: its answer was lost, or did not say. The failure
    is chained as `__cause__`. Look before sending it again (`list_files`), or the file may
    be there twice."""

    def __init__(self, message: str, *, client_request_id: str | None = None) -> None:
        self.client_request_id = client_request_id
        super().__init__(message)


class UploadNotResendableError(FilesError):
    """An upload had to be sent again (the service asked for a retry, or the connection
    failed), but its body came from a stream that cannot be rewound and was already read.
    The failure that needed the resend is chained as `__cause__`; pass a path, bytes or a
    seekable file to have such uploads retried."""


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


def sent_client_request_id(response: ResponseHead) -> str | None:
    """The `x-ms-client-request-id` the request carried (None for a response built by hand)."""
    try:
        value: str | None = response.request.headers.get("x-ms-client-request-id")
    except RuntimeError:  # a Response without a request
        return None
    return value


def scrub_secrets(error: BaseException, secrets: list[str]) -> None:
    """Replace each secret (longest first) in `error`'s message and text attributes, and in
    the errors chained to it, where a service that echoes its input may have put them."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        current.args = tuple(_scrub(arg, secrets) for arg in current.args)
        for name, value in vars(current).items():
            setattr(current, name, _scrub(value, secrets))
        if hasattr(current, "__notes__"):
            current.__notes__ = [_scrub(note, secrets) for note in current.__notes__]
        pending += [current.__cause__, current.__context__]


def _scrub(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, "REDACTED")
        return value
    if isinstance(value, list):
        return [_scrub(item, secrets) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, secrets) for key, item in value.items()}
    return value
