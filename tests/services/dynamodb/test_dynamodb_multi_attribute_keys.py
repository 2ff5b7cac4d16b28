"""Global secondary indexes with multi-attribute keys: up to four HASH and four RANGE attributes.

Facts: the developer guide's "Multi-attribute keys pattern" (up to four attributes each; the partition
attributes hashed together; queries name every partition attribute and the sort attributes left to right,
only the last one named taking a range condition); moto 5.2.1's AWS-verified
test_dynamodb_multi_attribute_gsi (order, sparse index, LastEvaluatedKey, KeyConditions); the refusal of a
gap or an early range condition as AWS worded it (eu-west-2, October 2026) in a public AWS-run conformance
suite ("Query - GSI with a multi-attribute key").
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.kumo(strict=True)

SCHEMA = [{"AttributeName": "tenant", "KeyType": "HASH"}, {"AttributeName": "site", "KeyType": "HASH"},
          {"AttributeName": "kind", "KeyType": "RANGE"}, {"AttributeName": "rank", "KeyType": "RANGE"},
          {"AttributeName": "name", "KeyType": "RANGE"}]
TYPES = {"rank": "N"}


def error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def item(pk, kind=None, rank=None, name=None, tenant="t1", site="eu"):
    out = {"pk": {"S": pk}, "tenant": {"S": tenant}, "site": {"S": site}}
    for attribute, value in (("kind", kind), ("name", name)):
        if value is not None:
            out[attribute] = {"S": value}
    if rank is not None:
        out["rank"] = {"N": str(rank)}
    return out


@pytest.fixture
def multi(ddb, create):
    create(name="multi", range_key=None, types=TYPES, GlobalSecondaryIndexes=[
        {"IndexName": "byKey", "KeySchema": SCHEMA, "Projection": {"ProjectionType": "ALL"}}])
    for row in (item("p1", "b", 1, "x"), item("p2", "a", 10, "x"), item("p3", "a", 2, "y"),
                item("p4", "a", 2, "x"), item("p5", "ab", 1, "x"), item("p6", "a", 2, "x\x00"),
                item("p7", "a", 2), item("p8", "a", name="x"),                     # not indexed: a key attribute missing
                item("p9", "a", 1, "x", site="us"), item("p10", "a", 1, "x", tenant="t2")):
        ddb.put_item(TableName="multi", Item=row)
    return "multi"


def pks(ddb, condition, values, **extra):
    values = {":t": {"S": "t1"}, ":r": {"S": "eu"}, **values}
    response = ddb.query(TableName="multi", IndexName="byKey", KeyConditionExpression=condition,
                         ExpressionAttributeValues=values, **extra)
    return [i["pk"]["S"] for i in response["Items"]]


def test_describe_keeps_the_key_schema_as_given(ddb, multi):
    index = ddb.describe_table(TableName=multi)["Table"]["GlobalSecondaryIndexes"][0]
    assert index["KeySchema"] == SCHEMA


def test_items_sort_by_the_sort_attributes_in_schema_order(ddb, multi):
    partition = "tenant = :t AND site = :r"
    assert pks(ddb, partition, {}) == ["p4", "p6", "p3", "p2", "p5", "p1"]
    assert pks(ddb, partition, {}, ScanIndexForward=False) == ["p1", "p5", "p2", "p3", "p6", "p4"]
    assert pks(ddb, "site = :r AND tenant = :t", {}) == pks(ddb, partition, {})  # clauses in any order


@pytest.mark.parametrize("condition, values, expected", [
    ("kind = :k", {":k": {"S": "a"}}, ["p4", "p6", "p3", "p2"]),
    ("kind = :k AND #rank = :n", {":k": {"S": "a"}, ":n": {"N": "2.0"}}, ["p4", "p6", "p3"]),
    ("kind = :k AND #rank > :n", {":k": {"S": "a"}, ":n": {"N": "2"}}, ["p2"]),
    ("kind = :k AND #rank <= :n", {":k": {"S": "a"}, ":n": {"N": "2"}}, ["p4", "p6", "p3"]),
    ("kind = :k AND #rank = :n AND #name = :m", {":k": {"S": "a"}, ":n": {"N": "2"}, ":m": {"S": "x"}}, ["p4"]),
    ("kind = :k AND #rank = :n AND begins_with(#name, :m)", {":k": {"S": "a"}, ":n": {"N": "2"}, ":m": {"S": "x"}},
     ["p4", "p6"]),
    ("kind = :k AND #rank BETWEEN :lo AND :hi", {":k": {"S": "a"}, ":lo": {"N": "3"}, ":hi": {"N": "10"}}, ["p2"]),
    ("kind > :k", {":k": {"S": "a"}}, ["p5", "p1"]),
    ("kind < :k", {":k": {"S": "ab"}}, ["p4", "p6", "p3", "p2"]),
    ("begins_with(kind, :k)", {":k": {"S": "a"}}, ["p4", "p6", "p3", "p2", "p5"]),
    ("kind >= :k", {":k": {"S": "ab"}}, ["p5", "p1"]),
])
def test_a_left_to_right_run_of_sort_attributes_narrows_the_query(ddb, multi, condition, values, expected):
    names = {n: n[1:] for n in ("#rank", "#name") if n in condition}
    extra = {"ExpressionAttributeNames": names} if names else {}
    assert pks(ddb, f"tenant = :t AND site = :r AND {condition}", values, **extra) == expected


@pytest.mark.parametrize("condition, values, message", [
    ("#rank = :n", {":n": {"N": "2"}}, "RANGE key attributes kind must have equality conditions specified in the "
                                       "query because a condition is present on key attribute rank"),
    ("kind = :k AND #name = :m", {":k": {"S": "a"}, ":m": {"S": "x"}},
     "RANGE key attributes rank must have equality conditions specified in the query because a condition is "
     "present on key attribute name"),
    ("kind > :k AND #rank = :n", {":k": {"S": "a"}, ":n": {"N": "2"}},
     "RANGE key attributes kind must have equality conditions specified in the query because a condition is "
     "present on key attribute rank"),
])
def test_a_gap_or_an_early_range_condition_is_refused(ddb, multi, condition, values, message):
    names = {n: n[1:] for n in ("#rank", "#name") if n in condition}
    with pytest.raises(ClientError) as exc:
        pks(ddb, f"tenant = :t AND site = :r AND {condition}", values, ExpressionAttributeNames=names)
    assert error(exc) == ("ValidationException", message)


def test_between_bounds_are_checked_on_the_last_sort_attribute(ddb, multi):
    """As on a single sort key (Query API reference): the lower bound may not exceed the upper."""
    with pytest.raises(ClientError) as exc:
        pks(ddb, "tenant = :t AND site = :r AND kind = :k AND #rank BETWEEN :hi AND :lo",
            {":k": {"S": "a"}, ":lo": {"N": "1"}, ":hi": {"N": "5"}}, ExpressionAttributeNames={"#rank": "rank"})
    assert error(exc)[1].startswith("Invalid KeyConditionExpression: The BETWEEN operator requires upper bound")


def test_every_partition_attribute_needs_an_equality(ddb, multi):
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName="multi", IndexName="byKey", KeyConditionExpression="tenant = :t",
                  ExpressionAttributeValues={":t": {"S": "t1"}})
    assert error(exc) == ("ValidationException", "Query condition missed key schema element: site")
    with pytest.raises(ClientError) as exc:
        pks(ddb, "tenant = :t AND site > :r", {})
    assert error(exc) == ("ValidationException", "Query key condition not supported")


def test_pages_carry_every_key_attribute_and_resume(ddb, multi):
    first = ddb.query(TableName=multi, IndexName="byKey", Limit=2, KeyConditionExpression="tenant = :t AND site = :r",
                      ExpressionAttributeValues={":t": {"S": "t1"}, ":r": {"S": "eu"}})
    assert set(first["LastEvaluatedKey"]) == {"pk", "tenant", "site", "kind", "rank", "name"}
    rest = ddb.query(TableName=multi, IndexName="byKey", KeyConditionExpression="tenant = :t AND site = :r",
                     ExpressionAttributeValues={":t": {"S": "t1"}, ":r": {"S": "eu"}},
                     ExclusiveStartKey=first["LastEvaluatedKey"])
    assert [i["pk"]["S"] for i in first["Items"] + rest["Items"]] == ["p4", "p6", "p3", "p2", "p5", "p1"]


def test_key_conditions_name_up_to_every_key_attribute(ddb, multi):
    """moto's AWS-verified test_key_conditions_with_range_keys: the legacy parameter takes more than two."""
    response = ddb.query(TableName=multi, IndexName="byKey", KeyConditions={
        "tenant": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t1"}]},
        "site": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "eu"}]},
        "kind": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]},
        "rank": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "3"}]}})
    assert [i["pk"]["S"] for i in response["Items"]] == ["p2"]


