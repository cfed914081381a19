from enum import StrEnum


class FileState(StrEnum):
    DELETED = "deleted"
    DELETING = "deleting"
    ERROR = "error"
    PENDING = "pending"
    PROCESSED = "processed"
    RUNNING = "running"
    UPLOADED = "uploaded"

    def __str__(self) -> str:
        return str(self.value)
