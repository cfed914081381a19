"""Many calls, one throttled resource: a 429 that asks for a wait pauses every call of the
client (and of every client sharing its `RetryBudget`), and retries of other failures stop
once the budget is spent, raised at once and saying so."""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any

import pytest

from azure_openai_files import (
    FilesClient,
    RateLimitError,
    RequestTimeoutError,
    RetryBudget,
    ServerError,
    _throttle,
)
from tests.support.clients import DOCS_SAMPLE, FAKE_KEY, KINDS, Clients
from tests.support.loopback import LoopbackServer, ReceivedRequest, respond_json

THROTTLED = {"error": {"code": "429", "message": "Rate limit is exceeded."}}
BUSY = {"error": {"code": "ServiceUnavailable", "message": "Try again."}}


class ThrottleOnce:
    """Answers the first request 429 with `retry-after-ms`, every other one 200; records
    when each request arrived."""

    def __init__(self, server: LoopbackServer, wait_ms: int) -> None:
        self.arrivals: list[float] = []
        self._lock = threading.Lock()
        self._wait_ms = wait_ms
        server.script(self)

    def __call__(self, conn: Any, request: ReceivedRequest) -> None:
        with self._lock:
            self.arrivals.append(time.monotonic())
            first = len(self.arrivals) == 1
        if first:
            headers = {"retry-after-ms": str(self._wait_ms)}
            respond_json(429, THROTTLED, headers)(conn, request)
        else:
            respond_json(200, DOCS_SAMPLE)(conn, request)


@pytest.mark.timeout(20)
@pytest.mark.parametrize("shared", [False, True], ids=["one-client", "two-clients-one-budget"])
def test_a_429_pauses_every_call_not_only_the_one_that_got_it(
    server: LoopbackServer, shared: bool
) -> None:
    ThrottleOnce(server, wait_ms=600)
    budget = RetryBudget()
    first = FilesClient(server.endpoint, api_key=FAKE_KEY, retry_budget=budget)
    second = (
        first if not shared else FilesClient(server.endpoint, api_key=FAKE_KEY, retry_budget=budget)
    )
    try:
        first.get_file("f")  # throttled, waits, succeeds
        started = time.monotonic()
        second.get_file("g")  # sent at once: the pause is over
        assert time.monotonic() - started < 0.5
        # A call made during the pause waits for its end.
        throttle_again = ThrottleOnce(server, wait_ms=600)
        worker = threading.Thread(target=first.get_file, args=("h",))
        worker.start()
        time.sleep(0.15)  # the 429 has arrived: the client is paused
        second.get_file("i")
        worker.join()
    finally:
        first.close()
        second.close()
    arrivals = throttle_again.arrivals
    assert len(arrivals) == 3  # 429 to h, then i and h's retry after the pause
    assert min(arrivals[1:]) - arrivals[0] >= 0.55


