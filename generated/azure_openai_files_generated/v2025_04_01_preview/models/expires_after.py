from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.expiry_anchor import ExpiryAnchor
from ..types import UNSET, Unset, check_json_types

T = TypeVar("T", bound="ExpiresAfter")


# JSON field name -> the JSON types the document allows; `from_dict` checks them first.
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "anchor": (str,),
    "seconds": (int,),
}


@_attrs_define
class ExpiresAfter:
    """Defines an expiration for the file.

    Attributes:
        anchor (ExpiryAnchor | Unset): Defines the anchor relative to what time the absolute expiration should be
            generated from.
        seconds (int | Unset): The relative expiration time in seconds. Range [1209600 - 2592000].
    """

    anchor: ExpiryAnchor | Unset = UNSET
    seconds: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        anchor: str | Unset = UNSET
        if not isinstance(self.anchor, Unset):
            anchor = self.anchor.value

        seconds = self.seconds

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if anchor is not UNSET:
            field_dict["anchor"] = anchor
        if seconds is not UNSET:
            field_dict["seconds"] = seconds

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        check_json_types(src_dict, JSON_TYPES)
        d = dict(src_dict)
        _anchor = d.pop("anchor", UNSET)
        anchor: ExpiryAnchor | Unset
        if isinstance(_anchor, Unset):
            anchor = UNSET
        else:
            anchor = ExpiryAnchor(_anchor)

        seconds = d.pop("seconds", UNSET)

        expires_after = cls(
            anchor=anchor,
            seconds=seconds,
        )

        expires_after.additional_properties = d
        return expires_after

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
