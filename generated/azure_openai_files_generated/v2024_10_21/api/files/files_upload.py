from typing import Any

from ...models.upload_file_request import UploadFileRequest
from ...types import UNSET


def build_files_upload_request(
    *,
    body: UploadFileRequest,
    api_version: str,
) -> dict[str, Any]:
    """`POST /files`: method, url (relative to the server) and params, and the body.

    The body is under "files": the multipart/form-data parts, a list of
    (field name, (filename, content, media type)); the sender writes the boundary.

    Creates a new file entity by uploading data from a local machine.
    """

    params: dict[str, Any] = {}

    params["api-version"] = api_version

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/files",
        "params": params,
    }
    _kwargs["files"] = body.to_multipart()

    return _kwargs
