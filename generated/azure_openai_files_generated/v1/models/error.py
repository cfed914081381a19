from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, check_json_types

T = TypeVar("T", bound="Error")


# JSON field name -> the JSON types the document allows; `from_dict` checks them first.
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "code": (type(None), str),
    "message": (type(None), str),
    "param": (type(None), str),
    "type": (type(None), str),
}


@_attrs_define
class Error:
    """The error details.

    Attributes:
        code (None | str | Unset): The distinct, machine-generated identifier for the error.
        message (None | str | Unset): A human-readable message associated with the error.
        param (None | str | Unset): If applicable, the request input parameter associated with the error.
        type_ (None | str | Unset): The object type, always 'error'.
        inner_error (Any | Unset): Service-specific details; any JSON value.
    """

    code: None | str | Unset = UNSET
    message: None | str | Unset = UNSET
    param: None | str | Unset = UNSET
    type_: None | str | Unset = UNSET
    inner_error: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code: None | str | Unset
        if isinstance(self.code, Unset):
            code = UNSET
        else:
            code = self.code

        message: None | str | Unset
        if isinstance(self.message, Unset):
            message = UNSET
        else:
            message = self.message

        param: None | str | Unset
        if isinstance(self.param, Unset):
            param = UNSET
        else:
            param = self.param

        type_: None | str | Unset
        if isinstance(self.type_, Unset):
            type_ = UNSET
        else:
            type_ = self.type_

        inner_error = self.inner_error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if code is not UNSET:
            field_dict["code"] = code
        if message is not UNSET:
            field_dict["message"] = message
        if param is not UNSET:
            field_dict["param"] = param
        if type_ is not UNSET:
            field_dict["type"] = type_
        if inner_error is not UNSET:
            field_dict["inner_error"] = inner_error

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        check_json_types(src_dict, JSON_TYPES)
        d = dict(src_dict)
        code = cast(None | str | Unset, d.pop("code", UNSET))

        message = cast(None | str | Unset, d.pop("message", UNSET))

        param = cast(None | str | Unset, d.pop("param", UNSET))

        type_ = cast(None | str | Unset, d.pop("type", UNSET))

        inner_error = d.pop("inner_error", UNSET)

        error = cls(
            code=code,
            message=message,
            param=param,
            type_=type_,
            inner_error=inner_error,
        )

        error.additional_properties = d
        return error

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
