"""Recorded exchanges of the Files API, and a loopback HTTP server that replays them.

A recording is one YAML file under `tests/recordings/<api-version>/`: one request and the
response the service gave (or, per its `provenance`, the response the docs publish or a
hand-made one that follows a named docs statement). The response body is one of

    body: {text: "..."}                          # UTF-8 bytes, exactly as written
    body: {base64: "..."}                        # BINARY: any bytes, base64-encoded
    body: {generated: {seed, size, sha256}}      # deterministic bytes, made at serve time
    body: null                                   # empty

The server matches a request by method, path and `api-version` query, and answers with
the recorded status, headers and body (Content-Length computed; a client's
`x-ms-client-request-id` is echoed, as the service does). A request no recording matches
gets a 404 with an Azure-shaped error body, code `notFound`.

    with replaying("2024-10-21") as endpoint:      # "http://127.0.0.1:PORT"
        FilesClient(endpoint, api_key="fake-key").get_file("file-...")

    python -m tests.replay --port 0 [--api-version 2024-10-21]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import random
import signal
import sys
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from azure_openai_files import SUPPORTED_API_VERSIONS
from tests.support.paths import TESTS

RECORDINGS_DIR = TESTS / "recordings"
FAKE_ENDPOINT = "https://fake-resource.openai.azure.com"
FAKE_HOST = "fake-resource.openai.azure.com"
# official-example: a response published in Azure/azure-rest-api-specs next to the document
# (examples/*.yaml), body exactly as published; the path is named after the colon.
PROVENANCE_KINDS = ("docs-sample", "official-example: ", "live", "hand-made: ")

# Headers a server computes per response; never stored, never replayed from a recording.
_COMPUTED_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})
_CHUNK = 64 * 1024


# --------------------------------------------------------------------------------------
# The recording format
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GeneratedBody:
    """Deterministic pseudo-random bytes: `random.Random(seed)` drawn in 64 KiB chunks."""

    seed: str
    size: int
    sha256: str

    def iter_chunks(self) -> Iterator[bytes]:
        rng = random.Random(self.seed)
        left = self.size
        while left > 0:
            n = min(_CHUNK, left)
            yield rng.randbytes(n)
            left -= n

    def materialize(self) -> bytes:
        return b"".join(self.iter_chunks())


@dataclass(frozen=True)
class Recording:
    name: str  # file stem, e.g. "get-docs-sample"
    api_version: str
    path: Path
    provenance: str
    description: str
    method: str
    endpoint: str
    request_path: str
    query: dict[str, str]
    request_headers: dict[str, str]
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes | GeneratedBody

    @property
    def operation(self) -> str:
        return "Files_GetContent" if self.request_path.endswith("/content") else "Files_Get"

    @property
    def file_id(self) -> str:
        # /openai/files/{file-id}[/content] (dated versions), /openai/v1/files/{file_id}[/content]
        parts = self.request_path.removesuffix("/content").split("/")
        return parts[-1]

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def route(self) -> tuple[str, str, str]:
        # v1 requests carry no api-version: their paths (/openai/v1/...) tell them apart.
        return (self.method, self.request_path, self.query.get("api-version", ""))

    def body_bytes(self) -> bytes:
        if isinstance(self.body, GeneratedBody):
            return self.body.materialize()
        return self.body

    def json_body(self) -> Any:
        return json.loads(self.body_bytes())


SHARED_DIR = RECORDINGS_DIR / "shared"


def api_versions() -> list[str]:
    """Every api-version with an OpenAPI document: each gets the shared cases, rendered
    from its document, and its own recordings (tests/recordings/<version>/) when it has any."""
    return list(SUPPORTED_API_VERSIONS)


def load_recording(path: Path) -> Recording:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return _recording(document, name=path.stem, api_version=path.parent.name, path=path)


def _recording(
    document: Mapping[str, Any], *, name: str, api_version: str, path: Path
) -> Recording:
    request, response = document["request"], document["response"]
    return Recording(
        name=name,
        api_version=api_version,
        path=path,
        provenance=str(document["provenance"]),
        description=str(document.get("description", "")),
        method=str(request["method"]).upper(),
        endpoint=str(request["endpoint"]),
        request_path=str(request["path"]),
        query={str(k): str(v) for k, v in (request.get("query") or {}).items()},
        request_headers={str(k).lower(): str(v) for k, v in (request.get("headers") or {}).items()},
        status=int(response["status"]),
        headers={str(k).lower(): str(v) for k, v in (response.get("headers") or {}).items()},
        body=_decode_body(response.get("body")),
    )


def render_shared_case(path: Path, api_version: str) -> Recording:
    """A shared case (tests/recordings/shared/) as `api_version` would answer it: the route
    and query its generated request builder makes, the error in its document's error shape,
    `{api_version}` in the texts replaced."""
    from azure_openai_files._generated_api import (
        _api_for,
        get_file_content_operation,
        get_file_operation,
    )
    from azure_openai_files._operation import Expect

    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    request, response = dict(case["request"]), dict(case["response"])
    file_id = str(request.pop("file_id"))
    operation = (
        get_file_content_operation(file_id, api_version, "get_file_content", Expect.CONTENT)
        if request.pop("operation") == "get_file_content"
        else get_file_operation(file_id, api_version)
    )
    request["path"] = f"/openai{operation.url}"
    request["query"] = operation.params or {}
    error = response.pop("error", None)
    if error is not None:
        fields = _api_for(api_version).error_json_types
        if "param" in fields:  # the OpenAI shape: code is free text (the status), param, type
            error = {
                "code": str(response["status"]),
                "message": error["message"],
                "param": None,
                "type": "invalid_request_error",
            }
        else:
            error = {name: value for name, value in error.items() if name in fields}
        response["body"] = {"text": json.dumps({"error": error}, indent=2) + "\n"}
    document = json.loads(json.dumps({**case, "request": request, "response": response}))
    text = json.dumps(document).replace("{api_version}", api_version)
    return _recording(json.loads(text), name=path.stem, api_version=api_version, path=path)


def load_recordings(api_version: str | None = None) -> list[Recording]:
    """Every recording of one api-version (or of all), sorted by api-version and name: the
    version's own files, and each shared case it has no file of its own for."""
    versions = [api_version] if api_version else api_versions()
    found: list[Recording] = []
    for version in versions:
        if version not in SUPPORTED_API_VERSIONS:
            raise ValueError(f"no recordings for api-version {version!r}: it has no document")
        own = {p.stem: p for p in sorted((RECORDINGS_DIR / version).glob("*.yaml"))}
        shared = {p.stem: p for p in sorted(SHARED_DIR.glob("*.yaml")) if p.stem not in own}
        recordings = [load_recording(p) for p in own.values()]
        recordings += [render_shared_case(p, version) for p in shared.values()]
        found += sorted(recordings, key=lambda r: r.name)
    return found


