"""AWS managed policies are named in the caller's partition: ``arn:aws:iam::aws:policy/…`` in aws,
``arn:aws-cn:…`` in China, ``arn:aws-us-gov:…`` in GovCloud.

Facts: which region is in which partition is botocore's partitions data; "In the Beijing and Ningxia
Regions, the Amazon Resource Name (ARN) syntax includes a cn" (docs.amazonaws.cn, "ARNs for Amazon Web
Services in China"); AWS managed policies in China are ``arn:aws-cn:iam::aws:policy/…`` (winebarrel/miam#25;
terraform-aws-modules/terraform-aws-eks#765 attaches them so in cn-north-1), and AWS answers an unknown one
there "NoSuchEntity: Policy arn:aws-cn:iam::aws:policy/… does not exist or is not attachable." (404,
terraform-aws-modules/terraform-aws-eks#3259). An ARN of another partition than the caller's is refused
"ValidationError: Invalid ARN partition" (400): AttachRolePolicy from cn-northwest-1 with
``arn:aws:iam::aws:policy/AmazonS3FullAccess`` (pulumi/pulumi-aws-apigateway#347), and AWS's notice on IAM
ARN validation, "The partition name must match the partition of the AWS account from where you are calling
the API" (quoted in cloud-gov/aws-broker#383), for every IAM resource ARN passed to an IAM API — so for
customer managed policies too, and for DetachRolePolicy and GetPolicy (inferred from that notice: no
recording of those was found).
"""

from __future__ import annotations

from typing import Any, Iterator

import boto3
import pytest
from botocore.exceptions import ClientError

from iam_helpers import ACCOUNT, allow, policy, trust
from kumo_intercept import Emulator, kumo

PARTITIONS = [("cn-north-1", "arn:aws-cn"), ("us-gov-west-1", "arn:aws-us-gov"), ("us-east-1", "arn:aws")]


def client(service: str, region: str, key: dict | None = None) -> Any:
    """A client in ``region``: as the account's root (a 12-digit access key names it), or with ``key``."""
    if key is None:
        return boto3.client(service, region_name=region, aws_access_key_id=ACCOUNT, aws_secret_access_key="x")
    return boto3.client(service, region_name=region, aws_access_key_id=key["AccessKeyId"],
                        aws_secret_access_key=key["SecretAccessKey"], aws_session_token=key.get("SessionToken"))


