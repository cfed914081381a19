from typing import Any
from urllib.parse import quote

from ...models.azure_ai_foundry_models_api_version import AzureAIFoundryModelsApiVersion
from ...types import UNSET, Unset


def build_delete_file_request(
    file_id: str,
    *,
    api_version: AzureAIFoundryModelsApiVersion | Unset = UNSET,
) -> dict[str, Any]:
    """`DELETE /v1/files/{file_id}`: method, url (relative to the server) and params.

    Deletes a file.
    """

    params: dict[str, Any] = {}

    json_api_version: str | Unset = UNSET
    if not isinstance(api_version, Unset):
        json_api_version = api_version.value

    params["api-version"] = json_api_version

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/v1/files/{file_id}".format(
            file_id=quote(str(file_id), safe=""),
        ),
        "params": params,
    }
    return _kwargs
