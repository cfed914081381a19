"""A stateful Files service on 127.0.0.1 for behaviour tests of list, upload, import, delete
and the Uploads API: files are kept in memory, pages follow each api-version's shape, and
faults are scripted per route (`service.faults["POST /files"] = [...]`):

- `"lose-answer"`: store the file, then drop the connection without answering;
- `"503-after-store"`: store the file, then answer 503;
- `"429"`, `"503"`, `"500"`: answer so without doing anything;
- `"reset-before"`: drop the connection before reading the body.
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import hashlib
import json
import socket
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body_size: int


@dataclass
class FilesService:
    """The service's state; `paging` is the api-version's list shape: "all" (every file at
    once), "short-page" (limit/after, no has_more) or "has-more" (v1)."""

    paging: str = "short-page"
    files: list[dict[str, Any]] = field(default_factory=list)
    uploads: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: dict[str, list[str]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    delete_status: int = 200  # 2024-06-01 answers 204
    upload_status: int = 201  # v1 answers 200
    imported: list[dict[str, Any]] = field(default_factory=list)
    part_delay: float = 0.0  # seconds each part takes, so that parts in parallel overlap
    peak_parts_in_flight: int = 0
    _in_flight: int = 0
    _counter: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add_files(self, count: int, *, purpose: str = "batch", start: int = 1_700_000_000) -> None:
        for index in range(count):
            self._store(f"file-{index:05d}.jsonl", purpose, 10, created_at=start + index)

    def _store(
        self, filename: str, purpose: str, size: int, *, created_at: int | None = None
    ) -> dict[str, Any]:
        with self._lock:
            self._counter += 1
            document = {
                "id": f"file-{self._counter:06d}",
                "object": "file",
                "bytes": size,
                "created_at": int(time.time()) if created_at is None else created_at,
                "filename": filename,
                "purpose": purpose,
                "status": "processed",
            }
            self.files.append(document)
            return document

    def next_fault(self, route: str) -> str | None:
        with self._lock:
            pending = self.faults.get(route)
            return pending.pop(0) if pending else None

    def page(self, query: dict[str, str]) -> dict[str, Any]:
        files = [
            f for f in self.files if "purpose" not in query or f["purpose"] == query["purpose"]
        ]
        files.sort(key=lambda f: (f["created_at"], f["id"]), reverse=query.get("order") == "desc")
        if self.paging == "all":
            return {"object": "list", "data": files}
        limit = int(query.get("limit", "10000"))
        after = query.get("after")
        if after is not None:
            ids = [f["id"] for f in files]
            files = files[ids.index(after) + 1 :] if after in ids else []
        page = files[:limit]
        document: dict[str, Any] = {"object": "list", "data": page}
        if self.paging == "has-more":
            document |= {
                "has_more": len(files) > limit,
                "first_id": page[0]["id"] if page else None,
                "last_id": page[-1]["id"] if page else None,
            }
        return document


def _multipart(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    parts: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        parts[str(name)] = (part.get_filename(), payload if isinstance(payload, bytes) else b"")
    return parts


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    service: FilesService

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(
        self, status: int, document: object = None, headers: dict[str, str] | None = None
    ) -> None:
        body = b"" if document is None else json.dumps(document).encode()
        self.send_response(status)
        if body:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("apim-request-id", f"req-{len(self.service.seen)}")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, code: str, message: str) -> None:
        self._reply(status, {"error": {"code": code, "message": message}})

    def _drop(self) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.close()

    def _body(self) -> bytes:
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return bytes(chunks)
                chunks += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("content-length", "0") or 0))

    def _handle(self) -> None:
        url = urlsplit(self.path)
        path = url.path.removeprefix("/openai").removeprefix("/v1")
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        route = f"{self.command} {_route(path)}"
        fault = self.service.next_fault(route)
        if fault == "reset-before":
            self._drop()
            return
        body = self._body()
        self.service.seen.append(
            Seen(
                self.command,
                path,
                query,
                {k.lower(): v for k, v in self.headers.items()},
                len(body),
            )
        )
        if fault in ("429", "500", "503"):
            self._error(int(fault), "Throttled" if fault == "429" else "ServerError", "try again")
            return
        status, document = self._route(route, path, query, body)
        if fault == "lose-answer":
            self._drop()
        elif fault == "503-after-store":
            self._error(503, "ServiceUnavailable", "backend timed out")
        else:
            self._reply(status, document)

    def _route(
        self, route: str, path: str, query: dict[str, str], body: bytes
    ) -> tuple[int, object]:
        service = self.service
        if route == "GET /files":
            return 200, service.page(query)
        if route == "POST /files":
            parts = _multipart(self.headers["content-type"], body)
            filename, content = parts["file"]
            purpose = parts["purpose"][1].decode()
            stored = service._store(str(filename), purpose, len(content))
            stored["md5"] = hashlib.md5(content).hexdigest()
            return service.upload_status, {k: v for k, v in stored.items() if k != "md5"}
        if route == "POST /files/import":
            document = json.loads(body)
            service.imported.append(document)
            return 201, service._store(document["filename"], document["purpose"], 0)
        if route == "DELETE /files/{id}":
            file_id = path.rsplit("/", 1)[1]
            if not any(f["id"] == file_id for f in service.files):
                return 404, {"error": {"code": "fileNotFound", "message": "no such file"}}
            service.files[:] = [f for f in service.files if f["id"] != file_id]
            if service.delete_status == 204:
                return 204, None
            return 200, {"id": file_id, "object": "file", "deleted": True}
        if route == "POST /uploads":
            document = json.loads(body)
            upload_id = f"upload-{len(service.uploads) + 1}"
            service.uploads[upload_id] = {
                **document,
                "id": upload_id,
                "parts": {},
                "status": "pending",
            }
            return 201, {"id": upload_id, "object": "upload", "status": "pending", **document}
        if route == "POST /uploads/{id}/parts":
            upload = service.uploads[path.split("/")[2]]
            with service._lock:
                service._in_flight += 1
                service.peak_parts_in_flight = max(service.peak_parts_in_flight, service._in_flight)
            try:
                time.sleep(service.part_delay)
                data = _multipart(self.headers["content-type"], body)["data"][1]
                part_id = f"part-{len(upload['parts']) + 1}-{hashlib.md5(data).hexdigest()[:8]}"
                upload["parts"][part_id] = data
            finally:
                with service._lock:
                    service._in_flight -= 1
            return 201, {"id": part_id, "object": "upload.part", "upload_id": upload["id"]}
        if route == "POST /uploads/{id}/complete":
            upload = service.uploads[path.split("/")[2]]
            document = json.loads(body)
            content = b"".join(upload["parts"][part] for part in document["part_ids"])
            if document.get("md5") not in (None, hashlib.md5(content).hexdigest()):
                return 400, {"error": {"code": "md5Mismatch", "message": "md5 does not match"}}
            if len(content) != upload["bytes"]:
                return 400, {"error": {"code": "sizeMismatch", "message": "bytes do not match"}}
            upload["status"] = "completed"
            stored = service._store(upload["filename"], upload["purpose"], len(content))
            upload["content"] = content
            return 200, {
                "id": upload["id"],
                "object": "upload",
                "status": "completed",
                "file": stored,
            }
        if route == "POST /uploads/{id}/cancel":
            upload = service.uploads[path.split("/")[2]]
            upload["status"] = "cancelled"
            return 200, {"id": upload["id"], "object": "upload", "status": "cancelled"}
        return 404, {"error": {"code": "404", "message": f"no route {route}"}}

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()


def _route(path: str) -> str:
    segments = path.strip("/").split("/")
    if segments[0] == "files" and len(segments) == 2 and segments[1] != "import":
        return "/files/{id}"
    if segments[0] == "uploads" and len(segments) >= 2:
        return "/uploads/{id}" + ("/" + "/".join(segments[2:]) if len(segments) > 2 else "")
    return "/" + "/".join(segments)


@contextlib.contextmanager
def files_service(**options: Any) -> Iterator[tuple[FilesService, str]]:
    """A running service and its endpoint."""
    service = FilesService(**options)
    handler = type("Handler", (_Handler,), {"service": service})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield service, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
