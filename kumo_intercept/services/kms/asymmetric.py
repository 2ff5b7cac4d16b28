"""RSA and elliptic-curve keys through the optional ``cryptography`` package (``kumo_intercept[crypto]``).

Symmetric and HMAC keys need only the standard library; everything here raises NotEmulatedError
naming the extra when ``cryptography`` is not installed. Private keys are kept in the store as PKCS#8
PEM bytes (generated on first use: an RSA 4096 key takes a second or more); loaded key objects are
cached by their PEM.
"""

from __future__ import annotations

import functools
from typing import Any

from ...core.errors import AwsError, NotEmulatedError
from .specs import RSA_SPECS

EXTRA_HINT = ("RSA and ECC keys need the optional 'cryptography' package: "
              "pip install 'kumo_intercept[crypto]'")
_CURVES = {"ECC_NIST_P256": "SECP256R1", "ECC_NIST_P384": "SECP384R1", "ECC_NIST_P521": "SECP521R1",
           "ECC_SECG_P256K1": "SECP256K1"}
_DIGEST_BYTES = {"SHA_1": 20, "SHA_256": 32, "SHA_384": 48, "SHA_512": 64}


class _Crypto:
    """The parts of ``cryptography`` used here, imported together."""

    def __init__(self) -> None:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

        self.InvalidSignature = InvalidSignature
        self.hashes = hashes
        self.serialization = serialization
        self.ec = ec
        self.padding = padding
        self.rsa = rsa
        self.utils = utils


def crypto(operation: str) -> _Crypto:
    """The ``cryptography`` primitives, or NotEmulatedError naming the extra that provides them."""
    try:
        return _Crypto()
    except ImportError:
        raise NotEmulatedError("kms", operation, EXTRA_HINT) from None


def _hash(c: _Crypto, algorithm: str) -> Any:
    return getattr(c.hashes, "SHA" + algorithm.rsplit("_", 1)[-1])()


def hash_suffix(algorithm: str) -> str:
    """``SHA_256`` of ``RSASSA_PSS_SHA_256``/``ECDSA_SHA_256``/``RSAES_OAEP_SHA_256``."""
    return "SHA_" + algorithm.rsplit("_", 1)[-1]


def generate_private_pem(spec: str, operation: str) -> bytes:
    """A new private key of ``spec`` as PKCS#8 PEM."""
    c = crypto(operation)
    key: Any
    if spec in RSA_SPECS:
        key = c.rsa.generate_private_key(public_exponent=65537, key_size=int(spec.rsplit("_", 1)[1]))
    else:
        key = c.ec.generate_private_key(getattr(c.ec, _CURVES[spec])())
    return key.private_bytes(c.serialization.Encoding.PEM, c.serialization.PrivateFormat.PKCS8,
                             c.serialization.NoEncryption())


@functools.lru_cache(maxsize=256)
def _private_key(pem: bytes) -> Any:
    # only reached after crypto(operation) succeeded
    return crypto("").serialization.load_pem_private_key(pem, password=None)


def public_key_der(pem: bytes, operation: str) -> bytes:
    """The DER-encoded X.509 SubjectPublicKeyInfo, as GetPublicKey returns it."""
    c = crypto(operation)
    return _private_key(pem).public_key().public_bytes(
        c.serialization.Encoding.DER, c.serialization.PublicFormat.SubjectPublicKeyInfo)


def data_key_pair(spec: str, operation: str) -> tuple[bytes, bytes]:
    """(PKCS#8 DER private key, SubjectPublicKeyInfo DER public key) of a new key pair."""
    pem = generate_private_pem(spec, operation)
    c = crypto(operation)
    private = _private_key(pem).private_bytes(
        c.serialization.Encoding.DER, c.serialization.PrivateFormat.PKCS8, c.serialization.NoEncryption())
    return private, public_key_der(pem, operation)


def check_digest(algorithm: str, message: bytes) -> None:
    """A DIGEST message must be exactly as long as the algorithm's hash."""
    if len(message) != _DIGEST_BYTES[hash_suffix(algorithm)]:
        raise AwsError("ValidationException", f"Digest is invalid length for algorithm {algorithm}.")


def _signature_scheme(c: _Crypto, algorithm: str, prehashed: bool) -> tuple[Any, Any]:
    """(padding or None, hash or Prehashed) for a KMS signing algorithm."""
    digest = _hash(c, algorithm)
    chosen = c.utils.Prehashed(digest) if prehashed else digest
    if algorithm.startswith("RSASSA_PSS"):
        # AWS KMS uses a salt as long as the digest
        return c.padding.PSS(mgf=c.padding.MGF1(digest), salt_length=digest.digest_size), chosen
    if algorithm.startswith("RSASSA_PKCS1"):
        return c.padding.PKCS1v15(), chosen
    return None, chosen


def sign(pem: bytes, algorithm: str, message: bytes, prehashed: bool) -> bytes:
    """The signature (DER-encoded for ECDSA, as AWS returns it)."""
    c = crypto("Sign")
    pad, chosen = _signature_scheme(c, algorithm, prehashed)
    key = _private_key(pem)
    if pad is None:
        return bytes(key.sign(message, c.ec.ECDSA(chosen)))
    return bytes(key.sign(message, pad, chosen))


def verify(pem: bytes, algorithm: str, message: bytes, signature: bytes, prehashed: bool) -> bool:
    c = crypto("Verify")
    pad, chosen = _signature_scheme(c, algorithm, prehashed)
    public = _private_key(pem).public_key()
    try:
        if pad is None:
            public.verify(signature, message, c.ec.ECDSA(chosen))
        else:
            public.verify(signature, message, pad, chosen)
    except (c.InvalidSignature, ValueError):
        return False
    return True


def _oaep(c: _Crypto, algorithm: str) -> Any:
    digest = _hash(c, algorithm)
    return c.padding.OAEP(mgf=c.padding.MGF1(digest), algorithm=digest, label=None)


def rsa_max_plaintext(spec: str, algorithm: str) -> int:
    """OAEP's limit: modulus bytes - 2 * hash bytes - 2."""
    return int(spec.rsplit("_", 1)[1]) // 8 - 2 * _DIGEST_BYTES[hash_suffix(algorithm)] - 2


def rsa_encrypt(pem: bytes, algorithm: str, plaintext: bytes) -> bytes:
    c = crypto("Encrypt")
    return bytes(_private_key(pem).public_key().encrypt(plaintext, _oaep(c, algorithm)))


def rsa_decrypt(pem: bytes, algorithm: str, ciphertext: bytes) -> bytes | None:
    """The plaintext, or None when the ciphertext does not decrypt under this key and algorithm."""
    c = crypto("Decrypt")
    try:
        return bytes(_private_key(pem).decrypt(ciphertext, _oaep(c, algorithm)))
    except ValueError:
        return None


def shared_secret(pem: bytes, public_der: bytes) -> bytes | None:
    """ECDH with a peer's SubjectPublicKeyInfo; None when the peer key is not on the same curve."""
    c = crypto("DeriveSharedSecret")
    private = _private_key(pem)
    try:
        peer = c.serialization.load_der_public_key(public_der)
        return bytes(private.exchange(c.ec.ECDH(), peer))
    except (ValueError, TypeError):
        return None
