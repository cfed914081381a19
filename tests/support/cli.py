"""What the command line's tests share: the api-version and recorded files they ask for, a key
that must never show, and running `main(argv)` in-process."""

from __future__ import annotations

from azure_openai_files._cli import main
from tests.support.replay import load_recordings

API_VERSION = "2024-10-21"
# Distinctive, so that finding it anywhere in output means it leaked.
SECRET_KEY = "sk-cli-test-K3Y-must-never-appear-9f8e7d"
DOCS_FILE = "file-181a1cbdcdcf4677ada87f63a0928099"
RESULTS_FILE = "file-5b8e0f6a2c3d4e7f9a1b2c3d4e5f6a7b"
LARGE_FILE = "file-e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6"
FAILED_FILE = "file-4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a"

PENDING = {"id": "file-x", "object": "file", "purpose": "fine-tune", "filename": "t.jsonl"}
HOSTILE_NAME = "report\n\x1b]0;owned\x07\x1b[31mred.jsonl"


def recording(name: str) -> object:
    (found,) = [r for r in load_recordings(API_VERSION) if r.name == name]
    return found


def run_cli(*argv: str) -> int:
    return main(list(argv))


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("azure-openai-files: ")
    return lines[0]
