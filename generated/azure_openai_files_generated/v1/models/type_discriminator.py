from enum import StrEnum


class TypeDiscriminator(StrEnum):
    FILE = "file"

    def __str__(self) -> str:
        return str(self.value)
