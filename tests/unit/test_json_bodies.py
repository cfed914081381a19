"""`read_json`: a response body's JSON, as `json.loads` reads it, on a shorter path."""

from __future__ import annotations

import json

import pytest

from azure_openai_files._responses import read_json

BODIES = [
    b'{"id": "file-1", "bytes": 12}',
    b'  {"id": "file-1"}',
    b'{"id": "file-1"}\r\n\t ',
    b'{"id": "file-1"} x',
    b'{"id": "file-1"}\x0b',  # not JSON whitespace, though Python's str.strip takes it
    b'{"id": "file-1"}{"id": "file-2"}',
    b"\xef\xbb\xbf" + b'{"id": "file-1"}',  # a UTF-8 byte order mark
    '{"id": "fichier-é"}'.encode("utf-16"),
    '{"id": "fichier-é"}'.encode("utf-32-le"),
    b'{"id": "\xff"}',
    b"1\x00",
    b"",
    b"   ",
    b"null",
    b"[1, 2, 3]",
    b'"text"',
    b"NaN",
    b"{",
]


@pytest.mark.parametrize("body", BODIES)
def test_read_json_gives_what_json_loads_gives_or_raises_as_it_does(body: bytes) -> None:
    try:
        expected = json.loads(body)
    except ValueError as exc:
        with pytest.raises(type(exc)) as raised:
            read_json(body)
        assert str(raised.value) == str(exc)
    else:
        assert repr(read_json(body)) == repr(expected)  # NaN is not equal to itself
