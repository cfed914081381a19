"""Contains all the data models used in inputs/outputs"""

from .error import Error
from .error_code import ErrorCode
from .error_response import ErrorResponse
from .expires_after import ExpiresAfter
from .expiry_anchor import ExpiryAnchor
from .file_delete import FileDelete
from .file_import import FileImport
from .file_list import FileList
from .file_object import FileObject
from .file_state import FileState
from .inner_error import InnerError
from .inner_error_code import InnerErrorCode
from .list_order import ListOrder
from .purpose import Purpose
from .type_discriminator import TypeDiscriminator
from .upload import Upload
from .upload_file_complete_body import UploadFileCompleteBody
from .upload_file_part_body import UploadFilePartBody
from .upload_file_request import UploadFileRequest
from .upload_file_start_body import UploadFileStartBody
from .upload_part import UploadPart
from .upload_purpose import UploadPurpose
from .upload_status import UploadStatus

__all__ = (
    "Error",
    "ErrorCode",
    "ErrorResponse",
    "ExpiresAfter",
    "ExpiryAnchor",
    "FileDelete",
    "FileImport",
    "FileList",
    "FileObject",
    "FileState",
    "InnerError",
    "InnerErrorCode",
    "ListOrder",
    "Purpose",
    "TypeDiscriminator",
    "Upload",
    "UploadFileCompleteBody",
    "UploadFilePartBody",
    "UploadFileRequest",
    "UploadFileStartBody",
    "UploadPart",
    "UploadPurpose",
    "UploadStatus",
)
