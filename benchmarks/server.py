"""A small, fast HTTP/1.1 keep-alive server on 127.0.0.1 for the benchmarks.

It answers the two Files operations from memory with very little work per request, so the
client libraries, not the server, dominate what is measured:

- ``GET /openai/files/{id}?...``          -> a JSON file object (a pre-built response)
- ``GET /openai/files/{id}/content?...``  -> ``size`` bytes, sent with ``sendfile`` from an
  in-memory file (``memfd``), so a gigabyte costs the server one kernel copy.

A file id names its size: ``file-<bytes>`` (e.g. ``file-268435456``). Anything else is a 404
in the service's error shape. One thread per connection; run it in its own process:

    python benchmarks/server.py [--port 0] [--max-content BYTES]

It prints ``PORT <n>`` on its first line of stdout once it is listening.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import sys
import tempfile
import threading

_HEAD_END = b"\r\n\r\n"
_COMMON = (
    b"apim-request-id: 00000000-0000-0000-0000-000000000001\r\n"
    b"x-request-id: 00000000-0000-0000-0000-000000000002\r\n"
)
_PATTERN_BLOCK = 8 * 1024 * 1024


def _response(status: str, content_type: bytes, body: bytes) -> bytes:
    return (
        b"HTTP/1.1 " + status.encode() + b"\r\n"
        b"content-type: " + content_type + b"\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\n" + _COMMON + b"\r\n" + body
    )


def file_object(file_id: str, size: int) -> dict[str, object]:
    return {
        "id": file_id,
        "object": "file",
        "bytes": size,
        "created_at": 1732000000,
        "filename": "training-data.jsonl",
        "purpose": "fine-tune",
        "status": "processed",
    }


def _parse_size(file_id: str) -> int | None:
    prefix, _, digits = file_id.partition("-")
    if prefix != "file" or not digits.isdigit():
        return None
    return int(digits)


_NOT_FOUND = _response(
    "404 Not Found",
    b"application/json",
    json.dumps({"error": {"code": "notFound", "message": "The resource is not found."}}).encode(),
)


class Server:
    def __init__(self, port: int, max_content: int) -> None:
        self.max_content = max_content
        self._content_fd = self._make_content(max_content)
        self._metadata: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", port), backlog=1024)
        self.port: int = self.listener.getsockname()[1]

    @staticmethod
    def _make_content(size: int) -> int:
        try:
            fd = os.memfd_create("bench-content")
        except (AttributeError, OSError):  # not Linux: fall back to an unlinked temp file
            handle, path = tempfile.mkstemp(prefix="bench-content-")
            os.unlink(path)
            fd = handle
        block = bytes(range(256)) * (_PATTERN_BLOCK // 256)
        written = 0
        while written < size:
            written += os.write(fd, block[: min(len(block), size - written)])
        return fd

    def serve_forever(self) -> None:
        while True:
            conn, _ = self.listener.accept()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

    def _metadata_response(self, file_id: str) -> bytes:
        cached = self._metadata.get(file_id)
        if cached is None:
            size = _parse_size(file_id)
            if size is None:
                return _NOT_FOUND
            body = json.dumps(file_object(file_id, size), separators=(",", ":")).encode()
            cached = _response("200 OK", b"application/json", body)
            with self._lock:
                self._metadata[file_id] = cached
        return cached

    def _connection(self, conn: socket.socket) -> None:
        buffer = b""
        with contextlib.suppress(OSError), conn:
            while True:
                end = buffer.find(_HEAD_END)
                while end < 0:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buffer += data
                    end = buffer.find(_HEAD_END)
                head, buffer = buffer[:end], buffer[end + 4 :]
                line_end = head.find(b"\r\n")
                request_line = head if line_end < 0 else head[:line_end]
                close = b"connection: close" in head.lower()
                parts = request_line.split(b" ")
                target = parts[1].decode("latin-1") if len(parts) > 1 else ""
                path = target.split("?", 1)[0]
                segments = path.strip("/").split("/")
                # ["openai", "files", id] or ["openai", "files", id, "content"]
                if (
                    len(segments) == 4
                    and segments[:2] == ["openai", "files"]
                    and (segments[3] == "content")
                ):
                    self._send_content(conn, segments[2])
                elif len(segments) == 3 and segments[:2] == ["openai", "files"]:
                    conn.sendall(self._metadata_response(segments[2]))
                else:
                    conn.sendall(_NOT_FOUND)
                if close:
                    return

    def _send_content(self, conn: socket.socket, file_id: str) -> None:
        size = _parse_size(file_id)
        if size is None or size > self.max_content:
            conn.sendall(_NOT_FOUND)
            return
        conn.sendall(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\n"
            b"content-length: " + str(size).encode() + b"\r\n" + _COMMON + b"\r\n"
        )
        sent = 0
        while sent < size:
            done = os.sendfile(conn.fileno(), self._content_fd, sent, size - sent)
            if done == 0:
                raise OSError("peer closed during body")
            sent += done


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--max-content", type=int, default=1 << 30)
    args = parser.parse_args(argv)
    server = Server(args.port, args.max_content)
    sys.stdout.write(f"PORT {server.port}\n")
    sys.stdout.flush()
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
