"""`RetryBudget`: one shared view of a throttled resource, for every call of a client (or of
several clients given the same object). Sans-IO: each method takes the monotonic time and
returns a decision; the pipelines do the waiting.

Two things make many callers of one resource behave like one well-mannered caller:

- **A pace learned from throttling.** A 429 that asks for a wait pauses every call of the
  client until that moment, not only the one that got it; then the calls are released one
  by one at a rate learned from the throttling, never all at once. The first 429 sets the
  rate to what the resource admitted in the last second and lets it grow quickly (the
  resource's capacity is not known yet); each later 429 sets a ceiling at what the
  resource admitted in the second before it, drops the rate just below it and approaches
  it slowly from below, probing a little above it over time. Until the first 429 nothing
  is paced.
- **A retry budget.** Retries of other failures (5xx, 408, a lost connection) draw on an
  allowance that each success refills by `ratio` and time by `min_per_second` a second, up
  to `min_per_second * window` (as gRPC's retry throttling and Finagle's retry budgets
  do): retries add at most `ratio` of the successes plus the floor; past it a retryable
  failure is raised at once, saying the budget is spent, instead of adding load to a
  resource that is already failing. A retry after a 429 that asked for a wait is not
  charged: it waits for the pace, which already bounds the traffic (a 429 that names no
  wait is retried with backoff, and charged, like a 503).
- **A pause when the resource fails.** A 5xx that names no wait is retried on its own, as
  above, unless the resource is failing a large share of the requests (a fifth of the last
  second's answers, three at least): then it is overloaded or down, and the whole client
  pauses, as on a 429: half a second, doubled for each such second that follows, so that the
  calls wait for the resource to recover instead of spending their retries and the budget
  on it. The calls are then released at a pace that starts low and grows fast.
- **A gentle start.** Until the resource first throttles, a client that has just started
  sends `START_BURST` requests at once, then at most `START_RATE` a second, a rate that
  doubles every tenth of a second (in about 1.3 s nothing is held back any more): many
  callers that start at once reach the resource spread out, not as one burst the resource
  can only refuse. Calls made one after another are never held back.
"""

from __future__ import annotations

import math
import threading
from collections import deque

from ._errors import InvalidArgument, InvalidArgumentType

# After the first 429 the rate grows by e^(FAST_GROWTH * seconds): about 2.7x a second (a
# faster growth overshoots further before the next 429 and measures the ceiling worse).
FAST_GROWTH = 1.0
# After a later 429: the rate drops to DROP x the ceiling, closes APPROACH of the gap to it
# per second, and probes above it by PROBE x the ceiling per second.
DROP = 0.95
APPROACH = 1.0
PROBE = 0.005
# Never slower than this, whatever the throttling said (requests per second).
MIN_RATE = 1.0
# The first pace, at least: a resource that throttled before admitting much says little
# about its capacity, and the fast growth finds it from here within seconds.
FIRST_RATE = 50.0
# Successes are counted over this trailing window to measure what the resource admits, and
# a ceiling is only learned from at least MIN_MEASURED seconds of traffic.
MEASURE_WINDOW = 1.0
MIN_MEASURED = 0.25
# Past this rate (requests per second) nothing is held back any more.
MAX_RATE = 100_000.0
# The gentle start: the requests a new client sends at once, the rate it then begins at,
# and how fast that doubles (seconds).
START_BURST = 20
START_RATE = 150.0
START_DOUBLING = 0.1
# A resource answering 5xx to at least this share of the last second's requests (and at
# least UNAVAILABLE_MIN of them) is failing: the whole client pauses, FIRST_OUTAGE_PAUSE
# seconds at first, doubled for each pause that follows within OUTAGE_MEMORY seconds of the
# last one's end, up to MAX_OUTAGE_PAUSE.
UNAVAILABLE_SHARE = 0.2
UNAVAILABLE_MIN = 3
FIRST_OUTAGE_PAUSE = 0.5
MAX_OUTAGE_PAUSE = 8.0
OUTAGE_MEMORY = 2.0


