"""Call the service once, without retries, and branch on the error class and its attributes,
as a service that must decide between "retry later", "fix the config" and "give up" does.

    python -m samples.handle_errors FILE_ID
"""

from __future__ import annotations

import sys
import uuid

from azure_openai_files import (
    AuthenticationError,
    FilesClient,
    FilesError,
    NotFoundError,
    RateLimitError,
    ServerError,
    ServiceError,
    TransportError,
)


def main(argv: list[str] | None = None) -> int:
    (file_id,) = sys.argv[1:] if argv is None else argv
    correlation = str(uuid.uuid4())  # our own id, to find the call in the service's logs
    with FilesClient(max_retries=0, deadline=30) as client:
        try:
            file = client.get_file(file_id, client_request_id=correlation)
        except RateLimitError as error:
            wait = "unknown" if error.retry_after is None else f"{error.retry_after:g} s"
            print(f"throttled: retry after {wait} (request id {error.request_id})")
            return 75
        except AuthenticationError as error:
            print(f"fix the key: {error.code} (HTTP {error.status_code})")
            return 77
        except NotFoundError as error:
            print(f"no such file: {error.code}: {error.message}")
            print(f"ids: {error.request_id} {error.client_request_id == correlation}")
            return 66
        except ServerError as error:
            print(f"service failed: {error.code} {error.target} {len(error.details)} details")
            return 69
        except ServiceError as error:
            print(f"service said no: HTTP {error.status_code} {error.code}: {error.message}")
            return 1
        except TransportError as error:
            print(f"network: {error}")
            return 69
        except FilesError as error:
            print(f"other: {error}")
            return 1
    print(f"found {file.filename}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
