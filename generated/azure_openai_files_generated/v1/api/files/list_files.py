from typing import Any

from ...models.azure_ai_foundry_models_api_version import AzureAIFoundryModelsApiVersion
from ...models.list_order import ListOrder
from ...types import UNSET, Unset


def build_list_files_request(
    *,
    api_version: AzureAIFoundryModelsApiVersion | Unset = UNSET,
    purpose: str | Unset = UNSET,
    after: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    order: ListOrder | Unset = UNSET,
) -> dict[str, Any]:
    """`GET /v1/files`: method, url (relative to the server) and params.

    Returns a list of files.
    """

    params: dict[str, Any] = {}

    json_api_version: str | Unset = UNSET
    if not isinstance(api_version, Unset):
        json_api_version = api_version.value

    params["api-version"] = json_api_version

    params["purpose"] = purpose

    params["after"] = after

    params["limit"] = limit

    json_order: str | Unset = UNSET
    if not isinstance(order, Unset):
        json_order = order.value

    params["order"] = json_order

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/files",
        "params": params,
    }
    return _kwargs
