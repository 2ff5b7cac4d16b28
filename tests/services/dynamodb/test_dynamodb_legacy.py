"""The legacy parameters: Expected, AttributesToGet, AttributeUpdates, KeyConditions, QueryFilter, ScanFilter."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.kumo(strict=True)


def key(sk="1"):
    return {"pk": {"S": "a"}, "sk": {"S": sk}}


@pytest.fixture
def rows(ddb, table):
    for i in range(1, 6):
        ddb.put_item(TableName=table, Item={**key(str(i)), "n": {"N": str(i)}, "s": {"S": f"v{i}"}})
    return table


def test_expected(ddb, rows):
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.put_item(TableName=rows, Item=key("1"), Expected={"pk": {"Exists": False}})
    ddb.put_item(TableName=rows, Item={**key("1"), "n": {"N": "10"}}, Expected={"n": {"Value": {"N": "1"}}})
    ddb.delete_item(TableName=rows, Key=key("2"), Expected={
        "n": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "100"}]},
        "s": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "v"}]}}, ConditionalOperator="OR")
    assert "Item" not in ddb.get_item(TableName=rows, Key=key("2"))


def test_attributes_to_get(ddb, rows):
    assert ddb.get_item(TableName=rows, Key=key("1"), AttributesToGet=["s"])["Item"] == {"s": {"S": "v1"}}
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName=rows, Key=key("1"), AttributesToGet=["s"], ProjectionExpression="s")
    assert exc.value.response["Error"]["Message"] == (
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: "
        "{AttributesToGet} Expression parameters: {ProjectionExpression}")


def test_attribute_updates(ddb, rows):
    out = ddb.update_item(TableName=rows, Key=key("1"), ReturnValues="ALL_NEW", AttributeUpdates={
        "n": {"Action": "ADD", "Value": {"N": "2"}},
        "s": {"Action": "DELETE"},
        "l": {"Action": "ADD", "Value": {"L": [{"S": "x"}]}},
        "t": {"Action": "PUT", "Value": {"SS": ["a", "b"]}},
    })["Attributes"]
    assert out["n"] == {"N": "3"} and "s" not in out and out["l"] == {"L": [{"S": "x"}]}
    out = ddb.update_item(TableName=rows, Key=key("1"), ReturnValues="UPDATED_NEW",
                          AttributeUpdates={"t": {"Action": "DELETE", "Value": {"SS": ["a"]}}})["Attributes"]
    assert out == {"t": {"SS": ["b"]}}


def test_key_conditions_and_query_filter(ddb, rows):
    got = ddb.query(TableName=rows, KeyConditions={
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]},
        "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"S": "2"}, {"S": "4"}]}},
        QueryFilter={"n": {"ComparisonOperator": "NE", "AttributeValueList": [{"N": "3"}]}})
    assert [i["sk"]["S"] for i in got["Items"]] == ["2", "4"] and got["ScannedCount"] == 3


def test_scan_filter(ddb, rows):
    got = ddb.scan(TableName=rows, ScanFilter={
        "n": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "1"}, {"N": "5"}]},
        "s": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "3"}]}}, ConditionalOperator="OR")
    assert sorted(i["sk"]["S"] for i in got["Items"]) == ["1", "3", "5"]
    got = ddb.scan(TableName=rows, ScanFilter={"nothing": {"ComparisonOperator": "NULL"}})
    assert got["Count"] == 5


@pytest.mark.parametrize("expected, message", [
    ({"a": {"Exists": True}}, "Value must be provided when Exists is true for Attribute: a"),
    ({"a": {"Exists": False, "Value": {"S": "x"}}}, "Value cannot be used when Exists is false for Attribute: a"),
    ({"a": {"Value": {"S": "x"}, "ComparisonOperator": "EQ", "AttributeValueList": [{"S": "x"}]}},
     "Value and AttributeValueList cannot be used together for Attribute: a"),
    ({"a": {"ComparisonOperator": "EQ"}}, "Value or AttributeValueList must be used with ComparisonOperator: EQ for "
                                          "Attribute: a"),
    ({"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"S": "x"}]}},
     "Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
])
def test_malformed_expected_conditions(ddb, rows, expected, message):
    with pytest.raises(ClientError) as exc:
        ddb.delete_item(TableName=rows, Key=key("1"), Expected=expected)
    assert exc.value.response["Error"]["Message"] == (
        "1 validation error detected: One or more parameter values were invalid: " + message)
