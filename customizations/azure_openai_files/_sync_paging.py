"""Generated from `_async_paging.py` by `.ci/unasync.py`: edit that file, then run
`make generate`. Never edited by hand."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ._models import FileObject
from ._paging import FilePage, next_cursor


class FilePager:
    """The files of a listing, fetched a page at a time as iteration reaches them:
    `for file in pager`, or `for page in pager.by_page()` for each page as a
    list. Each iteration starts the listing anew."""

    def __init__(self, fetch_page: Callable[[str | None], FilePage], page_size: int | None) -> None:
        self._fetch_page = fetch_page
        self._page_size = page_size  # None: the version returns every file at once

    def __iter__(self) -> Iterator[FileObject]:
        return self._files()

    def by_page(self) -> Iterator[list[FileObject]]:
        return self._pages()

    def _files(self) -> Iterator[FileObject]:
        for page in self._pages():
            for file in page:
                yield file

    def _pages(self) -> Iterator[list[FileObject]]:
        after: str | None = None
        used: set[str] = set()
        while True:
            page = self._fetch_page(after)
            yield page.files
            after = next_cursor(page, self._page_size, used)
            if after is None:
                return

    def __repr__(self) -> str:
        return f"{type(self).__name__}(page_size={self._page_size!r})"
