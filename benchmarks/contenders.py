"""The contenders: the SDK, raw httpx2 doing the same HTTP work (the baseline), raw httpx
(the unmaintained predecessor, a reference row), and the openai SDK; in the concurrency and
download parts also the SDK and openai on aiohttp, with raw aiohttp as the baseline there;
in the load part also azure-core and an ideal client (their code is in load_child.py).

Each factory imports its library lazily, so a missing optional library (openai) or an SDK
that is not importable yet only drops that contender.
"""

from __future__ import annotations

import asyncio
import functools
import http.client
import importlib
import importlib.util
import json
import urllib.parse
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

API_VERSION = "2024-10-21"
API_KEY = "bench-fake-key"
# Raw clients keep their default settings except the timeout: 256 workers on a 100-connection
# pool wait longer for a connection than httpx's 5 s default on a slow machine (the SDK's
# pool timeout is 10 s and the openai SDK's 600 s).
RAW_TIMEOUT = 60.0

SyncCall = Callable[[str], object]
AsyncCall = Callable[[str], Awaitable[object]]
Close = Callable[[], object]


def sdk_available() -> bool:
    try:
        module = importlib.import_module("azure_openai_files")
    except ImportError:
        return False
    return hasattr(module, "FilesClient") and hasattr(module, "AsyncFilesClient")


def openai_available() -> bool:
    try:
        importlib.import_module("openai")
    except ImportError:
        return False
    return True


def version_of(module_name: str) -> str | None:
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    return str(getattr(module, "__version__", "unknown"))


def _path(file_id: str) -> str:
    return f"/openai/files/{urllib.parse.quote(file_id, safe='')}"


# --- sequential metadata GET -------------------------------------------------------------


def sync_floor(endpoint: str) -> tuple[SyncCall, Close]:
    """stdlib http.client keep-alive: what one GET costs with (almost) no client library."""
    netloc = urllib.parse.urlsplit(endpoint).netloc
    conn = http.client.HTTPConnection(netloc)
    headers = {"api-key": API_KEY}

    def call(file_id: str) -> object:
        conn.request("GET", f"{_path(file_id)}?api-version={API_VERSION}", headers=headers)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
        return json.loads(body)

    return call, conn.close


def _sync_raw(module_name: str) -> Callable[[str], tuple[SyncCall, Close]]:
    """The same GET with a plain `Client` of httpx2 or httpx, default settings."""

    def factory(endpoint: str) -> tuple[SyncCall, Close]:
        http = importlib.import_module(module_name)
        client = http.Client(base_url=endpoint, headers={"api-key": API_KEY})
        params = {"api-version": API_VERSION}

        def call(file_id: str) -> object:
            response = client.get(_path(file_id), params=params)
            response.raise_for_status()
            return response.json()

        return call, client.close

    return factory


def sync_sdk(endpoint: str) -> tuple[SyncCall, Close]:
    from azure_openai_files import FilesClient

    client = FilesClient(endpoint, api_key=API_KEY)
    return client.get_file, client.close


def sync_openai(endpoint: str) -> tuple[SyncCall, Close]:
    from openai import AzureOpenAI

    client = AzureOpenAI(azure_endpoint=endpoint, api_key=API_KEY, api_version=API_VERSION)
    return client.files.retrieve, client.close


# --- concurrent metadata GET -------------------------------------------------------------

# The concurrency part runs each of these in a process of its own (concurrency_child.py). A
# factory is a coroutine: an aiohttp session belongs to the event loop it is made in.
AsyncClose = Callable[[], Coroutine[Any, Any, object]]
AsyncFactory = Callable[[str], Coroutine[Any, Any, tuple[AsyncCall, AsyncClose]]]


class Unavailable(Exception):
    """The contender's library is installed but cannot do what the contender needs."""


