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
    "id": (str,),
    "bytes": (int, type(None)),
    "created_at": (int,),
    "filename": (str,),
    "object": (str,),
    "purpose": (str,),
    "status": (str,),
    "expires_at": (int, type(None)),
    "status_details": (type(None), str),
}


@_attrs_define
class FileObject:
    """
    Attributes:
        id (str): The file identifier, which can be referenced in the API endpoints.
        bytes_ (int | None): The size of the file, in bytes.
        created_at (int): The Unix timestamp (in seconds) for when the file was created.
        filename (str): The name of the file.
        object_ (str | TypeDiscriminator): The object type, which is always `file`.
        purpose (Purpose | str):
        status (FileState | str):
        expires_at (int | None | Unset): The Unix timestamp (in seconds) for when the file will expire.
        status_details (None | str | Unset): Deprecated. For details on why a fine-tuning training file failed
            validation, see the `error` field on `fine_tuning.job`.
    """

    id: str
    bytes_: int | None
    created_at: int
    filename: str
    object_: str | TypeDiscriminator
    purpose: Purpose | str
    status: FileState | str
    expires_at: int | None | Unset = UNSET
    status_details: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        bytes_: int | None
        bytes_ = self.bytes_

        created_at = self.created_at

        filename = self.filename

        object_: str
        if isinstance(self.object_, TypeDiscriminator):
            object_ = self.object_.value
        else:
            object_ = self.object_

        purpose: str
        if isinstance(self.purpose, Purpose):
            purpose = self.purpose.value
        else:
            purpose = self.purpose

        status: str
        if isinstance(self.status, FileState):
            status = self.status.value
        else:
            status = self.status

        expires_at: int | None | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        else:
            expires_at = self.expires_at

        status_details: None | str | Unset
        if isinstance(self.status_details, Unset):
            status_details = UNSET
        else:
            status_details = self.status_details

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "bytes": bytes_,
                "created_at": created_at,
                "filename": filename,
                "object": object_,
                "purpose": purpose,
                "status": status,
            }
        )
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if status_details is not UNSET:
            field_dict["status_details"] = status_details

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        check_json_types(src_dict, JSON_TYPES)
        d = dict(src_dict)
        id = d.pop("id")

        bytes_ = cast(int | None, d.pop("bytes"))

        created_at = d.pop("created_at")

        filename = d.pop("filename")

        def _parse_object_(data: object) -> str | TypeDiscriminator:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                object_type_0 = TypeDiscriminator(data)

                return object_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(str | TypeDiscriminator, data)

        object_ = _parse_object_(d.pop("object"))

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

        def _parse_status(data: object) -> FileState | str:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_file_state_value_type_0 = FileState(data)

                return componentsschemas_file_state_value_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FileState | str, data)

        status = _parse_status(d.pop("status"))

        expires_at = cast(int | None | Unset, d.pop("expires_at", UNSET))

        status_details = cast(None | str | Unset, d.pop("status_details", UNSET))

        file_object = cls(
            id=id,
            bytes_=bytes_,
            created_at=created_at,
            filename=filename,
            object_=object_,
            purpose=purpose,
            status=status,
            expires_at=expires_at,
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
