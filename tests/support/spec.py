"""Whether a recorded response is what its api-version's OpenAPI document allows
(openapi-core): `spec_violations(recording)` names each offending field, [] when valid."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from tests.support.paths import ROOT
from tests.support.replay import Recording

OPENAPI_DIR = ROOT / "openapi"


# How openapi-core turns a body into the value its schema checks, per media type. By default
# it JSON-decodes application/json and hands application/octet-stream over as bytes. Two
# kinds of recorded response need the other reading (both are what the docs promise):
# - FILE_BYTES, a 200 of Files_GetContent: the body is the file's bytes whatever the media
#   type, so a file served as application/json is checked as bytes (`string/binary`), not
#   as the JSON value it may or may not parse to;
# - ERROR_JSON, any error: the docs list application/octet-stream for errors too, with the
#   ErrorResponse shape, so such a body is JSON-decoded before the schema applies.
FILE_BYTES = "file-bytes"
ERROR_JSON = "error-json"
DEFAULT = "default"
_DESERIALIZERS: dict[str, dict[str, Callable[[bytes], Any]]] = {
    DEFAULT: {},
    FILE_BYTES: {"application/json": bytes},
    ERROR_JSON: {"application/octet-stream": json.loads},
}


@cache
def _openapi(api_version: str, reading: str = DEFAULT) -> OpenAPI:
    config = Config(extra_media_type_deserializers=_DESERIALIZERS[reading])
    return OpenAPI.from_file_path(str(OPENAPI_DIR / f"{api_version}.yaml"), config=config)


def _reading(recording: Recording) -> str:
    if not 200 <= recording.status < 300:
        return ERROR_JSON
    return FILE_BYTES if recording.operation == "Files_GetContent" else DEFAULT


def spec_violations(recording: Recording) -> list[str]:
    """What the matching OpenAPI document rejects in `recording`'s response ([] if valid)."""
    api = _openapi(recording.api_version, _reading(recording))
    request = MockRequest(
        recording.endpoint, recording.method.lower(), recording.request_path, args=recording.query
    )
    mimetype = recording.content_type.split(";", 1)[0].strip()
    response = MockResponse(
        recording.body_bytes(), recording.status, recording.headers, content_type=mimetype
    )
    problems = []
    for error in api.iter_response_errors(request, response):
        schema_errors = getattr(error.__cause__, "schema_errors", None) or ()
        if not schema_errors:
            problems.append(f"{type(error).__name__}: {error}")
        for schema_error in schema_errors:
            where = ".".join(str(p) for p in schema_error.absolute_path) or "<body>"
            problems.append(f"field {where}: {schema_error.message}")
    return [f"{recording.path}: {problem}" for problem in problems]
