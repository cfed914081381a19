"""Upload a training file, wait until the service has processed it, then delete it.

python -m samples.upload_then_delete TRAINING_FILE
"""

from __future__ import annotations

import sys

from azure_openai_files import (
    FileProcessingError,
    FilesClient,
    ServiceError,
    UnsupportedOperationError,
    WaitTimeoutError,
)


def main(argv: list[str] | None = None) -> int:
    (path,) = sys.argv[1:] if argv is None else argv
    with FilesClient() as client:  # AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY, OPENAI_API_VERSION
        try:
            uploaded = client.upload_file(path, purpose="fine-tune")
            print(f"uploaded {uploaded.filename} as {uploaded.id} ({uploaded.status})")
            if uploaded.id is None:
                print("the service gave the file no id")
                return 1
            file_id = uploaded.id
            file = client.wait_for_processing(file_id, timeout=30, poll_interval=0.1)
            print(f"{file_id} is {file.status}: {file.bytes} bytes")
        except UnsupportedOperationError as error:
            print(f"cannot upload: {error}")
            return 2
        except (FileProcessingError, WaitTimeoutError) as error:
            print(f"not usable for training: {error}")
            return 5
        except ServiceError as error:
            print(f"HTTP {error.status_code} {error.code}: {error.message}")
            return 1
        deletion = client.delete_file(file_id)
    print(f"deleted {deletion.id}: {deletion.deleted}")
    return 0 if deletion.deleted else 1


if __name__ == "__main__":
    sys.exit(main())
