"""One upload in a fresh process, so its peak memory is its own.

    python benchmarks/upload_child.py CONTENDER ENDPOINT PATH
        [--single-limit BYTES --part-size BYTES] [--profile FILE]

Prints one JSON object: seconds (the upload call alone), the id of the file the server made,
and the growth of the process's peak resident set (VmHWM) over a baseline taken after the
imports and the client construction. `--single-limit` and `--part-size` lower the SDK's
threshold for the Uploads API and its part size (the smoke run's tiny files take that path
too); `--profile` writes the upload call's cProfile statistics to FILE.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import socket
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

API_VERSION = "2025-04-01-preview"  # a version with the Uploads API
API_KEY = "bench-fake-key"
PURPOSE: Final = "fine-tune"
CHUNK = 1024 * 1024  # what the SDK reads and sends at a time


def peak_rss_bytes() -> int:
    """The process's peak resident set (VmHWM), as download_child.py reads it."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux


def multipart(path: Path) -> tuple[dict[str, str], int, Callable[[], Iterator[bytes]]]:
    """The form the SDK sends (the purpose, then the file), streamed from disk a chunk at a
    time: its headers, its length and a generator of its bytes."""
    boundary = os.urandom(16).hex()
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\n{PURPOSE}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = len(head) + path.stat().st_size + len(tail)

    def body() -> Iterator[bytes]:
        yield head
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
        yield tail

    headers = {
        "api-key": API_KEY,
        "content-type": f"multipart/form-data; boundary={boundary}",
        "content-length": str(length),
    }
    return headers, length, body


def _lower_limits(single_limit: int | None, part_size: int | None) -> None:
    from azure_openai_files import _async_client, _sync_client, _upload

    if single_limit is not None:
        for module in (_async_client, _sync_client, _upload):
            module.MAX_SINGLE_UPLOAD = single_limit  # type: ignore[attr-defined]
    if part_size is not None:
        _upload.PART_SIZE = part_size


def sendfile_upload(endpoint: str, path: Path) -> str:
    """The same form on a bare socket, the file sent by the kernel (`socket.sendfile`): what
    the server takes when a client costs next to nothing, its ceiling."""
    host, _, port = endpoint.removeprefix("http://").partition(":")
    headers, _, _ = multipart(path)
    boundary = headers["content-type"].partition("boundary=")[2]
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\n{PURPOSE}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    request = (
        f"POST /openai/files?api-version={API_VERSION} HTTP/1.1\r\nhost: {host}:{port}\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        + "connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port))) as sock, open(path, "rb") as handle:
        sock.sendall(request + head)
        sock.sendfile(handle)
        sock.sendall(f"\r\n--{boundary}--\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status = answer.split(b" ", 2)[1]
    if not status.startswith(b"2"):
        raise SystemExit(f"sendfile upload: HTTP {status.decode()}")
    return str(json.loads(answer.partition(b"\r\n\r\n")[2])["id"])


def contender(name: str, endpoint: str, path: Path) -> Callable[[], str]:
    """The upload, as a call that returns the id of the file made."""
    if name == "sendfile":
        return lambda: sendfile_upload(endpoint, path)
    if name in ("raw_httpx2", "raw_httpx2_async"):
        import httpx2

        url = f"{endpoint}/openai/files"
        params = {"api-version": API_VERSION}
        if name == "raw_httpx2":
            client = httpx2.Client(timeout=600)

            def upload() -> str:
                headers, _, body = multipart(path)
                response = client.post(url, params=params, content=body(), headers=headers)
                response.raise_for_status()
                return str(response.json()["id"])

            return upload

        async def upload_async() -> str:
            headers, _, body = multipart(path)

            async def stream() -> Any:
                for chunk in body():  # read in the loop, as httpx2 and the SDK read a file
                    yield chunk

            async with httpx2.AsyncClient(timeout=600) as http:
                response = await http.post(url, params=params, content=stream(), headers=headers)
                response.raise_for_status()
                return str(response.json()["id"])

        return lambda: asyncio.run(upload_async())
    if name == "sdk":
        from azure_openai_files import FilesClient

        sdk = FilesClient(endpoint, api_key=API_KEY, api_version=API_VERSION)
        return lambda: str(sdk.upload_file(path, purpose=PURPOSE).id)
    if name == "sdk_async":
        from azure_openai_files import AsyncFilesClient

        async def upload_sdk_async() -> str:
            async with AsyncFilesClient(
                endpoint, api_key=API_KEY, api_version=API_VERSION
            ) as client:
                return str((await client.upload_file(path, purpose=PURPOSE)).id)

        return lambda: asyncio.run(upload_sdk_async())
    if name in ("openai", "openai_fileobj"):
        from openai import AzureOpenAI

        oai = AzureOpenAI(azure_endpoint=endpoint, api_key=API_KEY, api_version=API_VERSION)
        if name == "openai":  # a path, as openai's README passes one: read whole
            return lambda: oai.files.create(file=path, purpose=PURPOSE).id

        def upload_fileobj() -> str:  # an open file: httpx2 streams it
            with open(path, "rb") as handle:
                return oai.files.create(file=handle, purpose=PURPOSE).id

        return upload_fileobj
    raise SystemExit(f"unknown contender {name!r}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("contender")
    parser.add_argument("endpoint")
    parser.add_argument("path", type=Path)
    parser.add_argument("--single-limit", type=int)
    parser.add_argument("--part-size", type=int)
    parser.add_argument("--profile")
    args = parser.parse_args(argv)
    if args.contender.startswith("sdk"):
        _lower_limits(args.single_limit, args.part_size)
    upload = contender(args.contender, args.endpoint, args.path)
    if args.contender == "sdk_async":  # its event loop's own imports, before the baseline
        asyncio.run(asyncio.sleep(0))
    gc.collect()
    baseline = peak_rss_bytes()
    started = time.perf_counter()
    if args.profile:
        import cProfile

        profile = cProfile.Profile()
        file_id = profile.runcall(upload)
        profile.dump_stats(args.profile)
    else:
        file_id = upload()
    seconds = time.perf_counter() - started
    peak = peak_rss_bytes()
    result = {
        "contender": args.contender,
        "seconds": seconds,
        "file_id": file_id,
        "baseline_rss": baseline,
        "peak_growth": max(0, peak - baseline),
        "pid": os.getpid(),
    }
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
