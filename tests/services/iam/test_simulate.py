"""SimulatePrincipalPolicy / SimulateCustomPolicy / GetContextKeysFor*Policy through boto3.

EvalDecision values and the MatchedStatements shape are botocore's iam model; the evaluation rules
are the IAM user guide's "Policy evaluation logic".
"""

from __future__ import annotations

import pytest

from iam_helpers import ACCOUNT, allow, deny, policy


def _decisions(response: dict) -> list[tuple[str, str, str]]:
    return [(r["EvalActionName"], r["EvalResourceName"], r["EvalDecision"]) for r in response["EvaluationResults"]]


def test_simulate_custom_policy(iam):
    documents = [policy(allow("s3:*")), policy(deny("s3:DeleteObject", "arn:aws:s3:::prod/*"))]
    response = iam.simulate_custom_policy(PolicyInputList=documents, ActionNames=["s3:GetObject", "s3:DeleteObject"],
                                          ResourceArns=["arn:aws:s3:::prod/a", "arn:aws:s3:::dev/a"])
    assert _decisions(response) == [
        ("s3:GetObject", "arn:aws:s3:::prod/a", "allowed"), ("s3:GetObject", "arn:aws:s3:::dev/a", "allowed"),
        ("s3:DeleteObject", "arn:aws:s3:::prod/a", "explicitDeny"), ("s3:DeleteObject", "arn:aws:s3:::dev/a", "allowed")]
    matched = response["EvaluationResults"][2]["MatchedStatements"]
    assert [m["SourcePolicyId"] for m in matched] == ["PolicyInputList.2"]
    assert matched[0]["StartPosition"]["Line"] == 1
    assert _decisions(iam.simulate_custom_policy(PolicyInputList=documents, ActionNames=["sqs:SendMessage"])) == [
        ("sqs:SendMessage", "*", "implicitDeny")]