class RetryBudget:
    """How many retries a client's calls may add, and the pace its calls keep once the
    resource throttles them. Pass one object as `retry_budget=` to several clients to give
    them one shared view of the resource they share (thread-safe).

    `ratio`: retries allowed per success (0.1: one retry for ten successes); `min_per_second`:
    retries allowed whatever the successes, so a quiet client can still retry; `window`:
    seconds over which the allowance accumulates (it starts full)."""

    def __init__(
        self, *, ratio: float = 0.1, min_per_second: float = 10.0, window: float = 10.0
    ) -> None:
        for name, value in (("ratio", ratio), ("min_per_second", min_per_second)):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidArgumentType(name, f"must be a number, not {type(value).__name__}")
            if not (value >= 0 and math.isfinite(value)):
                raise InvalidArgument(name, "must be a finite number >= 0")
        if isinstance(window, bool) or not isinstance(window, int | float):
            raise InvalidArgumentType(
                "window", f"must be seconds (a number), not {type(window).__name__}"
            )
        if not (window > 0 and math.isfinite(window)):
            raise InvalidArgument("window", "must be a positive, finite number of seconds")
        self.ratio = float(ratio)
        self.min_per_second = float(min_per_second)
        self.window = float(window)
        self._lock = threading.Lock()
        # The retry allowance, in retries: refilled by successes and by time, at most
        # what `window` seconds of the floor and of the successes would give.
        self._balance = self._capacity = max(1.0, self.min_per_second * self.window)
        self._refilled_at: float | None = None
        # The pace: None until the resource first throttles.
        self._rate: float | None = None
        self._ceiling: float | None = None
        self._paused_until = 0.0
        self._next_slot = 0.0
        self._grown_at = 0.0
        self._reacted_until = -math.inf
        self._reacted_at = -math.inf
        self._resumed_at = -math.inf  # when the last pause ended
        self._successes: deque[float] = deque()
        self._failures: deque[float] = deque()  # 5xx answers of the last MEASURE_WINDOW
        self._outage_pause = 0.0
        self._outage_ended_at = -math.inf
        # The gentle start: from the first send until the start rate passes MAX_RATE.
        self._started_at: float | None = None
        self._warm = False

    def __repr__(self) -> str:
        return (
            f"RetryBudget(ratio={self.ratio:g}, min_per_second={self.min_per_second:g}, "
            f"window={self.window:g})"
        )

    # --- the pace -----------------------------------------------------------------------

    def wait_before_send(self, now: float, longest: float = math.inf) -> float:
        """Seconds to wait before sending an attempt now (0 while nothing is paced). Each
        call reserves a turn of its own, so waiting calls are released one by one; a call
        that would wait longer than `longest` (its deadline, or the longest wait it accepts)
        reserves nothing and is told the wait, to fail at once without holding up others."""
        if self._warm and self._rate is None and now >= self._paused_until:
            return 0.0  # never throttled: the common case costs three reads
        with self._lock:
            if self._rate is None:  # never throttled nor paused
                return self._gentle_start(now, longest)
            start = max(now, self._paused_until, self._next_slot)
            if start - now > longest:
                return start - now
            rate = self._current_rate(start)
            assert rate is not None
            self._next_slot = start + 1.0 / rate
            return start - now

    def paused_until(self) -> float:
        """The monotonic time the resource asked every call to wait for (0 when none)."""
        return self._paused_until

    def throttled_since(self, moment: float) -> bool:
        """Whether the pace changed after `moment`: a turn reserved before then is void (it
        belonged to the old pace), and the call takes a new one."""
        return self._reacted_at > moment

    def on_throttled(self, now: float, retry_after: float) -> None:
        """A 429 that asked to wait `retry_after` seconds: pause every call until then, and
        learn a slower pace (once per throttling episode: the 429s of calls already in
        flight belong to the same one)."""
        with self._lock:
            if now + retry_after > self._paused_until:
                self._paused_until = now + retry_after
                # Turns reserved before now end inside the longer pause: void them.
                self._next_slot = max(self._next_slot, self._paused_until)
                self._reacted_at = now
            if now < self._reacted_until:
                return
            admitted = self._admitted(now)
            if self._rate is None:
                self._rate = max(FIRST_RATE, admitted or 0.0)
            elif admitted is not None:
                self._ceiling = max(MIN_RATE, admitted)
                self._rate = max(MIN_RATE, DROP * self._ceiling)
            # else: too little traffic since the last pause to measure; the pace stays.
            self._grown_at = self._paused_until
            self._next_slot = self._paused_until
            self._reacted_until = self._resumed_at = self._paused_until
            self._reacted_at = now

    def _gentle_start(self, now: float, longest: float) -> float:
        """The wait of a client never throttled, in its first second or so: START_BURST
        requests at once, then START_RATE a second, doubling every START_DOUBLING seconds
        (a leaky bucket, so calls made one after another are never held back)."""
        if self._started_at is None:
            self._started_at = now
        doublings = (now - self._started_at) / START_DOUBLING
        if self._warm or doublings >= math.log2(MAX_RATE / START_RATE):
            self._warm = True
            return 0.0
        rate = START_RATE * math.pow(2.0, doublings)
        due = max(self._next_slot, now)  # when the bucket would be empty again
        wait = max(0.0, due - (START_BURST - 1) / rate - now)
        if wait > longest:
            return wait
        self._next_slot = due + 1.0 / rate
        return wait

    def on_unavailable(self, now: float) -> bool:
        """A 5xx that named no wait. True when the client pauses for it (the resource fails a
        large share of the requests, or a pause is under way): the retry then waits for the
        pace, as after a 429; False when it is retried on its own, with backoff."""
        with self._lock:
            failures = self._failures
            failures.append(now)
            while failures[0] <= now - MEASURE_WINDOW:
                failures.popleft()
            if now < self._paused_until:
                return True  # an answer to a request sent before the pause began
            successes = sum(1 for moment in self._successes if moment > now - MEASURE_WINDOW)
            answers = len(failures) + successes
            if len(failures) < UNAVAILABLE_MIN or len(failures) < UNAVAILABLE_SHARE * answers:
                return False
            if now - self._outage_ended_at <= OUTAGE_MEMORY:
                self._outage_pause = min(MAX_OUTAGE_PAUSE, 2 * self._outage_pause)
            else:
                self._outage_pause = FIRST_OUTAGE_PAUSE
            self._paused_until = self._outage_ended_at = now + self._outage_pause
            self._next_slot = self._paused_until
            self._reacted_at = now
            self._resumed_at = self._paused_until
            if self._rate is None or self._ceiling is None:
                # Released from a low pace that grows fast: the resource's health, not its
                # capacity, is what failed, so nothing is learned of the capacity here.
                self._rate = FIRST_RATE
                self._grown_at = self._paused_until
            failures.clear()  # the next pause is earned by the answers after this one
            return True

    def _current_rate(self, now: float) -> float | None:
        rate = self._rate
        if rate is None or now <= self._grown_at:
            return rate
        elapsed = now - self._grown_at
        self._grown_at = now
        if self._ceiling is None:
            rate *= math.exp(min(FAST_GROWTH * elapsed, 20.0))  # never overflows
        else:
            rate += (self._ceiling - rate) * min(1.0, APPROACH * elapsed)
            self._ceiling = min(MAX_RATE, self._ceiling * (1 + PROBE * elapsed))
        self._rate = min(MAX_RATE, rate)
        return self._rate

    def _admitted(self, now: float) -> float | None:
        """Successes per second over the last MEASURE_WINDOW seconds of traffic (time spent
        paused is not traffic); None when less than MIN_MEASURED seconds of it passed."""
        successes = self._successes
        while successes and successes[0] <= now - MEASURE_WINDOW:
            successes.popleft()
        measured = min(MEASURE_WINDOW, now - self._resumed_at)
        if measured < MIN_MEASURED:
            return None
        return sum(1 for moment in successes if moment > now - measured) / measured

    # --- the retry budget ---------------------------------------------------------------

    def record_success(self, now: float) -> None:
        with self._lock:
            self._refill(now)
            self._balance = min(self._capacity, self._balance + self.ratio)
            successes = self._successes
            successes.append(now)
            if len(successes) > 4096 or successes[0] <= now - MEASURE_WINDOW:
                while successes and successes[0] <= now - MEASURE_WINDOW:
                    successes.popleft()

    def try_spend(self, now: float) -> bool:
        """Take one retry from the allowance; False when it is spent."""
        with self._lock:
            self._refill(now)
            if self._balance < 1.0:
                return False
            self._balance -= 1.0
            return True

    def _refill(self, now: float) -> None:
        if self._refilled_at is not None and now > self._refilled_at:
            gained = self.min_per_second * (now - self._refilled_at)
            self._balance = min(self._capacity, self._balance + gained)
        self._refilled_at = now
