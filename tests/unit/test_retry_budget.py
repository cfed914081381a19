"""`RetryBudget` on its own, with the time given: the allowance of retries, the pause a 429
asks for, and the pace learned from throttling (sans-IO: no clock, no sleep)."""

from __future__ import annotations

import itertools
import math

import pytest

from azure_openai_files import RetryBudget
from azure_openai_files._throttle import (
    DROP,
    FAST_GROWTH,
    FIRST_RATE,
    MEASURE_WINDOW,
    START_BURST,
    START_RATE,
    UNAVAILABLE_MIN,
)


def test_retries_draw_on_an_allowance_that_starts_full_and_refills_with_time() -> None:
    budget = RetryBudget(ratio=0.0, min_per_second=2.0, window=5.0)  # 10 retries at most
    assert [budget.try_spend(100.0) for _ in range(11)] == [True] * 10 + [False]
    assert budget.try_spend(100.4) is False  # 0.8 of a retry back
    assert budget.try_spend(100.5) is True  # a whole one
    assert budget.try_spend(200.0) and budget.try_spend(200.0)  # refilled up to the cap


def test_each_success_earns_ratio_of_a_retry() -> None:
    budget = RetryBudget(ratio=0.25, min_per_second=0.0, window=1.0)  # starts with 1
    assert budget.try_spend(1.0) is True
    assert budget.try_spend(1.0) is False
    for _ in range(4):
        budget.record_success(1.0)
    assert budget.try_spend(1.0) is True
    assert budget.try_spend(1.0) is False


def test_a_new_client_starts_gently_then_holds_nothing_back() -> None:
    budget = RetryBudget()
    waits = [budget.wait_before_send(0.0) for _ in range(40)]
    # START_BURST at once, then from START_RATE, doubling every START_DOUBLING
    assert waits[:START_BURST] == [0.0] * START_BURST
    assert waits[START_BURST] == pytest.approx(1 / START_RATE)
    assert waits == sorted(waits) and 0.09 < waits[-1] < 0.15
    assert [budget.wait_before_send(t) for t in (5.0, 5.0, 5.0)] == [0.0] * 3  # warm
    assert budget.paused_until() == 0.0


def test_calls_one_after_another_are_never_held_back_by_the_gentle_start() -> None:
    budget = RetryBudget()
    assert [budget.wait_before_send(i / 100) for i in range(100)] == [0.0] * 100


def test_a_few_5xx_are_retried_on_their_own_and_an_outage_pauses_the_client() -> None:
    budget = RetryBudget()
    for i in range(100):
        budget.record_success(9.0 + i / 100)
    assert [budget.on_unavailable(10.0) for _ in range(UNAVAILABLE_MIN)] == [False] * 3
    assert budget.paused_until() == 0.0  # 3 of 103 answers: not the resource failing
    fails = [budget.on_unavailable(10.0 + i / 100) for i in range(1, 30)]
    assert fails.index(True) > 0 and fails[-1] is True
    assert budget.paused_until() == pytest.approx(10.0 + fails.index(True) / 100 + 1 / 100 + 0.5)


def test_outage_pauses_double_while_the_failures_go_on_and_start_over_after() -> None:
    budget = RetryBudget()
    pauses = []
    now = 0.0
    for _ in range(6):
        results = [budget.on_unavailable(now) for _ in range(UNAVAILABLE_MIN)]
        assert results[-1] is True
        pauses.append(round(budget.paused_until() - now, 3))
        now = budget.paused_until() + 0.1  # the released calls fail again
    assert pauses == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    now += 10.0  # recovered: the next outage starts from the first pause
    [budget.on_unavailable(now) for _ in range(UNAVAILABLE_MIN)]
    assert budget.paused_until() - now == pytest.approx(0.5)
    # released at a low pace that grows fast
    assert budget.wait_before_send(budget.paused_until()) == 0.0
    assert budget.wait_before_send(budget.paused_until()) == pytest.approx(1 / FIRST_RATE)


def test_a_429_pauses_every_call_and_releases_them_one_by_one() -> None:
    budget = RetryBudget()
    for i in range(50):  # the resource admitted 50 calls in the second before the 429
        budget.record_success(9.0 + (i + 1) / 50)
    budget.on_throttled(10.0, 1.0)
    assert budget.paused_until() == 11.0
    waits = [budget.wait_before_send(10.0) for _ in range(5)]
    assert waits[0] == pytest.approx(1.0)  # nobody goes before the moment asked for
    gaps = [later - earlier for earlier, later in itertools.pairwise(waits)]
    # Never all at once: spaced at the admitted rate (growing a little as it goes).
    assert all(gap == pytest.approx(1 / 50, rel=0.1) for gap in gaps)


