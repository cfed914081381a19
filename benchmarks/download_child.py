"""One download in a fresh process, so its peak memory is its own.

    python benchmarks/download_child.py CONTENDER ENDPOINT FILE_ID DESTINATION SIZE

Prints one JSON object: seconds (the download call alone), bytes on disk, and the growth of
the process's peak resident set (VmHWM) over a baseline taken after the imports and the
client construction. The file is deleted before exiting.

The aiohttp contenders run on one event loop made before the baseline: ``sdk_aiohttp`` (the
async SDK's ``download_file`` through a caller's ``aiohttp.ClientSession``) and
``raw_aiohttp`` (the body's ``iter_chunked(1 MiB)`` written to a file; ``raw_aiohttp_fsync``
adds the one fsync the SDK does before renaming into place).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import resource
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

API_VERSION = "2024-10-21"
API_KEY = "bench-fake-key"
CHUNK = 1024 * 1024


def peak_rss_bytes() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux


def main(argv: list[str]) -> None:
    contender, endpoint, file_id, destination, size = argv
    dest = Path(destination)
    runner = asyncio.Runner()  # the aiohttp contenders' loop; the others never start it
    # An aiohttp contender's session, closed after the timing: closing is not the download.
    close: Callable[[], Coroutine[Any, Any, object]] | None = None
    if contender in ("raw_httpx2", "raw_httpx2_fsync", "raw_httpx"):
        import importlib

        http = importlib.import_module("httpx" if contender == "raw_httpx" else "httpx2")
        client = http.Client(base_url=endpoint, headers={"api-key": API_KEY})

        def download() -> None:
            with client.stream(
                "GET", f"/openai/files/{file_id}/content", params={"api-version": API_VERSION}
            ) as response:
                response.raise_for_status()
                with open(dest, "wb") as out:
                    for chunk in response.iter_raw():
                        out.write(chunk)
                    if contender == "raw_httpx2_fsync":
                        out.flush()
                        os.fsync(out.fileno())

    elif contender == "sdk":
        from azure_openai_files import FilesClient

        sdk = FilesClient(endpoint, api_key=API_KEY)

        def download() -> None:
            sdk.download_file(file_id, dest)

    elif contender in ("openai", "openai_streaming"):
        from openai import AzureOpenAI

        oai = AzureOpenAI(azure_endpoint=endpoint, api_key=API_KEY, api_version=API_VERSION)
        if contender == "openai":

            def download() -> None:
                oai.files.content(file_id).write_to_file(dest)

        else:

            def download() -> None:
                with oai.files.with_streaming_response.content(file_id) as response:
                    response.stream_to_file(dest)

    elif contender in ("raw_aiohttp", "raw_aiohttp_fsync"):
        import aiohttp

        async def make_session() -> aiohttp.ClientSession:  # in the loop it will run in
            return aiohttp.ClientSession(headers={"api-key": API_KEY})

        raw = runner.run(make_session())
        url = f"{endpoint.rstrip('/')}/openai/files/{file_id}/content"

        async def fetch() -> None:
            async with raw.get(url, params={"api-version": API_VERSION}) as response:
                response.raise_for_status()
                with open(dest, "wb") as out:
                    async for chunk in response.content.iter_chunked(CHUNK):
                        out.write(chunk)
                    if contender == "raw_aiohttp_fsync":
                        out.flush()
                        os.fsync(out.fileno())

        def download() -> None:
            runner.run(fetch())

        close = raw.close

    elif contender == "sdk_aiohttp":
        import aiohttp

        from azure_openai_files import AsyncFilesClient

        async def build() -> tuple[Any, Any]:
            # Any: whichever `http_client` type the installed SDK declares, this type-checks.
            session: Any = aiohttp.ClientSession()
            return session, AsyncFilesClient(endpoint, api_key=API_KEY, http_client=session)

        session, sdk_async = runner.run(build())

        async def close_both() -> None:
            await sdk_async.close()
            await session.close()  # the SDK leaves a caller's session open

        def download() -> None:
            runner.run(sdk_async.download_file(file_id, dest))

        close = close_both

    else:
        raise SystemExit(f"unknown contender {contender!r}")

    gc.collect()
    baseline = peak_rss_bytes()
    started = time.perf_counter()
    download()
    seconds = time.perf_counter() - started
    peak = peak_rss_bytes()
    if close is not None:
        runner.run(close())
    runner.close()
    on_disk = dest.stat().st_size
    dest.unlink()
    if on_disk != int(size):
        raise SystemExit(f"{contender}: wrote {on_disk} bytes, expected {size}")
    result = {
        "contender": contender,
        "seconds": seconds,
        "bytes": on_disk,
        "baseline_rss": baseline,
        "peak_growth": max(0, peak - baseline),
        "pid": os.getpid(),
    }
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
