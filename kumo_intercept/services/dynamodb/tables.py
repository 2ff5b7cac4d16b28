"""Table definitions: CreateTable's checks as AWS makes them, and the derived view of a table record.

A table record (``dynamodb.tables`` at ``(account, region, name)``) is a plain dict:

    {"name", "arn", "id", "created", "key_schema", "attribute_definitions", "billing_mode",
     "throughput": {"ReadCapacityUnits", "WriteCapacityUnits"} | None, "gsis": [index], "lsis": [index],
     "stream": {"arn", "label", "view_type"} | None, "ttl": attribute name | None, "pitr": bool,
     "deletion_protection": bool, "tags": {key: value}, "table_class": str | None, "sse": dict | None}

with index = ``{"IndexName", "KeySchema", "Projection", "ProvisionedThroughput"?, "created"}``.
``TableInfo`` is what the handlers use: key names and types resolved once per record.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from . import values as V


class IndexInfo:
    """An index's key: ``hash_names``/``range_names`` in key schema order. A global secondary index may have
    up to four of each (multi-attribute keys, developer guide "Multi-attribute keys pattern"); it is then
    ``composite`` and its key attributes are read through those tuples, not ``hash_name``/``range_name``."""

    __slots__ = ("name", "kind", "hash_name", "hash_type", "range_name", "range_type", "projection",
                 "non_key", "key_names", "spec", "hash_names", "range_names", "types", "composite")

    def __init__(self, kind: str, spec: dict, types: dict[str, str], table_keys: tuple) -> None:
        self.kind = kind
        self.spec = spec
        self.name = spec["IndexName"]
        schema = spec["KeySchema"]
        self.hash_names = tuple(e["AttributeName"] for e in schema if e["KeyType"] == "HASH")
        self.range_names = tuple(e["AttributeName"] for e in schema if e["KeyType"] != "HASH")
        self.composite = len(self.hash_names) > 1 or len(self.range_names) > 1
        self.types = {name: types.get(name, "S") for name in self.hash_names + self.range_names}
        self.hash_name, self.range_name = _key_names(schema)
        self.hash_type = self.types[self.hash_name]
        self.range_type = self.types[self.range_name] if self.range_name else None
        projection = spec.get("Projection") or {}
        self.projection = projection.get("ProjectionType", "ALL")
        self.non_key = frozenset(projection.get("NonKeyAttributes") or ())
        names = list(self.hash_names + self.range_names)
        self.key_names = tuple(dict.fromkeys(names + [n for n in table_keys if n]))

    def project(self, item: dict) -> dict:
        """The item as the index holds it."""
        if self.projection == "ALL":
            return item
        keep = self.key_names
        if self.projection == "INCLUDE":
            return {k: v for k, v in item.items() if k in keep or k in self.non_key}
        return {k: v for k, v in item.items() if k in keep}


class TableInfo:
    __slots__ = ("key", "record", "name", "arn", "hash_name", "hash_type", "range_name", "range_type",
                 "indexes", "gsis", "lsis", "ttl", "stream_arn", "view_type", "types")

    def __init__(self, key: tuple, record: dict) -> None:
        self.key = key
        self.record = record
        self.name = record["name"]
        self.arn = record["arn"]
        self.types = {d["AttributeName"]: d["AttributeType"] for d in record["attribute_definitions"]}
        self.hash_name, self.range_name = _key_names(record["key_schema"])
        self.hash_type = self.types[self.hash_name]
        self.range_type = self.types[self.range_name] if self.range_name else None
        table_keys = (self.hash_name, self.range_name)
        self.gsis = [IndexInfo("GSI", spec, self.types, table_keys) for spec in record["gsis"]]
        self.lsis = [IndexInfo("LSI", spec, self.types, table_keys) for spec in record["lsis"]]
        self.indexes = {index.name: index for index in self.gsis + self.lsis}
        self.ttl = record.get("ttl")
        stream = record.get("stream")
        self.stream_arn = stream["arn"] if stream else None
        self.view_type = stream["view_type"] if stream else None

    def key_of(self, item: dict) -> dict:
        key = {self.hash_name: item[self.hash_name]}
        if self.range_name:
            key[self.range_name] = item[self.range_name]
        return key


def _key_names(schema: list[dict]) -> tuple[str, str | None]:
    hash_name = range_name = None
    for element in schema:
        if element["KeyType"] == "HASH":
            hash_name = element["AttributeName"]
        else:
            range_name = element["AttributeName"]
    assert hash_name is not None
    return hash_name, range_name


def _invalid(detail: str) -> Exception:
    return V.invalid(f"One or more parameter values were invalid: {detail}")


#: a global secondary index's key may have up to this many HASH and as many RANGE attributes
#: (developer guide, "Multi-attribute keys pattern")
MULTI_ATTRIBUTE_LIMIT = 4


def _java_element(element: Mapping[str, Any]) -> str:
    """A KeySchemaElement as AWS's Java validation layer prints it in a refusal (ack-api-quirks DynamoDB
    catalogue, DDB-TABLE-042: ``com.amazonaws.dynamodb.v20120810.KeySchemaElement@ad28eb1d``); the hash
    part, an identity hash on AWS, is derived from the element here."""
    digest = zlib.crc32(f"{element['AttributeName']}/{element['KeyType']}".encode())
    return f"com.amazonaws.dynamodb.v20120810.KeySchemaElement@{digest:08x}"


def check_key_schema(schema: Sequence[Mapping[str, Any]], where: str = "", multi_attribute: bool = False) -> None:
    """``multi_attribute``: a global secondary index's key schema, which may have several HASH and RANGE
    attributes, the HASH ones first."""
    if schema[0]["KeyType"] != "HASH":
        raise V.invalid(f"Invalid KeySchema: The first KeySchemaElement is not a HASH key type{where}")
    if multi_attribute and len(schema) > 2:
        _check_multi_attribute_schema(schema)
    elif len(schema) == 2:
        if schema[0]["AttributeName"] == schema[1]["AttributeName"]:
            raise V.invalid("Invalid KeySchema: Both the Hash Key and the Range Key element in the KeySchema have "
                            "the same name")
        if schema[1]["KeyType"] != "RANGE":
            raise V.invalid("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")


def _check_multi_attribute_schema(schema: Sequence[Mapping[str, Any]]) -> None:
    """The wording of these refusals is ours: no AWS recording of them was found."""
    kinds = [e["KeyType"] for e in schema]
    if kinds.count("HASH") > MULTI_ATTRIBUTE_LIMIT or kinds.count("RANGE") > MULTI_ATTRIBUTE_LIMIT:
        raise V.invalid(f"Invalid KeySchema: A global secondary index key can have at most {MULTI_ATTRIBUTE_LIMIT} "
                        f"HASH and {MULTI_ATTRIBUTE_LIMIT} RANGE KeySchemaElements")
    if kinds != sorted(kinds):  # "HASH" < "RANGE"
        raise V.invalid("Invalid KeySchema: The HASH KeySchemaElements must come before the RANGE ones")
    names = [e["AttributeName"] for e in schema]
    if len(set(names)) != len(names):
        raise V.invalid("Invalid KeySchema: An attribute appears more than once in the KeySchema")


def check_projection(index: Mapping[str, Any]) -> None:
    projection = index.get("Projection") or {}
    kind = projection.get("ProjectionType")
    non_key = projection.get("NonKeyAttributes")
    if kind == "INCLUDE" and not non_key:
        raise _invalid(f"ProjectionType is INCLUDE, but NonKeyAttributes is not specified for index: "
                       f"{index['IndexName']}")
    if non_key and kind != "INCLUDE":
        raise _invalid(f"ProjectionType is {kind or 'unset'}, but NonKeyAttributes is specified")


def check_definitions(params: Mapping[str, Any]) -> None:
    """CreateTable's checks of the key schema, indexes and attribute definitions."""
    schema = params["KeySchema"]
    if len(schema) > 2:
        raise V.invalid(f"1 validation error detected: Value '[{', '.join(map(_java_element, schema))}]' at "
                        "'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2")
    check_key_schema(schema)
    definitions = params["AttributeDefinitions"]
    defined = [d["AttributeName"] for d in definitions]
    duplicated = next((n for i, n in enumerate(defined) if n in defined[:i]), None)
    if duplicated is not None:
        raise V.invalid(f"Attribute Name is duplicated: {duplicated}")
    used = [e["AttributeName"] for e in schema]
    gsis = params.get("GlobalSecondaryIndexes")
    lsis = params.get("LocalSecondaryIndexes")
    if gsis is not None and not gsis:
        raise _invalid("List of GlobalSecondaryIndexes is empty")
    if lsis is not None and not lsis:
        raise _invalid("List of LocalSecondaryIndexes is empty")
    names: set[str] = set()
    hash_name, range_name = _key_names(schema)
    for index in lsis or ():
        if range_name is None:
            raise _invalid("Table KeySchema does not have a range key, which is required when specifying a "
                           "LocalSecondaryIndex")
        check_key_schema(index["KeySchema"])
        index_hash, index_range = _key_names(index["KeySchema"])
        if index_hash != hash_name:
            raise _invalid(f"Index KeySchema does not have the same leading hash key as table KeySchema for "
                           f"index: {index['IndexName']}. index hash key: {index_hash}, table hash key: {hash_name}")
        if index_range is None:
            raise _invalid(f"Index KeySchema does not have a range key for index: {index['IndexName']}")
    if lsis and len(lsis) > 5:
        raise _invalid("Number of LocalSecondaryIndexes exceeds per-table limit of 5")
    if gsis and len(gsis) > 20:
        raise _invalid("GlobalSecondaryIndex count exceeds the per-table limit of 20")
    for index in (lsis or []) + (gsis or []):
        if index["IndexName"] in names:
            raise _invalid(f"Duplicate index name: {index['IndexName']}")
        names.add(index["IndexName"])
        check_key_schema(index["KeySchema"], multi_attribute=index in (gsis or ()))
        check_projection(index)
        used += [e["AttributeName"] for e in index["KeySchema"]]
    used_set = list(dict.fromkeys(used))
    missing = [n for n in used_set if n not in defined]
    if missing:
        raise _invalid(f"Some index key attributes are not defined in AttributeDefinitions. Keys: "
                       f"[{', '.join(missing)}], AttributeDefinitions: [{', '.join(defined)}]")
    if len(defined) != len(used_set):
        if not gsis and not lsis:
            raise _invalid("Number of attributes in KeySchema does not exactly match number of attributes "
                           "defined in AttributeDefinitions")
        raise _invalid(f"Some AttributeDefinitions are not used. AttributeDefinitions: [{', '.join(defined)}], "
                       f"keys used: [{', '.join(used_set)}]")


