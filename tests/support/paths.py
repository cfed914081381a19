"""Where things are, for tests in any folder under tests/."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent  # the repository: pyproject.toml, openapi/, generated/, .ci/
TLS = TESTS / "tls"  # a self-signed certificate for 127.0.0.1, tests only
