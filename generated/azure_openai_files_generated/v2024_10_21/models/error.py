from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.error_code import ErrorCode
from ..types import UNSET, Unset, check_json_types

if TYPE_CHECKING:
    from ..models.inner_error import InnerError


T = TypeVar("T", bound="Error")


# JSON field name -> the JSON types the document allows; `from_dict` checks them first.
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "code": (str,),
    "message": (str,),
    "target": (type(None), str),
    "details": (list, type(None)),
    "innererror": (dict, type(None)),
}


@_attrs_define
class Error:
    """Error content as defined in the Microsoft REST guidelines.

    Attributes:
        code (ErrorCode | str):
        message (str): The message of this error.
        target (None | str | Unset): The location where the error happened if available.
        details (list[Error] | None | Unset): The error details if available.
        innererror (InnerError | None | Unset):
    """

    code: ErrorCode | str
    message: str
    target: None | str | Unset = UNSET
    details: list[Error] | None | Unset = UNSET
    innererror: InnerError | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.inner_error import InnerError  # noqa: PLC0415

        code: str
        if isinstance(self.code, ErrorCode):
            code = self.code.value
        else:
            code = self.code

        message = self.message

        target: None | str | Unset
        if isinstance(self.target, Unset):
            target = UNSET
        else:
            target = self.target

        details: list[dict[str, Any]] | None | Unset
        if isinstance(self.details, Unset):
            details = UNSET
        elif isinstance(self.details, list):
            details = []
            for details_type_0_item_data in self.details:
                details_type_0_item = details_type_0_item_data.to_dict()
                details.append(details_type_0_item)

        else:
            details = self.details

        innererror: dict[str, Any] | None | Unset
        if isinstance(self.innererror, Unset):
            innererror = UNSET
        elif isinstance(self.innererror, InnerError):
            innererror = self.innererror.to_dict()
        else:
            innererror = self.innererror

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "message": message,
            }
        )
        if target is not UNSET:
            field_dict["target"] = target
        if details is not UNSET:
            field_dict["details"] = details
        if innererror is not UNSET:
            field_dict["innererror"] = innererror

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.inner_error import InnerError  # noqa: PLC0415

        check_json_types(src_dict, JSON_TYPES)
        d = dict(src_dict)

        def _parse_code(data: object) -> ErrorCode | str:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_error_code_value_type_0 = ErrorCode(data)

                return componentsschemas_error_code_value_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ErrorCode | str, data)

        code = _parse_code(d.pop("code"))

        message = d.pop("message")

        target = cast(None | str | Unset, d.pop("target", UNSET))

        def _parse_details(data: object) -> list[Error] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                details_type_0 = []
                _details_type_0 = data
                for details_type_0_item_data in _details_type_0:
                    details_type_0_item = Error.from_dict(details_type_0_item_data)

                    details_type_0.append(details_type_0_item)

                return details_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[Error] | None | Unset, data)

        details = _parse_details(d.pop("details", UNSET))

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

        error = cls(
            code=code,
            message=message,
            target=target,
            details=details,
            innererror=innererror,
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
