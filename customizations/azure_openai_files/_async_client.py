"""`AsyncFilesClient`. This file is the source of `_sync_client.py` (`FilesClient`, written
by `.ci/unasync.py`): both clients are this code, the sync one with its awaits removed."""

from __future__ import annotations

import contextlib
import datetime
import os
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import httpx2

from . import _async_io, _tracing
from ._async_bearer_auth import AsyncBearerTokenAuth
from ._async_paging import AsyncFilePager
from ._async_pipeline import AsyncPipeline
from ._async_streaming import AsyncContentStream
from ._async_uploads import AsyncUploads
from ._auth import AsyncTokenCredential, KeyCredential, TokenCredential
from ._config import resolve_auth, resolve_settings
from ._download import Download, Progress
from ._durable_file import DurableFile, prepare_destination
from ._errors import (
    FilesError,
    IncompleteDownloadError,
    InvalidArgumentType,
    NotFoundError,
    RequestTimeoutError,
    scrub_secrets,
)
from ._generated_api import (
    check_operation,
    delete_file_operation,
    get_file_content_operation,
    get_file_operation,
    import_file_operation,
    list_files_operation,
    list_pages,
    upload_file_operation,
    upload_rules,
)
from ._models import FileDeletionStatus, FileObject
from ._operation import Expect, Operation
from ._paging import MAX_PAGE_SIZE, FilePage, check_order, check_page_size
from ._pipeline import call_headers, parse_with_request_ids
from ._polling import DEFAULT_POLL_INTERVAL, DEFAULT_WAIT_TIMEOUT, PollSchedule
from ._responses import (
    parse_deletion,
    parse_file,
    parse_file_page,
)
from ._retry import RetryPolicy
from ._streaming import CONTENT_HEADERS
from ._throttle import RetryBudget
from ._upload import (
    MAX_SINGLE_UPLOAD,
    UploadProgress,
    UploadSource,
    check_content_url,
    check_filename,
    landed_upload,
)

if TYPE_CHECKING:
    import aiohttp  # the `aiohttp` extra: a session of it may be the http_client

    from ._upload import UploadInput


