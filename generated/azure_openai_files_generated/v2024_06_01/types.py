"""Contains some shared types for properties"""

from collections.abc import Mapping
from typing import IO, Any, BinaryIO, Literal

from attrs import define


class Unset:
    def __bool__(self) -> Literal[False]:
        return False


UNSET: Unset = Unset()

# The multipart parts the request builders of multipart/form-data bodies return (the shape
# httpx's `files=` takes, copied from the generator's own types module).
FileContent = IO[bytes] | bytes | str
FileTypes = (
    # (filename, file (or bytes), content_type)
    tuple[str | None, FileContent, str | None]
    # (filename, file (or bytes), content_type, headers)
    | tuple[str | None, FileContent, str | None, Mapping[str, str]]
)
RequestFiles = list[tuple[str, FileTypes]]


@define
class File:
    """A file to upload: its content, and the filename and media type of its part."""

    payload: BinaryIO
    file_name: str | None = None
    mime_type: str | None = None

    def to_tuple(self) -> FileTypes:
        """The (filename, content, media type) of this file's multipart part."""
        return self.file_name, self.payload, self.mime_type


def check_json_types(data: Any, json_types: Mapping[str, tuple[type, ...]]) -> None:
    """Raise TypeError naming the first field whose JSON type the document does not allow.

    `bool` is a subclass of `int` in Python, but never a JSON integer."""
    if not isinstance(data, Mapping):
        raise TypeError(f"expected a JSON object, got {type(data).__name__}")
    for name, allowed in json_types.items():
        if name not in data:
            continue
        value = data[name]
        if not isinstance(value, allowed) or (
            isinstance(value, bool) and bool not in allowed
        ):
            raise TypeError(f"field {name!r} has type {type(value).__name__}")


__all__ = ["UNSET", "File", "FileTypes", "RequestFiles", "Unset", "check_json_types"]
