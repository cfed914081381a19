from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.expiry_anchor import ExpiryAnchor
from ..types import check_json_types

T = TypeVar("T", bound="ExpiresAfter")


# JSON field name -> the JSON types the document allows; `from_dict` checks them first.
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "seconds": (int,),
    "anchor": (str,),
}


@_attrs_define
class ExpiresAfter:
    """
    Attributes:
        seconds (int):
        anchor (ExpiryAnchor):
    """

    seconds: int
    anchor: ExpiryAnchor
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        seconds = self.seconds

        anchor = self.anchor.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "seconds": seconds,
                "anchor": anchor,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        check_json_types(src_dict, JSON_TYPES)
        d = dict(src_dict)
        seconds = d.pop("seconds")

        anchor = ExpiryAnchor(d.pop("anchor"))

        expires_after = cls(
            seconds=seconds,
            anchor=anchor,
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
