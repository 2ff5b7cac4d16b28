"""The key store shared by KMS's operations: finding keys by any identifier, their lazy life cycle
(scheduled deletion, automatic rotation), key material, metadata, and symmetric blobs."""

from __future__ import annotations

import functools
import re
from typing import Any, Iterable, Mapping

from ...core.clock import from_epoch
from ...core.dispatch import RequestContext, ServiceBackend
from ...api import kms
from ...core.errors import AwsError
from ...core.partitions import arn_prefix
from . import envelope, schema
from .specs import HMAC_SPECS, SYMMETRIC, algorithms

DAY = 86400.0
_KEY_ID = re.compile(r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$")
_ARN = re.compile(r"^arn:aws[\w-]*:kms:([\w-]*):(\d{12}):(key|alias)/(.+)$")
DEFAULT_ROTATION_DAYS = 365
AWS_MANAGED_PREFIX = "alias/aws/"


@functools.lru_cache(maxsize=4096)
def arn_parts(arn: str) -> tuple[str, ...] | None:
    """(region, account, "key" or "alias", the rest) of a KMS ARN, or None (cached: every
    Decrypt parses the key ARN in its ciphertext)."""
    match = _ARN.match(arn)
    return None if match is None else match.groups()


def default_policy(account: str, region: str) -> str:
    """The key policy AWS writes for a key created through the API without one, in AWS's layout
    (docs: "Default key policy", the statement "Enable IAM User Permissions")."""
    return (
        '{\n  "Version" : "2012-10-17",\n  "Id" : "key-default-1",\n  "Statement" : [ {\n'
        '    "Sid" : "Enable IAM User Permissions",\n    "Effect" : "Allow",\n'
        f'    "Principal" : {{\n      "AWS" : "{arn_prefix(region)}:iam::{account}:root"\n    }},\n'
        '    "Action" : "kms:*",\n    "Resource" : "*"\n  } ]\n}'
    )


def not_found(message: str) -> AwsError:
    return kms.not_found_exception(message)


def invalid_state(arn: str, what: str) -> AwsError:
    return kms.kms_invalid_state_exception(f"{arn} is {what}.")


def incorrect_key() -> AwsError:
    # LocalStack snapshot test_re_encrypt_incorrect_source_key / test_error_messaging_for_invalid_keys
    return kms.incorrect_key_exception(
        "The key ID in the request does not identify a CMK that can perform this operation.")


class KmsKeys(ServiceBackend):
    """Tables and key helpers; the operations live in operations.py and backend.py."""

    service_name = "kms"

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self.keys = schema.KEYS.open_ordered(self.store)
        self.aliases = schema.ALIASES.open_ordered(self.store)
        self.grants = schema.GRANTS.open_ordered(self.store)

    # -- finding keys ---------------------------------------------------------------------------
    def now(self) -> float:
        return self.emulator.clock.time()

    def key_arn(self, account: str, region: str, key_id: str) -> str:
        return f"{arn_prefix(region)}:kms:{region}:{account}:key/{key_id}"

    def find_key(self, key_id: str, account: str, region: str) -> dict:
        """The key a KeyId names (key id, key ARN, alias name or alias ARN), settled to now;
        NotFoundException as KMS words it."""
        if key_id.startswith("arn:"):
            parts = arn_parts(key_id)
            if parts is None:
                raise not_found(f"Invalid arn {key_id}")
            arn_region, account, kind, rest = parts
            if arn_region != region:
                raise not_found(f"Invalid arn {arn_region}")
            key_id = self._alias_target(f"alias/{rest}", account, region) if kind == "alias" else rest
        elif key_id.startswith("alias/"):
            key_id = self._alias_target(key_id, account, region)
        if not _KEY_ID.match(key_id):
            raise not_found(f"Invalid keyId '{key_id}'")
        record = self._settled(self.keys.get((account, region, key_id)))
        if record is None:
            raise not_found(f"Key '{self.key_arn(account, region, key_id)}' does not exist")
        return record

    def _alias_target(self, alias_name: str, account: str, region: str) -> str:
        alias = self.aliases.get((account, region, alias_name))
        if alias is not None:
            return str(alias["TargetKeyId"])
        if alias_name.startswith(AWS_MANAGED_PREFIX) and len(alias_name) > len(AWS_MANAGED_PREFIX):
            return self._create_aws_managed_key(alias_name, account, region)
        raise not_found(f"Alias {arn_prefix(region)}:kms:{region}:{account}:{alias_name} is not found.")

    def _create_aws_managed_key(self, alias_name: str, account: str, region: str) -> str:
        """AWS creates an AWS managed key the first time its alias (alias/aws/s3…) is used."""
        service = alias_name[len(AWS_MANAGED_PREFIX):]
        record = self.new_key(account, region, SYMMETRIC, "ENCRYPT_DECRYPT",
                               f"Default key that protects my {service} data when no other key is defined",
                               default_policy(account, region), manager="AWS")
        record["Rotation"] = {"Period": DEFAULT_ROTATION_DAYS, "Next": record["Created"] + DEFAULT_ROTATION_DAYS * DAY}
        self.save_key(record)
        self.put_alias(account, region, alias_name, record["KeyId"], record["Created"])
        return str(record["KeyId"])

    def _settled(self, record: dict | None) -> dict | None:
        """The key as it stands now: gone once its deletion date has passed, with the automatic
        rotations that came due meanwhile."""
        if record is None:
            return None
        now = self.now()
        deletion = record.get("DeletionDate")
        if deletion is not None and now >= deletion:
            self._delete_key(record)
            return None
        rotation = record.get("Rotation")
        if rotation is not None and now >= rotation["Next"]:
            record = self._rotate_due(record, now)
        return record

    def settle_all(self, account: str, region: str) -> list[dict]:
        """Every key of an account and region as it stands now (listings see deletions first)."""
        records = [self._settled(record) for _, record in
                   list(self.keys.items_range((account, region), (account, region, "\uffff")))]
        return [record for record in records if record is not None]

    def _rotate_due(self, record: dict, now: float) -> dict:
        rotation = dict(record["Rotation"])
        materials = list(record["Materials"])
        while now >= rotation["Next"]:
            materials.append(self.new_material(record["KeySpec"], rotation["Next"], "AUTOMATIC"))
            rotation["Next"] += rotation["Period"] * DAY
        record = {**record, "Materials": materials, "Rotation": rotation}
        self.save_key(record)
        return record

    def _delete_key(self, record: dict) -> None:
        account, region, key_id = record["Account"], record["Region"], record["KeyId"]
        self.keys.delete((account, region, key_id))
        for alias_key in [k for k, alias in self.aliases_in(account, region) if alias["TargetKeyId"] == key_id]:
            self.aliases.delete(alias_key)
        for grant_key in [k for k, grant in self.grants_in(account, region) if grant["KeyId"] == key_id]:
            self.grants.delete(grant_key)

    def usable_key(self, key_id: str, account: str, region: str, operation: str, usage: str) -> dict:
        """A key that can do ``operation`` now: DisabledException, KMSInvalidStateException or
        InvalidKeyUsageException with AWS's messages otherwise."""
        record = self.find_key(key_id, account, region)
        self.require_enabled(record)
        if record["KeyUsage"] != usage:
            raise kms.invalid_key_usage_exception(
                f"{record['Arn']} key usage is {record['KeyUsage']} which is not valid for {operation}.")
        return record

    @staticmethod
    def require_enabled(record: dict) -> None:
        state = record["KeyState"]
        if state == "Disabled":
            raise kms.disabled_exception(f"{record['Arn']} is disabled.")
        if state == "PendingDeletion":
            raise invalid_state(record["Arn"], "pending deletion")

    @staticmethod
    def require_not_pending_deletion(record: dict) -> None:
        if record["KeyState"] == "PendingDeletion":
            raise invalid_state(record["Arn"], "pending deletion")

    def key_record(self, ctx: RequestContext[Any], name: str = "KeyId") -> dict:
        return self.find_key(ctx.params[name], ctx.account, ctx.region)

    def save_key(self, record: dict) -> None:
        self.keys.put((record["Account"], record["Region"], record["KeyId"]), record)

    def aliases_in(self, account: str, region: str) -> Iterable[tuple[Any, dict]]:
        return list(self.aliases.items_range((account, region), (account, region, "\uffff")))

    def grants_in(self, account: str, region: str) -> Iterable[tuple[Any, dict]]:
        return list(self.grants.items_range((account, region), (account, region, "\uffff")))

    # -- key material -------------------------------------------------------------------------
    def new_material(self, spec: str, created: float, rotation_type: str | None) -> dict:
        length = HMAC_SPECS[spec][1] if spec in HMAC_SPECS else 32
        ids = self.emulator.ids
        return {"Id": ids.hex(64), "Secret": ids.bytes(length), "Created": created, "Type": rotation_type}

    def new_key(self, account: str, region: str, spec: str, usage: str, description: str, policy: str,
                 manager: str = "CUSTOMER") -> dict:
        key_id = self.emulator.ids.uuid4()
        now = self.now()
        asymmetric = spec != SYMMETRIC and spec not in HMAC_SPECS
        return {
            "KeyId": key_id, "Arn": self.key_arn(account, region, key_id), "Account": account,
            "Region": region, "Created": now, "Description": description, "KeySpec": spec,
            "KeyUsage": usage, "KeyState": "Enabled", "DeletionDate": None, "KeyManager": manager,
            "Policy": policy, "Tags": {}, "Rotation": None, "OnDemandRotations": 0,
            "Materials": [] if asymmetric else [self.new_material(spec, now, None)], "Private": None,
        }

    def put_alias(self, account: str, region: str, name: str, key_id: str, created: float) -> None:
        self.aliases.put((account, region, name), {
            "AliasName": name, "AliasArn": f"{arn_prefix(region)}:kms:{region}:{account}:{name}",
            "TargetKeyId": key_id, "Created": created, "Updated": self.now()})

    def metadata(self, record: dict) -> kms.KeyMetadata:
        """KeyMetadata as DescribeKey answers it."""
        spec, usage = record["KeySpec"], record["KeyUsage"]
        meta: kms.KeyMetadata = {
            "AWSAccountId": record["Account"], "KeyId": record["KeyId"], "Arn": record["Arn"],
            "CreationDate": from_epoch(record["Created"]), "Enabled": record["KeyState"] == "Enabled",
            "Description": record["Description"], "KeyUsage": usage, "KeyState": record["KeyState"],
            "Origin": "AWS_KMS", "KeyManager": record["KeyManager"], "CustomerMasterKeySpec": spec,
            "KeySpec": spec, **algorithms(spec, usage), "MultiRegion": False,
        }
        if record["DeletionDate"] is not None:
            meta["DeletionDate"] = from_epoch(record["DeletionDate"])
        if spec == SYMMETRIC:
            meta["CurrentKeyMaterialId"] = record["Materials"][-1]["Id"]
        return meta

    # -- symmetric blobs ----------------------------------------------------------------------
    def seal(self, record: dict, plaintext: bytes, context: Mapping[str, str] | None) -> bytes:
        """A symmetric blob under the key's current material."""
        materials = record["Materials"]
        nonce = self.emulator.ids.bytes(envelope.NONCE_BYTES)
        return envelope.seal(materials[-1]["Secret"], record["Arn"], len(materials) - 1, nonce, plaintext, context)

    def unseal(self, blob: bytes, key_id: str | None, account: str, region: str,
               context: Mapping[str, str] | None) -> tuple[bytes, dict, str]:
        """(plaintext, key record, key material id) of a symmetric blob; the key comes from the
        blob, and must be the one ``key_id`` names if given (IncorrectKeyException otherwise)."""
        sealed = envelope.parse(blob)
        parts = arn_parts(sealed.key_arn)
        if parts is None or parts[2] != "key":
            raise envelope.invalid_ciphertext()
        arn_region, arn_account, _, arn_key_id = parts
        record = self._settled(self.keys.get((arn_account, arn_region, arn_key_id)))
        if record is None or arn_region != region or sealed.material >= len(record["Materials"]):
            raise envelope.invalid_ciphertext()
        if key_id is not None and self.find_key(key_id, account, region)["Arn"] != record["Arn"]:
            raise incorrect_key()
        self.require_enabled(record)
        material = record["Materials"][sealed.material]
        return envelope.unseal(material["Secret"], blob, context), record, material["Id"]

    @staticmethod
    def dry_run(ctx: RequestContext[Any]) -> None:
        if ctx.params.get("DryRun"):
            raise kms.dry_run_operation_exception("The request would have succeeded, but the DryRun option is set.")
