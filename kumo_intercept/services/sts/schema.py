"""STS's table (see store/schema.py): the temporary credentials it issued."""

from __future__ import annotations

from typing import TypedDict

from ...store.schema import ServiceSchema, TableSpec


CredentialsRecord = TypedDict("CredentialsRecord", {
    "Account": str,
    "Arn": str,
    "Expiration": float,
    "Kind": str,
    "ParentArn": str,
    "PolicyArns": list,
    "Policies": list,
    "RoleArn": str,
    "Tags": dict,
    "UserId": str,
}, total=False)

#: access key id -> the credentials and whom they act as
CREDENTIALS = TableSpec("sts.credentials", CredentialsRecord)

SCHEMA = ServiceSchema(tables=(CREDENTIALS,))

