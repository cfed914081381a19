"""Every recorded response is validated against `openapi/<api-version>.yaml` (openapi-core).

A violation fails with the recording's path and the offending field. Where the spec is
lenient on purpose (extensible enums), the test name says so.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import yaml

from tests.support.replay import (
    FAKE_ENDPOINT,
    PROVENANCE_KINDS,
    RECORDINGS_DIR,
    Recording,
    api_versions,
    load_recordings,
    recording_named,
)
from tests.support.spec import OPENAPI_DIR, spec_violations

RECORDINGS = load_recordings()


def _id(recording: Recording) -> str:
    return f"{recording.api_version}/{recording.name}"


@pytest.mark.parametrize("recording", RECORDINGS, ids=_id)
def test_recorded_response_matches_the_openapi_document_of_its_api_version(
    recording: Recording,
) -> None:
    assert spec_violations(recording) == []


def test_every_api_version_with_an_openapi_document_has_recordings() -> None:
    documents = sorted(p.stem for p in OPENAPI_DIR.glob("*.yaml"))
    assert api_versions() == documents


@pytest.mark.parametrize("recording", RECORDINGS, ids=_id)
def test_recording_states_its_provenance(recording: Recording) -> None:
    assert recording.provenance.startswith(PROVENANCE_KINDS), recording.path
    if recording.provenance.startswith("hand-made: "):
        assert len(recording.provenance) > len("hand-made: ") + 10, "name the docs statement"


@pytest.mark.parametrize("recording", RECORDINGS, ids=_id)
def test_recording_uses_the_fake_host_and_carries_request_ids(recording: Recording) -> None:
    assert recording.endpoint == FAKE_ENDPOINT
    # v1 requests carry no api-version query (it is optional, and its default is v1); only a
    # listing has more (purpose, limit, after, order: what the client's list_files sends).
    expected_version = (
        {} if recording.api_version == "v1" else {"api-version": recording.api_version}
    )
    others = {k: v for k, v in recording.query.items() if k != "api-version"}
    assert {k: v for k, v in recording.query.items() if k == "api-version"} == expected_version
    if recording.operation != "Files_List":
        assert others == {}
    assert set(others) <= {"purpose", "limit", "after", "order"}
    # A 204 has no body, so no media type.
    assert ("content-type" in recording.headers) == (recording.status != 204)
    assert recording.headers.get("apim-request-id"), "the service's correlation id"
    assert "api-key" not in recording.request_headers
    assert "authorization" not in recording.request_headers


def own_recordings(version: str) -> dict[str, Recording]:
    """The recordings a version has of its own (not rendered from the shared cases)."""
    return {r.name: r for r in load_recordings(version) if r.path.parent.name == version}


@pytest.mark.parametrize("version", api_versions())
def test_each_api_version_covers_the_required_cases(version: str) -> None:
    by_name = {r.name: r for r in load_recordings(version)}
    statuses = {r.status for r in by_name.values()}
    assert {200, 401, 404, 429, 500} <= statuses
    docs_get = json.loads(by_name["get-docs-sample"].body_bytes())
    assert docs_get["status"] == "succeeded"
    assert by_name["content-docs-sample"].body_bytes() == b'"raw file content"'
    # The docs pages' samples are the shared cases'; a version that replaces them with
    # recordings of its own (v1: its document ships no examples) says how they were made.
    for name in ("get-docs-sample", "content-docs-sample"):
        shared = by_name[name].path.parent.name == "shared"
        assert (by_name[name].provenance == "docs-sample") == shared, (version, name)
    # A version's own copies of the examples published next to its document say so.
    for name, recording in own_recordings(version).items():
        if "official-example" in name:
            assert recording.provenance.startswith("official-example: "), (version, name)
    # The rest of the Files API: a listing, an upload, a deletion, and their errors.
    operations = {(r.operation, r.status) for r in by_name.values()}
    assert {("Files_List", 200), ("Files_List", 429), ("Files_Delete", 404)} <= operations
    assert {("Files_Upload", 400), ("Files_Upload", 413)} <= operations
    assert any(op == "Files_Upload" and 200 <= status < 300 for op, status in operations)
    assert any(op == "Files_Delete" and status >= 500 for op, status in operations)
    nulls = by_name["get-null-optional-fields"].json_body()
    assert None in nulls.values()
    binary = by_name["content-binary"].body_bytes()
    with pytest.raises(UnicodeDecodeError):
        binary.decode("utf-8")
    assert by_name["content-served-as-json"].content_type == "application/json"
    throttled = by_name["get-rate-limited"].headers
    assert {"retry-after", "retry-after-ms", "x-ms-retry-after-ms"} <= throttled.keys()
    not_found = by_name["get-not-found"].json_body()["error"]["code"]
    assert not_found == ("404" if version == "v1" else "notFound")


def test_docs_sample_status_succeeded_is_accepted_because_enums_are_extensible() -> None:
    for version in api_versions():
        recording = recording_named(version, "get-docs-sample")
        assert recording.json_body()["status"] == "succeeded"  # not a FileState value
        assert spec_violations(recording) == []


def test_unknown_enum_values_are_accepted_because_enums_are_extensible() -> None:
    for version in api_versions():
        recording = recording_named(version, "get-unlisted-enum-values")
        body = recording.json_body()
        assert (body["purpose"], body["status"], body["object"]) == ("evals", "archived", "file.v2")
        assert spec_violations(recording) == []


def test_unknown_error_code_is_accepted_because_error_codes_are_extensible() -> None:
    for version in api_versions():
        recording = recording_named(version, "get-unauthorized")
        assert recording.json_body()["error"]["code"] == "401"  # not an ErrorCode value
        assert spec_violations(recording) == []


def test_content_served_as_json_is_checked_as_bytes_not_as_decoded_json() -> None:
    recording = recording_named("2024-10-21", "content-served-as-json")
    assert spec_violations(recording) == []
    # Bytes that are not JSON at all are still a valid file body under application/json.
    jsonl = dataclasses.replace(recording, body=b'{"a": 1}\n{"a": 2}\n\xff')
    assert spec_violations(jsonl) == []


def _recordings_dir(version: str) -> Path:
    return RECORDINGS_DIR / version


def _broken_copy(name: str, version: str, change: dict[str, object], drop: str = "") -> Recording:
    recording = recording_named(version, name)
    body = recording.json_body()
    body.update(change)
    body.pop(drop, None)
    return dataclasses.replace(recording, body=json.dumps(body).encode())


@pytest.mark.parametrize("version", api_versions())
def test_recording_with_a_string_size_fails_the_check_naming_field_and_file(version: str) -> None:
    broken = _broken_copy("get-docs-sample", version, {"bytes": "abc"})
    problems = spec_violations(broken)
    assert problems
    assert "field bytes" in problems[0]
    assert "get-docs-sample.yaml" in problems[0]


@pytest.mark.parametrize("version", api_versions())
def test_recording_without_filename_fails_the_check(version: str) -> None:
    broken = _broken_copy("get-fine-tune-results", version, {}, drop="filename")
    problems = spec_violations(broken)
    assert any("'filename' is a required property" in p for p in problems), problems


def test_error_served_as_octet_stream_is_checked_as_an_error_response() -> None:
    recording = recording_named("2024-10-21", "content-not-found")
    assert recording.content_type == "application/octet-stream"
    assert spec_violations(recording) == []
    broken = dataclasses.replace(recording, body=b'{"error": {"message": "no code"}}')
    assert any("'code' is a required property" in p for p in spec_violations(broken))


def test_error_recording_without_message_fails_the_check() -> None:
    recording = recording_named("2024-10-21", "get-not-found")
    broken = dataclasses.replace(recording, body=b'{"error": {"code": "notFound"}}')
    problems = spec_violations(broken)
    assert any("'message' is a required property" in p for p in problems), problems


def test_content_served_with_an_undeclared_media_type_fails_the_check() -> None:
    recording = recording_named("2024-10-21", "content-docs-sample")
    broken = dataclasses.replace(
        recording, headers={**recording.headers, "content-type": "text/html"}
    )
    assert spec_violations(broken)


def _listed_purposes(api_version: str) -> list[str]:
    document = yaml.safe_load((OPENAPI_DIR / f"{api_version}.yaml").read_text(encoding="utf-8"))
    return list(document["components"]["schemas"]["Purpose"]["enum"])


def test_batch_output_purpose_is_a_listed_value_from_2024_10_21_on() -> None:
    recording = recording_named("2024-10-21", "get-batch-output")
    assert spec_violations(recording) == []
    purpose = recording.json_body()["purpose"]
    assert purpose in _listed_purposes("2024-10-21")
    assert purpose not in _listed_purposes("2024-06-01")


def test_the_dated_versions_have_their_published_examples_of_every_files_operation() -> None:
    for version in ("2024-06-01", "2024-10-21", "2025-04-01-preview"):
        names = set(own_recordings(version))
        assert {"list", "upload", "import", "delete"} <= {
            n.removesuffix("-official-example") for n in names if n.endswith("-official-example")
        }, version
    uploads_api = {"uploads-start", "uploads-part", "uploads-complete", "uploads-cancel"}
    for version in ("2024-10-21", "2025-04-01-preview"):
        assert {f"{n}-official-example" for n in uploads_api} <= set(own_recordings(version))


def test_statuses_outside_file_state_in_the_2024_06_01_examples_are_kept() -> None:
    listed = recording_named("2024-06-01", "list-official-example").json_body()["data"]
    assert {f["status"] for f in listed} == {"succeeded"}
    for name in ("upload-official-example", "import-official-example"):
        assert recording_named("2024-06-01", name).json_body()["status"] == "notRunning"
    deletion = recording_named("2024-06-01", "delete-official-example")
    assert (deletion.status, deletion.body_bytes()) == (204, b"")


def test_v1_recordings_of_the_new_operations_say_they_follow_the_document() -> None:
    for name in ("list-from-document", "upload-from-document", "delete-from-document"):
        provenance = recording_named("v1", name).provenance
        assert provenance.startswith("hand-made: the v1 document ships no examples"), name


def test_v1_pages_say_has_more_and_the_dated_ones_do_not() -> None:
    first = recording_named("v1", "list-paged-page-1").json_body()
    assert (first["has_more"], first["last_id"]) == (True, first["data"][-1]["id"])
    assert recording_named("v1", "list-paged-page-2").query["after"] == first["last_id"]
    assert "has_more" not in recording_named("2025-04-01-preview", "list-paged-page-1").json_body()
    for version in ("2024-06-01", "2024-10-21"):  # they return every file at once
        assert "list-paged-page-1" not in {r.name for r in load_recordings(version)}
