from enum import StrEnum


class UploadPurpose(StrEnum):
    ASSISTANTS = "assistants"
    BATCH = "batch"
    EVALS = "evals"
    FINE_TUNE = "fine-tune"

    def __str__(self) -> str:
        return str(self.value)
