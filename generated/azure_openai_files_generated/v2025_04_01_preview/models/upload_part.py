from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.type_discriminator import TypeDiscriminator
from ..types import UNSET, Unset, check_json_types

T = TypeVar("T", bound="UploadPart")


# JSON field name -> the JSON types the document allows; `from_dict` checks them first.
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (type(None), str),
    "created_at": (int, type(None)),
    "id": (type(None), str),
    "upload_id": (type(None), str),
    "azure_block_id": (type(None), str),
}


@_attrs_define
class UploadPart:
    """
    Attributes:
        object_ (None | str | TypeDiscriminator | Unset):
        created_at (int | None | Unset): A timestamp when this job or item was created (in unix epochs).
        id (None | str | Unset): The identity of this item.
        upload_id (None | str | Unset):
        azure_block_id (None | str | Unset):
    """

    object_: None | str | TypeDiscriminator | Unset = UNSET
    created_at: int | None | Unset = UNSET
    id: None | str | Unset = UNSET
    upload_id: None | str | Unset = UNSET
    azure_block_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
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

        upload_id: None | str | Unset
        if isinstance(self.upload_id, Unset):
            upload_id = UNSET
        else:
            upload_id = self.upload_id

        azure_block_id: None | str | Unset
        if isinstance(self.azure_block_id, Unset):
            azure_block_id = UNSET
        else:
            azure_block_id = self.azure_block_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if object_ is not UNSET:
            field_dict["object"] = object_
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if id is not UNSET:
            field_dict["id"] = id
        if upload_id is not UNSET:
            field_dict["upload_id"] = upload_id
        if azure_block_id is not UNSET:
            field_dict["azure_block_id"] = azure_block_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
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

        upload_id = cast(None | str | Unset, d.pop("upload_id", UNSET))

        azure_block_id = cast(None | str | Unset, d.pop("azure_block_id", UNSET))

        upload_part = cls(
            object_=object_,
            created_at=created_at,
            id=id,
            upload_id=upload_id,
            azure_block_id=azure_block_id,
        )

        upload_part.additional_properties = d
        return upload_part

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
