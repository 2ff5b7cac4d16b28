"""KMS's cryptographic operations and the KeyPort other services use.

Symmetric and HMAC keys use the standard library (envelope.py, hmac); RSA and ECC keys use the
optional ``cryptography`` package through asymmetric.py. Error messages follow LocalStack's
AWS-validated snapshots (tests/aws/services/kms/test_kms.snapshot.json) where they record one.
"""

from __future__ import annotations

import hmac
from typing import Any, Mapping

from ...api import kms
from ...core.dispatch import Ctx, RequestContext
from ...core.errors import AwsError, NotEmulatedError
from . import asymmetric, envelope
from .keys import KmsKeys, incorrect_key
from .specs import ECC_SPECS, HMAC_SPECS, RSA_SPECS, SYMMETRIC, algorithms

_MAX_PLAINTEXT = 4096
_DATA_KEY_BYTES = {"AES_256": 32, "AES_128": 16}
_DATA_KEY_PAIR_SPECS = RSA_SPECS + ECC_SPECS


def _incompatible(algorithm: str, spec: str) -> AwsError:
    # LocalStack snapshot test_invalid_generate_mac: "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224."
    return kms.invalid_key_usage_exception(f"Algorithm {algorithm} is incompatible with key spec {spec}.")


def _check_size(value: bytes, member: str) -> None:
    """Plaintexts and messages up to 4096 bytes; AWS leaves the (sensitive) value out of the message
    (snapshot test_plaintext_size_for_encrypt)."""
    if len(value) > _MAX_PLAINTEXT:
        raise AwsError("ValidationException", f"1 validation error detected: Value at '{member}' failed to "
                                              f"satisfy constraint: Member must have length less than or equal to {_MAX_PLAINTEXT}")


def _no_recipient(ctx: RequestContext[Any]) -> None:
    if "Recipient" in ctx.params:
        raise NotEmulatedError("kms", ctx.operation, "attested Recipient (Nitro Enclaves) is not emulated")



def _ciphertext(params: Mapping[str, Any]) -> bytes:
    """Decrypt's and ReEncrypt's CiphertextBlob: optional in the model, required by AWS (API reference)."""
    if "CiphertextBlob" not in params:
        raise AwsError("ValidationException", "1 validation error detected: Value null at 'ciphertextBlob' "
                       "failed to satisfy constraint: Member must not be null")
    blob: bytes = params["CiphertextBlob"]
    return blob

