from typing import Any
from urllib.parse import quote

from ...types import UNSET


def build_files_get_content_request(
    file_id: str,
    *,
    api_version: str,
) -> dict[str, Any]:
    """`GET /files/{file_id}/content`: method, url (relative to the server) and params.

    Gets the content of the file specified by the given file-id.
    """

    params: dict[str, Any] = {}

    params["api-version"] = api_version

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/files/{file_id}/content".format(
            file_id=quote(str(file_id), safe=""),
        ),
        "params": params,
    }
    return _kwargs
