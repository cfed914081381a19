"""Fetch several files' metadata concurrently, then stream and download the first ready one.

python -m samples.async_fetch FOLDER FILE_ID [FILE_ID ...]
"""

from __future__ import annotations

import asyncio
import hashlib
import sys
from pathlib import Path

from azure_openai_files import AsyncFilesClient, FileObject, FileState, ServiceError


async def fetch(folder: Path, file_ids: list[str]) -> int:
    async with AsyncFilesClient() as client:
        results = await asyncio.gather(
            *(client.get_file(file_id) for file_id in file_ids), return_exceptions=True
        )
        ready: list[FileObject] = []
        for file_id, result in zip(file_ids, results, strict=True):
            if isinstance(result, ServiceError):
                print(f"{file_id}: HTTP {result.status_code} {result.code}")
            elif isinstance(result, BaseException):
                raise result
            else:
                print(f"{file_id}: {result.filename} {result.status}")
                if result.status == FileState.PROCESSED and result.id is not None:
                    ready.append(result)
        if not ready:
            return 1
        first = ready[0]
        assert first.id is not None
        streamed = hashlib.sha256()
        async with client.stream_file_content(first.id) as stream:
            async for chunk in stream.iter_bytes():
                streamed.update(chunk)
        path = await client.download_file(first.id, folder / "downloaded.bin", overwrite=True)
        downloaded = hashlib.sha256(path.read_bytes()).hexdigest()
        print(f"streamed sha256 {streamed.hexdigest()}")
        print(f"downloaded sha256 {downloaded}")
    return 0


def main(argv: list[str] | None = None) -> int:
    folder, *file_ids = sys.argv[1:] if argv is None else argv
    return asyncio.run(fetch(Path(folder), file_ids))


if __name__ == "__main__":
    sys.exit(main())
