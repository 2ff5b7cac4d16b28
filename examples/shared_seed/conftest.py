"""A seeded snapshot built once per test run and shared by every pytest-xdist worker.

Building the world (tables, buckets, reference data) once and starting every test from a copy keeps
each test isolated and fast. `aws.export(path)` publishes the state as a seed directory atomically;
`kumo(from_snapshot=path)` starts an emulator from it (the seed itself is never modified).
"""

import fcntl
import os

import pytest

from catalog import build_catalog
from kumo_intercept import kumo


@pytest.fixture(scope="session")
def catalog_seed(tmp_path_factory) -> str:
    """The seed directory, built by whichever worker gets here first; the others wait and reuse it."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # one folder per run
    seed = shared / "catalog-seed"
    with open(shared / "catalog-seed.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not seed.exists():
            build_catalog(str(seed))
    return str(seed)


@pytest.fixture
def aws(catalog_seed):
    with kumo(from_snapshot=catalog_seed) as emulator:
        yield emulator
