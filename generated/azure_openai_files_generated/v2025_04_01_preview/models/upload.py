from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.purpose import Purpose
from ..models.type_discriminator import TypeDiscriminator
from ..models.upload_status import UploadStatus
from ..types import UNSET, Unset, check_json_types

if TYPE_CHECKING:
    from ..models.file_object import FileObject


T = TypeVar("T", bound="Upload")


# JSON field name -> the JSON types the document allows; `from_dict` checks them first.
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (type(None), str),
    "created_at": (int, type(None)),
    "id": (type(None), str),
    "bytes": (int, type(None)),
    "filename": (type(None), str),
    "purpose": (type(None), str),
    "status": (type(None), str),
    "expires_at": (int, type(None)),
    "file": (dict, type(None)),
}


@_attrs_define
class Upload:
    """
    Attributes:
        object_ (None | str | TypeDiscriminator | Unset):
        created_at (int | None | Unset): A timestamp when this job or item was created (in unix epochs).
        id (None | str | Unset): The identity of this item.
        bytes_ (int | None | Unset):
        filename (None | str | Unset):
        purpose (None | Purpose | str | Unset):
        status (None | str | Unset | UploadStatus):
        expires_at (int | None | Unset):
        file (FileObject | None | Unset):
    """

    object_: None | str | TypeDiscriminator | Unset = UNSET
    created_at: int | None | Unset = UNSET
    id: None | str | Unset = UNSET
    bytes_: int | None | Unset = UNSET
    filename: None | str | Unset = UNSET
    purpose: None | Purpose | str | Unset = UNSET
    status: None | str | Unset | UploadStatus = UNSET
    expires_at: int | None | Unset = UNSET
    file: FileObject | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.file_object import FileObject  # noqa: PLC0415

        object_: None | str | Unset
        if isinstance(self.object_, Unset):
            object_ = UNSET
        elif isinstance(self.object_, TypeDiscriminator):
            object_ = self.object_.value
        else:
            object_ = self.object_

        created_at: int | None | Unset
        if isinstance(self.created_at, Unset):
            created_at = UNSET
        else:
            created_at = self.created_at

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

        filename: None | str | Unset
        if isinstance(self.filename, Unset):
            filename = UNSET
        else:
            filename = self.filename

        purpose: None | str | Unset
        if isinstance(self.purpose, Unset):
            purpose = UNSET
        elif isinstance(self.purpose, Purpose):
            purpose = self.purpose.value
        else:
            purpose = self.purpose

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, UploadStatus):
            status = self.status.value
        else:
            status = self.status

        expires_at: int | None | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        else:
            expires_at = self.expires_at

        file: dict[str, Any] | None | Unset
        if isinstance(self.file, Unset):
            file = UNSET
        elif isinstance(self.file, FileObject):
            file = self.file.to_dict()
        else:
            file = self.file

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if object_ is not UNSET:
            field_dict["object"] = object_
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if id is not UNSET:
            field_dict["id"] = id
        if bytes_ is not UNSET:
            field_dict["bytes"] = bytes_
        if filename is not UNSET:
            field_dict["filename"] = filename
        if purpose is not UNSET:
            field_dict["purpose"] = purpose
        if status is not UNSET:
            field_dict["status"] = status
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if file is not UNSET:
            field_dict["file"] = file

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.file_object import FileObject  # noqa: PLC0415

        check_json_types(src_dict, JSON_TYPES)
        d = dict(src_dict)

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

        created_at = cast(int | None | Unset, d.pop("created_at", UNSET))

        id = cast(None | str | Unset, d.pop("id", UNSET))

        bytes_ = cast(int | None | Unset, d.pop("bytes", UNSET))

        filename = cast(None | str | Unset, d.pop("filename", UNSET))

        def _parse_purpose(data: object) -> None | Purpose | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_purpose_value_type_0 = Purpose(data)

                return componentsschemas_purpose_value_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Purpose | str | Unset, data)

        purpose = _parse_purpose(d.pop("purpose", UNSET))

        def _parse_status(data: object) -> None | str | Unset | UploadStatus:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_upload_status_value_type_0 = UploadStatus(data)

                return componentsschemas_upload_status_value_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | str | Unset | UploadStatus, data)

        status = _parse_status(d.pop("status", UNSET))

        expires_at = cast(int | None | Unset, d.pop("expires_at", UNSET))

        def _parse_file(data: object) -> FileObject | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                file_type_0 = FileObject.from_dict(data)

                return file_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FileObject | None | Unset, data)

        file = _parse_file(d.pop("file", UNSET))

        upload = cls(
            object_=object_,
            created_at=created_at,
            id=id,
            bytes_=bytes_,
            filename=filename,
            purpose=purpose,
            status=status,
            expires_at=expires_at,
            file=file,
        )

        upload.additional_properties = d
        return upload

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
