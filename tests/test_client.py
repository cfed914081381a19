"""The public client's contract, on a loopback server, through both FilesClient and
AsyncFilesClient: request shape, models, content, errors, downloads, auth, waiting."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import tracemalloc
import uuid
from pathlib import Path
from typing import Any

import pytest

import azure_openai_files as aof
from azure_openai_files import (
    AsyncFilesClient,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    FileProcessingError,
    FilesClient,
    FileState,
    IncompleteDownloadError,
    NotFoundError,
    PermissionDeniedError,
    Purpose,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    ServiceError,
    UnexpectedResponseError,
    WaitTimeoutError,
)
from tests.support.clients import DOCS_SAMPLE, FAKE_KEY, KINDS, Clients
from tests.support.credentials import Key, NumberedAsyncCredential, NumberedCredential
from tests.support.loopback import LoopbackServer, partial_body, respond, respond_json, stall_after

ROOT = Path(__file__).resolve().parent.parent
NOT_FOUND = {"error": {"code": "notFound", "message": "The resource is not found."}}


@pytest.fixture(params=KINDS)
def clients(request: pytest.FixtureRequest, server: LoopbackServer) -> Clients:
    return Clients(request.param, server.endpoint, max_retries=0)


# --- request shape ------------------------------------------------------------------------


def test_get_file_sends_the_documented_request(clients: Clients, server: LoopbackServer) -> None:
    server.script(respond_json(200, DOCS_SAMPLE))
    clients.call("get_file", "file-abc")
    (sent,) = server.requests
    assert sent.method == "GET"
    assert sent.path == "/openai/files/file-abc"
    assert sent.query == "api-version=2024-10-21"
    assert sent.headers["api-key"] == FAKE_KEY
    assert "authorization" not in sent.headers
    assert re.fullmatch(r"azure-openai-files/\S+ Python/\S+", sent.headers["user-agent"])
    uuid.UUID(sent.headers["x-ms-client-request-id"])


def test_get_file_content_sends_the_documented_request(
    clients: Clients, server: LoopbackServer
) -> None:
    server.script(respond(200, b"raw", content_type="application/octet-stream"))
    clients.call("get_file_content", "file-abc")
    (sent,) = server.requests
    assert (sent.method, sent.path) == ("GET", "/openai/files/file-abc/content")
    assert sent.query == "api-version=2024-10-21"


@pytest.mark.parametrize(
    ("file_id", "path"),
    [
        ("../deployments", "/openai/files/..%2Fdeployments"),
        ("a b/c?d#e", "/openai/files/a%20b%2Fc%3Fd%23e"),
        ("%2E%2E", "/openai/files/%252E%252E"),
    ],
)
def test_file_ids_are_percent_encoded_and_stay_under_files(
    clients: Clients, server: LoopbackServer, file_id: str, path: str
) -> None:
    server.script(respond_json(200, DOCS_SAMPLE))
    clients.call("get_file", file_id)
    assert server.requests[0].path == path


@pytest.mark.parametrize("file_id", ["", "   ", ".", ".."])
@pytest.mark.parametrize("method", ["get_file", "get_file_content"])
def test_bad_file_ids_are_refused_before_anything_is_sent(
    clients: Clients, server: LoopbackServer, file_id: str, method: str
) -> None:
    with pytest.raises(ValueError, match="file"):
        clients.call(method, file_id)
    assert server.requests == []


def test_caller_client_request_id_is_sent(clients: Clients, server: LoopbackServer) -> None:
    server.script(respond_json(200, DOCS_SAMPLE))
    clients.call("get_file", "f", client_request_id="my-correlation-id")
    assert server.requests[0].headers["x-ms-client-request-id"] == "my-correlation-id"


def test_api_version_outside_the_list_is_sent_as_given(server: LoopbackServer) -> None:
    server.script(respond_json(200, DOCS_SAMPLE))
    Clients("sync", server.endpoint, api_version="2099-01-01-preview").call("get_file", "f")
    assert server.requests[0].query == "api-version=2099-01-01-preview"


# --- models -------------------------------------------------------------------------------


def test_docs_sample_with_unknown_status_is_kept(clients: Clients, server: LoopbackServer) -> None:
    server.script(respond_json(200, DOCS_SAMPLE))
    file = clients.call("get_file", "f")
    assert file.status == "succeeded"
    assert (file.id, file.bytes, file.filename) == (DOCS_SAMPLE["id"], 140, "puppy.jsonl")
    assert (file.created_at, file.object, file.purpose) == (1646126127, "file", "fine-tune")
    assert file.purpose is Purpose.FINE_TUNE
    assert file.status_details is None


def test_known_values_are_enum_members_and_compare_to_strings(
    clients: Clients, server: LoopbackServer
) -> None:
    server.script(respond_json(200, {**DOCS_SAMPLE, "status": "processed"}))
    file = clients.call("get_file", "f")
    assert file.status is FileState.PROCESSED
    assert file.status == "processed"  # type: ignore[comparison-overlap]  # a str enum


def test_unknown_purpose_object_and_extra_fields_are_kept(
    clients: Clients, server: LoopbackServer
) -> None:
    document = {**DOCS_SAMPLE, "purpose": "vision", "object": "file.v2", "expires_at": 17}
    server.script(respond_json(200, document))
    file = clients.call("get_file", "f")
    assert (file.purpose, file.object, file.extra) == ("vision", "file.v2", {"expires_at": 17})
    assert file.to_dict() == document


@pytest.mark.parametrize("size", [None, 2**31 + 1, 2**60])
def test_bytes_may_be_null_or_huge(
    clients: Clients, server: LoopbackServer, size: int | None
) -> None:
    server.script(respond_json(200, {**DOCS_SAMPLE, "bytes": size}))
    assert clients.call("get_file", "f").bytes == size


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2]",
        json.dumps({"purpose": "fine-tune"}).encode(),
        b'{"filename": 5, "purpose": "x"}',
    ],
    ids=["malformed", "array", "missing-filename", "wrong-type"],
)
def test_a_2xx_body_that_breaks_the_contract_is_a_typed_error(
    clients: Clients, server: LoopbackServer, body: bytes
) -> None:
    server.script(respond(200, body, {"apim-request-id": "rid-bad"}))
    with pytest.raises(UnexpectedResponseError) as caught:
        clients.call("get_file", "f")
    assert (caught.value.status_code, caught.value.request_id) == (200, "rid-bad")


# --- content ------------------------------------------------------------------------------


@pytest.mark.parametrize("media_type", ["application/octet-stream", "application/json"])
def test_content_is_the_raw_body_whatever_its_media_type(
    clients: Clients, server: LoopbackServer, media_type: str
) -> None:
    body = b'{"prompt": "a"}\n{"prompt": "b"}\n\xff\xfe'
    server.script(respond(200, body, {"apim-request-id": "rid-c"}, content_type=media_type))
    assert clients.call("get_file_content", "f") == body
    streamed, described = clients.stream("f")
    assert streamed == body
    assert described == {
        "content_length": len(body),
        "request_id": "rid-c",
        "content_type": media_type,
        "status_code": 200,
    }


def test_streaming_a_large_body_uses_bounded_memory(
    clients: Clients, server: LoopbackServer
) -> None:
    size, chunk = 64 * 1024 * 1024, b"x" * (1024 * 1024)

    def large(conn: Any, request: Any) -> None:
        conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n".encode())
        for _ in range(size // len(chunk)):
            conn.sendall(chunk)

    server.script(large)
    tracemalloc.start()
    try:
        received = _stream_and_count(clients)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert received == size
    assert peak < 8 * 1024 * 1024, f"peak traced memory {peak / 2**20:.1f} MiB"


def _stream_and_count(clients: Clients) -> int:
    """Consume the stream chunk by chunk, keeping nothing."""
    if clients.kind == "sync":
        with (
            FilesClient(clients.endpoint, api_key=FAKE_KEY) as client,
            client.stream_file_content("f") as stream,
        ):
            return sum(len(part) for part in stream.iter_bytes())

    async def run() -> int:
        count = 0
        async with (
            aof.AsyncFilesClient(clients.endpoint, api_key=FAKE_KEY) as client,
            client.stream_file_content("f") as stream,
        ):
            async for part in stream.iter_bytes():
                count += len(part)
        return count

    return asyncio.run(run())


# --- errors -------------------------------------------------------------------------------

ERROR_CLASSES = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
    500: ServerError,
    502: ServerError,
    503: ServerError,
    599: ServerError,
    418: ServiceError,
}


@pytest.mark.parametrize("status", sorted(ERROR_CLASSES))
@pytest.mark.parametrize("body_kind", ["json", "html", "empty"])
def test_every_error_status_maps_to_its_class(
    clients: Clients, server: LoopbackServer, status: int, body_kind: str
) -> None:
    headers = {"apim-request-id": "apim-1", "x-request-id": "xreq-1"}
    bodies = {
        "json": (
            json.dumps(
                {
                    "error": {
                        "code": "someCode",
                        "message": "Went wrong.",
                        "target": "file-id",
                        "details": [{"code": "d", "message": "m"}],
                        "innererror": {"code": "invalidPayload"},
                    }
                }
            ),
            "application/json",
        ),
        "html": (
            "<html><body><h1>502 Bad Gateway</h1>" + "x" * 5000 + "</body></html>",
            "text/html",
        ),
        "empty": ("", None),
    }
    body, media_type = bodies[body_kind]
    server.script(respond(status, body, headers, content_type=media_type))
    with pytest.raises(ServiceError) as caught:
        clients.call("get_file", "f")
    error = caught.value
    assert type(error) is ERROR_CLASSES[status]
    assert (error.status_code, error.request_id) == (status, "apim-1")
    assert error.client_request_id is None or uuid.UUID(error.client_request_id)
    assert "\n" not in str(error) and f"HTTP {status}" in str(error) and "apim-1" in str(error)
    assert len(str(error)) < 2300
    if body_kind == "json":
        assert (error.code, error.message, error.target) == ("someCode", "Went wrong.", "file-id")
        assert error.details == [{"code": "d", "message": "m"}]
        assert error.inner_error == {"code": "invalidPayload"}
        assert str(error) == f"someCode: Went wrong. (HTTP {status}, request id apim-1)"
    else:
        assert error.code is None and error.details == []


def test_not_found_message_reads_as_documented(clients: Clients, server: LoopbackServer) -> None:
    server.script(respond_json(404, NOT_FOUND, {"x-request-id": "xreq-9"}))
    with pytest.raises(
        NotFoundError,
        match=r"^notFound: The resource is not found\. \(HTTP 404, request id xreq-9\)$",
    ):
        clients.call("get_file", "f")


# --- downloads ----------------------------------------------------------------------------


def test_download_writes_the_verified_file_and_reports_progress(
    clients: Clients, server: LoopbackServer, tmp_path: Path
) -> None:
    body = bytes(range(256)) * 4096
    server.script(respond(200, body, content_type="application/octet-stream"))
    seen: list[tuple[int, int | None]] = []
    result = clients.download(
        "f", tmp_path / "out.bin", progress=lambda done, total: seen.append((done, total))
    )
    assert result == tmp_path / "out.bin" and result.read_bytes() == body
    assert seen[-1] == (len(body), len(body))
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_download_failing_half_way_leaves_nothing(
    clients: Clients, server: LoopbackServer, tmp_path: Path
) -> None:
    server.script(partial_body(b"z" * 100_000, 50_000))
    with pytest.raises(IncompleteDownloadError) as caught:
        clients.download("f", tmp_path / "out.bin")
    assert (caught.value.received, caught.value.expected) == (50_000, 100_000)
    assert list(tmp_path.iterdir()) == []


def test_download_error_status_leaves_nothing(
    clients: Clients, server: LoopbackServer, tmp_path: Path
) -> None:
    server.script(respond_json(404, NOT_FOUND))
    with pytest.raises(NotFoundError):
        clients.download("f", tmp_path / "out.bin")
    assert list(tmp_path.iterdir()) == []


def test_download_refuses_an_existing_destination_before_sending(
    clients: Clients, server: LoopbackServer, tmp_path: Path
) -> None:
    existing = tmp_path / "out.bin"
    existing.write_bytes(b"keep me")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        clients.download("f", existing)
    assert server.requests == [] and existing.read_bytes() == b"keep me"


def test_download_overwrite_replaces_the_destination(
    clients: Clients, server: LoopbackServer, tmp_path: Path
) -> None:
    existing = tmp_path / "out.bin"
    existing.write_bytes(b"old")
    server.script(respond(200, b"new content", content_type="application/octet-stream"))
    clients.download("f", existing, overwrite=True)
    assert existing.read_bytes() == b"new content"


def test_download_without_content_length_reports_unknown_total(
    clients: Clients, server: LoopbackServer, tmp_path: Path
) -> None:
    def chunked(conn: Any, request: Any) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
        )

    server.script(chunked)
    seen: list[tuple[int, int | None]] = []
    clients.download("f", tmp_path / "out.txt", progress=lambda d, t: seen.append((d, t)))
    assert (tmp_path / "out.txt").read_bytes() == b"hello" and seen == [(5, None)]


# --- auth ---------------------------------------------------------------------------------


def test_environment_variables_configure_the_client(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", server.endpoint)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "env-key")
    monkeypatch.setenv("OPENAI_API_VERSION", "2024-06-01")
    server.script(respond_json(200, DOCS_SAMPLE))
    with FilesClient() as client:
        client.get_file("f")
    assert server.requests[0].headers["api-key"] == "env-key"
    assert server.requests[0].query == "api-version=2024-06-01"


@pytest.mark.parametrize("kind", KINDS)
def test_tokens_are_cached_until_near_expiry(server: LoopbackServer, kind: str) -> None:
    credential = NumberedCredential(lifetime=3600)
    server.script(respond_json(200, DOCS_SAMPLE))

    def three_calls(client: Any) -> Any:
        return [client.get_file("f") for _ in range(3)]

    async def three_async_calls(client: Any) -> Any:
        return [await client.get_file("f") for _ in range(3)]

    if kind == "sync":
        with FilesClient(server.endpoint, credential=credential) as client:
            three_calls(client)
    else:

        async def run() -> None:
            async with aof.AsyncFilesClient(server.endpoint, credential=credential) as client:
                await three_async_calls(client)

        asyncio.run(run())
    assert credential.scopes == [("https://cognitiveservices.azure.com/.default",)]
    assert [r.headers["authorization"] for r in server.requests] == ["Bearer fake-token-1"] * 3
    assert all("api-key" not in r.headers for r in server.requests)


def test_tokens_close_to_expiry_are_refreshed(server: LoopbackServer) -> None:
    credential = NumberedCredential(lifetime=120)  # inside the refresh margin
    server.script(respond_json(200, DOCS_SAMPLE))
    with FilesClient(server.endpoint, credential=credential) as client:
        client.get_file("f")
        client.get_file("f")
    assert [r.headers["authorization"] for r in server.requests] == [
        "Bearer fake-token-1",
        "Bearer fake-token-2",
    ]


def test_concurrent_threads_share_one_token_request(server: LoopbackServer) -> None:
    credential = NumberedCredential(delay=0.05)
    server.script(respond_json(200, DOCS_SAMPLE))
    with FilesClient(server.endpoint, credential=credential) as client:
        threads = [threading.Thread(target=client.get_file, args=("f",)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(credential.scopes) == 1 and len(server.requests) == 8


def test_async_client_accepts_async_credentials_and_shares_one_request(
    server: LoopbackServer,
) -> None:
    credential = NumberedAsyncCredential()
    server.script(respond_json(200, DOCS_SAMPLE))

    async def run() -> None:
        async with aof.AsyncFilesClient(server.endpoint, credential=credential) as client:
            await asyncio.gather(*(client.get_file("f") for _ in range(8)))

    asyncio.run(run())
    assert len(credential.scopes) == 1
    assert {r.headers["authorization"] for r in server.requests} == {"Bearer fake-token-1"}


def test_a_rotated_key_is_used_without_a_new_client(server: LoopbackServer) -> None:
    rotating = Key("first-key")
    server.script(respond_json(200, DOCS_SAMPLE))
    with FilesClient(server.endpoint, api_key=rotating) as client:
        client.get_file("f")
        rotating.key = "second-key"
        client.get_file("f")
    assert [r.headers["api-key"] for r in server.requests] == ["first-key", "second-key"]


def test_secrets_never_appear_in_reprs_errors_or_logs(
    server: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="azure_openai_files")
    server.script(respond_json(401, {"error": {"code": "unauthorized", "message": "Bad key."}}))
    for options in ({"api_key": FAKE_KEY}, {"credential": NumberedCredential()}):
        with FilesClient(server.endpoint, max_retries=1, retry_backoff=0, **options) as client:
            with pytest.raises(AuthenticationError) as caught:
                client.get_file("f")
            texts = [
                repr(client),
                str(client),
                repr(client._pipeline._auth),
                str(caught.value),
                repr(caught.value),
                repr(caught.value.headers),
                caplog.text,
            ]
        for text in texts:
            assert FAKE_KEY not in text and "fake-token" not in text
    assert "REDACTED" in caplog.text


# --- waiting for processing ---------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_wait_returns_once_processed_polling_through_unknown_statuses(
    server: LoopbackServer, kind: str
) -> None:
    statuses = ["pending", "validating", "running", "processed"]  # "validating": not listed
    server.script(*(respond_json(200, {**DOCS_SAMPLE, "status": s}) for s in statuses))
    file = Clients(kind, server.endpoint).call(
        "wait_for_processing", "f", timeout=10, poll_interval=0.01
    )
    assert file.status == FileState.PROCESSED and len(server.requests) == 4


@pytest.mark.parametrize("kind", KINDS)
def test_wait_raises_with_details_when_processing_failed(server: LoopbackServer, kind: str) -> None:
    failed = {**DOCS_SAMPLE, "status": "error", "status_details": "Line 3 is not valid JSON."}
    server.script(
        respond_json(200, {**DOCS_SAMPLE, "status": "running"}), respond_json(200, failed)
    )
    with pytest.raises(FileProcessingError, match="Line 3 is not valid JSON") as caught:
        Clients(kind, server.endpoint).call(
            "wait_for_processing", "f", timeout=10, poll_interval=0.01
        )
    assert caught.value.status_details == "Line 3 is not valid JSON."


@pytest.mark.parametrize("kind", KINDS)
def test_wait_raises_a_timeout_error_at_the_deadline(server: LoopbackServer, kind: str) -> None:
    server.script(respond_json(200, {**DOCS_SAMPLE, "status": "succeeded"}))
    started = time.monotonic()
    with pytest.raises(WaitTimeoutError, match="succeeded") as caught:
        Clients(kind, server.endpoint).call(
            "wait_for_processing", "f", timeout=0.3, poll_interval=0.05
        )
    assert 0.3 <= time.monotonic() - started < 2.0
    assert caught.value.last_status == "succeeded" and len(server.requests) >= 3


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", KINDS)
def test_wait_for_a_service_that_stops_answering_ends_with_a_wait_timeout(
    server: LoopbackServer, kind: str
) -> None:
    # One poll says "running", the next never answers: the wait ends by its own bounds, as
    # a WaitTimeoutError naming the last status, not a network error minutes later.
    server.script(
        respond_json(200, {**DOCS_SAMPLE, "status": "running"}),
        stall_after(b"", 1000, 15),
    )
    started = time.monotonic()
    with pytest.raises(WaitTimeoutError, match="running") as caught:
        Clients(kind, server.endpoint, deadline=1.0, max_retries=0).call(
            "wait_for_processing", "f", timeout=0.5, poll_interval=0.05
        )
    assert time.monotonic() - started < 1.0 + 0.05 + 2.0
    assert isinstance(caught.value.__cause__, RequestTimeoutError)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method", ["get_file", "get_file_content", "download_file"])
def test_a_call_on_a_closed_client_is_a_files_error_and_sends_nothing(
    server: LoopbackServer, kind: str, method: str, tmp_path: Path
) -> None:
    server.script(respond_json(200, DOCS_SAMPLE))
    args: tuple[Any, ...] = ("f", tmp_path / "out") if method == "download_file" else ("f",)

    if kind == "sync":
        client = FilesClient(server.endpoint, api_key=FAKE_KEY)
        client.close()
        with pytest.raises(aof.FilesError, match="the client is closed") as caught:
            getattr(client, method)(*args)
    else:

        async def run() -> None:
            client = AsyncFilesClient(server.endpoint, api_key=FAKE_KEY)
            await client.close()
            await getattr(client, method)(*args)

        with pytest.raises(aof.FilesError, match="the client is closed") as caught:
            asyncio.run(run())
    assert not isinstance(caught.value, RuntimeError)
    assert server.requests == [] and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", KINDS)
def test_a_call_under_way_when_the_client_closes_ends_as_a_files_error(
    server: LoopbackServer, kind: str
) -> None:
    def slow_head(conn: Any, request: Any) -> None:
        time.sleep(0.5)
        respond_json(503, {"error": {"code": "busy", "message": "try again"}})(conn, request)

    server.script(slow_head)
    options: dict[str, Any] = {"api_key": FAKE_KEY, "retry_backoff": 0}
    if kind == "sync":
        client = FilesClient(server.endpoint, **options)
        closer = threading.Timer(0.2, client.close)
        closer.start()
        with pytest.raises(aof.FilesError) as caught:
            client.get_file("f")
        closer.join()
    else:

        async def run() -> None:
            client = AsyncFilesClient(server.endpoint, **options)
            call = asyncio.create_task(client.get_file("f"))
            await asyncio.sleep(0.2)
            await client.close()
            await call

        with pytest.raises(aof.FilesError) as caught:
            asyncio.run(run())
    assert "closed" in str(caught.value)
