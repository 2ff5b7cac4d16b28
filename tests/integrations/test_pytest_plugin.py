"""The pytest plugin as a user meets it: command-line defaults, marker overrides, failure artifacts,
pytest-xdist workers. Each case runs pytest in a child process on a small test file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from kumo_intercept import kumo
from kumo_intercept.integrations.pytest_plugin import artifact_folder

STS_TESTS = '''
import boto3
import pytest

def test_passes_with_kumos_defaults(kumo):
    from kumo_intercept import WallClock
    assert kumo.ids.seed == 0 and isinstance(kumo.clock, WallClock)
    boto3.client("sts").get_caller_identity()

def test_fails_with_the_fixture(kumo):
    sts = boto3.client("sts")
    sts.get_session_token(DurationSeconds=900)
    sts.get_caller_identity()
    assert False, "boom"

@pytest.mark.kumo(account_id="111122223333")
def test_fails_with_the_marker_only():
    boto3.client("sts").get_caller_identity()
    assert False
'''


def run_pytest(folder: Path, source: str, *args: str) -> subprocess.CompletedProcess:
    (folder / "test_user.py").write_text(textwrap.dedent(source))
    # when this suite itself runs under xdist, the child must not think it is one of our workers
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_XDIST")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_user.py", *args],
        cwd=folder, capture_output=True, text=True, timeout=120, env=env,
    )


def _outcome(result: subprocess.CompletedProcess) -> str:
    return result.stdout.strip().splitlines()[-1]


def test_command_line_options_set_defaults_and_markers_override_them(tmp_path):
    result = run_pytest(tmp_path, '''
        import pytest
        from kumo_intercept import VirtualClock

        def test_defaults_from_the_command_line(kumo):
            assert kumo.ids.seed == 5
            assert isinstance(kumo.clock, VirtualClock)

        @pytest.mark.kumo(seed="custom", start_time="2030-01-01T00:00:00Z")
        def test_marker_wins(kumo):
            assert kumo.ids.seed == "custom"
            assert kumo.clock.now().year == 2030
    ''', "--kumo-seed", "5", "--kumo-clock", "virtual")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in _outcome(result)


def test_the_options_are_listed_in_help(tmp_path):
    result = run_pytest(tmp_path, "", "--help")
    for option in ("--kumo-seed", "--kumo-clock", "--kumo-data-dir", "--kumo-artifacts"):
        assert option in result.stdout


def test_a_failing_test_leaves_its_calls_and_state_per_xdist_worker(tmp_path):
    artifacts = tmp_path / "artifacts"
    result = run_pytest(tmp_path, STS_TESTS + '''
def test_each_test_has_its_own_emulator(kumo):
    boto3.client("sts").get_session_token()
    assert kumo.state.tables() == {"sts.credentials": 1}
    assert len(kumo.calls) == 1
''', "-n", "2", "--kumo-artifacts", str(artifacts))
    assert "2 failed, 2 passed" in _outcome(result), result.stdout
    workers = sorted(path.name for path in artifacts.iterdir())
    assert set(workers) <= {"gw0", "gw1"} and workers
    cases = {case.name: case for worker in artifacts.iterdir() for case in worker.iterdir()}
    assert sorted(cases) == ["test_user.py_test_fails_with_the_fixture",
                             "test_user.py_test_fails_with_the_marker_only"]

    fixture_case = cases["test_user.py_test_fails_with_the_fixture"]
    calls = [json.loads(line) for line in (fixture_case / "calls.jsonl").read_text().splitlines()]
    assert [call["operation"] for call in calls] == ["GetSessionToken", "GetCallerIdentity"]
    assert calls[0]["params"] == {"DurationSeconds": 900}
    assert calls[0]["response"]["Credentials"]["AccessKeyId"].startswith("ASIA")
    state = json.loads((fixture_case / "state.json").read_text())
    assert len(state["tables"]["sts.credentials"]) == 1
    assert "sts.GetSessionToken" in (fixture_case / "state.txt").read_text()

    marker_case = cases["test_user.py_test_fails_with_the_marker_only"]
    calls = [json.loads(line) for line in (marker_case / "calls.jsonl").read_text().splitlines()]
    assert calls[0]["account"] == "111122223333"


def test_artifact_folders_are_named_after_the_test(monkeypatch):
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    assert artifact_folder("out", "tests/test_a.py::TestB::test_c[x-1]") == Path(
        "out", "tests_test_a.py_TestB_test_c[x-1]")
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
    assert artifact_folder("out", "test_a.py::test_b") == Path("out", "gw3", "test_a.py_test_b")


def test_data_dir_keeps_each_tests_state_on_disk(tmp_path):
    data = tmp_path / "data"
    stale = data / "test_user.py_test_starts_empty" / "left-over-from-an-earlier-run"
    stale.parent.mkdir(parents=True)
    stale.write_text("x")
    result = run_pytest(tmp_path, '''
        import boto3

        def test_creates_a_queue(kumo):
            boto3.client("sqs").create_queue(QueueName="jobs")
            assert kumo.data_dir.endswith("test_user.py_test_creates_a_queue")

        def test_starts_empty(kumo):
            assert boto3.client("sqs").list_queues().get("QueueUrls", []) == []
    ''', "--kumo-data-dir", str(data))
    assert "2 passed" in _outcome(result), result.stdout + result.stderr
    assert sorted(path.name for path in data.iterdir()) == [
        "test_user.py_test_creates_a_queue", "test_user.py_test_starts_empty"]
    assert not stale.exists(), "each test's folder is emptied when the test starts"
    with kumo(data_dir=data / "test_user.py_test_creates_a_queue") as aws:
        assert aws.state.sqs.queues.names() == ["jobs"]
