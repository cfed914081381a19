"""From a response to an error, on its own: each status's error class, the fields of an Azure
or v1 error body, one readable line from an HTML page or any other body, the request ids,
redirects named by their origin only, and network failures named and chained."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx2
import pytest

from azure_openai_files import AsyncFilesClient, FilesClient
from azure_openai_files._errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    ServiceError,
    TransportError,
)
from azure_openai_files._pipeline import transport_error
from azure_openai_files._responses import (
    HTML_EXCERPT_LIMIT,
    MESSAGE_BODY_LIMIT,
    error_class_for,
    error_from_response,
)
from azure_openai_files._streaming import incomplete, undecodable
from tests.support.clients import KINDS

# --- statuses and error bodies --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (429, RateLimitError),
        (500, ServerError),
        (599, ServerError),
        (499, ServiceError),
        (418, ServiceError),
        (302, ServiceError),
    ],
)
def test_each_status_maps_to_its_error_class(status: int, error_class: type) -> None:
    assert error_class_for(status) is error_class


def _response(status: int, headers: dict[str, str] | None = None) -> httpx2.Response:
    request = httpx2.Request("GET", "https://example.com/openai/files/f")
    return httpx2.Response(status, headers=headers or {}, request=request)


def test_an_azure_error_body_becomes_the_error_fields() -> None:
    body = (
        b'{"error": {"code": "NotFound", "message": "no such file", "target": "file_id",'
        b' "details": [{"code": "a", "message": "b"}],'
        b' "innererror": {"code": "Inner"}}}'
    )
    headers = {"apim-request-id": "apim-1", "x-request-id": "x-1", "x-ms-client-request-id": "c"}
    error = error_from_response(_response(404, headers), body, retry_after=1.5)
    assert isinstance(error, NotFoundError)
    assert (error.status_code, error.code, error.message) == (404, "NotFound", "no such file")
    assert error.target == "file_id"
    assert error.details == [{"code": "a", "message": "b"}]
    assert error.inner_error == {"code": "Inner"}
    assert (error.request_id, error.client_request_id) == ("apim-1", "c")
    assert error.retry_after == 1.5
    assert str(error) == "NotFound: no such file (HTTP 404, request id apim-1)"


def test_odd_optional_error_fields_are_dropped_not_fatal() -> None:
    body = b'{"error": {"code": "C", "message": "m", "target": 5, "details": {}, "innererror": []}}'
    error = error_from_response(_response(400), body)
    assert (error.code, error.message, error.target) == ("C", "m", None)
    assert error.details == [] and error.inner_error is None


def test_the_request_id_falls_back_to_x_request_id() -> None:
    error = error_from_response(_response(500, {"x-request-id": "x-9"}), b"")
    assert error.request_id == "x-9"
    assert error.client_request_id is None


def test_an_error_without_code_or_request_id_reads_as_message_and_status() -> None:
    error = ServiceError("went wrong", status_code=418)
    assert str(error) == "went wrong (HTTP 418)"
    assert error.details == [] and error.headers == {}


def test_the_requested_wait_is_kept_whatever_the_error_body() -> None:
    assert error_from_response(_response(429), b"slow down", retry_after=3.0).retry_after == 3.0
    azure = b'{"error": {"code": "429", "message": "slow down"}}'
    assert error_from_response(_response(429), azure, retry_after=3.0).retry_after == 3.0


def test_a_non_json_error_body_is_summarized_on_one_line() -> None:
    error = error_from_response(_response(502), b"<h1>Bad\n  gateway</h1>\n")
    assert error.message == "Bad gateway"
    assert error.code is None


def test_an_error_page_is_read_as_html_by_its_content_type_whatever_its_case() -> None:
    # A page that does not open with a tag is still HTML when its Content-Type says so.
    body = b"Service down: <b>retry</b> &amp; wait\n"
    for content_type in ("text/html; charset=utf-8", "Text/HTML"):
        error = error_from_response(_response(502, {"content-type": content_type}), body)
        assert error.message == "Service down: retry & wait"
    plain = error_from_response(_response(502, {"content-type": "text/plain"}), body)
    assert plain.message == "Service down: <b>retry</b> &amp; wait"


def test_an_html_page_after_leading_blank_lines_is_reduced_to_its_text() -> None:
    body = b"\r\n  <html><body><p>Bad &amp; gateway</p></body></html>"
    assert error_from_response(_response(502), body).message == "Bad & gateway"


def test_an_html_excerpt_is_cut_only_beyond_its_limit_and_without_a_trailing_space() -> None:
    def page(text: str) -> bytes:
        return f"<html><p>{text}</p></html>".encode()

    exact = "a" * HTML_EXCERPT_LIMIT
    assert error_from_response(_response(502), page(exact)).message == exact
    # The cut falls just after a space: the excerpt ends on the word before it.
    word_then_space = "a" * (HTML_EXCERPT_LIMIT - 1) + " " + "b" * 10
    message = error_from_response(_response(502), page(word_then_space)).message
    assert message == "a" * (HTML_EXCERPT_LIMIT - 1) + " …"


def test_an_error_body_that_is_not_utf8_is_summarized_with_replacements() -> None:
    error = error_from_response(_response(500), b"bad \xff\xfe body")
    assert error.message == "bad \ufffd\ufffd body"


def test_a_long_error_body_is_cut_to_the_limit() -> None:
    body = b"x" * (MESSAGE_BODY_LIMIT + 1)
    assert error_from_response(_response(500), body).message == "x" * MESSAGE_BODY_LIMIT + " …"
    exact = b"y" * MESSAGE_BODY_LIMIT
    assert error_from_response(_response(500), exact).message == "y" * MESSAGE_BODY_LIMIT


def test_an_empty_error_body_falls_back_to_the_reason_phrase() -> None:
    assert error_from_response(_response(503), b"").message == "Service Unavailable"
    assert error_from_response(_response(599), b"").message == "no error body"


def test_a_json_error_without_a_text_message_keeps_its_code_and_shows_the_body() -> None:
    body = b'{"error": {"code": "C", "message": 5}}'
    error = error_from_response(_response(400), body)
    assert error.code == "C" and error.message == body.decode()


def test_a_v1_error_keeps_its_param_and_type() -> None:
    request = httpx2.Request("GET", "https://example.com/openai/v1/files/f")
    body = (
        b'{"error": {"code": "invalid_value", "message": "bad purpose",'
        b' "param": "purpose", "type": "invalid_request_error"}}'
    )
    error = error_from_response(httpx2.Response(400, request=request), body)
    assert (error.param, error.type) == ("purpose", "invalid_request_error")


def test_a_304_says_the_request_was_not_conditional() -> None:
    error = error_from_response(_response(304), b"")
    assert error.message == "304 Not Modified to a request that was not conditional"


@pytest.mark.parametrize(
    ("status", "body"), [(502, b"<h1>Bad gateway</h1>"), (302, b""), (304, b"")]
)
def test_an_error_without_an_echo_names_the_client_request_id_sent(
    status: int, body: bytes
) -> None:
    request = httpx2.Request(
        "GET", "https://example.com/openai/files/f", headers={"x-ms-client-request-id": "sent-1"}
    )
    error = error_from_response(httpx2.Response(status, request=request), body)
    assert error.client_request_id == "sent-1"


@pytest.mark.parametrize(
    ("location", "named"),
    [
        (None, "another path"),
        ("https://elsewhere.example:8443/x?sig=secret", "https://elsewhere.example:8443"),
        ("/relative/path", "another path"),
        ("http://a:b:c", "another location"),
    ],
)
def test_a_redirect_names_only_the_origin_it_points_to(location: str | None, named: str) -> None:
    headers = {} if location is None else {"location": location}
    error = error_from_response(_response(302, headers), b"")
    assert error.message == f"redirect to {named} not followed: credentials stay with the endpoint"
    assert "secret" not in str(error)


@pytest.mark.parametrize(("status", "redirect"), [(300, True), (308, True), (400, False)])
def test_redirect_statuses_are_described_as_redirects(status: int, redirect: bool) -> None:
    error = error_from_response(_response(status, {"location": "https://b.example/"}), b"")
    assert error.message.startswith("redirect to https://b.example not followed") is redirect


# --- network failures and cut bodies --------------------------------------------------------------


def test_a_network_failure_is_named_and_chained() -> None:
    timeout = httpx2.ReadTimeout("read timed out")
    error = transport_error(timeout)
    assert isinstance(error, RequestTimeoutError)
    assert str(error) == "ReadTimeout: the request timed out"
    assert error.__cause__ is timeout
    refused = httpx2.ConnectError("connection refused")
    assert str(transport_error(refused)) == "ConnectError: connection refused"
    assert type(transport_error(refused)) is TransportError
    assert str(transport_error(httpx2.RemoteProtocolError(""))) == "RemoteProtocolError"


def test_an_incomplete_body_says_how_much_arrived_and_why() -> None:
    assert str(incomplete(3, None, None)) == "content ended after 3 bytes"
    reason = ValueError("bad range")
    error = incomplete(3, 10, reason)
    assert str(error) == "content ended after 3 of 10 bytes: ValueError: bad range"
    assert error.__cause__ is reason
    assert (error.received, error.expected) == (3, 10)


def test_a_body_that_does_not_decode_names_its_encoding_and_keeps_the_response() -> None:
    request = httpx2.Request(
        "GET",
        "https://example.com/openai/files/f/content",
        headers={"x-ms-client-request-id": "sent-1"},
    )
    headers = {"content-encoding": "gzip", "apim-request-id": "req-7"}
    response = httpx2.Response(
        200, headers=headers, stream=httpx2.ByteStream(b"not gzip"), request=request
    )
    with pytest.raises(httpx2.DecodingError) as decoding:
        response.read()
    error = undecodable(response, decoding.value)
    assert str(error) == (
        "the content does not decode as its Content-Encoding 'gzip' says (DecodingError) "
        "(HTTP 200, request id req-7)"
    )
    assert (error.status_code, error.request_id, error.headers) == (200, "req-7", headers)
    assert error.client_request_id == "sent-1"  # no echo: the id the request carried
    assert error.__cause__ is decoding.value


class _TwoChunks(httpx2.SyncByteStream, httpx2.AsyncByteStream):
    """A body that arrives as two chunks, at once."""

    def __init__(self, first: bytes, second: bytes) -> None:
        self.chunks = [first, second]

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk


@pytest.mark.parametrize("kind", KINDS)
def test_with_a_read_timeout_of_zero_an_error_body_is_only_what_the_first_read_brought(
    kind: str,
) -> None:
    # Nothing arrives within zero seconds of the request but what came with the head: the
    # rest of the error body is dropped, and the error maps by its status alone.
    def handler(request: httpx2.Request) -> httpx2.Response:
        document = b'{"error": {"code": "split", "message": "in two"}}'
        return httpx2.Response(400, stream=_TwoChunks(document[:17], document[17:]))

    options: dict[str, Any] = {"api_key": "k", "timeout": httpx2.Timeout(5.0, read=0.0)}
    transport = httpx2.MockTransport(handler)
    endpoint = "http://127.0.0.1:1"
    with pytest.raises(BadRequestError) as raised:
        if kind == "sync":
            with (
                httpx2.Client(transport=transport) as http,
                FilesClient(endpoint, http_client=http, **options) as client,
            ):
                client.get_file("f")
        else:

            async def run() -> None:
                async with (
                    httpx2.AsyncClient(transport=transport) as http,
                    AsyncFilesClient(endpoint, http_client=http, **options) as client,
                ):
                    await client.get_file("f")

            asyncio.run(run())
    assert raised.value.code is None
    assert raised.value.message == '{"error": {"code"'


# --- v1 error bodies outside the contract ---------------------------------------------------------


def _error_from(body: bytes, url: str) -> ServiceError:
    response = httpx2.Response(400, content=body, request=httpx2.Request("GET", url))
    return error_from_response(response, body)


def test_v1_error_with_a_numeric_code_and_null_param_keeps_every_valid_field() -> None:
    body = b'{"error": {"code": 429, "message": "Slow down", "param": null, "type": "requests"}}'
    error = _error_from(body, "https://x/openai/v1/files/f")
    assert (error.code, error.message, error.param, error.type) == (
        "429",
        "Slow down",
        None,
        "requests",
    )


def test_one_malformed_field_does_not_lose_code_and_message() -> None:
    body = (
        b'{"error": {"code": "invalidPayload", "message": "Bad", "target": 7,'
        b' "details": [1, {"code": "x", "message": "y"}], "innererror": "oops"}}'
    )
    error = _error_from(body, "https://x/openai/files/f?api-version=2024-10-21")
    assert (error.code, error.message, error.target) == ("invalidPayload", "Bad", None)
    assert error.inner_error is None and error.param is None
