"""compat/moto_suites.py as it is used on moto's repository: a test file written for moto runs with
kumo_intercept's mock_aws, tests of moto's internals are left out of the rate, failures are reported with
their first line. The repository here is a small git repository laid out as moto's is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]

MOTO_STYLE_TESTS = '''
import boto3
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID as ACCOUNT_ID
from moto.sqs.models import sqs_backends


@mock_aws
def test_create_queue_through_kumo():
    from kumo_intercept import current
    url = boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="jobs")["QueueUrl"]
    assert url == f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT_ID}/jobs"
    assert current() is not None


@mock_aws
def test_queue_name_aws_refuses():
    boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="bad name!")


@mock_aws
def test_reaches_into_motos_backend():
    assert sqs_backends[ACCOUNT_ID]["us-east-1"].queues == {}
'''


def _moto_like_repository(folder: Path) -> Path:
    tests = folder / "tests" / "test_sqs"
    tests.mkdir(parents=True)
    (folder / "tests" / "__init__.py").write_text("")
    (tests / "__init__.py").write_text("")
    (tests / "test_sqs_basics.py").write_text(textwrap.dedent(MOTO_STYLE_TESTS))
    for command in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "t"]):
        subprocess.run(["git", *command], cwd=folder, check=True)
    return folder


def test_a_moto_suite_runs_on_kumo_and_is_tallied(tmp_path: Path) -> None:
    repository = _moto_like_repository(tmp_path / "moto")
    results = tmp_path / "results.json"
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_XDIST")}
    subprocess.run([sys.executable, str(PROJECT / "compat" / "moto_suites.py"), "--moto-repo", str(repository),
                    "--ref", "HEAD", "--services", "sqs", "-n", "1", "--out", str(results),
                    "--keep", str(tmp_path / "run")], check=True, capture_output=True, timeout=300, env=env)
    sqs = json.loads(results.read_text())["sqs"]
    assert (sqs["passed"], sqs["failed"], sqs["internal"]) == (1, 1, 1)
    [(failing, first_line)] = sqs["failures"].items()
    assert failing.endswith("::test_queue_name_aws_refuses")
    # AWS's CreateQueue refuses names outside [A-Za-z0-9_-] (CreateQueue API reference, QueueName)
    assert "InvalidParameterValue" in first_line
