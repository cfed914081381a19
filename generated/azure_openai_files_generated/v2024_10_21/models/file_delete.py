from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.type_discriminator import TypeDiscriminator
from ..types import UNSET, Unset, check_json_types

T = TypeVar("T", bound="FileDelete")


# JSON field name -> the JSON types the document allows; `from_dict` checks them first.
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "deleted": (bool,),
    "id": (str,),
    "object": (type(None), str),
}


@_attrs_define
class FileDelete:
    """Defines the response for File Delete.

    Attributes:
        deleted (bool): A value indicating whether the file was deleted.
        id (str): The file-id that was deleted.
        object_ (None | str | TypeDiscriminator | Unset):
    """

    deleted: bool
    id: str
    object_: None | str | TypeDiscriminator | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        deleted = self.deleted

        id = self.id

        object_: None | str | Unset
        if isinstance(self.object_, Unset):
            object_ = UNSET
        elif isinstance(self.object_, TypeDiscriminator):
            object_ = self.object_.value
        else:
            object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "deleted": deleted,
                "id": id,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        check_json_types(src_dict, JSON_TYPES)
        d = dict(src_dict)
        deleted = d.pop("deleted")

        id = d.pop("id")

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

        file_delete = cls(
            deleted=deleted,
            id=id,
            object_=object_,
        )

        file_delete.additional_properties = d
        return file_delete

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
