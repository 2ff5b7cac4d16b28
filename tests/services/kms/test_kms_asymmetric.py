"""RSA and ECC keys (the optional `cryptography` extra): signatures and public keys that standard
tooling verifies, RSA-OAEP encryption, data key pairs, ECDH, and the error without the extra.

Facts: AWS KMS developer guide "Asymmetric key specs" (ECDSA signatures are DER-encoded, PSS salt
length equals the digest length, GetPublicKey returns a DER SubjectPublicKeyInfo) and LocalStack's
AWS-validated snapshots test_sign_verify[…], test_encrypt_validate_plaintext_size_per_key_type[…].
"""

from __future__ import annotations

import hashlib
import sys

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

from kumo_intercept import NotEmulatedError

HASHES: dict[str, hashes.HashAlgorithm] = {"256": hashes.SHA256(), "384": hashes.SHA384(), "512": hashes.SHA512()}


def error(exc_info: pytest.ExceptionInfo) -> tuple[str, str]:
    err = exc_info.value.response["Error"]
    return err["Code"], err["Message"]


def verify_with_cryptography(public_der: bytes, algorithm: str, message: bytes, signature: bytes) -> None:
    public = serialization.load_der_public_key(public_der)
    digest = HASHES[algorithm.rsplit("_", 1)[1]]
    if algorithm.startswith("ECDSA"):
        assert isinstance(public, ec.EllipticCurvePublicKey)
        utils.decode_dss_signature(signature)  # DER, as AWS returns ECDSA signatures
        public.verify(signature, message, ec.ECDSA(digest))
    elif algorithm.startswith("RSASSA_PSS"):
        assert isinstance(public, rsa.RSAPublicKey)
        public.verify(signature, message, padding.PSS(padding.MGF1(digest), digest.digest_size), digest)
    else:
        assert isinstance(public, rsa.RSAPublicKey)
        public.verify(signature, message, padding.PKCS1v15(), digest)


