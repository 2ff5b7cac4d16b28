"""Rotation through a Lambda function running AWS's four-step protocol.

The function below follows the structure of AWS's rotation function template (described in the
Secrets Manager user guide, "Rotation function templates" / "How rotation works"): it checks the
token is AWSPENDING, creates the pending value in createSecret, and moves AWSCURRENT in finishSecret.
Label outcomes follow LocalStack's snapshot test_rotate_secret_with_lambda_success; the error
messages test_first_rotate_secret_with_missing_lambda_arn and test_rotate_secret_invalid_lambda_arn.
"""

from __future__ import annotations

import boto3
import pytest

from kumo_intercept.services.awslambda import register_callable


@pytest.fixture
def sm(aws):
    return boto3.client("secretsmanager", region_name="us-east-1")


def _rotation_handler(steps_seen: list[tuple[str, str]], fail_step: str | None = None):
    def handler(event, context):
        client = boto3.client("secretsmanager", region_name="us-east-1")
        arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
        steps_seen.append((step, token))
        if step == fail_step:
            raise RuntimeError(f"{step} failed")
        metadata = client.describe_secret(SecretId=arn)
        assert metadata["RotationEnabled"]
        stages = metadata["VersionIdsToStages"][token]
        if "AWSCURRENT" in stages:
            return
        assert "AWSPENDING" in stages
        if step == "createSecret":
            current = client.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"]
            try:
                client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
            except client.exceptions.ResourceNotFoundException:
                client.put_secret_value(SecretId=arn, ClientRequestToken=token, SecretString=current + "+",
                                        VersionStages=["AWSPENDING"])
        elif step == "finishSecret":
            current_version = next(v for v, s in metadata["VersionIdsToStages"].items() if "AWSCURRENT" in s)
            client.update_secret_version_stage(SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token,
                                               RemoveFromVersionId=current_version)
    return handler


def test_rotate_immediately_runs_the_four_steps(aws, sm):
    seen: list[tuple[str, str]] = []
    function_arn = register_callable("rotator", _rotation_handler(seen))
    v1 = sm.create_secret(Name="rot", SecretString="pw")["VersionId"]
    response = sm.rotate_secret(SecretId="rot", RotationLambdaARN=function_arn,
                                RotationRules={"AutomaticallyAfterDays": 1})
    token = response["VersionId"]
    assert seen == [(step, token) for step in ("createSecret", "setSecret", "testSecret", "finishSecret")]
    assert sm.get_secret_value(SecretId="rot")["SecretString"] == "pw+"
    described = sm.describe_secret(SecretId="rot")
    assert described["VersionIdsToStages"] == {v1: ["AWSPREVIOUS"], token: ["AWSCURRENT"]}
    assert described["RotationEnabled"] is True and described["RotationLambdaARN"] == function_arn
    assert described["RotationRules"] == {"AutomaticallyAfterDays": 1}
    assert abs((described["LastRotatedDate"] - aws.clock.now()).total_seconds()) < 1
    assert (described["NextRotationDate"] - described["LastRotatedDate"]).days == 1


def _scheduled(sm, name: str, expression: str) -> list[tuple[str, str]]:
    """A secret whose rotation (by a recording function) is scheduled, not run; returns the record."""
    seen: list[tuple[str, str]] = []
    function_arn = register_callable("rotator", _rotation_handler(seen))
    sm.create_secret(Name=name, SecretString="pw")
    sm.rotate_secret(SecretId=name, RotationLambdaARN=function_arn, RotateImmediately=False,
                     RotationRules={"ScheduleExpression": expression})
    return seen


def test_scheduled_rotation_fires_on_the_emulator_clock(aws, sm):
    seen = _scheduled(sm, "sched", "rate(10 hours)")
    assert seen == []
    aws.clock.advance(9 * 3600)
    assert seen == []
    aws.clock.advance(3600 + 1)
    assert [step for step, _ in seen] == ["createSecret", "setSecret", "testSecret", "finishSecret"]
    assert sm.get_secret_value(SecretId="sched")["SecretString"] == "pw+"
    aws.clock.advance(10 * 3600)
    assert sm.get_secret_value(SecretId="sched")["SecretString"] == "pw++"


def test_cron_schedule_and_cancel(aws, sm):
    seen = _scheduled(sm, "cron", "cron(0 12 * * ? *)")
    due = sm.describe_secret(SecretId="cron")["NextRotationDate"]
    assert (due.hour, due.minute) == (12, 0)
    sm.cancel_rotate_secret(SecretId="cron")
    assert sm.describe_secret(SecretId="cron")["RotationEnabled"] is False
    aws.clock.advance(2 * 86400)
    assert seen == []


def test_failed_step_leaves_the_pending_version(aws, sm):
    seen: list[tuple[str, str]] = []
    function_arn = register_callable("rotator", _rotation_handler(seen, fail_step="testSecret"))
    sm.create_secret(Name="fail", SecretString="pw")
    token = sm.rotate_secret(SecretId="fail", RotationLambdaARN=function_arn)["VersionId"]
    assert [step for step, _ in seen] == ["createSecret", "setSecret", "testSecret"]
    assert sm.get_secret_value(SecretId="fail")["SecretString"] == "pw"
    assert sm.get_secret_value(SecretId="fail", VersionStage="AWSPENDING")["VersionId"] == token
    with pytest.raises(sm.exceptions.InvalidRequestException):
        sm.rotate_secret(SecretId="fail")


def test_rotation_errors(sm):
    sm.create_secret(Name="e", SecretString="pw")
    with pytest.raises(sm.exceptions.InvalidRequestException) as err:
        sm.rotate_secret(SecretId="e")
    assert err.value.response["Error"]["Message"] == "No Lambda rotation function ARN is associated with this secret."
    with pytest.raises(sm.exceptions.ClientError) as err:
        sm.rotate_secret(SecretId="e", RotationLambdaARN="arn:aws:lambda:us-east-1:123456789012:function:none")
    assert err.value.response["Error"]["Code"] == "AccessDeniedException"
    # without an immediate rotation AWS still invokes the testSecret step: a missing function fails alike
    with pytest.raises(sm.exceptions.ClientError) as err:
        sm.rotate_secret(SecretId="e", RotationLambdaARN="arn:aws:lambda:us-east-1:123456789012:function:none",
                         RotateImmediately=False)
    assert err.value.response["Error"]["Code"] == "AccessDeniedException"
    assert not sm.describe_secret(SecretId="e").get("RotationEnabled", False)
    for rules in ({"ScheduleExpression": "rate(1 hours)"}, {"ScheduleExpression": "bogus"},
                  {"AutomaticallyAfterDays": 1, "ScheduleExpression": "rate(1 day)"}):
        with pytest.raises(sm.exceptions.InvalidParameterException):
            sm.rotate_secret(SecretId="e", RotationLambdaARN="arn:aws:lambda:us-east-1:123456789012:function:x",
                             RotationRules=rules)
    with pytest.raises(sm.exceptions.InvalidRequestException):
        sm.cancel_rotate_secret(SecretId="e")