@pytest.mark.timeout(20)
def test_without_a_shared_budget_another_client_is_not_paused(server: LoopbackServer) -> None:
    throttle = ThrottleOnce(server, wait_ms=800)
    with (
        FilesClient(server.endpoint, api_key=FAKE_KEY) as throttled,
        FilesClient(server.endpoint, api_key=FAKE_KEY) as other,
    ):
        worker = threading.Thread(target=throttled.get_file, args=("f",))
        worker.start()
        time.sleep(0.15)
        started = time.monotonic()
        other.get_file("g")
        assert time.monotonic() - started < 0.5
        worker.join()
    assert len(throttle.arrivals) == 3


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", KINDS)
def test_a_spent_retry_budget_raises_the_failure_at_once_saying_so(
    server: LoopbackServer, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Too few failures to count as an outage (which pauses the client instead).
    monkeypatch.setattr(_throttle, "UNAVAILABLE_MIN", 100)
    server.script(respond_json(503, BUSY))
    budget = RetryBudget(ratio=0.0, min_per_second=0.0)  # one retry, never refilled
    clients = Clients(kind, server.endpoint, retry_budget=budget, retry_backoff=0)
    with pytest.raises(ServerError) as caught:
        clients.call("get_file", "f")
    assert len(server.requests) == 2  # max_retries is 3: the budget allowed one
    assert any("retry budget is spent" in note for note in caught.value.__notes__)
    server.script(respond_json(503, BUSY))
    with pytest.raises(ServerError):
        clients.call("get_file", "f")
    assert len(server.requests) == 1  # nothing left: the next call is not retried at all


@pytest.mark.timeout(20)
def test_a_retry_after_a_429_is_not_charged_to_the_budget(server: LoopbackServer) -> None:
    ThrottleOnce(server, wait_ms=50)
    budget = RetryBudget(ratio=0.0, min_per_second=0.0)
    with FilesClient(server.endpoint, api_key=FAKE_KEY, retry_budget=budget) as client:
        client.get_file("f")
    assert budget.try_spend(time.monotonic()) is True  # the one retry is still there


@pytest.mark.timeout(20)
def test_a_call_whose_deadline_ends_during_the_pause_fails_at_once_naming_the_wait(
    server: LoopbackServer,
) -> None:
    ThrottleOnce(server, wait_ms=5_000)
    budget = RetryBudget()
    with FilesClient(server.endpoint, api_key=FAKE_KEY, retry_budget=budget) as client:
        gave_up: list[Exception] = []

        def throttled_call() -> None:
            try:
                client.get_file("f", deadline=0.5)
            except RequestTimeoutError as error:  # throttled for 5 s: past its own deadline
                gave_up.append(error)

        worker = threading.Thread(target=throttled_call)
        worker.start()
        time.sleep(0.2)
        started = time.monotonic()
        with pytest.raises(RequestTimeoutError) as caught:
            client.get_file("g", deadline=1.0)
        assert time.monotonic() - started < 0.5
        worker.join()
    assert len(gave_up) == 1
    assert "while the client waits" in str(caught.value)
    assert "for its turn to send" in str(caught.value)


def test_retry_budget_must_be_a_retry_budget() -> None:
    with pytest.raises(TypeError, match="retry_budget must be a RetryBudget or None, not dict"):
        FilesClient("https://r.openai.azure.com", api_key="k", retry_budget={})  # type: ignore[arg-type]


@pytest.mark.timeout(20)
def test_a_client_sharing_a_budget_keeps_its_own_longest_wait(server: LoopbackServer) -> None:
    ThrottleOnce(server, wait_ms=5_000)
    budget = RetryBudget()
    patient = FilesClient(server.endpoint, api_key=FAKE_KEY, retry_budget=budget)
    hasty = FilesClient(server.endpoint, api_key=FAKE_KEY, retry_budget=budget, max_retry_after=0.5)
    try:

        def throttled_call() -> None:
            with contextlib.suppress(RequestTimeoutError):  # 5 s is past its deadline
                patient.get_file("f", deadline=1)

        worker = threading.Thread(target=throttled_call)
        worker.start()
        time.sleep(0.2)  # the patient client's 429 has paused the budget for 5 s
        started = time.monotonic()
        with pytest.raises(RateLimitError, match="longer than max_retry_after") as caught:
            hasty.get_file("g")
        assert time.monotonic() - started < 0.5
        assert caught.value.retry_after is not None and caught.value.retry_after > 4
    finally:
        worker.join()
        patient.close()
        hasty.close()


class OutageFor:
    """503 to everything for `seconds` from the first request, then the file."""

    def __init__(self, server: LoopbackServer, seconds: float) -> None:
        self.started: float | None = None
        self.seconds = seconds
        server.script(self)

    def __call__(self, conn: Any, request: ReceivedRequest) -> None:
        now = time.monotonic()
        if self.started is None:
            self.started = now
        if now - self.started < self.seconds:
            respond_json(503, BUSY)(conn, request)
        else:
            respond_json(200, DOCS_SAMPLE)(conn, request)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
def test_an_outage_pauses_the_whole_client_until_the_resource_recovers(
    server: LoopbackServer, kind: str
) -> None:
    """Calls that meet a resource failing everything wait together for it (paused, not
    charged to the budget) instead of each spending its retries on it."""
    OutageFor(server, 1.2)
    options: dict[str, Any] = {"retry_backoff": 0.01, "retry_backoff_max": 0.02}
    if kind == "sync":
        from concurrent.futures import ThreadPoolExecutor

        with (
            FilesClient(server.endpoint, api_key=FAKE_KEY, **options) as client,
            ThreadPoolExecutor(8) as pool,
        ):
            files = list(pool.map(client.get_file, ["f"] * 8))  # raises if a call failed
            assert {f.filename for f in files} == {DOCS_SAMPLE["filename"]}
    else:
        import asyncio

        from azure_openai_files import AsyncFilesClient

        async def run() -> None:
            async with AsyncFilesClient(server.endpoint, api_key=FAKE_KEY, **options) as client:
                files = await asyncio.gather(*(client.get_file("f") for _ in range(8)))
                assert {f.filename for f in files} == {DOCS_SAMPLE["filename"]}

        asyncio.run(run())
    # 8 calls x 4 attempts would be 32 requests within 0.1 s, and most calls would fail;
    # paused 0.5 s, then 1 s, the calls meet the resource a few times only.
    assert len(server.requests) < 24
