"""`AsyncFilesClient`: the asyncio twin of `FilesClient`, same methods as coroutines."""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx2

from ._auth import AsyncTokenCredential, KeyCredential, TokenCredential
from ._config import resolve_auth, resolve_settings
from ._download import PartFile, Progress, prepare_destination
from ._errors import IncompleteDownloadError, RequestTimeoutError
from ._models import FileObject
from ._operations import get_file_content_request, get_file_request, parse_file
from ._pipeline import AsyncPipeline, call_headers, parse_with_request_ids
from ._polling import DEFAULT_POLL_INTERVAL, DEFAULT_WAIT_TIMEOUT, PollSchedule
from ._retry import RetryPolicy
from ._streaming import CONTENT_HEADERS, AsyncContentStream


class AsyncFilesClient:
    """Async client; `credential` may be an async (azure.identity.aio) credential or a sync one,
    whose `get_token` then runs on a worker thread. One connection pool per client; use it
    from one event loop. `http_client`: an `httpx2.AsyncClient` to send with, as
    `FilesClient`'s `http_client`."""

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        api_key: str | KeyCredential | None = None,
        credential: TokenCredential | AsyncTokenCredential | None = None,
        api_version: str | None = None,
        timeout: float | httpx2.Timeout | None = None,
        max_retries: int = 3,
        retry_backoff: float = 0.5,
        retry_backoff_max: float = 8.0,
        max_retry_after: float = 60.0,
        deadline: float | None = None,
        http_client: httpx2.AsyncClient | None = None,
    ) -> None:
        self._settings = resolve_settings(
            endpoint,
            api_version=api_version,
            timeout=timeout,
            retry_policy=RetryPolicy(
                max_retries, retry_backoff, retry_backoff_max, max_retry_after
            ),
            deadline=deadline,
        )
        auth = resolve_auth(self._settings, api_key, credential, is_async=True)
        self._pipeline = AsyncPipeline(self._settings, auth, http_client)  # type: ignore[arg-type]

    @property
    def endpoint(self) -> str:
        return str(self._settings.base_url)

    @property
    def api_version(self) -> str:
        return self._settings.api_version

    async def get_file(
        self, file_id: str, *, deadline: float | None = None, client_request_id: str | None = None
    ) -> FileObject:
        """`GET /openai/files/{file-id}`: the file's metadata."""
        operation = get_file_request(file_id, self._settings.api_version)
        response = await self._pipeline.send(
            operation,
            state=self._pipeline.new_state(deadline),
            metadata=True,
            headers=call_headers(client_request_id),
        )
        return parse_with_request_ids(response, parse_file)

    async def get_file_content(
        self, file_id: str, *, deadline: float | None = None, client_request_id: str | None = None
    ) -> bytes:
        """`GET /openai/files/{file-id}/content`: the whole content in memory."""
        operation = get_file_content_request(file_id, self._settings.api_version)
        response = await self._pipeline.send(
            operation,
            state=self._pipeline.new_state(deadline),
            whole_content=True,
            headers=call_headers(client_request_id, CONTENT_HEADERS),
        )
        return response.content

    def stream_file_content(
        self, file_id: str, *, deadline: float | None = None, client_request_id: str | None = None
    ) -> contextlib.AbstractAsyncContextManager[AsyncContentStream]:
        """`async with client.stream_file_content(id) as stream: async for chunk in
        stream.iter_bytes(): ...`. The request is sent on entering the block."""
        operation = get_file_content_request(file_id, self._settings.api_version)
        return _StreamRequest(
            self._pipeline, operation, deadline, call_headers(client_request_id, CONTENT_HEADERS)
        )

    async def download_file(
        self,
        file_id: str,
        destination: str | os.PathLike[str],
        *,
        overwrite: bool = False,
        progress: Progress | None = None,
        deadline: float | None = None,
        client_request_id: str | None = None,
    ) -> Path:
        """As `FilesClient.download_file`."""
        operation = get_file_content_request(file_id, self._settings.api_version)
        target = prepare_destination(destination, overwrite=overwrite)
        state = self._pipeline.new_state(deadline)
        headers = call_headers(client_request_id, CONTENT_HEADERS)
        part = PartFile(target, overwrite=overwrite)
        try:
            while True:
                requested_from = part.size
                response = await self._pipeline.send(
                    operation, state=state, stream=True, headers=headers | part.resume_headers()
                )
                try:
                    part.start_body(response, requested_from)
                    async for chunk in AsyncContentStream(response, state).iter_bytes():
                        part.write(chunk)
                        if progress is not None:
                            progress(part.size, part.expected)
                    part.check_complete()
                    return await _commit_off_loop(part)
                except IncompleteDownloadError as failure:
                    delay = part.delay_before_retry(
                        self._pipeline, response.request, state, failure, requested_from
                    )
                finally:
                    await response.aclose()
                await asyncio.sleep(delay)
        except BaseException:
            part.discard()
            raise

    async def wait_for_processing(
        self,
        file_id: str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> FileObject:
        """As `FilesClient.wait_for_processing`."""
        schedule = PollSchedule(file_id, timeout, poll_interval)
        while True:
            try:
                file = await self.get_file(
                    file_id, deadline=schedule.poll_deadline(self._settings.deadline)
                )
            except RequestTimeoutError as error:
                raise schedule.timed_out(error)  # noqa: B904 (its cause is set there)
            sleep = schedule.next_sleep(file)
            if sleep is None:
                return file
            await asyncio.sleep(sleep)

    async def close(self) -> None:
        await self._pipeline.close()

    async def __aenter__(self) -> AsyncFilesClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(endpoint={self.endpoint!r}, api_version={self.api_version!r})"
        )


class _StreamRequest:
    """What `AsyncFilesClient.stream_file_content` returns: sends on `async with`."""

    def __init__(
        self,
        pipeline: AsyncPipeline,
        operation: dict[str, Any],
        deadline: float | None,
        headers: dict[str, str],
    ) -> None:
        self._pipeline = pipeline
        self._operation = operation
        self._deadline = deadline
        self._headers = headers
        self._stream: AsyncContentStream | None = None

    async def __aenter__(self) -> AsyncContentStream:
        state = self._pipeline.new_state(self._deadline)
        response = await self._pipeline.send(
            self._operation, state=state, stream=True, whole_content=True, headers=self._headers
        )
        self._stream = AsyncContentStream(response, state)
        return self._stream

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stream is not None:
            await self._stream.close()


async def _commit_off_loop(part: PartFile) -> Path:
    """Commit on a worker thread: the fsync can take a while and must not stall the event
    loop. A cancellation waits for the commit to end, so the download is then either in
    place and complete or discarded, never both at once."""
    commit = asyncio.ensure_future(asyncio.to_thread(part.commit))
    try:
        return await asyncio.shield(commit)
    except asyncio.CancelledError:
        while not commit.done():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait([commit])
        if not commit.cancelled():
            commit.exception()  # retrieved: the cancellation is what the caller sees
        raise
