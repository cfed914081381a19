"""Listing files: lazy, complete across pages in each api-version's paging shape, and never
looping on a service that repeats itself."""

from __future__ import annotations

import logging

import pytest

from azure_openai_files import FileObject, FilesClient
from azure_openai_files._errors import InvalidArgument, UnsupportedOperationError
from tests.support.clients import FAKE_KEY, KINDS, Clients
from tests.support.files_service import files_service
from tests.support.loopback import respond_json, serving

PAGING = {
    "2024-06-01": "all",
    "2024-10-21": "all",
    "2025-04-01-preview": "short-page",
    "v1": "has-more",
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("api_version", list(PAGING))
def test_every_file_is_listed_once_in_order_whatever_the_paging(
    kind: str, api_version: str
) -> None:
    with files_service(paging=PAGING[api_version]) as (service, endpoint):
        service.add_files(2_501)
        files = Clients(kind, endpoint, api_version=api_version).list(page_size=1_000, order="asc")
    assert [f.id for f in files] == [f["id"] for f in service.files]
    assert all(isinstance(f, FileObject) for f in files)
    pages = 1 if PAGING[api_version] == "all" else 3
    assert len([s for s in service.seen if s.path == "/files"]) == pages


@pytest.mark.parametrize("kind", KINDS)
def test_more_than_ten_thousand_files_are_all_listed(kind: str) -> None:
    with files_service(paging="short-page") as (service, endpoint):
        service.add_files(10_050)
        pages = Clients(kind, endpoint, api_version="2025-04-01-preview").list(by_page=True)
    assert [len(page) for page in pages] == [10_000, 50]
    assert [s.query.get("limit") for s in service.seen] == ["10000", "10000"]
    assert service.seen[1].query["after"] == pages[0][-1].id


@pytest.mark.parametrize("kind", KINDS)
def test_v1_follows_has_more_with_the_last_id(kind: str) -> None:
    with files_service(paging="has-more") as (service, endpoint):
        service.add_files(5)
        pages = Clients(kind, endpoint, api_version="v1").list(by_page=True, page_size=2)
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [s.query.get("after") for s in service.seen] == [None, "file-000002", "file-000004"]


@pytest.mark.parametrize("kind", KINDS)
def test_versions_without_paging_send_no_paging_parameters_and_order_here(kind: str) -> None:
    with files_service(paging="all") as (service, endpoint):
        service.add_files(3)
        files = Clients(kind, endpoint, api_version="2024-10-21").list(
            order="desc", purpose="batch", page_size=1
        )
    assert [f.id for f in files] == ["file-000003", "file-000002", "file-000001"]
    assert service.seen[0].query == {"api-version": "2024-10-21", "purpose": "batch"}


@pytest.mark.parametrize("kind", KINDS)
def test_an_empty_listing_is_one_empty_page(kind: str) -> None:
    with files_service(paging="has-more") as (service, endpoint):
        pages = Clients(kind, endpoint, api_version="v1").list(by_page=True)
    assert pages == [[]]
    assert len(service.seen) == 1


def _file(index: int) -> dict[str, object]:
    return {
        "id": f"file-{index}",
        "filename": "a.jsonl",
        "purpose": "batch",
        "object": "file",
        "bytes": 1,
        "created_at": 1_700_000_000,
        "status": "processed",
    }


@pytest.mark.parametrize("kind", KINDS)
def test_a_repeated_cursor_ends_the_listing(kind: str, caplog: pytest.LogCaptureFixture) -> None:
    same = {"object": "list", "data": [_file(1), _file(2)], "has_more": True, "last_id": "file-2"}
    caplog.set_level(logging.WARNING, logger="azure_openai_files")
    with serving(respond_json(200, same)) as server:
        files = Clients(kind, server.endpoint, api_version="v1").list(page_size=2)
    assert len(server.requests) == 2  # the second page handed back the same cursor
    assert len(files) == 4
    assert "no new cursor" in caplog.text


@pytest.mark.parametrize("kind", KINDS)
def test_without_has_more_a_full_page_is_followed_and_a_short_one_ends(kind: str) -> None:
    full = {"object": "list", "data": [_file(1), _file(2)]}
    short = {"object": "list", "data": [_file(3)]}
    with serving(respond_json(200, full), respond_json(200, short)) as server:
        files = Clients(kind, server.endpoint, api_version="v1").list(page_size=2)
    assert [f.id for f in files] == ["file-1", "file-2", "file-3"]
    assert len(server.requests) == 2
    assert "after=file-2" in server.requests[1].query


def test_pages_are_fetched_only_when_iteration_reaches_them() -> None:
    with files_service(paging="short-page") as (service, endpoint):
        service.add_files(30)
        with FilesClient(endpoint, api_key=FAKE_KEY, api_version="2025-04-01-preview") as client:
            pager = client.list_files(page_size=10)
            assert service.seen == []
            first = next(iter(pager))
            assert first.id == "file-000001"
            assert len(service.seen) == 1


@pytest.mark.parametrize(
    ("arguments", "parameter"),
    [
        ({"page_size": 0}, "page_size"),
        ({"page_size": 10_001}, "page_size"),
        ({"order": "newest"}, "order"),
        ({"page_size": True}, "page_size"),
    ],
)
def test_bad_listing_arguments_are_refused_before_sending(
    arguments: dict[str, object], parameter: str
) -> None:
    with serving() as server:
        with (
            FilesClient(server.endpoint, api_key=FAKE_KEY) as client,
            pytest.raises((InvalidArgument, TypeError)) as raised,
        ):
            client.list_files(**arguments)  # type: ignore[arg-type]
        assert server.requests == []
    assert getattr(raised.value, "parameter", None) == parameter


def test_a_bad_page_is_a_typed_error() -> None:
    from azure_openai_files import UnexpectedResponseError

    broken = {"object": "list", "data": [{"id": 3}]}
    with (
        serving(respond_json(200, broken)) as server,
        pytest.raises(UnexpectedResponseError, match="file list does not match"),
    ):
        Clients("sync", server.endpoint, api_version="v1").list()


def test_unsupported_operations_name_the_versions_that_have_them() -> None:
    with (
        serving() as server,
        FilesClient(server.endpoint, api_key=FAKE_KEY, api_version="v1") as client,
    ):
        with pytest.raises(UnsupportedOperationError) as raised:
            client.import_file(
                "https://example.blob.core.windows.net/c/a.jsonl",
                filename="a.jsonl",
                purpose="batch",
            )
        assert server.requests == []
    assert raised.value.supported_by == ("2024-06-01", "2024-10-21", "2025-04-01-preview")
    assert "import_file is not available in api-version v1" in str(raised.value)
