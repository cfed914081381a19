"""A scriptable HTTP/1.1 server on 127.0.0.1 for tests: each request is answered by the next
scripted reply, written byte by byte to the socket so faults (resets, short bodies, stalls)
are real network behaviour rather than mocks."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

CRLF = b"\r\n"


@dataclass
class ReceivedRequest:
    method: str
    target: str  # path and query exactly as sent on the wire
    headers: dict[str, str]  # lower-cased names

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> str:
        return self.target.split("?", 1)[1] if "?" in self.target else ""


# A reply gets the connected socket and the parsed request; it writes whatever it likes.
Reply = Callable[[socket.socket, ReceivedRequest], None]


def _head(status: int, headers: Iterable[tuple[str, str]], reason: str = "X") -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}".encode()]
    lines += [f"{name}: {value}".encode("latin-1") for name, value in headers]
    return CRLF.join(lines) + CRLF + CRLF


def respond(
    status: int = 200,
    body: bytes | str = b"",
    headers: dict[str, str] | None = None,
    *,
    content_type: str | None = "application/json",
) -> Reply:
    """A complete response with a correct Content-Length."""
    payload = body.encode() if isinstance(body, str) else body

    def reply(conn: socket.socket, request: ReceivedRequest) -> None:
        all_headers = [("Content-Length", str(len(payload)))]
        if content_type:
            all_headers.append(("Content-Type", content_type))
        all_headers += list((headers or {}).items())
        conn.sendall(_head(status, all_headers) + payload)

    return reply


def respond_json(status: int, document: object, headers: dict[str, str] | None = None) -> Reply:
    return respond(status, json.dumps(document), headers)


def close_now(conn: socket.socket, *, reset: bool) -> None:
    """Close the connection at once: with RST (SO_LINGER 0) or a clean FIN. The descriptor is
    detached first, because the server's reader would otherwise keep it open."""
    if reset:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    else:
        with contextlib.suppress(OSError):
            conn.shutdown(socket.SHUT_RDWR)
    os.close(conn.detach())


def reset_connection(conn: socket.socket, request: ReceivedRequest) -> None:
    """Close with RST before any response byte."""
    close_now(conn, reset=True)


def partial_body(
    body: bytes,
    sent: int,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    reset: bool = True,
) -> Reply:
    """Announce the whole body, send only `sent` bytes, then reset (or close cleanly)."""

    def reply(conn: socket.socket, request: ReceivedRequest) -> None:
        head = [("Content-Length", str(len(body))), ("Content-Type", "application/octet-stream")]
        conn.sendall(_head(status, head + list((headers or {}).items())) + body[:sent])
        close_now(conn, reset=reset)

    return reply


def stall(seconds: float, *, status: int = 200, announce: int = 10) -> Reply:
    """Send the head, then nothing for `seconds` (a read timeout on the client)."""

    def reply(conn: socket.socket, request: ReceivedRequest) -> None:
        conn.sendall(_head(status, [("Content-Length", str(announce))]))
        time.sleep(seconds)

    return reply


