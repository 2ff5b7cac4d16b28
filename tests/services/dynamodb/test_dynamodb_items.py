"""Items through boto3: PutItem, GetItem, UpdateItem, DeleteItem, conditions, ReturnValues, value rules."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.kumo(strict=True)


def error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def key(pk="a", sk="1"):
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def test_put_then_get_round_trips_every_type(ddb, table):
    item = {
        **key(), "s": {"S": "text"}, "n": {"N": "1.50"}, "b": {"B": b"\x00\xff"}, "t": {"BOOL": True},
        "z": {"NULL": True}, "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2.0"]}, "bs": {"BS": [b"a"]},
        "l": {"L": [{"S": "a"}, {"N": "1e2"}]}, "m": {"M": {"deep": {"M": {"x": {"N": "-0.0"}}}}},
    }
    ddb.put_item(TableName=table, Item=item)
    got = ddb.get_item(TableName=table, Key=key())["Item"]
    assert got["n"] == {"N": "1.5"}
    assert got["b"] == {"B": b"\x00\xff"}
    assert got["ns"] == {"NS": ["1", "2"]}
    assert got["l"] == {"L": [{"S": "a"}, {"N": "100"}]}
    assert got["m"] == {"M": {"deep": {"M": {"x": {"N": "0"}}}}}
    assert got["z"] == {"NULL": True} and got["t"] == {"BOOL": True}


def test_missing_item_has_no_item_key(ddb, table):
    assert "Item" not in ddb.get_item(TableName=table, Key=key("nope"))


def test_numeric_key_matches_whatever_its_spelling(ddb, create):
    create(name="nums", hash_key=("id", "N"), range_key=None)
    ddb.put_item(TableName="nums", Item={"id": {"N": "10"}, "v": {"S": "x"}})
    assert ddb.get_item(TableName="nums", Key={"id": {"N": "1.0E1"}})["Item"]["v"] == {"S": "x"}


def test_responses_are_copies(ddb, table):
    ddb.put_item(TableName=table, Item={**key(), "l": {"L": [{"S": "a"}]}})
    first = ddb.get_item(TableName=table, Key=key())["Item"]
    first["l"]["L"].append({"S": "mutated"})
    assert ddb.get_item(TableName=table, Key=key())["Item"]["l"] == {"L": [{"S": "a"}]}


def test_unknown_table_is_resource_not_found(ddb):
    with pytest.raises(ddb.exceptions.ResourceNotFoundException) as exc:
        ddb.get_item(TableName="missing", Key=key())
    assert error(exc) == ("ResourceNotFoundException", "Requested resource not found")


@pytest.mark.parametrize("item, message", [
    ({"pk": {"S": "a"}}, "One or more parameter values were invalid: Missing the key sk in the item"),
    ({"pk": {"N": "1"}, "sk": {"S": "a"}},
     "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"),
    ({"pk": {"S": ""}, "sk": {"S": "a"}},
     "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an "
     "empty string value. Key: pk"),
    ({**key(), "s": {"SS": []}}, "One or more parameter values were invalid: An string set  may not be empty"),
    ({**key(), "s": {"NS": []}}, "One or more parameter values were invalid: An number set  may not be empty"),
    ({**key(), "s": {"SS": ["a", "a"]}},
     "One or more parameter values were invalid: Input collection [\"a\", \"a\"] contains duplicates."),
    ({**key(), "n": {"N": "1" * 39}}, "Attempting to store more than 38 significant digits in a Number"),
    ({**key(), "n": {"N": "1e126"}},
     "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    ({**key(), "n": {"N": "1e-131"}},
     "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
    ({**key(), "n": {"N": "abc"}}, "The parameter cannot be converted to a numeric value: abc"),
    ({**key(), "z": {"NULL": False}},
     "One or more parameter values were invalid: Null attribute value types must have the value of true"),
])
def test_invalid_items_are_refused_with_awss_message(ddb, table, item, message):
    """PutItem words a malformed value inside AWS's envelope; a key that breaks the schema stands alone."""
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item=item)
    if "key" not in message:
        message = "1 validation error detected: " + message
    assert error(exc) == ("ValidationException", message)