def error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.mark.parametrize(("region", "prefix"), PARTITIONS)
def test_attach_list_get_and_detach_in_the_caller_partition(aws: Emulator, region: str, prefix: str) -> None:
    iam = client("iam", region)
    admin = f"{prefix}:iam::aws:policy/AdministratorAccess"
    lambda_basic = f"{prefix}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=trust())
    iam.create_user(UserName="ana")
    iam.create_group(GroupName="ops")
    iam.attach_role_policy(RoleName="deployer", PolicyArn=admin)
    iam.attach_role_policy(RoleName="deployer", PolicyArn=lambda_basic)
    iam.attach_user_policy(UserName="ana", PolicyArn=admin)
    iam.attach_group_policy(GroupName="ops", PolicyArn=admin)

    assert iam.list_attached_role_policies(RoleName="deployer")["AttachedPolicies"] == [
        {"PolicyName": "AdministratorAccess", "PolicyArn": admin},
        {"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": lambda_basic}]
    assert iam.list_attached_role_policies(RoleName="deployer", PathPrefix="/service-role/")["AttachedPolicies"] == [
        {"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": lambda_basic}]
    assert iam.list_attached_user_policies(UserName="ana")["AttachedPolicies"][0]["PolicyArn"] == admin
    assert iam.list_attached_group_policies(GroupName="ops")["AttachedPolicies"][0]["PolicyArn"] == admin

    got = iam.get_policy(PolicyArn=admin)["Policy"]
    assert (got["Arn"], got["PolicyName"], got["AttachmentCount"]) == (admin, "AdministratorAccess", 3)
    version = iam.get_policy_version(PolicyArn=admin, VersionId="v1")["PolicyVersion"]
    assert version["Document"]["Statement"][0] == {"Effect": "Allow", "Action": "*", "Resource": "*"}
    assert [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=admin)["Versions"]] == ["v1"]
    listed = iam.list_policies(Scope="AWS")["Policies"]
    assert listed and all(p["Arn"].startswith(f"{prefix}:iam::aws:policy/") for p in listed)
    assert [p["Arn"] for p in iam.list_policies(Scope="All", OnlyAttached=True)["Policies"]] == [
        lambda_basic, admin]
    entities = iam.list_entities_for_policy(PolicyArn=admin)
    assert ([r["RoleName"] for r in entities["PolicyRoles"]], [u["UserName"] for u in entities["PolicyUsers"]],
            [g["GroupName"] for g in entities["PolicyGroups"]]) == (["deployer"], ["ana"], ["ops"])
    details = iam.get_account_authorization_details(Filter=["AWSManagedPolicy", "Role"])
    assert [p["Arn"] for p in details["Policies"]] == [lambda_basic, admin]
    assert [p["PolicyArn"] for p in details["RoleDetailList"][0]["AttachedManagedPolicies"]] == [admin, lambda_basic]

    for detach in (lambda: iam.detach_role_policy(RoleName="deployer", PolicyArn=admin),
                   lambda: iam.detach_user_policy(UserName="ana", PolicyArn=admin),
                   lambda: iam.detach_group_policy(GroupName="ops", PolicyArn=admin)):
        detach()
    assert iam.get_policy(PolicyArn=admin)["Policy"]["AttachmentCount"] == 0
    assert iam.list_attached_role_policies(RoleName="deployer")["AttachedPolicies"] == [
        {"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": lambda_basic}]


@pytest.mark.parametrize(("region", "prefix"), PARTITIONS)
def test_boundaries_and_reports_name_the_policy_in_the_caller_partition(aws: Emulator, region: str, prefix: str) -> None:
    iam = client("iam", region)
    sqs_full = f"{prefix}:iam::aws:policy/AmazonSQSFullAccess"
    iam.create_user(UserName="ana", PermissionsBoundary=sqs_full)
    assert iam.get_user(UserName="ana")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == sqs_full
    assert iam.get_policy(PolicyArn=sqs_full)["Policy"]["PermissionsBoundaryUsageCount"] == 1
    iam.attach_user_policy(UserName="ana", PolicyArn=sqs_full)
    granting = iam.list_policies_granting_service_access(
        Arn=f"{prefix}:iam::{ACCOUNT}:user/ana", ServiceNamespaces=["sqs"])["PoliciesGrantingServiceAccess"]
    assert granting[0]["Policies"] == [{"PolicyName": "AmazonSQSFullAccess", "PolicyType": "MANAGED",
                                        "PolicyArn": sqs_full}]
    job = iam.generate_service_last_accessed_details(Arn=sqs_full)["JobId"]
    assert [s["ServiceNamespace"] for s in iam.get_service_last_accessed_details(JobId=job)["ServicesLastAccessed"]] \
        == ["sqs"]
    with_entities = iam.get_service_last_accessed_details_with_entities(JobId=job, ServiceNamespace="sqs")
    assert [e["EntityInfo"]["Name"] for e in with_entities["EntityDetailsList"]] == ["ana"]


def test_an_unknown_aws_managed_policy_in_china_is_no_such_entity(aws: Emulator) -> None:
    iam = client("iam", "cn-north-1")
    iam.create_role(RoleName="nodes", AssumeRolePolicyDocument=trust())
    missing = "arn:aws-cn:iam::aws:policy/AmazonEKSLoadBalancingPolicy"
    with pytest.raises(ClientError) as caught:
        iam.attach_role_policy(RoleName="nodes", PolicyArn=missing)
    assert error(caught) == ("NoSuchEntity", f"Policy {missing} does not exist or is not attachable.", 404)
    wrong_path = "arn:aws-cn:iam::aws:policy/service-role/AdministratorAccess"
    with pytest.raises(ClientError) as caught:
        iam.get_policy(PolicyArn=wrong_path)
    assert error(caught) == ("NoSuchEntity", f"Policy {wrong_path} was not found.", 404)


