"""Generated server behaviours for the fuzz suite (tests/test_fuzz.py).

A `Case` is what one call meets: the file (its metadata document and its content) and a
script of HTTP responses, served in order by the loopback server (the last one repeats).
Each `ScriptedResponse` is rendered to real bytes on a real socket: status line, headers
(well-formed or garbage), a body framed by Content-Length, chunked encoding or the end of
the connection (honestly or not), delivered whole, dripped, stalled, or cut at any byte
with a clean close or a reset.
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from tests.support.loopback import ReceivedRequest, Reply, close_now

# Timing of every generated call: small, so a case takes milliseconds unless it stalls.
READ_TIMEOUT = 0.3
DEADLINE = 1.0
SLOW_GAP = 0.1  # between the pieces of a slow body: below READ_TIMEOUT

REQUEST_ID_HEADERS = ("apim-request-id", "x-request-id", "x-ms-client-request-id")
# Headers the client reads; generated with any value, well-formed or not.
INTERESTING_HEADERS = (
    "retry-after",
    "retry-after-ms",
    "x-ms-retry-after-ms",
    "content-length",
    "content-range",
    "content-encoding",
    "content-type",
    "transfer-encoding",
    "location",
    "connection",
    *REQUEST_ID_HEADERS,
)


@dataclass(frozen=True)
class Delivery:
    """How the response's bytes reach the client."""

    cut_at: int | None = None  # send only this many bytes of the whole response (head included)
    end: str = "keep"  # after sending: "keep" the connection, close with "fin", or "rst"
    chunk: int | None = None  # drip this many bytes at a time ...
    gap: float = 0.0  # ... this many seconds apart ...
    head_first: bool = False  # ... after sending the head at once (a slow body only)
    stall: float = 0.0  # wait this long after the last byte sent, before `end`

    def pieces(self, wire: bytes, head_size: int) -> list[bytes]:
        """The writes, in order; each but the last is followed by `gap` seconds of silence."""
        data = wire if self.cut_at is None else wire[: self.cut_at]
        first = data[:head_size] if self.head_first else b""
        rest = data[len(first) :]
        step = self.chunk or len(rest) or 1
        return ([first] if first else []) + [rest[i : i + step] for i in range(0, len(rest), step)]

    def seconds_to_send(self, wire: bytes, head_size: int, upto: int) -> float:
        """Seconds of dripping before byte `upto` of `wire` is sent (stalls not counted)."""
        seconds, sent = 0.0, 0
        for piece in self.pieces(wire, head_size):
            sent += len(piece)
            if sent >= upto:
                break
            seconds += self.gap
        return seconds


