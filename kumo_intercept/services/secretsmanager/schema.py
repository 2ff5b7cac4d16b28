"""Secrets Manager's table (see store/schema.py): the secrets, their versions and replicas."""

from __future__ import annotations

from typing import TypedDict

from ...store.schema import ServiceSchema, TableSpec

SecretsRecord = TypedDict("SecretsRecord", {
    "ARN": str,
    "Accessed": float,
    "Changed": float,
    "Created": float,
    "DeletionDate": float,
    "Description": str,
    "KmsKeyId": str,
    "Name": str,
    "Order": list,
    "OwningService": str,
    "Policy": str,
    "ReplicaOf": str,
    "Replicas": list,
    "Rotation": dict,
    "Tags": list,
    "Type": str,
    "Versions": dict,
}, total=False)

#: (account, region, name) -> a secret: version id -> its value and stages (``Versions``), creation
#: order of the versions (``Order``), rotation, replicas; a replica names its primary in ``ReplicaOf``
SECRETS = TableSpec("secretsmanager.secrets", SecretsRecord)

SCHEMA = ServiceSchema(tables=(SECRETS,))
