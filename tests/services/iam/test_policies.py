"""Managed policies with versions, inline policies, attachments, and policy-document validation.

Limits are from the IAM and STS quotas page (5 versions per managed policy, 6,144 characters per
managed policy, inline aggregates 2,048 user / 5,120 group / 10,240 role, whitespace not counted);
"Policy X was not found." and "does not exist or is not attachable." are AWS's messages as recorded
in LocalStack's tests/aws/services/iam/test_iam.snapshot.json.
"""

from __future__ import annotations

import pytest

from iam_helpers import ACCOUNT, allow, deny, policy, trust


def _message(err: pytest.ExceptionInfo) -> str:
    return err.value.response["Error"]["Message"]


def test_managed_policy_versions_and_the_five_version_limit(iam):
    created = iam.create_policy(PolicyName="p", Path="/app/", Description="d",
                                PolicyDocument=policy(allow("s3:GetObject")))["Policy"]
    arn = created["Arn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:policy/app/p"
    assert created["PolicyId"].startswith("ANPA") and created["DefaultVersionId"] == "v1"
    assert created["AttachmentCount"] == 0 and created["IsAttachable"] is True
    for n in range(2, 6):
        version = iam.create_policy_version(PolicyArn=arn, PolicyDocument=policy(allow(f"s3:Op{n}")),
                                            SetAsDefault=n == 3)["PolicyVersion"]
        assert version["VersionId"] == f"v{n}"
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    with pytest.raises(iam.exceptions.LimitExceededException) as err:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=policy(allow("s3:Op6")))
    assert _message(err) == ("A managed policy can have up to 5 versions. Before you create a new version, "
                             "you must delete an existing version.")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    with pytest.raises(iam.exceptions.DeleteConflictException) as err:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v3")
    assert _message(err) == "Cannot delete the default version of a policy."
    iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in versions] == ["v5", "v4", "v3", "v2"]
    assert [v["IsDefaultVersion"] for v in versions] == [False, False, True, False]
    document = iam.get_policy_version(PolicyArn=arn, VersionId="v3")["PolicyVersion"]["Document"]
    assert document["Statement"][0]["Action"] == "s3:Op3"
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v5")
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_policy_version(PolicyArn=arn, VersionId="v1")
    with pytest.raises(iam.exceptions.DeleteConflictException):
        iam.delete_policy(PolicyArn=arn)  # it still has versions besides the default one
    for version in ("v2", "v3", "v4"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=version)
    iam.delete_policy(PolicyArn=arn)
    with pytest.raises(iam.exceptions.NoSuchEntityException) as err:
        iam.get_policy(PolicyArn=arn)
    assert _message(err) == f"Policy {arn} was not found."


def test_duplicate_policy_names_are_refused(iam):
    iam.create_policy(PolicyName="p", PolicyDocument=policy(allow("s3:*")))
    with pytest.raises(iam.exceptions.EntityAlreadyExistsException) as err:
        iam.create_policy(PolicyName="p", Path="/other/", PolicyDocument=policy(allow("s3:*")))
    assert _message(err) == "A policy called p already exists. Duplicate names are not allowed."


