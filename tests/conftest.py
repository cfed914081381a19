"""Shared fixtures, and the tiers. Tests never leave the machine: any connection to a
non-loopback address fails loudly (see `_only_loopback`), in every tier.

Each test is marked with its tier, after the folder it is in (`pytest -m unit`, or the folder:
`pytest tests/unit`):

- unit: tests/unit/, pure logic; no connection, server or subprocess (tests/unit/conftest.py)
- behaviour: tests/test_*.py, one file per behaviour, through both clients on loopback servers
  (at the top of tests/: the README's table of promises names them `test_x.py::test_name`,
  and tests/test_readme.py looks each one up there)
- contract: tests/contract/, the recordings against the documents, replay and record mode;
  also tests/test_readme.py and tests/test_consumers.py, which run against the replay server
- tooling: tests/tooling/, generation, the API lock, packaging, the benchmark, the twins
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.loopback import LoopbackServer
from tests.support.paths import TESTS

TIER_FOLDERS = ("unit", "contract", "tooling")
CONTRACT_AT_THE_TOP = frozenset({"test_readme.py", "test_consumers.py"})

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


class NetworkAccessError(RuntimeError):
    """A test tried to reach something other than a loopback server."""


def _check_address(address: object) -> None:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        try:
            if ipaddress.ip_address(host.split("%", 1)[0]).is_loopback:
                return
        except ValueError:
            pass
        raise NetworkAccessError(f"tests may only connect to loopback, not {host!r}")


def _guarded_connect(self: socket.socket, address: object) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check_address(address)
    return _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check_address(address)
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


def _guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name not in ("localhost", "None") and not _is_ip(name):
        raise NetworkAccessError(f"tests may not resolve {name!r}: no network")
    return _real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def tier_of(path: Path) -> str:
    """The tier of the test file at `path`: its folder under tests/, or behaviour at the top."""
    folder = path.relative_to(TESTS).parts[0] if path.is_relative_to(TESTS) else ""
    if folder in TIER_FOLDERS:
        return folder
    return "contract" if path.name in CONTRACT_AT_THE_TOP else "behaviour"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(tier_of(item.path))


@pytest.fixture(autouse=True, scope="session")
def _only_loopback() -> Iterator[None]:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign, assignment]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign, assignment]
    socket.getaddrinfo = _guarded_getaddrinfo  # type: ignore[assignment]
    try:
        yield
    finally:
        socket.socket.connect = _real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = _real_getaddrinfo


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    """A scriptable loopback server: `server.script(respond(...), reset_connection, ...)`."""
    instance = LoopbackServer().start()
    try:
        yield instance
    finally:
        instance.stop()


@pytest.fixture(autouse=True)
def _no_ambient_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own Azure settings must not leak into tests."""
    for name in ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "OPENAI_API_VERSION"):
        monkeypatch.delenv(name, raising=False)
