"""Contains all the data models used in inputs/outputs"""

from .error import Error
from .error_code import ErrorCode
from .error_response import ErrorResponse
from .file_import import FileImport
from .file_list import FileList
from .file_object import FileObject
from .file_state import FileState
from .inner_error import InnerError
from .inner_error_code import InnerErrorCode
from .purpose import Purpose
from .type_discriminator import TypeDiscriminator
from .upload_file_request import UploadFileRequest
from .upload_purpose import UploadPurpose

__all__ = (
    "Error",
    "ErrorCode",
    "ErrorResponse",
    "FileImport",
    "FileList",
    "FileObject",
    "FileState",
    "InnerError",
    "InnerErrorCode",
    "Purpose",
    "TypeDiscriminator",
    "UploadFileRequest",
    "UploadPurpose",
)