def test_simulate_with_context_entries(iam):
    document = policy(allow("s3:*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    allowed = iam.simulate_custom_policy(PolicyInputList=[document], ActionNames=["s3:GetObject"], ContextEntries=[
        {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.1.1.1"], "ContextKeyType": "ip"}])
    assert _decisions(allowed)[0][2] == "allowed"
    missing = iam.simulate_custom_policy(PolicyInputList=[document], ActionNames=["s3:GetObject"])
    assert missing["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    assert missing["EvaluationResults"][0]["MissingContextValues"] == ["aws:SourceIp"]


def test_simulate_principal_policy_collects_user_group_and_managed_policies(iam):
    iam.create_user(UserName="u")
    iam.create_group(GroupName="g")
    iam.add_user_to_group(GroupName="g", UserName="u")
    iam.put_group_policy(GroupName="g", PolicyName="group-sqs", PolicyDocument=policy(allow("sqs:*")))
    arn = iam.create_policy(PolicyName="managed-s3", PolicyDocument=policy(allow("s3:*")))["Policy"]["Arn"]
    iam.attach_user_policy(UserName="u", PolicyArn=arn)
    iam.put_user_policy(UserName="u", PolicyName="no-delete", PolicyDocument=policy(deny("s3:DeleteObject")))
    user_arn = f"arn:aws:iam::{ACCOUNT}:user/u"
    response = iam.simulate_principal_policy(PolicySourceArn=user_arn, ActionNames=[
        "s3:GetObject", "s3:DeleteObject", "sqs:SendMessage", "sns:Publish"])
    assert [r["EvalDecision"] for r in response["EvaluationResults"]] == [
        "allowed", "explicitDeny", "allowed", "implicitDeny"]
    sources = {(m["SourcePolicyId"], m["SourcePolicyType"]) for r in response["EvaluationResults"]
               for m in r["MatchedStatements"]}
    assert sources == {("managed-s3", "user-managed"), ("no-delete", "user"), ("group-sqs", "group")}
    # a permissions boundary limits what the policies grant
    boundary = iam.create_policy(PolicyName="b", PolicyDocument=policy(allow("sqs:*")))["Policy"]["Arn"]
    iam.put_user_permissions_boundary(UserName="u", PermissionsBoundary=boundary)
    bounded = iam.simulate_principal_policy(PolicySourceArn=user_arn, ActionNames=["s3:GetObject", "sqs:SendMessage"])
    assert [r["EvalDecision"] for r in bounded["EvaluationResults"]] == ["implicitDeny", "allowed"]


def test_simulate_principal_policy_substitutes_the_users_name(iam):
    iam.create_user(UserName="bob")
    iam.put_user_policy(UserName="bob", PolicyName="home", PolicyDocument=policy(
        allow("s3:*", "arn:aws:s3:::home/${aws:username}/*")))
    response = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/bob", ActionNames=["s3:GetObject"],
        ResourceArns=["arn:aws:s3:::home/bob/x", "arn:aws:s3:::home/amy/x"])
    assert [r["EvalDecision"] for r in response["EvaluationResults"]] == ["allowed", "implicitDeny"]


def test_simulate_unknown_principal(iam):
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:role/none", ActionNames=["s3:*"])


def test_simulate_pages_its_results(iam):
    first = iam.simulate_custom_policy(PolicyInputList=[policy(allow("s3:*"))], MaxItems=2,
                                       ActionNames=["s3:A", "s3:B", "s3:C"])
    assert first["IsTruncated"] is True and len(first["EvaluationResults"]) == 2
    rest = iam.simulate_custom_policy(PolicyInputList=[policy(allow("s3:*"))], Marker=first["Marker"],
                                      ActionNames=["s3:A", "s3:B", "s3:C"])
    assert [r["EvalActionName"] for r in rest["EvaluationResults"]] == ["s3:C"]


def test_context_keys(iam):
    document = policy(allow("s3:*", Condition={"StringEquals": {"aws:username": "x", "s3:prefix": "p"}}))
    assert iam.get_context_keys_for_custom_policy(PolicyInputList=[document])["ContextKeyNames"] == [
        "aws:username", "s3:prefix"]
    iam.create_user(UserName="u")
    iam.put_user_policy(UserName="u", PolicyName="p", PolicyDocument=policy(
        allow("sqs:*", Condition={"Bool": {"aws:SecureTransport": "true"}})))
    keys = iam.get_context_keys_for_principal_policy(PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/u")
    assert keys["ContextKeyNames"] == ["aws:SecureTransport"]


def test_policies_granting_service_access(iam):
    """ListPoliciesGrantingServiceAccess: inline policies name their entity, managed ones their ARN
    (API reference, PolicyGrantingServiceAccess)."""
    iam.create_user(UserName="u")
    iam.create_group(GroupName="g")
    iam.add_user_to_group(GroupName="g", UserName="u")
    iam.put_user_policy(UserName="u", PolicyName="own-s3", PolicyDocument=policy(allow("S3:Get*")))
    iam.put_group_policy(GroupName="g", PolicyName="group-all", PolicyDocument=policy(allow("*")))
    iam.attach_user_policy(UserName="u", PolicyArn="arn:aws:iam::aws:policy/AmazonSQSFullAccess")
    response = iam.list_policies_granting_service_access(Arn=f"arn:aws:iam::{ACCOUNT}:user/u",
                                                         ServiceNamespaces=["s3", "sqs"])
    by_service = {entry["ServiceNamespace"]: entry["Policies"] for entry in response["PoliciesGrantingServiceAccess"]}
    assert by_service["s3"] == [
        {"PolicyName": "own-s3", "PolicyType": "INLINE", "EntityType": "USER", "EntityName": "u"},
        {"PolicyName": "group-all", "PolicyType": "INLINE", "EntityType": "GROUP", "EntityName": "g"}]
    assert [p["PolicyName"] for p in by_service["sqs"]] == ["AmazonSQSFullAccess", "group-all"]
    assert by_service["sqs"][0]["PolicyArn"] == "arn:aws:iam::aws:policy/AmazonSQSFullAccess"
