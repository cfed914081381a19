"""The SDK reads every recording of every supported api-version through its real HTTP path,
against the replay server, and gives the documented result or typed error for each."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import TypedDict

import pytest

from azure_openai_files import (
    SUPPORTED_API_VERSIONS,
    AsyncFilesClient,
    AuthenticationError,
    BadRequestError,
    FileDeletionStatus,
    FileObject,
    FilesClient,
    NotFoundError,
    RateLimitError,
    ServerError,
    ServiceError,
)
from tests.support.replay import GeneratedBody, Recording, ReplayServer, load_recordings

FAKE_KEY = "fake-key-for-replay"
# The contract's status -> error class table.
ERROR_CLASS = {
    400: BadRequestError,
    401: AuthenticationError,
    404: NotFoundError,
    413: ServiceError,
    429: RateLimitError,
    500: ServerError,
    503: ServerError,
}
# What an upload sends when its recording names no form fields (the published examples).
EXAMPLE_UPLOAD = b"raw file content"

RECORDINGS = [r for r in load_recordings() if r.api_version in SUPPORTED_API_VERSIONS]
GET_OK = [r for r in RECORDINGS if r.operation == "Files_Get" and r.status == 200]
CONTENT_OK = [r for r in RECORDINGS if r.operation == "Files_GetContent" and r.status == 200]
ERRORS = [r for r in RECORDINGS if r.status >= 400]
# First pages (no `after`: later pages are reached by paging from them).
LIST_OK = [
    r
    for r in RECORDINGS
    if r.operation == "Files_List" and r.status == 200 and "after" not in r.query
]
UPLOAD_OK = [r for r in RECORDINGS if r.operation == "Files_Upload" and r.status < 300]
IMPORT_OK = [r for r in RECORDINGS if r.operation == "Files_Import" and r.status < 300]
DELETE_OK = [r for r in RECORDINGS if r.operation == "Files_Delete" and r.status < 300]
UPLOADS_API = sorted({r.api_version for r in RECORDINGS if r.operation == "UploadFile_Start"})


def _id(recording: Recording) -> str:
    return f"{recording.api_version}/{recording.name}"


@pytest.fixture(scope="module")
def replay() -> Iterator[ReplayServer]:
    server = ReplayServer(load_recordings()).start()
    try:
        yield server
    finally:
        server.stop()


def _client(replay: ReplayServer, recording: Recording) -> FilesClient:
    return FilesClient(
        replay.endpoint, api_key=FAKE_KEY, api_version=recording.api_version, max_retries=0
    )


def _async_client(replay: ReplayServer, recording: Recording) -> AsyncFilesClient:
    return AsyncFilesClient(
        replay.endpoint, api_key=FAKE_KEY, api_version=recording.api_version, max_retries=0
    )


class ListArguments(TypedDict):
    purpose: str | None
    order: str | None
    page_size: int | None


class UploadArguments(TypedDict):
    purpose: str
    filename: str


def _list_arguments(recording: Recording) -> ListArguments:
    """The list_files arguments that send the recorded query."""
    limit = recording.query.get("limit")
    return {
        "purpose": recording.query.get("purpose"),
        "order": recording.query.get("order"),
        "page_size": None if limit is None or limit == "10000" else int(limit),
    }


def _upload_arguments(recording: Recording) -> UploadArguments:
    """The upload_file arguments whose form fields the recording is matched by (the
    published examples name none: their file's own name and purpose then)."""
    fields = recording.body_fields
    answered = recording.json_body() if recording.status < 300 else {}
    return {
        "purpose": str(fields.get("purpose", answered.get("purpose", "fine-tune"))),
        "filename": str(fields.get("file", answered.get("filename", "puppy.jsonl"))),
    }


def _call(client: FilesClient, recording: Recording) -> object:
    if recording.operation == "Files_Get":
        return client.get_file(recording.file_id)
    if recording.operation == "Files_List":
        return list(client.list_files(**_list_arguments(recording)))
    if recording.operation == "Files_Upload":
        return client.upload_file(EXAMPLE_UPLOAD, **_upload_arguments(recording))
    if recording.operation == "Files_Delete":
        return client.delete_file(recording.file_id)
    return client.get_file_content(recording.file_id)


async def _acall(client: AsyncFilesClient, recording: Recording) -> object:
    if recording.operation == "Files_Get":
        return await client.get_file(recording.file_id)
    if recording.operation == "Files_List":
        pager = client.list_files(**_list_arguments(recording))
        return [file async for file in pager]
    if recording.operation == "Files_Upload":
        return await client.upload_file(EXAMPLE_UPLOAD, **_upload_arguments(recording))
    if recording.operation == "Files_Delete":
        return await client.delete_file(recording.file_id)
    return await client.get_file_content(recording.file_id)


def test_every_supported_api_version_has_recordings() -> None:
    assert {r.api_version for r in RECORDINGS} == set(SUPPORTED_API_VERSIONS)


def _assert_file_matches(file: FileObject, recording: Recording) -> None:
    body = recording.json_body()
    assert file.id == body.get("id")
    assert file.bytes == body.get("bytes")
    assert file.created_at == body.get("created_at")
    assert file.filename == body["filename"]
    assert file.purpose == body["purpose"]
    assert file.status == body.get("status")
    assert file.object == body.get("object")
    assert file.status_details == body.get("status_details")
    assert file.expires_at == body.get("expires_at")
    assert file.to_dict() == body


def _assert_error_matches(error: ServiceError, recording: Recording) -> None:
    body = recording.json_body()["error"]
    assert type(error) is ERROR_CLASS[recording.status]
    assert error.status_code == recording.status
    assert error.code == body["code"]
    assert error.message == body["message"]
    assert error.target == body.get("target")
    assert error.param == body.get("param")
    assert error.type == body.get("type")
    assert error.request_id == recording.headers["apim-request-id"]
    assert recording.headers["apim-request-id"] in str(error)


@pytest.mark.parametrize("recording", GET_OK, ids=_id)
def test_get_file_returns_the_recorded_file_object(
    replay: ReplayServer, recording: Recording
) -> None:
    with _client(replay, recording) as client:
        _assert_file_matches(client.get_file(recording.file_id), recording)


@pytest.mark.anyio
@pytest.mark.parametrize("recording", GET_OK, ids=_id)
async def test_async_get_file_returns_the_recorded_file_object(
    replay: ReplayServer, recording: Recording
) -> None:
    async with _async_client(replay, recording) as client:
        _assert_file_matches(await client.get_file(recording.file_id), recording)


def _expected_digest(recording: Recording) -> str:
    if isinstance(recording.body, GeneratedBody):
        return recording.body.sha256
    return hashlib.sha256(recording.body).hexdigest()


@pytest.mark.parametrize("recording", CONTENT_OK, ids=_id)
def test_get_file_content_returns_the_recorded_bytes_exactly(
    replay: ReplayServer, recording: Recording
) -> None:
    with _client(replay, recording) as client:
        content = client.get_file_content(recording.file_id)
    assert hashlib.sha256(content).hexdigest() == _expected_digest(recording)


@pytest.mark.parametrize("recording", CONTENT_OK, ids=_id)
def test_stream_and_download_return_the_recorded_bytes_exactly(
    replay: ReplayServer, recording: Recording, tmp_path: Path
) -> None:
    with _client(replay, recording) as client:
        with client.stream_file_content(recording.file_id) as stream:
            digest = hashlib.sha256()
            for chunk in stream.iter_bytes():
                digest.update(chunk)
            assert stream.request_id == recording.headers["apim-request-id"]
            assert stream.status_code == 200
        assert digest.hexdigest() == _expected_digest(recording)
        target = client.download_file(recording.file_id, tmp_path / "downloaded")
    assert hashlib.sha256(target.read_bytes()).hexdigest() == _expected_digest(recording)


@pytest.mark.anyio
@pytest.mark.parametrize("recording", CONTENT_OK, ids=_id)
async def test_async_get_file_content_returns_the_recorded_bytes_exactly(
    replay: ReplayServer, recording: Recording, tmp_path: Path
) -> None:
    async with _async_client(replay, recording) as client:
        content = await client.get_file_content(recording.file_id)
        target = await client.download_file(recording.file_id, tmp_path / "downloaded")
    assert hashlib.sha256(content).hexdigest() == _expected_digest(recording)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == _expected_digest(recording)


@pytest.mark.parametrize("recording", ERRORS, ids=_id)
def test_error_recording_raises_its_typed_error(replay: ReplayServer, recording: Recording) -> None:
    with _client(replay, recording) as client, pytest.raises(ServiceError) as raised:
        _call(client, recording)
    _assert_error_matches(raised.value, recording)


@pytest.mark.anyio
@pytest.mark.parametrize("recording", ERRORS, ids=_id)
async def test_async_error_recording_raises_its_typed_error(
    replay: ReplayServer, recording: Recording
) -> None:
    async with _async_client(replay, recording) as client:
        with pytest.raises(ServiceError) as raised:
            await _acall(client, recording)
    _assert_error_matches(raised.value, recording)


# The promises above, spelled out with literal values from the docs and the recordings.


def _by_name(version: str, name: str) -> Recording:
    return next(r for r in RECORDINGS if r.api_version == version and r.name == name)


@pytest.mark.parametrize("version", SUPPORTED_API_VERSIONS)
def test_docs_sample_status_succeeded_is_kept_as_the_string_succeeded(
    replay: ReplayServer, version: str
) -> None:
    recording = _by_name(version, "get-docs-sample")
    with _client(replay, recording) as client:
        file = client.get_file("file-181a1cbdcdcf4677ada87f63a0928099")
    assert file.status == "succeeded"
    assert str(file.status) == "succeeded"
    assert (file.bytes, file.filename, file.created_at) == (140, "puppy.jsonl", 1646126127)


@pytest.mark.parametrize("version", SUPPORTED_API_VERSIONS)
def test_docs_sample_content_is_returned_with_its_quotes(
    replay: ReplayServer, version: str
) -> None:
    recording = _by_name(version, "content-docs-sample")
    with _client(replay, recording) as client:
        content = client.get_file_content("file-181a1cbdcdcf4677ada87f63a0928099")
    assert content == b'"raw file content"'


def test_content_served_as_json_is_returned_byte_for_byte(replay: ReplayServer) -> None:
    recording = _by_name("2024-10-21", "content-served-as-json")
    with _client(replay, recording) as client:
        content = client.get_file_content(recording.file_id)
    assert content.startswith(b'{"messages":  [{"role"')
    assert content.endswith(b'"z": 1, "a": 2}\n')
    assert "Bonjour à tous".encode() in content


def test_not_found_raises_not_found_error_with_code_and_apim_request_id(
    replay: ReplayServer,
) -> None:
    recording = _by_name("2024-10-21", "get-not-found")
    with _client(replay, recording) as client, pytest.raises(NotFoundError) as raised:
        client.get_file("file-00000000000000000000000000000000")
    assert raised.value.code == "notFound"
    assert raised.value.request_id == recording.headers["apim-request-id"]
    assert raised.value.request_id != recording.headers["x-request-id"]


def test_error_served_as_octet_stream_is_still_parsed(replay: ReplayServer) -> None:
    recording = _by_name("2024-10-21", "content-not-found")
    assert recording.content_type == "application/octet-stream"
    with _client(replay, recording) as client, pytest.raises(NotFoundError) as raised:
        client.get_file_content(recording.file_id)
    assert raised.value.code == "notFound"


def test_unauthorized_keeps_the_gateway_code_401(replay: ReplayServer) -> None:
    recording = _by_name("2024-10-21", "get-unauthorized")
    with _client(replay, recording) as client, pytest.raises(AuthenticationError) as raised:
        client.get_file(recording.file_id)
    assert raised.value.code == "401"
    assert raised.value.request_id == recording.headers["apim-request-id"]


def test_rate_limited_error_carries_the_recorded_retry_after(replay: ReplayServer) -> None:
    recording = _by_name("2024-10-21", "get-rate-limited")
    with _client(replay, recording) as client, pytest.raises(RateLimitError) as raised:
        client.get_file(recording.file_id)
    # retry-after-ms / x-ms-retry-after-ms say 1500 ms, retry-after says 2 s.
    assert raised.value.retry_after in (1.5, 2.0)


def test_server_error_keeps_details_and_inner_error(replay: ReplayServer) -> None:
    recording = _by_name("2024-10-21", "get-server-error")
    with _client(replay, recording) as client, pytest.raises(ServerError) as raised:
        client.get_file(recording.file_id)
    assert raised.value.code == "internalFailure"
    assert raised.value.details[0]["target"] == "storage"
    assert raised.value.inner_error is not None
    assert raised.value.inner_error["code"] == "upstreamTimeout"


def test_size_above_4_gib_and_null_size_are_kept(replay: ReplayServer) -> None:
    big = _by_name("2024-10-21", "get-larger-than-4gib")
    pending = _by_name("2024-10-21", "get-pending-size-unknown")
    with _client(replay, big) as client:
        assert client.get_file(big.file_id).bytes == 5 * 1024**3
        assert client.get_file(pending.file_id).bytes is None


def test_unknown_route_raises_not_found_error(replay: ReplayServer) -> None:
    recording = _by_name("2024-10-21", "get-docs-sample")
    with _client(replay, recording) as client, pytest.raises(NotFoundError) as raised:
        client.get_file("file-no-recording-for-this-id")
    assert raised.value.code == "notFound"
    assert "No recording matches" in raised.value.message


def test_each_client_asks_for_its_own_api_version(replay: ReplayServer) -> None:
    for version in SUPPORTED_API_VERSIONS:
        recording = _by_name(version, "get-docs-sample")
        replay.requests.clear()
        with _client(replay, recording) as client:
            client.get_file(recording.file_id)
        method, target, headers = replay.requests[-1]
        # v1: /openai/v1/files/{file_id} and no api-version query (the document's default).
        query = "" if version == "v1" else f"?api-version={version}"
        assert (method, target) == ("GET", f"{recording.request_path}{query}")
        assert headers["api-key"] == FAKE_KEY


# --- api-version selection --------------------------------------------------------------------


def test_v1_from_the_environment_uses_the_v1_route(
    replay: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_VERSION", "v1")
    recording = _by_name("v1", "get-expires-at")
    replay.requests.clear()
    with FilesClient(replay.endpoint, api_key=FAKE_KEY, max_retries=0) as client:
        assert client.get_file(recording.file_id).expires_at == 1746592000
    assert replay.requests[-1][1] == recording.request_path


def test_an_unlisted_dated_api_version_is_sent_as_given(replay: ReplayServer) -> None:
    replay.requests.clear()
    with (
        FilesClient(
            replay.endpoint, api_key=FAKE_KEY, api_version="2098-03-01-preview", max_retries=0
        ) as client,
        pytest.raises(NotFoundError),
    ):
        client.get_file("file-abc")
    assert replay.requests[-1][1] == "/openai/files/file-abc?api-version=2098-03-01-preview"


# --- the rest of the Files API ----------------------------------------------------------------


def _following_pages(recording: Recording) -> list[Recording]:
    """The recordings a listing reads after `recording`, page by page (by `after`)."""
    pages = [recording]
    while True:
        last = pages[-1].json_body()["data"]
        cursor = pages[-1].json_body().get("last_id") or (last[-1]["id"] if last else None)
        following = [
            r
            for r in RECORDINGS
            if r.api_version == recording.api_version
            and r.operation == "Files_List"
            and r.query == {**recording.query, "after": cursor}
        ]
        if not following:
            return pages
        pages.append(following[0])


@pytest.mark.parametrize("recording", LIST_OK, ids=_id)
def test_list_files_returns_the_recorded_pages(replay: ReplayServer, recording: Recording) -> None:
    expected = [[item for item in page.json_body()["data"]] for page in _following_pages(recording)]
    with _client(replay, recording) as client:
        pager = client.list_files(**_list_arguments(recording))
        pages = [[file.to_dict() for file in page] for page in pager.by_page()]
        files = [file.to_dict() for file in pager]
    if expected[-1] == [] and len(expected) > 1:
        expected.pop()  # an empty page after a full one ends the listing
    assert pages == expected
    assert files == [item for page in expected for item in page]
    if recording.api_version == "v1":
        assert recording.json_body()["has_more"] == (len(expected) > 1)


@pytest.mark.anyio
@pytest.mark.parametrize("recording", LIST_OK, ids=_id)
async def test_async_list_files_returns_the_recorded_pages(
    replay: ReplayServer, recording: Recording
) -> None:
    expected = [item for page in _following_pages(recording) for item in page.json_body()["data"]]
    async with _async_client(replay, recording) as client:
        pager = client.list_files(**_list_arguments(recording))
        assert [file.to_dict() async for file in pager] == expected


@pytest.mark.parametrize("recording", UPLOAD_OK, ids=_id)
def test_upload_file_returns_the_recorded_file(replay: ReplayServer, recording: Recording) -> None:
    with _client(replay, recording) as client:
        file = client.upload_file(EXAMPLE_UPLOAD, **_upload_arguments(recording))
    _assert_file_matches(file, recording)
    method, target, headers = replay.requests[-1]
    assert (method, target.split("?")[0]) == ("POST", recording.request_path)
    assert headers["content-type"].startswith("multipart/form-data; boundary=")


@pytest.mark.anyio
@pytest.mark.parametrize("recording", UPLOAD_OK, ids=_id)
async def test_async_upload_file_returns_the_recorded_file(
    replay: ReplayServer, recording: Recording, tmp_path: Path
) -> None:
    source = tmp_path / _upload_arguments(recording)["filename"]
    source.write_bytes(EXAMPLE_UPLOAD)
    async with _async_client(replay, recording) as client:
        purpose = _upload_arguments(recording)["purpose"]
        _assert_file_matches(await client.upload_file(source, purpose=purpose), recording)


@pytest.mark.parametrize("recording", IMPORT_OK, ids=_id)
def test_import_file_returns_the_recorded_file(replay: ReplayServer, recording: Recording) -> None:
    body = recording.json_body()
    with _client(replay, recording) as client:
        file = client.import_file(
            "https://www.contoso.com/trainingdata/puppy.jsonl",
            filename=body["filename"],
            purpose=body["purpose"],
        )
    _assert_file_matches(file, recording)


@pytest.mark.parametrize("recording", DELETE_OK, ids=_id)
def test_delete_file_returns_the_recorded_deletion(
    replay: ReplayServer, recording: Recording
) -> None:
    with _client(replay, recording) as client:
        status = client.delete_file(recording.file_id)
    assert isinstance(status, FileDeletionStatus)
    if recording.status == 204:  # 2024-06-01: no body, the id asked for
        assert (status.id, status.deleted) == (recording.file_id, True)
    else:
        body = recording.json_body()
        assert (status.id, status.deleted) == (body["id"], body["deleted"])


@pytest.mark.anyio
@pytest.mark.parametrize("recording", DELETE_OK, ids=_id)
async def test_async_delete_file_returns_the_recorded_deletion(
    replay: ReplayServer, recording: Recording
) -> None:
    async with _async_client(replay, recording) as client:
        status = await client.delete_file(recording.file_id)
    assert status.deleted is True


def _uploads_recording(version: str, name: str) -> Recording:
    return _by_name(version, f"uploads-{name}-official-example")


@pytest.mark.parametrize("version", UPLOADS_API)
def test_a_large_upload_goes_through_the_recorded_uploads_api(
    replay: ReplayServer, version: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Files over the single-upload limit go through the Uploads API; the limit is lowered
    # here so that a few bytes take that path: start, one part, complete.
    monkeypatch.setattr("azure_openai_files._sync_client.MAX_SINGLE_UPLOAD", 4)
    complete = _uploads_recording(version, "complete")
    replay.requests.clear()
    with _client(replay, complete) as client:
        file = client.upload_file(EXAMPLE_UPLOAD, purpose="fine-tune", filename="puppy.jsonl")
    assert file.to_dict() == complete.json_body()["file"]
    upload_id = _uploads_recording(version, "start").json_body()["id"]
    sent = [(method, target.split("?")[0]) for method, target, _ in replay.requests]
    assert sent == [
        ("POST", "/openai/uploads"),
        ("POST", f"/openai/uploads/{upload_id}/parts"),
        ("POST", f"/openai/uploads/{upload_id}/complete"),
    ]


@pytest.mark.parametrize("version", UPLOADS_API)
def test_a_failed_large_upload_is_cancelled_through_the_recorded_uploads_api(
    replay: ReplayServer, version: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("azure_openai_files._sync_client.MAX_SINGLE_UPLOAD", 4)
    upload_id = _uploads_recording(version, "start").json_body()["id"]

    def refuse(sent: int, total: int | None) -> None:
        if sent:
            raise KeyboardInterrupt  # the caller gives up while the part is sent

    replay.requests.clear()
    cancel = _uploads_recording(version, "cancel")
    with _client(replay, cancel) as client, pytest.raises(KeyboardInterrupt):
        client.upload_file(
            EXAMPLE_UPLOAD, purpose="fine-tune", filename="puppy.jsonl", progress=refuse
        )
    sent = [(method, target.split("?")[0]) for method, target, _ in replay.requests]
    assert sent[0] == ("POST", "/openai/uploads")
    assert sent[-1] == ("POST", f"/openai/uploads/{upload_id}/cancel")


def test_an_upload_is_matched_by_its_form_fields_not_its_bytes(replay: ReplayServer) -> None:
    training = _by_name("2024-10-21", "upload-training-file")
    with _client(replay, training) as client:
        for content in (b"{}\n", b"other bytes, same form fields\n"):
            file = client.upload_file(
                content, purpose="fine-tune", filename="training-upload.jsonl"
            )
            assert file.id == training.json_body()["id"]
        with pytest.raises(BadRequestError) as raised:
            client.upload_file(b"x", purpose="fine-tune-results", filename="results.csv")
    assert raised.value.code == "invalidPayload"
    assert raised.value.target == "purpose"


def test_an_upload_too_large_is_a_service_error_with_status_413(replay: ReplayServer) -> None:
    recording = _by_name("2025-04-01-preview", "upload-too-large")
    with _client(replay, recording) as client, pytest.raises(ServiceError) as raised:
        client.upload_file(b"x", purpose="fine-tune", filename="too-large.jsonl")
    assert (raised.value.status_code, raised.value.code) == (413, "invalidPayload")
    assert raised.value.request_id == recording.headers["apim-request-id"]


def test_a_throttled_listing_carries_the_recorded_retry_after(replay: ReplayServer) -> None:
    recording = _by_name("2024-10-21", "list-rate-limited")
    with _client(replay, recording) as client, pytest.raises(RateLimitError) as raised:
        list(client.list_files(purpose="assistants"))
    # retry-after-ms / x-ms-retry-after-ms say 2500 ms, retry-after says 3 s.
    assert raised.value.retry_after in (2.5, 3.0)
    assert raised.value.code == "tooManyRequests"


def test_a_deletion_the_service_could_not_make_is_a_server_error(replay: ReplayServer) -> None:
    recording = _by_name("v1", "delete-server-error")
    with _client(replay, recording) as client, pytest.raises(ServerError) as raised:
        client.delete_file("file-server-error")
    assert (raised.value.status_code, raised.value.code, raised.value.type) == (
        503,
        "503",
        "invalid_request_error",
    )
