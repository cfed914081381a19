"""What the package logs, through both clients on a loopback server: each attempt's request
and response with their headers (secrets redacted), and each retry with the status, error
code, requested wait or network failure that caused it."""

from __future__ import annotations

import logging
import re

import pytest

from tests.support.clients import DOCS_SAMPLE, KINDS, Clients
from tests.support.loopback import LoopbackServer, respond, respond_json, stall


def _retry_reasons(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What each logged retry says failed: the text between "failed: " and the request id."""
    found = []
    for record in caplog.records:
        matched = re.search(r"failed: (.*); client request id ", record.getMessage())
        if record.name == "azure_openai_files" and matched:
            found.append(matched.group(1))
    return found


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
def test_a_retry_log_names_the_status_the_code_and_the_requested_wait_only_when_there(
    server: LoopbackServer, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="azure_openai_files")
    server.script(
        respond(500, "oops", content_type="text/plain"),
        respond_json(429, {"error": {"code": "tooMany", "message": "x"}}, {"retry-after-ms": "10"}),
        respond_json(503, {"error": {"code": "busy", "message": "x"}}),
        respond_json(200, DOCS_SAMPLE),
    )
    Clients(kind, server.endpoint, retry_backoff=0).call("get_file", "f")
    assert _retry_reasons(caplog) == [
        "HTTP 500",
        "HTTP 429 tooMany, retry-after 0.01 s",
        "HTTP 503 busy",
    ]
    # Each waits as long as it asked for (the 429), or the backoff (here none).
    delays = [r.args[2] for r in caplog.records if "failed: " in r.getMessage()]  # type: ignore[index]
    assert delays == [0.0, 0.01, 0.0]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", KINDS)
def test_a_retry_log_names_a_network_failure_by_its_error(
    server: LoopbackServer, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="azure_openai_files")
    server.script(stall(1.0), respond_json(200, DOCS_SAMPLE))
    Clients(kind, server.endpoint, timeout=0.2, retry_backoff=0).call("get_file", "f")
    assert _retry_reasons(caplog) == ["ReadTimeout: the request timed out"]


@pytest.mark.parametrize("kind", KINDS)
def test_each_attempt_logs_its_request_and_response_and_each_retry_its_reason(
    server: LoopbackServer, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="azure_openai_files")
    server.script(
        respond_json(503, {"error": {"code": "busy", "message": "x"}}, {"apim-request-id": "r-9"}),
        respond_json(200, DOCS_SAMPLE),
    )
    Clients(kind, server.endpoint, retry_backoff=0).call("get_file", "f", client_request_id="log-1")
    url = f"{server.endpoint}/openai/files/f?{server.requests[0].query}"
    records = [(r.msg, r.args) for r in caplog.records if r.name == "azure_openai_files"]
    assert [msg for msg, _ in records] == [
        "Request %s %s attempt %d: %s",
        "Response %d for %s %s: %s",
        "Retrying %s %s in %.2f s (attempt %d of %d failed: %s; client request id %s)",
        "Request %s %s attempt %d: %s",
        "Response %d for %s %s: %s",
    ]
    first, failed, retry, second, succeeded = (args for _, args in records)
    assert isinstance(first, tuple) and isinstance(second, tuple)
    assert (first[0], str(first[1]), first[2]) == ("GET", url, 1)
    assert (second[0], str(second[1]), second[2]) == ("GET", url, 2)
    for headers in (first[3], second[3]):  # the request's own headers, secrets redacted
        assert headers["x-ms-client-request-id"] == "log-1" and headers["api-key"] == "REDACTED"  # type: ignore[index]
    assert isinstance(failed, tuple) and isinstance(succeeded, tuple)
    assert (failed[0], failed[1], str(failed[2])) == (503, "GET", url)
    assert failed[3]["apim-request-id"] == "r-9"  # type: ignore[index]  # the response's headers
    assert (succeeded[0], succeeded[1], str(succeeded[2])) == (200, "GET", url)
    assert retry == ("GET", "/openai/files/f", 0.0, 1, 4, "HTTP 503 busy", "log-1")
