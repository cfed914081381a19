from typing import Any
from urllib.parse import quote

from ...models.upload_file_part_body import UploadFilePartBody
from ...types import UNSET


def build_upload_file_part_request(
    upload_id: str,
    *,
    body: UploadFilePartBody,
    api_version: str,
) -> dict[str, Any]:
    """`POST /uploads/{upload_id}/parts`: method, url (relative to the server) and params, and the body.

    The body is under "files": the multipart/form-data parts, a list of
    (field name, (filename, content, media type)); the sender writes the boundary.

    Adds a Part to an Upload object, where each Part represents a segment of the file you are
    uploading. You can continue adding Parts until reaching the Upload size limit of 9 GB.
    """

    params: dict[str, Any] = {}

    params["api-version"] = api_version

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/uploads/{upload_id}/parts".format(
            upload_id=quote(str(upload_id), safe=""),
        ),
        "params": params,
    }
    _kwargs["files"] = body.to_multipart()

    return _kwargs
