"""Recorded exchanges of the Files API, and a loopback HTTP server that replays them.

A recording is one YAML file under `tests/recordings/<api-version>/`: one request and the
response the service gave (or, per its `provenance`, the response the docs publish or a
hand-made one that follows a named docs statement). The response body is one of

    body: {text: "..."}                          # UTF-8 bytes, exactly as written
    body: {base64: "..."}                        # BINARY: any bytes, base64-encoded
    body: {generated: {seed, size, sha256}}      # deterministic bytes, made at serve time
    body: null                                   # empty

The server matches a request by method, path and its whole query (`api-version`, and for a
listing `purpose`, `limit`, `after`, `order`), then, among the recordings of that route, by
the request body's `body_fields` (below), and answers with the recorded status, headers and
body (Content-Length computed; a client's `x-ms-client-request-id` is echoed, as the service
does). A request no recording matches gets a 404 with an Azure-shaped error body, code
`notFound`.

A request with a body (an upload, an import, the Uploads API) is told apart by the fields a
recording names in `request.body_fields`: a multipart form's value fields by their text and
its file part by its filename (`{purpose: fine-tune, file: train.jsonl}`), a JSON body's
top-level members by their value. Each named field must be there with that value; of the
recordings that match, the one naming the most fields answers, and one naming none is the
route's answer to any body. Bytes are never compared: a multipart boundary is random, and a
file's content is what the SDK streams, not what a case is about.

    with replaying("2024-10-21") as endpoint:      # "http://127.0.0.1:PORT"
        FilesClient(endpoint, api_key="fake-key").get_file("file-...")

    python -m tests.replay --port 0 [--api-version 2024-10-21]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import email.parser
import email.policy
import functools
import importlib
import json
import random
import re
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
from tests.support.paths import ROOT, TESTS

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
    # What the request body must hold for this recording to answer it (see the docstring).
    body_fields: dict[str, Any] = field(default_factory=dict)

    @property
    def operation(self) -> str:
        """The operation id of the dated documents (v1's routes are the same operations)."""
        tail = self.request_path.removeprefix("/openai").removeprefix("/v1")
        for pattern, operation in _OPERATIONS:
            if pattern.fullmatch(f"{self.method} {tail}"):
                return operation
        raise ValueError(f"{self.path}: {self.method} {self.request_path} is no known operation")

    @property
    def file_id(self) -> str:
        # /openai/files/{file-id}[/content] (dated versions), /openai/v1/files/{file_id}[/content]
        parts = self.request_path.removesuffix("/content").split("/")
        return parts[-1]

    @property
    def upload_id(self) -> str:
        """The upload id in an Uploads API path (/openai/uploads/{upload-id}/...)."""
        return self.request_path.split("/uploads/", 1)[1].split("/")[0]

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def route(self) -> tuple[str, str, frozenset[tuple[str, str]]]:
        # v1 requests carry no api-version: their paths (/openai/v1/...) tell them apart.
        return (self.method, self.request_path, frozenset(self.query.items()))

    def body_bytes(self) -> bytes:
        if isinstance(self.body, GeneratedBody):
            return self.body.materialize()
        return self.body

    def json_body(self) -> Any:
        return json.loads(self.body_bytes())


# "METHOD path" (after /openai and v1's /v1) -> the operation id the documents give it.
_OPERATIONS = [
    (re.compile(r"GET /files"), "Files_List"),
    (re.compile(r"POST /files"), "Files_Upload"),
    (re.compile(r"POST /files/import"), "Files_Import"),
    (re.compile(r"GET /files/[^/]+/content"), "Files_GetContent"),
    (re.compile(r"GET /files/[^/]+"), "Files_Get"),
    (re.compile(r"DELETE /files/[^/]+"), "Files_Delete"),
    (re.compile(r"POST /uploads"), "UploadFile_Start"),
    (re.compile(r"POST /uploads/[^/]+/parts"), "UploadFile_Part"),
    (re.compile(r"POST /uploads/[^/]+/complete"), "UploadFile_Complete"),
    (re.compile(r"POST /uploads/[^/]+/cancel"), "UploadFile_Cancel"),
]

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
        body_fields=dict(request.get("body_fields") or {}),
    )


