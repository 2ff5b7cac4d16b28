"""pytest plugin (auto-loaded): the ``kumo`` fixture and the ``@pytest.mark.kumo(**options)`` marker.

Being loaded at pytest start-up also imports kumo_intercept before any test module creates a boto3
session, so every client made in a test carries the interception hooks.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from .. import Emulator, kumo as _kumo


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "kumo(**options): run the test inside a kumo_intercept emulator with these options "
        "(see kumo_intercept.kumo); the `kumo` fixture yields it",
    )


def _marker_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("kumo")
    return dict(marker.kwargs) if marker is not None else {}


@pytest.fixture
def kumo(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """An active emulator for the test; options come from ``@pytest.mark.kumo(...)``."""
    with _kumo(**_marker_options(request)) as aws:
        yield aws


@pytest.fixture(autouse=True)
def _kumo_marker(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test with ``@pytest.mark.kumo`` runs in an emulator even without requesting the fixture."""
    if request.node.get_closest_marker("kumo") is None or "kumo" in request.fixturenames:
        yield
        return
    with _kumo(**_marker_options(request)):
        yield
