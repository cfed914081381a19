"""The unit tier stays pure: a test here that opens a connection, starts a server or runs a
subprocess fails at that call, and belongs in another tier."""

from __future__ import annotations

import socket
import subprocess

import pytest


class NotAUnitTestError(RuntimeError):
    """A unit test reached for the network or another process."""


def _refuse(what: str) -> object:
    def refuse(*args: object, **kwargs: object) -> None:
        raise NotAUnitTestError(f"unit tests run no {what}: move this test to another tier")

    return refuse


@pytest.fixture(autouse=True)
def _no_sockets_servers_or_subprocesses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _refuse("connection"))
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse("connection"))
    monkeypatch.setattr(socket.socket, "bind", _refuse("server"))
    monkeypatch.setattr(subprocess.Popen, "__init__", _refuse("subprocess"))
