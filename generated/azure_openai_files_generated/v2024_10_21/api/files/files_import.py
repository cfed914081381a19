from typing import Any

from ...models.file_import import FileImport
from ...types import UNSET


def build_files_import_request(
    *,
    body: FileImport,
    api_version: str,
) -> dict[str, Any]:
    """`POST /files/import`: method, url (relative to the server) and params, and the body.

    The body is under "json": the JSON-ready dict of the body model.

    Creates a new file entity by importing data from a provided url.
    """

    params: dict[str, Any] = {}

    params["api-version"] = api_version

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/files/import",
        "params": params,
    }
    _kwargs["json"] = body.to_dict()

    return _kwargs
