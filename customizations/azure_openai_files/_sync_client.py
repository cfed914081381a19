"""Generated from `_async_client.py` by `.ci/unasync.py`: edit that file, then run
`make generate`. Never edited by hand."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from types import TracebackType

import httpx2

from . import _sync_io, _tracing
from ._auth import KeyCredential, TokenCredential
from ._config import resolve_auth, resolve_settings
from ._download import Download, Progress
from ._durable_file import DurableFile, prepare_destination
from ._errors import IncompleteDownloadError, RequestTimeoutError
from ._generated_api import get_file_content_operation, get_file_operation
from ._models import FileObject
from ._operation import Expect, Operation
from ._pipeline import call_headers, parse_with_request_ids
from ._polling import DEFAULT_POLL_INTERVAL, DEFAULT_WAIT_TIMEOUT, PollSchedule
from ._responses import parse_file
from ._retry import RetryPolicy
from ._streaming import CONTENT_HEADERS
from ._sync_bearer_auth import BearerTokenAuth
from ._sync_pipeline import SyncPipeline
from ._sync_streaming import ContentStream
from ._throttle import RetryBudget


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
