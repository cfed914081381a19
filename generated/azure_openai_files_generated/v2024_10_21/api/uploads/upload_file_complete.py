from typing import Any
from urllib.parse import quote

from ...models.upload_file_complete_body import UploadFileCompleteBody
from ...types import UNSET


def build_upload_file_complete_request(
    upload_id: str,
    *,
    body: UploadFileCompleteBody,
    api_version: str,
) -> dict[str, Any]:
    """`POST /uploads/{upload_id}/complete`: method, url (relative to the server) and params, and the body.

    The body is under "json": the JSON-ready dict of the body model.

    Completes the Upload; the returned Upload object contains a nested File object that is ready
    for use. The order of the Parts is the order of `part_ids`. The total number of bytes
    uploaded must match the size specified when creating the Upload object.
    """

    params: dict[str, Any] = {}

    params["api-version"] = api_version

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/uploads/{upload_id}/complete".format(
            upload_id=quote(str(upload_id), safe=""),
        ),
        "params": params,
    }
    _kwargs["json"] = body.to_dict()

    return _kwargs
