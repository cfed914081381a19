"""The only module that calls into generated/: request shapes come from the generated
operation builders, so routes, parameter names and path encoding follow the spec.

Why these are patched (remove an item when the generator covers it):
1. The generated builders percent-encode the file id with `quote(id, safe="")`, which leaves
   the dot segments `.` and `..` intact; httpx2 then resolves them (`/files/..` becomes
   `/openai/`). Such ids are refused here before anything is sent.
2. The generated `sync_detailed` functions read whole bodies and JSON-decode error bodies
   unconditionally; the pipeline sends the built request itself and parses with the
   generated models only where the contract holds.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2

from azure_openai_files_generated.api.files import files_get, files_get_content

from ._errors import UnexpectedResponseError
from ._models import FileObject


def validate_file_id(file_id: object) -> str:
    if not isinstance(file_id, str):
        raise TypeError(f"file_id must be a str, not {type(file_id).__name__}")
    if not file_id.strip():
        raise ValueError("file_id must not be empty or blank")
    if file_id in (".", ".."):
        raise ValueError(f"file_id {file_id!r} is not a file id")
    return file_id


def get_file_request(file_id: str, api_version: str) -> dict[str, Any]:
    """method, url (relative to {endpoint}/openai) and params of Files - Get."""
    return files_get._get_kwargs(validate_file_id(file_id), api_version=api_version)


def get_file_content_request(file_id: str, api_version: str) -> dict[str, Any]:
    """method, url (relative to {endpoint}/openai) and params of Files - Get Content."""
    return files_get_content._get_kwargs(validate_file_id(file_id), api_version=api_version)


def parse_file(response: httpx2.Response) -> FileObject:
    """The 200 body of Files - Get; a body that breaks the contract is a typed error."""
    try:
        return FileObject.from_dict(json.loads(response.content))
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        problem = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
        raise UnexpectedResponseError(
            f"file metadata does not match the API contract: {problem}",
            status_code=response.status_code,
            headers=response.headers,
        ) from exc
