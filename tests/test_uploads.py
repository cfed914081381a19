"""Uploads: streamed from a path, bytes or a file object; checked before sending; resent
whole after a retryable answer; stored once after an answer that was lost; large files in
parts through the Uploads API, cancelled when they fail."""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import io
from pathlib import Path
from typing import Any

import pytest

from azure_openai_files import (
    AsyncFilesClient,
    FilesClient,
    OutcomeUnknownError,
    UploadNotResendableError,
    _async_client,
    _sync_client,
    _upload,
)
from azure_openai_files._errors import InvalidArgument
from tests.support.clients import FAKE_KEY, FAST_RETRIES, KINDS, Clients
from tests.support.files_service import files_service

CONTENT = b'{"prompt": "hello"}\n' * 5_000  # 100 kB: several chunks


class _Stream(io.RawIOBase):
    """A pipe-like source: readable once, not seekable."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _uploaded(service: Any) -> list[dict[str, Any]]:
    return [f for f in service.files if f["filename"].startswith("train")]


def _posts(service: Any) -> int:
    return len([s for s in service.seen if (s.method, s.path) == ("POST", "/files")])


def _client(kind: str, endpoint: str, **options: Any) -> Clients:
    return Clients(kind, endpoint, api_version="2025-04-01-preview", **FAST_RETRIES, **options)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("source", ["path", "bytes", "seekable", "stream"])
def test_uploads_store_the_whole_file_from_any_source(
    kind: str, source: str, tmp_path: Path
) -> None:
    path = tmp_path / "train.jsonl"
    path.write_bytes(CONTENT)
    file: object = {
        "path": path,
        "bytes": CONTENT,
        "seekable": io.BytesIO(CONTENT),
        "stream": _Stream(CONTENT),
    }[source]
    seen: list[tuple[int, int | None]] = []
    with files_service() as (service, endpoint):
        stored = _client(kind, endpoint).call(
            "upload_file",
            file,
            purpose="fine-tune",
            filename=None if source == "path" else "train.jsonl",
            progress=lambda done, total: seen.append((done, total)),
        )
    assert (stored.filename, stored.bytes, stored.purpose) == (
        "train.jsonl",
        len(CONTENT),
        "fine-tune",
    )
    assert _uploaded(service)[0]["md5"] == hashlib.md5(CONTENT).hexdigest()
    assert seen[-1] == (len(CONTENT), None if source == "stream" else len(CONTENT))
    framing = service.seen[0].headers
    assert ("transfer-encoding" in framing) == (source == "stream")


@pytest.mark.parametrize("kind", KINDS)
def test_a_throttled_upload_is_sent_again_whole_and_stored_once(kind: str) -> None:
    with files_service() as (service, endpoint):
        service.faults["POST /files"] = ["429", "503"]
        stored = _client(kind, endpoint).call(
            "upload_file", io.BytesIO(CONTENT), purpose="batch", filename="train.jsonl"
        )
    assert [s.body_size for s in service.seen if s.path == "/files" and s.method == "POST"] == [
        service.seen[0].body_size
    ] * 3
    assert [f["id"] for f in _uploaded(service)] == [stored.id]
    assert _uploaded(service)[0]["md5"] == hashlib.md5(CONTENT).hexdigest()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fault", ["lose-answer", "503-after-store"])
def test_an_upload_whose_answer_was_lost_is_found_not_sent_twice(kind: str, fault: str) -> None:
    with files_service() as (service, endpoint):
        service.add_files(3, purpose="batch")  # older files, the same purpose
        service.faults["POST /files"] = [fault]
        stored = _client(kind, endpoint).call(
            "upload_file", CONTENT, purpose="batch", filename="train.jsonl"
        )
    assert [f["id"] for f in _uploaded(service)] == [stored.id]
    assert _posts(service) == 1
    assert any(s.method == "GET" and s.path == "/files" for s in service.seen)


@pytest.mark.parametrize("kind", KINDS)
def test_an_upload_not_stored_after_a_5xx_is_sent_again_once_the_client_has_looked(
    kind: str,
) -> None:
    with files_service() as (service, endpoint):
        service.faults["POST /files"] = ["503"]
        stored = _client(kind, endpoint).call(
            "upload_file", CONTENT, purpose="batch", filename="train.jsonl"
        )
    assert [f["id"] for f in _uploaded(service)] == [stored.id]
    routes = [(s.method, s.path) for s in service.seen]
    assert routes == [("POST", "/files"), ("GET", "/files"), ("POST", "/files")]


@pytest.mark.parametrize("kind", KINDS)
def test_a_stream_already_read_is_never_sent_again(kind: str) -> None:
    with files_service() as (service, endpoint):
        service.faults["POST /files"] = ["429"]
        with pytest.raises(UploadNotResendableError, match="cannot be rewound") as raised:
            _client(kind, endpoint).call(
                "upload_file", _Stream(CONTENT), purpose="batch", filename="train.jsonl"
            )
    assert _posts(service) == 1
    assert raised.value.__cause__ is not None and "429" in str(raised.value)


@pytest.mark.parametrize("kind", KINDS)
def test_when_the_files_cannot_be_listed_the_outcome_is_said_to_be_unknown(kind: str) -> None:
    with files_service() as (service, endpoint):
        service.faults["POST /files"] = ["lose-answer"]
        service.faults["GET /files"] = ["500"] * 10
        with pytest.raises(OutcomeUnknownError) as raised:
            _client(kind, endpoint, max_retries=1).call(
                "upload_file", CONTENT, purpose="batch", filename="train.jsonl"
            )
    assert "may have carried out" in str(raised.value)
    assert any("could not be listed" in note for note in raised.value.__notes__)
    assert len(_uploaded(service)) == 1  # stored; the caller was told it may have been


@pytest.mark.parametrize(
    ("api_version", "arguments", "parameter"),
    [
        ("2024-06-01", {"purpose": "batch"}, "purpose"),
        ("2024-10-21", {"purpose": "batch_output"}, "purpose"),
        ("2025-04-01-preview", {"purpose": "nonsense"}, "purpose"),
        ("2024-10-21", {"purpose": "batch", "expires_after": 1_209_600}, "expires_after"),
        ("2025-04-01-preview", {"purpose": "batch", "expires_after": 3_600}, "expires_after"),
        ("2025-04-01-preview", {"purpose": "batch", "expires_after": 2.5}, "expires_after"),
        ("2025-04-01-preview", {"purpose": "batch", "filename": "a\nb"}, "filename"),
    ],
)
def test_bad_uploads_are_refused_before_sending(
    api_version: str, arguments: dict[str, Any], parameter: str
) -> None:
    with (
        files_service() as (service, endpoint),
        FilesClient(endpoint, api_key=FAKE_KEY, api_version=api_version) as client,
        pytest.raises((InvalidArgument, TypeError)) as raised,
    ):
        client.upload_file(CONTENT, **{"filename": "a.jsonl", **arguments})
    assert service.seen == []
    assert getattr(raised.value, "parameter", None) == parameter


@pytest.mark.parametrize("kind", KINDS)
def test_expiry_is_sent_as_the_documents_name_it(kind: str) -> None:
    with files_service(upload_status=200) as (service, endpoint):
        Clients(kind, endpoint, api_version="2025-04-01-preview").call(
            "upload_file",
            CONTENT,
            purpose="batch",
            filename="a.jsonl",
            expires_after=datetime.timedelta(days=20),
        )
        Clients(kind, endpoint, api_version="v1").call(
            "upload_file", CONTENT, purpose="batch", filename="b.jsonl"
        )
    assert len(service.files) == 2  # v1 requires an expiry: the longest one is sent


def _small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (_async_client, _sync_client):
        monkeypatch.setattr(module, "MAX_SINGLE_UPLOAD", 50_000)
    monkeypatch.setattr(_upload, "PART_SIZE", 16_000)
    monkeypatch.setattr(_upload, "CHUNK", 4_096)


@pytest.mark.parametrize("kind", KINDS)
def test_large_files_go_through_the_uploads_api_in_parallel_parts(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_parts(monkeypatch)
    path = tmp_path / "train.jsonl"
    path.write_bytes(CONTENT)
    done: list[int] = []
    with files_service(part_delay=0.05) as (service, endpoint):
        service.faults["POST /uploads/{id}/parts"] = ["503"]  # one part retried on its own
        stored = _client(kind, endpoint).call(
            "upload_file", path, purpose="fine-tune", progress=lambda sent, total: done.append(sent)
        )
    (upload,) = service.uploads.values()
    assert upload["status"] == "completed" and upload["content"] == CONTENT
    assert (upload["bytes"], upload["mime_type"], upload["filename"]) == (
        len(CONTENT),
        "text/jsonl",
        "train.jsonl",
    )
    assert stored.bytes == len(CONTENT) and stored.filename == "train.jsonl"
    assert _posts(service) == 0
    assert done[-1] == len(CONTENT)
    assert 1 < service.peak_parts_in_flight <= _upload.PARALLEL_PARTS


@pytest.mark.parametrize("kind", KINDS)
def test_a_failed_multipart_upload_is_cancelled(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_parts(monkeypatch)
    path = tmp_path / "train.jsonl"
    path.write_bytes(CONTENT)
    with files_service() as (service, endpoint):
        service.faults["POST /uploads/{id}/parts"] = ["500"] * 40
        with pytest.raises(Exception) as raised:
            _client(kind, endpoint, max_retries=1).call("upload_file", path, purpose="fine-tune")
    (upload,) = service.uploads.values()
    assert upload["status"] == "cancelled"
    assert type(raised.value).__name__ == "ServerError"
    assert not _uploaded(service)


def test_a_cancelled_async_upload_cancels_its_upload_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_parts(monkeypatch)
    path = tmp_path / "train.jsonl"
    path.write_bytes(CONTENT)

    async def run(endpoint: str) -> None:
        async with AsyncFilesClient(endpoint, api_key=FAKE_KEY, api_version="2024-10-21") as client:
            task = asyncio.ensure_future(client.upload_file(path, purpose="fine-tune"))
            while not any(seen.path.endswith("/parts") for seen in service.seen):
                await asyncio.sleep(0.001)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    with files_service(part_delay=0.2) as (service, endpoint):
        asyncio.run(run(endpoint))
    (upload,) = service.uploads.values()
    assert upload["status"] == "cancelled"


def test_versions_without_the_uploads_api_refuse_large_files_before_sending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_parts(monkeypatch)
    with (
        files_service() as (service, endpoint),
        FilesClient(endpoint, api_key=FAKE_KEY, api_version="2024-06-01") as client,
        pytest.raises(InvalidArgument, match="no Uploads API") as raised,
    ):
        client.upload_file(CONTENT, purpose="fine-tune", filename="a.jsonl")
    assert service.seen == []
    assert "2024-10-21" in str(raised.value)


@pytest.mark.parametrize("kind", KINDS)
def test_a_stream_over_the_single_upload_limit_is_stopped(
    monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    _small_parts(monkeypatch)
    # The body's own error reaches the caller as it is, on every transport (aiohttp would
    # hand it on as a connection error, retried).
    with files_service() as (service, endpoint), pytest.raises(InvalidArgument, match="larger"):
        _client(kind, endpoint).call(
            "upload_file", _Stream(CONTENT), purpose="batch", filename="a.jsonl"
        )
    assert not service.files
