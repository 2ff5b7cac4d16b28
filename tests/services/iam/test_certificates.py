"""Server and signing certificates, SSH public keys, service-specific credentials, ChangePassword.

Facts: ServiceUserName is ``<user>-at-<account>`` and unsupported services are NoSuchEntity "No such
service X is supported for Service Specific Credentials" (LocalStack test_iam.py
TestIAMServiceSpecificCredentials recordings); "The Server Certificate with name X cannot be found."
(LocalStack resource_providers/test_iam.snapshot.json). The certificate below is self-signed, made
with ``openssl req -x509 -days 3650`` (notAfter 2036-11-30 23:32:20 GMT).
"""

from __future__ import annotations

import base64
import datetime
import pathlib

import boto3
import pytest

from iam_helpers import ACCOUNT

CERTIFICATE = (pathlib.Path(__file__).parent / "data" / "certificate.pem").read_text()
SSH_KEY = "ssh-rsa " + base64.b64encode(b"\x00\x00\x00\x07ssh-rsa" + bytes(range(200))).decode() + " me@host"


def test_server_certificates(iam):
    uploaded = iam.upload_server_certificate(ServerCertificateName="web", Path="/cloudfront/",
                                             CertificateBody=CERTIFICATE, PrivateKey="-----BEGIN PRIVATE KEY-----")
    metadata = uploaded["ServerCertificateMetadata"]
    assert metadata["Arn"] == f"arn:aws:iam::{ACCOUNT}:server-certificate/cloudfront/web"
    assert metadata["Expiration"] == datetime.datetime(2036, 11, 30, 23, 32, 20, tzinfo=datetime.timezone.utc)
    got = iam.get_server_certificate(ServerCertificateName="web")["ServerCertificate"]
    assert got["CertificateBody"] == CERTIFICATE
    iam.update_server_certificate(ServerCertificateName="web", NewServerCertificateName="site")
    assert [c["ServerCertificateName"] for c in iam.list_server_certificates()["ServerCertificateMetadataList"]] == ["site"]
    with pytest.raises(iam.exceptions.NoSuchEntityException) as err:
        iam.get_server_certificate(ServerCertificateName="web")
    assert err.value.response["Error"]["Message"] == "The Server Certificate with name web cannot be found."
    with pytest.raises(iam.exceptions.MalformedCertificateException):
        iam.upload_server_certificate(ServerCertificateName="bad", CertificateBody="not a certificate",
                                      PrivateKey="-----BEGIN PRIVATE KEY-----")
    iam.delete_server_certificate(ServerCertificateName="site")
    assert iam.list_server_certificates()["ServerCertificateMetadataList"] == []


def test_signing_certificates_and_ssh_keys(iam):
    iam.create_user(UserName="u")
    certificate = iam.upload_signing_certificate(UserName="u", CertificateBody=CERTIFICATE)["Certificate"]
    iam.update_signing_certificate(UserName="u", CertificateId=certificate["CertificateId"], Status="Inactive")
    assert [c["Status"] for c in iam.list_signing_certificates(UserName="u")["Certificates"]] == ["Inactive"]
    iam.delete_signing_certificate(UserName="u", CertificateId=certificate["CertificateId"])
    key = iam.upload_ssh_public_key(UserName="u", SSHPublicKeyBody=SSH_KEY)["SSHPublicKey"]
    assert key["SSHPublicKeyId"].startswith("APKA") and len(key["Fingerprint"]) == 47
    with pytest.raises(iam.exceptions.DuplicateSSHPublicKeyException):
        iam.upload_ssh_public_key(UserName="u", SSHPublicKeyBody=SSH_KEY)
    assert iam.get_ssh_public_key(UserName="u", SSHPublicKeyId=key["SSHPublicKeyId"], Encoding="SSH")[
        "SSHPublicKey"]["SSHPublicKeyBody"] == SSH_KEY
    iam.update_ssh_public_key(UserName="u", SSHPublicKeyId=key["SSHPublicKeyId"], Status="Inactive")
    assert [k["Status"] for k in iam.list_ssh_public_keys(UserName="u")["SSHPublicKeys"]] == ["Inactive"]
    iam.delete_ssh_public_key(UserName="u", SSHPublicKeyId=key["SSHPublicKeyId"])
    assert iam.list_ssh_public_keys(UserName="u")["SSHPublicKeys"] == []


def test_service_specific_credentials(iam):
    iam.create_user(UserName="dev")
    created = iam.create_service_specific_credential(UserName="dev", ServiceName="codecommit.amazonaws.com")[
        "ServiceSpecificCredential"]
    assert created["ServiceUserName"] == f"dev-at-{ACCOUNT}" and created["Status"] == "Active"
    credential_id = created["ServiceSpecificCredentialId"]
    iam.update_service_specific_credential(UserName="dev", ServiceSpecificCredentialId=credential_id, Status="Inactive")
    listed = iam.list_service_specific_credentials(UserName="dev")["ServiceSpecificCredentials"]
    assert [c["Status"] for c in listed] == ["Inactive"] and "ServicePassword" not in listed[0]
    reset = iam.reset_service_specific_credential(UserName="dev", ServiceSpecificCredentialId=credential_id)
    assert reset["ServiceSpecificCredential"]["ServicePassword"] != created["ServicePassword"]
    with pytest.raises(iam.exceptions.NoSuchEntityException) as err:
        iam.create_service_specific_credential(UserName="dev", ServiceName="lambda.amazonaws.com")
    assert err.value.response["Error"]["Message"] == (
        "No such service lambda.amazonaws.com is supported for Service Specific Credentials")
    iam.delete_service_specific_credential(UserName="dev", ServiceSpecificCredentialId=credential_id)
    with pytest.raises(iam.exceptions.NoSuchEntityException) as err:
        iam.delete_service_specific_credential(UserName="dev", ServiceSpecificCredentialId=credential_id)
    assert err.value.response["Error"]["Message"] == f"No such credential {credential_id} exists"


def test_change_password_is_for_iam_users(iam):
    iam.create_user(UserName="u")
    iam.create_login_profile(UserName="u", Password="first-password-1", PasswordResetRequired=True)
    key = iam.create_access_key(UserName="u")["AccessKey"]
    as_user = boto3.client("iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key="x")
    as_user.change_password(OldPassword="first-password-1", NewPassword="second-password-2")
    assert iam.get_login_profile(UserName="u")["LoginProfile"]["PasswordResetRequired"] is False
    with pytest.raises(iam.exceptions.InvalidUserTypeException):
        iam.change_password(OldPassword="first-password-1", NewPassword="third-password-3")  # the root user


def test_security_token_service_preferences(iam):
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
    assert iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 2
