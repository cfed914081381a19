"""`wait_for_processing`'s schedule, shared by both clients.

Statuses this package does not list are treated as not terminal: polling goes on until
a listed terminal status or the timeout, whose error names the last status seen. Sleeps end
at the timeout; the poll made then runs under the client's own timeouts and retries.
"""

from __future__ import annotations

import math
import time

from ._errors import FileProcessingError, WaitTimeoutError
from ._models import TERMINAL_STATUSES, FileObject, FileState

DEFAULT_WAIT_TIMEOUT = 1800.0
DEFAULT_POLL_INTERVAL = 1.0
MAX_POLL_INTERVAL = 30.0
POLL_GROWTH = 1.5


class PollSchedule:
    def __init__(self, file_id: str, timeout: float, poll_interval: float) -> None:
        for name, value in (("timeout", timeout), ("poll_interval", poll_interval)):
            if not (value > 0 and math.isfinite(value)):
                raise ValueError(f"{name} must be a positive, finite number of seconds")
        self.file_id = file_id
        self.timeout = timeout
        self.deadline_at = time.monotonic() + timeout
        self.interval = poll_interval

    def remaining(self) -> float:
        return max(0.0, self.deadline_at - time.monotonic())

    def next_sleep(self, file: FileObject) -> float | None:
        """None when `file` is done; raises when it failed or time is up; else seconds to wait."""
        if file.status in TERMINAL_STATUSES:
            if file.status == FileState.ERROR:
                raise FileProcessingError(self.file_id, file.status_details)
            return None
        remaining = self.remaining()
        if remaining <= 0:
            raise WaitTimeoutError(
                self.file_id, None if file.status is None else str(file.status), self.timeout
            )
        sleep = min(self.interval, remaining)
        self.interval = min(self.interval * POLL_GROWTH, MAX_POLL_INTERVAL)
        return sleep