def _async_raw(module_name: str) -> AsyncFactory:
    """The same GET with a plain `AsyncClient` of httpx2 or httpx, default settings."""

    async def factory(endpoint: str) -> tuple[AsyncCall, AsyncClose]:
        http = importlib.import_module(module_name)
        client = http.AsyncClient(
            base_url=endpoint, headers={"api-key": API_KEY}, timeout=RAW_TIMEOUT
        )
        params = {"api-version": API_VERSION}

        async def call(file_id: str) -> object:
            response = await client.get(_path(file_id), params=params)
            response.raise_for_status()
            return response.json()

        return call, client.aclose

    return factory


async def async_raw_aiohttp(endpoint: str) -> tuple[AsyncCall, AsyncClose]:
    """The same GET with a plain `aiohttp.ClientSession`, default settings (its own pool of
    100 connections, a 5-minute total timeout): the baseline of the SDK on aiohttp."""
    import aiohttp

    session = aiohttp.ClientSession(headers={"api-key": API_KEY})
    base = endpoint.rstrip("/")
    params = {"api-version": API_VERSION}

    async def call(file_id: str) -> object:
        async with session.get(base + _path(file_id), params=params) as response:
            response.raise_for_status()
            return await response.json()

    return call, session.close


async def async_sdk(endpoint: str) -> tuple[AsyncCall, AsyncClose]:
    from azure_openai_files import AsyncFilesClient

    client = AsyncFilesClient(endpoint, api_key=API_KEY)
    return client.get_file, client.close


async def async_sdk_aiohttp(endpoint: str) -> tuple[AsyncCall, AsyncClose]:
    """The SDK sending through a caller's aiohttp session. The SDK never closes a caller's
    session, so closing the contender closes the client, then the session."""
    import aiohttp

    from azure_openai_files import AsyncFilesClient

    # Typed Any: whichever `http_client` type the installed SDK declares, this type-checks.
    session: Any = aiohttp.ClientSession()
    try:
        client = AsyncFilesClient(endpoint, api_key=API_KEY, http_client=session)
    except TypeError as error:  # an SDK without the aiohttp transport takes only httpx2's
        await session.close()
        raise Unavailable(f"SDK aiohttp transport not available ({error})") from error

    async def close() -> None:
        await client.close()
        await session.close()

    return client.get_file, close


async def async_openai(endpoint: str) -> tuple[AsyncCall, AsyncClose]:
    from openai import AsyncAzureOpenAI

    client = AsyncAzureOpenAI(azure_endpoint=endpoint, api_key=API_KEY, api_version=API_VERSION)
    return client.files.retrieve, client.close


async def async_openai_aiohttp(endpoint: str) -> tuple[AsyncCall, AsyncClose]:
    """openai's aiohttp option (the `aiohttp` extra): an httpx2.AsyncClient whose transport is
    aiohttp, with openai's defaults. `close()` closes it, as it does openai's own client."""
    from openai import AsyncAzureOpenAI, DefaultAioHttpClient

    client = AsyncAzureOpenAI(
        azure_endpoint=endpoint,
        api_key=API_KEY,
        api_version=API_VERSION,
        http_client=DefaultAioHttpClient(),
    )
    return client.files.retrieve, client.close


