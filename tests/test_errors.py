"""The exception contract through both clients: an error raised in a process pool reaches
the parent as itself, every error carries the ids support asks for and reads as one short
line, and nothing but a FilesError or a documented ValueError/TypeError/OSError leaves the
package; bodies are read up to their size limits exactly, and a success that is not the
answer asked for is an error. (The error objects on their own: tests/unit/.)"""

from __future__ import annotations

import concurrent.futures
import json
import multiprocessing
import socket
import time
from typing import Any

import httpx2
import pytest

import azure_openai_files as aof
from azure_openai_files import (
    CredentialError,
    FilesClient,
    FilesError,
    NotFoundError,
    ServerError,
    ServiceError,
    TransportError,
    UnexpectedResponseError,
)
from azure_openai_files._errors import BadRequestError
from azure_openai_files._pipeline import MAX_ERROR_BODY, MAX_METADATA_BODY
from tests.support.clients import DOCS_SAMPLE, FAKE_KEY, KINDS, Clients
from tests.support.credentials import FailingAsyncCredential, FailingCredential
from tests.support.loopback import (
    CRLF,
    LoopbackServer,
    ReceivedRequest,
    Reply,
    partial_body,
    respond,
    respond_json,
)

NOT_FOUND = {"error": {"code": "notFound", "message": "File not found."}}
# What a credential chain says when no way of getting a token works.
NO_IDENTITY = "no managed identity endpoint\nattempted: env, cli, msi"


def raise_not_found(endpoint: str) -> None:
    """Runs in a worker process: a real 404 from the loopback server."""
    with FilesClient(endpoint, api_key=FAKE_KEY) as client:
        client.get_file("missing", client_request_id="from-worker")


@pytest.mark.timeout(120)
def test_a_not_found_error_raised_in_a_process_pool_reaches_the_parent_as_itself(
    server: LoopbackServer,
) -> None:
    server.script(respond_json(404, NOT_FOUND, {"apim-request-id": "r-9"}))
    context = multiprocessing.get_context("spawn")  # no inherited state: a true round trip
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        future = pool.submit(raise_not_found, server.endpoint)
        with pytest.raises(NotFoundError) as caught:
            future.result(timeout=90)
    assert caught.value.code == "notFound" and caught.value.status_code == 404
    assert caught.value.request_id == "r-9" and caught.value.client_request_id == "from-worker"


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_id_no_url_can_carry_is_a_value_error_before_sending(
    server: LoopbackServer, kind: str
) -> None:
    server.script(respond_json(200, DOCS_SAMPLE))
    for method in ("get_file", "get_file_content"):
        with pytest.raises(ValueError, match="valid request URL") as caught:
            Clients(kind, server.endpoint).call(method, "a" * 70_000)
        assert not isinstance(caught.value, httpx2.HTTPError | httpx2.InvalidURL)
        assert len(str(caught.value)) < 200
    assert server.requests == []


@pytest.mark.parametrize("kind", KINDS)
def test_client_request_id_falls_back_to_the_one_sent(server: LoopbackServer, kind: str) -> None:
    server.script(respond_json(404, NOT_FOUND))  # no echo of x-ms-client-request-id
    clients = Clients(kind, server.endpoint)
    with pytest.raises(NotFoundError) as caught:
        clients.call("get_file", "f", client_request_id="mine-1")
    assert caught.value.client_request_id == "mine-1"
    with pytest.raises(NotFoundError) as caught:
        clients.call("get_file", "f")
    assert caught.value.client_request_id == server.requests[-1].headers["x-ms-client-request-id"]
    server.script(respond_json(200, {"id": "f"}))  # breaks the contract: no filename
    with pytest.raises(UnexpectedResponseError) as unexpected:
        clients.call("get_file", "f", client_request_id="mine-2")
    assert unexpected.value.client_request_id == "mine-2"


@pytest.mark.parametrize("kind", KINDS)
def test_transport_errors_carry_the_client_request_id(server: LoopbackServer, kind: str) -> None:
    refused = Clients(kind, "http://127.0.0.1:9", max_retries=0)  # nothing listens there
    with pytest.raises(TransportError) as caught:
        refused.call("get_file", "f", client_request_id="net-1")
    assert caught.value.client_request_id == "net-1"
    server.script(partial_body(b"x" * 1000, 10))
    clients = Clients(kind, server.endpoint, max_retries=1, retry_backoff=0)
    with pytest.raises(TransportError) as caught:
        clients.stream("f", client_request_id="net-2")
    assert caught.value.client_request_id == "net-2"
    with pytest.raises(TransportError) as caught:
        clients.call("get_file_content", "f", client_request_id="net-3")
    assert caught.value.client_request_id == "net-3"


