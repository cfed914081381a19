import socket

import pytest

from tests.conftest import NetworkAccessError


def test_connecting_outside_loopback_fails_loudly() -> None:
    with pytest.raises(NetworkAccessError), socket.create_connection(("192.0.2.1", 443), 1):
        pass


def test_resolving_a_public_name_fails_loudly() -> None:
    with pytest.raises(NetworkAccessError):
        socket.getaddrinfo("example.com", 443)