SYNC_GET: dict[str, Callable[[str], tuple[SyncCall, Close]]] = {
    "http.client": sync_floor,
    "raw_httpx2": _sync_raw("httpx2"),
    "raw_httpx": _sync_raw("httpx"),
    "sdk": sync_sdk,
    "openai": sync_openai,
}
# The concurrency part's six: the SDK and openai each on its default stack (httpx2) and on
# aiohttp, and each stack raw (the baseline of the SDK on it).
ASYNC_GET: dict[str, AsyncFactory] = {
    "sdk": async_sdk,
    "sdk_aiohttp": async_sdk_aiohttp,
    "raw_httpx2": _async_raw("httpx2"),
    "raw_aiohttp": async_raw_aiohttp,
    "openai": async_openai,
    "openai_aiohttp": async_openai_aiohttp,
}
# The raw stack under each library contender: its ratio in the table is taken against it.
ASYNC_BASELINES = {
    "sdk": "raw_httpx2",
    "sdk_aiohttp": "raw_aiohttp",
    "openai": "raw_httpx2",
    "openai_aiohttp": "raw_aiohttp",
}
# raw_httpx2_fsync: raw httpx2 plus one fsync before returning, as the SDK does to make a
# download durable before renaming it into place (for reading the SDK's ratio, no target).
# sdk_aiohttp: the async SDK downloading through a caller's aiohttp session; raw_aiohttp
# streams the body to a file (`iter_chunked`), raw_aiohttp_fsync adds the same one fsync.
DOWNLOAD = (
    "raw_httpx2",
    "raw_httpx2_fsync",
    "raw_httpx",
    "sdk",
    "openai",
    "openai_streaming",
    "raw_aiohttp",
    "raw_aiohttp_fsync",
    "sdk_aiohttp",
)
# The download table's ratio for the aiohttp rows is to raw aiohttp, the others' to raw httpx2.
DOWNLOAD_BASELINES = {"sdk_aiohttp": "raw_aiohttp", "raw_aiohttp_fsync": "raw_aiohttp"}
# Each figure is one import statement in a fresh process; sdk_aiohttp is the SDK with the
# aiohttp it would send through (no target: what the aiohttp stack costs at import).
IMPORTS = {
    "httpx2": "httpx2",
    "httpx": "httpx",
    "sdk": "azure_openai_files",
    "openai": "openai",
    "aiohttp": "aiohttp",
    "sdk_aiohttp": "azure_openai_files, aiohttp",
}
BASELINE = "raw_httpx2"  # what every target's ratio is taken against, but those on aiohttp
# The load part (benchmarks/load_child.py): the SDK, openai, azure-core's pipeline on its
# default aiohttp transport, and an ideal client (raw httpx2 behind one pacer at the budget).
LOAD = ("sdk", "openai", "azure_core", "ideal")


# The upload part (benchmarks/upload_child.py), each in a process of its own: raw httpx2
# streaming the SDK's multipart form from disk (the baseline, sync and async), the SDK, openai
# given a path (read whole, as its README shows) and given an open file (streamed by httpx2),
# and the form sent with `socket.sendfile` (the server's ceiling, no target).
UPLOAD = (
    "raw_httpx2",
    "raw_httpx2_async",
    "sdk",
    "sdk_async",
    "openai",
    "openai_fileobj",
    "sendfile",
)
UPLOAD_BASELINES = {"sdk": "raw_httpx2", "sdk_async": "raw_httpx2_async"}

# --- listing (2025-04-01-preview: pages by limit and after, no has_more) -----------------

LIST_API_VERSION = "2025-04-01-preview"
ListCall = Callable[[], Awaitable[int]]  # one whole listing; the number of files listed


def _list_raw(endpoint: str, page_size: int | None) -> tuple[ListCall, ListCall]:
    """Raw httpx2: each page a GET with limit and after, its JSON parsed, no models; a page
    shorter than the limit is the last."""
    import httpx2

    client = httpx2.Client(base_url=endpoint, headers={"api-key": API_KEY}, timeout=RAW_TIMEOUT)
    limit = page_size or 10_000

    async def call() -> int:
        count, after = 0, None
        while True:
            params: dict[str, Any] = {"api-version": LIST_API_VERSION, "limit": limit}
            if after is not None:
                params["after"] = after
            response = client.get("/openai/files", params=params)
            response.raise_for_status()
            data = response.json()["data"]
            count += len(data)
            if len(data) < limit:
                return count
            after = data[-1]["id"]

    async def close() -> int:
        client.close()
        return 0

    return call, close


