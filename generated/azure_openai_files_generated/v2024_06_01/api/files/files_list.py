from typing import Any

from ...types import UNSET, Unset


def build_files_list_request(
    *,
    purpose: str | Unset = UNSET,
    api_version: str,
) -> dict[str, Any]:
    """`GET /files`: method, url (relative to the server) and params.

    Gets a list of all files owned by the Azure OpenAI resource.
    """

    params: dict[str, Any] = {}

    params["purpose"] = purpose

    params["api-version"] = api_version

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/files",
        "params": params,
    }
    return _kwargs
