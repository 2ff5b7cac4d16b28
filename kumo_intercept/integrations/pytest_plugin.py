"""pytest plugin (auto-loaded): the ``kumo`` fixture, the ``@pytest.mark.kumo(**options)`` marker, command-line
defaults and failure artifacts.

Being loaded at pytest start-up also imports kumo_intercept before any test module creates a boto3
session, so every client made in a test carries the interception hooks.

Command line (each sets a default that a test's marker options override):

- ``--kumo-seed N``: seed of generated identifiers.
- ``--kumo-clock wall|virtual``: the clock of every test's emulator.
- ``--kumo-data-dir DIR``: persist each test's state in ``DIR/[<xdist worker>/]<test id>`` (emptied when
  the test starts, kept afterwards to look at or reopen). ``KUMO_DATA_DIR`` in the environment means the
  same for the fixture and marker: each test keeps its own folder, so tests never share state through it
  (outside the fixture, ``kumo()`` uses ``KUMO_DATA_DIR`` itself as the data directory).
- ``--kumo-artifacts DIR``: when a test fails, write ``calls.jsonl`` (the call ledger), ``state.json``
  (every record and each service's summary) and ``state.txt`` into ``DIR/[<xdist worker>/]<test id>``.

Under pytest-xdist every worker is its own process with its own emulators; artifacts and data
directories get a per-worker folder (``gw0``, ``gw1``…).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any, Generator, Iterator

import pytest

from .. import Emulator, kumo as _kumo
from ..inspection import emulator_text, state_dump, to_json
from ..store.session import ENV_DATA_DIR

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kumo_intercept", "kumo_intercept AWS emulator")
    group.addoption("--kumo-seed", default=None, metavar="SEED",
                    help="seed of generated identifiers in every test's emulator (default 0)")
    group.addoption("--kumo-clock", default=None, choices=("wall", "virtual"),
                    help="clock of every test's emulator (default wall)")
    group.addoption("--kumo-data-dir", default=None, metavar="DIR",
                    help="persist each test's emulator state in DIR/<test id>")
    group.addoption("--kumo-artifacts", default=None, metavar="DIR",
                    help="on a failing test, write its call ledger and state dump to DIR/<test id>")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "kumo(**options): run the test inside a kumo_intercept emulator with these options "
        "(see kumo_intercept.kumo); the `kumo` fixture yields it",
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item,
                               call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item, so the fixture's teardown knows whether the test failed."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


# -- options ------------------------------------------------------------------------------------
def _seed(text: str) -> int | str:
    return int(text) if re.fullmatch(r"-?\d+", text) else text


def artifact_folder(root: str, nodeid: str) -> Path:
    """``root/[<xdist worker>/]<test id made safe for a file name>``."""
    name = re.sub(r"[^\w.\-\[\]]+", "_", nodeid).strip("_")[:180]
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return Path(root, worker, name) if worker else Path(root, name)


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    config = request.config
    options: dict[str, Any] = {}
    if config.getoption("--kumo-seed") is not None:
        options["seed"] = _seed(config.getoption("--kumo-seed"))
    if config.getoption("--kumo-clock") is not None:
        options["clock"] = config.getoption("--kumo-clock")
    marker = request.node.get_closest_marker("kumo")
    if marker is not None:
        options.update(marker.kwargs)
    data_root = config.getoption("--kumo-data-dir") or os.environ.get(ENV_DATA_DIR) or None
    if data_root is not None and "data_dir" not in options:
        folder = artifact_folder(data_root, request.node.nodeid)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        options["data_dir"] = str(folder)
    return options


# -- artifacts ----------------------------------------------------------------------------------
def _failed(request: pytest.FixtureRequest) -> bool:
    reports = request.node.stash.get(_REPORTS, {})
    return any(report.failed for report in reports.values())


def write_artifacts(emulator: Emulator, folder: Path) -> Path:
    """The call ledger (JSON lines) and a dump of the state, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "calls.jsonl").write_text(emulator.calls.to_jsonl(), encoding="utf-8")
    (folder / "state.json").write_text(to_json(state_dump(emulator)), encoding="utf-8")
    (folder / "state.txt").write_text(emulator_text(emulator) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def kumo(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """An active emulator for the test; options come from ``@pytest.mark.kumo(...)`` and the command line."""
    with _kumo(**_options(request)) as aws:
        yield aws
        artifacts = request.config.getoption("--kumo-artifacts")
        if artifacts is not None and _failed(request):
            write_artifacts(aws, artifact_folder(artifacts, request.node.nodeid))


@pytest.fixture(autouse=True)
def _kumo_marker(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test with ``@pytest.mark.kumo`` runs in an emulator even without requesting the fixture."""
    if request.node.get_closest_marker("kumo") is None or "kumo" in request.fixturenames:
        yield
        return
    request.getfixturevalue("kumo")
    yield
