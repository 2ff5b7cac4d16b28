"""KMS's tables (see store/schema.py): keys with their key material, aliases and grants."""

from __future__ import annotations

from typing import TypedDict

from ...store.schema import ServiceSchema, TableSpec

KeysRecord = TypedDict("KeysRecord", {
    "Account": str,
    "Arn": str,
    "Created": float,
    "DeletionDate": float | None,
    "Description": str,
    "KeyId": str,
    "KeyManager": str,
    "KeySpec": str,
    "KeyState": str,
    "KeyUsage": str,
    "Materials": list,
    "OnDemandRotations": int,
    "Policy": str,
    "Private": bytes | None,
    "Region": str,
    "Rotation": dict | None,
    "Tags": dict,
}, total=False)

AliasesRecord = TypedDict("AliasesRecord", {
    "AliasArn": str,
    "AliasName": str,
    "Created": float,
    "TargetKeyId": str,
    "Updated": float,
}, total=False)

GrantsRecord = TypedDict("GrantsRecord", {
    "Constraints": dict | None,
    "Created": float,
    "GrantId": str,
    "GranteePrincipal": str,
    "KeyArn": str,
    "KeyId": str,
    "Name": str | None,
    "Operations": list,
    "RetiringPrincipal": str | None,
    "Token": str,
}, total=False)

#: (account, region, key id) -> the key: its metadata, key material versions (``Materials``), state
KEYS = TableSpec("kms.keys", KeysRecord, ordered=True)
#: (account, region, alias name) -> the alias and the key id it targets
ALIASES = TableSpec("kms.aliases", AliasesRecord, ordered=True)
#: (account, region, grant id) -> a grant on a key
GRANTS = TableSpec("kms.grants", GrantsRecord, ordered=True)

SCHEMA = ServiceSchema(tables=(KEYS, ALIASES, GRANTS))
