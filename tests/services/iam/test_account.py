"""Account-level IAM: alias, summary, identity providers, credential report, authorization details.

Facts: the credential report's columns and its <root_account> first row (IAM user guide, "Getting
credential reports"); ReportNotPresent is 410 in botocore's iam model; OIDC provider ARNs are
``oidc-provider/<host and path>`` (CreateOpenIDConnectProvider API reference).
"""

from __future__ import annotations

import csv
import io

import pytest

from iam_helpers import ACCOUNT, allow, policy, trust

SAML_METADATA = (
    '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com" '
    'validUntil="2035-01-01T00:00:00Z"><IDPSSODescriptor protocolSupportEnumeration='
    '"urn:oasis:names:tc:SAML:2.0:protocol">' + "<!-- padding: the model's minimum length is 1000 -->" * 20 +
    '</IDPSSODescriptor></EntityDescriptor>')


def test_account_alias(iam):
    assert iam.list_account_aliases()["AccountAliases"] == []
    iam.create_account_alias(AccountAlias="my-company")
    assert iam.list_account_aliases()["AccountAliases"] == ["my-company"]
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.delete_account_alias(AccountAlias="other")
    iam.delete_account_alias(AccountAlias="my-company")
    assert iam.list_account_aliases()["AccountAliases"] == []


def test_account_summary_counts_entities(iam):
    iam.create_user(UserName="u")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust())
    iam.create_policy(PolicyName="p", PolicyDocument=policy(allow("s3:*")))
    summary = iam.get_account_summary()["SummaryMap"]
    assert (summary["Users"], summary["Roles"], summary["Policies"], summary["Groups"]) == (1, 1, 1, 0)
    assert summary["VersionsPerPolicyQuota"] == 5 and summary["PolicySizeQuota"] == 6144


def test_oidc_providers(iam):
    arn = iam.create_open_id_connect_provider(Url="https://token.actions.githubusercontent.com",
                                              ClientIDList=["sts.amazonaws.com"],
                                              ThumbprintList=["a" * 40])["OpenIDConnectProviderArn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="other")
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=["b" * 40])
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["Url"] == "token.actions.githubusercontent.com"
    assert got["ClientIDList"] == ["sts.amazonaws.com", "other"] and got["ThumbprintList"] == ["b" * 40]
    with pytest.raises(iam.exceptions.EntityAlreadyExistsException):
        iam.create_open_id_connect_provider(Url="https://token.actions.githubusercontent.com", ThumbprintList=[])
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == [{"Arn": arn}]
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)


def test_saml_providers(iam):
    arn = iam.create_saml_provider(Name="corp", SAMLMetadataDocument=SAML_METADATA)["SAMLProviderArn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:saml-provider/corp"
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["SAMLMetadataDocument"] == SAML_METADATA and got["ValidUntil"].year == 2035
    assert [p["Arn"] for p in iam.list_saml_providers()["SAMLProviderList"]] == [arn]
    with pytest.raises(iam.exceptions.InvalidInputException):
        iam.create_saml_provider(Name="broken", SAMLMetadataDocument="x" * 1000)
    iam.delete_saml_provider(SAMLProviderArn=arn)
    assert iam.list_saml_providers()["SAMLProviderList"] == []


def test_credential_report(aws, iam):
    with pytest.raises(iam.exceptions.CredentialReportNotPresentException) as err:
        iam.get_credential_report()
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410
    iam.create_user(UserName="alice")
    iam.create_access_key(UserName="alice")
    iam.create_login_profile(UserName="alice", Password="a-long-password-1")
    assert iam.generate_credential_report()["State"] == "STARTED"
    assert iam.generate_credential_report()["State"] == "COMPLETE"
    report = iam.get_credential_report()
    assert report["ReportFormat"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(report["Content"].decode())))
    assert [r["user"] for r in rows] == ["<root_account>", "alice"]
    alice = rows[1]
    assert alice["arn"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert (alice["password_enabled"], alice["access_key_1_active"], alice["access_key_2_active"]) == (
        "true", "true", "false")
    aws.clock.advance(5 * 3600)
    with pytest.raises(iam.exceptions.CredentialReportExpiredException):
        iam.get_credential_report()


def test_account_authorization_details(iam):
    arn = iam.create_policy(PolicyName="p", PolicyDocument=policy(allow("s3:*")))["Policy"]["Arn"]
    iam.create_user(UserName="u")
    iam.create_group(GroupName="g")
    iam.add_user_to_group(GroupName="g", UserName="u")
    iam.put_user_policy(UserName="u", PolicyName="inline", PolicyDocument=policy(allow("sqs:*")))
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust())
    iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    details = iam.get_account_authorization_details()
    [user] = details["UserDetailList"]
    assert user["GroupList"] == ["g"]
    assert user["UserPolicyList"][0]["PolicyDocument"]["Statement"][0]["Action"] == "sqs:*"
    [role] = details["RoleDetailList"]
    assert role["AttachedManagedPolicies"] == [{"PolicyName": "p", "PolicyArn": arn}]
    [managed] = details["Policies"]
    assert managed["PolicyVersionList"][0]["Document"]["Statement"][0]["Action"] == "s3:*"
    only_roles = iam.get_account_authorization_details(Filter=["Role"])
    assert only_roles["UserDetailList"] == [] and len(only_roles["RoleDetailList"]) == 1
    first = iam.get_account_authorization_details(MaxItems=2)
    assert first["IsTruncated"] is True
    rest = iam.get_account_authorization_details(MaxItems=10, Marker=first["Marker"])
    total = sum(len(page[k]) for page in (first, rest)
                for k in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"))
    assert total == 4
