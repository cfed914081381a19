"""How a wait for processing spends its time: each poll gets what is left of the wait, and at
least the last poll's own bound."""

from __future__ import annotations

import time

from azure_openai_files._polling import LAST_POLL, PollSchedule


def test_each_poll_gets_the_time_left_of_the_wait_and_at_least_the_last_poll_bound() -> None:
    schedule = PollSchedule("f", timeout=100.0, poll_interval=1.0)
    assert 99.0 < schedule.poll_deadline(None) <= 100.0
    assert schedule.poll_deadline(5.0) == 5.0
    ending = PollSchedule("f", timeout=0.01, poll_interval=1.0)
    time.sleep(0.02)
    assert ending.poll_deadline(None) == LAST_POLL