@pytest.mark.parametrize(("region", "foreign"), [("cn-north-1", "arn:aws"), ("us-east-1", "arn:aws-cn"),
                                                 ("us-gov-west-1", "arn:aws-cn")])
def test_a_policy_arn_of_another_partition_is_refused(aws: Emulator, region: str, foreign: str) -> None:
    iam = client("iam", region)
    iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=trust())
    customer = iam.create_policy(PolicyName="reader", PolicyDocument=policy(allow("s3:GetObject")))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="deployer", PolicyArn=customer)
    elsewhere = [f"{foreign}:iam::aws:policy/AdministratorAccess", f"{foreign}:iam::{ACCOUNT}:policy/reader"]
    for arn in elsewhere:
        for call in (lambda: iam.attach_role_policy(RoleName="deployer", PolicyArn=arn),
                     lambda: iam.detach_role_policy(RoleName="deployer", PolicyArn=arn),
                     lambda: iam.get_policy(PolicyArn=arn),
                     lambda: iam.put_role_permissions_boundary(RoleName="deployer", PermissionsBoundary=arn)):
            with pytest.raises(ClientError) as caught:
                call()
            assert error(caught) == ("ValidationError", "Invalid ARN partition", 400)
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName="deployer")["AttachedPolicies"]] == [
        customer]


@pytest.fixture
def enforcing() -> Iterator[Emulator]:
    with kumo(iam="enforce", clock="virtual", strict=True) as emulator:
        yield emulator


def test_administrator_access_attached_in_china_allows_the_user(enforcing: Emulator) -> None:
    """Enforcement reads the documents of AWS managed policies attached in any partition (the IAM User
    Guide's "Policy evaluation logic": an identity-based allow grants the call)."""
    iam = client("iam", "cn-north-1")
    iam.create_user(UserName="ops")
    key = iam.create_access_key(UserName="ops")["AccessKey"]
    sqs = client("sqs", "cn-north-1", key)
    with pytest.raises(ClientError) as caught:
        sqs.create_queue(QueueName="jobs")
    assert caught.value.response["Error"]["Code"] == "AccessDenied"
    iam.attach_user_policy(UserName="ops", PolicyArn="arn:aws-cn:iam::aws:policy/AdministratorAccess")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    assert url.endswith(f"/{ACCOUNT}/jobs")
    assert "AdministratorAccess (aws-managed) Allow" in enforcing.iam.explain(enforcing.calls.last())


def test_a_session_policy_arn_in_govcloud_limits_the_role_session(enforcing: Emulator) -> None:
    """Session policies passed as PolicyArns (IAM User Guide, "Session policies") are read in any partition:
    the session gets what both the role's and the session policy allow."""
    iam = client("iam", "us-gov-west-1")
    role = iam.create_role(RoleName="worker", AssumeRolePolicyDocument=policy(
        {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"}))["Role"]["Arn"]
    iam.attach_role_policy(RoleName="worker", PolicyArn="arn:aws-us-gov:iam::aws:policy/AdministratorAccess")
    session = client("sts", "us-gov-west-1").assume_role(
        RoleArn=role, RoleSessionName="s1",
        PolicyArns=[{"arn": "arn:aws-us-gov:iam::aws:policy/AmazonSQSFullAccess"}])["Credentials"]
    client("sqs", "us-gov-west-1", session).create_queue(QueueName="jobs")
    with pytest.raises(ClientError) as caught:
        client("sns", "us-gov-west-1", session).create_topic(Name="alerts")
    assert caught.value.response["Error"]["Code"] == "AuthorizationError"