class CryptoOperations(KmsKeys):
    # -- the KeyPort ---------------------------------------------------------------------------
    def _symmetric_key(self, key_id: str, account: str, region: str, operation: str) -> dict:
        record = self.usable_key(key_id, account, region, operation, "ENCRYPT_DECRYPT")
        if record["KeySpec"] != SYMMETRIC:
            raise kms.invalid_key_usage_exception(
                f"{record['Arn']} key spec is {record['KeySpec']} which is not valid for {operation}.")
        return record

    def check_key_usable(self, key_id: str, account: str, region: str) -> str:
        return str(self._symmetric_key(key_id, account, region, "Encrypt")["Arn"])

    def encrypt_internal(self, key_id: str, plaintext: bytes, account: str, region: str,
                         context: Mapping[str, str] | None = None) -> bytes:
        return self.seal(self._symmetric_key(key_id, account, region, "Encrypt"), plaintext, context)

    def decrypt_internal(self, ciphertext: bytes, account: str, region: str,
                         context: Mapping[str, str] | None = None) -> tuple[bytes, str]:
        plaintext, record, _ = self.unseal(ciphertext, None, account, region, context)
        return plaintext, str(record["Arn"])

    def generate_data_key_internal(self, key_id: str, account: str, region: str,
                                   context: Mapping[str, str] | None = None,
                                   length: int = 32) -> tuple[bytes, bytes, str]:
        record = self._symmetric_key(key_id, account, region, "GenerateDataKey")
        plaintext = self.emulator.ids.bytes(length)
        return plaintext, self.seal(record, plaintext, context), str(record["Arn"])

    # -- encrypt and decrypt ------------------------------------------------------------------
    def _private_pem(self, record: dict, operation: str) -> bytes:
        """The RSA/ECC private key, made on first use and kept in the store so a restart keeps it."""
        pem = record["Private"]
        if pem is None:
            pem = asymmetric.generate_private_pem(record["KeySpec"], operation)
            self.save_key({**record, "Private": pem})
        return bytes(pem)

    def _encrypt(self, record: dict, plaintext: bytes, algorithm: str, context: Mapping[str, str] | None) -> bytes:
        if record["KeySpec"] == SYMMETRIC and algorithm == SYMMETRIC:  # the hot path first
            return self.seal(record, plaintext, context)
        if algorithm not in algorithms(record["KeySpec"], record["KeyUsage"])["EncryptionAlgorithms"]:
            raise _incompatible(algorithm, record["KeySpec"])
        limit = asymmetric.rsa_max_plaintext(record["KeySpec"], algorithm)
        if len(plaintext) > limit:
            raise AwsError("ValidationException", f"Algorithm {algorithm} and key spec {record['KeySpec']} "
                                                  f"cannot encrypt data larger than {limit} bytes.")
        return asymmetric.rsa_encrypt(self._private_pem(record, "Encrypt"), algorithm, plaintext)

    def _decrypt(self, blob: bytes, key_id: str | None, algorithm: str, context: Mapping[str, str] | None,
                 account: str, region: str) -> tuple[bytes, dict, str | None]:
        """(plaintext, key, key material id) — the key comes from a symmetric blob itself."""
        if algorithm == SYMMETRIC:
            return self.unseal(blob, key_id, account, region, context)
        if key_id is None:  # an RSA ciphertext does not name its key
            raise envelope.invalid_ciphertext()
        record = self.usable_key(key_id, account, region, "Decrypt", "ENCRYPT_DECRYPT")
        if record["KeySpec"] == SYMMETRIC:
            raise incorrect_key()
        if algorithm not in algorithms(record["KeySpec"], record["KeyUsage"])["EncryptionAlgorithms"]:
            raise _incompatible(algorithm, record["KeySpec"])
        plaintext = asymmetric.rsa_decrypt(self._private_pem(record, "Decrypt"), algorithm, blob)
        if plaintext is None:
            raise envelope.invalid_ciphertext()
        return plaintext, record, None

    def encrypt(self, ctx: Ctx[kms.EncryptRequest]) -> kms.EncryptResult:
        params = ctx.params
        _check_size(params["Plaintext"], "plaintext")
        record = self.usable_key(params["KeyId"], ctx.account, ctx.region, "Encrypt", "ENCRYPT_DECRYPT")
        algorithm = params.get("EncryptionAlgorithm", SYMMETRIC)
        blob = self._encrypt(record, params["Plaintext"], algorithm, params.get("EncryptionContext"))
        self.dry_run(ctx)
        return {"CiphertextBlob": blob, "KeyId": record["Arn"], "EncryptionAlgorithm": algorithm}

    def decrypt(self, ctx: Ctx[kms.DecryptRequest]) -> kms.DecryptResult:
        params = ctx.params
        _no_recipient(ctx)
        algorithm = params.get("EncryptionAlgorithm", SYMMETRIC)
        plaintext, record, material = self._decrypt(_ciphertext(params), params.get("KeyId"), algorithm,
                                                    params.get("EncryptionContext"), ctx.account, ctx.region)
        self.dry_run(ctx)
        result: kms.DecryptResponse = {"KeyId": record["Arn"], "Plaintext": plaintext, "EncryptionAlgorithm": algorithm}
        if material is not None:
            result["KeyMaterialId"] = material
        return result

    def re_encrypt(self, ctx: Ctx[kms.ReEncryptRequest]) -> kms.ReEncryptResult:
        params = ctx.params
        source_algorithm = params.get("SourceEncryptionAlgorithm", SYMMETRIC)
        plaintext, source, material = self._decrypt(
            _ciphertext(params), params.get("SourceKeyId"), source_algorithm,
            params.get("SourceEncryptionContext"), ctx.account, ctx.region)
        destination = self.usable_key(params["DestinationKeyId"], ctx.account, ctx.region, "ReEncrypt",
                                      "ENCRYPT_DECRYPT")
        algorithm = params.get("DestinationEncryptionAlgorithm", SYMMETRIC)
        blob = self._encrypt(destination, plaintext, algorithm, params.get("DestinationEncryptionContext"))
        self.dry_run(ctx)
        result: kms.ReEncryptResponse = {
            "CiphertextBlob": blob, "SourceKeyId": source["Arn"], "KeyId": destination["Arn"],
            "SourceEncryptionAlgorithm": source_algorithm, "DestinationEncryptionAlgorithm": algorithm}
        if material is not None:
            result["SourceKeyMaterialId"] = material
        if destination["KeySpec"] == SYMMETRIC:
            result["DestinationKeyMaterialId"] = destination["Materials"][-1]["Id"]
        return result

    # -- data keys ----------------------------------------------------------------------------
    def _data_key(self, ctx: RequestContext[Any], operation: str) -> kms.GenerateDataKeyResponse:
        params = ctx.params
        _no_recipient(ctx)
        spec, size = params.get("KeySpec"), params.get("NumberOfBytes")
        if (spec is None) == (size is None):
            raise AwsError("ValidationException", "Please specify either number of bytes or key spec.")
        record = self._symmetric_key(params["KeyId"], ctx.account, ctx.region, operation)
        plaintext = ctx.ids.bytes(size if size is not None else _DATA_KEY_BYTES[str(spec)])
        blob = self.seal(record, plaintext, params.get("EncryptionContext"))
        self.dry_run(ctx)
        return {"CiphertextBlob": blob, "Plaintext": plaintext, "KeyId": record["Arn"],
                "KeyMaterialId": record["Materials"][-1]["Id"]}

    def generate_data_key(self, ctx: Ctx[kms.GenerateDataKeyRequest]) -> kms.GenerateDataKeyResult:
        return self._data_key(ctx, "GenerateDataKey")

    def generate_data_key_without_plaintext(
            self, ctx: Ctx[kms.GenerateDataKeyWithoutPlaintextRequest]) -> kms.GenerateDataKeyWithoutPlaintextResult:
        result = self._data_key(ctx, "GenerateDataKeyWithoutPlaintext")
        del result["Plaintext"]
        return result

    def _data_key_pair(self, ctx: RequestContext[Any], operation: str) -> kms.GenerateDataKeyPairResponse:
        params = ctx.params
        _no_recipient(ctx)
        pair_spec = params["KeyPairSpec"]
        if pair_spec not in _DATA_KEY_PAIR_SPECS:
            raise NotEmulatedError("kms", operation, f"data key pairs of {pair_spec} are not emulated")
        record = self._symmetric_key(params["KeyId"], ctx.account, ctx.region, operation)
        self.dry_run(ctx)
        private, public = asymmetric.data_key_pair(pair_spec, operation)
        return {"PrivateKeyCiphertextBlob": self.seal(record, private, params.get("EncryptionContext")),
                "PrivateKeyPlaintext": private, "PublicKey": public, "KeyId": record["Arn"],
                "KeyPairSpec": pair_spec, "KeyMaterialId": record["Materials"][-1]["Id"]}

    def generate_data_key_pair(self, ctx: Ctx[kms.GenerateDataKeyPairRequest]) -> kms.GenerateDataKeyPairResult:
        return self._data_key_pair(ctx, "GenerateDataKeyPair")

    def generate_data_key_pair_without_plaintext(
            self, ctx: Ctx[kms.GenerateDataKeyPairWithoutPlaintextRequest]) -> kms.GenerateDataKeyPairWithoutPlaintextResult:
        result = self._data_key_pair(ctx, "GenerateDataKeyPairWithoutPlaintext")
        del result["PrivateKeyPlaintext"]
        return result

    def generate_random(self, ctx: Ctx[kms.GenerateRandomRequest]) -> kms.GenerateRandomResult:
        _no_recipient(ctx)
        if "CustomKeyStoreId" in ctx.params:
            raise NotEmulatedError("kms", "GenerateRandom", "custom key stores are not emulated")
        size = ctx.params.get("NumberOfBytes")
        if size is None:
            raise AwsError("ValidationException", "NumberOfBytes is required.")
        return {"Plaintext": ctx.ids.bytes(size)}

    # -- MACs ---------------------------------------------------------------------------------
    def _mac(self, ctx: RequestContext[Any], operation: str) -> tuple[dict, bytes]:
        params = ctx.params
        _check_size(params["Message"], "message")
        record = self.usable_key(params["KeyId"], ctx.account, ctx.region, operation, "GENERATE_VERIFY_MAC")
        algorithm = params["MacAlgorithm"]
        if HMAC_SPECS[record["KeySpec"]][0] != algorithm:
            raise _incompatible(algorithm, record["KeySpec"])
        digest = "sha" + algorithm.rsplit("_", 1)[1]
        mac = hmac.digest(record["Materials"][-1]["Secret"], params["Message"], digest)
        self.dry_run(ctx)
        return record, mac

    def generate_mac(self, ctx: Ctx[kms.GenerateMacRequest]) -> kms.GenerateMacResult:
        record, mac = self._mac(ctx, "GenerateMac")
        return {"Mac": mac, "MacAlgorithm": ctx.params["MacAlgorithm"], "KeyId": record["Arn"]}

    def verify_mac(self, ctx: Ctx[kms.VerifyMacRequest]) -> kms.VerifyMacResult:
        record, mac = self._mac(ctx, "VerifyMac")
        if not hmac.compare_digest(mac, ctx.params["Mac"]):
            raise kms.kms_invalid_mac_exception("")
        return {"KeyId": record["Arn"], "MacValid": True, "MacAlgorithm": ctx.params["MacAlgorithm"]}

    # -- signatures, public keys, key agreement ------------------------------------------------
    def _signing(self, ctx: RequestContext[Any], operation: str) -> tuple[dict, bytes, bool]:
        """(key, private key PEM, whether the message is a digest) after AWS's checks."""
        params = ctx.params
        _check_size(params["Message"], "message")
        record = self.usable_key(params["KeyId"], ctx.account, ctx.region, operation, "SIGN_VERIFY")
        algorithm = params["SigningAlgorithm"]
        if algorithm not in algorithms(record["KeySpec"], "SIGN_VERIFY")["SigningAlgorithms"]:
            raise _incompatible(algorithm, record["KeySpec"])
        message_type = params.get("MessageType", "RAW")
        if message_type == "EXTERNAL_MU":
            raise NotEmulatedError("kms", operation, "EXTERNAL_MU messages (ML-DSA keys) are not emulated")
        if message_type == "DIGEST":
            asymmetric.check_digest(algorithm, params["Message"])
        pem = self._private_pem(record, operation)
        self.dry_run(ctx)
        return record, pem, message_type == "DIGEST"

    def sign(self, ctx: Ctx[kms.SignRequest]) -> kms.SignResult:
        params = ctx.params
        record, pem, prehashed = self._signing(ctx, "Sign")
        signature = asymmetric.sign(pem, params["SigningAlgorithm"], params["Message"], prehashed)
        return {"KeyId": record["Arn"], "Signature": signature, "SigningAlgorithm": params["SigningAlgorithm"]}

    def verify(self, ctx: Ctx[kms.VerifyRequest]) -> kms.VerifyResult:
        params = ctx.params
        record, pem, prehashed = self._signing(ctx, "Verify")
        if not asymmetric.verify(pem, params["SigningAlgorithm"], params["Message"], params["Signature"], prehashed):
            raise kms.kms_invalid_signature_exception("")
        return {"KeyId": record["Arn"], "SignatureValid": True, "SigningAlgorithm": params["SigningAlgorithm"]}

    def get_public_key(self, ctx: Ctx[kms.GetPublicKeyRequest]) -> kms.GetPublicKeyResult:
        record = self.key_record(ctx)
        self.require_enabled(record)
        spec = record["KeySpec"]
        if spec == SYMMETRIC or spec in HMAC_SPECS:
            raise kms.unsupported_operation_exception(
                f"{record['Arn']} key spec is {spec} which is not valid for GetPublicKey.")
        public = asymmetric.public_key_der(self._private_pem(record, "GetPublicKey"), "GetPublicKey")
        out: kms.GetPublicKeyResponse = {"KeyId": record["Arn"], "PublicKey": public, "CustomerMasterKeySpec": spec,
                                         "KeySpec": spec, "KeyUsage": record["KeyUsage"]}
        offered = algorithms(spec, record["KeyUsage"])  # never MacAlgorithms: HMAC keys were refused above
        if "EncryptionAlgorithms" in offered:
            out["EncryptionAlgorithms"] = offered["EncryptionAlgorithms"]
        if "SigningAlgorithms" in offered:
            out["SigningAlgorithms"] = offered["SigningAlgorithms"]
        if "KeyAgreementAlgorithms" in offered:
            out["KeyAgreementAlgorithms"] = offered["KeyAgreementAlgorithms"]
        return out

    def derive_shared_secret(self, ctx: Ctx[kms.DeriveSharedSecretRequest]) -> kms.DeriveSharedSecretResult:
        params = ctx.params
        _no_recipient(ctx)
        record = self.usable_key(params["KeyId"], ctx.account, ctx.region, "DeriveSharedSecret", "KEY_AGREEMENT")
        pem = self._private_pem(record, "DeriveSharedSecret")
        self.dry_run(ctx)
        secret = asymmetric.shared_secret(pem, params["PublicKey"])
        if secret is None:
            raise AwsError("ValidationException", "The public key is not a valid key for this key spec.")
        return {"KeyId": record["Arn"], "SharedSecret": secret, "KeyAgreementAlgorithm": params["KeyAgreementAlgorithm"],
                "KeyOrigin": "AWS_KMS"}

