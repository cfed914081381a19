"""Contains all the data models used in inputs/outputs"""

from .error import Error
from .error_code import ErrorCode
from .error_response import ErrorResponse
from .file_object import FileObject
from .file_state import FileState
from .inner_error import InnerError
from .inner_error_code import InnerErrorCode
from .purpose import Purpose
from .type_discriminator import TypeDiscriminator

__all__ = (
    "Error",
    "ErrorCode",
    "ErrorResponse",
    "FileObject",
    "FileState",
    "InnerError",
    "InnerErrorCode",
    "Purpose",
    "TypeDiscriminator",
)
