"""`AsyncFilePager`, what `AsyncFilesClient.list_files` returns. This file is the source of
`_sync_paging.py` (`FilePager`, written by `.ci/unasync.py`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

from ._models import FileObject
from ._paging import FilePage, next_cursor


class AsyncFilePager:
    """The files of a listing, fetched a page at a time as iteration reaches them:
    `async for file in pager`, or `async for page in pager.by_page()` for each page as a
    list. Each iteration starts the listing anew."""

    def __init__(
        self, fetch_page: Callable[[str | None], Awaitable[FilePage]], page_size: int | None
    ) -> None:
        self._fetch_page = fetch_page
        self._page_size = page_size  # None: the version returns every file at once

    def __aiter__(self) -> AsyncIterator[FileObject]:
        return self._files()

    def by_page(self) -> AsyncIterator[list[FileObject]]:
        return self._pages()

    async def _files(self) -> AsyncIterator[FileObject]:
        async for page in self._pages():
            for file in page:
                yield file

    async def _pages(self) -> AsyncIterator[list[FileObject]]:
        after: str | None = None
        used: set[str] = set()
        while True:
            page = await self._fetch_page(after)
            yield page.files
            after = next_cursor(page, self._page_size, used)
            if after is None:
                return

    def __repr__(self) -> str:
        return f"{type(self).__name__}(page_size={self._page_size!r})"