class AsyncFilesClient:
    """Reads file metadata and content from an Azure OpenAI resource.

    One connection pool per client: `FilesClient` is safe to share between threads,
    `AsyncFilesClient` is used from one event loop. Close it (or use it as a context
    manager) when done.

    `credential`: a Microsoft Entra ID credential (`get_token(*scopes)`); `AsyncFilesClient`
    also takes azure.identity.aio ones, and runs a sync one's `get_token` on a worker thread.
    `http_client`: an `httpx2.AsyncClient` (proxies, TLS, event hooks, limits) to send every
    request with. Or an `aiohttp.ClientSession` (the `aiohttp` extra), sent through directly.
    The client's timeout, deadline, retries, redirect refusal, URL and auth headers still
    apply to each request; `close()` leaves that client open for its owner to close.
    `tracing`: with opentelemetry-api installed (the `tracing` extra), each call is traced
    through the global OpenTelemetry providers; False turns that off for this client.
    """

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
        retry_budget: RetryBudget | None = None,
        http_client: httpx2.AsyncClient | aiohttp.ClientSession | None = None,
        tracing: bool = True,
    ) -> None:
        self._settings = resolve_settings(
            endpoint,
            api_version=api_version,
            timeout=timeout,
            retry_policy=RetryPolicy(
                max_retries, retry_backoff, retry_backoff_max, max_retry_after
            ),
            deadline=deadline,
            retry_budget=retry_budget,
        )
        auth = resolve_auth(self._settings, api_key, credential, bearer=AsyncBearerTokenAuth)
        self._tracing = _tracing.for_client(
            "AsyncFilesClient", self._settings.base_url, self._settings.api_version, tracing
        )
        self._pipeline = AsyncPipeline(self._settings, auth, http_client)
        self._uploads = AsyncUploads(
            self._pipeline, self._settings.api_version, partial(self.list_files, order="desc")
        )

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
        with _tracing.call(self._tracing, "get_file") as trace:
            operation = get_file_operation(file_id, self._settings.api_version)
            response = await self._pipeline.send(
                operation,
                state=self._pipeline.new_state(deadline, trace),
                headers=call_headers(client_request_id),
            )
            return parse_with_request_ids(response, parse_file)

    async def get_file_content(
        self, file_id: str, *, deadline: float | None = None, client_request_id: str | None = None
    ) -> bytes:
        """`GET /openai/files/{file-id}/content`: the whole content in memory. For large files
        use `stream_file_content` or `download_file`."""
        with _tracing.call(self._tracing, "get_file_content") as trace:
            operation = self._content_operation(file_id, "get_file_content", Expect.CONTENT)
            response = await self._pipeline.send(
                operation,
                state=self._pipeline.new_state(deadline, trace),
                headers=call_headers(client_request_id, CONTENT_HEADERS),
            )
            return response.content

    def stream_file_content(
        self, file_id: str, *, deadline: float | None = None, client_request_id: str | None = None
    ) -> contextlib.AbstractAsyncContextManager[AsyncContentStream]:
        """`GET /openai/files/{file-id}/content`, streamed: `async with
        client.stream_file_content(id) as stream: async for chunk in stream.iter_bytes(): ...`.
        The request is sent on entering the block; errors before the body are raised there."""
        operation = self._content_operation(file_id, "stream_file_content", Expect.CONTENT_STREAM)
        return _StreamRequest(
            self._pipeline,
            operation,
            deadline,
            call_headers(client_request_id, CONTENT_HEADERS),
            # The span lasts until the block exits, where the caller's own spans are current.
            _tracing.call(self._tracing, "stream_file_content", current=False),
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
        """Download the content to `destination`: complete and verified, or not there at all.
        `overwrite=True` replaces only a regular file or a symlink (the link itself, not its
        target). `progress(bytes_done, total_or_None)` is called as bytes arrive."""
        with _tracing.call(self._tracing, "download_file") as trace:
            operation = self._content_operation(file_id, "download_file", Expect.RESUMABLE_CONTENT)
            target = prepare_destination(destination, overwrite=overwrite)
            state = self._pipeline.new_state(deadline, trace)
            headers = call_headers(client_request_id, CONTENT_HEADERS)
            download = Download(DurableFile(target, overwrite=overwrite))
            try:
                while True:
                    requested_from = download.size
                    response = await self._pipeline.send(
                        operation, state=state, headers=headers | download.resume_headers()
                    )
                    try:
                        download.start_body(response, requested_from)
                        async for chunk in AsyncContentStream(response, state).iter_bytes():
                            download.write(chunk)
                            if progress is not None:
                                progress(download.size, download.expected)
                        download.check_complete()
                        return await _async_io.commit(download.file)
                    except IncompleteDownloadError as failure:
                        delay = self._pipeline.delay_before_retry(
                            response.request,
                            state,
                            failure,
                            progressed=download.forgive(state, requested_from),
                        )
                    finally:
                        await response.aclose()
                    await _async_io.sleep(delay)
            except BaseException:
                download.file.discard()
                raise

    async def wait_for_processing(
        self,
        file_id: str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> FileObject:
        """Poll `get_file` until a terminal status: returns the file when `processed` (or
        `deleted`), raises `FileProcessingError` on `error` and `WaitTimeoutError` at the
        timeout. Statuses this version does not list count as still in progress."""
        with _tracing.call(self._tracing, "wait_for_processing"):  # each get_file its child
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
                await _async_io.sleep(sleep)

    def list_files(
        self,
        *,
        purpose: str | None = None,
        order: str | None = None,
        page_size: int | None = None,
    ) -> AsyncFilePager:
        """`GET /openai/files`: every file (of `purpose`, when given), fetched a page at a
        time as iteration reaches them. `order`: "asc" or "desc" by creation time.
        `page_size`: files per request (1 to 10,000) where the api-version pages; versions
        that return every file at once (2024-06-01, 2024-10-21) answer in one page."""
        api_version = self._settings.api_version
        check_operation("list_files", api_version, "list_files")
        if purpose is not None and not isinstance(purpose, str):
            raise InvalidArgumentType("purpose", f"must be a str, not {type(purpose).__name__}")
        order = check_order(order)
        page_size = check_page_size(page_size)
        limit = (page_size or MAX_PAGE_SIZE) if list_pages(api_version) else None

        async def fetch_page(after: str | None) -> FilePage:
            with _tracing.call(self._tracing, "list_files") as trace:
                operation = list_files_operation(
                    api_version, purpose=purpose, order=order, limit=limit, after=after
                )
                response = await self._pipeline.send(
                    operation,
                    state=self._pipeline.new_state(None, trace),
                    headers=call_headers(None),
                )
                page = parse_with_request_ids(response, parse_file_page)
            if limit is None and order is not None:  # the version cannot order: done here
                page.files.sort(key=lambda f: f.created_at or 0, reverse=order == "desc")
            return page

        return AsyncFilePager(fetch_page, limit)

    async def upload_file(
        self,
        file: UploadInput,
        *,
        purpose: str,
        filename: str | None = None,
        expires_after: int | datetime.timedelta | None = None,
        progress: Progress | None = None,
        deadline: float | None = None,
        client_request_id: str | None = None,
    ) -> FileObject:
        """`POST /openai/files`: upload `file` (a path, bytes, or a binary file object) and
        return the stored file. Streamed, never read whole. Files over 512 MB go through the
        Uploads API in parts where the api-version has it. After a failure that leaves the
        outcome open, the client looks for the file before sending it again: the file is
        stored once, or `OutcomeUnknownError` says that it may have been.
        `expires_after`: seconds (or a timedelta) after which the service deletes the file.
        `progress(bytes_sent, total_or_None)` is called as bytes go out."""
        with _tracing.call(self._tracing, "upload_file") as trace:
            api_version = self._settings.api_version
            rules = upload_rules(api_version, purpose, expires_after, "upload_file")
            source = UploadSource(file, filename)
            state = self._pipeline.new_state(deadline, trace)
            headers = call_headers(client_request_id)
            counter = UploadProgress(progress, source.size)
            if source.size is not None and source.size > MAX_SINGLE_UPLOAD:
                rules.check_large(source.size)
                return await self._uploads.in_parts(source, rules, counter, state, headers)
            operation = upload_file_operation(
                api_version, rules, source, on_sent=counter.part(0), limit=MAX_SINGLE_UPLOAD
            )
            return await self._uploads.store_once(
                operation, state, headers, partial(landed_upload, source, rules.purpose)
            )

    async def import_file(
        self,
        content_url: str,
        *,
        filename: str,
        purpose: str,
        expires_after: int | datetime.timedelta | None = None,
        deadline: float | None = None,
        client_request_id: str | None = None,
    ) -> FileObject:
        """`POST /openai/files/import`: the service fetches the file from `content_url` (an
        Azure Blob URL, often with a SAS token: its query is never logged, traced or put in
        an error). Stored once, as for `upload_file`."""
        with _tracing.call(self._tracing, "import_file") as trace:
            api_version = self._settings.api_version
            # Before anything else: an api-version without imports says so first.
            rules = upload_rules(api_version, purpose, expires_after, "import_file")
            url, secrets = check_content_url(content_url)
            filename = check_filename(filename)
            operation = import_file_operation(api_version, url, filename, rules)
            state = self._pipeline.new_state(deadline, trace)
            try:
                return await self._uploads.store_once(
                    operation,
                    state,
                    call_headers(client_request_id),
                    partial(landed_upload, filename, rules.purpose),
                )
            except FilesError as error:
                scrub_secrets(error, secrets)
                raise

    async def delete_file(
        self, file_id: str, *, deadline: float | None = None, client_request_id: str | None = None
    ) -> FileDeletionStatus:
        """`DELETE /openai/files/{file-id}`. A retry answered 404 after an earlier attempt
        that may have deleted the file (its answer lost) reports it deleted."""
        with _tracing.call(self._tracing, "delete_file") as trace:
            operation = delete_file_operation(file_id, self._settings.api_version)
            state = self._pipeline.new_state(deadline, trace)
            try:
                response = await self._pipeline.send(
                    operation, state=state, headers=call_headers(client_request_id)
                )
            except NotFoundError:
                if state.maybe_done:
                    return FileDeletionStatus(file_id, True)
                raise
            return parse_with_request_ids(response, partial(parse_deletion, file_id=file_id))

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

    def _content_operation(self, file_id: str, name: str, expect: Expect) -> Operation:
        return get_file_content_operation(file_id, self._settings.api_version, name, expect)


class _StreamRequest:
    """What `stream_file_content` returns: sends on entering the block, as httpx's
    `client.stream()` does, so both clients send at the same moment. The call's span (when
    traced) starts there and ends as the block exits."""

    def __init__(
        self,
        pipeline: AsyncPipeline,
        operation: Operation,
        deadline: float | None,
        headers: dict[str, str],
        traced: contextlib.AbstractContextManager[_tracing.CallTrace | None],
    ) -> None:
        self._pipeline = pipeline
        self._operation = operation
        self._deadline = deadline
        self._headers = headers
        self._traced = traced
        self._stream: AsyncContentStream | None = None

    async def __aenter__(self) -> AsyncContentStream:
        trace = self._traced.__enter__()
        try:
            state = self._pipeline.new_state(self._deadline, trace)
            response = await self._pipeline.send(
                self._operation, state=state, headers=self._headers
            )
        except BaseException as exc:
            self._traced.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self._stream = AsyncContentStream(response, state)
        return self._stream

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._stream is not None:
                await self._stream.close()
        finally:
            self._traced.__exit__(exc_type, exc, tb)
