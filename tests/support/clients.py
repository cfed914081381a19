"""Run one scenario through every client: `Clients(kind, **options).call(...)` with kind
"sync" (`FilesClient`), "async" (`AsyncFilesClient` on httpx2) or "aiohttp" (`AsyncFilesClient`
on an `aiohttp.ClientSession`), and time it: `with Timer() as timer: ...; timer.elapsed`."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from azure_openai_files import AsyncFilesClient, FilesClient

KINDS = ["sync", "async", "aiohttp"]
FAKE_KEY = "fake-key-0123456789abcdef"
# Retries that wait next to nothing: a scenario retried three times still takes milliseconds.
FAST_RETRIES: dict[str, Any] = {"retry_backoff": 0.01, "retry_backoff_max": 0.02}

# The Files - Get sample response from the service documentation (api-version 2024-06-01).
DOCS_SAMPLE: dict[str, Any] = {
    "bytes": 140,
    "purpose": "fine-tune",
    "filename": "puppy.jsonl",
    "id": "file-181a1cbdcdcf4677ada87f63a0928099",
    "status": "succeeded",
    "created_at": 1646126127,
    "object": "file",
}


class Clients:
    """Makes a fresh client per call, of the kind under test, and runs the call to completion."""

    def __init__(self, kind: str, endpoint: str, **options: Any) -> None:
        self.kind = kind
        self.options: dict[str, Any] = {"api_key": FAKE_KEY, **options}
        self.endpoint = endpoint

    @contextlib.asynccontextmanager
    async def async_client(self) -> AsyncIterator[AsyncFilesClient]:
        """An `AsyncFilesClient` of this kind: on aiohttp, with a session of its own that
        outlives the client (it is the caller's, which the client leaves open)."""
        if self.kind != "aiohttp" or "http_client" in self.options:
            async with AsyncFilesClient(self.endpoint, **self.options) as client:
                yield client
            return
        async with aiohttp.ClientSession() as session:
            async with AsyncFilesClient(
                self.endpoint, http_client=session, **self.options
            ) as client:
                yield client
            assert not session.closed

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if self.kind == "sync":
            with FilesClient(self.endpoint, **self.options) as client:
                return getattr(client, method)(*args, **kwargs)

        async def run() -> Any:
            async with self.async_client() as client:
                return await getattr(client, method)(*args, **kwargs)

        return asyncio.run(run())

    def stream(self, file_id: str, **kwargs: Any) -> tuple[bytes, dict[str, Any]]:
        """Stream the content; return the bytes and what the stream reported."""
        if self.kind == "sync":
            with (
                FilesClient(self.endpoint, **self.options) as client,
                client.stream_file_content(file_id, **kwargs) as stream,
            ):
                body = b"".join(stream.iter_bytes())
                return body, _describe(stream)

        async def run() -> tuple[bytes, dict[str, Any]]:
            async with (
                self.async_client() as client,
                client.stream_file_content(file_id, **kwargs) as stream,
            ):
                body = b"".join([chunk async for chunk in stream.iter_bytes()])
                return body, _describe(stream)

        return asyncio.run(run())

    def list(self, *, by_page: bool = False, **kwargs: Any) -> list[Any]:
        """Every file `list_files(**kwargs)` yields (or each page, with `by_page`)."""
        if self.kind == "sync":
            with FilesClient(self.endpoint, **self.options) as client:
                pager = client.list_files(**kwargs)
                return list(pager.by_page() if by_page else pager)

        async def run() -> list[Any]:
            async with self.async_client() as client:
                pager = client.list_files(**kwargs)
                return [item async for item in (pager.by_page() if by_page else pager)]

        return asyncio.run(run())

    def download(self, file_id: str, destination: Path, **kwargs: Any) -> Path:
        result: Path = self.call("download_file", file_id, destination, **kwargs)
        return result


def _describe(stream: Any) -> dict[str, Any]:
    return {
        "content_length": stream.content_length,
        "request_id": stream.request_id,
        "content_type": stream.content_type,
        "status_code": stream.status_code,
    }


class Timer:
    """Wall time of a block, in seconds: `timer.elapsed` once it is left."""

    def __enter__(self) -> Timer:
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        self.elapsed = time.monotonic() - self.started
