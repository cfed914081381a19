"""Generated from `_async_client.py` by `.ci/unasync.py`: edit that file, then run
`make generate`. Never edited by hand."""

from __future__ import annotations

import contextlib
import datetime
import os
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import TracebackType

import httpx2

from . import _sync_io, _tracing
from ._auth import KeyCredential, TokenCredential
from ._config import resolve_auth, resolve_settings
from ._download import Download, Progress
from ._durable_file import DurableFile, prepare_destination
from ._errors import (
    FilesError,
    IncompleteDownloadError,
    InvalidArgument,
    NotFoundError,
    OutcomeUnknownError,
    RequestTimeoutError,
    scrub_secrets,
)
from ._generated_api import (
    cancel_upload_operation,
    check_operation,
    complete_upload_operation,
    create_upload_operation,
    delete_file_operation,
    get_file_content_operation,
    get_file_operation,
    import_file_operation,
    list_files_operation,
    list_pages,
    upload_file_operation,
    upload_part_operation,
    upload_rules,
)
from ._logging import logger
from ._models import FileDeletionStatus, FileObject
from ._operation import Expect, Operation
from ._paging import MAX_PAGE_SIZE, FilePage, check_order, check_page_size
from ._pipeline import call_headers, parse_with_request_ids
from ._polling import DEFAULT_POLL_INTERVAL, DEFAULT_WAIT_TIMEOUT, PollSchedule
from ._responses import (
    parse_completed_upload,
    parse_deletion,
    parse_file,
    parse_file_page,
    parse_resource_id,
)
from ._retry import RetryPolicy, RetryState
from ._streaming import CONTENT_HEADERS
from ._sync_bearer_auth import BearerTokenAuth
from ._sync_paging import FilePager
from ._sync_pipeline import SyncPipeline
from ._sync_streaming import ContentStream
from ._throttle import RetryBudget
from ._upload import (
    MAX_SINGLE_UPLOAD,
    PARALLEL_PARTS,
    UploadInput,
    UploadProgress,
    UploadRules,
    UploadSource,
    check_content_url,
    check_filename,
    landed_upload,
    mime_type_of,
    parts_of,
)

# How far back, from now, the files are searched for an upload whose answer was lost.
LOOK_BACK = 15 * 60
# A cancel after a failure gets this long: the failure is what the caller is waiting to see.
CANCEL_DEADLINE = 10.0


