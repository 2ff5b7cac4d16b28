"""BatchGetItem, BatchWriteItem, TransactGetItems and TransactWriteItems."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.kumo(strict=True)


def error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def key(pk, sk="1"):
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def test_batch_write_then_batch_get(ddb, table):
    out = ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": {**key(str(i)), "v": {"N": str(i)}}}}
                                                     for i in range(25)]})
    assert out["UnprocessedItems"] == {}
    ddb.batch_write_item(RequestItems={table: [{"DeleteRequest": {"Key": key("0")}}]})
    got = ddb.batch_get_item(RequestItems={table: {"Keys": [key(str(i)) for i in range(5)],
                                                   "ProjectionExpression": "v"}})
    assert sorted(int(i["v"]["N"]) for i in got["Responses"][table]) == [1, 2, 3, 4]
    assert got["UnprocessedKeys"] == {}


def test_batch_limits_and_duplicates(ddb, table):
    with pytest.raises(ClientError) as exc:
        ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": key(str(i))}} for i in range(26)]})
    assert error(exc)[0] == "ValidationException"
    with pytest.raises(ClientError) as exc:
        ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": key("a")}},
                                                   {"DeleteRequest": {"Key": key("a")}}]})
    assert error(exc) == ("ValidationException", "Provided list of item keys contains duplicates")
    with pytest.raises(ClientError) as exc:
        ddb.batch_get_item(RequestItems={table: {"Keys": [key(str(i)) for i in range(101)]}})
    assert error(exc) == ("ValidationException", f"1 validation error detected: Value at 'RequestItems.{table}.member."
                          "Keys' failed to satisfy constraint: Member must have length less than or equal to 100")
    with pytest.raises(ClientError) as exc:
        ddb.batch_get_item(RequestItems={table: {"Keys": [key("a"), key("a")]}})
    assert error(exc) == ("ValidationException", "Provided list of item keys contains duplicates")
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.batch_get_item(RequestItems={"ghost": {"Keys": [key("a")]}})


def test_batch_get_over_16_mb_returns_unprocessed_keys(ddb, table):
    pad = "x" * 390_000
    for start in range(0, 50, 25):
        ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": {**key(str(i)), "pad": {"S": pad}}}}
                                                   for i in range(start, start + 25)]})
    got = ddb.batch_get_item(RequestItems={table: {"Keys": [key(str(i)) for i in range(50)]}})
    returned = len(got["Responses"][table])
    assert 40 <= returned < 50
    assert len(got["UnprocessedKeys"][table]["Keys"]) == 50 - returned


def test_transact_write_all_or_nothing(ddb, table):
    ddb.put_item(TableName=table, Item={**key("a"), "n": {"N": "1"}})
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as exc:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": key("b")}},
            {"Update": {"TableName": table, "Key": key("a"), "UpdateExpression": "SET n = :two",
                        "ConditionExpression": "n = :zero", "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                        "ExpressionAttributeValues": {":two": {"N": "2"}, ":zero": {"N": "0"}}}},
        ])
    assert error(exc) == ("TransactionCanceledException", "Transaction cancelled, please refer cancellation "
                          "reasons for specific reasons [None, ConditionalCheckFailed]")
    reasons = exc.value.response["CancellationReasons"]
    assert reasons[0] == {"Code": "None"}
    assert reasons[1] == {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed",
                          "Item": {**key("a"), "n": {"N": "1"}}}
    assert "Item" not in ddb.get_item(TableName=table, Key=key("b"))
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": table, "Item": key("b")}},
        {"Update": {"TableName": table, "Key": key("a"), "UpdateExpression": "SET n = :two",
                    "ExpressionAttributeValues": {":two": {"N": "2"}}}},
        {"ConditionCheck": {"TableName": table, "Key": key("c"), "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Delete": {"TableName": table, "Key": key("d")}},
    ])
    assert ddb.get_item(TableName=table, Key=key("a"))["Item"]["n"] == {"N": "2"}
    assert "Item" in ddb.get_item(TableName=table, Key=key("b"))


def test_transaction_validation(ddb, table):
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(TransactItems=[{"Put": {"TableName": table, "Item": key("a")}},
                                                {"Delete": {"TableName": table, "Key": key("a")}}])
    assert error(exc) == ("ValidationException",
                          "Transaction request cannot include multiple operations on one item")
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": key("a")}, "Delete": {"TableName": table, "Key": key("b")}}])
    assert error(exc) == ("ValidationException", "TransactItems can only contain one of Check, Put, Update or Delete")


def test_idempotency_token(ddb, table):
    items = [{"Update": {"TableName": table, "Key": key("a"), "UpdateExpression": "ADD n :one",
                         "ExpressionAttributeValues": {":one": {"N": "1"}}}}]
    ddb.transact_write_items(TransactItems=items, ClientRequestToken="tok")
    ddb.transact_write_items(TransactItems=items, ClientRequestToken="tok")
    assert ddb.get_item(TableName=table, Key=key("a"))["Item"]["n"] == {"N": "1"}
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(TransactItems=items + [{"Put": {"TableName": table, "Item": key("z")}}],
                                 ClientRequestToken="tok")
    assert error(exc)[0] == "IdempotentParameterMismatchException"
    ddb.transact_write_items(TransactItems=items)
    assert ddb.get_item(TableName=table, Key=key("a"))["Item"]["n"] == {"N": "2"}


def test_transact_get(ddb, table):
    ddb.put_item(TableName=table, Item={**key("a"), "v": {"S": "x"}, "w": {"S": "y"}})
    out = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": table, "Key": key("a"), "ProjectionExpression": "v"}},
        {"Get": {"TableName": table, "Key": key("missing")}},
    ])
    assert out["Responses"] == [{"Item": {"v": {"S": "x"}}}, {}]


def test_transaction_key_faults(ddb, table):
    def cancelled(items):
        with pytest.raises(ddb.exceptions.TransactionCanceledException) as exc:
            ddb.transact_write_items(TransactItems=items)
        return [(r["Code"], r.get("Message")) for r in exc.value.response["CancellationReasons"]]

    assert cancelled([{"Put": {"TableName": table, "Item": {"pk": {"N": "5"}, "sk": {"S": "1"}}}}]) == [
        ("ValidationError", "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N")]
    assert cancelled([{"Delete": {"TableName": table, "Key": {"pk": {"N": "5"}, "sk": {"S": "1"}}}},
                      {"Put": {"TableName": table, "Item": key("ok")}}]) == [
        ("ValidationError", "The provided key element does not match the schema"), ("None", None)]
    assert "Item" not in ddb.get_item(TableName=table, Key=key("ok"))
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(TransactItems=[{"Put": {"TableName": table, "Item": {"pk": {"S": ""}, "sk": {"S": "1"}}}}])
    assert error(exc) == ("ValidationException", "One or more parameter values are not valid. The AttributeValue for "
                          "a key attribute cannot contain an empty string value. Key: pk")


def test_batch_write_key_faults(ddb, table):
    for item in ({"pk": {"N": "5"}, "sk": {"S": "1"}}, {"other": {"S": "x"}}):
        with pytest.raises(ClientError) as exc:
            ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": item}}]})
        assert error(exc) == ("ValidationException", "The provided key element does not match the schema")
    with pytest.raises(ClientError) as exc:
        ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": key(str(i))}} for i in range(26)]})
    assert error(exc)[1] == (f"1 validation error detected: Value at 'RequestItems.{table}.member' failed to "
                             "satisfy constraint: Member must have length less than or equal to 25")


def test_malformed_values_in_transactions_are_refused_up_front(ddb, table):
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(TransactItems=[{"Delete": {"TableName": table, "Key": {"pk": {"SS": ["a", "a"]},
                                                                                        "sk": {"S": "1"}}}}])
    assert error(exc) == ("ValidationException", "One or more parameter values were invalid: Input collection [a, a] "
                          "contains duplicates.")
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(TransactItems=[{"Update": {
            "TableName": table, "Key": key("a"), "UpdateExpression": "SET s = :t",
            "ExpressionAttributeValues": {":t": {"SS": ["b", "a", "b"]}}}}])
    assert error(exc)[1] == ("ExpressionAttributeValues contains invalid value: One or more parameter values were "
                             "invalid: Input collection [b, a, b] contains duplicates. for key :t")


def test_transact_get_key_faults_cancel(ddb, table):
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as exc:
        ddb.transact_get_items(TransactItems=[{"Get": {"TableName": table, "Key": key("a")}},
                                              {"Get": {"TableName": table, "Key": {"pk": {"S": "a"}}}}])
    assert [r["Code"] for r in exc.value.response["CancellationReasons"]] == ["None", "ValidationError"]
    with pytest.raises(ClientError) as exc:
        ddb.transact_get_items(TransactItems=[{"Get": {"TableName": table, "Key": key("a"), "ProjectionExpression": "!!!"}}])
    assert error(exc)[1] == 'Invalid ProjectionExpression: Syntax error; token: "!", near: "!!"'


def test_unused_expression_names_refuse_the_request_before_tables_and_keys(ddb, table):
    """moto's AWS-verified test_batch_get_item_unused_attribute_name and
    test_transact_write_item_*_unused_attribute_name: an unused name is a ValidationException for the
    whole request (no transaction cancelled), even for a table that does not exist or a wrong key."""
    unused = "Value provided in ExpressionAttributeNames unused in expressions: keys: {#count}"
    with pytest.raises(ClientError) as exc:
        ddb.batch_get_item(RequestItems={"ghost": {"Keys": [{"pk": {"S": "a"}}], "ProjectionExpression": "#p",
                                                   "ExpressionAttributeNames": {"#p": "pk", "#count": "count"}}})
    assert exc.value.response["Error"] == {"Code": "ValidationException", "Message": unused}
    for action in ({"Update": {"TableName": table, "Key": {"id": {"S": "x"}}, "UpdateExpression": "SET #e = wip",
                               "ExpressionAttributeNames": {"#e": "e", "#count": "count"}}},
                   {"Delete": {"TableName": "ghost", "Key": {"id": {"S": "x"}}, "ConditionExpression": "#e = wip",
                               "ExpressionAttributeNames": {"#e": "e", "#count": "count"}}}):
        with pytest.raises(ClientError) as exc:
            ddb.transact_write_items(TransactItems=[action])
        assert exc.value.response["Error"] == {"Code": "ValidationException", "Message": unused}
