"""Suite-wide guard: no test may open a network connection.

Every test runs with socket connects and DNS look-ups raising, which proves that kumo_intercept serves
boto3 without the network. A test that really needs local sockets (a Jupyter kernel, the HTTP server)
is marked ``@pytest.mark.allow_network``.

``pytest --through-server`` runs the suite over HTTP instead: every emulator a test starts also serves
on a loopback port (``aws.serve()``) and ``AWS_ENDPOINT_URL`` points new boto3 clients at it, so each
call is serialized by botocore, parsed by kumo_intercept's wire layer, answered, serialized back and
parsed by botocore (docs/server.md lists what differs). Only loopback connections are then allowed.
"""

from __future__ import annotations

import os
import socket
from typing import Any, Iterator

import pytest

# the whole suite runs strict: every response an emulator gives is checked against botocore's output
# shape, unless a test asks for strict=False itself
os.environ.setdefault("KUMO_STRICT", "1")

from kumo_intercept.core import interceptor  # noqa: E402  (after the environment it reads)
from kumo_intercept.emulator import Emulator  # noqa: E402

_LOOPBACK = ("127.0.0.1", "localhost")
_real_connect = socket.socket.connect
_real_getaddrinfo = socket.getaddrinfo


class NetworkUsed(AssertionError):
    pass


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise NetworkUsed(f"a test tried to use the network: {args!r}")


def _loopback_connect(self: socket.socket, address: Any) -> Any:
    if isinstance(address, tuple) and address[0] in _LOOPBACK:
        return _real_connect(self, address)
    return _refuse(address)


def _loopback_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host in _LOOPBACK:
        return _real_getaddrinfo(host, *args, **kwargs)
    return _refuse(host)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--through-server", action="store_true",
                     help="serve every test's emulator over HTTP and point boto3 clients at it")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "allow_network: the test may open local sockets")
    if config.getoption("--through-server"):
        _serve_every_emulator()


def _serve_every_emulator() -> None:
    # as a client of a local endpoint must: botocore would send Step Functions' StartSyncExecution and
    # TestState to ``sync-127.0.0.1`` (their model's host prefix), a name nothing answers
    os.environ["AWS_DISABLE_HOST_PREFIX_INJECTION"] = "true"
    original_start, original_stop = Emulator.start, Emulator.stop

    def start(self: Emulator) -> Emulator:
        active = original_start(self)
        if active is self and interceptor.state.depth == 1:
            os.environ["AWS_ENDPOINT_URL"] = str(self.serve().endpoint_url)
        return active

    def stop(self: Emulator) -> None:
        original_stop(self)
        if interceptor.active() is None:  # the server is gone: later clients and subprocesses must not aim at it
            os.environ.pop("AWS_ENDPOINT_URL", None)

    Emulator.start = start  # type: ignore[method-assign]
    Emulator.stop = stop  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _no_network(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if request.node.get_closest_marker("allow_network") is not None:
        yield
        return
    through_server = request.config.getoption("--through-server")
    monkeypatch.setattr(socket.socket, "connect", _loopback_connect if through_server else _refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse)
    monkeypatch.setattr(socket, "getaddrinfo", _loopback_getaddrinfo if through_server else _refuse)
    if not through_server:
        monkeypatch.setattr(socket, "create_connection", _refuse)
    yield
