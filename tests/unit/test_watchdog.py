"""`_watchdog`: time limits on waits in tasks, one timer per event loop for all of them."""

from __future__ import annotations

import asyncio
import time

import pytest

from azure_openai_files._watchdog import Watchdog, bound_after, rescheduler


def _timers(loop: asyncio.AbstractEventLoop) -> int:
    """The loop's scheduled timers that are not cancelled."""
    scheduled: list[asyncio.TimerHandle] = loop._scheduled  # type: ignore[attr-defined]
    return sum(1 for handle in scheduled if not handle.cancelled())


def test_a_wait_past_its_bound_raises_timeout_error_when_the_bound_passes() -> None:
    async def run() -> float:
        started = time.monotonic()
        with pytest.raises(TimeoutError), bound_after(0.2):
            await asyncio.sleep(5)
        return time.monotonic() - started

    assert 0.18 <= asyncio.run(run()) < 1.0


def test_only_the_waits_past_their_own_bound_are_cancelled() -> None:
    async def wait(limit: float, takes: float) -> str:
        try:
            with bound_after(limit):
                await asyncio.sleep(takes)
        except TimeoutError:
            return "timed out"
        return "done"

    async def run() -> tuple[str, ...]:
        return await asyncio.gather(wait(0.1, 1.0), wait(2.0, 0.3), wait(0.3, 2.0), wait(5, 0))

    assert list(asyncio.run(run())) == ["timed out", "done", "timed out", "done"]


def test_many_bounds_share_one_timer_of_the_loop() -> None:
    async def run() -> tuple[int, int]:
        loop = asyncio.get_running_loop()
        before = _timers(loop)
        entered = asyncio.Event()
        release = asyncio.Event()

        async def wait() -> None:
            with bound_after(30.0):
                entered.set()
                await release.wait()

        tasks = [asyncio.create_task(wait()) for _ in range(50)]
        await entered.wait()
        await asyncio.sleep(0)
        during = _timers(loop) - before
        release.set()
        await asyncio.gather(*tasks)
        return during, len(tasks)

    during, tasks = asyncio.run(run())
    assert tasks == 50 and during == 1


def test_a_bound_moved_earlier_fires_then_and_one_moved_later_does_not_fire_early() -> None:
    async def run() -> tuple[float, str]:
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        with pytest.raises(TimeoutError), bound_after(10.0) as bound:
            bound.reschedule(loop.time() + 0.2)
            await asyncio.sleep(5)
        earlier = time.monotonic() - started
        with bound_after(0.1) as bound:
            bound.reschedule(loop.time() + 5.0)
            await asyncio.sleep(0.4)
        return earlier, "not cancelled"

    earlier, later = asyncio.run(run())
    assert 0.18 <= earlier < 1.0 and later == "not cancelled"


def test_a_bound_without_a_limit_waits_until_one_is_set() -> None:
    async def run() -> float:
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        with pytest.raises(TimeoutError), bound_after(None) as bound:
            await asyncio.sleep(0.3)  # not bounded
            bound.reschedule(loop.time() + 0.1)
            await asyncio.sleep(5)
        return time.monotonic() - started

    assert 0.38 <= asyncio.run(run()) < 1.5


def test_a_callers_cancellation_inside_a_bound_stays_a_cancellation() -> None:
    async def run() -> str:
        async def wait() -> None:
            with bound_after(10.0):
                await asyncio.sleep(5)

        task = asyncio.create_task(wait())
        await asyncio.sleep(0.05)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            return "cancelled"
        return "finished"

    assert asyncio.run(run()) == "cancelled"


def test_a_bound_left_before_its_limit_never_cancels_the_task_afterwards() -> None:
    async def run() -> str:
        with bound_after(0.1):
            await asyncio.sleep(0)
        await asyncio.sleep(0.3)  # past the bound's limit, outside it
        return "not cancelled"

    assert asyncio.run(run()) == "not cancelled"


def test_nested_bounds_each_raise_for_their_own_limit() -> None:
    async def run() -> tuple[str, str]:
        outer_result = inner_result = "done"
        try:
            with bound_after(0.2):
                try:
                    with bound_after(2.0):
                        await asyncio.sleep(5)
                except TimeoutError:
                    inner_result = "timed out"
        except TimeoutError:
            outer_result = "timed out"
        return outer_result, inner_result

    # The outer limit passed: the outer bound raises, the inner one lets it through.
    assert asyncio.run(run()) == ("timed out", "done")


def test_moving_a_bound_that_has_ended_already_is_a_no_op() -> None:
    # aiohttp writes the body in a task of its own: a chunk may be asked for after the
    # bound has fired, and moving it then must neither raise into aiohttp's writer nor
    # cancel anything later.
    async def run() -> str:
        with bound_after(10.0) as bound:
            move = rescheduler(bound)
            move(time.monotonic() + 5.0)
        move(time.monotonic() + 0.05)  # left already
        move(None)
        with pytest.raises(TimeoutError), bound_after(0.05) as passed:
            await asyncio.sleep(1)
        rescheduler(passed)(time.monotonic() + 0.05)  # passed already
        await asyncio.sleep(0.2)
        return "not cancelled"

    assert asyncio.run(run()) == "not cancelled"


def test_each_event_loop_has_its_own_watchdog() -> None:
    async def dog() -> Watchdog:
        with bound_after(1.0) as bound:
            return bound._dog

    first, second = asyncio.run(dog()), asyncio.run(dog())
    assert first is not second


def test_a_bound_outside_a_task_is_refused() -> None:
    async def run() -> BaseException | None:
        loop = asyncio.get_running_loop()
        refused: asyncio.Future[BaseException | None] = loop.create_future()

        def enter() -> None:  # a loop callback: no task runs it
            try:
                with bound_after(1.0):
                    pass
            except RuntimeError as exc:
                refused.set_result(exc)
            else:
                refused.set_result(None)

        loop.call_soon(enter)
        return await refused

    assert isinstance(asyncio.run(run()), RuntimeError)
