"""Restart-equivalence mode (KUMO_RESTART_EVERY_CALL=1): every emulator restarts from disk after every
intercepted call and checks that the recovered records, ids and clock equal what was in memory. The
service test suites must pass unchanged in that mode."""

from __future__ import annotations

import os
import subprocess
import sys

import boto3
import pytest

from kumo_intercept import kumo
from kumo_intercept.store.session import RestartMismatch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
#: left out: tests that hold a backend object (the internal API) across calls, since a restart replaces
#: it, and the one that checks a function's module state stays warm (every restart is a cold start)
SUITES = {
    "sts": [],
    "iam": [],
    "s3": [],
    "events": [],
    "dynamodb": [],
    "sns": [],
    "logs": [],
    "cloudwatch": [],
    "kinesis": [],
    "firehose": [],
    "secretsmanager": [],
    "ssm": [],
    "stepfunctions": [],
    "scheduler": [],
    "ses": [],
    "awslambda": ["--deselect", "tests/services/awslambda/test_invoke.py::test_module_state_is_warm_until_the_code_changes"],
    "sqs": ["-k", "not internal and not random_operations"],
    "kms": ["--deselect", "tests/services/kms/test_kms_port.py"],
}


@pytest.mark.parametrize("service", sorted(SUITES))
def test_service_suite_passes_with_a_restart_after_every_call(service):
    folder = os.path.join(ROOT, "tests", "services", service)
    assert os.path.isdir(folder), f"tests/services/{service} is missing"
    env = {**os.environ, "KUMO_RESTART_EVERY_CALL": "1"}
    env.pop("KUMO_DATA_DIR", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-n", "0", folder,
                             *SUITES[service]], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "RestartMismatch" not in result.stdout


def test_the_mode_restarts_after_each_call_and_catches_state_that_never_reached_disk(monkeypatch):
    monkeypatch.setenv("KUMO_RESTART_EVERY_CALL", "1")
    with kumo() as aws:
        assert aws.data_dir is not None  # a temporary directory when none was given
        sts = boto3.client("sts")
        sts.get_federation_token(Name="one")
        first_journal = aws.store.journal
        sts.get_caller_identity()
        assert aws.store.journal is not first_journal  # restarted
        aws.store.table("sts.credentials")._data["forged"] = {"Account": "1"}  # bypasses the journal
        with pytest.raises(RestartMismatch, match="key 'forged' is missing after the restart"):
            sts.get_caller_identity()
        temp = aws.data_dir
    assert not os.path.exists(temp)
