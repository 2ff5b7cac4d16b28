"""Access advisor (service last accessed reports) and outbound web identity federation.

Facts: GetServiceLastAccessedDetails lists "the AWS services that the resource (user, group, role, or
managed policy) can access" through its permissions policies only, each without last-access details when
never accessed; a group report's entities are the group's users, a policy report's the users and roles
that could use it (API reference, GetServiceLastAccessedDetails and …WithEntities); AWS's example report
names ``iam`` "AWS Identity and Access Management" and ``s3`` "Amazon Simple Storage Service" with
``TotalAuthenticatedEntities`` 0 for a service not accessed. EnableOutboundWebIdentityFederation answers
FeatureEnabled (409) when already enabled (API reference); FeatureDisabled is 404 in botocore's iam model.
"""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from iam_helpers import ACCOUNT, allow, deny, policy, trust


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    return exc.value.response["Error"]["Code"], exc.value.response["ResponseMetadata"]["HTTPStatusCode"]


def report(iam, arn: str, **params) -> list[str]:
    job = iam.generate_service_last_accessed_details(Arn=arn, **params)["JobId"]
    details = iam.get_service_last_accessed_details(JobId=job, MaxItems=1000)
    assert details["JobStatus"] == "COMPLETED" and details["JobCompletionDate"] >= details["JobCreationDate"]
    return [service["ServiceNamespace"] for service in details["ServicesLastAccessed"]]


def test_a_user_report_lists_the_services_its_own_and_its_groups_policies_allow(iam):
    iam.create_user(UserName="ana")
    iam.create_group(GroupName="readers")
    iam.add_user_to_group(GroupName="readers", UserName="ana")
    iam.put_group_policy(GroupName="readers", PolicyName="read", PolicyDocument=policy(allow(["s3:Get*", "sqs:*"])))
    managed = iam.create_policy(PolicyName="tables", PolicyDocument=policy(allow("dynamodb:*"), deny("iam:*")))
    iam.attach_user_policy(UserName="ana", PolicyArn=managed["Policy"]["Arn"])
    job = iam.generate_service_last_accessed_details(Arn=f"arn:aws:iam::{ACCOUNT}:user/ana")["JobId"]
    assert re.match(r"^[0-9a-f-]{36}$", job)
    details = iam.get_service_last_accessed_details(JobId=job)
    assert details["JobType"] == "SERVICE_LEVEL" and details["IsTruncated"] is False
    assert details["ServicesLastAccessed"] == [
        {"ServiceName": "Amazon DynamoDB", "ServiceNamespace": "dynamodb", "TotalAuthenticatedEntities": 0},
        {"ServiceName": "Amazon Simple Storage Service", "ServiceNamespace": "s3", "TotalAuthenticatedEntities": 0},
        {"ServiceName": "Amazon Simple Queue Service", "ServiceNamespace": "sqs", "TotalAuthenticatedEntities": 0}]
    assert report(iam, f"arn:aws:iam::{ACCOUNT}:group/readers") == ["s3", "sqs"]


