"""The examples run as their readers will run them: with pytest, with unittest, as scripts."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run(*args: str) -> subprocess.CompletedProcess:
    # a clean environment for the child pytest, even when this suite runs under xdist
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_XDIST")}
    return subprocess.run([sys.executable, *args], cwd=EXAMPLES, capture_output=True, text=True,
                          timeout=180, env=env)


def test_the_pytest_examples_pass_under_xdist_sharing_one_seed(tmp_path):
    files = sorted(path.name for path in EXAMPLES.glob("test_*.py"))
    assert {"test_with_pytest.py", "test_with_unittest.py", "test_moving_from_moto.py",
            "test_faults_and_retries.py", "test_order_journey.py", "test_persistence.py"} <= set(files)
    result = _run("-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", f"--basetemp={tmp_path}",
                  *files, "shared_seed")
    assert result.returncode == 0, result.stdout + result.stderr
    passed = int(re.search(r"(\d+) passed", result.stdout).group(1))
    assert passed >= 22 and "skipped" not in result.stdout and "failed" not in result.stdout
    # examples/shared_seed: the seed was built once, in the folder shared by the two workers
    assert (tmp_path / "catalog-seed").is_dir()
    workers = [path for path in tmp_path.iterdir() if path.name.startswith("popen-gw")]
    # (a worker that never asked for a temporary folder has none; xdist decides who runs what)
    assert workers and not any((worker / "catalog-seed").exists() for worker in workers)


def test_the_unittest_example_runs_without_pytest():
    result = _run("-m", "unittest", "-v", "test_with_unittest.py")
    assert result.returncode == 0, result.stderr
    assert "Ran 2 tests" in result.stderr and "OK" in result.stderr


def test_the_order_journey_runs_as_a_script():
    result = _run("order_journey.py")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "order-receipts  123456789012  us-east-1  2" in out  # two receipts in the bucket
    assert "billing  123456789012  us-east-1  python3.12  billing.handler  Active" in out
    assert "shipping  123456789012  us-east-1" in out and "no    0        0          0" in out