@pytest.mark.parametrize("spec, algorithm", [
    ("RSA_2048", "RSASSA_PSS_SHA_256"), ("RSA_2048", "RSASSA_PSS_SHA_384"), ("RSA_2048", "RSASSA_PSS_SHA_512"),
    ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256"), ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_384"),
    ("RSA_3072", "RSASSA_PKCS1_V1_5_SHA_512"),
    ("ECC_NIST_P256", "ECDSA_SHA_256"), ("ECC_NIST_P384", "ECDSA_SHA_384"), ("ECC_NIST_P521", "ECDSA_SHA_512"),
    ("ECC_SECG_P256K1", "ECDSA_SHA_256"),
])
def test_signatures_verify_with_standard_tooling(kms, spec, algorithm):
    key = kms.create_key(KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    public = kms.get_public_key(KeyId=key["KeyId"])
    assert public["KeySpec"] == spec and public["KeyUsage"] == "SIGN_VERIFY" and algorithm in public["SigningAlgorithms"]
    message = b"sign this message"
    signed = kms.sign(KeyId=key["KeyId"], Message=message, SigningAlgorithm=algorithm)
    assert signed["KeyId"] == key["Arn"] and signed["SigningAlgorithm"] == algorithm
    verify_with_cryptography(public["PublicKey"], algorithm, message, signed["Signature"])
    assert kms.verify(KeyId=key["KeyId"], Message=message, Signature=signed["Signature"],
                      SigningAlgorithm=algorithm)["SignatureValid"] is True
    digest = hashlib.new("sha" + algorithm.rsplit("_", 1)[1], message).digest()
    digest_signed = kms.sign(KeyId=key["KeyId"], Message=digest, MessageType="DIGEST", SigningAlgorithm=algorithm)
    verify_with_cryptography(public["PublicKey"], algorithm, message, digest_signed["Signature"])
    with pytest.raises(kms.exceptions.KMSInvalidSignatureException) as exc:
        kms.verify(KeyId=key["KeyId"], Message=b"another message", Signature=signed["Signature"],
                   SigningAlgorithm=algorithm)
    assert error(exc) == ("KMSInvalidSignatureException", "")
    with pytest.raises(ClientError) as exc:
        kms.sign(KeyId=key["KeyId"], Message=digest[:-1], MessageType="DIGEST", SigningAlgorithm=algorithm)
    assert error(exc) == ("ValidationException", f"Digest is invalid length for algorithm {algorithm}.")


def test_signing_refuses_other_algorithms_and_usages(kms):
    key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    with pytest.raises(kms.exceptions.InvalidKeyUsageException):
        kms.sign(KeyId=key["KeyId"], Message=b"m", SigningAlgorithm="RSASSA_PSS_SHA_256")
    with pytest.raises(kms.exceptions.InvalidKeyUsageException) as exc:
        kms.encrypt(KeyId=key["KeyId"], Plaintext=b"m")
    assert error(exc)[1] == f"{key['Arn']} key usage is SIGN_VERIFY which is not valid for Encrypt."
    symmetric = kms.create_key()["KeyMetadata"]
    with pytest.raises(kms.exceptions.InvalidKeyUsageException) as exc:
        kms.verify(KeyId=symmetric["KeyId"], Message=b"m", Signature=b"s", SigningAlgorithm="ECDSA_SHA_256")
    assert error(exc)[1] == f"{symmetric['Arn']} key usage is ENCRYPT_DECRYPT which is not valid for Verify."
    with pytest.raises(kms.exceptions.UnsupportedOperationException):
        kms.get_public_key(KeyId=symmetric["KeyId"])


@pytest.mark.parametrize("spec, algorithm, limit", [
    ("RSA_2048", "RSAES_OAEP_SHA_1", 214), ("RSA_2048", "RSAES_OAEP_SHA_256", 190),
    ("RSA_3072", "RSAES_OAEP_SHA_256", 318),
])
def test_rsa_oaep_encryption(kms, spec, algorithm, limit):
    key = kms.create_key(KeySpec=spec, KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key["KeyId"])["PublicKey"])
    assert isinstance(public, rsa.RSAPublicKey)
    digest = hashes.SHA1() if algorithm.endswith("SHA_1") else hashes.SHA256()
    # a ciphertext made outside KMS with the public key decrypts in KMS, as with AWS
    outside = public.encrypt(b"from outside", padding.OAEP(padding.MGF1(digest), digest, None))
    assert kms.decrypt(CiphertextBlob=outside, KeyId=key["KeyId"], EncryptionAlgorithm=algorithm)[
        "Plaintext"] == b"from outside"
    sealed = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p" * limit, EncryptionAlgorithm=algorithm)
    assert sealed["EncryptionAlgorithm"] == algorithm
    assert kms.decrypt(CiphertextBlob=sealed["CiphertextBlob"], KeyId=key["KeyId"],
                       EncryptionAlgorithm=algorithm)["Plaintext"] == b"p" * limit
    with pytest.raises(ClientError) as exc:
        kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p" * (limit + 1), EncryptionAlgorithm=algorithm)
    assert error(exc) == ("ValidationException", f"Algorithm {algorithm} and key spec {spec} cannot encrypt "
                                                 f"data larger than {limit} bytes.")
    with pytest.raises(kms.exceptions.InvalidKeyUsageException):
        kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p")  # SYMMETRIC_DEFAULT is not an RSA algorithm
    with pytest.raises(kms.exceptions.InvalidCiphertextException):
        kms.decrypt(CiphertextBlob=sealed["CiphertextBlob"][::-1], KeyId=key["KeyId"], EncryptionAlgorithm=algorithm)


def test_re_encrypt_from_rsa_to_symmetric(kms):
    # snapshot test_re_encrypt[RSA_2048-RSAES_OAEP_SHA_256]
    rsa_key = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    target = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=rsa_key["KeyId"], Plaintext=b"hop", EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    moved = kms.re_encrypt(CiphertextBlob=blob["CiphertextBlob"], SourceKeyId=rsa_key["KeyId"],
                           SourceEncryptionAlgorithm="RSAES_OAEP_SHA_256", DestinationKeyId=target["KeyId"])
    assert moved["SourceKeyId"] == rsa_key["Arn"] and moved["KeyId"] == target["Arn"]
    assert kms.decrypt(CiphertextBlob=moved["CiphertextBlob"])["Plaintext"] == b"hop"


