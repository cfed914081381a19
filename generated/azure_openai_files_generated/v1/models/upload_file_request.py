from __future__ import annotations

import json
from collections.abc import Mapping
from io import BytesIO
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from .. import types
from ..models.upload_purpose import UploadPurpose
from ..types import File, check_json_types

if TYPE_CHECKING:
    from ..models.expires_after import ExpiresAfter


T = TypeVar("T", bound="UploadFileRequest")


# JSON field name -> the JSON types the document allows; `from_dict` checks them first.
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "expires_after": (dict,),
    "purpose": (str,),
}


@_attrs_define
class UploadFileRequest:
    """
    Attributes:
        file (File):
        expires_after (ExpiresAfter):
        purpose (UploadPurpose): The intended purpose of the uploaded file: `assistants` (Assistants API), `batch`
            (Batch API), `fine-tune` (fine-tuning), `evals` (eval data sets).
    """

    file: File
    expires_after: ExpiresAfter
    purpose: UploadPurpose
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        file = self.file.to_tuple()

        expires_after = self.expires_after.to_dict()

        purpose = self.purpose.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "file": file,
                "expires_after": expires_after,
                "purpose": purpose,
            }
        )

        return field_dict

    def to_multipart(self) -> types.RequestFiles:
        files: types.RequestFiles = []

        files.append(("file", self.file.to_tuple()))

        files.append(
            (
                "expires_after",
                (
                    None,
                    json.dumps(self.expires_after.to_dict()).encode(),
                    "application/json",
                ),
            )
        )

        files.append(
            ("purpose", (None, str(self.purpose.value).encode(), "text/plain"))
        )

        for prop_name, prop in self.additional_properties.items():
            files.append((prop_name, (None, str(prop).encode(), "text/plain")))

        return files

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.expires_after import ExpiresAfter  # noqa: PLC0415

        check_json_types(src_dict, JSON_TYPES)
        d = dict(src_dict)
        file = File(payload=BytesIO(d.pop("file")))

        expires_after = ExpiresAfter.from_dict(d.pop("expires_after"))

        purpose = UploadPurpose(d.pop("purpose"))

        upload_file_request = cls(
            file=file,
            expires_after=expires_after,
            purpose=purpose,
        )

        upload_file_request.additional_properties = d
        return upload_file_request

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
