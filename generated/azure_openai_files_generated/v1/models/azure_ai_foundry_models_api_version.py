from enum import StrEnum


class AzureAIFoundryModelsApiVersion(StrEnum):
    PREVIEW = "preview"
    V1 = "v1"

    def __str__(self) -> str:
        return str(self.value)
