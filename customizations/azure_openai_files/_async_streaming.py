"""`AsyncContentStream`. This file is the source of `_sync_streaming.py` (`ContentStream`,
written by `.ci/unasync.py`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import TracebackType

import httpx2

from ._async_transport import AsyncResponse, adopt
from ._errors import FilesError
from ._retry import RetryState
from ._streaming import _StreamBase, body_is_encoded, incomplete, undecodable


class AsyncContentStream(_StreamBase):
    """A file's content as it arrives: use it as a context manager and iterate `iter_bytes()`
    once (`async for` with `AsyncFilesClient`). A body cut off, or one that outlives the
    call's deadline, raises instead of handing truncated data on."""

    def __init__(self, response: AsyncResponse | httpx2.Response, state: RetryState) -> None:
        if isinstance(response, httpx2.Response):
            response = adopt(response)
        super().__init__(response, state)
        self._response: AsyncResponse = response

    async def iter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        response = self._response
        try:
            chunks = (
                response.aiter_bytes(chunk_size)
                if body_is_encoded(response)
                else response.aiter_raw(chunk_size)
            )
            async for chunk in chunks:
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
            await response.aclose()
        self._check_complete()

    async def read(self) -> bytes:
        return b"".join([chunk async for chunk in self.iter_bytes()])

    async def close(self) -> None:
        await self._response.aclose()

    async def __aenter__(self) -> AsyncContentStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
