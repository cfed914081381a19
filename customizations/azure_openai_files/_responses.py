"""What a response means: the one place where an HTTP response becomes this package's
result (a `FileObject`) or its error (the `ServiceError` subclass of its status, with the
service's error fields and the request ids)."""

from __future__ import annotations

import contextlib
import html
import json
import re
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

import httpx2

from ._errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ServiceError,
    UnexpectedResponseError,
    sent_client_request_id,
)
from ._generated_api import api_version_of, parse_error_fields, parse_file_model
from ._models import FileDeletionStatus, FileObject
from ._paging import FilePage, page_fields
from ._transport import ResponseHead

# At most this much of a non-JSON error body goes into an exception message.
MESSAGE_BODY_LIMIT = 2048
# An HTML page (a gateway's 502) is cut to this many characters of its text.
HTML_EXCERPT_LIMIT = 200

_DECODER = json.JSONDecoder()
_JSON_WHITESPACE = " \t\n\r"


def read_json(body: bytes) -> Any:
    """`json.loads(body)`, with the same result and errors. A body in UTF-8 that starts with
    its value is parsed directly: `json.loads` matches the whitespace around a document with a
    regular expression at each end, which takes as long as parsing a file's metadata."""
    try:
        text = body.decode()
        value, end = _DECODER.raw_decode(text)
    except ValueError:  # another encoding, whitespace first, or not JSON: json.loads says
        return json.loads(body)
    if end != len(text) and text[end:].strip(_JSON_WHITESPACE):
        return json.loads(body)  # data after the document: json.loads refuses it
    return value


def parse_file(response: ResponseHead) -> FileObject:
    """The 200 body of the get-file operation, read by the generated model of the api-version
    that built the request; a body that breaks the contract is a typed error."""
    try:
        return FileObject(parse_file_model(read_json(response.content), api_version_of(response)))
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        problem = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
        raise UnexpectedResponseError(
            f"file metadata does not match the API contract: {problem}",
            status_code=response.status_code,
            headers=response.headers,
            client_request_id=sent_client_request_id(response),
        ) from exc


def parse_file_page(response: ResponseHead) -> FilePage:
    """One page of `GET /files`: each file read by the api-version's generated model."""
    api_version = api_version_of(response)
    with _contract(response, "file list"):
        items, has_more, last_id = page_fields(read_json(response.content))
        files = [FileObject(parse_file_model(item, api_version)) for item in items]
    return FilePage(files, has_more, last_id)


def parse_deletion(response: ResponseHead, file_id: str) -> FileDeletionStatus:
    """`DELETE /files/{id}`: 2024-06-01 answers 204 without a body, later versions a
    `{id, deleted}` object."""
    if response.status_code == 204 or not response.content.strip():
        return FileDeletionStatus(file_id, True)
    with _contract(response, "file deletion"):
        document = read_json(response.content)
        deleted = document["deleted"]
        if not isinstance(deleted, bool):
            raise TypeError(f"`deleted` is {type(deleted).__name__}, not a boolean")
        answered_id = document.get("id")
        return FileDeletionStatus(answered_id if isinstance(answered_id, str) else file_id, deleted)


def parse_resource_id(response: ResponseHead, what: str) -> str:
    """The `id` of an Uploads API resource (an upload, a part)."""
    with _contract(response, what):
        resource_id = read_json(response.content)["id"]
        if not isinstance(resource_id, str) or not resource_id:
            raise TypeError("`id` is not a non-empty string")
        return resource_id


def parse_completed_upload(response: ResponseHead) -> FileObject:
    """The file a completed upload made (its `file` field)."""
    with _contract(response, "completed upload"):
        document = read_json(response.content)
        status = document.get("status")
        if status not in (None, "completed"):
            raise ValueError(f"the upload's status is {status!r}, not 'completed'")
        return FileObject(parse_file_model(document["file"], api_version_of(response)))


@contextlib.contextmanager
def _contract(response: ResponseHead, what: str) -> Iterator[None]:
    """A success body that breaks the API contract becomes UnexpectedResponseError."""
    try:
        yield
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        problem = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
        raise UnexpectedResponseError(
            f"{what} does not match the API contract: {problem}",
            status_code=response.status_code,
            headers=response.headers,
            client_request_id=sent_client_request_id(response),
        ) from exc


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


def _reason_phrase(status: int) -> str:
    """The standard phrase of a status (every transport's; a server's own wording may differ)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def error_from_response(
    response: ResponseHead, body: bytes, *, retry_after: float | None = None
) -> ServiceError:
    """Map an error response to its exception; never raises while parsing the body."""
    status = response.status_code
    error_class = error_class_for(status)
    sent_id = sent_client_request_id(response)
    parsed = parse_error_fields(body, response)
    if parsed is not None:
        message = parsed.pop("message") or _summarize_body(body) or _reason_phrase(status)
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
            or _reason_phrase(status)
            or "no error body"
        )
    return error_class(
        message,
        status_code=status,
        headers=response.headers,
        retry_after=retry_after,
        client_request_id=sent_id,
    )


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