@pytest.mark.parametrize("pair_spec", ["RSA_2048", "ECC_NIST_P256", "ECC_SECG_P256K1"])
def test_data_key_pairs(kms, key_id, pair_spec):
    # snapshots test_generate_data_key_pair, test_generate_data_key_pair_without_plaintext
    pair = kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec=pair_spec, EncryptionContext={"k": "v"})
    assert pair["KeyPairSpec"] == pair_spec
    private = serialization.load_der_private_key(pair["PrivateKeyPlaintext"], password=None)
    public_der = private.public_key().public_bytes(serialization.Encoding.DER,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
    assert public_der == pair["PublicKey"]
    assert kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"], EncryptionContext={"k": "v"})[
        "Plaintext"] == pair["PrivateKeyPlaintext"]
    hidden = kms.generate_data_key_pair_without_plaintext(KeyId=key_id, KeyPairSpec=pair_spec)
    assert "PrivateKeyPlaintext" not in hidden and hidden["PublicKey"]
    with pytest.raises(kms.exceptions.DryRunOperationException):
        kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec=pair_spec, DryRun=True)


def test_derive_shared_secret_matches_the_peer_side(kms):
    """docs "DeriveSharedSecret": ECDH between the KMS key and a peer's public key."""
    key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")["KeyMetadata"]
    peer = ec.generate_private_key(ec.SECP256R1())
    peer_public = peer.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)
    derived = kms.derive_shared_secret(KeyId=key["KeyId"], KeyAgreementAlgorithm="ECDH", PublicKey=peer_public)
    kms_public = serialization.load_der_public_key(kms.get_public_key(KeyId=key["KeyId"])["PublicKey"])
    assert isinstance(kms_public, ec.EllipticCurvePublicKey)
    assert derived["SharedSecret"] == peer.exchange(ec.ECDH(), kms_public)
    symmetric = kms.create_key()["KeyMetadata"]
    with pytest.raises(kms.exceptions.InvalidKeyUsageException) as exc:
        kms.derive_shared_secret(KeyId=symmetric["KeyId"], KeyAgreementAlgorithm="ECDH", PublicKey=peer_public)
    assert error(exc)[1] == (f"{symmetric['Arn']} key usage is ENCRYPT_DECRYPT which is not valid for "
                             "DeriveSharedSecret.")


def test_the_private_key_survives_a_restart(tmp_path):
    import boto3

    from kumo_intercept import kumo
    with kumo(clock="virtual", data_dir=str(tmp_path)) as aws:
        kms = boto3.client("kms")
        key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        before = kms.get_public_key(KeyId=key)["PublicKey"]
        signature = kms.sign(KeyId=key, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
        aws.restart()
        assert kms.get_public_key(KeyId=key)["PublicKey"] == before
        assert kms.verify(KeyId=key, Message=b"m", Signature=signature, SigningAlgorithm="ECDSA_SHA_256")[
            "SignatureValid"]


def test_without_the_extra_asymmetric_operations_name_it(kms, key_id, monkeypatch):
    key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]  # metadata only
    for module in ("cryptography.exceptions", "cryptography.hazmat.primitives",
                   "cryptography.hazmat.primitives.asymmetric"):
        monkeypatch.setitem(sys.modules, module, None)  # what an environment without the package sees
    with pytest.raises(NotEmulatedError, match=r"pip install 'kumo_intercept\[crypto\]'"):
        kms.sign(KeyId=key["KeyId"], Message=b"m", SigningAlgorithm="ECDSA_SHA_256")
    with pytest.raises(NotEmulatedError, match="cryptography"):
        kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec="RSA_2048")
    # symmetric keys need only the standard library
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"still works")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"still works"
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeySpec"] == "ECC_NIST_P256"
