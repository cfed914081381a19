"""What the blocking twins do their own way: the half of `_async_io`'s interface (same
names, same signatures) that the generated sync modules call."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpx2

from ._pipeline import SEND_OPTIONS, check_open
from ._response_head_timeout import HeadClock
from ._sync_transport import SyncHttpx2Transport, SyncTransport

if TYPE_CHECKING:
    from ._auth import AccessTokenLike
    from ._durable_file import DurableFile

T = TypeVar("T")

sleep = time.sleep
Lock = threading.Lock


def new_transport(http_client: object, options: dict[str, Any]) -> SyncTransport:
    """What sends the client's requests: an httpx2 client the package builds with `options`
    when `http_client` is None, its response heads bounded as a whole by the network backend
    put under it (a blocking read cannot be interrupted from outside), else the caller's."""
    if http_client is None:
        from ._response_head_timeout import bound_response_heads

        http = httpx2.Client(**options)
        bound_response_heads(http)
        return SyncHttpx2Transport(http, send_head, owned=True)
    if not isinstance(http_client, httpx2.Client):
        raise TypeError(f"http_client must be an httpx2.Client, not {type(http_client).__name__}")
    check_open(http_client)
    return SyncHttpx2Transport(http_client, send_head, owned=False)


def within(fetch: Callable[[], T], seconds: float) -> T:
    """`fetch()` on a thread of its own, waited for at most `seconds` (TimeoutError after).
    A sync credential cannot be interrupted: a token it gets later is cached for the next
    call."""
    outcome: list[T | BaseException] = []

    def run() -> None:
        try:
            outcome.append(fetch())
        except BaseException as exc:  # handed to the caller below, whatever it is
            outcome.append(exc)

    fetcher = threading.Thread(target=run, name="azure-openai-files-token", daemon=True)
    fetcher.start()
    fetcher.join(max(seconds, 0.0))
    if not outcome:
        raise TimeoutError
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def send_head(
    http: httpx2.Client, request: httpx2.Request, clock: HeadClock, outer: float
) -> httpx2.Response:
    """Send and wait for the response head, all of it within the clock's limit on the client
    the package built (its network backend enforces it). `outer` is for I/O that can be
    interrupted from outside, which a blocking read cannot: a caller's blocking client bounds
    each read only."""
    clock.attach(request.extensions, asynchronous=False)
    with clock.awaiting_head():
        return http.send(request, **SEND_OPTIONS)


def get_token(credential: Any, scope: str, options: dict[str, str]) -> AccessTokenLike:
    return credential.get_token(scope, **options)  # type: ignore[no-any-return]


def commit(file: DurableFile) -> Path:
    return file.commit()


def in_thread(work: Callable[[], T]) -> T:
    """Run where called: a blocking upload already runs its jobs on threads (`run_all`)."""
    return work()


def run_all(jobs: Sequence[Callable[[], Any]], limit: int) -> list[Any]:
    """Every job's result, in order, at most `limit` running at once on threads of their
    own. The first failure (or an interrupt) stops the jobs not yet started, waits for those
    running (a blocking send cannot be interrupted), and is raised."""
    pool = ThreadPoolExecutor(limit, thread_name_prefix="azure-openai-files-upload")
    futures = [pool.submit(job) for job in jobs]
    try:
        wait(futures, return_when=FIRST_EXCEPTION)
        for future in futures:
            if future.done() and future.exception() is not None:
                raise future.exception()  # type: ignore[misc]
        return [future.result() for future in futures]
    finally:
        for future in futures:
            future.cancel()
        pool.shutdown(wait=True)
