"""SimulatePrincipalPolicy / SimulateCustomPolicy / GetContextKeysFor*Policy through boto3.

EvalDecision values and the MatchedStatements shape are botocore's iam model; the evaluation rules
are the IAM user guide's "Policy evaluation logic".
"""

from __future__ import annotations

import json

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
    # ContextKeyName is optional in the model: an entry without one sets no key (no AWS answer recorded;
    # it was an internal error)
    nameless = iam.simulate_custom_policy(PolicyInputList=[document], ActionNames=["s3:GetObject"],
                                          ContextEntries=[{"ContextKeyValues": ["10.1.1.1"], "ContextKeyType": "ip"}])
    assert nameless["EvaluationResults"][0]["MissingContextValues"] == ["aws:SourceIp"]


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
    # every identity policy is an "IAM Policy"; inline ones are named <kind>_<entity>_<policy>
    # (Terraform's TestAccIAMPrincipalPolicySimulationDataSource_basic, run against AWS)
    assert sources == {("managed-s3", "IAM Policy"), ("user_u_no-delete", "IAM Policy"),
                       ("group_g_group-sqs", "IAM Policy")}
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


def test_simulation_result_shape_as_aws_records_it(iam):
    """LocalStack's AWS recording test_simulate_principle_policy[user]: a managed policy attached to the
    user, two actions on one bucket ARN."""
    document = json.dumps({"Version": "2012-10-17", "Statement": {
        "Sid": "", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}})
    arn = iam.create_policy(PolicyName="put", PolicyDocument=document)["Policy"]["Arn"]
    iam.create_user(UserName="recorded")
    iam.attach_user_policy(UserName="recorded", PolicyArn=arn)
    response = iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/recorded",
                                             ActionNames=["s3:PutObject", "s3:GetObjectVersion"],
                                             ResourceArns=["arn:aws:s3:::bucket"])
    statement = {"SourcePolicyId": "put", "SourcePolicyType": "IAM Policy",
                 "StartPosition": {"Line": 1, "Column": 41}, "EndPosition": {"Line": 1, "Column": 113}}
    assert response["EvaluationResults"] == [
        {"EvalActionName": "s3:PutObject", "EvalDecision": "allowed", "EvalDecisionDetails": {},
         "EvalResourceName": "arn:aws:s3:::bucket", "MatchedStatements": [statement], "MissingContextValues": [],
         "OrganizationsDecisionDetail": {"AllowedByOrganizations": True},
         "ResourceSpecificResults": [{"EvalResourceDecision": "allowed", "EvalResourceName": "arn:aws:s3:::bucket",
                                      "MatchedStatements": [statement], "MissingContextValues": []}]},
        {"EvalActionName": "s3:GetObjectVersion", "EvalDecision": "implicitDeny", "EvalDecisionDetails": {},
         "EvalResourceName": "arn:aws:s3:::bucket", "MatchedStatements": [], "MissingContextValues": [],
         "OrganizationsDecisionDetail": {"AllowedByOrganizations": True},
         "ResourceSpecificResults": [{"EvalResourceDecision": "implicitDeny", "EvalResourceName": "arn:aws:s3:::bucket",
                                      "MatchedStatements": [], "MissingContextValues": []}]}]
    assert response["IsTruncated"] is False


def test_simulate_custom_policy_with_the_cli_examples_context(iam):
    """AWS CLI examples simulate-custom-policy 1 and 2: aws:CurrentTime given as a context entry decides
    a DateGreaterThan condition; the statement spans columns 38 to 167."""
    document = ('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*",'
                '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}')

    def at(moment: str) -> dict:
        return iam.simulate_custom_policy(PolicyInputList=[document], ActionNames=["dynamodb:CreateBackup"], ContextEntries=[
            {"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": [moment], "ContextKeyType": "date"}])["EvaluationResults"][0]

    allowed = at("2019-04-25T11:00:00Z")
    assert allowed["EvalDecision"] == "allowed" and allowed["MissingContextValues"] == []
    assert allowed["MatchedStatements"] == [{"SourcePolicyId": "PolicyInputList.1", "SourcePolicyType": "IAM Policy",
                                             "StartPosition": {"Line": 1, "Column": 38},
                                             "EndPosition": {"Line": 1, "Column": 167}}]
    assert "ResourceSpecificResults" not in allowed and "EvalDecisionDetails" not in allowed  # "*": neither
    denied = at("2014-04-25T11:00:00Z")
    assert (denied["EvalDecision"], denied["MatchedStatements"]) == ("implicitDeny", [])


