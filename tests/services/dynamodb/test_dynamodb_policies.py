"""Resource-based policies of tables.

Facts: DynamoDB API reference (PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy: ExpectedRevisionId,
its NO_POLICY value, PolicyNotFoundException when the revision does not match) and the wording AWS answers as
recorded by moto's AWS-verified tests (test_dynamodb_resource_policy.py: test_put_resource_policy_multiple_times,
test_put_resource_policy_against_previous_revision, test_get_resource_policy_from_resource_without,
test_get_resource_policy_from_unknown_resource)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError


def _policy(action):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": [action], "Resource": "*"}]})


@pytest.fixture
def table_arn(ddb, create):
    create(name="p")
    return ddb.describe_table(TableName="p")["Table"]["TableArn"]


def test_put_get_and_the_same_policy_again_keeps_its_revision(ddb, table_arn):
    first = ddb.put_resource_policy(ResourceArn=table_arn, Policy=_policy("dynamodb:*"))["RevisionId"]
    assert ddb.put_resource_policy(ResourceArn=table_arn, Policy=_policy("dynamodb:*"))["RevisionId"] == first
    second = ddb.put_resource_policy(ResourceArn=table_arn, Policy=_policy("dynamodb:GetItem"))["RevisionId"]
    assert second > first  # revision IDs are timestamps
    got = ddb.get_resource_policy(ResourceArn=table_arn)
    assert got["RevisionId"] == second
    assert json.loads(got["Policy"])["Statement"][0]["Action"] == ["dynamodb:GetItem"]


def test_a_stale_expected_revision_is_refused(ddb, table_arn):
    first = ddb.put_resource_policy(ResourceArn=table_arn, Policy=_policy("dynamodb:*"))["RevisionId"]
    second = ddb.put_resource_policy(ResourceArn=table_arn, Policy=_policy("dynamodb:PutItem"),
                                     ExpectedRevisionId=first)["RevisionId"]
    with pytest.raises(ClientError) as exc:
        ddb.delete_resource_policy(ResourceArn=table_arn, ExpectedRevisionId=first)
    assert exc.value.response["Error"] == {
        "Code": "PolicyNotFoundException",
        "Message": "Resource-based policy not found for the provided ResourceArn: Requested update for policy with "
                   f"revision id {first}, but the policy associated to target table p has revision id {second}."}
    with pytest.raises(ClientError) as exc:
        ddb.put_resource_policy(ResourceArn=table_arn, Policy=_policy("dynamodb:Query"), ExpectedRevisionId="NO_POLICY")
    assert exc.value.response["Error"]["Message"] == (
        "Resource-based policy not found for the provided ResourceArn: Requested policy update expecting none to be "
        f"present for table p, but a policy exists with revision id {second}.")


def test_deleted_policy_is_gone_and_create_table_can_set_one(ddb, create, table_arn):
    revision = ddb.put_resource_policy(ResourceArn=table_arn, Policy=_policy("dynamodb:*"),
                                       ExpectedRevisionId="NO_POLICY")["RevisionId"]
    assert ddb.delete_resource_policy(ResourceArn=table_arn, ExpectedRevisionId=revision)["RevisionId"] == revision
    with pytest.raises(ClientError) as exc:
        ddb.get_resource_policy(ResourceArn=table_arn)
    assert exc.value.response["Error"] == {
        "Code": "PolicyNotFoundException",
        "Message": f"Resource-based policy not found for the provided ResourceArn: {table_arn}"}
    create(name="with-policy", ResourcePolicy=_policy("dynamodb:GetItem"))
    arn = table_arn.replace("table/p", "table/with-policy")
    assert json.loads(ddb.get_resource_policy(ResourceArn=arn)["Policy"])["Statement"][0]["Action"] == ["dynamodb:GetItem"]


def test_an_unknown_table_is_not_found(ddb, table_arn):
    with pytest.raises(ClientError) as exc:
        ddb.get_resource_policy(ResourceArn=table_arn + "x")
    assert exc.value.response["Error"] == {"Code": "ResourceNotFoundException",
                                           "Message": "Requested resource not found: Table: px not found"}


def test_policies_show_in_the_inspection_view(kumo, ddb, table_arn):
    assert kumo.state.dynamodb.summary()["resource_policies"] == []
    revision = ddb.put_resource_policy(ResourceArn=table_arn, Policy=_policy("dynamodb:GetItem"))["RevisionId"]
    assert kumo.state.dynamodb.summary()["resource_policies"] == [
        {"table": "p", "account": "123456789012", "region": "us-east-1", "revision": revision,
         "policy": _policy("dynamodb:GetItem")}]