def check_throughput(params: Mapping[str, Any], billing_mode: str) -> dict | None:
    """The table's provisioned throughput for CreateTable's BillingMode, checked as AWS checks it."""
    throughput = params.get("ProvisionedThroughput")
    if billing_mode == "PAY_PER_REQUEST":
        if throughput is not None:
            raise _invalid("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                           "BillingMode is PAY_PER_REQUEST")
        for index in params.get("GlobalSecondaryIndexes") or ():
            if index.get("ProvisionedThroughput") is not None:
                raise _invalid(f"ProvisionedThroughput should not be specified for index: {index['IndexName']} "
                               "when BillingMode is PAY_PER_REQUEST")
        return None
    if throughput is None:
        if "BillingMode" in params:
            raise _invalid("ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode "
                           "is PROVISIONED")
        raise V.invalid("No provisioned throughput specified for the table")
    for index in params.get("GlobalSecondaryIndexes") or ():
        if index.get("ProvisionedThroughput") is None:
            raise _invalid(f"ProvisionedThroughput is not specified for index: {index['IndexName']}")
    return {"ReadCapacityUnits": throughput["ReadCapacityUnits"],
            "WriteCapacityUnits": throughput["WriteCapacityUnits"]}


#: the warm throughput of an on-demand table or index until more is asked for
ON_DEMAND_WARM = {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000}
_WARM_FLOORS = (("ReadUnitsPerSecond", "ReadCapacityUnits"), ("WriteUnitsPerSecond", "WriteCapacityUnits"))
_ON_DEMAND_GUIDE = ("https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html"
                    "#on-demand-capacity-mode-initial")


def check_warm_throughput(params: Mapping[str, Any], billing_mode: str) -> None:
    """CreateTable's floor for WarmThroughput, the table's and each index's: an on-demand table's initial
    throughput, or the provisioned capacity (AWS's wording as probed in us-east-1, October 2026, in the
    public ack-api-quirks DynamoDB catalogue, DDB-TABLE-039)."""
    _check_warm_floor(params.get("WarmThroughput"), "table", billing_mode, params.get("ProvisionedThroughput"))
    for index in params.get("GlobalSecondaryIndexes") or ():
        _check_warm_floor(index.get("WarmThroughput"), f"index {index['IndexName']}", billing_mode,
                          index.get("ProvisionedThroughput"))


def _check_warm_floor(asked: Mapping[str, Any] | None, whose: str, billing_mode: str,
                      throughput: Mapping[str, Any] | None) -> None:
    for member, capacity in _WARM_FLOORS:
        value = (asked or {}).get(member)
        if value is None:
            continue
        if billing_mode == "PAY_PER_REQUEST" and value < ON_DEMAND_WARM[member]:
            raise _invalid(f"Requested {member} for WarmThroughput for {whose} is lower than initial throughput for "
                           f"OnDemand. See: {_ON_DEMAND_GUIDE}")
        if throughput and value < throughput[capacity]:
            raise _invalid(f"Requested {member} for WarmThroughput for {whose} is lower than {capacity} of "
                           "ProvisionedThroughput")


def raised_warm_throughput(current: Mapping[str, Any], asked: Mapping[str, Any]) -> dict:
    """UpdateTable's WarmThroughput: it only rises (ack-api-quirks DynamoDB catalogue, DDB-TABLE-059)."""
    for member, _capacity in _WARM_FLOORS:
        if member in asked and asked[member] < current[member]:
            raise _invalid(f"Requested {member} for WarmThroughput for table is lower than current WarmThroughput, "
                           "decreasing WarmThroughput is not supported")
    return {member: asked.get(member, current[member]) for member, _capacity in _WARM_FLOORS}


def index_record(spec: Mapping[str, Any], created: float) -> dict:
    record: dict[str, Any] = {
        "IndexName": spec["IndexName"],
        "KeySchema": [dict(e) for e in spec["KeySchema"]],
        "Projection": {k: (list(v) if isinstance(v, list) else v) for k, v in spec["Projection"].items()},
        "created": created,
    }
    if spec.get("WarmThroughput"):
        record["WarmThroughput"] = dict(spec["WarmThroughput"])
    if spec.get("ProvisionedThroughput"):
        pt = spec["ProvisionedThroughput"]
        record["ProvisionedThroughput"] = {"ReadCapacityUnits": pt["ReadCapacityUnits"],
                                           "WriteCapacityUnits": pt["WriteCapacityUnits"]}
    return record