@pytest.mark.parametrize("kind", KINDS)
def test_a_304_is_not_described_as_a_redirect(server: LoopbackServer, kind: str) -> None:
    server.script(respond(304, b"", content_type=None))
    with pytest.raises(ServiceError) as caught:
        Clients(kind, server.endpoint).call("get_file", "f")
    assert caught.value.status_code == 304
    assert "redirect" not in str(caught.value) and "Not Modified" in str(caught.value)


NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title>"
    "<style>body { font-family: sans-serif; }</style>"
    "<script>var tracking = 'do not show me';</script></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<p>The upstream &amp; its "
    + "backup did not answer. " * 40
    + "</p><hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


@pytest.mark.parametrize("kind", KINDS)
def test_an_html_error_page_becomes_a_short_readable_line(
    server: LoopbackServer, kind: str
) -> None:
    server.script(respond(502, NGINX_502, content_type="text/html"))
    with pytest.raises(ServerError) as caught:
        Clients(kind, server.endpoint, max_retries=0).call("get_file", "f")
    message = caught.value.message
    assert message.startswith("502 Bad Gateway The upstream & its backup did not answer.")
    assert message.endswith(" …") and len(message) < 220
    assert "<" not in message and "\n" not in str(caught.value)
    assert "tracking" not in message and "font-family" not in message


@pytest.mark.parametrize(
    ("kind", "credential"),
    [
        ("sync", FailingCredential(RuntimeError(NO_IDENTITY))),
        ("async", FailingCredential(RuntimeError(NO_IDENTITY))),
        ("async", FailingAsyncCredential(RuntimeError(NO_IDENTITY))),
    ],
)
def test_a_credential_that_cannot_get_a_token_is_a_credential_error(
    server: LoopbackServer, kind: str, credential: Any
) -> None:
    server.script(respond_json(200, DOCS_SAMPLE))
    with pytest.raises(CredentialError) as caught:
        Clients(kind, server.endpoint, api_key=None, credential=credential).call("get_file", "f")
    assert isinstance(caught.value, FilesError) and isinstance(caught.value.__cause__, RuntimeError)
    assert str(caught.value) == (
        f"{type(credential).__name__} could not get a token: "
        "RuntimeError: no managed identity endpoint"
    )
    assert server.requests == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("bad", ["", "a\nb", "id-é", "a\x00"])
def test_a_client_request_id_no_header_can_carry_is_a_value_error_before_sending(
    server: LoopbackServer, kind: str, bad: str
) -> None:
    server.script(respond_json(200, DOCS_SAMPLE))
    with pytest.raises(ValueError, match="client_request_id"):
        Clients(kind, server.endpoint).call("get_file", "f", client_request_id=bad)
    assert server.requests == []


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method", ["get_file_content", "stream"])
def test_a_partial_content_answer_the_call_did_not_ask_for_is_not_the_file(
    server: LoopbackServer, kind: str, method: str
) -> None:
    server.script(
        respond(
            206,
            b"4567",
            {"Content-Range": "bytes 4-7/8"},
            content_type="application/octet-stream",
        )
    )
    clients = Clients(kind, server.endpoint, max_retries=0)
    with pytest.raises(UnexpectedResponseError, match="206") as caught:
        if method == "stream":
            clients.stream("file-1")
        else:
            clients.call("get_file_content", "file-1")
    assert caught.value.status_code == 206
    assert "Range" not in server.requests[0].headers
    assert caught.value.client_request_id == server.requests[0].headers["x-ms-client-request-id"]


# --- bodies at their size limits, and successes that are not the answer ---------------------------


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("extra", [0, 1])
def test_a_metadata_body_of_exactly_the_size_limit_is_read_and_one_byte_more_is_not(
    server: LoopbackServer, kind: str, extra: int
) -> None:
    # JSON allows trailing whitespace: the same file object, padded to the byte.
    document = json.dumps(DOCS_SAMPLE).encode()
    body = document + b" " * (MAX_METADATA_BODY + extra - len(document))
    server.script(respond(200, body, {"apim-request-id": "r-1"}))
    clients = Clients(kind, server.endpoint, max_retries=0)
    if extra == 0:
        assert clients.call("get_file", "f").id == DOCS_SAMPLE["id"]
        return
    with pytest.raises(UnexpectedResponseError) as raised:
        clients.call("get_file", "f", client_request_id="big-1")
    error = raised.value
    assert (
        error.message == f"document body exceeds {MAX_METADATA_BODY} bytes; not what the API sends"
    )
    assert (error.status_code, error.request_id, error.client_request_id) == (200, "r-1", "big-1")
    assert error.headers["apim-request-id"] == "r-1"


