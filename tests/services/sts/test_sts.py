"""STS through real boto3 clients: identity, session tokens, assumed roles acting in their account.

Roles must exist in IAM and trust the caller, as on AWS (these tests create them first).
"""

from __future__ import annotations

import datetime

import boto3
import pytest
from botocore.exceptions import ClientError

from role_helpers import create_role

ROLE = "arn:aws:iam::111122223333:role/deployer"


@pytest.fixture
def sts(kumo):
    create_role(ROLE)
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
def test_account_id_option_sets_the_default_account(kumo):
    assert boto3.client("sts").get_caller_identity()["Account"] == "999988887777"


def test_twelve_digit_access_key_selects_the_account(kumo):
    client = boto3.client("sts", aws_access_key_id="444455556666", aws_secret_access_key="x")
    assert client.get_caller_identity()["Account"] == "444455556666"


def test_assumed_role_credentials_act_in_the_roles_account(sts):
    response = sts.assume_role(RoleArn=ROLE, RoleSessionName="ci-run")
    creds = response["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert response["AssumedRoleUser"]["Arn"] == "arn:aws:sts::111122223333:assumed-role/deployer/ci-run"
    assert response["AssumedRoleUser"]["AssumedRoleId"].startswith("AROA")
    assert response["AssumedRoleUser"]["AssumedRoleId"].endswith(":ci-run")
    identity = _client_with(creds).get_caller_identity()
    assert identity["Account"] == "111122223333"
    assert identity["Arn"] == "arn:aws:sts::111122223333:assumed-role/deployer/ci-run"
    assert identity["UserId"] == response["AssumedRoleUser"]["AssumedRoleId"]


def test_assumed_role_id_is_the_roles_id(kumo):
    role = create_role("arn:aws:iam::123456789012:role/app/worker")
    response = boto3.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="s1")
    assert response["AssumedRoleUser"]["AssumedRoleId"] == f"{role['RoleId']}:s1"
    # the assumed-role ARN leaves the role's path out (AWS: IAM identifiers, "assumed-role" ARNs)
    assert response["AssumedRoleUser"]["Arn"] == "arn:aws:sts::123456789012:assumed-role/worker/s1"


@pytest.mark.kumo(clock="virtual", start_time="2030-05-01T00:00:00Z")
def test_credential_expiration_comes_from_the_clock(sts):
    creds = sts.assume_role(RoleArn=ROLE, RoleSessionName="sess", DurationSeconds=900)["Credentials"]
    assert creds["Expiration"] == datetime.datetime(2030, 5, 1, 0, 15, tzinfo=datetime.timezone.utc)
    # the account root's session tokens last at most one hour (GetSessionToken API reference)
    assert sts.get_session_token()["Credentials"]["Expiration"] == datetime.datetime(
        2030, 5, 1, 1, 0, tzinfo=datetime.timezone.utc)

def test_an_unknown_access_key_acts_as_the_default_accounts_root(kumo):
    client = boto3.client("sts", aws_access_key_id="AKIAEXAMPLEUNKNOWN01", aws_secret_access_key="x")
    assert client.get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:root"


@pytest.mark.kumo(clock="virtual", start_time="2030-05-01T00:00:00Z")
def test_expired_credentials_are_refused_by_every_service(kumo, sts):
    """AWS answers ExpiredToken (query/XML services) or ExpiredTokenException (JSON services)."""
    creds = sts.assume_role(RoleArn=ROLE, RoleSessionName="sess", DurationSeconds=900)["Credentials"]
    assert _client_with(creds).get_caller_identity()["Account"] == "111122223333"
    kumo.clock.advance(901)
    for service, call, code in [
        ("sts", lambda c: c.get_caller_identity(), "ExpiredToken"),
        ("sqs", lambda c: c.list_queues(), "ExpiredToken"),
        ("s3", lambda c: c.list_buckets(), "ExpiredToken"),
        ("dynamodb", lambda c: c.list_tables(), "ExpiredTokenException"),
        ("lambda", lambda c: c.list_functions(), "ExpiredTokenException"),
    ]:
        with pytest.raises(ClientError) as err:
            call(_client_with(creds, service))
        assert err.value.response["Error"]["Code"] == code, service
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_session_credentials_cannot_get_a_session_token(sts):
    """GetSessionToken and GetFederationToken refuse temporary credentials (API reference)."""
    assumed = sts.assume_role(RoleArn=ROLE, RoleSessionName="ab")["Credentials"]
    for call in (lambda c: c.get_session_token(DurationSeconds=900), lambda c: c.get_federation_token(Name="xy")):
        with pytest.raises(ClientError) as err:
            call(_client_with(assumed))
        assert err.value.response["Error"]["Code"] == "AccessDenied"
        assert "with session credentials" in err.value.response["Error"]["Message"]


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
    assert err.value.response["Error"]["Message"] == (
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")


@pytest.mark.kumo(clock="virtual")
def test_the_roles_max_session_duration_is_honoured(kumo):
    role = create_role("arn:aws:iam::123456789012:role/long", max_session_duration=14400)
    creds = boto3.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="s1", DurationSeconds=14400)
    assert creds["Credentials"]["Expiration"] - kumo.clock.now() == datetime.timedelta(hours=4)


