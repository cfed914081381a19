"""Content streams, through both clients on a loopback server: read whole or in chunks of the
size asked, decoded when encoded, counted, and described by their repr."""

from __future__ import annotations

import asyncio
import gzip
import threading
from collections.abc import Iterator

import pytest

from azure_openai_files import AsyncFilesClient, FilesClient, FilesError
from tests.support.clients import KINDS, Clients
from tests.support.fuzzing import ScriptedResponse, render
from tests.support.loopback import LoopbackServer, respond, serving


@pytest.fixture
def content_server() -> Iterator[LoopbackServer]:
    with serving(
        respond(200, b"0123456789", {"apim-request-id": "req-1"}, content_type=None)
    ) as server:
        yield server


def test_a_stream_reads_whole_and_describes_itself(content_server: LoopbackServer) -> None:
    with (
        FilesClient(content_server.endpoint, api_key="fake-key") as client,
        client.stream_file_content("file-1") as stream,
    ):
        assert repr(stream) == (
            "ContentStream(status_code=200, content_length=10, request_id='req-1')"
        )
        assert stream.read() == b"0123456789"


def test_an_async_stream_reads_whole_and_describes_itself(content_server: LoopbackServer) -> None:
    async def scenario() -> tuple[str, bytes]:
        async with (
            AsyncFilesClient(content_server.endpoint, api_key="fake-key") as client,
            client.stream_file_content("file-1") as stream,
        ):
            return repr(stream), await stream.read()

    described, body = asyncio.run(scenario())
    assert described == (
        "AsyncContentStream(status_code=200, content_length=10, request_id='req-1')"
    )
    assert body == b"0123456789"


@pytest.mark.timeout(20)
def test_a_body_of_many_reads_is_read_whole_unaltered_and_counted(server: LoopbackServer) -> None:
    # Four times the 64 KiB a socket read returns at most, so `read()` joins several chunks.
    body = bytes(range(256)) * 1024
    server.script(respond(200, body, content_type=None))

    async def read_async() -> tuple[bytes, int]:
        async with (
            AsyncFilesClient(server.endpoint, api_key="fake-key") as client,
            client.stream_file_content("file-1") as stream,
        ):
            return await stream.read(), stream.received

    with (
        FilesClient(server.endpoint, api_key="fake-key") as client,
        client.stream_file_content("file-1") as stream,
    ):
        assert stream.read() == body
        assert stream.received == len(body)
    assert asyncio.run(read_async()) == (body, len(body))


def test_an_encoded_stream_is_decoded(server: LoopbackServer) -> None:
    # Chunked, so no Content-Length: the decoded bytes are all there is to check.
    encoded = ScriptedResponse(
        200, gzip.compress(b"hello world", mtime=0), "chunked", (("Content-Encoding", "gzip"),)
    )
    server.script(render(encoded, threading.Event()))
    with (
        FilesClient(server.endpoint, api_key="fake-key") as client,
        client.stream_file_content("file-1") as stream,
    ):
        assert b"".join(stream.iter_bytes()) == b"hello world"


@pytest.mark.parametrize("encoding", [None, "identity", "gzip"])
def test_a_stream_yields_chunks_of_the_size_asked(
    server: LoopbackServer, encoding: str | None
) -> None:
    # A gzip body is decoded first: the chunks are of the bytes handed on, not of the wire's.
    headers = {} if encoding is None else {"Content-Encoding": encoding}
    body = gzip.compress(b"0123456789", mtime=0) if encoding == "gzip" else b"0123456789"
    server.script(respond(200, body, headers, content_type=None))

    async def async_chunks() -> list[bytes]:
        async with (
            AsyncFilesClient(server.endpoint, api_key="fake-key") as client,
            client.stream_file_content("file-1") as stream,
        ):
            return [chunk async for chunk in stream.iter_bytes(3)]

    with (
        FilesClient(server.endpoint, api_key="fake-key") as client,
        client.stream_file_content("file-1") as stream,
    ):
        assert list(stream.iter_bytes(3)) == [b"012", b"345", b"678", b"9"]
    assert asyncio.run(async_chunks()) == [b"012", b"345", b"678", b"9"]


def test_a_stream_read_twice_is_a_files_error(content_server: LoopbackServer) -> None:
    with (
        FilesClient(content_server.endpoint, api_key="fake-key") as client,
        client.stream_file_content("file-1") as stream,
    ):
        assert stream.read() == b"0123456789"
        with pytest.raises(FilesError, match="already read or closed"):
            stream.read()

    async def scenario() -> None:
        async with (
            AsyncFilesClient(content_server.endpoint, api_key="fake-key") as client,
            client.stream_file_content("file-1") as stream,
        ):
            await stream.read()
            await stream.read()

    with pytest.raises(FilesError, match="already read or closed"):
        asyncio.run(scenario())


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method", ["get_file_content", "stream_file_content"])
def test_a_200_that_says_it_carries_part_of_the_file_is_refused(kind: str, method: str) -> None:
    """A 200 whose Content-Range names a part (a cache passing a range on as a 200) is not the
    file: handing it on would be a truncated file called whole."""
    from azure_openai_files import UnexpectedResponseError

    part = respond(
        200, b"9\x9b\xb0", {"Content-Range": "bytes 1-3/4"}, content_type="application/octet-stream"
    )
    with serving(part) as server:
        clients = Clients(kind, server.endpoint)
        with pytest.raises(UnexpectedResponseError, match="only part of it"):
            if method == "stream_file_content":
                clients.stream("file-1")
            else:
                clients.call(method, "file-1")
        assert len(server.requests) == 1  # not retried: the service would answer the same
