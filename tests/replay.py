"""The replay server's first home, kept so that `python -m tests.replay` (the command the
README shows) and `from tests.replay import ...` still work: the code is in
tests/support/replay.py."""

from __future__ import annotations

import sys

from tests.support.replay import (
    FAKE_ENDPOINT,
    FAKE_HOST,
    PROVENANCE_KINDS,
    RECORDINGS_DIR,
    GeneratedBody,
    Recording,
    ReplayServer,
    api_versions,
    dump_recording,
    encode_body,
    load_recording,
    load_recordings,
    main,
    replay_server,
    replaying,
    unknown_route_body,
)

__all__ = [
    "FAKE_ENDPOINT",
    "FAKE_HOST",
    "PROVENANCE_KINDS",
    "RECORDINGS_DIR",
    "GeneratedBody",
    "Recording",
    "ReplayServer",
    "api_versions",
    "dump_recording",
    "encode_body",
    "load_recording",
    "load_recordings",
    "main",
    "replay_server",
    "replaying",
    "unknown_route_body",
]

if __name__ == "__main__":
    sys.exit(main())
