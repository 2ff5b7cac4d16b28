"""The examples run as their readers will run them: with pytest, with unittest, as scripts."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=EXAMPLES, capture_output=True, text=True, timeout=180)


def test_the_pytest_examples_pass():
    files = sorted(path.name for path in EXAMPLES.glob("test_*.py"))
    assert {"test_with_pytest.py", "test_with_unittest.py", "test_moving_from_moto.py",
            "test_faults_and_retries.py"} <= set(files)
    result = _run("-m", "pytest", "-q", "-p", "no:cacheprovider", *files)
    assert result.returncode == 0, result.stdout + result.stderr
    passed = int(re.search(r"(\d+) passed", result.stdout).group(1))
    assert passed >= 14 and "skipped" not in result.stdout and "failed" not in result.stdout


def test_the_unittest_example_runs_without_pytest():
    result = _run("-m", "unittest", "-v", "test_with_unittest.py")
    assert result.returncode == 0, result.stderr
    assert "Ran 2 tests" in result.stderr and "OK" in result.stderr