def render_shared_case(path: Path, api_version: str) -> Recording:
    """A shared case (tests/recordings/shared/) as `api_version` would answer it: the route
    and query its generated request builder makes (through the same operation functions the
    client calls), the body fields its form or JSON body is matched by, the success body in
    the version's own shape (`page`, `deleted`, `file` below), the error in its document's
    error shape, `{api_version}` in the texts replaced.

    A case names its call in `request`: `operation` (get_file, get_file_content, list_files,
    upload_file, delete_file) and that operation's arguments (`file_id`; `purpose`, `order`,
    `page_size`, `after`; `purpose`, `filename`). Its `response` holds `error`, or `page`
    (`files`, `has_more`: the version's list shape, with v1's cursor fields), `deleted` (the
    file id: the version's deletion answer, a 204 where its document says so) or `file` (an
    upload's answer), or a `body` as in any recording."""
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    request, response = dict(case["request"]), dict(case["response"])
    operation, body_fields = _shared_operation(request, api_version)
    request["path"] = f"/openai{operation.url}"
    request["query"] = {k: str(v) for k, v in (operation.params or {}).items()}
    if body_fields:
        request["body_fields"] = body_fields
    _render_success(response, api_version, operation)
    error = response.pop("error", None)
    if error is not None:
        response["body"] = {
            "text": json.dumps({"error": _error_shape(error, response, api_version)}, indent=2)
            + "\n"
        }
    document = json.loads(json.dumps({**case, "request": request, "response": response}))
    text = json.dumps(document).replace("{api_version}", api_version)
    return _recording(json.loads(text), name=path.stem, api_version=api_version, path=path)


def shared_case_applies(path: Path, api_version: str) -> bool:
    """Whether a shared case is rendered for `api_version`: every case is, except a listing
    marked `pages: true` (a later page), which only versions whose `GET /files` pages have."""
    from azure_openai_files._generated_api import list_pages

    request = yaml.safe_load(path.read_text(encoding="utf-8"))["request"]
    return not request.get("pages") or list_pages(api_version)


def _shared_operation(request: dict[str, Any], api_version: str) -> tuple[Any, dict[str, str]]:
    """The Operation the client would send for a shared case's call (its arguments popped
    from `request`), and the body fields its request is matched by."""
    from azure_openai_files._generated_api import (
        delete_file_operation,
        get_file_content_operation,
        get_file_operation,
        list_files_operation,
        list_pages,
        upload_file_operation,
        upload_rules,
    )
    from azure_openai_files._operation import Expect
    from azure_openai_files._paging import MAX_PAGE_SIZE
    from azure_openai_files._upload import UploadSource

    name = request.pop("operation")
    if name in ("get_file", "get_file_content", "delete_file"):
        file_id = str(request.pop("file_id"))
        if name == "get_file":
            return get_file_operation(file_id, api_version), {}
        if name == "delete_file":
            return delete_file_operation(file_id, api_version), {}
        content = get_file_content_operation(file_id, api_version, name, Expect.CONTENT)
        return content, {}
    if name == "list_files":
        # The query the client's list_files sends: `limit` (the page size, else the most a
        # page may hold) and `after` only where the version pages.
        request.pop("pages", None)
        pages = list_pages(api_version)
        page_size = request.pop("page_size", None)
        after = request.pop("after", None)
        listing = list_files_operation(
            api_version,
            purpose=request.pop("purpose", None),
            order=request.pop("order", None),
            limit=(page_size or MAX_PAGE_SIZE) if pages else None,
            after=after if pages else None,
        )
        return listing, {}
    if name == "upload_file":
        purpose, filename = str(request.pop("purpose")), str(request.pop("filename"))
        rules = upload_rules(api_version, purpose, None, "upload_file")
        upload = upload_file_operation(api_version, rules, UploadSource(b"", filename))
        return upload, {"purpose": purpose, "file": filename}
    raise ValueError(f"shared case operation {name!r} is not one render_shared_case knows")


def _error_shape(error: dict[str, Any], response: dict[str, Any], api_version: str) -> Any:
    from azure_openai_files._generated_api import _api_for

    fields = _api_for(api_version).error_json_types
    if "param" in fields:  # the OpenAI shape: code is free text (the status), param, type
        return {
            "code": str(response["status"]),
            "message": error["message"],
            "param": None,
            "type": "invalid_request_error",
        }
    return {name: value for name, value in error.items() if name in fields}


def _render_success(response: dict[str, Any], api_version: str, operation: Any) -> None:
    """A shared success body (`page`, `deleted`, `file`) in `api_version`'s shape."""
    from azure_openai_files._generated_api import _api_for

    models = _api_for(api_version).models
    status = _success_status(api_version, operation.method, operation.url)
    if "page" in response:
        page = response.pop("page")
        files = list(page["files"])
        document: dict[str, Any] = {"data": files, "object": "list"}
        list_fields = importlib.import_module(models.FileList.__module__).JSON_TYPES
        if "has_more" in list_fields:  # v1: the cursor of the next page
            document |= {
                "first_id": files[0]["id"] if files else None,
                "last_id": files[-1]["id"] if files else None,
                "has_more": bool(page.get("has_more", False)),
            }
        response["body"] = {"text": json.dumps(document, indent=2) + "\n"}
    elif "deleted" in response:
        file_id = response.pop("deleted")
        if status == 204:  # the version answers a deletion with no body
            response["headers"] = {
                k: v for k, v in response["headers"].items() if k != "content-type"
            }
            response["body"] = None
        else:
            deletion = {"object": "file", "deleted": True, "id": file_id}
            response["body"] = {"text": json.dumps(deletion, indent=2) + "\n"}
    elif "file" in response:
        file = response.pop("file")
        response["headers"] = {
            **response["headers"],
            "location": f"{FAKE_ENDPOINT}/openai{operation.url}/{file['id']}",
        }
        response["body"] = {"text": json.dumps(file, indent=2) + "\n"}
    else:
        return
    response["status"] = status