@dataclass
class LoopbackServer:
    """Serves scripted replies in order; the last reply repeats once the script runs out.
    `backlog`: how many connections may wait to be accepted (the system's default if None)."""

    replies: list[Reply] = field(default_factory=list)
    requests: list[ReceivedRequest] = field(default_factory=list)
    backlog: int | None = None

    def __post_init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0), backlog=self.backlog)
        self._socket.settimeout(0.2)
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._served = 0

    @property
    def port(self) -> int:
        return int(self._socket.getsockname()[1])

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self.replies = list(replies)
            self._served = 0
            self.requests.clear()

    def start(self) -> LoopbackServer:
        acceptor = threading.Thread(target=self._accept_loop, daemon=True)
        acceptor.start()
        self._threads.append(acceptor)
        return self

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._socket.close()

    def _next_reply(self, request: ReceivedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            if not self.replies:
                return respond(500, b"no reply scripted")
            reply = self.replies[min(self._served, len(self.replies) - 1)]
            self._served += 1
            return reply

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._socket.accept()
            except (TimeoutError, OSError):
                continue
            worker = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            worker.start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        reader = conn.makefile("rb")
        try:
            while not self._stopping.is_set():
                request = _read_request(reader)
                if request is None:
                    return
                self._next_reply(request)(conn, request)
                if conn.fileno() == -1:
                    return
        except OSError:
            return
        finally:
            with contextlib.suppress(OSError):
                reader.close()
                conn.close()


def _read_request(reader: object) -> ReceivedRequest | None:
    readline = reader.readline  # type: ignore[attr-defined]
    line = readline(65537)
    if not line:
        return None
    method, target, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while True:
        raw = readline(65537)
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    if length:
        reader.read(length)  # type: ignore[attr-defined]
    return ReceivedRequest(method, target, headers)


@contextlib.contextmanager
def serving(*replies: Reply) -> Iterator[LoopbackServer]:
    server = LoopbackServer(list(replies)).start()
    try:
        yield server
    finally:
        server.stop()


def drip(
    body: bytes,
    interval: float,
    *,
    status: int = 200,
    content_type: str = "application/json",
) -> Reply:
    """Announce the whole body, then send it one byte every `interval` seconds: each read gets
    a byte well within any read timeout, so only a bound on the whole call can end it."""

    def reply(conn: socket.socket, request: ReceivedRequest) -> None:
        head = [("Content-Length", str(len(body))), ("Content-Type", content_type)]
        conn.sendall(_head(status, head))
        for index in range(len(body)):
            time.sleep(interval)
            conn.sendall(body[index : index + 1])  # OSError once the client gives up

    return reply


def drip_head(interval: float, padding: int = 180) -> Reply:
    """A status line and headers one byte every `interval` seconds: each read is on time,
    the head as a whole is not."""

    def reply(conn: socket.socket, request: ReceivedRequest) -> None:
        for byte in b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * padding:
            time.sleep(interval)
            conn.sendall(bytes([byte]))

    return reply


def stall_after(
    prefix: bytes,
    announce: int,
    seconds: float,
    *,
    status: int = 200,
    content_type: str = "application/json",
) -> Reply:
    """Announce `announce` bytes, send `prefix` at once, then nothing for `seconds`."""

    def reply(conn: socket.socket, request: ReceivedRequest) -> None:
        head = [("Content-Length", str(announce)), ("Content-Type", content_type)]
        conn.sendall(_head(status, head) + prefix)
        time.sleep(seconds)

    return reply


def respond_chunked(
    status: int, body: bytes, headers: dict[str, str] | None = None, *, chunk: int = 4096
) -> Reply:
    """A complete chunked body, with whatever extra headers are given: Transfer-Encoding wins
    over a Content-Length, so a wrong Content-Length reaches the client unchecked, as from a
    proxy that rewrites bodies but not their headers."""

    def reply(conn: socket.socket, request: ReceivedRequest) -> None:
        head = [("Transfer-Encoding", "chunked"), ("Content-Type", "application/octet-stream")]
        conn.sendall(_head(status, head + list((headers or {}).items())))
        for start in range(0, len(body), chunk):
            piece = body[start : start + chunk]
            conn.sendall(f"{len(piece):x}".encode() + CRLF + piece + CRLF)
        conn.sendall(b"0" + CRLF + CRLF)

    return reply


def serve_range(
    body: bytes,
    *,
    cut_after: int | None = None,
    announce_total: bool = True,
    length: bool = True,
    upto: int | None = None,
) -> Reply:
    """Serve `body` honoring `Range: bytes=N-` (206 with Content-Range; 200 without Range).
    `cut_after`: reset after that many body bytes of this reply. `announce_total=False` sends
    `*` as the total; `length=False` omits Content-Length (the body then ends with the
    connection). `upto`: a 206 covers only the bytes before that offset (a complete, shorter
    range, as a server may choose to send)."""

    def reply(conn: socket.socket, request: ReceivedRequest) -> None:
        start = 0
        head = [("Content-Type", "application/octet-stream")]
        status = 200
        if "range" in request.headers:
            start = int(request.headers["range"].removeprefix("bytes=").rstrip("-"))
            total = str(len(body)) if announce_total else "*"
            end = len(body) if upto is None else upto
            head.append(("Content-Range", f"bytes {start}-{end - 1}/{total}"))
            status = 206
        rest = body[start:end] if status == 206 else body
        if length:
            head.append(("Content-Length", str(len(rest))))
        else:
            head.append(("Connection", "close"))
        sent = rest if cut_after is None else rest[:cut_after]
        conn.sendall(_head(status, head) + sent)
        if cut_after is not None or not length:
            close_now(conn, reset=cut_after is not None)

    return reply
