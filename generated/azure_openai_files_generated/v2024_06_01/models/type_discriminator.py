from enum import StrEnum


class TypeDiscriminator(StrEnum):
    FILE = "file"
    FINE_TUNING_JOB = "fine_tuning.job"
    FINE_TUNING_JOB_CHECKPOINT = "fine_tuning.job.checkpoint"
    FINE_TUNING_JOB_EVENT = "fine_tuning.job.event"
    LIST = "list"
    MODEL = "model"

    def __str__(self) -> str:
        return str(self.value)
