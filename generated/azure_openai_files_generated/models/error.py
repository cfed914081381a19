from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.error_code import ErrorCode
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.inner_error import InnerError


T = TypeVar("T", bound="Error")


@_attrs_define
class Error:
    """Error content as defined in the Microsoft REST guidelines.

    Attributes:
        code (ErrorCode | str):
        message (str): The message of this error.
        target (str | Unset): The location where the error happened if available.
        details (list[Error] | Unset): The error details if available.
        innererror (InnerError | Unset): Inner error as defined in the Microsoft REST guidelines.
    """

    code: ErrorCode | str
    message: str
    target: str | Unset = UNSET
    details: list[Error] | Unset = UNSET
    innererror: InnerError | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code: str
        if isinstance(self.code, ErrorCode):
            code = self.code.value
        else:
            code = self.code

        message = self.message

        target = self.target

        details: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.details, Unset):
            details = []
            for details_item_data in self.details:
                details_item = details_item_data.to_dict()
                details.append(details_item)

        innererror: dict[str, Any] | Unset = UNSET
        if not isinstance(self.innererror, Unset):
            innererror = self.innererror.to_dict()

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

        target = d.pop("target", UNSET)

        _details = d.pop("details", UNSET)
        details: list[Error] | Unset = UNSET
        if _details is not UNSET:
            details = []
            for details_item_data in _details:
                details_item = Error.from_dict(details_item_data)

                details.append(details_item)

        _innererror = d.pop("innererror", UNSET)
        innererror: InnerError | Unset
        if isinstance(_innererror, Unset):
            innererror = UNSET
        else:
            innererror = InnerError.from_dict(_innererror)

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
