"""Access keys, login profiles and the password policy, virtual MFA devices.

Facts: two access keys per user (IAM and STS quotas page); TOTP codes are RFC 6238 with 30-second
steps and EnableMFADevice takes two consecutive codes (EnableMFADevice API reference); error codes
and statuses from botocore's iam model.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct

import boto3
import pytest

from iam_helpers import ACCOUNT


def _totp(seed: bytes, epoch: float, offset: int = 0) -> str:
    step = int(epoch) // 30 + offset
    digest = hmac.new(base64.b32decode(seed), struct.pack(">Q", step), hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[start:start + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def test_access_keys(iam):
    iam.create_user(UserName="u")
    first = iam.create_access_key(UserName="u")["AccessKey"]
    assert first["AccessKeyId"].startswith("AKIA") and len(first["AccessKeyId"]) == 20
    assert len(first["SecretAccessKey"]) == 40 and first["Status"] == "Active"
    second = iam.create_access_key(UserName="u")["AccessKey"]
    with pytest.raises(iam.exceptions.LimitExceededException) as err:
        iam.create_access_key(UserName="u")
    assert err.value.response["Error"]["Message"] == "Cannot exceed quota for AccessKeysPerUser: 2"
    iam.update_access_key(UserName="u", AccessKeyId=first["AccessKeyId"], Status="Inactive")
    listed = iam.list_access_keys(UserName="u")["AccessKeyMetadata"]
    assert [(k["AccessKeyId"], k["Status"]) for k in listed] == [
        (first["AccessKeyId"], "Inactive"), (second["AccessKeyId"], "Active")]
    assert "SecretAccessKey" not in listed[0]
    assert iam.get_access_key_last_used(AccessKeyId=second["AccessKeyId"])["UserName"] == "u"
    iam.delete_access_key(UserName="u", AccessKeyId=first["AccessKeyId"])
    with pytest.raises(iam.exceptions.NoSuchEntityException) as err:
        iam.delete_access_key(UserName="u", AccessKeyId=first["AccessKeyId"])
    assert err.value.response["Error"]["Message"] == f"The Access Key with id {first['AccessKeyId']} cannot be found."


def test_the_root_user_has_no_keys_or_devices_here(iam):
    iam.create_virtual_mfa_device(VirtualMFADeviceName="spare")  # unassigned: not the root's
    assert iam.list_access_keys()["AccessKeyMetadata"] == []
    assert iam.list_mfa_devices()["MFADevices"] == []
    root = iam.get_user()["User"]
    assert root["Arn"] == f"arn:aws:iam::{ACCOUNT}:root" and root["UserId"] == ACCOUNT


def test_a_user_acts_through_its_key_and_an_inactive_key_no_longer_does(iam):
    iam.create_user(UserName="carol")
    key = iam.create_access_key(UserName="carol")["AccessKey"]
    as_carol = boto3.client("iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    assert as_carol.get_user()["User"]["UserName"] == "carol"  # no UserName: the caller
    assert [k["AccessKeyId"] for k in as_carol.list_access_keys()["AccessKeyMetadata"]] == [key["AccessKeyId"]]
    iam.update_access_key(UserName="carol", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    sts = boto3.client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key="x")
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"


def test_login_profile_and_password_policy(iam):
    iam.create_user(UserName="u")
    iam.update_account_password_policy(MinimumPasswordLength=12, RequireNumbers=True)
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 12 and policy["RequireNumbers"] is True
    with pytest.raises(iam.exceptions.PasswordPolicyViolationException) as err:
        iam.create_login_profile(UserName="u", Password="short1")
    assert err.value.response["Error"]["Message"] == "Password should have a minimum length of 12"
    with pytest.raises(iam.exceptions.PasswordPolicyViolationException):
        iam.create_login_profile(UserName="u", Password="long-enough-but-no-digits")
    created = iam.create_login_profile(UserName="u", Password="long-enough-1", PasswordResetRequired=True)
    assert created["LoginProfile"]["PasswordResetRequired"] is True
    with pytest.raises(iam.exceptions.EntityAlreadyExistsException):
        iam.create_login_profile(UserName="u", Password="long-enough-1")
    iam.update_login_profile(UserName="u", PasswordResetRequired=False)
    assert iam.get_login_profile(UserName="u")["LoginProfile"]["PasswordResetRequired"] is False
    with pytest.raises(iam.exceptions.DeleteConflictException):
        iam.delete_user(UserName="u")
    iam.delete_login_profile(UserName="u")
    with pytest.raises(iam.exceptions.NoSuchEntityException) as err:
        iam.get_login_profile(UserName="u")
    assert err.value.response["Error"]["Message"] == "Login Profile for User u cannot be found."
    iam.delete_account_password_policy()
    with pytest.raises(iam.exceptions.NoSuchEntityException) as err:
        iam.get_account_password_policy()
    assert err.value.response["Error"]["Message"] == f"The Password Policy with domain name {ACCOUNT} cannot be found."


def test_virtual_mfa_devices_check_totp_codes_on_the_emulator_clock(aws, iam):
    iam.create_user(UserName="u")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="phone")["VirtualMFADevice"]
    serial, seed = device["SerialNumber"], device["Base32StringSeed"]
    assert serial == f"arn:aws:iam::{ACCOUNT}:mfa/phone"
    with pytest.raises(iam.exceptions.InvalidAuthenticationCodeException):
        iam.enable_mfa_device(UserName="u", SerialNumber=serial, AuthenticationCode1="000000",
                              AuthenticationCode2="000000")
    now = aws.clock.time()
    iam.enable_mfa_device(UserName="u", SerialNumber=serial, AuthenticationCode1=_totp(seed, now, -1),
                          AuthenticationCode2=_totp(seed, now))
    assert [d["SerialNumber"] for d in iam.list_mfa_devices(UserName="u")["MFADevices"]] == [serial]
    assigned = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    assert assigned[0]["User"]["UserName"] == "u"
    assert iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"] == []
    with pytest.raises(iam.exceptions.DeleteConflictException):
        iam.delete_virtual_mfa_device(SerialNumber=serial)
    iam.deactivate_mfa_device(UserName="u", SerialNumber=serial)
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []
