"""When a listing goes on: the one rule for the four ways the api-versions page `GET /files`.

- 2024-06-01 and 2024-10-21 return every file at once: one page.
- 2025-04-01-preview takes `limit` and `after` but says nothing of more pages: a page
  shorter than the limit asked for is the last.
- v1 says `has_more` (and `last_id`): followed with `after=<last_id>`.
- Whatever the version, an empty page ends the list, and so does a cursor already used (a
  service that hands the same cursor back would otherwise be asked forever).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ._errors import InvalidArgument, InvalidArgumentType
from ._logging import logger
from ._models import FileObject

# What a page asks for when the caller does not say: the most every paging version allows.
MAX_PAGE_SIZE = 10_000
ORDERS = ("asc", "desc")


class FilePage(NamedTuple):
    files: list[FileObject]
    has_more: bool | None  # None when the response does not say
    last_id: str | None


def check_page_size(page_size: object) -> int | None:
    if page_size is None:
        return None
    if isinstance(page_size, bool) or not isinstance(page_size, int):
        raise InvalidArgumentType("page_size", f"must be an int, not {type(page_size).__name__}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidArgument("page_size", f"must be from 1 to {MAX_PAGE_SIZE}, not {page_size}")
    return page_size


def check_order(order: object) -> str | None:
    if order is None:
        return None
    if order not in ORDERS:
        raise InvalidArgument("order", f"must be 'asc' or 'desc', not {order!r}")
    return str(order)


def next_cursor(page: FilePage, limit: int | None, used: set[str]) -> str | None:
    """The `after` of the next page, or None when `page` is the last. `limit`: the page size
    asked for, None for a version that returns every file at once."""
    if not page.files or limit is None or page.has_more is False:
        return None
    if page.has_more is None and len(page.files) < limit:
        return None
    cursor = page.last_id or page.files[-1].id
    if not cursor or cursor in used:
        logger.warning(
            "Listing stopped: the service gave no new cursor after %d files (%r)",
            len(page.files),
            cursor,
        )
        return None
    used.add(cursor)
    return cursor


def page_fields(document: Any) -> tuple[list[Any], bool | None, str | None]:
    """A list response's items, `has_more` and `last_id`, each None when absent; TypeError
    when the document is not a list of files."""
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise TypeError("expected an object with a `data` array of files")
    has_more = document.get("has_more")
    last_id = document.get("last_id")
    return (
        document["data"],
        has_more if isinstance(has_more, bool) else None,
        last_id if isinstance(last_id, str) else None,
    )
