from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.file_state import FileState
from ..models.purpose import Purpose
from ..models.type_discriminator import TypeDiscriminator
from ..types import UNSET, Unset

T = TypeVar("T", bound="FileObject")


@_attrs_define
class FileObject:
    """A file is a document usable for training and validation.

    Attributes:
        purpose (Purpose | str):
        filename (str): The name of the file.
        object_ (str | TypeDiscriminator | Unset):
        id (str | Unset): The identity of this item.
        bytes_ (int | None | Unset): The size of this file when available (can be null).
        created_at (int | Unset): A timestamp when this job or item was created (in unix epochs).
        status (FileState | str | Unset):
        status_details (str | Unset): The error message with details in case processing of this file failed.
    """

    purpose: Purpose | str
    filename: str
    object_: str | TypeDiscriminator | Unset = UNSET
    id: str | Unset = UNSET
    bytes_: int | None | Unset = UNSET
    created_at: int | Unset = UNSET
    status: FileState | str | Unset = UNSET
    status_details: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        purpose: str
        if isinstance(self.purpose, Purpose):
            purpose = self.purpose.value
        else:
            purpose = self.purpose

        filename = self.filename

        object_: str | Unset
        if isinstance(self.object_, Unset):
            object_ = UNSET
        elif isinstance(self.object_, TypeDiscriminator):
            object_ = self.object_.value
        else:
            object_ = self.object_

        id = self.id

        bytes_: int | None | Unset
        if isinstance(self.bytes_, Unset):
            bytes_ = UNSET
        else:
            bytes_ = self.bytes_

        created_at = self.created_at

        status: str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, FileState):
            status = self.status.value
        else:
            status = self.status

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

        def _parse_object_(data: object) -> str | TypeDiscriminator | Unset:
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
            return cast(str | TypeDiscriminator | Unset, data)

        object_ = _parse_object_(d.pop("object", UNSET))

        id = d.pop("id", UNSET)

        def _parse_bytes_(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        bytes_ = _parse_bytes_(d.pop("bytes", UNSET))

        created_at = d.pop("created_at", UNSET)

        def _parse_status(data: object) -> FileState | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_file_state_value_type_0 = FileState(data)

                return componentsschemas_file_state_value_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FileState | str | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        status_details = d.pop("status_details", UNSET)

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
