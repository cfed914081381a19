"""Typed client for the Azure OpenAI Files API: file metadata and verified, streamed downloads.

from azure_openai_files import FilesClient

with FilesClient("https://myresource.openai.azure.com", api_key=key) as client:
    info = client.get_file("file-abc123")
    client.download_file("file-abc123", "results.jsonl")
"""

from typing import TYPE_CHECKING, Any

from ._async_streaming import AsyncContentStream
from ._errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    CredentialError,
    FileProcessingError,
    FilesError,
    IncompleteDownloadError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    ServiceError,
    TransportError,
    UnexpectedResponseError,
    WaitTimeoutError,
)
from ._models import FileObject, FileState, Purpose
from ._sync_client import FilesClient
from ._sync_streaming import ContentStream
from ._throttle import RetryBudget
from ._version import DEFAULT_API_VERSION, SUPPORTED_API_VERSIONS, __version__

if TYPE_CHECKING:
    from ._async_client import AsyncFilesClient


def __getattr__(name: str) -> Any:
    # AsyncFilesClient imports asyncio (~15 ms); services that only use FilesClient skip it.
    if name == "AsyncFilesClient":
        from ._async_client import AsyncFilesClient

        return AsyncFilesClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_API_VERSION",
    "SUPPORTED_API_VERSIONS",
    "AsyncContentStream",
    "AsyncFilesClient",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "ContentStream",
    "CredentialError",
    "FileObject",
    "FileProcessingError",
    "FileState",
    "FilesClient",
    "FilesError",
    "IncompleteDownloadError",
    "NotFoundError",
    "PermissionDeniedError",
    "Purpose",
    "RateLimitError",
    "RequestTimeoutError",
    "RetryBudget",
    "ServerError",
    "ServiceError",
    "TransportError",
    "UnexpectedResponseError",
    "WaitTimeoutError",
    "__version__",
]
