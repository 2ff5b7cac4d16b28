"""Symmetric ciphertext blobs: opaque, bound to key and encryption context, standard library only.

A blob is ``MAGIC | len(arn) | key ARN | material index | nonce | ciphertext | tag``. The ARN in
the header lets Decrypt find the key without a KeyId, as on AWS; the material index picks the
key material the blob was made with, so ciphertexts from before a rotation keep decrypting. The
keystream is SHAKE-128 over (derived key, nonce) and the tag is HMAC-SHA256 over the header, the
canonical encryption context and the ciphertext: changing any byte, or decrypting with another
context, fails the tag check. This is an emulator's format, not AWS's, and not meant to protect
anything — only to behave like KMS towards the code under test.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from typing import Mapping, NamedTuple

from ...core.errors import AwsError

MAGIC = b"\x01KMU"
NONCE_BYTES = 16
TAG_BYTES = 32
_FIXED = len(MAGIC) + 1 + 2 + NONCE_BYTES + TAG_BYTES


class Sealed(NamedTuple):
    """The parts of a blob's header that name the key and material it needs."""

    key_arn: str
    material: int


def invalid_ciphertext() -> AwsError:
    # AWS answers a tampered blob or a wrong encryption context with an empty message
    # (LocalStack snapshot test_encrypt_decrypt_encryption_context)
    return AwsError("InvalidCiphertextException", "")


def _context_bytes(context: Mapping[str, str] | None) -> bytes:
    if not context:
        return b""
    parts = []
    for name, value in sorted(context.items()):
        for text in (name, value):
            raw = text.encode()
            parts.append(len(raw).to_bytes(4, "big") + raw)
    return b"".join(parts)


@functools.lru_cache(maxsize=4096)
def _keys(secret: bytes) -> tuple[bytes, bytes]:
    """(keystream key, tag key) derived from a key material; cached: Encrypt/Decrypt are hot paths."""
    return (hmac.digest(secret, b"kumo-kms-encrypt", "sha256"),
            hmac.digest(secret, b"kumo-kms-authenticate", "sha256"))


def _xor(data: bytes, stream_key: bytes, nonce: bytes) -> bytes:
    if not data:
        return b""
    stream = hashlib.shake_128(stream_key + nonce).digest(len(data))
    mixed = int.from_bytes(data, "little") ^ int.from_bytes(stream, "little")
    return mixed.to_bytes(len(data), "little")


def seal(secret: bytes, key_arn: str, material: int, nonce: bytes, plaintext: bytes,
         context: Mapping[str, str] | None) -> bytes:
    """A blob of ``plaintext`` under the key material ``secret`` (material number ``material``)."""
    arn = key_arn.encode()
    header = MAGIC + bytes([len(arn)]) + arn + material.to_bytes(2, "big") + nonce
    stream_key, mac_key = _keys(secret)
    body = _xor(plaintext, stream_key, nonce)
    tag = hmac.digest(mac_key, header + _context_bytes(context) + body, "sha256")
    return header + body + tag


def parse(blob: bytes) -> Sealed:
    """The key ARN and material a blob names; InvalidCiphertextException if it is not one of ours."""
    if len(blob) < _FIXED or not blob.startswith(MAGIC):
        raise invalid_ciphertext()
    arn_length = blob[len(MAGIC)]
    start = len(MAGIC) + 1
    if len(blob) < _FIXED + arn_length:
        raise invalid_ciphertext()
    try:
        arn = blob[start:start + arn_length].decode()
    except UnicodeDecodeError:
        raise invalid_ciphertext() from None
    material = int.from_bytes(blob[start + arn_length:start + arn_length + 2], "big")
    return Sealed(arn, material)


def unseal(secret: bytes, blob: bytes, context: Mapping[str, str] | None) -> bytes:
    """The plaintext of a blob ``parse`` accepted; InvalidCiphertextException if the tag fails."""
    header_length = len(MAGIC) + 1 + blob[len(MAGIC)] + 2 + NONCE_BYTES
    header, body, tag = blob[:header_length], blob[header_length:-TAG_BYTES], blob[-TAG_BYTES:]
    stream_key, mac_key = _keys(secret)
    expected = hmac.digest(mac_key, header + _context_bytes(context) + body, "sha256")
    if not hmac.compare_digest(tag, expected):
        raise invalid_ciphertext()
    return _xor(body, stream_key, header[-NONCE_BYTES:])