def test_38_digits_are_fine(ddb, table):
    ddb.put_item(TableName=table, Item={**key(), "n": {"N": "1" * 38}})
    assert ddb.get_item(TableName=table, Key=key())["Item"]["n"] == {"N": "1" * 38}


def test_item_over_400_kb_is_refused(ddb, table):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={**key(), "big": {"S": "x" * (400 * 1024)}})
    assert error(exc) == ("ValidationException", "Item size has exceeded the maximum allowed size")
    ddb.put_item(TableName=table, Item={**key(), "big": {"S": "x" * (399 * 1024)}})


def test_get_with_a_wrong_key_does_not_match_the_schema(ddb, table):
    for bad in ({"pk": {"S": "a"}}, {**key(), "extra": {"S": "x"}}, {"pk": {"S": "a"}, "sk": {"N": "1"}}):
        with pytest.raises(ClientError) as exc:
            ddb.get_item(TableName=table, Key=bad)
        assert error(exc) == ("ValidationException", "The provided key element does not match the schema")


def test_put_return_values(ddb, table):
    assert "Attributes" not in ddb.put_item(TableName=table, Item={**key(), "v": {"N": "1"}}, ReturnValues="ALL_OLD")
    old = ddb.put_item(TableName=table, Item={**key(), "v": {"N": "2"}}, ReturnValues="ALL_OLD")["Attributes"]
    assert old["v"] == {"N": "1"}
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item=key(), ReturnValues="ALL_NEW")
    assert error(exc) == ("ValidationException", "1 validation error detected: ReturnValues can only be ALL_OLD or NONE")


def test_condition_failure_returns_the_item_when_asked(ddb, table):
    ddb.put_item(TableName=table, Item={**key(), "v": {"N": "1"}})
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as exc:
        ddb.put_item(TableName=table, Item=key(), ConditionExpression="attribute_not_exists(pk)",
                     ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert error(exc) == ("ConditionalCheckFailedException", "The conditional request failed")
    assert exc.value.response["Item"] == {**key(), "v": {"N": "1"}}
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as exc:
        ddb.delete_item(TableName=table, Key=key(), ConditionExpression="v = :two",
                        ExpressionAttributeValues={":two": {"N": "2"}})
    assert "Item" not in exc.value.response
    ddb.delete_item(TableName=table, Key=key(), ConditionExpression="v = :one",
                    ExpressionAttributeValues={":one": {"N": "1.0"}})
    assert "Item" not in ddb.get_item(TableName=table, Key=key())


def test_failed_condition_changes_nothing(ddb, table):
    ddb.put_item(TableName=table, Item={**key(), "v": {"N": "1"}})
    with pytest.raises(ClientError):
        ddb.update_item(TableName=table, Key=key(), UpdateExpression="SET v = :x", ConditionExpression="v > :x",
                        ExpressionAttributeValues={":x": {"N": "5"}})
    assert ddb.get_item(TableName=table, Key=key())["Item"]["v"] == {"N": "1"}


@pytest.mark.parametrize("returns, expected", [
    ("NONE", None),
    ("ALL_OLD", {**key(), "a": {"N": "1"}, "b": {"S": "x"}}),
    ("ALL_NEW", {**key(), "a": {"N": "2"}, "b": {"S": "x"}, "c": {"S": "new"}}),
    ("UPDATED_OLD", {"a": {"N": "1"}}),
    ("UPDATED_NEW", {"a": {"N": "2"}, "c": {"S": "new"}}),
])
def test_update_return_values(ddb, table, returns, expected):
    ddb.put_item(TableName=table, Item={**key(), "a": {"N": "1"}, "b": {"S": "x"}})
    out = ddb.update_item(TableName=table, Key=key(), UpdateExpression="SET a = a + :one, c = :c",
                          ExpressionAttributeValues={":one": {"N": "1"}, ":c": {"S": "new"}}, ReturnValues=returns)
    assert out.get("Attributes") == expected


def test_update_creates_the_item_with_its_key(ddb, table):
    out = ddb.update_item(TableName=table, Key=key("new"), UpdateExpression="SET v = :v",
                          ExpressionAttributeValues={":v": {"S": "x"}}, ReturnValues="ALL_NEW")
    assert out["Attributes"] == {**key("new"), "v": {"S": "x"}}
    ddb.update_item(TableName=table, Key=key("bare"))
    assert ddb.get_item(TableName=table, Key=key("bare"))["Item"] == key("bare")


def test_key_attributes_cannot_be_updated(ddb, table):
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=table, Key=key(), UpdateExpression="SET sk = :v",
                        ExpressionAttributeValues={":v": {"S": "x"}})
    assert error(exc) == ("ValidationException", "One or more parameter values were invalid: Cannot update "
                          "attribute sk. This attribute is part of the key")