def recording_named(api_version: str, name: str) -> Recording:
    """One case of an api-version, its own file or the shared case rendered for it."""
    for recording in load_recordings(api_version):
        if recording.name == name:
            return recording
    raise KeyError(f"no recording {name!r} for api-version {api_version!r}")


def _decode_body(body: Mapping[str, Any] | None) -> bytes | GeneratedBody:
    if body is None:
        return b""
    if "text" in body:
        return str(body["text"]).encode("utf-8")
    if "base64" in body:
        return base64.b64decode("".join(str(body["base64"]).split()), validate=True)
    if "generated" in body:
        spec = body["generated"]
        return GeneratedBody(str(spec["seed"]), int(spec["size"]), str(spec["sha256"]))
    raise ValueError(f"unknown body form {sorted(body)}; use text, base64 or generated")


def encode_body(data: bytes) -> dict[str, str] | None:
    """The reviewable form of a body: UTF-8 text when it is text, else base64 (binary)."""
    if not data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or "\r" in text or any(ord(c) < 32 and c not in "\n\t" for c in text):
        encoded = base64.b64encode(data).decode("ascii")
        lines = [encoded[i : i + 76] for i in range(0, len(encoded), 76)]
        return {"base64": "\n".join(lines) + "\n"}
    return {"text": text}


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_recording(document: Mapping[str, Any], path: Path) -> None:
    """Write a recording document (the YAML layout above), creating directories."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(dict(document), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(text, encoding="utf-8")
    # A literal block cannot hold every string (trailing spaces, for one); PyYAML then
    # quotes it instead. Either way the bytes must survive: check the round trip.
    written = yaml.safe_load(path.read_text(encoding="utf-8"))
    if written != dict(document):
        raise AssertionError(f"{path}: recording does not survive a YAML round trip")


# --------------------------------------------------------------------------------------
# The replay server
# --------------------------------------------------------------------------------------


def unknown_route_body(method: str, target: str) -> bytes:
    error = {
        "error": {
            "code": "notFound",
            "message": f"No recording matches {method} {target}.",
            "target": target.split("?", 1)[0],
        }
    }
    return json.dumps(error).encode()


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up mid-answer (a refused download, a cancelled stream) is normal
    here: not worth a traceback on stderr, where it would land in another test's output."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@dataclass
class ReplayServer:
    """Serves `recordings` on 127.0.0.1; `port=0` picks a free port."""

    recordings: Iterable[Recording]
    port: int = 0
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.routes: dict[tuple[str, str, str], Recording] = {}
        for recording in self.recordings:
            if recording.route in self.routes:
                other = self.routes[recording.route]
                raise ValueError(f"{recording.path} and {other.path} record the same route")
            self.routes[recording.route] = recording
        self._httpd = _QuietServer(("127.0.0.1", self.port), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def match(self, method: str, target: str) -> Recording | None:
        parts = urlsplit(target)
        version = parse_qs(parts.query).get("api-version", [""])[0]
        return self.routes.get((method.upper(), parts.path, version))

    def start(self) -> ReplayServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def shutdown(self) -> None:
        """Stop `serve_forever` (from another thread or a signal handler)."""
        threading.Thread(target=self._httpd.shutdown, daemon=True).start()

    def close(self) -> None:
        self._httpd.server_close()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()


def _make_handler(server: ReplayServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # head and body go out as separate writes

        def do_GET(self) -> None:
            self._answer()

        def do_HEAD(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def do_DELETE(self) -> None:
            self._answer()

        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length:
                self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            server.requests.append((self.command, self.path, headers))
            recording = server.match(self.command, self.path)
            if recording is None:
                body = unknown_route_body(self.command, self.path)
                status = 404
                reply_headers = {
                    "content-type": "application/json",
                    "apim-request-id": str(uuid.uuid4()),
                }
                chunks: Iterable[bytes] = [body]
                size = len(body)
            else:
                status = recording.status
                reply_headers = {
                    k: v for k, v in recording.headers.items() if k not in _COMPUTED_HEADERS
                }
                if isinstance(recording.body, GeneratedBody):
                    chunks, size = recording.body.iter_chunks(), recording.body.size
                else:
                    chunks, size = [recording.body], len(recording.body)
            client_request_id = headers.get("x-ms-client-request-id")
            if client_request_id:
                reply_headers["x-ms-client-request-id"] = client_request_id
            self.send_response_only(status)
            for name, value in reply_headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(size))
            self.end_headers()
            if self.command != "HEAD":
                for chunk in chunks:
                    self.wfile.write(chunk)
            self.wfile.flush()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextlib.contextmanager
def replaying(api_version: str | None = None) -> Iterator[str]:
    """Serve the recordings of `api_version` (or of all versions); yields the endpoint."""
    with replay_server(api_version) as server:
        yield server.endpoint


@contextlib.contextmanager
def replay_server(api_version: str | None = None) -> Iterator[ReplayServer]:
    server = ReplayServer(load_recordings(api_version)).start()
    try:
        yield server
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.replay", description="Replay recorded Files API responses."
    )
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--api-version", default=None, help="default: every recorded version")
    args = parser.parse_args(argv)
    server = ReplayServer(load_recordings(args.api_version), port=args.port)

    def stop(signum: int, frame: object) -> None:
        server.shutdown()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    versions = args.api_version or ", ".join(api_versions())
    print(f"listening on {server.endpoint}", flush=True)
    print(f"replaying {len(server.routes)} recordings (api-version {versions})", flush=True)
    try:
        server.serve_forever()
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = [
    "FAKE_ENDPOINT",
    "FAKE_HOST",
    "PROVENANCE_KINDS",
    "RECORDINGS_DIR",
    "SHARED_DIR",
    "GeneratedBody",
    "Recording",
    "ReplayServer",
    "api_versions",
    "dump_recording",
    "encode_body",
    "load_recording",
    "load_recordings",
    "recording_named",
    "replay_server",
    "replaying",
    "unknown_route_body",
]