@dataclass(frozen=True)
class ScriptedResponse:
    status: int
    body: bytes
    framing: str  # "length", "chunked", "close" (no length: ends with the connection), "bogus"
    headers: tuple[tuple[str, str], ...] = ()
    delivery: Delivery = field(default_factory=Delivery)
    # Built to be served without any fault: a well-formed 200 carrying the right payload.
    clean: bool = False

    def head_size(self) -> int:
        return self.wire().index(b"\r\n\r\n") + 4

    def wire(self) -> bytes:
        headers: list[tuple[str, str]] = []
        body = self.body
        if self.framing == "length":
            headers.append(("Content-Length", str(len(body))))
        elif self.framing == "chunked":
            headers.append(("Transfer-Encoding", "chunked"))
            body = _chunked(body)
        headers += self.headers
        head = [f"HTTP/1.1 {self.status} X".encode()]
        head += [_header_line(name, value) for name, value in headers]
        return b"\r\n".join(head) + b"\r\n\r\n" + body

    @property
    def is_success(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class Case:
    document: dict[str, Any]  # the file's metadata, as the service would send it
    content: bytes  # the file's content
    responses: tuple[ScriptedResponse, ...]


def _header_line(name: str, value: str) -> bytes:
    line = f"{name}: {value}"
    try:
        return line.encode("latin-1")
    except UnicodeEncodeError:
        return line.encode("utf-8")  # what a careless server does with other characters


def _chunked(body: bytes) -> bytes:
    out = b""
    for start in range(0, len(body), 700):
        piece = body[start : start + 700]
        out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    return out + b"0\r\n\r\n"


def render(response: ScriptedResponse, stop: threading.Event) -> Reply:
    """The loopback reply that writes `response`; `stop` ends any wait early."""
    wire = response.wire()
    delivery = response.delivery

    def reply(conn: socket.socket, request: ReceivedRequest) -> None:
        for piece in delivery.pieces(wire, response.head_size()):
            conn.sendall(piece)
            if delivery.gap and stop.wait(delivery.gap):
                break
        if delivery.stall:
            stop.wait(delivery.stall)
        if delivery.end != "keep" or response.framing == "close":
            close_now(conn, reset=delivery.end == "rst")

    return reply


# --- values ---------------------------------------------------------------------------------

_GARBAGE_NUMBERS = [
    "",
    " ",
    "0",
    "00",
    "0.01",
    "0.02",
    "5",
    "20",
    "-1",
    "-0",
    "1e400",
    "-1e400",
    "1e-400",
    "inf",
    "-inf",
    "nan",
    "NaN",
    "Infinity",
    "1_000",
    "0x10",
    " 7 ",
    "3600",
    "86400",
    "99999999999999999999999999",
    "١٢",
    "²",
    "1,5",
    "Wed, 21 Oct 2015 07:28:00 GMT",
    "Fri, 31 Dec 9999 23:59:59 GMT",
    "Mon, 01 Jan 0001 00:00:00 -0000",
    "Sun, 99 Foo 2020 99:99:99 GMT",
    "bytes 0-9/10",
    "bytes */10",
    "bytes 5-2/3",
    "bytes 0-0/*",
    "gzip",
    "deflate",
    "br",
    "zstd",
    "gzip, gzip",
    "identity",
    "x-unknown",
    "chunked",
    "close",
    "application/json",
    "text/html; charset=utf-8",
]

# Any latin-1 text a header line can carry (no CR/LF: those would end the line).
_header_text = st.text(
    alphabet=st.characters(min_codepoint=0x09, max_codepoint=0xFF, exclude_characters="\r\n"),
    max_size=24,
)

header_values = st.one_of(
    st.sampled_from(_GARBAGE_NUMBERS),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    _header_text,
)

header_lists = st.lists(
    st.tuples(st.sampled_from(INTERESTING_HEADERS).map(lambda name: name.title()), header_values),
    max_size=4,
)

request_id_headers = st.lists(
    st.tuples(
        st.sampled_from(REQUEST_ID_HEADERS), st.from_regex(r"[0-9a-f-]{1,36}", fullmatch=True)
    ),
    max_size=2,
)

# Any JSON value; big and nested enough to matter, small enough to be fast.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)

_known_purposes = ["fine-tune", "fine-tune-results", "assistants", "batch", "evals"]
_known_statuses = ["uploaded", "pending", "running", "processed", "error", "deleting", "deleted"]


@st.composite
def file_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A file object the contract allows: required filename/purpose, optional fields with
    values of their documented types, open enums (unknown values too), extra fields."""
    document: dict[str, Any] = {
        "filename": draw(st.text(max_size=20)),
        "purpose": draw(st.sampled_from(_known_purposes) | st.text(max_size=10)),
    }
    optional = {
        "id": st.text(max_size=20),
        "object": st.sampled_from(["file", "upload"]) | st.text(max_size=8),
        "status": st.sampled_from(_known_statuses) | st.text(max_size=10),
        "status_details": st.text(max_size=20),
        "bytes": st.integers(min_value=0, max_value=2**63 - 1),
        "created_at": st.integers(min_value=0, max_value=2**63 - 1),
    }
    for name, values in optional.items():
        if draw(st.booleans()):
            # Real payloads carry null for unset optional fields.
            document[name] = draw(values | st.none())
    if draw(st.booleans()):
        document[draw(st.sampled_from(["expires_at", "metadata", "x_new"]))] = draw(json_values)
    return document


@st.composite
def broken_documents(draw: st.DrawFn, document: dict[str, Any]) -> bytes:
    """Metadata bodies that break the contract (or bend it): nulls, wrong types, missing
    required fields, huge numbers, other JSON shapes, non-JSON."""
    variant = draw(st.sampled_from(["null-field", "wrong-type", "missing", "shape", "bytes"]))
    changed = dict(document)
    if variant == "null-field":
        changed[draw(st.sampled_from(sorted(changed)))] = None
    elif variant == "wrong-type":
        changed[draw(st.sampled_from([*sorted(changed), "bytes", "created_at"]))] = draw(
            json_values | st.sampled_from([2**64, -(2**100), 1e308, True, "140"])
        )
    elif variant == "missing":
        changed.pop(draw(st.sampled_from(["filename", "purpose"])), None)
    elif variant == "shape":
        return json.dumps(draw(json_values)).encode()
    else:
        return draw(st.binary(max_size=64))
    return json.dumps(changed).encode()


@st.composite
def error_bodies(draw: st.DrawFn) -> bytes:
    """Azure's error shape with any field values, the v1 shape, HTML pages, noise."""
    variant = draw(st.sampled_from(["azure", "azure-odd", "v1", "html", "noise", "empty"]))
    if variant == "azure":
        error: dict[str, Any] = {
            "code": draw(st.text(max_size=12)),
            "message": draw(st.text(max_size=40)),
        }
        if draw(st.booleans()):
            error["target"] = draw(st.text(max_size=8))
        if draw(st.booleans()):
            error["details"] = [{"code": "c", "message": "m"}, draw(json_values)]
        if draw(st.booleans()):
            error["innererror"] = {"code": draw(st.text(max_size=8))}
        return json.dumps({"error": error}).encode()
    if variant == "azure-odd":
        return json.dumps(
            {
                "error": draw(
                    st.dictionaries(
                        st.sampled_from(["code", "message", "target", "details", "innererror"]),
                        json_values,
                        max_size=5,
                    )
                )
            }
        ).encode()
    if variant == "v1":
        return json.dumps(
            {"error": {"code": None, "message": "m", "param": None, "type": "invalid_request"}}
        ).encode()
    if variant == "html":
        padding = b"x" * draw(st.integers(0, 3000))
        return b"<html><body><h1>502 Bad Gateway</h1>" + padding + b"</html>"
    if variant == "noise":
        return draw(st.binary(max_size=200))
    return b""


# --- deliveries -----------------------------------------------------------------------------

_whole = st.just(Delivery())


@st.composite
def faulty_deliveries(draw: st.DrawFn, size: int) -> Delivery:
    """Truncation at any byte, drips, stalls, resets and early closes."""
    cut_at = draw(st.none() | st.integers(min_value=0, max_value=size))
    end = draw(st.sampled_from(["keep", "fin", "rst"]))
    chunk = draw(
        st.none() | st.sampled_from([1, 16, 256]) | st.integers(min_value=1, max_value=512)
    )
    # Gaps below the read timeout: only the deadline can end a long drip.
    gap = draw(st.sampled_from([0.0, 0.001, 0.01, 0.05, 0.2])) if chunk else 0.0
    head_first = draw(st.booleans())
    # A stall past the read timeout (a silent server) or past the whole deadline.
    stall = draw(st.sampled_from([0.0, 0.0, 0.0, READ_TIMEOUT + 0.1, DEADLINE + 0.2]))
    return Delivery(cut_at, end, chunk, gap, head_first, stall)


# --- responses ------------------------------------------------------------------------------

_STATUSES = [200, 201, 204, 206, 301, 302, 304, 400, 401, 403, 404, 408, 409, 429, 500]
statuses = st.one_of(
    st.sampled_from([*_STATUSES, 200, 502, 503, 504]),
    st.integers(min_value=100, max_value=599),
)


@st.composite
def scripted_responses(draw: st.DrawFn, case_body: bytes, *, for_content: bool) -> ScriptedResponse:
    """One response, from faithful to absurd."""
    branch = draw(st.integers(0, 7))
    pieces = int(4 * DEADLINE / SLOW_GAP)
    if branch == 0 and len(case_body) >= pieces:
        # The service working, slowly: the head at once, then the body in small pieces, each
        # gap shorter than the read timeout, for four times the call's deadline.
        delivery = Delivery(chunk=-(-len(case_body) // pieces), gap=SLOW_GAP, head_first=True)
        return ScriptedResponse(200, case_body, "length", (), delivery)
    if branch == 1:
        # The service working until the connection drops, anywhere in the body.
        response = ScriptedResponse(200, case_body, "length", ())
        head_size = response.head_size()
        cut_at = draw(st.integers(min_value=head_size, max_value=len(response.wire())))
        delivery = Delivery(cut_at=cut_at, end=draw(st.sampled_from(["fin", "rst"])))
        return ScriptedResponse(200, case_body, "length", (), delivery)
    if branch in (2, 3):
        # The service working as documented (content compressed by a proxy, at times).
        documented = tuple(draw(request_id_headers))
        if for_content and draw(st.integers(0, 3)) == 0:
            compressed = gzip.compress(case_body, mtime=0)
            return ScriptedResponse(
                200, compressed, "length", (*documented, ("Content-Encoding", "gzip")), clean=True
            )
        return ScriptedResponse(200, case_body, "length", documented, clean=True)
    status = draw(statuses)
    headers = list(draw(request_id_headers)) + draw(header_lists)
    if 200 <= status < 300:
        body = case_body
        if for_content and draw(st.booleans()):
            # The content as a proxy may send it (compressed), or a part of it (a resume).
            if draw(st.booleans()):
                body = gzip.compress(case_body, mtime=0)
                headers.append(("Content-Encoding", "gzip"))
            else:
                start = draw(st.integers(min_value=0, max_value=len(case_body)))
                end = len(case_body) - 1
                total = draw(st.sampled_from([str(len(case_body)), "*", str(len(case_body) + 1)]))
                body = case_body[start:]
                headers.append(("Content-Range", f"bytes {start}-{end}/{total}"))
        elif not for_content and draw(st.booleans()):
            body = draw(broken_documents(json.loads(case_body)))
    else:
        body = draw(error_bodies())
    framing = draw(st.sampled_from(["length", "length", "chunked", "close", "bogus"]))
    response = ScriptedResponse(status, body, framing, tuple(headers))
    delivery = draw(_whole | faulty_deliveries(len(response.wire())))
    return ScriptedResponse(status, body, framing, tuple(headers), delivery)


@st.composite
def cases(draw: st.DrawFn, *, for_content: bool) -> Case:
    document = draw(file_documents())
    content = draw(st.binary(max_size=3000) | st.just(b"") | st.just(json.dumps(document).encode()))
    case_body = content if for_content else json.dumps(document).encode()
    responses = draw(
        st.lists(scripted_responses(case_body, for_content=for_content), min_size=1, max_size=4)
    )
    return Case(document, content, tuple(responses))
