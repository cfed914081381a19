"""The replay server serves recordings exactly, answers unknown routes the Azure way, and
runs as `python -m tests.replay`."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest

from tests.support.paths import ROOT
from tests.support.replay import (
    GeneratedBody,
    ReplayServer,
    api_versions,
    dump_recording,
    encode_body,
    load_recording,
    load_recordings,
    recording_named,
    replay_server,
    replaying,
)


@pytest.mark.parametrize("version", api_versions())
def test_replay_serves_recorded_status_headers_and_body(version: str) -> None:
    with replaying(version) as endpoint, httpx2.Client(base_url=endpoint) as http:
        for recording in load_recordings(version):
            if isinstance(recording.body, GeneratedBody):
                continue  # see test_generated_body_is_deterministic_and_matches_its_sha256
            data, files = _form_with(recording.body_fields)
            response = http.request(
                recording.method,
                recording.request_path,
                params=recording.query,
                data=data,
                files=files,
            )
            assert response.status_code == recording.status, recording.name
            assert response.content == recording.body, recording.name
            for name, value in recording.headers.items():
                if name != "x-ms-client-request-id":
                    assert response.headers[name] == value, (recording.name, name)
            assert response.headers["content-length"] == str(len(recording.body))


def _form_with(
    fields: dict[str, object],
) -> tuple[dict[str, str] | None, dict[str, tuple[str, bytes]] | None]:
    """A multipart form with `fields`: value fields as text, `file` as a file part of that
    name (the way the SDK sends an upload); nothing when there are none."""
    if not fields:
        return None, None
    data = {k: str(v) for k, v in fields.items() if k != "file"}
    files = {"file": (str(fields["file"]), b"any bytes")} if "file" in fields else None
    return data, files


def test_requests_with_bodies_are_told_apart_by_their_form_or_json_fields() -> None:
    with replay_server("2024-10-21") as server, httpx2.Client(base_url=server.endpoint) as http:
        query = {"api-version": "2024-10-21"}

        def upload(purpose: str, filename: str) -> str:
            files = {"file": (filename, b"{}\n")}
            response = http.post(
                "/openai/files", params=query, data={"purpose": purpose}, files=files
            )
            return str(json.loads(response.content).get("id") or response.status_code)

        assert upload("fine-tune", "training-upload.jsonl") == "file-uploaded0training0a1b2c3d4e5f6"
        assert upload("fine-tune-results", "results.csv") == "400"
        assert upload("fine-tune", "too-large.jsonl") == "413"
        # Any other form: the route's recording that names no fields (the published example).
        assert upload("fine-tune", "puppy.jsonl") == "file-181a1cbdcdcf4677ada87f63a0928099"
        # A JSON body is read by its members; chunked bodies are read whole.
        chunks = iter([b'{"purpose": "fine-tune", ', b'"filename": "puppy.jsonl"}'])
        response = http.post(
            "/openai/files/import",
            params=query,
            content=chunks,
            headers={"content-type": "application/json"},
        )
        assert response.status_code == 201


def test_two_recordings_of_one_route_differing_in_body_fields_are_both_served() -> None:
    recordings = [r for r in load_recordings("v1") if r.request_path == "/openai/v1/files"]
    posts = [r for r in recordings if r.method == "POST"]
    assert len(posts) >= 3
    ReplayServer(posts)  # no "same route" error: their body fields differ
    twin = dataclasses.replace(posts[0], path=posts[0].path.with_name("twin.yaml"))
    with pytest.raises(ValueError, match="same route"):
        ReplayServer([posts[0], twin])


def test_generated_body_is_deterministic_and_matches_its_sha256() -> None:
    recording = recording_named("2024-10-21", "content-large-file")
    assert isinstance(recording.body, GeneratedBody)
    with replaying("2024-10-21") as endpoint, httpx2.Client(base_url=endpoint) as http:
        digest = hashlib.sha256()
        with http.stream("GET", recording.request_path, params=recording.query) as response:
            assert response.headers["content-length"] == str(recording.body.size)
            for chunk in response.iter_raw():
                digest.update(chunk)
    assert digest.hexdigest() == recording.body.sha256


def test_unknown_route_gets_an_azure_shaped_404() -> None:
    with replaying("2024-10-21") as endpoint, httpx2.Client(base_url=endpoint) as http:
        response = http.get(
            "/openai/files/file-nobody-recorded", params={"api-version": "2024-10-21"}
        )
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.headers["apim-request-id"]
    error = response.json()["error"]
    assert error["code"] == "notFound"
    assert "GET /openai/files/file-nobody-recorded?api-version=2024-10-21" in error["message"]


def test_other_api_version_is_an_unknown_route_when_one_version_is_served() -> None:
    path = "/openai/files/file-181a1cbdcdcf4677ada87f63a0928099"
    with replaying("2024-10-21") as endpoint, httpx2.Client(base_url=endpoint) as http:
        assert http.get(path, params={"api-version": "2024-10-21"}).status_code == 200
        assert http.get(path, params={"api-version": "2024-06-01"}).status_code == 404
        assert http.get(path).status_code == 404
        assert http.post(path, params={"api-version": "2024-10-21"}).status_code == 404


def test_all_versions_are_served_when_none_is_named() -> None:
    path = "/openai/files/file-181a1cbdcdcf4677ada87f63a0928099"
    with replaying() as endpoint, httpx2.Client(base_url=endpoint) as http:
        for version in api_versions():
            if version == "v1":  # v1 routes carry the version in the path, no query
                response = http.get(path.replace("/openai/", "/openai/v1/"))
            else:
                response = http.get(path, params={"api-version": version})
            assert response.status_code == 200, version


def test_client_request_id_is_echoed_like_the_service_does() -> None:
    path = "/openai/files/file-181a1cbdcdcf4677ada87f63a0928099"
    with replaying("2024-10-21") as endpoint, httpx2.Client(base_url=endpoint) as http:
        response = http.get(
            path, params={"api-version": "2024-10-21"}, headers={"x-ms-client-request-id": "abc-1"}
        )
    assert response.headers["x-ms-client-request-id"] == "abc-1"


def test_server_records_the_requests_it_received() -> None:
    with replay_server("2024-06-01") as server, httpx2.Client(base_url=server.endpoint) as http:
        http.get("/openai/files/x", params={"api-version": "2024-06-01"}, headers={"api-key": "k"})
    method, target, headers = server.requests[-1]
    assert (method, target, headers["api-key"]) == (
        "GET",
        "/openai/files/x?api-version=2024-06-01",
        "k",
    )


def test_two_recordings_of_the_same_route_are_rejected() -> None:
    recording = load_recordings("2024-10-21")[0]
    twin = dataclasses.replace(recording, path=recording.path.with_name("twin.yaml"))
    with pytest.raises(ValueError, match="same route"):
        ReplayServer([recording, twin])


def test_unknown_api_version_has_no_recordings() -> None:
    with pytest.raises(ValueError, match="no recordings"):
        load_recordings("1999-01-01")


@pytest.mark.parametrize(
    "data",
    [b"", b"plain text\n", b"no newline", b"trailing spaces   \n", b"\xff\x00\x01", b"a\r\nb"],
)
def test_every_body_survives_the_recording_format(data: bytes, tmp_path: Path) -> None:
    document = {
        "provenance": "hand-made: round-trip check",
        "request": {
            "method": "GET",
            "endpoint": "https://fake-resource.openai.azure.com",
            "path": "/openai/files/f/content",
            "query": {"api-version": "2024-10-21"},
        },
        "response": {
            "status": 200,
            "headers": {"content-type": "application/octet-stream"},
            "body": encode_body(data),
        },
    }
    path = tmp_path / "2024-10-21" / "x.yaml"
    dump_recording(document, path)
    assert load_recording(path).body == data
    if data and b"\xff" in data:
        assert "base64:" in path.read_text()


def test_command_line_server_prints_its_port_and_stops_on_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.replay", "--port", "0", "--api-version", "2024-10-21"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        assert first.startswith("listening on http://127.0.0.1:")
        endpoint = first.removeprefix("listening on ")
        port = int(endpoint.rsplit(":", 1)[1])
        assert port > 0
        response = httpx2.get(
            f"{endpoint}/openai/files/file-181a1cbdcdcf4677ada87f63a0928099",
            params={"api-version": "2024-10-21"},
        )
        assert json.loads(response.content)["status"] == "succeeded"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
