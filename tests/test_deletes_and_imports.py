"""Deleting files (a retry that finds the file gone reports it deleted) and importing them
from a URL whose query, a SAS token, never shows."""

from __future__ import annotations

import logging

import pytest

from azure_openai_files import FileDeletionStatus, FilesClient, NotFoundError, OutcomeUnknownError
from tests.support.clients import FAKE_KEY, FAST_RETRIES, KINDS, Clients
from tests.support.files_service import files_service
from tests.support.loopback import respond_json, serving

SAS = "sv=2024-08-04&se=2026-12-31&sr=b&sp=r&sig=Zm9vYmFyYmF6cXV4c2VjcmV0"
CONTENT_URL = f"https://account.blob.core.windows.net/data/batch.jsonl?{SAS}"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("api_version", "status"), [("2024-06-01", 204), ("2024-10-21", 200), ("v1", 200)]
)
def test_delete_reports_the_file_deleted(kind: str, api_version: str, status: int) -> None:
    with files_service(delete_status=status) as (service, endpoint):
        service.add_files(2)
        result = Clients(kind, endpoint, api_version=api_version).call("delete_file", "file-000001")
    assert result == FileDeletionStatus("file-000001", True)
    assert [f["id"] for f in service.files] == ["file-000002"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_retried_delete_answered_404_after_a_lost_answer_reports_deleted(kind: str) -> None:
    with files_service() as (service, endpoint):
        service.add_files(1)
        service.faults["DELETE /files/{id}"] = ["lose-answer"]
        result = Clients(kind, endpoint, **FAST_RETRIES).call("delete_file", "file-000001")
    assert result.deleted and result.id == "file-000001"
    assert [s.method for s in service.seen] == ["DELETE", "DELETE"]


@pytest.mark.parametrize("kind", KINDS)
def test_deleting_a_missing_file_is_not_found_even_after_a_throttled_attempt(kind: str) -> None:
    with files_service() as (service, endpoint):
        service.faults["DELETE /files/{id}"] = ["429"]
        with pytest.raises(NotFoundError):
            Clients(kind, endpoint, **FAST_RETRIES).call("delete_file", "file-404")
    assert len(service.seen) == 2


@pytest.mark.parametrize("kind", KINDS)
def test_import_sends_the_url_and_returns_the_file(kind: str) -> None:
    with files_service() as (service, endpoint):
        stored = Clients(kind, endpoint, api_version="2025-04-01-preview").call(
            "import_file",
            CONTENT_URL,
            filename="batch.jsonl",
            purpose="batch",
            expires_after=1_209_600,
        )
    assert stored.filename == "batch.jsonl"
    assert service.imported == [
        {
            "content_url": CONTENT_URL,
            "filename": "batch.jsonl",
            "purpose": "batch",
            "expires_after": {"anchor": "created_at", "seconds": 1_209_600},
        }
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_the_sas_token_never_shows_in_errors_or_logs(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    echo = {
        "error": {
            "code": "invalidUrl",
            "message": f"cannot read {CONTENT_URL}",
            "details": [{"code": "x", "message": f"sig in {SAS}"}],
        }
    }
    caplog.set_level(logging.DEBUG, logger="azure_openai_files")
    with serving(respond_json(400, echo)) as server, pytest.raises(Exception) as raised:
        Clients(kind, server.endpoint, api_version="2024-10-21").call(
            "import_file", CONTENT_URL, filename="batch.jsonl", purpose="batch"
        )
    error = raised.value
    texts = [str(error), repr(error), repr(vars(error)), caplog.text]
    assert all("Zm9vYmFyYmF6cXV4c2VjcmV0" not in text for text in texts)
    assert "account.blob.core.windows.net/data/batch.jsonl?REDACTED" in str(error)


def test_a_bad_content_url_is_refused_without_echoing_it() -> None:
    with serving() as server, FilesClient(server.endpoint, api_key=FAKE_KEY) as client:
        with pytest.raises(ValueError) as raised:
            client.import_file(f"ftp://host/x?{SAS}", filename="a.jsonl", purpose="batch")
        assert server.requests == []
    assert "Zm9v" not in str(raised.value)


@pytest.mark.parametrize("kind", KINDS)
def test_an_import_whose_answer_was_lost_is_found_not_sent_twice(kind: str) -> None:
    with files_service() as (service, endpoint):
        service.faults["POST /files/import"] = ["lose-answer"]
        stored = Clients(kind, endpoint, **FAST_RETRIES).call(
            "import_file", CONTENT_URL, filename="batch.jsonl", purpose="batch"
        )
    assert len(service.imported) == 1 and stored.filename == "batch.jsonl"


def test_an_outcome_unknown_error_keeps_no_secret() -> None:
    with files_service() as (service, endpoint):
        service.faults["POST /files/import"] = ["lose-answer"]
        service.faults["GET /files"] = ["500"] * 10
        with pytest.raises(OutcomeUnknownError) as raised:
            Clients("sync", endpoint, max_retries=0).call(
                "import_file", CONTENT_URL, filename="batch.jsonl", purpose="batch"
            )
    assert "Zm9v" not in str(raised.value) + "".join(raised.value.__notes__)
