"""The errors as objects: every error class is exported and survives pickle and deepcopy with
its attributes (so it crosses process pools), and each carries the fields it documents."""

from __future__ import annotations

from azure_openai_files._errors import (
    FileProcessingError,
    IncompleteDownloadError,
    WaitTimeoutError,
)


def test_the_other_errors_carry_their_fields() -> None:
    incomplete = IncompleteDownloadError("cut", received=3, expected=10)
    assert (incomplete.received, incomplete.expected, str(incomplete)) == (3, 10, "cut")
    failed = FileProcessingError("file-1", None)
    assert (failed.file_id, failed.status_details) == ("file-1", None)
    assert str(failed) == "file file-1 failed processing: no details"
    assert str(FileProcessingError("file-1", "bad row")) == "file file-1 failed processing: bad row"
    waited = WaitTimeoutError("file-1", "running", 2.5)
    assert (waited.file_id, waited.last_status, waited.timeout) == ("file-1", "running", 2.5)
    assert str(waited) == "file file-1 still has status 'running' after 2.5 s of waiting"
