"""What the async twins do their own way: the asyncio half of a small interface whose
blocking half is `_sync_io` (same names, same signatures). `.ci/unasync.py` turns every
`_async_io.x` of the async sources into `_sync_io.x`."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpx2

from ._async_transport import AsyncHttpx2Transport, AsyncTransport
from ._pipeline import SEND_OPTIONS, check_open
from ._response_head_timeout import HeadClock
from ._watchdog import bound_after, rescheduler

if TYPE_CHECKING:
    from ._auth import AccessTokenLike
    from ._durable_file import DurableFile

T = TypeVar("T")

sleep = asyncio.sleep
Lock = asyncio.Lock


def new_transport(http_client: object, options: dict[str, Any]) -> AsyncTransport:
    """What sends the client's requests: an httpx2 client the package builds with `options`
    when `http_client` is None (`send_head` bounds response heads on any client), else the
    caller's `httpx2.AsyncClient` or `aiohttp.ClientSession` (the `aiohttp` extra)."""
    if http_client is None:
        return AsyncHttpx2Transport(httpx2.AsyncClient(**options), send_head, owned=True)
    if isinstance(http_client, httpx2.AsyncClient):
        check_open(http_client)
        return AsyncHttpx2Transport(http_client, send_head, owned=False)
    # A session can only come from an aiohttp that is loaded already: never imported here.
    aiohttp = sys.modules.get("aiohttp")
    if aiohttp is not None and isinstance(http_client, aiohttp.ClientSession):
        from ._aiohttp_transport import AiohttpTransport

        return AiohttpTransport(http_client)
    raise TypeError(
        "http_client must be an httpx2.AsyncClient or an aiohttp.ClientSession, "
        f"not {type(http_client).__name__}"
    )


async def within(fetch: Callable[[], Awaitable[T]], seconds: float) -> T:
    """`await fetch()`, cancelled with TimeoutError after `seconds`."""
    return await asyncio.wait_for(fetch(), max(seconds, 0.0))


async def send_head(
    http: httpx2.AsyncClient, request: httpx2.Request, clock: HeadClock, outer: float
) -> httpx2.Response:
    """Send and wait for the response head within `outer` seconds, a bound that moves with
    the clock (to the deadline while a body goes out, each write having the write timeout;
    to the head's end once the request is out): on any client, since an await can be
    interrupted."""
    try:
        with bound_after(outer) as bound:
            clock.on_bound(rescheduler(bound))
            clock.attach(request.extensions, asynchronous=True)
            return await http.send(request, **SEND_OPTIONS)
    except TimeoutError:
        # Handled as any timeout: retried within the budget and the deadline.
        if clock.sent and not clock.written:  # the deadline passed while the body went out
            raise httpx2.WriteTimeout(clock.overdue(), request=request) from None
        raise httpx2.ReadTimeout(clock.overdue(), request=request) from None


async def get_token(credential: Any, scope: str, options: dict[str, str]) -> AccessTokenLike:
    """An async credential's token; a sync credential's `get_token` runs on a worker thread,
    since it may do network and subprocess I/O that would stall the event loop."""
    if inspect.iscoroutinefunction(credential.get_token):
        return await credential.get_token(scope, **options)  # type: ignore[no-any-return]
    result = await asyncio.to_thread(credential.get_token, scope, **options)
    if inspect.isawaitable(result):  # an async get_token in disguise
        result = await result
    return result  # type: ignore[no-any-return]


async def commit(file: DurableFile) -> Path:
    """Commit on a worker thread: the fsync can take a while and must not stall the event
    loop. A cancellation waits for the commit to end, so the download is then either in
    place and complete or discarded, never both at once."""
    committing = asyncio.ensure_future(asyncio.to_thread(file.commit))
    try:
        return await asyncio.shield(committing)
    except asyncio.CancelledError:
        while not committing.done():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait([committing])
        if not committing.cancelled():
            committing.exception()  # retrieved: the cancellation is what the caller sees
        raise


async def in_thread(work: Callable[[], T]) -> T:
    """`work()` on a worker thread (reading a whole file to hash it, say)."""
    return await asyncio.to_thread(work)


async def run_all(jobs: Sequence[Callable[[], Awaitable[Any]]], limit: int) -> list[Any]:
    """Every job's result, in order, at most `limit` running at once. The first failure
    cancels the others, waits for them to end, and is raised (as itself, not in a group)."""
    running = asyncio.Semaphore(limit)

    async def run(job: Callable[[], Awaitable[Any]]) -> Any:
        async with running:
            return await job()

    tasks = [asyncio.ensure_future(run(job)) for job in jobs]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
        return [task.result() for task in tasks]
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
