from typing import Any

from ...models.upload_file_start_body import UploadFileStartBody
from ...types import UNSET


def build_upload_file_start_request(
    *,
    body: UploadFileStartBody,
    api_version: str,
) -> dict[str, Any]:
    """`POST /uploads`: method, url (relative to the server) and params, and the body.

    The body is under "json": the JSON-ready dict of the body model.

    An intermediate Upload object is created, allowing you to add Parts to it. Currently, an
    Upload size can be a maximum of 9 GB in total and will expire two hours after being created.
    After the Upload is completed a File object will be generated, containing all the uploaded
    parts.
    """

    params: dict[str, Any] = {}

    params["api-version"] = api_version

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/uploads",
        "params": params,
    }
    _kwargs["json"] = body.to_dict()

    return _kwargs
