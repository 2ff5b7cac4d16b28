"""Symmetric ciphertext blobs: opaque, bound to key and encryption context, standard library only.

A blob is ``MAGIC | len(arn) | key ARN | material index | nonce | ciphertext | tag``. The ARN in
the header lets Decrypt find the key without a KeyId, as on AWS; the material index picks the
key material the blob was made with, so ciphertexts from before a rotation keep decrypting. The
body is XORed with a window (chosen by the nonce) of a SHAKE-128 keystream derived from the key
material, and the tag is HMAC-SHA256 over the header, the canonical encryption context and the body: changing any byte, or decrypting with another
context, fails the tag check. This is an emulator's format, not AWS's, and not meant to protect
anything — only to behave like KMS towards the code under test.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from typing import Mapping, NamedTuple

from ...api import kms
from ...core.errors import AwsError

MAGIC = b"\x01KMU"
NONCE_BYTES = 16
TAG_BYTES = 32
_STREAM_BYTES = 8192  # cached keystream per key material; plaintexts up to 4096 bytes fit any window
_FIXED = len(MAGIC) + 1 + 2 + NONCE_BYTES + TAG_BYTES


class Sealed(NamedTuple):
    """The parts of a blob's header that name the key and material it needs."""

    key_arn: str
    material: int


def invalid_ciphertext() -> AwsError:
    # AWS answers a tampered blob or a wrong encryption context with an empty message
    # (LocalStack snapshot test_encrypt_decrypt_encryption_context)
    return kms.invalid_ciphertext_exception("")


def _context_bytes(context: Mapping[str, str] | None) -> bytes:
    if not context:
        return b""
    parts = []
    for name, value in sorted(context.items()):
        for text in (name, value):
            raw = text.encode()
            parts.append(len(raw).to_bytes(4, "big") + raw)
    return b"".join(parts)


@functools.lru_cache(maxsize=1024)
def _derived(secret: bytes) -> tuple[bytes, bytes]:
    """(keystream, tag key) of a key material, cached: Encrypt and Decrypt are hot paths, and
    deriving a fresh 4 KiB keystream per call would cost more than botocore's own work."""
    stream_key = hmac.digest(secret, b"kumo-kms-encrypt", "sha256")
    return (hashlib.shake_128(stream_key).digest(_STREAM_BYTES),
            hmac.digest(secret, b"kumo-kms-authenticate", "sha256"))


def _xor(data: bytes, stream: bytes, nonce: bytes) -> bytes:
    """``data`` XOR a window of the material's keystream that the nonce chooses (longer data than
    the cached stream allows: a keystream of SHAKE-128 over the stream's head and the nonce)."""
    length = len(data)
    if not length:
        return b""
    offset = int.from_bytes(nonce[:2], "big") % (_STREAM_BYTES // 2)
    if offset + length <= _STREAM_BYTES:
        pad = stream[offset:offset + length]
    else:
        pad = hashlib.shake_128(stream[:32] + nonce).digest(length)
    mixed = int.from_bytes(data, "little") ^ int.from_bytes(pad, "little")
    return mixed.to_bytes(length, "little")


def seal(secret: bytes, key_arn: str, material: int, nonce: bytes, plaintext: bytes,
         context: Mapping[str, str] | None) -> bytes:
    """A blob of ``plaintext`` under the key material ``secret`` (material number ``material``)."""
    arn = key_arn.encode()
    header = MAGIC + bytes([len(arn)]) + arn + material.to_bytes(2, "big") + nonce
    stream, mac_key = _derived(secret)
    body = _xor(plaintext, stream, nonce)
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
    stream, mac_key = _derived(secret)
    expected = hmac.digest(mac_key, header + _context_bytes(context) + body, "sha256")
    if not hmac.compare_digest(tag, expected):
        raise invalid_ciphertext()
    return _xor(body, stream, header[-NONCE_BYTES:])
