"""List a batch's output files (purpose `batch_output`) and download each into a folder,
checking that every download has the size the listing gives.

    python -m samples.download_batch_output DEST_DIR
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from azure_openai_files import FilesClient, ServiceError, UnsupportedOperationError


def main(argv: list[str] | None = None) -> int:
    (destination,) = sys.argv[1:] if argv is None else argv
    folder = Path(destination)
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    with FilesClient() as client:  # AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY, OPENAI_API_VERSION
        try:
            for file in client.list_files(purpose="batch_output"):
                if file.id is None:
                    continue  # nothing to download it by
                target = client.download_file(file.id, folder / Path(file.filename).name)
                data = target.read_bytes()
                if file.bytes is not None and len(data) != file.bytes:
                    print(f"{file.id}: {len(data)} bytes downloaded, {file.bytes} listed")
                    return 1
                print(f"{target.name} {len(data)} bytes sha256 {hashlib.sha256(data).hexdigest()}")
                count += 1
        except UnsupportedOperationError as error:
            print(f"cannot list files: {error}")
            return 2
        except ServiceError as error:
            print(f"HTTP {error.status_code} {error.code}: {error.message}")
            return 1
    print(f"{count} batch output files downloaded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