@functools.cache
def _success_statuses(api_version: str) -> dict[tuple[str, str], int]:
    """(METHOD, path pattern) -> the 2xx status the version's document gives the operation."""
    document = yaml.safe_load((ROOT / "openapi" / f"{api_version}.yaml").read_text("utf-8"))
    found: dict[tuple[str, str], int] = {}
    for template, operations in document["paths"].items():
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", template)
        for method, operation in operations.items():
            if isinstance(operation, dict) and "responses" in operation:
                codes = [int(c) for c in operation["responses"] if str(c).startswith("2")]
                found[(method.upper(), pattern)] = min(codes)
    return found


def _success_status(api_version: str, method: str, url: str) -> int:
    for (verb, pattern), status in _success_statuses(api_version).items():
        if verb == method and re.fullmatch(pattern, url):
            return status
    raise ValueError(f"{method} {url} is not in the {api_version} document")


def load_recordings(api_version: str | None = None) -> list[Recording]:
    """Every recording of one api-version (or of all), sorted by api-version and name: the
    version's own files, and each shared case it has no file of its own for."""
    versions = [api_version] if api_version else api_versions()
    found: list[Recording] = []
    for version in versions:
        if version not in SUPPORTED_API_VERSIONS:
            raise ValueError(f"no recordings for api-version {version!r}: it has no document")
        own = {p.stem: p for p in sorted((RECORDINGS_DIR / version).glob("*.yaml"))}
        shared = {
            p.stem: p
            for p in sorted(SHARED_DIR.glob("*.yaml"))
            if p.stem not in own and shared_case_applies(p, version)
        }
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
        # route -> its recordings, those naming the most body fields first
        self.routes: dict[tuple[str, str, frozenset[tuple[str, str]]], list[Recording]] = {}
        for recording in self.recordings:
            same_route = self.routes.setdefault(recording.route, [])
            for other in same_route:
                if other.body_fields == recording.body_fields:
                    raise ValueError(f"{recording.path} and {other.path} record the same route")
            same_route.append(recording)
            same_route.sort(key=lambda r: -len(r.body_fields))
        self._httpd = _QuietServer(("127.0.0.1", self.port), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def recording_count(self) -> int:
        return sum(len(same_route) for same_route in self.routes.values())

    def match(
        self, method: str, target: str, body_fields: Mapping[str, Any] | None = None
    ) -> Recording | None:
        """The recording that answers: same method, path and query, and, of those, the first
        whose body fields the request body has (see the module docstring)."""
        parts = urlsplit(target)
        query = frozenset((k, v[-1]) for k, v in parse_qs(parts.query).items())
        received = body_fields or {}
        for recording in self.routes.get((method.upper(), parts.path, query), []):
            wanted = recording.body_fields
            if all(name in received and received[name] == value for name, value in wanted.items()):
                return recording
        return None

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
            body = self._read_body()
            headers = {k.lower(): v for k, v in self.headers.items()}
            server.requests.append((self.command, self.path, headers))
            fields = request_body_fields(body, headers.get("content-type", ""))
            recording = server.match(self.command, self.path, fields)
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

        def _read_body(self) -> bytes:
            if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
                chunks: list[bytes] = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass  # trailers
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            length = int(self.headers.get("content-length") or 0)
            return self.rfile.read(length) if length else b""

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def request_body_fields(body: bytes, content_type: str) -> dict[str, Any]:
    """What a request body is matched by: a multipart form's value fields (their text) and
    file parts (their filename), or a JSON object's top-level members; {} for anything else."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if not body:
        return {}
    if media_type == "application/json":
        try:
            document = json.loads(body)
        except ValueError:
            return {}
        return dict(document) if isinstance(document, dict) else {}
    if media_type != "multipart/form-data":
        return {}
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, Any] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        filename = part.get_filename()
        if filename is not None:
            fields[name] = filename
        else:
            payload = part.get_payload(decode=True)
            fields[name] = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return fields


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
    print(f"replaying {server.recording_count} recordings (api-version {versions})", flush=True)
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
    "request_body_fields",
    "unknown_route_body",
]
