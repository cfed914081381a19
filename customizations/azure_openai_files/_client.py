"""`FilesClient`: the synchronous client."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx2

from ._auth import KeyCredential, TokenCredential
from ._config import resolve_auth, resolve_settings
from ._download import PartFile, Progress, prepare_destination
from ._errors import IncompleteDownloadError, RequestTimeoutError
from ._models import FileObject
from ._operations import get_file_content_request, get_file_request, parse_file
from ._pipeline import SyncPipeline, call_headers, parse_with_request_ids
from ._polling import DEFAULT_POLL_INTERVAL, DEFAULT_WAIT_TIMEOUT, PollSchedule
from ._retry import RetryPolicy
from ._streaming import CONTENT_HEADERS, ContentStream


class FilesClient:
    """Reads file metadata and content from an Azure OpenAI resource.

    One connection pool per client; safe to share between threads. Close it (or use it as a
    context manager) when done.

    `http_client`: an `httpx2.Client` (proxies, TLS, event hooks, limits) to send every
    request with. The FilesClient's timeout, deadline, retries, redirect refusal, URL and
    auth headers still apply to each request; `close()` leaves that client open for its
    owner to close.
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
        http_client: httpx2.Client | None = None,
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
        auth = resolve_auth(self._settings, api_key, credential, is_async=False)
        self._pipeline = SyncPipeline(self._settings, auth, http_client)  # type: ignore[arg-type]

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
        operation = get_file_request(file_id, self._settings.api_version)
        response = self._pipeline.send(
            operation,
            state=self._pipeline.new_state(deadline),
            metadata=True,
            headers=call_headers(client_request_id),
        )
        return parse_with_request_ids(response, parse_file)

    def get_file_content(
        self, file_id: str, *, deadline: float | None = None, client_request_id: str | None = None
    ) -> bytes:
        """`GET /openai/files/{file-id}/content`: the whole content in memory. For large files
        use `stream_file_content` or `download_file`."""
        operation = get_file_content_request(file_id, self._settings.api_version)
        response = self._pipeline.send(
            operation,
            state=self._pipeline.new_state(deadline),
            whole_content=True,
            headers=call_headers(client_request_id, CONTENT_HEADERS),
        )
        return response.content

    def stream_file_content(
        self, file_id: str, *, deadline: float | None = None, client_request_id: str | None = None
    ) -> contextlib.AbstractContextManager[ContentStream]:
        """`GET /openai/files/{file-id}/content`, streamed: `with client.stream_file_content(id)
        as stream: for chunk in stream.iter_bytes(): ...`. The request is sent on entering the
        block; errors before the body are raised there."""
        operation = get_file_content_request(file_id, self._settings.api_version)
        return _StreamRequest(
            self._pipeline, operation, deadline, call_headers(client_request_id, CONTENT_HEADERS)
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
        operation = get_file_content_request(file_id, self._settings.api_version)
        target = prepare_destination(destination, overwrite=overwrite)
        state = self._pipeline.new_state(deadline)
        headers = call_headers(client_request_id, CONTENT_HEADERS)
        part = PartFile(target, overwrite=overwrite)
        try:
            while True:
                requested_from = part.size
                response = self._pipeline.send(
                    operation, state=state, stream=True, headers=headers | part.resume_headers()
                )
                try:
                    part.start_body(response, requested_from)
                    for chunk in ContentStream(response, state).iter_bytes():
                        part.write(chunk)
                        if progress is not None:
                            progress(part.size, part.expected)
                    part.check_complete()
                    return part.commit()
                except IncompleteDownloadError as failure:
                    delay = part.delay_before_retry(
                        self._pipeline, response.request, state, failure, requested_from
                    )
                finally:
                    response.close()
                time.sleep(delay)
        except BaseException:
            part.discard()
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
            time.sleep(sleep)

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


class _StreamRequest:
    """What `FilesClient.stream_file_content` returns: sends on `with`, as httpx's
    `client.stream()` does, so both clients send at the same moment."""

    def __init__(
        self,
        pipeline: SyncPipeline,
        operation: dict[str, Any],
        deadline: float | None,
        headers: dict[str, str],
    ) -> None:
        self._pipeline = pipeline
        self._operation = operation
        self._deadline = deadline
        self._headers = headers
        self._stream: ContentStream | None = None

    def __enter__(self) -> ContentStream:
        state = self._pipeline.new_state(self._deadline)
        response = self._pipeline.send(
            self._operation, state=state, stream=True, whole_content=True, headers=self._headers
        )
        self._stream = ContentStream(response, state)
        return self._stream

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stream is not None:
            self._stream.close()
