"""`FileObject`: one api-version's generated model, read through the REST field names, and
the public enums, which are the same for every api-version.

Each api-version's generated `FileObject` checks the JSON type of every field it names in
`from_dict` (its `JSON_TYPES` table is generated from that version's document), so a new
version's new fields are checked without edits here. The generator renames `bytes` and
`object` to `bytes_` and `object_` (they shadow Python builtins); this thin layer gives
users the names the REST API documents, and the same attributes whatever the api-version
(`None` where a field is absent). A field a newer version names is read on every version
(`expires_at` arrives from services that predate its document).
"""

from __future__ import annotations

import builtins
from enum import StrEnum
from typing import Any, TypeVar

from ._generated_api import GeneratedFile, parse_file_model
from ._version import DEFAULT_API_VERSION

__all__ = [
    "TERMINAL_STATUSES",
    "FileDeletionStatus",
    "FileObject",
    "FileState",
    "Purpose",
    "TypeDiscriminator",
]


# The public enums are the union of every supported api-version's enum of the same name
# (tests/test_generation.py checks them against every document in openapi/). All of them
# are extensible: a value no version lists stays a plain string.
class FileState(StrEnum):
    UPLOADED = "uploaded"
    PENDING = "pending"
    RUNNING = "running"
    PROCESSED = "processed"
    ERROR = "error"
    DELETING = "deleting"
    DELETED = "deleted"


class Purpose(StrEnum):
    FINE_TUNE = "fine-tune"
    FINE_TUNE_RESULTS = "fine-tune-results"
    ASSISTANTS = "assistants"
    ASSISTANTS_OUTPUT = "assistants_output"
    BATCH = "batch"
    BATCH_OUTPUT = "batch_output"
    EVALS = "evals"
    EVALS_OUTPUT = "evals_output"


class TypeDiscriminator(StrEnum):
    LIST = "list"
    FINE_TUNING_JOB = "fine_tuning.job"
    FILE = "file"
    FINE_TUNING_JOB_EVENT = "fine_tuning.job.event"
    FINE_TUNING_JOB_CHECKPOINT = "fine_tuning.job.checkpoint"
    MODEL = "model"
    BATCH = "batch"
    UPLOAD = "upload"
    UPLOAD_PART = "upload.part"
    WANDB = "wandb"


# Statuses after which a file's status no longer changes.
TERMINAL_STATUSES = frozenset({FileState.PROCESSED, FileState.ERROR, FileState.DELETED})


_E = TypeVar("_E", bound=StrEnum)


class FileObject:
    """A file's metadata. `status`, `purpose` and `object` are `StrEnum` members for known
    values and plain strings for values no api-version lists; both compare equal to plain
    strings. Fields the service adds later are kept in `extra`."""

    __slots__ = ("_model",)

    def __init__(self, model: GeneratedFile) -> None:
        self._model = model

    @classmethod
    def from_dict(cls, data: object, *, api_version: str | None = None) -> FileObject:
        """Parse a JSON object with the generated model of `api_version` (default: the
        package's default api-version); raises TypeError/KeyError/ValueError naming the bad
        field."""
        return cls(parse_file_model(data, api_version or DEFAULT_API_VERSION))

    def _field(self, name: str) -> Any:
        value = getattr(self._model, name, None)
        # Absent fields hold the `Unset` sentinel of the model's own package (one class per
        # api-version, from the pinned types.py template), so it is recognized by name.
        return None if value is None or type(value).__name__ == "Unset" else value

    @property
    def id(self) -> str | None:
        return self._field("id")  # type: ignore[no-any-return]

    @property
    def bytes(self) -> int | None:
        """Size in bytes; None when the service does not know it (yet)."""
        return self._field("bytes_")  # type: ignore[no-any-return]

    @property
    def created_at(self) -> int | None:
        """Unix seconds."""
        return self._field("created_at")  # type: ignore[no-any-return]

    @property
    def expires_at(self) -> int | None:
        """Unix seconds when the service deletes the file; None when it does not say. Read
        whatever the api-version: documents before 2025-04-01-preview do not name the field,
        but a service that sends it has it read here too (and kept in `extra`)."""
        value = self._field("expires_at")
        if value is None:
            value = self._model.additional_properties.get("expires_at")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def filename(self) -> str:
        return self._model.filename

    @property
    def object(self) -> TypeDiscriminator | str | None:
        return _public(TypeDiscriminator, self._field("object_"))

    @property
    def purpose(self) -> Purpose | str:
        purpose = _public(Purpose, self._model.purpose)
        assert purpose is not None  # required by every api-version's document
        return purpose

    @property
    def status(self) -> FileState | str | None:
        return _public(FileState, self._field("status"))

    @property
    def status_details(self) -> str | None:
        """Deprecated by the service since 2025-04-01-preview; still sent by some."""
        return self._field("status_details")  # type: ignore[no-any-return]

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


class FileDeletionStatus:
    """What `delete_file` reports: the file's id, and whether the service deleted it."""

    __slots__ = ("deleted", "id")

    def __init__(self, id: str, deleted: bool) -> None:
        self.id = id
        self.deleted = deleted

    def __eq__(self, other: builtins.object) -> bool:
        return isinstance(other, FileDeletionStatus) and (self.id, self.deleted) == (
            other.id,
            other.deleted,
        )

    def __hash__(self) -> int:
        return hash((self.id, self.deleted))

    def __repr__(self) -> str:
        return f"FileDeletionStatus(id={self.id!r}, deleted={self.deleted!r})"


def _public(enum: type[_E], value: str | None) -> _E | str | None:
    """The public enum member for a known value (whichever version's enum it came as)."""
    if value is None:
        return None
    try:
        return enum(str(value))
    except ValueError:
        return str(value)


def _plain(value: str | None) -> str | None:
    return None if value is None else str(value)
