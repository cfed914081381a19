"""Time limits on waits in asyncio tasks, with one timer per event loop for all of them.

`asyncio.timeout` schedules a timer for each use and cancels it when the wait ends: a heap
push, and a cancelled handle for the loop to clear, for every response head and every body
read. Nearly all of them end long before their limit. A loop's `Watchdog` keeps the limits
in a dict with one timer armed for the earliest: entering and leaving a bound is an insert
and a delete. When the timer fires it cancels the tasks whose limit has passed, as
`asyncio.timeout` does (the wait raises TimeoutError), and arms itself for the next."""

from __future__ import annotations

import asyncio
import math
import time
import weakref
from collections.abc import Callable
from types import TracebackType


class Bound:
    """`with bound_after(seconds):` in a task: the wait inside raises TimeoutError once the
    limit passes. `reschedule(when)` moves the limit to a time of the loop's clock (None:
    no limit), as `asyncio.Timeout.reschedule` does; once the bound has passed or been left,
    it is a no-op."""

    __slots__ = ("_cancelling", "_dog", "_expired", "_task", "when")

    def __init__(self, dog: Watchdog, when: float | None) -> None:
        self._dog = dog
        self.when = when
        self._expired = False
        self._task: asyncio.Task[object] | None = None
        self._cancelling = 0

    def __enter__(self) -> Bound:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("a time bound is for code running in a task")
        self._task = task
        self._cancelling = task.cancelling()
        dog = self._dog
        dog.bounds[self] = None
        when = self.when
        if when is not None and when < dog.fires_at:
            dog.arm(when)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # The timer stays armed: when it fires it finds what is left, and re-arms for that.
        self._dog.bounds.pop(self, None)
        # The cancellation this bound made is its own to take back; one from elsewhere
        # (the caller cancelling) goes on as it came.
        if (
            self._expired
            and self._task is not None
            and self._task.uncancel() <= self._cancelling
            and exc_type is asyncio.CancelledError
        ):
            raise TimeoutError from exc

    def reschedule(self, when: float | None) -> None:
        # A bound that has passed or been left has nothing more to bound: a no-op then.
        if not self._expired:
            self.when = when
            dog = self._dog
            if when is not None and when < dog.fires_at and self in dog.bounds:
                dog.arm(when)

    def expire(self) -> None:
        self._expired = True
        if self._task is not None:
            self._task.cancel()


class Watchdog:
    """The bounds entered on one event loop (`bounds`, which each `Bound` enters and leaves
    itself), and the one timer that enforces them, armed for `fires_at`."""

    __slots__ = ("__weakref__", "_timer", "bounds", "fires_at")

    def __init__(self) -> None:
        self.bounds: dict[Bound, None] = {}
        self._timer: asyncio.TimerHandle | None = None
        self.fires_at = math.inf

    def arm(self, when: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self.fires_at = when
        self._timer = asyncio.get_running_loop().call_at(when, self._fire)

    def _fire(self) -> None:
        self._timer = None
        self.fires_at = math.inf
        now = asyncio.get_running_loop().time()
        earliest = math.inf
        for bound in list(self.bounds):
            when = bound.when
            if when is None:
                continue
            if when <= now:
                del self.bounds[bound]
                bound.expire()
            elif when < earliest:
                earliest = when
        if earliest < math.inf:
            self.arm(earliest)


# A loop's watchdog lives as long as the loop; the last one found is kept at hand (a loop
# is nearly always the only one of its process).
_watchdogs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Watchdog] = (
    weakref.WeakKeyDictionary()
)
_last: tuple[weakref.ref[asyncio.AbstractEventLoop], Watchdog] | None = None


def bound_after(seconds: float | None) -> Bound:
    """A bound `seconds` from now on the running loop (None: none until rescheduled)."""
    global _last
    loop = asyncio.get_running_loop()
    last = _last
    if last is not None and last[0]() is loop:
        dog = last[1]
    else:
        found = _watchdogs.get(loop)
        if found is None:
            found = _watchdogs[loop] = Watchdog()
        dog = found
        _last = (weakref.ref(loop), dog)
    return Bound(dog, None if seconds is None else loop.time() + seconds)


def rescheduler(bound: Bound) -> Callable[[float | None], None]:
    """A `HeadClock.on_bound` callback for an async send: moves `bound` to a monotonic time
    (None: off), in the loop's own time, since an event loop may keep a clock other than
    monotonic."""
    loop = asyncio.get_running_loop()

    def reschedule(ends_at: float | None) -> None:
        bound.reschedule(None if ends_at is None else loop.time() + ends_at - time.monotonic())

    return reschedule
