"""Keys and tokens on the wire: cleaned once, refused before anything is sent when unusable,
and never quoted by an error or a log record. (What a client refuses at construction, and
where tokens may travel: tests/unit/.)"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.support.clients import DOCS_SAMPLE, KINDS, Clients
from tests.support.credentials import FixedCredential, Key
from tests.support.loopback import LoopbackServer, respond_json

SECRET = "sk-0123456789abcdef"  # an obvious fake


def call(kind: str, endpoint: str, **options: Any) -> Any:
    return Clients(kind, endpoint, **options).call("get_file", "f")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("options", "header", "sent"),
    [
        ({"api_key": f"  {SECRET}\n"}, "api-key", SECRET),
        ({"api_key": Key(f"{SECRET}\r\n")}, "api-key", SECRET),
        (
            {"api_key": None, "credential": FixedCredential(f"\t{SECRET}\n")},
            "authorization",
            SECRET,
        ),
    ],
    ids=["key", "key-credential", "token"],
)
def test_surrounding_whitespace_is_stripped_from_keys_and_tokens(
    server: LoopbackServer, kind: str, options: dict[str, Any], header: str, sent: str
) -> None:
    server.script(respond_json(200, DOCS_SAMPLE))
    call(kind, server.endpoint, **options)
    assert server.requests[0].headers[header].removeprefix("Bearer ") == sent


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "options",
    [
        {"api_key": Key(f"{SECRET[:8]}\r\n{SECRET[8:]}")},
        {"api_key": None, "credential": FixedCredential(f"{SECRET[:8]}\x7f{SECRET[8:]}")},
    ],
    ids=["key-credential", "token"],
)
def test_an_unusable_key_or_token_fails_before_anything_is_sent_and_stays_out_of_logs(
    server: LoopbackServer,
    kind: str,
    options: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    server.script(respond_json(200, DOCS_SAMPLE))
    with pytest.raises(ValueError, match="control or non-ASCII character") as caught:
        call(kind, server.endpoint, **options)
    assert server.requests == []
    texts = [str(caught.value), repr(caught.value), caplog.text]
    texts += [str(cause) for cause in (caught.value.__cause__, caught.value.__context__)]
    assert not any(SECRET[:8] in text or SECRET[8:] in text for text in texts)