class FilesClient:
    """Reads file metadata and content from an Azure OpenAI resource.

    One connection pool per client: `FilesClient` is safe to share between threads,
    `FilesClient` is used from one event loop. Close it (or use it as a context
    manager) when done.

    `credential`: a Microsoft Entra ID credential (`get_token(*scopes)`); `FilesClient`
    also takes azure.identity.aio ones, and runs a sync one's `get_token` on a worker thread.
    `http_client`: an `httpx2.Client` (`httpx2.Client` for `FilesClient`: proxies,
    TLS, event hooks, limits) to send every request with. The client's timeout, deadline,
    retries, redirect refusal, URL and auth headers still apply to each request; `close()`
    leaves that client open for its owner to close.
    `tracing`: with opentelemetry-api installed (the `tracing` extra), each call is traced
    through the global OpenTelemetry providers; False turns that off for this client.
    """

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        api_key: str | KeyCredential | None = None,
        credential: TokenCredential | None = None,
        api_version: str | None = None,
        timeout: float | httpx2.Timeout | None = None,
        max_retries: int = 3,
        retry_backoff: float = 0.5,
        retry_backoff_max: float = 8.0,
        max_retry_after: float = 60.0,
        deadline: float | None = None,
        retry_budget: RetryBudget | None = None,
        http_client: httpx2.Client | None = None,
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
        auth = resolve_auth(self._settings, api_key, credential, bearer=BearerTokenAuth)
        self._tracing = _tracing.for_client(
            "FilesClient", self._settings.base_url, self._settings.api_version, tracing
        )
        self._pipeline = SyncPipeline(self._settings, auth, http_client)

    @property
    def endpoint(self) -> str:
        return str(self._settings.base_url)

    @property
    def api_version(self) -> str:
        return self._settings.api_version

    def get_file(
        self, file_id: str, *, deadline: float | None = None, client_request_id: str | None = None
    ) -> FileObject:
        """`GET /openai/files/{file-id}`: the file's metadata."""
        with _tracing.call(self._tracing, "get_file") as trace:
            operation = get_file_operation(file_id, self._settings.api_version)
            response = self._pipeline.send(
                operation,
                state=self._pipeline.new_state(deadline, trace),
                headers=call_headers(client_request_id),
            )
            return parse_with_request_ids(response, parse_file)

    def get_file_content(
        self, file_id: str, *, deadline: float | None = None, client_request_id: str | None = None
    ) -> bytes:
        """`GET /openai/files/{file-id}/content`: the whole content in memory. For large files
        use `stream_file_content` or `download_file`."""
        with _tracing.call(self._tracing, "get_file_content") as trace:
            operation = self._content_operation(file_id, "get_file_content", Expect.CONTENT)
            response = self._pipeline.send(
                operation,
                state=self._pipeline.new_state(deadline, trace),
                headers=call_headers(client_request_id, CONTENT_HEADERS),
            )
            return response.content

    def stream_file_content(
        self, file_id: str, *, deadline: float | None = None, client_request_id: str | None = None
    ) -> contextlib.AbstractContextManager[ContentStream]:
        """`GET /openai/files/{file-id}/content`, streamed: `with
        client.stream_file_content(id) as stream: for chunk in stream.iter_bytes(): ...`.
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

    def download_file(
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
                    response = self._pipeline.send(
                        operation, state=state, headers=headers | download.resume_headers()
                    )
                    try:
                        download.start_body(response, requested_from)
                        for chunk in ContentStream(response, state).iter_bytes():
                            download.write(chunk)
                            if progress is not None:
                                progress(download.size, download.expected)
                        download.check_complete()
                        return _sync_io.commit(download.file)
                    except IncompleteDownloadError as failure:
                        delay = self._pipeline.delay_before_retry(
                            response.request,
                            state,
                            failure,
                            progressed=download.forgive(state, requested_from),
                        )
                    finally:
                        response.close()
                    _sync_io.sleep(delay)
            except BaseException:
                download.file.discard()
                raise

    def wait_for_processing(
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
                    file = self.get_file(
                        file_id, deadline=schedule.poll_deadline(self._settings.deadline)
                    )
                except RequestTimeoutError as error:
                    raise schedule.timed_out(error)  # noqa: B904 (its cause is set there)
                sleep = schedule.next_sleep(file)
                if sleep is None:
                    return file
                _sync_io.sleep(sleep)

    def list_files(
        self,
        *,
        purpose: str | None = None,
        order: str | None = None,
        page_size: int | None = None,
    ) -> FilePager:
        """`GET /openai/files`: every file (of `purpose`, when given), fetched a page at a
        time as iteration reaches them. `order`: "asc" or "desc" by creation time.
        `page_size`: files per request (1 to 10,000) where the api-version pages; versions
        that return every file at once (2024-06-01, 2024-10-21) answer in one page."""
        api_version = self._settings.api_version
        check_operation("list_files", api_version, "list_files")
        if purpose is not None and not isinstance(purpose, str):
            raise InvalidArgument("purpose", f"must be a str, not {type(purpose).__name__}")
        order = check_order(order)
        page_size = check_page_size(page_size)
        limit = (page_size or MAX_PAGE_SIZE) if list_pages(api_version) else None

        def fetch_page(after: str | None) -> FilePage:
            with _tracing.call(self._tracing, "list_files") as trace:
                operation = list_files_operation(
                    api_version, purpose=purpose, order=order, limit=limit, after=after
                )
                response = self._pipeline.send(
                    operation,
                    state=self._pipeline.new_state(None, trace),
                    headers=call_headers(None),
                )
                page = parse_with_request_ids(response, parse_file_page)
            if limit is None and order is not None:  # the version cannot order: done here
                page.files.sort(key=lambda f: f.created_at or 0, reverse=order == "desc")
            return page

        return FilePager(fetch_page, limit)

    def upload_file(
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
                return self._upload_in_parts(source, rules, counter, state, headers)
            operation = upload_file_operation(
                api_version, rules, source, on_sent=counter.part(0), limit=MAX_SINGLE_UPLOAD
            )
            return self._create_once(
                operation, state, headers, partial(landed_upload, source, rules.purpose)
            )

    def import_file(
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
            check_operation("import_file", api_version, "import_file")
            url, secrets = check_content_url(content_url)
            rules = upload_rules(api_version, purpose, expires_after, "import_file")
            filename = check_filename(filename)
            operation = import_file_operation(api_version, url, filename, rules)
            state = self._pipeline.new_state(deadline, trace)
            try:
                return self._create_once(
                    operation,
                    state,
                    call_headers(client_request_id),
                    partial(landed_upload, filename, rules.purpose),
                )
            except FilesError as error:
                scrub_secrets(error, secrets)
                raise

    def delete_file(
        self, file_id: str, *, deadline: float | None = None, client_request_id: str | None = None
    ) -> FileDeletionStatus:
        """`DELETE /openai/files/{file-id}`. A retry answered 404 after an earlier attempt
        that may have deleted the file (its answer lost) reports it deleted."""
        with _tracing.call(self._tracing, "delete_file") as trace:
            operation = delete_file_operation(file_id, self._settings.api_version)
            state = self._pipeline.new_state(deadline, trace)
            try:
                response = self._pipeline.send(
                    operation, state=state, headers=call_headers(client_request_id)
                )
            except NotFoundError:
                if state.maybe_done:
                    return FileDeletionStatus(file_id, True)
                raise
            return parse_with_request_ids(response, partial(parse_deletion, file_id=file_id))

    def close(self) -> None:
        self._pipeline.close()

    def __enter__(self) -> FilesClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(endpoint={self.endpoint!r}, api_version={self.api_version!r})"
        )

    def _content_operation(self, file_id: str, name: str, expect: Expect) -> Operation:
        return get_file_content_operation(file_id, self._settings.api_version, name, expect)

    def _create_once(
        self,
        operation: Operation,
        state: RetryState,
        headers: dict[str, str],
        landed: Callable[[list[FileObject], float], FileObject | None],
        *,
        parse: Callable[[httpx2.Response], FileObject] = parse_file,
    ) -> FileObject:
        """Send an operation that stores a file; after a failure that leaves the outcome
        open, look for the file (`landed` picks it from the newest files) and return it, or
        send again when it is not there, or raise OutcomeUnknownError when no one can tell."""
        started = time.time()
        while True:
            try:
                response = self._pipeline.send(operation, state=state, headers=headers)
                return parse_with_request_ids(response, parse)
            except OutcomeUnknownError as unknown:
                found = landed(self._newest_files(unknown, state), started)
                if found is not None:
                    logger.info(
                        "%s: the file was stored although the answer was lost: %s "
                        "(client request id %s)",
                        operation.name,
                        found.id,
                        state.client_request_id,
                    )
                    return found
                assert state.request is not None  # set by the attempt that failed
                delay = self._pipeline.delay_before_retry(state.request, state, unknown)
                self._pipeline.rewind_body(operation, unknown)
                _sync_io.sleep(delay)

    def _newest_files(self, unknown: OutcomeUnknownError, state: RetryState) -> list[FileObject]:
        """The files of the resource, newest first, to find one whose upload's answer was
        lost; when they cannot be listed, the outcome stays unknown."""
        try:
            check_operation("list_files", self._settings.api_version, "list_files")
            pager = self.list_files(order="desc", page_size=100)
            files: list[FileObject] = []
            for page in pager.by_page():
                files += page
                oldest = page[-1].created_at if page else None
                if oldest is None or oldest < time.time() - LOOK_BACK:
                    break
        except FilesError as error:
            unknown.add_note(f"the files could not be listed to find out: {error}")
            raise unknown from unknown.__cause__
        files.sort(key=lambda f: f.created_at or 0, reverse=True)
        return files

    def _upload_in_parts(
        self,
        source: UploadSource,
        rules: UploadRules,
        counter: UploadProgress,
        state: RetryState,
        headers: dict[str, str],
    ) -> FileObject:
        """The Uploads API: create an upload, send the parts (read from the source by offset,
        a few at a time, each retried on its own), then complete it with the parts in order
        and the file's MD5. Cancelled when anything fails, the caller's cancellation too."""
        assert source.size is not None
        api_version = self._settings.api_version
        create = create_upload_operation(
            api_version, source.filename, source.size, mime_type_of(source.filename), rules
        )
        upload_id = parse_with_request_ids(
            self._pipeline.send(create, state=state, headers=headers),
            partial(parse_resource_id, what="upload"),
        )
        try:
            parts = [
                partial(
                    self._send_part, upload_id, source, offset, length, counter.part(offset), state
                )
                for offset, length in parts_of(source.size)
            ]
            # The MD5 is read alongside the parts, a pass of its own over the file.
            md5, part_ids = _sync_io.run_all(
                [
                    partial(_sync_io.in_thread, source.md5),
                    partial(_sync_io.run_all, parts, PARALLEL_PARTS),
                ],
                2,
            )
            complete = complete_upload_operation(api_version, upload_id, part_ids, md5)
            return self._create_once(
                complete,
                state,
                headers,
                partial(landed_upload, source, rules.purpose),
                parse=parse_completed_upload,
            )
        except BaseException:
            self._cancel_upload(upload_id, state)
            raise

    def _send_part(
        self,
        upload_id: str,
        source: UploadSource,
        offset: int,
        length: int,
        on_sent: Callable[[int], object],
        call: RetryState,
    ) -> str:
        """One part of an upload, with retries of its own (a part sent twice is harmless:
        only the ids given to complete make the file)."""
        operation = upload_part_operation(
            self._settings.api_version,
            upload_id,
            source,
            offset=offset,
            length=length,
            on_sent=on_sent,
        )
        state = self._pipeline.new_state(call.remaining(), call.trace)
        response = self._pipeline.send(operation, state=state, headers=call_headers(None))
        return parse_with_request_ids(response, partial(parse_resource_id, what="upload part"))

    def _cancel_upload(self, upload_id: str, call: RetryState) -> None:
        """Best effort, after a failure: an upload left open holds its parts for two hours."""
        operation = cancel_upload_operation(self._settings.api_version, upload_id)
        state = self._pipeline.new_state(CANCEL_DEADLINE, call.trace)
        try:
            response = self._pipeline.send(operation, state=state, headers=call_headers(None))
        except FilesError as error:
            logger.warning("Could not cancel upload %s after a failure: %s", upload_id, error)
        else:
            response.close()


class _StreamRequest:
    """What `stream_file_content` returns: sends on entering the block, as httpx's
    `client.stream()` does, so both clients send at the same moment. The call's span (when
    traced) starts there and ends as the block exits."""

    def __init__(
        self,
        pipeline: SyncPipeline,
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
        self._stream: ContentStream | None = None

    def __enter__(self) -> ContentStream:
        trace = self._traced.__enter__()
        try:
            state = self._pipeline.new_state(self._deadline, trace)
            response = self._pipeline.send(self._operation, state=state, headers=self._headers)
        except BaseException as exc:
            self._traced.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self._stream = ContentStream(response, state)
        return self._stream

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._stream is not None:
                self._stream.close()
        finally:
            self._traced.__exit__(exc_type, exc, tb)