def test_missing_context_values_go_with_the_resource_when_resources_are_listed(iam):
    """botocore's iam model, EvaluationResult.MissingContextValues: used when the resource is "*"; with
    ResourceArns the missing keys are in ResourceSpecificResults instead."""
    document = policy(allow("s3:GetObject", Condition={"StringEquals": {"s3:ExistingObjectTag/team": "a"}}))
    result = iam.simulate_custom_policy(PolicyInputList=[document], ActionNames=["s3:GetObject"],
                                        ResourceArns=["arn:aws:s3:::b/k"])["EvaluationResults"][0]
    assert result["MissingContextValues"] == []
    assert result["ResourceSpecificResults"][0]["MissingContextValues"] == ["s3:ExistingObjectTag/team"]


def test_permissions_boundary_decision_detail(iam):
    """botocore's iam model, PermissionsBoundaryDecisionDetail: true when the boundary allows the request
    (the identity policy may still not), false when it does not."""
    boundary = policy(allow("s3:*"))
    results = iam.simulate_custom_policy(PolicyInputList=[policy(allow(["s3:GetObject", "sqs:SendMessage"]))],
                                         PermissionsBoundaryPolicyInputList=[boundary],
                                         ActionNames=["s3:GetObject", "s3:PutObject", "sqs:SendMessage"])["EvaluationResults"]
    assert [(r["EvalDecision"], r["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"]) for r in results] == [
        ("allowed", True), ("implicitDeny", True), ("implicitDeny", False)]
    plain = iam.simulate_custom_policy(PolicyInputList=[boundary], ActionNames=["s3:GetObject"])["EvaluationResults"][0]
    assert "PermissionsBoundaryDecisionDetail" not in plain


def test_resource_policy_and_caller_arn(iam):
    """API reference, SimulateCustomPolicy: ResourcePolicy is treated as attached to every resource and
    CallerArn is the principal its Principal element is matched against; the resource owner defaults to
    the caller's account. Within one account a resource policy naming the caller allows on its own;
    across accounts both sides must allow (IAM User Guide, "Cross-account policy evaluation logic")."""
    caller = f"arn:aws:iam::{ACCOUNT}:user/reader"
    bucket_policy = policy({"Effect": "Allow", "Principal": {"AWS": caller}, "Action": "s3:GetObject",
                            "Resource": "arn:aws:s3:::shared/*"})
    same = iam.simulate_custom_policy(PolicyInputList=[policy(deny("sqs:*"))], ResourcePolicy=bucket_policy,
                                      CallerArn=caller, ActionNames=["s3:GetObject"],
                                      ResourceArns=["arn:aws:s3:::shared/k"])["EvaluationResults"][0]
    assert same["EvalDecision"] == "allowed"
    assert [m["SourcePolicyType"] for m in same["MatchedStatements"]] == ["resource"]
    assert same["EvalDecisionDetails"] == {}
    other = iam.simulate_custom_policy(PolicyInputList=[policy(deny("sqs:*"))], ResourcePolicy=bucket_policy,
                                       CallerArn=caller, ResourceOwner="arn:aws:iam::210987654321:root",
                                       ActionNames=["s3:GetObject"], ResourceArns=["arn:aws:s3:::shared/k"])
    crossed = other["EvaluationResults"][0]
    assert crossed["EvalDecision"] == "implicitDeny"
    assert crossed["EvalDecisionDetails"] == {"IAM Policy": "implicitDeny", "Resource Policy": "allowed"}
    assert crossed["ResourceSpecificResults"][0]["EvalDecisionDetails"] == crossed["EvalDecisionDetails"]


def test_resource_arns_and_owner_are_checked(iam):
    """AWS's InvalidInput answers: a KMS key id given as a resource (amazon-ecs-exec-checker#35), an
    account id given as ResourceOwner where the API reference asks for arn:aws:iam::<account>:root
    (boto/botocore#1346)."""
    document = policy(allow("kms:*"))
    with pytest.raises(iam.exceptions.InvalidInputException) as caught:
        iam.simulate_custom_policy(PolicyInputList=[document], ActionNames=["kms:Decrypt"],
                                   ResourceArns=["14a050d4-021e-4efe-84bb-0871bf6d0fda"])
    assert caught.value.response["Error"]["Message"] == (
        "ResourceNames are not in a valid ARN format: 14a050d4-021e-4efe-84bb-0871bf6d0fda.")
    with pytest.raises(iam.exceptions.InvalidInputException) as caught:
        iam.simulate_custom_policy(PolicyInputList=[document], ActionNames=["kms:Decrypt"], ResourceOwner="123456789012")
    assert caught.value.response["Error"]["Message"] == "'123456789012' is not a valid as a Resource Owner."
