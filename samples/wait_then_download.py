"""Wait until a file is processed, then read its content; a failed file is reported with the
service's details.

    python -m samples.wait_then_download FILE_ID
"""

from __future__ import annotations

import sys

from azure_openai_files import FileProcessingError, FilesClient, WaitTimeoutError


def main(argv: list[str] | None = None) -> int:
    (file_id,) = sys.argv[1:] if argv is None else argv
    with FilesClient() as client:
        try:
            file = client.wait_for_processing(file_id, timeout=30, poll_interval=0.1)
        except FileProcessingError as error:
            print(f"{error.file_id} failed: {error.status_details}")
            return 5
        except WaitTimeoutError as error:
            print(f"{error.file_id} still {error.last_status} after {error.timeout:g} s")
            return 5
        content = client.get_file_content(file_id)
    print(f"{file.filename} is {file.status}: {len(content)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