def test_attach_detach_and_entities_for_policy(iam):
    arn = iam.create_policy(PolicyName="p", PolicyDocument=policy(allow("s3:*")))["Policy"]["Arn"]
    iam.create_user(UserName="u")
    iam.create_group(GroupName="g")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust())
    iam.attach_user_policy(UserName="u", PolicyArn=arn)
    iam.attach_group_policy(GroupName="g", PolicyArn=arn)
    iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    iam.attach_role_policy(RoleName="r", PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 3
    entities = iam.list_entities_for_policy(PolicyArn=arn)
    assert [u["UserName"] for u in entities["PolicyUsers"]] == ["u"]
    assert [g["GroupName"] for g in entities["PolicyGroups"]] == ["g"]
    assert [r["RoleName"] for r in entities["PolicyRoles"]] == ["r"]
    assert iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="Role")["PolicyUsers"] == []
    attached = iam.list_attached_role_policies(RoleName="r")["AttachedPolicies"]
    assert [a["PolicyName"] for a in attached] == ["p", "AWSLambdaBasicExecutionRole"]
    only = iam.list_policies(Scope="Local", OnlyAttached=True)["Policies"]
    assert [p["PolicyName"] for p in only] == ["p"]
    with pytest.raises(iam.exceptions.DeleteConflictException) as err:
        iam.delete_policy(PolicyArn=arn)
    assert _message(err) == "Cannot delete a policy attached to entities."
    with pytest.raises(iam.exceptions.DeleteConflictException) as err:
        iam.delete_role(RoleName="r")
    assert _message(err) == "Cannot delete entity, must detach all policies first."
    iam.detach_user_policy(UserName="u", PolicyArn=arn)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.detach_user_policy(UserName="u", PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 2


def test_attaching_a_policy_that_does_not_exist(iam):
    iam.create_user(UserName="u")
    for arn in (f"arn:aws:iam::{ACCOUNT}:policy/missing", "arn:aws:iam::aws:policy/NoSuchManagedPolicy"):
        with pytest.raises(iam.exceptions.NoSuchEntityException) as err:
            iam.attach_user_policy(UserName="u", PolicyArn=arn)
        assert _message(err) == f"Policy {arn} does not exist or is not attachable."


def test_aws_managed_policies_can_be_read(iam):
    policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    got = iam.get_policy(PolicyArn=policy_arn)["Policy"]
    assert got["PolicyName"] == "AdministratorAccess" and got["Path"] == "/"
    document = iam.get_policy_version(PolicyArn=policy_arn, VersionId=got["DefaultVersionId"])["PolicyVersion"]["Document"]
    assert document["Statement"][0] == {"Effect": "Allow", "Action": "*", "Resource": "*"}
    names = [p["PolicyName"] for p in iam.list_policies(Scope="AWS")["Policies"]]
    assert "AmazonS3ReadOnlyAccess" in names


def test_inline_policies(iam):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust())
    iam.put_role_policy(RoleName="r", PolicyName="b", PolicyDocument=policy(allow("sqs:*")))
    iam.put_role_policy(RoleName="r", PolicyName="a", PolicyDocument=policy(allow("sns:*")))
    assert iam.list_role_policies(RoleName="r")["PolicyNames"] == ["a", "b"]
    got = iam.get_role_policy(RoleName="r", PolicyName="b")
    assert got["RoleName"] == "r" and got["PolicyDocument"]["Statement"][0]["Action"] == "sqs:*"
    iam.delete_role_policy(RoleName="r", PolicyName="b")
    with pytest.raises(iam.exceptions.NoSuchEntityException) as err:
        iam.get_role_policy(RoleName="r", PolicyName="b")
    assert _message(err) == "The role policy with name b cannot be found."
    iam.create_group(GroupName="g")
    iam.put_group_policy(GroupName="g", PolicyName="x", PolicyDocument=policy(deny("s3:*")))
    assert iam.get_group_policy(GroupName="g", PolicyName="x")["PolicyDocument"]["Statement"][0]["Effect"] == "Deny"


def test_inline_policy_sizes_are_counted_without_whitespace(iam):
    iam.create_user(UserName="u")
    big = policy(allow([f"s3:Action{i:04d}" for i in range(100)]))  # about 1,800 characters
    padded = big.replace(",", ",      ")
    iam.put_user_policy(UserName="u", PolicyName="one", PolicyDocument=padded)  # whitespace is free
    with pytest.raises(iam.exceptions.LimitExceededException) as err:
        iam.put_user_policy(UserName="u", PolicyName="two", PolicyDocument=big)
    assert _message(err) == "Maximum policy size of 2048 bytes exceeded for user u"
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust())
    iam.put_role_policy(RoleName="r", PolicyName="one", PolicyDocument=big)
    iam.put_role_policy(RoleName="r", PolicyName="two", PolicyDocument=big)  # roles allow 10,240


def test_managed_policy_size_limit(iam):
    huge = policy(allow([f"s3:Action{i:04d}" for i in range(400)]))
    with pytest.raises(iam.exceptions.LimitExceededException) as err:
        iam.create_policy(PolicyName="huge", PolicyDocument=huge)
    assert _message(err) == "Cannot exceed quota for PolicySize: 6144"


@pytest.mark.parametrize(("document", "message"), [
    ("{not json", "Syntax errors in policy."),
    ('{"Version": "2012-10-18", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}',
     "The policy failed legacy parsing"),
    ('{"Version": "2012-10-17", "Statement": [{"Action": "s3:*", "Resource": "*"}]}',
     "Missing required field Effect"),
    ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}',
     "Policy statement must contain actions."),
    ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}',
     "Policy statement must contain resources."),
    ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", '
     '"Principal": "*"}]}', "Policy document should not specify a principal."),
])
def test_malformed_policy_documents(iam, document, message):
    with pytest.raises(iam.exceptions.MalformedPolicyDocumentException) as err:
        iam.create_policy(PolicyName="bad", PolicyDocument=document)
    assert _message(err) == message
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_policy_tags(iam):
    arn = iam.create_policy(PolicyName="p", PolicyDocument=policy(allow("s3:*")),
                            Tags=[{"Key": "a", "Value": "1"}])["Policy"]["Arn"]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "a", "Value": "3"}, {"Key": "b", "Value": "2"}]
    iam.untag_policy(PolicyArn=arn, TagKeys=["a"])
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Tags"] == [{"Key": "b", "Value": "2"}]