def _list_sdk(endpoint: str, page_size: int | None) -> tuple[ListCall, ListCall]:
    from azure_openai_files import FilesClient

    client = FilesClient(endpoint, api_key=API_KEY, api_version=LIST_API_VERSION)

    async def call() -> int:
        return sum(1 for _ in client.list_files(page_size=page_size))

    async def close() -> int:
        client.close()
        return 0

    return call, close


def _list_sdk_async(endpoint: str, page_size: int | None) -> tuple[ListCall, ListCall]:
    from azure_openai_files import AsyncFilesClient

    client = AsyncFilesClient(endpoint, api_key=API_KEY, api_version=LIST_API_VERSION)

    async def call() -> int:
        count = 0
        async for _ in client.list_files(page_size=page_size):
            count += 1
        return count

    async def close() -> int:
        await client.close()
        return 0

    return call, close


def _list_openai(endpoint: str, page_size: int | None) -> tuple[ListCall, ListCall]:
    """`files.list()` iterated through every page it fetches (it follows `after` while a
    page has files and no `has_more: false`)."""
    from openai import AzureOpenAI

    client = AzureOpenAI(azure_endpoint=endpoint, api_key=API_KEY, api_version=LIST_API_VERSION)
    options: dict[str, Any] = {} if page_size is None else {"limit": page_size}

    async def call() -> int:
        return sum(1 for _ in client.files.list(**options))

    async def close() -> int:
        client.close()
        return 0

    return call, close


def _list_openai_async(endpoint: str, page_size: int | None) -> tuple[ListCall, ListCall]:
    from openai import AsyncAzureOpenAI

    client = AsyncAzureOpenAI(
        azure_endpoint=endpoint, api_key=API_KEY, api_version=LIST_API_VERSION
    )
    options: dict[str, Any] = {} if page_size is None else {"limit": page_size}

    async def call() -> int:
        count = 0
        async for _ in client.files.list(**options):
            count += 1
        return count

    async def close() -> int:
        await client.close()
        return 0

    return call, close


LIST: dict[str, Callable[[str, int | None], tuple[ListCall, ListCall]]] = {
    "raw_httpx2": _list_raw,
    "sdk": _list_sdk,
    "sdk_async": _list_sdk_async,
    "openai": _list_openai,
    "openai_async": _list_openai_async,
}


def azure_core_available() -> bool:
    """azure-core and aiohttp, the transport its async pipeline uses by default."""
    try:  # find_spec imports the parent package: no `azure` at all raises
        return all(importlib.util.find_spec(name) is not None for name in ("azure.core", "aiohttp"))
    except ImportError:
        return False


def aiohttp_available() -> bool:
    return importlib.util.find_spec("aiohttp") is not None


@functools.cache
def sdk_aiohttp_unavailable() -> str | None:
    """Why the SDK cannot send through an aiohttp session here, or None when it can: the
    contender built once (no request), then closed."""
    if not sdk_available() or not aiohttp_available():
        return "the SDK or aiohttp is not importable"

    async def probe() -> str | None:
        try:
            _, close = await async_sdk_aiohttp("http://127.0.0.1:9")
        except Unavailable as error:
            return str(error)
        await close()
        return None

    return asyncio.run(probe())


def available(names: list[str] | tuple[str, ...], *, clients: bool = True) -> list[str]:
    """Drop the contenders whose library is not importable here, and (unless `clients` is
    False: the import part builds none) sdk_aiohttp when the SDK takes no aiohttp session."""
    keep = []
    for name in names:
        if name in ("raw_httpx", "httpx") and importlib.util.find_spec("httpx") is None:
            continue
        if name.startswith("sdk") and not sdk_available():
            continue
        if name.startswith("openai") and not openai_available():
            continue
        if name == "azure_core" and not azure_core_available():
            continue
        if "aiohttp" in name and not aiohttp_available():
            continue
        if name == "sdk_aiohttp" and clients and sdk_aiohttp_unavailable() is not None:
            continue
        keep.append(name)
    return keep
