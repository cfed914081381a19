"""Generated from `_async_streaming.py` by `.ci/unasync.py`: edit that file, then run
`make generate`. Never edited by hand."""

from __future__ import annotations

from collections.abc import Iterator
from types import TracebackType

import httpx2

from ._errors import FilesError
from ._retry import RetryState
from ._streaming import _StreamBase, body_is_encoded, incomplete, undecodable
from ._sync_transport import SyncResponse, adopt


class ContentStream(_StreamBase):
    """A file's content as it arrives: use it as a context manager and iterate `iter_bytes()`
    once (`for` with `FilesClient`). A body cut off, or one that outlives the
    call's deadline, raises instead of handing truncated data on."""

    def __init__(self, response: SyncResponse | httpx2.Response, state: RetryState) -> None:
        if isinstance(response, httpx2.Response):
            response = adopt(response)
        super().__init__(response, state)
        self._response: SyncResponse = response

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        response = self._response
        try:
            chunks = (
                response.iter_bytes(chunk_size)
                if body_is_encoded(response)
                else response.iter_raw(chunk_size)
            )
            for chunk in chunks:
                self.received += len(chunk)
                if self._state.deadline_at is not None:
                    self._state.check_deadline()
                yield chunk
        except httpx2.StreamError as exc:  # read twice, or after the stream was closed
            raise FilesError(
                "the content stream was already read or closed: open a new one"
            ) from exc
        except httpx2.DecodingError as exc:
            raise undecodable(response, exc) from exc
        except httpx2.HTTPError as exc:
            on_wire = response.num_bytes_downloaded
            raise incomplete(on_wire, self.content_length, exc, self.client_request_id) from exc
        finally:
            response.close()
        self._check_complete()

    def read(self) -> bytes:
        return b"".join([chunk for chunk in self.iter_bytes()])

    def close(self) -> None:
        self._response.close()

    def __enter__(self) -> ContentStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