def test_consumed_capacity_and_item_collection_metrics(ddb, create):
    create(name="lsi", LocalSecondaryIndexes=[{
        "IndexName": "by_v", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                           {"AttributeName": "v", "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "ALL"}}])
    out = ddb.put_item(TableName="lsi", Item={**key(), "v": {"S": "x"}}, ReturnConsumedCapacity="TOTAL",
                       ReturnItemCollectionMetrics="SIZE")
    assert out["ConsumedCapacity"]["TableName"] == "lsi"
    assert out["ConsumedCapacity"]["CapacityUnits"] >= 1.0
    assert out["ItemCollectionMetrics"]["ItemCollectionKey"] == {"pk": {"S": "a"}}
    got = ddb.get_item(TableName="lsi", Key=key(), ReturnConsumedCapacity="INDEXES")
    assert got["ConsumedCapacity"]["CapacityUnits"] == 0.5
    assert got["ConsumedCapacity"]["Table"]["CapacityUnits"] == 0.5


def test_binary_keys(ddb, create):
    create(name="bin", hash_key=("id", "B"), range_key=None)
    ddb.put_item(TableName="bin", Item={"id": {"B": b"\x01\x02"}, "v": {"S": "x"}})
    assert ddb.get_item(TableName="bin", Key={"id": {"B": b"\x01\x02"}})["Item"]["id"] == {"B": b"\x01\x02"}


def test_table_arn_works_as_table_name(ddb, table):
    arn = ddb.describe_table(TableName=table)["Table"]["TableArn"]
    ddb.put_item(TableName=arn, Item=key())
    assert ddb.get_item(TableName=table, Key=key())["Item"] == key()


def test_binary_set_rules(ddb, table):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={**key(), "bs": {"BS": []}})
    assert error(exc) == ("ValidationException", "1 validation error detected: One or more parameter values were "
                          "invalid: Binary sets should not be empty")
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={**key(), "bs": {"BS": [b"x", b"x"]}})
    assert "of type BS contains duplicates" in error(exc)[1]


def test_write_request_checks_are_enveloped(ddb, table):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item=key(), ExpressionAttributeValues={":v": {"S": "x"}})
    assert error(exc) == ("ValidationException", "1 validation error detected: ExpressionAttributeValues can only "
                          "be specified when using expressions")
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item=key(), Expected={"a": {"Exists": True}})
    assert error(exc)[1] == ("1 validation error detected: One or more parameter values were invalid: Value must be "
                             "provided when Exists is true for Attribute: a")


