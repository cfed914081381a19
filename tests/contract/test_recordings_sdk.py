"""The SDK reads every recording of every supported api-version through its real HTTP path,
against the replay server, and gives the documented result or typed error for each."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from azure_openai_files import (
    SUPPORTED_API_VERSIONS,
    AsyncFilesClient,
    AuthenticationError,
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
ERROR_CLASS = {401: AuthenticationError, 404: NotFoundError, 429: RateLimitError, 500: ServerError}

RECORDINGS = [r for r in load_recordings() if r.api_version in SUPPORTED_API_VERSIONS]
GET_OK = [r for r in RECORDINGS if r.operation == "Files_Get" and r.status == 200]
CONTENT_OK = [r for r in RECORDINGS if r.operation == "Files_GetContent" and r.status == 200]
ERRORS = [r for r in RECORDINGS if r.status >= 400]


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


def _call(client: FilesClient, recording: Recording) -> object:
    if recording.operation == "Files_Get":
        return client.get_file(recording.file_id)
    return client.get_file_content(recording.file_id)


async def _acall(client: AsyncFilesClient, recording: Recording) -> object:
    if recording.operation == "Files_Get":
        return await client.get_file(recording.file_id)
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