def test_the_429s_of_one_episode_slow_the_pace_once() -> None:
    budget = RetryBudget()
    for i in range(100):
        budget.record_success(9.0 + (i + 1) / 100)
    for _ in range(30):  # the calls already in flight get 429s too
        budget.on_throttled(10.0, 1.0)
    waits = [budget.wait_before_send(11.0) for _ in range(3)]
    assert waits[1] - waits[0] == pytest.approx(1 / 100, rel=0.01)


def test_after_the_first_429_the_pace_grows_fast_then_settles_below_the_next_ceiling() -> None:
    budget = RetryBudget()
    budget.record_success(0.5)
    budget.on_throttled(1.0, 1.0)  # capacity unknown: one call admitted so far
    budget.wait_before_send(2.0)
    first = budget.wait_before_send(4.0)
    second = budget.wait_before_send(4.0)
    # From the first pace, e^(FAST_GROWTH x 2 s) times as fast two seconds after the pause.
    assert second - first == pytest.approx(math.exp(-2 * FAST_GROWTH) / FIRST_RATE)
    for i in range(200):  # the resource admits 200/s
        budget.record_success(6.0 - MEASURE_WINDOW + (i + 1) / 200 * MEASURE_WINDOW)
    budget.on_throttled(6.0, 1.0)
    slots = [budget.wait_before_send(7.0) for _ in range(2)]
    assert slots[1] - slots[0] == pytest.approx(1 / (DROP * 200), rel=0.01)
    later = [budget.wait_before_send(20.0) for _ in range(2)]
    assert 1 / 215 < later[1] - later[0] < 1 / 199  # close to the ceiling, probing slowly


@pytest.mark.parametrize(
    ("options", "error", "text"),
    [
        ({"ratio": -0.1}, ValueError, "ratio must be a finite number >= 0"),
        ({"min_per_second": float("inf")}, ValueError, "min_per_second must be a finite"),
        ({"window": 0}, ValueError, "window must be a positive"),
        ({"ratio": "0.1"}, TypeError, "ratio must be a number, not str"),
        ({"window": True}, TypeError, "window must be seconds (a number), not bool"),
    ],
)
def test_settings_are_checked_before_use(
    options: dict[str, object], error: type[Exception], text: str
) -> None:
    with pytest.raises(error, match=text.replace("(", r"\(").replace(")", r"\)")):
        RetryBudget(**options)  # type: ignore[arg-type]


def test_the_repr_names_the_settings() -> None:
    assert repr(RetryBudget()) == "RetryBudget(ratio=0.1, min_per_second=10, window=10)"


def test_a_pace_left_idle_for_hours_neither_overflows_nor_holds_back() -> None:
    budget = RetryBudget()
    budget.on_throttled(0.0, 0.0)
    assert budget.wait_before_send(10_000.0) == 0.0
    assert budget.wait_before_send(10_000.0) < 1e-4  # effectively unpaced again


def test_a_call_that_cannot_wait_that_long_takes_no_turn() -> None:
    budget = RetryBudget()
    budget.on_throttled(0.0, 5.0)
    assert budget.wait_before_send(0.0, longest=1.0) == pytest.approx(5.0)  # refused
    assert budget.wait_before_send(0.0, longest=1.0) == pytest.approx(5.0)  # still first
    assert budget.wait_before_send(0.0) == pytest.approx(5.0)  # the turn nobody took


def test_a_longer_pause_in_the_same_episode_voids_the_turns_already_taken() -> None:
    budget = RetryBudget()
    budget.on_throttled(0.0, 1.0)
    assert budget.wait_before_send(0.5) == pytest.approx(0.5)  # a turn at 1.0
    budget.on_throttled(0.6, 5.0)  # another call is told to wait 5 s
    assert budget.throttled_since(0.5)  # the turn at 1.0 is void: take a new one
    assert budget.wait_before_send(0.7) == pytest.approx(4.9)  # the end of the longer pause


def test_no_ceiling_is_learned_from_a_moment_of_traffic_after_a_pause() -> None:
    budget = RetryBudget()
    for i in range(100):
        budget.record_success(0.0 + i / 100)
    budget.on_throttled(1.0, 1.0)  # first pace: 100/s
    budget.record_success(2.05)
    budget.on_throttled(2.1, 1.0)  # 0.1 s of traffic since the pause: too little to measure
    first, second = (budget.wait_before_send(3.1) for _ in range(2))
    assert second - first < 1 / 50  # the pace kept, not 10/s from a tenth of a second
