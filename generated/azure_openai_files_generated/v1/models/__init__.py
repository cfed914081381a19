"""Contains all the data models used in inputs/outputs"""

from .azure_ai_foundry_models_api_version import AzureAIFoundryModelsApiVersion
from .error import Error
from .error_response import ErrorResponse
from .file_object import FileObject
from .file_state import FileState
from .purpose import Purpose
from .type_discriminator import TypeDiscriminator

__all__ = (
    "AzureAIFoundryModelsApiVersion",
    "Error",
    "ErrorResponse",
    "FileObject",
    "FileState",
    "Purpose",
    "TypeDiscriminator",
)
