"""A fast loopback server for the upload and list benchmarks: it takes uploads without
keeping them and serves a large listing from pre-built pages.

- ``POST /openai/files``                 multipart; the file part is counted and hashed as
  it arrives, then discarded; answers a file object with the bytes it counted.
- ``POST /openai/uploads``               the Uploads API, minimally: creates an upload ...
- ``POST /openai/uploads/{id}/parts``    ... takes a part (multipart ``data``, counted,
  hashed, discarded) ...
- ``POST /openai/uploads/{id}/complete`` ... and makes the file from ``part_ids`` in order:
  400 unless every part is the upload's and their bytes add up to the size it was created
  with.
- ``GET /openai/files?limit=&after=``    ``--list-files`` files in 2025-04-01-preview's shape
  (pages by ``limit``, default 10,000, and ``after``; no ``has_more``).
- ``GET /_received/{file_id}``           what was received for a file: its bytes and their
  digest (one POST), or the MD5 the client sent and each part's bytes and digest, in the
  order of ``part_ids`` (the Uploads API): the benchmark compares them with the file's, so
  every byte is known to have arrived, in order.
- ``GET /_stats``                        requests served, by route.

- ``POST /_digest`` (body ``md5`` or ``none``) whether bodies are hashed from then on.

The benchmark verifies each contender once per size with MD5 on, then times it with MD5 off
(the bytes still counted, the form's closing boundary still checked, the parts of an upload
still added up): MD5 hashes about 0.7 GB/s on the benchmark machine, less than a client sends
on loopback (a 256 MiB upload took 0.12 s with bytes only counted, 0.5-0.75 s hashed), so a
hashing server would measure itself.

One thread per connection, each reading into a buffer of its own with large ``recv_into``
calls; hashing releases the GIL, so parts sent in parallel are hashed in parallel. Run it in
its own process:

    python benchmarks/upload_server.py [--port 0] [--list-files N] [--digest md5|none]

It prints ``PORT <n>`` on its first line of stdout once it is listening.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import json
import socket
import sys
import threading
import urllib.parse
from collections import Counter
from typing import Any

RECV = 4 * 1024 * 1024  # bytes asked of each recv_into
HEAD_LIMIT = 64 * 1024  # a request head, or the multipart fields before the file part
CREATED_AT = 1_732_000_000
DIGESTS = ("md5", "none")
DEFAULT_LIMIT = 10_000  # 2025-04-01-preview's default page size
_COMMON = b"apim-request-id: 00000000-0000-0000-0000-000000000001\r\n"


class ClientGone(Exception):
    pass


class Counted:
    """What a body gets while the server only counts its bytes (see the module's doc)."""

    def update(self, data: Any) -> None:
        pass

    def hexdigest(self) -> None:
        return None


def new_digest(name: str) -> Any:
    return hashlib.md5(usedforsecurity=False) if name == "md5" else Counted()


def _response(status: str, body: bytes, content_type: bytes = b"application/json") -> bytes:
    return (
        b"HTTP/1.1 " + status.encode() + b"\r\n"
        b"content-type: " + content_type + b"\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\n" + _COMMON + b"\r\n" + body
    )


def _json(status: str, document: Any) -> bytes:
    return _response(status, json.dumps(document, separators=(",", ":")).encode())


def _error(status: str, code: str, message: str) -> bytes:
    return _json(status, {"error": {"code": code, "message": message}})


def file_object(file_id: str, size: int, filename: str, purpose: str) -> dict[str, Any]:
    return {
        "id": file_id,
        "object": "file",
        "bytes": size,
        "created_at": CREATED_AT,
        "filename": filename,
        "purpose": purpose,
        "status": "processed",
    }


class Reader:
    """A connection's bytes: heads and small bodies whole, large bodies streamed through a
    buffer of RECV bytes, every byte of a request consumed so the connection stays usable."""

    def __init__(self, conn: socket.socket) -> None:
        self.conn = conn
        self.extra = b""  # read past what was consumed
        self.buffer = bytearray(RECV)
        self.view = memoryview(self.buffer)

    def head(self) -> bytes | None:
        while True:
            end = self.extra.find(b"\r\n\r\n")
            if end >= 0:
                head, self.extra = self.extra[:end], self.extra[end + 4 :]
                return head
            if len(self.extra) > HEAD_LIMIT:
                raise ClientGone("request head too large")
            data = self.conn.recv(65536)
            if not data:
                if self.extra:
                    raise ClientGone("closed inside a request head")
                return None
            self.extra += data

    def exactly(self, n: int) -> bytes:
        while len(self.extra) < n:
            data = self.conn.recv(min(RECV, max(65536, n - len(self.extra))))
            if not data:
                raise ClientGone("closed inside a body")
            self.extra += data
        data, self.extra = self.extra[:n], self.extra[n:]
        return data

    def until(self, marker: bytes, limit: int) -> bytes:
        """Up to and including `marker`, which must come within `limit` bytes."""
        while True:
            end = self.extra.find(marker)
            if end >= 0:
                return self.exactly(end + len(marker))
            if len(self.extra) > limit:
                raise ClientGone("multipart head too large")
            data = self.conn.recv(65536)
            if not data:
                raise ClientGone("closed inside a multipart head")
            self.extra += data

    def stream(self, n: int, digest: Any) -> None:
        """`n` bytes into `digest`, never held beyond one buffer."""
        if self.extra:
            first, self.extra = self.extra[:n], self.extra[n:]
            digest.update(first)
            n -= len(first)
        view = self.view
        while n > 0:
            got = self.conn.recv_into(view, min(RECV, n))
            if not got:
                raise ClientGone("closed inside a body")
            digest.update(view[:got])
            n -= got


class Server:
    def __init__(self, port: int, list_files: int, digest: str = "md5") -> None:
        self.digest = digest
        self.listener = socket.create_server(("127.0.0.1", port), backlog=256)
        self.port: int = self.listener.getsockname()[1]
        self._lock = threading.RLock()  # _complete takes an id while holding it
        self._ids = itertools.count(1)
        self.uploads: dict[str, dict[str, Any]] = {}
        self.parts: dict[str, dict[str, Any]] = {}
        self.received: dict[str, dict[str, Any]] = {}
        self.routes: Counter[str] = Counter()
        # The listing: each file's JSON rendered once, pages joined (and kept) on demand.
        self._listed = [
            json.dumps(
                file_object(f"file-{i:06d}", 1024 + i, f"set-{i:06d}.jsonl", "fine-tune"),
                separators=(",", ":"),
            ).encode()
            for i in range(1, list_files + 1)
        ]
        self._index = {f"file-{i:06d}": i for i in range(1, list_files + 1)}
        self._pages: dict[tuple[int, int], bytes] = {}

    def _next_id(self, prefix: str) -> str:
        with self._lock:
            return f"{prefix}-{next(self._ids)}"

    def serve_forever(self) -> None:
        while True:
            conn, _ = self.listener.accept()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

    def _connection(self, conn: socket.socket) -> None:
        reader = Reader(conn)
        with contextlib.suppress(OSError, ClientGone), conn:
            while True:
                head = reader.head()
                if head is None:
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = [*lines[0].split(" "), "", ""][:3]
                headers: dict[str, str] = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                if "chunked" in headers.get("transfer-encoding", "").lower():
                    conn.sendall(_error("411 Length Required", "chunked", "send a length"))
                    return
                length = int(headers.get("content-length", "0") or 0)
                path, _, query = target.partition("?")
                answer = self._handle(method, path, query, headers, length, reader)
                conn.sendall(answer)
                if headers.get("connection", "").lower() == "close":
                    return

    def _handle(
        self,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        length: int,
        reader: Reader,
    ) -> bytes:
        segments = path.strip("/").split("/")
        if segments[:1] == ["openai"]:
            segments = segments[1:]
        route = f"{method} /" + "/".join(
            "{id}" if i == 1 and segments[0] == "uploads" else s for i, s in enumerate(segments)
        )
        with self._lock:
            self.routes[route] += 1
        if route == "POST /files":
            return self._upload_file(headers, length, reader)
        if route == "POST /uploads/{id}/parts":
            return self._add_part(segments[1], headers, length, reader)
        body = reader.exactly(length) if length else b""
        if route == "GET /files":
            return self._list(dict(urllib.parse.parse_qsl(query)))
        if route == "POST /uploads":
            return self._create_upload(json.loads(body))
        if route == "POST /uploads/{id}/complete":
            return self._complete(segments[1], json.loads(body))
        if route == "POST /uploads/{id}/cancel":
            with self._lock:
                self.uploads.pop(segments[1], None)
            return _json("200 OK", {"id": segments[1], "object": "upload", "status": "cancelled"})
        if method == "GET" and segments[0] == "_received" and len(segments) == 2:
            with self._lock:
                record = self.received.get(segments[1])
            if record is None:
                return _error("404 Not Found", "notFound", "nothing received for that id")
            return _json("200 OK", record)
        if route == "POST /_digest" and body.decode() in DIGESTS:
            self.digest = body.decode()
            return _json("200 OK", {"digest": self.digest})
        if route == "GET /_stats":
            with self._lock:
                return _json("200 OK", {"routes": dict(self.routes)})
        return _error("404 Not Found", "notFound", f"no route {route}")

    def _file_part(
        self, headers: dict[str, str], length: int, reader: Reader
    ) -> tuple[dict[str, str], int, str]:
        """Reads a multipart body whose last part is the file: the fields before it, then
        the file's bytes hashed and discarded. Returns (fields, bytes, digest)."""
        boundary = headers.get("content-type", "").partition("boundary=")[2].strip('"')
        if not boundary:
            raise ClientGone("multipart without a boundary")
        tail = f"\r\n--{boundary}--\r\n".encode()
        fields: dict[str, str] = {}
        consumed = 0
        while True:
            part_head = reader.until(b"\r\n\r\n", HEAD_LIMIT)
            consumed += len(part_head)
            disposition = part_head.decode("latin-1")
            name = disposition.partition('name="')[2].partition('"')[0]
            if 'filename="' in disposition:
                fields["filename"] = disposition.partition('filename="')[2].partition('"')[0]
                break
            value = reader.until(f"\r\n--{boundary}\r\n".encode(), HEAD_LIMIT)
            consumed += len(value)
            fields[name] = value[: -len(boundary) - 6].decode()
        size = length - consumed - len(tail)
        digest = new_digest(self.digest)
        reader.stream(size, digest)
        if reader.exactly(len(tail)) != tail:
            raise ClientGone("the file part is not the last part of the form")
        return fields, size, digest.hexdigest()

    def _upload_file(self, headers: dict[str, str], length: int, reader: Reader) -> bytes:
        fields, size, digest = self._file_part(headers, length, reader)
        file_id = self._next_id("file-up")
        with self._lock:
            self.received[file_id] = {"bytes": size, "digest": digest, "via": "POST /files"}
        return _json(
            "201 Created",
            file_object(file_id, size, fields["filename"], fields.get("purpose", "fine-tune")),
        )

    def _create_upload(self, document: dict[str, Any]) -> bytes:
        upload_id = self._next_id("upload")
        upload = {
            "id": upload_id,
            "object": "upload",
            "status": "pending",
            "bytes": int(document["bytes"]),
            "filename": document["filename"],
            "purpose": document["purpose"],
            "created_at": CREATED_AT,
            "expires_at": CREATED_AT + 7200,
        }
        with self._lock:
            self.uploads[upload_id] = upload
        return _json("201 Created", upload)

    def _add_part(
        self, upload_id: str, headers: dict[str, str], length: int, reader: Reader
    ) -> bytes:
        _, size, digest = self._file_part(headers, length, reader)
        with self._lock:
            if upload_id not in self.uploads:
                return _error("404 Not Found", "notFound", f"no upload {upload_id}")
        part_id = self._next_id("part")
        with self._lock:
            self.parts[part_id] = {"upload_id": upload_id, "bytes": size, "digest": digest}
        return _json(
            "201 Created",
            {"id": part_id, "object": "upload.part", "upload_id": upload_id, "created_at": 0},
        )

    def _complete(self, upload_id: str, document: dict[str, Any]) -> bytes:
        with self._lock:
            upload = self.uploads.get(upload_id)
            if upload is None:
                return _error("404 Not Found", "notFound", f"no upload {upload_id}")
            ids = document.get("part_ids") or []
            parts = [self.parts.get(part_id) for part_id in ids]
            if any(p is None or p["upload_id"] != upload_id for p in parts):
                return _error("400 Bad Request", "invalidPart", "a part is not this upload's")
            total = sum(p["bytes"] for p in parts if p is not None)
            if total != upload["bytes"]:
                return _error(
                    "400 Bad Request",
                    "incomplete",
                    f"the parts hold {total} bytes, the upload {upload['bytes']}",
                )
            file_id = self._next_id("file-up")
            self.received[file_id] = {
                "bytes": total,
                "md5": document.get("md5"),  # the client's, of the whole file
                "parts": [[p["bytes"], p["digest"]] for p in parts if p is not None],
                "via": "Uploads API",
            }
            for part_id in ids:
                self.parts.pop(part_id, None)
            del self.uploads[upload_id]
        made = file_object(file_id, total, upload["filename"], upload["purpose"])
        return _json("200 OK", {**upload, "status": "completed", "file": made})

    def _list(self, query: dict[str, str]) -> bytes:
        limit = int(query.get("limit", DEFAULT_LIMIT))
        after = query.get("after")
        start = 0 if after is None else self._index.get(after, len(self._listed))
        key = (start, limit)
        page = self._pages.get(key)
        if page is None:
            items = b",".join(self._listed[start : start + limit])
            page = _response("200 OK", b'{"object":"list","data":[' + items + b"]}")
            with self._lock:
                self._pages[key] = page
        return page


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--list-files", type=int, default=0)
    parser.add_argument(
        "--digest", choices=DIGESTS, default="md5", help="what received bytes get at first"
    )
    args = parser.parse_args(argv)
    server = Server(args.port, args.list_files, args.digest)
    sys.stdout.write(f"PORT {server.port}\n")
    sys.stdout.flush()
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