def test_wildcards_and_not_action_reach_every_service_but_the_excluded(iam):
    iam.create_role(RoleName="admin", AssumeRolePolicyDocument=trust())
    iam.attach_role_policy(RoleName="admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    everything = report(iam, f"arn:aws:iam::{ACCOUNT}:role/admin", Granularity="ACTION_LEVEL")
    assert {"iam", "s3", "lambda", "cloudwatch", "states"} <= set(everything) and len(everything) > 300
    iam.put_role_policy(RoleName="admin", PolicyName="none", PolicyDocument=policy(allow("x:*")))
    iam.detach_role_policy(RoleName="admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    assert report(iam, f"arn:aws:iam::{ACCOUNT}:role/admin") == []
    arn = iam.create_policy(PolicyName="all-but-s3", PolicyDocument=policy(
        {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}))["Policy"]["Arn"]
    assert set(report(iam, arn)) == set(everything) - {"s3"}


def test_a_policy_report_names_the_users_and_roles_that_could_use_it(iam):
    arn = iam.create_policy(PolicyName="tables", PolicyDocument=policy(allow("dynamodb:GetItem")))["Policy"]["Arn"]
    iam.create_user(UserName="direct")
    iam.attach_user_policy(UserName="direct", PolicyArn=arn)
    iam.create_role(RoleName="worker", AssumeRolePolicyDocument=trust())
    iam.attach_role_policy(RoleName="worker", PolicyArn=arn)
    iam.create_group(GroupName="team")
    iam.create_user(UserName="member")
    iam.add_user_to_group(GroupName="team", UserName="member")
    iam.attach_group_policy(GroupName="team", PolicyArn=arn)
    job = iam.generate_service_last_accessed_details(Arn=arn)["JobId"]
    entities = iam.get_service_last_accessed_details_with_entities(JobId=job, ServiceNamespace="dynamodb")
    infos = [detail["EntityInfo"] for detail in entities["EntityDetailsList"]]
    assert sorted((info["Type"], info["Name"]) for info in infos) == [
        ("ROLE", "worker"), ("USER", "direct"), ("USER", "member")]
    assert all("LastAuthenticated" not in detail for detail in entities["EntityDetailsList"])
    role = next(info for info in infos if info["Type"] == "ROLE")
    assert role == {"Arn": f"arn:aws:iam::{ACCOUNT}:role/worker", "Name": "worker", "Type": "ROLE", "Path": "/",
                    "Id": iam.get_role(RoleName="worker")["Role"]["RoleId"]}
    assert iam.get_service_last_accessed_details_with_entities(
        JobId=job, ServiceNamespace="s3")["EntityDetailsList"] == []  # the policy grants nothing in s3
    page = iam.get_service_last_accessed_details_with_entities(JobId=job, ServiceNamespace="dynamodb", MaxItems=2)
    assert page["IsTruncated"] is True and len(page["EntityDetailsList"]) == 2
    rest = iam.get_service_last_accessed_details_with_entities(JobId=job, ServiceNamespace="dynamodb",
                                                                Marker=page["Marker"])
    assert [d["EntityInfo"] for d in page["EntityDetailsList"] + rest["EntityDetailsList"]] == infos


def test_reports_answer_aws_errors(iam):
    with pytest.raises(ClientError) as exc:
        iam.generate_service_last_accessed_details(Arn=f"arn:aws:iam::{ACCOUNT}:user/nobody")
    assert error(exc) == ("NoSuchEntity", 404)
    with pytest.raises(ClientError) as exc:
        iam.generate_service_last_accessed_details(Arn=f"arn:aws:iam::{ACCOUNT}:policy/missing")
    assert error(exc) == ("NoSuchEntity", 404)
    with pytest.raises(ClientError) as exc:
        iam.generate_service_last_accessed_details(Arn="arn:aws:s3:::a-bucket")
    assert error(exc) == ("InvalidInput", 400)
    with pytest.raises(ClientError) as exc:
        iam.get_service_last_accessed_details(JobId="00000000-0000-0000-0000-000000000000")
    assert error(exc) == ("NoSuchEntity", 404)
    iam.create_user(UserName="ana")
    job = iam.generate_service_last_accessed_details(Arn=f"arn:aws:iam::{ACCOUNT}:user/ana")["JobId"]
    with pytest.raises(ClientError) as exc:
        iam.get_service_last_accessed_details_with_entities(JobId=job, ServiceNamespace="not-a-service")
    assert error(exc) == ("InvalidInput", 400)


def test_outbound_web_identity_federation_is_enabled_once_and_disabled_once(iam):
    with pytest.raises(ClientError) as exc:
        iam.get_outbound_web_identity_federation_info()
    assert error(exc) == ("FeatureDisabled", 404)
    issuer = iam.enable_outbound_web_identity_federation()["IssuerIdentifier"]
    assert issuer.startswith("https://")
    info = iam.get_outbound_web_identity_federation_info()
    assert (info["IssuerIdentifier"], info["JwtVendingEnabled"]) == (issuer, True)
    with pytest.raises(iam.exceptions.FeatureEnabledException) as enabled:
        iam.enable_outbound_web_identity_federation()
    assert error(enabled) == ("FeatureEnabled", 409)
    iam.disable_outbound_web_identity_federation()
    with pytest.raises(iam.exceptions.FeatureDisabledException):
        iam.disable_outbound_web_identity_federation()
    with pytest.raises(iam.exceptions.FeatureDisabledException):
        iam.get_outbound_web_identity_federation_info()
