"""Typed client for the Azure OpenAI Files API: list, upload, import and delete files, read
their metadata, and download their content verified and streamed.

from azure_openai_files import FilesClient

with FilesClient("https://myresource.openai.azure.com", api_key=key) as client:
    info = client.get_file("file-abc123")
    client.download_file("file-abc123", "results.jsonl")
"""

from typing import TYPE_CHECKING, Any

from ._async_paging import AsyncFilePager
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
    OutcomeUnknownError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    ServiceError,
    TransportError,
    UnexpectedResponseError,
    UnsupportedOperationError,
    UploadNotResendableError,
    WaitTimeoutError,
)
from ._models import FileDeletionStatus, FileObject, FileState, Purpose
from ._sync_client import FilesClient
from ._sync_paging import FilePager
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
    if name == "AsyncFilePager":
        return AsyncFilePager
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_API_VERSION",
    "SUPPORTED_API_VERSIONS",
    "AsyncContentStream",
    "AsyncFilePager",
    "AsyncFilesClient",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "ContentStream",
    "CredentialError",
    "FileDeletionStatus",
    "FileObject",
    "FilePager",
    "FileProcessingError",
    "FileState",
    "FilesClient",
    "FilesError",
    "IncompleteDownloadError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "Purpose",
    "RateLimitError",
    "RequestTimeoutError",
    "RetryBudget",
    "ServerError",
    "ServiceError",
    "TransportError",
    "UnexpectedResponseError",
    "UnsupportedOperationError",
    "UploadNotResendableError",
    "WaitTimeoutError",
    "__version__",
]
