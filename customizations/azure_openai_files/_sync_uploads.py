"""Generated from `_async_uploads.py` by `.ci/unasync.py`: edit that file, then run
`make generate`. Never edited by hand."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

from . import _sync_io
from ._errors import FilesError, OutcomeUnknownError
from ._generated_api import (
    cancel_upload_operation,
    complete_upload_operation,
    create_upload_operation,
    upload_part_operation,
)
from ._logging import logger
from ._models import FileObject
from ._operation import Operation
from ._pipeline import call_headers, parse_with_request_ids
from ._responses import parse_completed_upload, parse_file, parse_resource_id
from ._retry import RetryState
from ._sync_paging import FilePager
from ._sync_pipeline import SyncPipeline
from ._sync_transport import SyncResponse
from ._upload import (
    PARALLEL_PARTS,
    UploadProgress,
    UploadRules,
    UploadSource,
    landed_upload,
    mime_type_of,
    parts_of,
)

# How far back, from now, the files are searched for an upload whose answer was lost.
LOOK_BACK = 15 * 60
# A cancel after a failure gets this long: the failure is what the caller is waiting to see.
CANCEL_DEADLINE = 10.0


class Uploads:
    """The storing calls of one client. `newest(page_size=...)` lists the resource's files,
    newest first (the client's `list_files`)."""

    def __init__(
        self,
        pipeline: SyncPipeline,
        api_version: str,
        newest: Callable[..., FilePager],
    ) -> None:
        self._pipeline = pipeline
        self._api_version = api_version
        self._newest = newest

    def store_once(
        self,
        operation: Operation,
        state: RetryState,
        headers: dict[str, str],
        landed: Callable[[list[FileObject], float], FileObject | None],
        *,
        parse: Callable[[SyncResponse], FileObject] = parse_file,
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
            pager = self._newest(page_size=100)
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

    def in_parts(
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
        api_version = self._api_version
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
            return self.store_once(
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
            self._api_version,
            upload_id,
            source,
            offset=offset,
            length=length,
            on_sent=on_sent,
        )
        call.check_deadline()  # the parts share the call's deadline
        state = self._pipeline.new_state(call.remaining(), call.trace)
        response = self._pipeline.send(operation, state=state, headers=call_headers(None))
        return parse_with_request_ids(response, partial(parse_resource_id, what="upload part"))

    def _cancel_upload(self, upload_id: str, call: RetryState) -> None:
        """Best effort, after a failure: an upload left open holds its parts for two hours."""
        operation = cancel_upload_operation(self._api_version, upload_id)
        state = self._pipeline.new_state(CANCEL_DEADLINE, call.trace)
        try:
            response = self._pipeline.send(operation, state=state, headers=call_headers(None))
        except FilesError as error:
            logger.warning("Could not cancel upload %s after a failure: %s", upload_id, error)
        else:
            response.close()
