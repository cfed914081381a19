"""Re-record the reproducible exchanges against a real Azure OpenAI resource (live mode).

    AZURE_OPENAI_ENDPOINT=https://<resource>.openai.azure.com \\
    AZURE_OPENAI_API_KEY=<key> AZURE_OPENAI_FILE_ID=file-... \\
    python -m tests.support.record --api-version 2024-10-21 [--out DIR]

Records, with plain httpx2 (not the SDK, so the recordings do not depend on it):
`live-get` and `live-content` of AZURE_OPENAI_FILE_ID, `live-get-not-found` of an id that
does not exist, and `live-get-unauthorized` with a wrong key. Secrets are scrubbed before
anything is written: `api-key`/`Authorization`/cookies are dropped, the key's value is
replaced wherever it appears, and the resource's URL and host are replaced by the fake
host in headers and bodies. Request ids are kept: they are what the recordings are for.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2

from azure_openai_files._generated_api import get_file_content_operation, get_file_operation
from azure_openai_files._operation import Expect
from tests.support.replay import (
    FAKE_ENDPOINT,
    FAKE_HOST,
    RECORDINGS_DIR,
    dump_recording,
    encode_body,
)

# Distinct from the hand-made recordings' ids: the replay server keys on the path.
NONEXISTENT_FILE_ID = "file-live0000000000000000000000000000"
WRONG_KEY_FILE_ID = "file-live-wrong-key-probe"
WRONG_KEY = "00000000000000000000000000000000"
REDACTED = "REDACTED"

_SECRET_HEADERS = frozenset(
    {"api-key", "authorization", "cookie", "set-cookie", "ocp-apim-subscription-key"}
)
# Computed by whoever serves the body; httpx2 also decodes content-encoding.
_DROPPED_HEADERS = frozenset(
    {"content-length", "transfer-encoding", "connection", "keep-alive", "content-encoding"}
)


class Scrubber:
    """Replaces the resource's URL/host and the key by fixed fakes, in text and in bytes."""

    def __init__(self, endpoint: str, api_key: str) -> None:
        parts = urlsplit(endpoint)
        host, netloc = parts.hostname or "", parts.netloc
        origin = f"{parts.scheme}://{netloc}"
        pairs = [(api_key, REDACTED), (origin, FAKE_ENDPOINT), (netloc, FAKE_HOST)]
        if host and host != netloc:
            pairs.append((host, FAKE_HOST))
        # Longest first, so a URL is replaced whole before its host part.
        self._pairs = sorted(((a, b) for a, b in pairs if a), key=lambda p: -len(p[0]))

    def text(self, value: str) -> str:
        for secret, fake in self._pairs:
            value = value.replace(secret, fake)
        return value

    def data(self, value: bytes) -> bytes:
        for secret, fake in self._pairs:
            value = value.replace(secret.encode(), fake.encode())
        return value

    def headers(self, headers: Mapping[str, str], drop: frozenset[str]) -> dict[str, str]:
        return {
            name.lower(): self.text(value)
            for name, value in headers.items()
            if name.lower() not in _SECRET_HEADERS | drop
        }


def _exchange_document(
    response: httpx2.Response, provenance: str, description: str, scrub: Scrubber
) -> dict[str, Any]:
    request = response.request
    query = {k: scrub.text(v) for k, v in request.url.params.items()}
    # Drop what httpx2 adds by itself; keep what says how the request was made.
    request_drop = frozenset({"host", "accept-encoding", "user-agent", "connection"})
    return {
        "provenance": provenance,
        "description": description,
        "request": {
            "method": request.method,
            "endpoint": FAKE_ENDPOINT,
            "path": scrub.text(request.url.path),
            "query": query,
            "headers": scrub.headers(request.headers, request_drop),
        },
        "response": {
            "status": response.status_code,
            "headers": scrub.headers(response.headers, _DROPPED_HEADERS),
            "body": encode_body(scrub.data(response.content)),
        },
    }


def record(
    endpoint: str,
    api_key: str,
    file_id: str,
    api_version: str,
    out_dir: Path,
    *,
    timeout: float = 60.0,
) -> list[Path]:
    """Record the live cases into `out_dir`; returns the files written."""
    endpoint = endpoint.rstrip("/")
    scrub = Scrubber(endpoint, api_key)
    cases = [
        ("live-get", file_id, "", api_key, "Files - Get of an existing file."),
        ("live-content", file_id, "/content", api_key, "Files - Get Content of that file."),
        (
            "live-get-not-found",
            NONEXISTENT_FILE_ID,
            "",
            api_key,
            "Files - Get of a file id that does not exist.",
        ),
        (
            "live-get-unauthorized",
            WRONG_KEY_FILE_ID,
            "",
            WRONG_KEY,
            "Files - Get with a wrong api-key.",
        ),
    ]
    written = []
    with httpx2.Client(timeout=timeout, follow_redirects=False) as client:
        for name, fid, suffix, key, description in cases:
            accept = "application/octet-stream, application/json" if suffix else "application/json"
            # The same generated request builders the SDK uses: each version's own route.
            operation = (
                get_file_content_operation(fid, api_version, "get_file_content", Expect.CONTENT)
                if suffix
                else get_file_operation(fid, api_version)
            )
            response = client.get(
                f"{endpoint}/openai{operation.url}",
                params=operation.params,
                headers={
                    "api-key": key,
                    "accept": accept,
                    "accept-encoding": "identity",
                    "x-ms-client-request-id": str(uuid.uuid4()),
                },
            )
            document = _exchange_document(response, "live", description, scrub)
            path = out_dir / f"{name}.yaml"
            dump_recording(document, path)
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.record", description=__doc__)
    parser.add_argument(
        "--api-version",
        default=os.environ.get("OPENAI_API_VERSION", "2024-10-21"),
        help="default: $OPENAI_API_VERSION, else 2024-10-21",
    )
    parser.add_argument("--out", type=Path, default=None, help="default: tests/recordings/<v>/")
    args = parser.parse_args(argv)
    missing = [
        name
        for name in ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_FILE_ID")
        if not os.environ.get(name)
    ]
    if missing:
        parser.error("set " + ", ".join(missing))
    out_dir = args.out or RECORDINGS_DIR / args.api_version
    written = record(
        os.environ["AZURE_OPENAI_ENDPOINT"],
        os.environ["AZURE_OPENAI_API_KEY"],
        os.environ["AZURE_OPENAI_FILE_ID"],
        args.api_version,
        out_dir,
    )
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
