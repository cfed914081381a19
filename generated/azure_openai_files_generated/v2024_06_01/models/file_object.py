from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.file_state import FileState
from ..models.purpose import Purpose
from ..models.type_discriminator import TypeDiscriminator
from ..types import UNSET, Unset, check_json_types

T = TypeVar("T", bound="FileObject")


# JSON field name -> the JSON types the document allows; `from_dict` checks them first.
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "purpose": (str,),
    "filename": (str,),
    "object": (type(None), str),
    "id": (type(None), str),
    "bytes": (int, type(None)),
    "created_at": (int, type(None)),
    "status": (type(None), str),
    "status_details": (type(None), str),
}


@_attrs_define
class FileObject:
    """A file is a document usable for training and validation.

    Attributes:
        purpose (Purpose | str):
        filename (str): The name of the file.
        object_ (None | str | TypeDiscriminator | Unset):
        id (None | str | Unset): The identity of this item.
        bytes_ (int | None | Unset): The size of this file when available (can be null).
        created_at (int | None | Unset): A timestamp when this job or item was created (in unix epochs).
        status (FileState | None | str | Unset):
        status_details (None | str | Unset): The error message with details in case processing of this file failed.
    """

    purpose: Purpose | str
    filename: str
    object_: None | str | TypeDiscriminator | Unset = UNSET
    id: None | str | Unset = UNSET
    bytes_: int | None | Unset = UNSET
    created_at: int | None | Unset = UNSET
    status: FileState | None | str | Unset = UNSET
    status_details: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        purpose: str
        if isinstance(self.purpose, Purpose):
            purpose = self.purpose.value
        else:
            purpose = self.purpose

        filename = self.filename

        object_: None | str | Unset
        if isinstance(self.object_, Unset):
            object_ = UNSET
        elif isinstance(self.object_, TypeDiscriminator):
            object_ = self.object_.value
        else:
            object_ = self.object_

        id: None | str | Unset
        if isinstance(self.id, Unset):
            id = UNSET
        else:
            id = self.id

        bytes_: int | None | Unset
        if isinstance(self.bytes_, Unset):
            bytes_ = UNSET
        else:
            bytes_ = self.bytes_

        created_at: int | None | Unset
        if isinstance(self.created_at, Unset):
            created_at = UNSET
        else:
            created_at = self.created_at

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, FileState):
            status = self.status.value
        else:
            status = self.status

        status_details: None | str | Unset
        if isinstance(self.status_details, Unset):
            status_details = UNSET
        else:
            status_details = self.status_details

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "purpose": purpose,
                "filename": filename,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_
        if id is not UNSET:
            field_dict["id"] = id
        if bytes_ is not UNSET:
            field_dict["bytes"] = bytes_
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if status is not UNSET:
            field_dict["status"] = status
        if status_details is not UNSET:
            field_dict["status_details"] = status_details

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        check_json_types(src_dict, JSON_TYPES)
        d = dict(src_dict)

        def _parse_purpose(data: object) -> Purpose | str:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_purpose_value_type_0 = Purpose(data)

                return componentsschemas_purpose_value_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Purpose | str, data)

        purpose = _parse_purpose(d.pop("purpose"))

        filename = d.pop("filename")

        def _parse_object_(data: object) -> None | str | TypeDiscriminator | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_type_discriminator_value_type_0 = TypeDiscriminator(
                    data
                )

                return componentsschemas_type_discriminator_value_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | str | TypeDiscriminator | Unset, data)

        object_ = _parse_object_(d.pop("object", UNSET))

        id = cast(None | str | Unset, d.pop("id", UNSET))

        bytes_ = cast(int | None | Unset, d.pop("bytes", UNSET))

        created_at = cast(int | None | Unset, d.pop("created_at", UNSET))

        def _parse_status(data: object) -> FileState | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_file_state_value_type_0 = FileState(data)

                return componentsschemas_file_state_value_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FileState | None | str | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        status_details = cast(None | str | Unset, d.pop("status_details", UNSET))

        file_object = cls(
            purpose=purpose,
            filename=filename,
            object_=object_,
            id=id,
            bytes_=bytes_,
            created_at=created_at,
            status=status,
            status_details=status_details,
        )

        file_object.additional_properties = d
        return file_object

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