def _split_at(status: int, body: bytes, split: int, pause: float) -> Reply:
    """Send the head and `body[:split]`, then the rest after `pause`: the client has read
    exactly `split` body bytes when the rest arrives."""

    def reply(conn: socket.socket, request: ReceivedRequest) -> None:
        head = [
            f"HTTP/1.1 {status} X",
            f"Content-Length: {len(body)}",
            "Content-Type: application/json",
        ]
        conn.sendall(CRLF.join(line.encode() for line in head) + CRLF * 2 + body[:split])
        time.sleep(pause)
        conn.sendall(body[split:])

    return reply


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
def test_an_error_body_is_read_on_past_exactly_the_size_limit(
    server: LoopbackServer, kind: str
) -> None:
    # The limit is reached exactly at a read's end: the body is not over it yet, so the
    # next read (the end of this JSON document) is still part of the error.
    error = b'{"error": {"code": "atTheLimit", "message": "big"}, "pad": "'
    tail = b'"}'
    body = error + b"x" * (MAX_ERROR_BODY - len(error)) + tail
    server.script(_split_at(400, body, MAX_ERROR_BODY, pause=1.0))
    with pytest.raises(BadRequestError) as raised:
        Clients(kind, server.endpoint, max_retries=0).call("get_file", "f")
    assert (raised.value.code, raised.value.message) == ("atTheLimit", "big")


def _content_via(clients: Clients, method: str) -> Any:
    if method == "stream":
        return clients.stream("f")
    return clients.call("get_file_content", "f")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method", ["get_file_content", "stream"])
def test_a_partial_success_for_whole_content_is_an_error_with_the_response_headers(
    server: LoopbackServer, kind: str, method: str
) -> None:
    server.script(respond(203, b"part", {"apim-request-id": "r-1"}))
    with pytest.raises(UnexpectedResponseError) as raised:
        _content_via(Clients(kind, server.endpoint), method)
    error = raised.value
    assert error.message == "unexpected success status 203 for file content"
    assert (error.status_code, error.request_id) == (203, "r-1")
    assert error.headers["apim-request-id"] == "r-1"
    assert error.client_request_id == server.requests[0].headers["x-ms-client-request-id"]
    assert len(server.requests) == 1  # a partial body is not retried


@pytest.mark.parametrize("kind", KINDS)
def test_only_content_calls_insist_on_a_200(server: LoopbackServer, kind: str) -> None:
    # A metadata call takes any 2xx with a file object; only whole content refuses a 206.
    server.script(respond_json(206, DOCS_SAMPLE))
    assert (
        Clients(kind, server.endpoint, max_retries=0).call("get_file", "f").id
        == (DOCS_SAMPLE["id"])
    )


HOSTILE = "line one\nFORGED log line\r\x1b[2J\x1b[31mred\x85\u2028end"


@pytest.mark.parametrize("kind", KINDS)
def test_a_service_error_is_one_printable_line_and_keeps_the_raw_text(
    server: LoopbackServer, kind: str
) -> None:
    body = {"error": {"code": "Bad\ncode\x1b]0;", "message": HOSTILE}}
    server.script(respond_json(400, body))
    with pytest.raises(aof.BadRequestError) as caught:
        Clients(kind, server.endpoint).call("get_file", "f")
    text = str(caught.value)
    assert text.isprintable(), text
    assert "\\n" in text and "\\x1b" in text and "\\u2028" in text
    assert caught.value.message == HOSTILE and caught.value.code == "Bad\ncode\x1b]0;"


def test_a_processing_failure_and_a_credential_failure_are_printable_lines() -> None:
    assert str(aof.FileProcessingError("file-1", HOSTILE)).isprintable()

    class Failing:
        def get_token(self, *scopes: str, **kwargs: Any) -> Any:
            raise OSError("\x1b[31mdenied\x1b[0m")

    with pytest.raises(aof.CredentialError) as caught:
        FilesClient("https://example.invalid", credential=Failing()).get_file("f")
    assert str(caught.value).isprintable() and "\\x1b[31mdenied" in str(caught.value)


def test_the_retry_log_escapes_the_services_code(
    server: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.script(
        respond_json(503, {"error": {"code": "Busy\nFORGED", "message": "m"}}),
        respond_json(200, DOCS_SAMPLE),
    )
    with caplog.at_level("INFO", logger="azure_openai_files"):
        Clients("sync", server.endpoint, retry_backoff=0).call("get_file", "f")
    messages = [record.getMessage() for record in caplog.records]
    retries = [message for message in messages if "Retrying" in message]
    assert retries and all(message.isprintable() for message in retries)
    assert "Busy\\nFORGED" in retries[0]
