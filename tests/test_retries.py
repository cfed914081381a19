"""What is retried, through both clients on a loopback server: a connection reset before the
response head and a download cut before its first byte are tried again within the retry
budget; with no retry left, the failure is the error, chained to its cause."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest

from azure_openai_files._errors import TransportError
from tests.support.clients import DOCS_SAMPLE, KINDS, Clients
from tests.support.loopback import (
    LoopbackServer,
    partial_body,
    reset_connection,
    respond,
    respond_json,
)


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", KINDS)
def test_a_connection_reset_before_the_head_is_retried(server: LoopbackServer, kind: str) -> None:
    server.script(reset_connection, respond_json(200, DOCS_SAMPLE))
    clients = Clients(kind, server.endpoint, retry_backoff=0)
    assert clients.call("get_file", "f").id == DOCS_SAMPLE["id"]
    assert len(server.requests) == 2


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", KINDS)
def test_a_connection_reset_with_no_retry_left_is_a_transport_error(
    server: LoopbackServer, kind: str
) -> None:
    server.script(reset_connection)
    with pytest.raises(TransportError) as raised:
        Clients(kind, server.endpoint, max_retries=0).call("get_file", "f")
    assert raised.value.client_request_id == server.requests[0].headers["x-ms-client-request-id"]
    assert isinstance(raised.value.__cause__, httpx2.TransportError)  # chained to the failure


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
def test_a_download_cut_before_its_first_byte_is_retried_within_the_budget(
    server: LoopbackServer, kind: str, tmp_path: Path
) -> None:
    body = b"0123456789"
    server.script(
        partial_body(body, 0), respond(200, body, content_type="application/octet-stream")
    )
    destination = tmp_path / "out.bin"
    Clients(kind, server.endpoint, retry_backoff=0).download("f", destination)
    assert destination.read_bytes() == body and len(server.requests) == 2