def test_writes_move_items_in_and_out_of_the_index(ddb, multi):
    ddb.update_item(TableName=multi, Key={"pk": {"S": "p7"}}, UpdateExpression="SET #name = :m",
                    ExpressionAttributeNames={"#name": "name"}, ExpressionAttributeValues={":m": {"S": "w"}})
    ddb.update_item(TableName=multi, Key={"pk": {"S": "p4"}}, UpdateExpression="REMOVE #rank",
                    ExpressionAttributeNames={"#rank": "rank"})
    assert pks(ddb, "tenant = :t AND site = :r AND kind = :k", {":k": {"S": "a"}}) == ["p7", "p6", "p3", "p2"]
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=multi, Item={**item("p11", "a", 1), "name": {"N": "1"}})
    assert error(exc) == ("ValidationException", "One or more parameter values were invalid: Type mismatch for "
                                                 "Index Key name Expected: S Actual: N IndexName: byKey")


def test_an_index_with_several_sort_attributes_can_be_added_later(ddb, create):
    create(name="later", range_key=None)
    ddb.put_item(TableName="later", Item={"pk": {"S": "1"}, "g": {"S": "x"}, "s1": {"N": "2"}, "s2": {"S": "b"}})
    ddb.update_table(TableName="later", AttributeDefinitions=[
        {"AttributeName": "g", "AttributeType": "S"}, {"AttributeName": "s1", "AttributeType": "N"},
        {"AttributeName": "s2", "AttributeType": "S"}], GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "g-s", "Projection": {"ProjectionType": "KEYS_ONLY"},
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "s1", "KeyType": "RANGE"},
                          {"AttributeName": "s2", "KeyType": "RANGE"}]}}])
    response = ddb.query(TableName="later", IndexName="g-s", KeyConditionExpression="g = :g AND s1 = :a AND s2 < :b",
                         ExpressionAttributeValues={":g": {"S": "x"}, ":a": {"N": "2"}, ":b": {"S": "c"}})
    assert response["Items"] == [{"pk": {"S": "1"}, "g": {"S": "x"}, "s1": {"N": "2"}, "s2": {"S": "b"}}]


def test_more_than_four_attributes_of_a_kind_are_refused(ddb, create):
    """Four of each at most (developer guide); the wording of the refusal is ours, not recorded."""
    schema = [{"AttributeName": f"h{i}", "KeyType": "HASH"} for i in range(5)]
    with pytest.raises(ClientError) as exc:
        create(name="five", range_key=None, GlobalSecondaryIndexes=[
            {"IndexName": "five", "KeySchema": schema, "Projection": {"ProjectionType": "ALL"}}])
    assert exc.value.response["Error"]["Code"] == "ValidationException"
    four = schema[:4] + [{"AttributeName": f"r{i}", "KeyType": "RANGE"} for i in range(4)]
    create(name="eight", range_key=None, GlobalSecondaryIndexes=[
        {"IndexName": "eight", "KeySchema": four, "Projection": {"ProjectionType": "ALL"}}])
    assert len(ddb.describe_table(TableName="eight")["Table"]["GlobalSecondaryIndexes"][0]["KeySchema"]) == 8
