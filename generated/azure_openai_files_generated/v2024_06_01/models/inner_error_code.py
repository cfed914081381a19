from enum import StrEnum


class InnerErrorCode(StrEnum):
    INVALIDPAYLOAD = "invalidPayload"

    def __str__(self) -> str:
        return str(self.value)
