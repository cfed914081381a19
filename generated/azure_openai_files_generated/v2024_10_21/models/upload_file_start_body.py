from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.purpose import Purpose
from ..types import check_json_types

T = TypeVar("T", bound="UploadFileStartBody")


# JSON field name -> the JSON types the document allows; `from_dict` checks them first.
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "purpose": (str,),
    "filename": (str,),
    "bytes": (int,),
    "mime_type": (str,),
}


@_attrs_define
class UploadFileStartBody:
    """
    Attributes:
        purpose (Purpose): The intended purpose of the uploaded documents.
        filename (str):
        bytes_ (int):
        mime_type (str):
    """

    purpose: Purpose
    filename: str
    bytes_: int
    mime_type: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        purpose = self.purpose.value

        filename = self.filename

        bytes_ = self.bytes_

        mime_type = self.mime_type

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "purpose": purpose,
                "filename": filename,
                "bytes": bytes_,
                "mime_type": mime_type,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        check_json_types(src_dict, JSON_TYPES)
        d = dict(src_dict)
        purpose = Purpose(d.pop("purpose"))

        filename = d.pop("filename")

        bytes_ = d.pop("bytes")

        mime_type = d.pop("mime_type")

        upload_file_start_body = cls(
            purpose=purpose,
            filename=filename,
            bytes_=bytes_,
            mime_type=mime_type,
        )

        upload_file_start_body.additional_properties = d
        return upload_file_start_body

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