@pytest.mark.parametrize("value, current, older", [
    ({"SS": ["b", "a", "b"]}, 'Input collection ["a", "b", "b"] contains duplicates.',
     "Input collection [b, a, b] contains duplicates."),
    ({"BS": [b"\xff", b"\x00", b"\x00"]}, 'Input collection ["AA==","/w==","AA=="]of type BS contains duplicates.',
     "Input collection [/w==, AA==, AA==]of type BS contains duplicates."),
    ({"NS": ["2", "1", "2"]}, "Input collection contains duplicates.", None),
])
def test_duplicate_set_members_by_operation(ddb, table, value, current, older):
    invalid = "One or more parameter values were invalid: "
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={**key(), "s": value})
    assert error(exc)[1] == "1 validation error detected: " + invalid + current
    with pytest.raises(ClientError) as exc:
        ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": {**key(), "s": value}}}]})
    assert error(exc)[1] == (invalid + older if older else "Input collection contains duplicates")


def test_number_wording_by_operation(ddb, table):
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=table, KeyConditionExpression="pk = :p", FilterExpression="n = :v",
                  ExpressionAttributeValues={":p": {"S": "a"}, ":v": {"N": ""}})
    assert error(exc)[1] == "The parameter cannot be converted to a numeric value: "
    with pytest.raises(ClientError) as exc:
        ddb.scan(TableName=table, FilterExpression="n = :v", ExpressionAttributeValues={":v": {"N": ""}})
    assert error(exc)[1] == ("ExpressionAttributeValues contains invalid value: The parameter cannot be converted to "
                             "a numeric value for key :v")
    with pytest.raises(ClientError) as exc:
        ddb.delete_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"S": "1"}}, ConditionExpression="n = :v",
                        ExpressionAttributeValues={":v": {"N": "abc"}})
    assert error(exc)[1] == "1 validation error detected: The parameter cannot be converted to a numeric value: abc"


def _deep(levels):
    value = {"S": "leaf"}
    for _ in range(levels):
        value = {"M": {"n": value}}
    return value


def test_documents_nest_32_levels_deep_at_most(ddb, table):
    ddb.put_item(TableName=table, Item={**key(), "data": _deep(31)})
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={**key(), "data": _deep(32)})
    assert error(exc)[1] == ("1 validation error detected: Nesting Levels have exceeded supported limits: Attributes "
                             "in the item have nested levels beyond supported limit")


def test_key_size_limits_hold_for_updates_and_index_sort_keys(ddb, table, create):
    # DynamoDB developer guide, "Service, account, and table quotas": partition key values up to 2048 bytes,
    # sort key values up to 1024 bytes; AWS's wording as moto's AWS-verified
    # test_update_item_with_long_string_hash_key_exception records it (no space in "of2048")
    ddb.update_item(TableName=table, Key={"pk": {"S": "x" * 2048}, "sk": {"S": "1"}}, UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"S": "ok"}})
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=table, Key={"pk": {"S": "x" * 2049}, "sk": {"S": "1"}},
                        UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"S": "ok"}})
    assert error(exc) == ("ValidationException", "One or more parameter values were invalid: Size of hashkey has "
                          "exceeded the maximum size limit of2048 bytes")
    range_too_big = ("ValidationException", "One or more parameter values were invalid: Aggregated size of all "
                     "range keys has exceeded the size limit of 1024 bytes")
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"S": "y" * 1025}},
                        UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"S": "ok"}})
    assert error(exc) == range_too_big
    # the table's partition key is the index's sort key: the 1024-byte limit applies to it
    # (moto's test_put_long_string_gsi_range_key_exception)
    indexed = create(name="indexed", GlobalSecondaryIndexes=[{
        "IndexName": "by-sk", "Projection": {"ProjectionType": "KEYS_ONLY"},
        "KeySchema": [{"AttributeName": "sk", "KeyType": "HASH"}, {"AttributeName": "pk", "KeyType": "RANGE"}]}])
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=indexed, Item={"pk": {"S": "z" * 1025}, "sk": {"S": "1"}})
    assert error(exc) == range_too_big