def test_role_chaining_is_limited_to_one_hour(kumo):
    """Role chaining sessions last at most an hour (IAM user guide, "Role chaining")."""
    first = create_role("arn:aws:iam::123456789012:role/first")
    second = create_role("arn:aws:iam::123456789012:role/second", first["Arn"], max_session_duration=7200)
    creds = boto3.client("sts").assume_role(RoleArn=first["Arn"], RoleSessionName="a1")["Credentials"]
    chained = _client_with(creds)
    with pytest.raises(ClientError) as err:
        chained.assume_role(RoleArn=second["Arn"], RoleSessionName="b1", DurationSeconds=7200)
    assert "role chaining" in err.value.response["Error"]["Message"]
    arn = chained.assume_role(RoleArn=second["Arn"], RoleSessionName="b1")["AssumedRoleUser"]["Arn"]
    assert arn == "arn:aws:sts::123456789012:assumed-role/second/b1"


def test_malformed_role_arn_is_refused(sts):
    with pytest.raises(ClientError) as err:
        sts.assume_role(RoleArn="arn:aws:iam::12:user/not-a-role", RoleSessionName="sess")
    assert err.value.response["Error"]["Code"] == "ValidationError"
    # LocalStack test_sts.py::test_sts_invalid_parameters recording: "<arn> is invalid"
    assert err.value.response["Error"]["Message"] == "arn:aws:iam::12:user/not-a-role is invalid"


def test_a_role_that_does_not_exist_cannot_be_assumed(kumo):
    with pytest.raises(ClientError) as err:
        boto3.client("sts").assume_role(RoleArn="arn:aws:iam::123456789012:role/nope", RoleSessionName="s1")
    assert err.value.response["Error"]["Code"] == "AccessDenied"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert err.value.response["Error"]["Message"] == (
        "User: arn:aws:iam::123456789012:root is not authorized to perform: sts:AssumeRole on resource: "
        "arn:aws:iam::123456789012:role/nope")


def test_the_trust_policy_must_allow_the_caller(kumo):
    create_role(ROLE, "555566667777")
    with pytest.raises(ClientError) as err:
        boto3.client("sts").assume_role(RoleArn=ROLE, RoleSessionName="s1")
    assert err.value.response["Error"]["Code"] == "AccessDenied"
    other = boto3.client("sts", aws_access_key_id="555566667777", aws_secret_access_key="x")
    assert other.assume_role(RoleArn=ROLE, RoleSessionName="s1")["AssumedRoleUser"]


def test_trust_policy_conditions_are_evaluated(kumo):
    """sts:ExternalId in a trust condition, the documented third-party pattern (IAM user guide)."""
    import json
    iam = boto3.client("iam")
    iam.create_role(RoleName="vendor", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "sts:AssumeRole",
         "Condition": {"StringEquals": {"sts:ExternalId": "secret-42"}}}]}))
    sts = boto3.client("sts")
    arn = "arn:aws:iam::123456789012:role/vendor"
    with pytest.raises(ClientError):
        sts.assume_role(RoleArn=arn, RoleSessionName="s1")
    with pytest.raises(ClientError):
        sts.assume_role(RoleArn=arn, RoleSessionName="s1", ExternalId="wrong-one")
    assert sts.assume_role(RoleArn=arn, RoleSessionName="s1", ExternalId="secret-42")["Credentials"]


def test_iam_user_access_keys_act_as_the_user(kumo):
    iam = boto3.client("iam", aws_access_key_id="222233334444", aws_secret_access_key="x")
    iam.create_user(UserName="alice", Path="/dev/")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    alice = boto3.client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    identity = alice.get_caller_identity()
    assert identity["Account"] == "222233334444"
    assert identity["Arn"] == "arn:aws:iam::222233334444:user/dev/alice"
    assert identity["UserId"].startswith("AIDA") and len(identity["UserId"]) == 21
    # other services see the same account
    boto3.client("sqs", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key="x").create_queue(QueueName="q")
    assert kumo.state.sqs.queues("q")["account"] == "222233334444"
    # a session token keeps the user's identity
    token = alice.get_session_token(DurationSeconds=900)["Credentials"]
    assert _client_with(token).get_caller_identity()["Arn"] == identity["Arn"]
    assert alice.get_access_key_info(AccessKeyId=key["AccessKeyId"])["Account"] == "222233334444"


@pytest.mark.kumo(clock="virtual")
def test_federation_token_identity(kumo):
    iam = boto3.client("iam")
    iam.create_user(UserName="broker")
    key = iam.create_access_key(UserName="broker")["AccessKey"]
    broker = boto3.client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key="x")
    response = broker.get_federation_token(Name="bob", DurationSeconds=7200)
    assert response["FederatedUser"] == {"FederatedUserId": "123456789012:bob",
                                         "Arn": "arn:aws:sts::123456789012:federated-user/bob"}
    identity = _client_with(response["Credentials"]).get_caller_identity()
    assert identity["Arn"] == "arn:aws:sts::123456789012:federated-user/bob"
    assert identity["UserId"] == "123456789012:bob"
    assert response["Credentials"]["Expiration"] - kumo.clock.now() == datetime.timedelta(hours=2)


def test_packed_policy_size_is_reported_with_a_session_policy(sts):
    response = sts.assume_role(RoleArn=ROLE, RoleSessionName="sess", Policy='{"Version":"2012-10-17"}')
    assert 1 <= response["PackedPolicySize"] <= 100


def test_access_key_info_names_the_account(sts):
    creds = sts.assume_role(RoleArn=ROLE, RoleSessionName="s1")["Credentials"]
    assert sts.get_access_key_info(AccessKeyId=creds["AccessKeyId"])["Account"] == "111122223333"
    assert sts.get_access_key_info(AccessKeyId="AKIAIOSFODNN7EXAMPLE")["Account"] == "123456789012"


def test_no_authorization_message_is_decodable(sts):
    with pytest.raises(sts.exceptions.InvalidAuthorizationMessageException):
        sts.decode_authorization_message(EncodedMessage="not-one-of-ours")
