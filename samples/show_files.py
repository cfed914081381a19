"""Print one line per file: id, name, status and size; a missing file is reported, not fatal.

python -m samples.show_files FILE_ID [FILE_ID ...]
"""

from __future__ import annotations

import sys

from azure_openai_files import FileObject, FilesClient, FileState, NotFoundError


def describe(file: FileObject) -> str:
    size = "size unknown" if file.bytes is None else f"{file.bytes} bytes"
    # Known statuses are FileState members; newer ones arrive as plain strings.
    state = "ready" if file.status == FileState.PROCESSED else f"status {file.status}"
    return f"{file.id} {file.filename}: {state}, {size}, purpose {file.purpose}"


def main(argv: list[str] | None = None) -> int:
    file_ids = sys.argv[1:] if argv is None else argv
    missing = 0
    with FilesClient() as client:  # AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY, OPENAI_API_VERSION
        for file_id in file_ids:
            try:
                print(describe(client.get_file(file_id)))
            except NotFoundError as error:
                missing += 1
                print(f"{file_id}: not found (code {error.code}, request id {error.request_id})")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
