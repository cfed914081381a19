"""`FileObject`: the generated model, read through the REST field names.

The generator renames `bytes` and `object` to `bytes_` and `object_` (they shadow Python
builtins); this thin layer gives users the names the REST API documents and checks field
types, which the generated `from_dict` leaves unchecked.
"""

from __future__ import annotations

import builtins
from typing import Any, TypeVar

from azure_openai_files_generated.models.file_object import FileObject as _GeneratedFileObject
from azure_openai_files_generated.models.file_state import FileState
from azure_openai_files_generated.models.purpose import Purpose
from azure_openai_files_generated.models.type_discriminator import TypeDiscriminator
from azure_openai_files_generated.types import Unset

__all__ = ["TERMINAL_STATUSES", "FileObject", "FileState", "Purpose", "TypeDiscriminator"]

# Statuses after which a file's status no longer changes.
TERMINAL_STATUSES = frozenset({FileState.PROCESSED, FileState.ERROR, FileState.DELETED})

# field -> accepted JSON types; enums arrive as str (known values become StrEnum members).
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "filename": (str,),
    "purpose": (str,),
    "id": (str,),
    "object": (str,),
    "status": (str,),
    "status_details": (str,),
    "bytes": (int, type(None)),
    "created_at": (int,),
}


class FileObject:
    """A file's metadata. `status`, `purpose` and `object` are `StrEnum` members for known
    values and plain strings for values this version does not list; both compare equal to
    plain strings. Fields the service adds later are kept in `extra`."""

    __slots__ = ("_model",)

    def __init__(self, model: _GeneratedFileObject) -> None:
        self._model = model

    @classmethod
    def from_dict(cls, data: object) -> FileObject:
        """Parse a JSON object; raises TypeError/KeyError/ValueError naming the bad field."""
        if not isinstance(data, dict):
            raise TypeError(f"expected a JSON object, got {type(data).__name__}")
        for name, value in data.items():
            types = _FIELD_TYPES.get(name)
            if types is not None and (not isinstance(value, types) or isinstance(value, bool)):
                raise TypeError(f"field {name!r} has type {type(value).__name__}")
        return cls(_GeneratedFileObject.from_dict(data))

    @property
    def id(self) -> str | None:
        return _unset_to_none(self._model.id)

    @property
    def bytes(self) -> int | None:
        """Size in bytes; None when the service does not know it (yet)."""
        return _unset_to_none(self._model.bytes_)

    @property
    def created_at(self) -> int | None:
        """Unix seconds."""
        return _unset_to_none(self._model.created_at)

    @property
    def filename(self) -> str:
        return self._model.filename

    @property
    def object(self) -> TypeDiscriminator | str | None:
        return _unset_to_none(self._model.object_)

    @property
    def purpose(self) -> Purpose | str:
        return self._model.purpose

    @property
    def status(self) -> FileState | str | None:
        return _unset_to_none(self._model.status)

    @property
    def status_details(self) -> str | None:
        return _unset_to_none(self._model.status_details)

    @property
    def extra(self) -> dict[str, Any]:
        """Fields the API documents for this api-version do not name."""
        return self._model.additional_properties

    def to_dict(self) -> dict[str, Any]:
        """The JSON object, REST field names, extra fields included."""
        return self._model.to_dict()

    def __eq__(self, other: builtins.object) -> bool:
        return isinstance(other, FileObject) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable through `extra`

    def __repr__(self) -> str:
        return (
            f"FileObject(id={self.id!r}, filename={self.filename!r}, bytes={self.bytes!r}, "
            f"purpose={str(self.purpose)!r}, status={_plain(self.status)!r})"
        )


_T = TypeVar("_T")


def _unset_to_none(value: _T | Unset) -> _T | None:
    return None if isinstance(value, Unset) else value


def _plain(value: str | None) -> str | None:
    return None if value is None else str(value)
