"""`wait_for_processing`'s schedule, shared by both clients.

Statuses this package does not list are treated as not terminal: polling goes on until
a listed terminal status or the timeout, whose error names the last status seen. Sleeps end
at the timeout, and every poll runs under a deadline of the time left (at least `LAST_POLL`
seconds), so a wait ends within `timeout + LAST_POLL` however slow the service is.
"""

from __future__ import annotations

import math
import time

from ._errors import FileProcessingError, RequestTimeoutError, WaitTimeoutError
from ._models import TERMINAL_STATUSES, FileObject, FileState

DEFAULT_WAIT_TIMEOUT = 1800.0
DEFAULT_POLL_INTERVAL = 1.0
MAX_POLL_INTERVAL = 30.0
POLL_GROWTH = 1.5
# The poll made when the timeout is reached still gets this long to answer.
LAST_POLL = 10.0


class PollSchedule:
    def __init__(self, file_id: str, timeout: float, poll_interval: float) -> None:
        for name, value in (("timeout", timeout), ("poll_interval", poll_interval)):
            if not (value > 0 and math.isfinite(value)):
                raise ValueError(f"{name} must be a positive, finite number of seconds")
        self.file_id = file_id
        self.timeout = timeout
        self.deadline_at = time.monotonic() + timeout
        self.interval = poll_interval
        self.last_status: str | None = None

    def remaining(self) -> float:
        return max(0.0, self.deadline_at - time.monotonic())

    def poll_deadline(self, client_deadline: float | None) -> float:
        """The `deadline=` of the next poll: the time left (at least `LAST_POLL`), and never
        more than the client's own deadline."""
        deadline = max(self.remaining(), LAST_POLL)
        return deadline if client_deadline is None else min(deadline, client_deadline)

    def timed_out(self, error: RequestTimeoutError) -> WaitTimeoutError | RequestTimeoutError:
        """What a poll that ran out of time means: the wait's timeout once it has passed."""
        if self.remaining() > 0:
            return error
        timeout = WaitTimeoutError(self.file_id, self.last_status, self.timeout)
        timeout.__cause__ = error
        return timeout

    def next_sleep(self, file: FileObject) -> float | None:
        """None when `file` is done; raises when it failed or time is up; else seconds to wait."""
        self.last_status = None if file.status is None else str(file.status)
        if file.status in TERMINAL_STATUSES:
            if file.status == FileState.ERROR:
                raise FileProcessingError(self.file_id, file.status_details)
            return None
        remaining = self.remaining()
        if remaining <= 0:
            raise WaitTimeoutError(self.file_id, self.last_status, self.timeout)
        sleep = min(self.interval, remaining)
        self.interval = min(self.interval * POLL_GROWTH, MAX_POLL_INTERVAL)
        return sleep
