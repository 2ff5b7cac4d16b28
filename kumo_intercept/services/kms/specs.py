"""Key specs and key usages: which combinations AWS accepts, and the algorithms each key offers.

Facts from the AWS KMS developer guide ("Key spec reference", "Key usage") and LocalStack's
AWS-validated snapshots (test_kms.snapshot.json: test_hmac_create_key_invalid_operations,
test_derive_shared_secret's "KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048").
"""

from __future__ import annotations

from typing import TypedDict

from ...core.errors import AwsError, NotEmulatedError

SYMMETRIC = "SYMMETRIC_DEFAULT"
RSA_SPECS = ("RSA_2048", "RSA_3072", "RSA_4096")
ECC_SPECS = ("ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1")
#: HMAC key spec -> (its only MAC algorithm, key material length in bytes)
HMAC_SPECS = {
    "HMAC_224": ("HMAC_SHA_224", 28),
    "HMAC_256": ("HMAC_SHA_256", 32),
    "HMAC_384": ("HMAC_SHA_384", 48),
    "HMAC_512": ("HMAC_SHA_512", 64),
}

#: the key usages each emulated key spec accepts
USAGES: dict[str, tuple[str, ...]] = {
    SYMMETRIC: ("ENCRYPT_DECRYPT",),
    **{spec: ("ENCRYPT_DECRYPT", "SIGN_VERIFY") for spec in RSA_SPECS},
    "ECC_NIST_P256": ("SIGN_VERIFY", "KEY_AGREEMENT"),
    "ECC_NIST_P384": ("SIGN_VERIFY", "KEY_AGREEMENT"),
    "ECC_NIST_P521": ("SIGN_VERIFY", "KEY_AGREEMENT"),
    "ECC_SECG_P256K1": ("SIGN_VERIFY",),
    **{spec: ("GENERATE_VERIFY_MAC",) for spec in HMAC_SPECS},
}

RSA_ENCRYPTION = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
RSA_SIGNING = ["RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
               "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512"]
ECC_SIGNING = {"ECC_NIST_P256": ["ECDSA_SHA_256"], "ECC_NIST_P384": ["ECDSA_SHA_384"],
               "ECC_NIST_P521": ["ECDSA_SHA_512"], "ECC_SECG_P256K1": ["ECDSA_SHA_256"]}


def check_spec_and_usage(spec: str, usage: str | None) -> str:
    """The key usage a new key gets; AWS's ValidationException for a combination it refuses."""
    allowed = USAGES.get(spec)
    if allowed is None:
        raise NotEmulatedError("kms", "CreateKey", f"keys of KeySpec {spec} are not emulated")
    if usage is None:
        if spec in HMAC_SPECS:
            raise AwsError("ValidationException", "You must specify a KeyUsage value for all KMS keys "
                                                  "except for symmetric encryption keys.")
        usage = "ENCRYPT_DECRYPT"  # AWS's default key usage
    if usage not in allowed:
        raise AwsError("ValidationException", f"KeyUsage {usage} is not compatible with KeySpec {spec}")
    return usage


class Algorithms(TypedDict, total=False):
    """The algorithm list of a key (one of these, by its usage), as KeyMetadata carries it."""

    EncryptionAlgorithms: list[str]
    SigningAlgorithms: list[str]
    KeyAgreementAlgorithms: list[str]
    MacAlgorithms: list[str]


def algorithms(spec: str, usage: str) -> Algorithms:
    """The algorithm lists DescribeKey and GetPublicKey report for a key."""
    if usage == "ENCRYPT_DECRYPT":
        return {"EncryptionAlgorithms": [SYMMETRIC] if spec == SYMMETRIC else list(RSA_ENCRYPTION)}
    if usage == "SIGN_VERIFY":
        return {"SigningAlgorithms": list(RSA_SIGNING) if spec in RSA_SPECS else list(ECC_SIGNING[spec])}
    if usage == "KEY_AGREEMENT":
        return {"KeyAgreementAlgorithms": ["ECDH"]}
    return {"MacAlgorithms": [HMAC_SPECS[spec][0]]}
