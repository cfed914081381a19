"""What a request is made of: a random version-4 client request id, or the caller's when it is
printable ASCII, and an operation URL joined to the endpoint's base path with one slash and
its query encoded."""

from __future__ import annotations

import uuid
from typing import Any

import httpx2
import pytest

from azure_openai_files import FilesClient
from azure_openai_files._pipeline import call_headers, new_client_request_id
from azure_openai_files._transport import join_url


def test_client_request_ids_are_random_version_4_uuids() -> None:
    ids = [new_client_request_id() for _ in range(256)]
    assert len(set(ids)) == len(ids)
    for value in ids:
        parsed = uuid.UUID(value)
        assert str(parsed) == value
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
    # Every other bit is random: each one varies, independently of every other one (a bit
    # copied from another would show the same column of values across all the ids).
    numbers = [parsed.int for parsed in map(uuid.UUID, ids)]
    fixed = {76, 77, 78, 79, 62, 63}  # the version's and the variant's bits
    columns = [
        sum(((number >> bit) & 1) << row for row, number in enumerate(numbers))
        for bit in range(128)
        if bit not in fixed
    ]
    assert 0 not in columns and (1 << len(ids)) - 1 not in columns
    assert len(set(columns)) == len(columns)


def test_a_call_sends_the_client_request_id_given_or_a_new_one_and_its_extra_headers() -> None:
    # Printable ASCII is space to tilde, both included.
    assert call_headers(" ~") == {"x-ms-client-request-id": " ~"}
    assert call_headers("id-1", {"accept": "x"}) == {
        "x-ms-client-request-id": "id-1",
        "accept": "x",
    }
    assert call_headers("id-1", {}) == {"x-ms-client-request-id": "id-1"}
    (generated,) = call_headers(None).values()
    assert (
        uuid.UUID(generated).version == 4
        and generated != call_headers(None)["x-ms-client-request-id"]
    )


@pytest.mark.parametrize("value", ["", "\x1f", "\x7f", "caf\u00e9", "a\nb", 5, b"id"])
def test_a_client_request_id_that_is_not_printable_ascii_is_refused(value: Any) -> None:
    with pytest.raises(ValueError) as refused:
        call_headers(value)
    assert str(refused.value) == "client_request_id must be a non-empty string of printable ASCII"


@pytest.mark.parametrize(
    ("base", "relative", "params", "expected"),
    [
        (
            "https://h/openai",
            "/files/a%2Fb",
            {"api-version": "v 1"},
            "/openai/files/a%2Fb?api-version=v+1",
        ),
        ("https://h/openai/", "files", None, "/openai/files"),
        ("https://h/openai//", "//files", {}, "/openai/files"),
        ("https://h/openai", "/XY/files", {"a": "1", "b": "2"}, "/openai/XY/files?a=1&b=2"),
        ("https://h/proxyX/", "files", None, "/proxyX/files"),  # only slashes are trimmed
    ],
)
def test_an_operation_url_joins_the_base_path_with_one_slash_and_encodes_its_query(
    base: str, relative: str, params: dict[str, str] | None, expected: str
) -> None:
    url = httpx2.URL(join_url(str(httpx2.URL(base)).rstrip("/"), relative, params))
    assert (url.scheme, url.host, url.raw_path.decode()) == ("https", "h", expected)


def test_an_argument_no_url_can_carry_is_a_value_error_saying_so() -> None:
    with (
        FilesClient("https://r.openai.azure.com", api_key="k") as client,
        pytest.raises(ValueError, match=r"^the arguments do not make a valid request URL: \S"),
    ):
        client.get_file("f" * 70_000)
