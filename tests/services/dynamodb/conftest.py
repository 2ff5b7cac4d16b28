"""Shared fixtures for the DynamoDB behaviour tests: clients and a few ready-made tables."""

from __future__ import annotations

import boto3
import pytest


@pytest.fixture
def ddb(kumo):
    return boto3.client("dynamodb")


def make_table(client, name="t", hash_key=("pk", "S"), range_key=("sk", "S"), **extra):
    schema = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
    definitions = [{"AttributeName": hash_key[0], "AttributeType": hash_key[1]}]
    if range_key:
        schema.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
        definitions.append({"AttributeName": range_key[0], "AttributeType": range_key[1]})
    for index in extra.get("GlobalSecondaryIndexes", []) + extra.get("LocalSecondaryIndexes", []):
        for element in index["KeySchema"]:
            if all(d["AttributeName"] != element["AttributeName"] for d in definitions):
                definitions.append({"AttributeName": element["AttributeName"],
                                    "AttributeType": extra.get("types", {}).get(element["AttributeName"], "S")})
    extra.pop("types", None)
    extra.setdefault("BillingMode", "PAY_PER_REQUEST")
    client.create_table(TableName=name, KeySchema=schema, AttributeDefinitions=definitions, **extra)
    return name


@pytest.fixture
def table(ddb):
    """A table with a string partition key ``pk`` and string sort key ``sk``."""
    return make_table(ddb)


@pytest.fixture
def create(ddb):
    """``create(name=..., hash_key=(name, type), range_key=(name, type) | None, **CreateTable params)``."""
    return lambda **kwargs: make_table(ddb, **kwargs)
