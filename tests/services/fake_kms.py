"""A stand-in KMS implementing the KeyPort Protocol (KMS itself is written on another branch), so the
Secrets Manager and SSM suites can check that customer-key values go through the port, bound to their
encryption context. Every key exists except ``alias/disabled``; a "ciphertext" is the key, the context
and the reversed plaintext, and decrypting with another context fails as KMS fails."""

from __future__ import annotations

import json
from typing import Any, Mapping

from kumo_intercept import ServiceBackend
from kumo_intercept.core.errors import AwsError

MARK = b"fake-kms:"


class FakeKmsBackend(ServiceBackend):
    service_name = "kms"

    def _arn(self, key_id: str, account: str, region: str) -> str:
        return f"arn:aws:kms:{region}:{account}:{key_id if key_id.startswith('alias/') else 'key/' + key_id}"

    def check_key_usable(self, key_id: str, account: str, region: str) -> str:
        if key_id == "alias/disabled":
            raise AwsError("DisabledException", f"{self._arn(key_id, account, region)} is disabled.")
        return self._arn(key_id, account, region)

    def encrypt_internal(self, key_id: str, plaintext: bytes, account: str, region: str,
                         context: Mapping[str, str] | None = None) -> bytes:
        header = json.dumps({"key": self.check_key_usable(key_id, account, region), "context": dict(context or {})})
        return MARK + header.encode() + b"\n" + plaintext[::-1]

    def decrypt_internal(self, ciphertext: bytes, account: str, region: str,
                         context: Mapping[str, str] | None = None) -> tuple[bytes, str]:
        header, _, body = ciphertext[len(MARK):].partition(b"\n")
        meta: dict[str, Any] = json.loads(header)
        if not ciphertext.startswith(MARK) or meta["context"] != dict(context or {}):
            raise AwsError("InvalidCiphertextException", "")
        return body[::-1], meta["key"]

    def generate_data_key_internal(self, key_id: str, account: str, region: str,
                                   context: Mapping[str, str] | None = None,
                                   length: int = 32) -> tuple[bytes, bytes, str]:
        plaintext = bytes(length)
        return plaintext, self.encrypt_internal(key_id, plaintext, account, region, context), \
            self.check_key_usable(key_id, account, region)
