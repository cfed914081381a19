"""Download one file into a folder under its own name, reporting progress as it arrives.

python -m samples.download_with_progress FILE_ID FOLDER
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from azure_openai_files import FilesClient, IncompleteDownloadError, TransportError


class PercentProgress:
    """Remembers each whole percent reached (or each MiB when the size is unknown)."""

    def __init__(self) -> None:
        self.marks: list[int] = []

    def __call__(self, done: int, total: int | None) -> None:
        mark = done * 100 // total if total else done // 2**20
        if not self.marks or mark > self.marks[-1]:
            self.marks.append(mark)


def main(argv: list[str] | None = None) -> int:
    file_id, folder = sys.argv[1:3] if argv is None else argv
    progress = PercentProgress()
    with FilesClient(max_retries=2) as client:
        info = client.get_file(file_id)
        destination = Path(folder) / Path(info.filename).name
        try:
            path = client.download_file(file_id, destination, overwrite=True, progress=progress)
        except IncompleteDownloadError as error:
            print(f"only {error.received} of {error.expected} bytes arrived; nothing written")
            return 4
        except TransportError as error:
            print(f"network trouble: {error}")
            return 4
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    print(f"{path.name} {path.stat().st_size} bytes sha256 {digest}")
    print(f"progress reached {progress.marks[-1] if progress.marks else 0}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
