from typing import Any
from urllib.parse import quote

from ...types import UNSET


def build_upload_file_cancel_request(
    upload_id: str,
    *,
    api_version: str,
) -> dict[str, Any]:
    """`POST /uploads/{upload_id}/cancel`: method, url (relative to the server) and params.

    Cancels the Upload; all uploaded parts are deleted asynchronously. No Parts may be added
    after an Upload is cancelled.
    """

    params: dict[str, Any] = {}

    params["api-version"] = api_version

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/uploads/{upload_id}/cancel".format(
            upload_id=quote(str(upload_id), safe=""),
        ),
        "params": params,
    }
    return _kwargs
