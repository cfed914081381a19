"""Contains all the data models used in inputs/outputs"""

from .azure_ai_foundry_models_api_version import AzureAIFoundryModelsApiVersion
from .error import Error
from .error_response import ErrorResponse
from .expires_after import ExpiresAfter
from .expiry_anchor import ExpiryAnchor
from .file_delete import FileDelete
from .file_list import FileList
from .file_object import FileObject
from .file_state import FileState
from .list_order import ListOrder
from .purpose import Purpose
from .type_discriminator import TypeDiscriminator
from .upload_file_request import UploadFileRequest
from .upload_purpose import UploadPurpose

__all__ = (
    "AzureAIFoundryModelsApiVersion",
    "Error",
    "ErrorResponse",
    "ExpiresAfter",
    "ExpiryAnchor",
    "FileDelete",
    "FileList",
    "FileObject",
    "FileState",
    "ListOrder",
    "Purpose",
    "TypeDiscriminator",
    "UploadFileRequest",
    "UploadPurpose",
)
