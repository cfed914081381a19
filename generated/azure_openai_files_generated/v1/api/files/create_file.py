from typing import Any

from ...models.azure_ai_foundry_models_api_version import AzureAIFoundryModelsApiVersion
from ...models.upload_file_request import UploadFileRequest
from ...types import UNSET, Unset


def build_create_file_request(
    *,
    body: UploadFileRequest,
    api_version: AzureAIFoundryModelsApiVersion | Unset = UNSET,
) -> dict[str, Any]:
    """`POST /v1/files`: method, url (relative to the server) and params, and the body.

    The body is under "files": the multipart/form-data parts, a list of
    (field name, (filename, content, media type)); the sender writes the boundary.

    Uploads a file.
    """

    params: dict[str, Any] = {}

    json_api_version: str | Unset = UNSET
    if not isinstance(api_version, Unset):
        json_api_version = api_version.value

    params["api-version"] = json_api_version

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/files",
        "params": params,
    }
    _kwargs["files"] = body.to_multipart()

    return _kwargs
