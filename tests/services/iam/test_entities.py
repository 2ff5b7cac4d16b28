"""IAM users, groups, roles and instance profiles through boto3.

Error codes and statuses are botocore's iam model (NoSuchEntity 404, EntityAlreadyExists 409,
DeleteConflict 409, LimitExceeded 409); messages are AWS's as recorded in LocalStack's
tests/aws/services/iam/test_iam.snapshot.json (e.g. "The user with name X cannot be found.") and the
IAM API reference.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from iam_helpers import ACCOUNT, allow, policy, trust


def _error(err: pytest.ExceptionInfo) -> tuple[str, str, int]:
    response = err.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_user_lifecycle(iam):
    created = iam.create_user(UserName="alice", Path="/eng/", Tags=[{"Key": "team", "Value": "core"}])["User"]
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/eng/alice"
    assert created["UserId"].startswith("AIDA") and len(created["UserId"]) == 21
    assert created["Tags"] == [{"Key": "team", "Value": "core"}]
    assert iam.get_user(UserName="alice")["User"]["UserId"] == created["UserId"]
    # names are unique regardless of case
    with pytest.raises(iam.exceptions.EntityAlreadyExistsException) as err:
        iam.create_user(UserName="ALICE")
    assert _error(err) == ("EntityAlreadyExists", "User with name ALICE already exists.", 409)
    iam.update_user(UserName="alice", NewUserName="alicia", NewPath="/ops/")
    assert iam.get_user(UserName="alicia")["User"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/ops/alicia"
    iam.delete_user(UserName="alicia")
    with pytest.raises(iam.exceptions.NoSuchEntityException) as err:
        iam.get_user(UserName="alicia")
    assert _error(err) == ("NoSuchEntity", "The user with name alicia cannot be found.", 404)


def test_list_users_pages_with_marker_and_filters_by_path(iam):
    for name in ["u3", "u1", "u2", "u4"]:
        iam.create_user(UserName=name, Path="/a/" if name != "u4" else "/b/")
    first = iam.list_users(MaxItems=2)
    assert [u["UserName"] for u in first["Users"]] == ["u1", "u2"]
    assert first["IsTruncated"] is True
    second = iam.list_users(MaxItems=2, Marker=first["Marker"])
    assert [u["UserName"] for u in second["Users"]] == ["u3", "u4"]
    assert second["IsTruncated"] is False and "Marker" not in second
    assert [u["UserName"] for u in iam.list_users(PathPrefix="/b/")["Users"]] == ["u4"]
    # the paginator follows the markers
    pages = iam.get_paginator("list_users").paginate(PaginationConfig={"PageSize": 1})
    assert [u["UserName"] for page in pages for u in page["Users"]] == ["u1", "u2", "u3", "u4"]


def test_groups_and_membership(iam):
    iam.create_user(UserName="bob")
    group = iam.create_group(GroupName="devs")["Group"]
    assert group["GroupId"].startswith("AGPA")
    iam.add_user_to_group(GroupName="devs", UserName="bob")
    got = iam.get_group(GroupName="devs")
    assert [u["UserName"] for u in got["Users"]] == ["bob"]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="bob")["Groups"]] == ["devs"]
    with pytest.raises(iam.exceptions.DeleteConflictException) as err:
        iam.delete_group(GroupName="devs")
    assert _error(err) == ("DeleteConflict", "Cannot delete entity, must remove users from group first.", 409)
    iam.update_group(GroupName="devs", NewGroupName="developers")
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="bob")["Groups"]] == ["developers"]
    iam.remove_user_from_group(GroupName="developers", UserName="bob")
    iam.delete_group(GroupName="developers")
    assert iam.list_groups()["Groups"] == []


def test_role_lifecycle_and_trust_policy(iam):
    role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument=trust(), Description="d",
                           MaxSessionDuration=7200, Tags=[{"Key": "k", "Value": "v"}])["Role"]
    assert role["RoleId"].startswith("AROA")
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    got = iam.get_role(RoleName="fn")["Role"]
    assert got["MaxSessionDuration"] == 7200 and got["Description"] == "d" and got["RoleLastUsed"] == {}
    iam.update_role(RoleName="fn", MaxSessionDuration=3600, Description="new")
    iam.update_assume_role_policy(RoleName="fn", PolicyDocument=trust({"AWS": ACCOUNT}))
    got = iam.get_role(RoleName="fn")["Role"]
    assert got["MaxSessionDuration"] == 3600 and got["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"AWS": ACCOUNT}
    iam.tag_role(RoleName="fn", Tags=[{"Key": "k2", "Value": "v2"}])
    iam.untag_role(RoleName="fn", TagKeys=["k"])
    assert iam.list_role_tags(RoleName="fn")["Tags"] == [{"Key": "k2", "Value": "v2"}]
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["fn"]
    iam.delete_role(RoleName="fn")
    with pytest.raises(iam.exceptions.NoSuchEntityException) as err:
        iam.get_role(RoleName="fn")
    assert _error(err)[1] == "The role with name fn cannot be found."


def test_max_session_duration_outside_the_models_range_is_refused(iam):
    with pytest.raises(ClientError) as err:
        iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust(), MaxSessionDuration=50000)
    assert err.value.response["Error"]["Code"] == "ValidationError"


def test_malformed_trust_policy(iam):
    # LocalStack test_iam.py::test_create_role_with_malformed_assume_role_policy_document recording
    with pytest.raises(iam.exceptions.MalformedPolicyDocumentException) as err:
        iam.create_role(RoleName="r", AssumeRolePolicyDocument="{not json")
    assert _error(err) == ("MalformedPolicyDocument", "This policy contains invalid Json", 400)


def test_permissions_boundary(iam):
    arn = iam.create_policy(PolicyName="boundary", PolicyDocument=policy(allow("s3:*")))["Policy"]["Arn"]
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust(), PermissionsBoundary=arn)
    assert iam.get_role(RoleName="r")["Role"]["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}
    assert iam.get_policy(PolicyArn=arn)["Policy"]["PermissionsBoundaryUsageCount"] == 1
    iam.delete_role_permissions_boundary(RoleName="r")
    assert "PermissionsBoundary" not in iam.get_role(RoleName="r")["Role"]
    iam.create_user(UserName="u")
    iam.put_user_permissions_boundary(UserName="u", PermissionsBoundary=arn)
    assert iam.get_user(UserName="u")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == arn
    missing = f"arn:aws:iam::{ACCOUNT}:policy/nope"
    with pytest.raises(iam.exceptions.NoSuchEntityException) as err:
        iam.put_role_permissions_boundary(RoleName="r", PermissionsBoundary=missing)
    assert _error(err)[1] == f"Policy {missing} does not exist or is not attachable."


def test_instance_profiles(iam):
    iam.create_role(RoleName="ec2", AssumeRolePolicyDocument=trust({"Service": "ec2.amazonaws.com"}))
    profile = iam.create_instance_profile(InstanceProfileName="web")["InstanceProfile"]
    assert profile["InstanceProfileId"].startswith("AIPA") and profile["Roles"] == []
    iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="ec2")
    assert [r["RoleName"] for r in iam.get_instance_profile(InstanceProfileName="web")["InstanceProfile"]["Roles"]] == ["ec2"]
    assert [p["InstanceProfileName"] for p in iam.list_instance_profiles_for_role(RoleName="ec2")["InstanceProfiles"]] == ["web"]
    iam.create_role(RoleName="other", AssumeRolePolicyDocument=trust())
    with pytest.raises(iam.exceptions.LimitExceededException):
        iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="other")
    with pytest.raises(iam.exceptions.DeleteConflictException) as err:
        iam.delete_role(RoleName="ec2")
    assert _error(err)[1] == "Cannot delete entity, must remove roles from instance profile first."
    with pytest.raises(iam.exceptions.DeleteConflictException):
        iam.delete_instance_profile(InstanceProfileName="web")
    iam.remove_role_from_instance_profile(InstanceProfileName="web", RoleName="ec2")
    iam.delete_instance_profile(InstanceProfileName="web")
    with pytest.raises(iam.exceptions.NoSuchEntityException) as err:
        iam.get_instance_profile(InstanceProfileName="web")
    assert _error(err)[1] == "Instance Profile web cannot be found."


def test_service_linked_roles(iam):
    role = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForAutoScaling"
    assert role["Path"] == "/aws-service-role/autoscaling.amazonaws.com/"
    with pytest.raises(ClientError) as err:
        iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")
    # LocalStack test_iam.py::TestIAMServiceRoles recording
    assert _error(err) == ("InvalidInput", "Service role name AWSServiceRoleForAutoScaling has been taken in this "
                           "account, please try a different suffix.", 400)
    with pytest.raises(iam.exceptions.UnmodifiableEntityException):
        iam.delete_role(RoleName="AWSServiceRoleForAutoScaling")
    task = iam.delete_service_linked_role(RoleName="AWSServiceRoleForAutoScaling")["DeletionTaskId"]
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    assert iam.list_roles()["Roles"] == []


def test_delete_user_needs_its_attachments_gone_first(iam):
    iam.create_user(UserName="u")
    iam.put_user_policy(UserName="u", PolicyName="p", PolicyDocument=policy(allow("s3:*")))
    with pytest.raises(iam.exceptions.DeleteConflictException) as err:
        iam.delete_user(UserName="u")
    assert _error(err)[1] == "Cannot delete entity, must delete policies first."
    iam.delete_user_policy(UserName="u", PolicyName="p")
    iam.create_access_key(UserName="u")
    with pytest.raises(iam.exceptions.DeleteConflictException) as err:
        iam.delete_user(UserName="u")
    assert _error(err)[1] == "Cannot delete entity, must delete access keys first."


def test_iam_is_global_and_partitioned_by_account(aws):
    import boto3
    boto3.client("iam", region_name="eu-west-1").create_user(UserName="g")
    assert boto3.client("iam", region_name="us-west-2").get_user(UserName="g")["User"]
    other = boto3.client("iam", aws_access_key_id="210987654321", aws_secret_access_key="x")
    with pytest.raises(other.exceptions.NoSuchEntityException):
        other.get_user(UserName="g")


def test_the_backend_serves_the_identity_port(aws, iam):
    from kumo_intercept.core.ports import IdentityPort

    port = aws.ports.identity
    assert isinstance(port, IdentityPort)
    role = iam.create_role(RoleName="r", Path="/p/", AssumeRolePolicyDocument=trust())["Role"]
    assert port.role_exists(role["Arn"]) and not port.role_exists(f"arn:aws:iam::{ACCOUNT}:role/r")
    record = port.role_record(role["Arn"])
    assert record is not None and record["AssumeRolePolicyDocument"]["Statement"][0]["Action"] == "sts:AssumeRole"
    assert port.trust_allows(role["Arn"], "lambda.amazonaws.com", principal_kind="Service")
    assert not port.trust_allows(role["Arn"], f"arn:aws:iam::{ACCOUNT}:root")
    assert port.principal_for_access_key("AKIANOTAKEY000000000") is None
    assert port.identity_provider(f"arn:aws:iam::{ACCOUNT}:oidc-provider/none") is None
