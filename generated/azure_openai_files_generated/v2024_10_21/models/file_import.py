from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.purpose import Purpose
from ..types import check_json_types

T = TypeVar("T", bound="FileImport")


# JSON field name -> the JSON types the document allows; `from_dict` checks them first.
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "purpose": (str,),
    "filename": (str,),
    "content_url": (str,),
}


@_attrs_define
class FileImport:
    """Defines a document to import from an external content url to be usable with Azure OpenAI.

    Attributes:
        purpose (Purpose): The intended purpose of the uploaded documents.
        filename (str): The name of the JSON Lines file to be uploaded. If the purpose is set to "fine-tune", each line
            is a JSON record with "prompt" and "completion" fields representing your training examples.
        content_url (str): The url to download the document from (can be SAS url of a blob or any other external url
            accessible with a GET request).
    """

    purpose: Purpose
    filename: str
    content_url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        purpose = self.purpose.value

        filename = self.filename

        content_url = self.content_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "purpose": purpose,
                "filename": filename,
                "content_url": content_url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        check_json_types(src_dict, JSON_TYPES)
        d = dict(src_dict)
        purpose = Purpose(d.pop("purpose"))

        filename = d.pop("filename")

        content_url = d.pop("content_url")

        file_import = cls(
            purpose=purpose,
            filename=filename,
            content_url=content_url,
        )

        file_import.additional_properties = d
        return file_import

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
