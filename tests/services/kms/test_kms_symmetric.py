"""Symmetric encryption, data keys, random bytes and HMAC keys through boto3 (standard library only).

Facts: AWS KMS API reference (Encrypt, Decrypt, ReEncrypt, GenerateDataKey*, GenerateRandom,
GenerateMac, VerifyMac) and LocalStack's AWS-validated snapshots (test names cited per test).
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def error(exc_info: pytest.ExceptionInfo) -> tuple[str, str]:
    err = exc_info.value.response["Error"]
    return err["Code"], err["Message"]


def test_encrypt_decrypt_round_trip_with_context(kms, key_id):
    # snapshot test_encrypt_decrypt_encryption_context
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    context = {"tenant": "a", "purpose": "test"}
    sealed = kms.encrypt(KeyId=key_id, Plaintext=b"secret", EncryptionContext=context)
    assert sealed["KeyId"] == arn and sealed["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    assert b"secret" not in sealed["CiphertextBlob"]
    opened = kms.decrypt(CiphertextBlob=sealed["CiphertextBlob"], EncryptionContext=dict(reversed(context.items())))
    assert opened["Plaintext"] == b"secret" and opened["KeyId"] == arn
    assert opened["KeyMaterialId"] == kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    for wrong in ({}, {"tenant": "b", "purpose": "test"}, {**context, "extra": "x"}):
        with pytest.raises(kms.exceptions.InvalidCiphertextException) as exc:
            kms.decrypt(CiphertextBlob=sealed["CiphertextBlob"], EncryptionContext=wrong)
        assert error(exc) == ("InvalidCiphertextException", "")


def test_every_tampered_byte_is_refused(kms, key_id):
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"0123456789")["CiphertextBlob"]
    for index in range(len(blob)):
        tampered = blob[:index] + bytes([blob[index] ^ 0x01]) + blob[index + 1:]
        with pytest.raises(kms.exceptions.InvalidCiphertextException):
            kms.decrypt(CiphertextBlob=tampered)
    with pytest.raises(kms.exceptions.InvalidCiphertextException):
        kms.decrypt(CiphertextBlob=b"not a kms blob at all")
    with pytest.raises(kms.exceptions.InvalidCiphertextException):
        kms.decrypt(CiphertextBlob=blob[:-1])


def test_decrypt_with_another_key_id_is_incorrect_key(kms, key_id):
    # snapshot test_error_messaging_for_invalid_keys ("decrypt-invalid-key-id")
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    with pytest.raises(kms.exceptions.IncorrectKeyException) as exc:
        kms.decrypt(CiphertextBlob=blob, KeyId=other)
    assert error(exc)[1] == "The key ID in the request does not identify a CMK that can perform this operation."
    assert kms.decrypt(CiphertextBlob=blob, KeyId=key_id)["Plaintext"] == b"x"


def test_plaintext_limit_is_4096_bytes(kms, key_id):
    # snapshot test_plaintext_size_for_encrypt: the value is left out of the message
    assert kms.decrypt(CiphertextBlob=kms.encrypt(KeyId=key_id, Plaintext=b"p" * 4096)["CiphertextBlob"])[
        "Plaintext"] == b"p" * 4096
    with pytest.raises(ClientError) as exc:
        kms.encrypt(KeyId=key_id, Plaintext=b"p" * 4097)
    assert error(exc) == ("ValidationException", "1 validation error detected: Value at 'plaintext' failed to "
                                                 "satisfy constraint: Member must have length less than or equal to 4096")


def test_wrong_key_usage_and_disabled_key_on_decrypt(kms, key_id):
    # snapshot test_error_messaging_for_invalid_keys ("encrypt-invalid-key-id", "generate-mac-invalid-key-id")
    mac_key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    with pytest.raises(kms.exceptions.InvalidKeyUsageException) as exc:
        kms.encrypt(KeyId=mac_key["KeyId"], Plaintext=b"x")
    assert error(exc)[1] == f"{mac_key['Arn']} key usage is GENERATE_VERIFY_MAC which is not valid for Encrypt."
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    with pytest.raises(kms.exceptions.InvalidKeyUsageException) as exc:
        kms.generate_mac(KeyId=key_id, Message=b"m", MacAlgorithm="HMAC_SHA_256")
    assert error(exc)[1] == f"{arn} key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac."
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    kms.disable_key(KeyId=key_id)
    with pytest.raises(kms.exceptions.DisabledException):
        kms.decrypt(CiphertextBlob=blob)


def test_re_encrypt_moves_a_ciphertext_to_another_key_and_context(kms, key_id):
    # snapshots test_re_encrypt[SYMMETRIC_DEFAULT-SYMMETRIC_DEFAULT], test_re_encrypt_incorrect_source_key
    target = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"move me", EncryptionContext={"a": "1"})["CiphertextBlob"]
    moved = kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext={"a": "1"},
                           DestinationKeyId=target["KeyId"], DestinationEncryptionContext={"b": "2"})
    assert moved["KeyId"] == target["Arn"] and moved["SourceKeyId"].endswith(key_id)
    assert moved["SourceEncryptionAlgorithm"] == moved["DestinationEncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    opened = kms.decrypt(CiphertextBlob=moved["CiphertextBlob"], EncryptionContext={"b": "2"})
    assert opened["Plaintext"] == b"move me" and opened["KeyId"] == target["Arn"]
    with pytest.raises(kms.exceptions.IncorrectKeyException):
        kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext={"a": "1"}, SourceKeyId=target["KeyId"],
                       DestinationKeyId=target["KeyId"])
    with pytest.raises(kms.exceptions.InvalidCiphertextException):
        kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=target["KeyId"])


def test_data_keys(kms, key_id):
    # snapshots test_generate_data_key, test_encryption_context_generate_data_key(_without_plaintext)
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    made = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256", EncryptionContext={"c": "d"})
    assert len(made["Plaintext"]) == 32 and made["KeyId"] == arn
    assert kms.decrypt(CiphertextBlob=made["CiphertextBlob"], EncryptionContext={"c": "d"})["Plaintext"] == \
        made["Plaintext"]
    assert len(kms.generate_data_key(KeyId=key_id, KeySpec="AES_128")["Plaintext"]) == 16
    assert len(kms.generate_data_key(KeyId=key_id, NumberOfBytes=7)["Plaintext"]) == 7
    hidden = kms.generate_data_key_without_plaintext(KeyId=key_id, KeySpec="AES_256")
    assert "Plaintext" not in hidden
    assert len(kms.decrypt(CiphertextBlob=hidden["CiphertextBlob"])["Plaintext"]) == 32
    for wrong in ({}, {"KeySpec": "AES_256", "NumberOfBytes": 32}):
        with pytest.raises(ClientError) as exc:
            kms.generate_data_key(KeyId=key_id, **wrong)
        assert error(exc)[0] == "ValidationException"
    with pytest.raises(kms.exceptions.DryRunOperationException):
        kms.generate_data_key(KeyId=key_id, KeySpec="AES_256", DryRun=True)


def test_generate_random(kms):
    # snapshots test_generate_random[…] and test_generate_random_invalid_number_of_bytes[None/1025]
    assert len(kms.generate_random(NumberOfBytes=1024)["Plaintext"]) == 1024
    assert kms.generate_random(NumberOfBytes=16)["Plaintext"] != kms.generate_random(NumberOfBytes=16)["Plaintext"]
    with pytest.raises(ClientError) as exc:
        kms.generate_random()
    assert error(exc) == ("ValidationException", "NumberOfBytes is required.")
    with pytest.raises(ClientError) as exc:
        kms.generate_random(NumberOfBytes=1025)
    assert error(exc) == ("ValidationException", "1 validation error detected: Value '1025' at 'numberOfBytes' "
                                                 "failed to satisfy constraint: Member must have value less than or equal to 1024")


@pytest.mark.parametrize("spec, algorithm, digest", [
    ("HMAC_224", "HMAC_SHA_224", "sha224"), ("HMAC_256", "HMAC_SHA_256", "sha256"),
    ("HMAC_384", "HMAC_SHA_384", "sha384"), ("HMAC_512", "HMAC_SHA_512", "sha512"),
])
def test_generate_and_verify_mac(kms, spec, algorithm, digest):
    # snapshots test_generate_and_verify_mac[…], test_invalid_verify_mac[…], test_invalid_generate_mac[…]
    key = kms.create_key(KeySpec=spec, KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    mac = kms.generate_mac(KeyId=key["KeyId"], Message=b"important", MacAlgorithm=algorithm)
    assert mac["KeyId"] == key["Arn"] and mac["MacAlgorithm"] == algorithm
    import hashlib
    assert len(mac["Mac"]) == hashlib.new(digest).digest_size
    assert kms.generate_mac(KeyId=key["KeyId"], Message=b"important", MacAlgorithm=algorithm)["Mac"] == mac["Mac"]
    verified = kms.verify_mac(KeyId=key["KeyId"], Message=b"important", MacAlgorithm=algorithm, Mac=mac["Mac"])
    assert verified["MacValid"] is True
    with pytest.raises(kms.exceptions.KMSInvalidMacException) as exc:
        kms.verify_mac(KeyId=key["KeyId"], Message=b"different", MacAlgorithm=algorithm, Mac=mac["Mac"])
    assert error(exc) == ("KMSInvalidMacException", "")
    wrong = "HMAC_SHA_512" if algorithm != "HMAC_SHA_512" else "HMAC_SHA_256"
    with pytest.raises(kms.exceptions.InvalidKeyUsageException) as exc:
        kms.generate_mac(KeyId=key["KeyId"], Message=b"m", MacAlgorithm=wrong)
    assert error(exc)[1] == f"Algorithm {wrong} is incompatible with key spec {spec}."
    with pytest.raises(ClientError) as exc:
        kms.generate_mac(KeyId=key["KeyId"], Message=b"m" * 4097, MacAlgorithm=algorithm)
    assert error(exc) == ("ValidationException", "1 validation error detected: Value at 'message' failed to "
                                                 "satisfy constraint: Member must have length less than or equal to 4096")
