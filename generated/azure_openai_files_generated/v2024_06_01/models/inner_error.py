from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.inner_error_code import InnerErrorCode
from ..types import UNSET, Unset, check_json_types

T = TypeVar("T", bound="InnerError")


# JSON field name -> the JSON types the document allows; `from_dict` checks them first.
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "code": (type(None), str),
    "innererror": (dict, type(None)),
}


@_attrs_define
class InnerError:
    """Inner error as defined in the Microsoft REST guidelines.

    Attributes:
        code (InnerErrorCode | None | str | Unset):
        innererror (InnerError | None | Unset):
    """

    code: InnerErrorCode | None | str | Unset = UNSET
    innererror: InnerError | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code: None | str | Unset
        if isinstance(self.code, Unset):
            code = UNSET
        elif isinstance(self.code, InnerErrorCode):
            code = self.code.value
        else:
            code = self.code

        innererror: dict[str, Any] | None | Unset
        if isinstance(self.innererror, Unset):
            innererror = UNSET
        elif isinstance(self.innererror, InnerError):
            innererror = self.innererror.to_dict()
        else:
            innererror = self.innererror

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if code is not UNSET:
            field_dict["code"] = code
        if innererror is not UNSET:
            field_dict["innererror"] = innererror

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        check_json_types(src_dict, JSON_TYPES)
        d = dict(src_dict)

        def _parse_code(data: object) -> InnerErrorCode | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_inner_error_code_value_type_0 = InnerErrorCode(data)

                return componentsschemas_inner_error_code_value_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InnerErrorCode | None | str | Unset, data)

        code = _parse_code(d.pop("code", UNSET))

        def _parse_innererror(data: object) -> InnerError | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                innererror_type_0 = InnerError.from_dict(data)

                return innererror_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InnerError | None | Unset, data)

        innererror = _parse_innererror(d.pop("innererror", UNSET))

        inner_error = cls(
            code=code,
            innererror=innererror,
        )

        inner_error.additional_properties = d
        return inner_error

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
