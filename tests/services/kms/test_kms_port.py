"""The KeyPort (core/ports.py) other services use for SSE-KMS, SecureString parameters and secrets.

The port is looked up again at each use (``CurrentKeys``): a restart after a call (the restart-equivalence
run) rebuilds the backend serving it.
"""

from __future__ import annotations

import pytest

from kumo_intercept.core.errors import AwsError
from kumo_intercept.core.ports import KeyPort

ACCOUNT, REGION = "123456789012", "us-east-1"


class CurrentKeys:
    """``aws.ports.keys`` as it is when a method is called."""

    def __init__(self, aws) -> None:
        self.aws = aws

    def __getattr__(self, name: str):
        return getattr(self.aws.ports.keys, name)


@pytest.fixture
def keys(aws):
    assert isinstance(aws.ports.keys, KeyPort)
    return CurrentKeys(aws)


def test_port_round_trip_is_the_same_format_as_the_api(kms, keys, key_id):
    kms.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    arn = keys.check_key_usable("alias/app", ACCOUNT, REGION)
    assert arn == kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    blob = keys.encrypt_internal(arn, b"parameter value", ACCOUNT, REGION, {"PARAMETER_ARN": "p"})
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext={"PARAMETER_ARN": "p"})["Plaintext"] == \
        b"parameter value"
    api_blob = kms.encrypt(KeyId=key_id, Plaintext=b"from the api")["CiphertextBlob"]
    assert keys.decrypt_internal(api_blob, ACCOUNT, REGION) == (b"from the api", arn)
    with pytest.raises(AwsError) as exc:
        keys.decrypt_internal(blob, ACCOUNT, REGION, {"PARAMETER_ARN": "other"})
    assert exc.value.code == "InvalidCiphertextException"


def test_port_data_keys_and_the_aws_managed_key(keys):
    plaintext, blob, arn = keys.generate_data_key_internal("alias/aws/s3", ACCOUNT, REGION, {"bucket": "b"})
    assert len(plaintext) == 32
    assert keys.decrypt_internal(blob, ACCOUNT, REGION, {"bucket": "b"}) == (plaintext, arn)
    assert keys.check_key_usable(f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/aws/s3", ACCOUNT, REGION) == arn
    assert len(keys.generate_data_key_internal(arn, ACCOUNT, REGION, length=16)[0]) == 16


def test_port_answers_what_kms_would(kms, keys, key_id):
    missing = "11111111-2222-4333-8444-555555555555"
    with pytest.raises(AwsError) as exc:
        keys.check_key_usable(missing, ACCOUNT, REGION)
    assert exc.value.code == "NotFoundException"
    kms.disable_key(KeyId=key_id)
    with pytest.raises(AwsError) as exc:
        keys.encrypt_internal(key_id, b"x", ACCOUNT, REGION)
    assert exc.value.code == "DisabledException"
    kms.enable_key(KeyId=key_id)
    kms.schedule_key_deletion(KeyId=key_id)
    with pytest.raises(AwsError) as exc:
        keys.check_key_usable(key_id, ACCOUNT, REGION)
    assert exc.value.code == "KMSInvalidStateException"
    signing = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    with pytest.raises(AwsError) as exc:
        keys.check_key_usable(signing, ACCOUNT, REGION)
    assert exc.value.code == "InvalidKeyUsageException"
    with pytest.raises(AwsError) as exc:
        keys.decrypt_internal(b"garbage", ACCOUNT, REGION)
    assert exc.value.code == "InvalidCiphertextException"


def test_keys_are_partitioned_by_account(keys, key_id):
    with pytest.raises(AwsError) as exc:
        keys.check_key_usable(key_id, "111122223333", REGION)
    assert exc.value.code == "NotFoundException"
    arn = keys.check_key_usable(key_id, ACCOUNT, REGION)
    # a key ARN names its account: another account can use it (key policies are not evaluated)
    blob = keys.encrypt_internal(arn, b"shared", "111122223333", REGION)
    assert keys.decrypt_internal(blob, "111122223333", REGION) == (b"shared", arn)


def test_port_takes_payloads_longer_than_the_api_limit(keys, key_id):
    """Services encrypt more than Encrypt's 4096 bytes through the port (a 64 KiB secret value)."""
    arn = keys.check_key_usable(key_id, ACCOUNT, REGION)
    value = bytes(range(256)) * 256
    blob = keys.encrypt_internal(arn, value, ACCOUNT, REGION, {"SecretARN": "s"})
    assert value not in blob
    assert keys.decrypt_internal(blob, ACCOUNT, REGION, {"SecretARN": "s"}) == (value, arn)
    again = keys.encrypt_internal(arn, value, ACCOUNT, REGION, {"SecretARN": "s"})
    assert again != blob
