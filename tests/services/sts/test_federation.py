"""AssumeRoleWithWebIdentity and AssumeRoleWithSAML: IAM identity providers and trust policies.

Facts: an OIDC provider must be registered in IAM and the token's audience be one of its client ids
(IAM user guide, "Create an OpenID Connect identity provider"); trust conditions use the provider's
``<host>:sub`` / ``<host>:aud`` keys and SAML's ``SAML:aud`` (IAM user guide, "Available keys for
web identity / SAML federation"); the SAML session name comes from the
``https://aws.amazon.com/SAML/Attributes/RoleSessionName`` attribute.
"""

from __future__ import annotations

import base64
import json

import boto3
import pytest

ACCOUNT = "123456789012"
ISSUER = "token.actions.githubusercontent.com"
SAML_METADATA = ('<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com">'
                 + "<!-- padding to the model's minimum length -->" * 25 + "</EntityDescriptor>")


def _b64(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def _jwt(**claims) -> str:
    return f"{_b64({'alg': 'RS256'})}.{_b64(claims)}.signature"


def _role(iam, name: str, principal: dict, action: str, condition: dict | None = None) -> str:
    statement = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        statement["Condition"] = condition
    return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [statement]}))["Role"]["Arn"]


@pytest.fixture
def clients(aws):
    return boto3.client("iam"), boto3.client("sts")


def test_web_identity_with_a_registered_provider(clients):
    iam, sts = clients
    provider = iam.create_open_id_connect_provider(Url=f"https://{ISSUER}", ClientIDList=["sts.amazonaws.com"],
                                                   ThumbprintList=["a" * 40])["OpenIDConnectProviderArn"]
    role = _role(iam, "ci", {"Federated": provider}, "sts:AssumeRoleWithWebIdentity",
                 {"StringLike": {f"{ISSUER}:sub": "repo:org/app:*"}})
    token = _jwt(iss=f"https://{ISSUER}", sub="repo:org/app:ref:refs/heads/main", aud="sts.amazonaws.com")
    response = sts.assume_role_with_web_identity(RoleArn=role, RoleSessionName="gha", WebIdentityToken=token)
    assert response["SubjectFromWebIdentityToken"] == "repo:org/app:ref:refs/heads/main"
    assert response["Audience"] == "sts.amazonaws.com"
    assert response["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/ci/gha"
    creds = response["Credentials"]
    as_role = boto3.client("sts", aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key="x",
                           aws_session_token=creds["SessionToken"])
    assert as_role.get_caller_identity()["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/ci/gha"
    other_repo = _jwt(iss=f"https://{ISSUER}", sub="repo:evil/app:ref:x", aud="sts.amazonaws.com")
    with pytest.raises(sts.exceptions.ClientError) as err:
        sts.assume_role_with_web_identity(RoleArn=role, RoleSessionName="gha", WebIdentityToken=other_repo)
    assert err.value.response["Error"]["Code"] == "AccessDenied"
    wrong_audience = _jwt(iss=f"https://{ISSUER}", sub="repo:org/app:x", aud="someone-else")
    with pytest.raises(sts.exceptions.InvalidIdentityTokenException):
        sts.assume_role_with_web_identity(RoleArn=role, RoleSessionName="gha", WebIdentityToken=wrong_audience)


def test_web_identity_needs_the_provider_and_a_parsable_token(clients):
    iam, sts = clients
    role = _role(iam, "ci", {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER}"},
                 "sts:AssumeRoleWithWebIdentity")
    token = _jwt(iss=f"https://{ISSUER}", sub="s", aud="sts.amazonaws.com")
    with pytest.raises(sts.exceptions.InvalidIdentityTokenException):
        sts.assume_role_with_web_identity(RoleArn=role, RoleSessionName="gha", WebIdentityToken=token)
    with pytest.raises(sts.exceptions.InvalidIdentityTokenException):
        sts.assume_role_with_web_identity(RoleArn=role, RoleSessionName="gha", WebIdentityToken="not-a-jwt-at-all")


def _saml_response(session: str, subject: str = "alice@example.com") -> str:
    xml = f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
        xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">
      <saml:Issuer>https://idp.example.com</saml:Issuer>
      <saml:Assertion>
        <saml:Issuer>https://idp.example.com</saml:Issuer>
        <saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">{subject}</saml:NameID></saml:Subject>
        <saml:Conditions><saml:AudienceRestriction><saml:Audience>https://signin.aws.amazon.com/saml</saml:Audience></saml:AudienceRestriction></saml:Conditions>
        <saml:AttributeStatement>
          <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><saml:AttributeValue>{session}</saml:AttributeValue></saml:Attribute>
        </saml:AttributeStatement>
      </saml:Assertion>
    </samlp:Response>"""
    return base64.b64encode(xml.encode()).decode()


def test_saml_federation(clients):
    iam, sts = clients
    provider = iam.create_saml_provider(Name="corp", SAMLMetadataDocument=SAML_METADATA)["SAMLProviderArn"]
    role = _role(iam, "sso", {"Federated": provider}, "sts:AssumeRoleWithSAML",
                 {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}})
    response = sts.assume_role_with_saml(RoleArn=role, PrincipalArn=provider, SAMLAssertion=_saml_response("alice"))
    assert response["Subject"] == "alice@example.com" and response["SubjectType"] == "persistent"
    assert response["Issuer"] == "https://idp.example.com"
    assert response["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/sso/alice"
    with pytest.raises(sts.exceptions.InvalidIdentityTokenException):
        sts.assume_role_with_saml(RoleArn=role, PrincipalArn=provider,
                                  SAMLAssertion=base64.b64encode(b"<not-saml/>" * 400).decode())
    other = f"arn:aws:iam::{ACCOUNT}:saml-provider/other"
    with pytest.raises(sts.exceptions.InvalidIdentityTokenException):
        sts.assume_role_with_saml(RoleArn=role, PrincipalArn=other, SAMLAssertion=_saml_response("alice"))
