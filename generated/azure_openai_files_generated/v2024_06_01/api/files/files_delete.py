from typing import Any
from urllib.parse import quote

from ...types import UNSET


def build_files_delete_request(
    file_id: str,
    *,
    api_version: str,
) -> dict[str, Any]:
    """`DELETE /files/{file_id}`: method, url (relative to the server) and params.

    Deletes the file with the given file-id. Deletion is also allowed if a file was used, e.g.,
    as training file in a fine-tune job.
    """

    params: dict[str, Any] = {}

    params["api-version"] = api_version

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/files/{file_id}".format(
            file_id=quote(str(file_id), safe=""),
        ),
        "params": params,
    }
    return _kwargs
