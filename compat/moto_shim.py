"""pytest plugin for ``compat/moto_suites.py``: moto's own tests, run with kumo_intercept in moto's place.

Loaded with ``-p compat.moto_shim`` before the test modules are imported, so that their
``from moto import mock_aws`` finds kumo_intercept's ``mock_aws`` (the same function as ``kumo``).
moto stays importable because its test packages import helpers from it; only the decorator and the
default account id are redirected.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator

import moto
import pytest
import moto.core

import kumo_intercept

moto.mock_aws = kumo_intercept.mock_aws  # type: ignore[assignment]
moto.core.DEFAULT_ACCOUNT_ID = kumo_intercept.DEFAULT_ACCOUNT_ID


class TestTookTooLong(Exception):
    """A moto test ran past the harness's limit (a wait that never ends under kumo_intercept)."""


def _give_up(signum: int, frame: object) -> None:
    raise TestTookTooLong(f"no answer within {LIMIT_SECONDS} s")


LIMIT_SECONDS = 10


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Bounds every test's run (moto's tests include waits for messages that may never come)."""
    previous = signal.signal(signal.SIGALRM, _give_up)
    signal.alarm(LIMIT_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
