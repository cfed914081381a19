"""Record mode: live exchanges are scrubbed before they are written."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.loopback import LoopbackServer, ReceivedRequest, respond
from tests.support.paths import ROOT
from tests.support.record import NONEXISTENT_FILE_ID, WRONG_KEY, WRONG_KEY_FILE_ID, record
from tests.support.replay import (
    FAKE_ENDPOINT,
    FAKE_HOST,
    load_recording,
    recording_named,
    replaying,
)
from tests.support.spec import spec_violations

FAKE_KEY = "sk-test-0123456789abcdef0123456789abcdef"
FILE_ID = "file-recorded0123456789abcdef01234"
API_VERSION = "2024-10-21"


def _leaky_service(conn: socket.socket, request: ReceivedRequest) -> None:
    """Answers like the service, but echoes the host and the key wherever it can."""
    host, key = request.headers["host"], request.headers.get("api-key", "")
    own_url = f"http://{host}{request.path}"
    headers = {
        "apim-request-id": "apim-7f3c",
        "x-request-id": "xreq-7f3c",
        "location": own_url,
        "set-cookie": f"session={key}",
        "x-echo-key": key,
    }
    if request.path.endswith(f"/{WRONG_KEY_FILE_ID}"):
        body = {"error": {"code": "401", "message": f"Access denied for key {key} at {host}."}}
        respond(401, json.dumps(body), headers)(conn, request)
    elif NONEXISTENT_FILE_ID in request.path:
        body = {"error": {"code": "notFound", "message": f"{own_url} was not found."}}
        respond(404, json.dumps(body), headers)(conn, request)
    elif request.path.endswith("/content"):
        payload = b"\xff\xfebinary " + own_url.encode() + b" key=" + key.encode() + b"\x00"
        respond(200, payload, headers, content_type="application/octet-stream")(conn, request)
    else:
        file = {
            "id": FILE_ID,
            "object": "file",
            "purpose": "fine-tune",
            "bytes": 42,
            "filename": f"from-{host}.jsonl",
            "created_at": 1731570000,
            "status": "processed",
            "status_details": f"uploaded via {own_url} with {key}",
        }
        respond(200, json.dumps(file), headers)(conn, request)


@pytest.fixture
def recorded(server: LoopbackServer, tmp_path: Path) -> list[Path]:
    server.script(_leaky_service)
    return record(server.endpoint, FAKE_KEY, FILE_ID, API_VERSION, tmp_path / API_VERSION)


def test_record_writes_the_four_reproducible_cases(recorded: list[Path]) -> None:
    names = sorted(p.stem for p in recorded)
    assert names == ["live-content", "live-get", "live-get-not-found", "live-get-unauthorized"]
    statuses = {p.stem: load_recording(p).status for p in recorded}
    assert statuses == {
        "live-content": 200,
        "live-get": 200,
        "live-get-not-found": 404,
        "live-get-unauthorized": 401,
    }


def test_record_scrubs_the_key_and_the_loopback_host_from_every_written_file(
    recorded: list[Path], server: LoopbackServer
) -> None:
    host_port = f"127.0.0.1:{server.port}"
    # The service really was sent the key and really echoed it back.
    assert {r.headers.get("api-key") for r in server.requests} == {FAKE_KEY, WRONG_KEY}
    for path in recorded:
        text = path.read_text(encoding="utf-8")
        body = load_recording(path).body_bytes()
        for secret in (FAKE_KEY, host_port, "127.0.0.1"):
            assert secret not in text, f"{secret!r} in {path.name}"
            assert secret.encode() not in body, f"{secret!r} in the body of {path.name}"


def test_record_replaces_the_resource_host_by_the_fake_host(recorded: list[Path]) -> None:
    get = load_recording(next(p for p in recorded if p.stem == "live-get"))
    assert get.endpoint == FAKE_ENDPOINT
    assert get.json_body()["filename"] == f"from-{FAKE_HOST}.jsonl"
    assert get.headers["location"] == f"{FAKE_ENDPOINT}/openai/files/{FILE_ID}"
    content = load_recording(next(p for p in recorded if p.stem == "live-content"))
    assert content.body_bytes().startswith(b"\xff\xfebinary " + FAKE_ENDPOINT.encode())


def test_record_drops_auth_headers_and_keeps_request_ids(recorded: list[Path]) -> None:
    for path in recorded:
        recording = load_recording(path)
        assert recording.provenance == "live"
        assert "api-key" not in recording.request_headers
        assert "authorization" not in recording.request_headers
        assert "set-cookie" not in recording.headers
        assert recording.headers["apim-request-id"] == "apim-7f3c"
        assert recording.headers["x-request-id"] == "xreq-7f3c"
        assert recording.request_headers["x-ms-client-request-id"]


def test_recorded_files_pass_the_spec_check(recorded: list[Path]) -> None:
    for path in recorded:
        assert spec_violations(load_recording(path)) == []


def test_recording_the_replay_server_reproduces_the_docs_sample(tmp_path: Path) -> None:
    docs_id = "file-181a1cbdcdcf4677ada87f63a0928099"
    with replaying(API_VERSION) as endpoint:
        written = record(endpoint, FAKE_KEY, docs_id, API_VERSION, tmp_path)
    original = recording_named(API_VERSION, "get-docs-sample")
    live_get = load_recording(next(p for p in written if p.stem == "live-get"))
    assert live_get.body_bytes() == original.body_bytes()
    assert live_get.headers["apim-request-id"] == original.headers["apim-request-id"]


def test_record_command_refuses_to_run_without_credentials(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.record", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    assert "AZURE_OPENAI_ENDPOINT" in result.stderr
    assert list(tmp_path.iterdir()) == []
