"""STS through real boto3 clients: identity, session tokens, assumed roles acting in their account."""

from __future__ import annotations

import datetime

import boto3
import pytest
from botocore.exceptions import ClientError


ROLE = "arn:aws:iam::111122223333:role/deployer"


@pytest.fixture
def sts(kumo):
    return boto3.client("sts")


def _client_with(credentials: dict, service: str = "sts"):
    return boto3.client(
        service,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def test_caller_identity_is_the_default_account_root(sts):
    identity = sts.get_caller_identity()
    assert identity["Account"] == "123456789012"
    assert identity["Arn"] == "arn:aws:iam::123456789012:root"
    assert identity["UserId"] == "123456789012"
    assert identity["ResponseMetadata"]["HTTPStatusCode"] == 200


@pytest.mark.kumo(account_id="999988887777")
def test_account_id_option_sets_the_default_account(sts):
    assert sts.get_caller_identity()["Account"] == "999988887777"


def test_twelve_digit_access_key_selects_the_account(kumo):
    client = boto3.client("sts", aws_access_key_id="444455556666", aws_secret_access_key="x")
    assert client.get_caller_identity()["Account"] == "444455556666"


def test_assumed_role_credentials_act_in_the_roles_account(sts):
    response = sts.assume_role(RoleArn=ROLE, RoleSessionName="ci-run")
    creds = response["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert response["AssumedRoleUser"]["Arn"] == "arn:aws:sts::111122223333:assumed-role/deployer/ci-run"
    assert response["AssumedRoleUser"]["AssumedRoleId"].endswith(":ci-run")
    identity = _client_with(creds).get_caller_identity()
    assert identity["Account"] == "111122223333"
    assert identity["Arn"] == "arn:aws:sts::111122223333:assumed-role/deployer/ci-run"
    assert identity["UserId"] == response["AssumedRoleUser"]["AssumedRoleId"]


@pytest.mark.kumo(clock="virtual", start_time="2030-05-01T00:00:00Z")
def test_credential_expiration_comes_from_the_clock(sts):
    creds = sts.assume_role(RoleArn=ROLE, RoleSessionName="sess", DurationSeconds=900)["Credentials"]
    assert creds["Expiration"] == datetime.datetime(2030, 5, 1, 0, 15, tzinfo=datetime.timezone.utc)
    token = sts.get_session_token()["Credentials"]
    assert token["Expiration"] == datetime.datetime(2030, 5, 1, 12, 0, tzinfo=datetime.timezone.utc)


def test_session_token_keeps_the_callers_identity(kumo):
    assumed = boto3.client("sts").assume_role(RoleArn=ROLE, RoleSessionName="ab")["Credentials"]
    token = _client_with(assumed).get_session_token(DurationSeconds=900)["Credentials"]
    assert _client_with(token).get_caller_identity()["Account"] == "111122223333"


def test_invalid_session_name_is_a_validation_error(sts):
    with pytest.raises(ClientError) as err:
        sts.assume_role(RoleArn=ROLE, RoleSessionName="has space")
    error = err.value.response["Error"]
    assert error["Code"] == "ValidationError"
    assert error["Type"] == "Sender"
    assert error["Message"] == (
        "1 validation error detected: Value 'has space' at 'roleSessionName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
    )
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_duration_over_the_role_maximum_is_refused(sts):
    with pytest.raises(ClientError) as err:
        sts.assume_role(RoleArn=ROLE, RoleSessionName="sess", DurationSeconds=7200)
    assert err.value.response["Error"]["Code"] == "ValidationError"
    assert "MaxSessionDuration" in err.value.response["Error"]["Message"]


def test_malformed_role_arn_is_refused(sts):
    with pytest.raises(ClientError) as err:
        sts.assume_role(RoleArn="arn:aws:iam::12:user/not-a-role", RoleSessionName="sess")
    assert err.value.response["Error"]["Code"] == "ValidationError"


def test_packed_policy_size_is_reported_with_a_session_policy(sts):
    response = sts.assume_role(RoleArn=ROLE, RoleSessionName="sess", Policy='{"Version":"2012-10-17"}')
    assert 1 <= response["PackedPolicySize"] <= 100
