"""Contains some shared types for properties"""

from collections.abc import Mapping
from typing import Any, Literal


class Unset:
    def __bool__(self) -> Literal[False]:
        return False


UNSET: Unset = Unset()


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


__all__ = ["UNSET", "Unset", "check_json_types"]
