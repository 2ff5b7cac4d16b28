"""Suite-wide guard: no test may open a network connection.

Every test runs with socket connects and DNS look-ups raising, which proves that kumo_intercept serves
boto3 without the network. A test that really needs local sockets (a Jupyter kernel) is marked
``@pytest.mark.allow_network``.
"""

from __future__ import annotations

import os
import socket
from typing import Any, Iterator

import pytest

# the whole suite runs strict: every response an emulator gives is checked against botocore's output
# shape, unless a test asks for strict=False itself
os.environ.setdefault("KUMO_STRICT", "1")


class NetworkUsed(AssertionError):
    pass


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise NetworkUsed(f"a test tried to use the network: {args!r}")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "allow_network: the test may open local sockets")


@pytest.fixture(autouse=True)
def _no_network(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if request.node.get_closest_marker("allow_network") is None:
        monkeypatch.setattr(socket.socket, "connect", _refuse)
        monkeypatch.setattr(socket.socket, "connect_ex", _refuse)
        monkeypatch.setattr(socket, "getaddrinfo", _refuse)
        monkeypatch.setattr(socket, "create_connection", _refuse)
    yield
