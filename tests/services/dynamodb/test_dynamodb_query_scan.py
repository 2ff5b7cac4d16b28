"""Query and Scan: key conditions, order per key type, pagination, filters, Select, indexes, segments."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.kumo(strict=True)


def error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def query(ddb, table, expression, values, **kwargs):
    return ddb.query(TableName=table, KeyConditionExpression=expression, ExpressionAttributeValues=values, **kwargs)


@pytest.fixture
def numbers(ddb, create):
    create(name="nums", range_key=("sk", "N"))
    for value in ["-10", "-2.5", "-1", "0", "0.5", "1", "2", "10", "100", "1e20"]:
        ddb.put_item(TableName="nums", Item={"pk": {"S": "p"}, "sk": {"N": value}, "v": {"N": value}})
    ddb.put_item(TableName="nums", Item={"pk": {"S": "other"}, "sk": {"N": "3"}})
    return "nums"


def sks(response):
    return [i["sk"][next(iter(i["sk"]))] for i in response["Items"]]


def test_numbers_sort_numerically(ddb, numbers):
    got = query(ddb, numbers, "pk = :p", {":p": {"S": "p"}})
    assert sks(got) == ["-10", "-2.5", "-1", "0", "0.5", "1", "2", "10", "100", "100000000000000000000"]
    assert sks(query(ddb, numbers, "pk = :p", {":p": {"S": "p"}}, ScanIndexForward=False))[0] == "100000000000000000000"


@pytest.mark.parametrize("condition, values, expected", [
    ("sk = :a", {":a": {"N": "1.0"}}, ["1"]),
    ("sk < :a", {":a": {"N": "0"}}, ["-10", "-2.5", "-1"]),
    ("sk <= :a", {":a": {"N": "0"}}, ["-10", "-2.5", "-1", "0"]),
    ("sk > :a", {":a": {"N": "10"}}, ["100", "100000000000000000000"]),
    ("sk >= :a", {":a": {"N": "10"}}, ["10", "100", "100000000000000000000"]),
    ("sk BETWEEN :a AND :b", {":a": {"N": "-1"}, ":b": {"N": "1"}}, ["-1", "0", "0.5", "1"]),
])
def test_sort_key_operators(ddb, numbers, condition, values, expected):
    got = query(ddb, numbers, f"pk = :p AND {condition}", {":p": {"S": "p"}, **values})
    assert sks(got) == expected


def test_strings_sort_by_utf8_bytes_and_begins_with(ddb, table):
    words = ["b", "a", "ab", "aa", "Z", "é", "\U0001f600", "\uffff", "a\x00"]
    for word in words:
        ddb.put_item(TableName=table, Item={"pk": {"S": "p"}, "sk": {"S": word}})
    got = query(ddb, table, "pk = :p", {":p": {"S": "p"}})
    assert sks(got) == sorted(words, key=lambda w: w.encode())
    got = query(ddb, table, "pk = :p AND begins_with(sk, :a)", {":p": {"S": "p"}, ":a": {"S": "a"}})
    assert sks(got) == ["a", "a\x00", "aa", "ab"]


def test_binary_sorts_bytewise(ddb, create):
    create(name="bins", range_key=("sk", "B"))
    values = [b"\xff", b"\x00", b"\x00\x01", b"\x7f", b"\xff\xff"]
    for value in values:
        ddb.put_item(TableName="bins", Item={"pk": {"S": "p"}, "sk": {"B": value}})
    got = query(ddb, "bins", "pk = :p", {":p": {"S": "p"}})
    assert sks(got) == sorted(values)
    got = query(ddb, "bins", "pk = :p AND begins_with(sk, :b)", {":p": {"S": "p"}, ":b": {"B": b"\xff"}})
    assert sks(got) == [b"\xff", b"\xff\xff"]


def test_pagination_with_limit(ddb, numbers):
    seen, start, pages = [], None, 0
    while True:
        kwargs = {"ExclusiveStartKey": start} if start else {}
        page = query(ddb, numbers, "pk = :p", {":p": {"S": "p"}}, Limit=3, **kwargs)
        seen += sks(page)
        pages += 1
        start = page.get("LastEvaluatedKey")
        if not start:
            break
        assert set(start) == {"pk", "sk"}
    assert len(seen) == 10 and pages == 4


def test_filter_applies_after_limit(ddb, numbers):
    page = query(ddb, numbers, "pk = :p", {":p": {"S": "p"}, ":z": {"N": "0"}}, Limit=4, FilterExpression="v > :z")
    assert page["ScannedCount"] == 4
    assert page["Count"] == 0 and page["Items"] == []
    assert page["LastEvaluatedKey"]["sk"] == {"N": "0"}


def test_select_count(ddb, numbers):
    page = query(ddb, numbers, "pk = :p", {":p": {"S": "p"}}, Select="COUNT")
    assert "Items" not in page and page["Count"] == 10


def test_query_errors(ddb, numbers):
    cases = [
        ("sk = :a", {":a": {"N": "1"}}, "Query condition missed key schema element: pk"),
        ("pk = :p OR sk = :a", {":p": {"S": "p"}, ":a": {"N": "1"}},
         "Invalid operator used in KeyConditionExpression: OR"),
        ("pk = :p AND sk = :a", {":p": {"S": "p"}, ":a": {"S": "1"}},
         "One or more parameter values were invalid: Condition parameter type does not match schema type"),
        ("pk = :p AND begins_with(sk, :a)", {":p": {"S": "p"}, ":a": {"N": "1"}},
         "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: "
         "begins_with, operand type: N"),
        ("pk = :p AND v = :a", {":p": {"S": "p"}, ":a": {"N": "1"}}, "Query condition missed key schema element: sk"),
    ]
    for expression, values, message in cases:
        with pytest.raises(ClientError) as exc:
            query(ddb, numbers, expression, values)
        assert error(exc) == ("ValidationException", message), expression
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=numbers)
    assert error(exc)[1] == "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."
    with pytest.raises(ClientError) as exc:
        query(ddb, numbers, "pk = :p", {":p": {"S": "p"}, ":a": {"N": "1"}}, FilterExpression="sk > :a")
    assert error(exc)[1] == "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk"


def test_scan_with_filter_and_projection(ddb, numbers):
    page = ddb.scan(TableName=numbers, FilterExpression="v >= :a", ExpressionAttributeValues={":a": {"N": "10"}},
                    ProjectionExpression="v")
    assert sorted(float(i["v"]["N"]) for i in page["Items"]) == [10, 100, 1e20]
    assert page["ScannedCount"] == 11


def test_scan_pages_cover_everything_once(ddb, table):
    for i in range(57):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"p{i % 13}"}, "sk": {"S": str(i)}})
    seen, start = [], None
    while True:
        page = ddb.scan(TableName=table, Limit=10, **({"ExclusiveStartKey": start} if start else {}))
        seen += [(i["pk"]["S"], i["sk"]["S"]) for i in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert len(seen) == 57 == len(set(seen))


def test_parallel_scan_segments_partition_the_table(ddb, table):
    for i in range(100):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"p{i}"}, "sk": {"S": "x"}})
    seen = []
    for segment in range(4):
        page = ddb.scan(TableName=table, Segment=segment, TotalSegments=4)
        seen += [i["pk"]["S"] for i in page["Items"]]
    assert sorted(seen) == sorted(f"p{i}" for i in range(100))
    with pytest.raises(ClientError) as exc:
        ddb.scan(TableName=table, Segment=4, TotalSegments=4)
    assert error(exc)[1] == ("The Segment parameter is zero-based and must be less than parameter TotalSegments: "
                             "Segment: 4 is not less than TotalSegments: 4")


def test_one_megabyte_pages(ddb, table):
    for i in range(12):
        ddb.put_item(TableName=table, Item={"pk": {"S": "p"}, "sk": {"S": f"{i:02d}"}, "pad": {"S": "x" * 200_000}})
    page = query(ddb, table, "pk = :p", {":p": {"S": "p"}})
    assert 5 <= page["Count"] < 12 and "LastEvaluatedKey" in page


@pytest.fixture
def indexed(ddb, create):
    create(
        name="idx",
        GlobalSecondaryIndexes=[
            {"IndexName": "by_status", "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"},
                                                     {"AttributeName": "when", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}},
            {"IndexName": "by_owner", "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["note"]}},
        ],
        LocalSecondaryIndexes=[
            {"IndexName": "by_when", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                   {"AttributeName": "when", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}},
        ],
        types={"when": "N"},
    )
    rows = [("a", "1", "open", 3, "ann"), ("a", "2", "done", 1, "bob"), ("b", "1", "open", 2, "ann"),
            ("b", "2", None, 5, None)]
    for pk, sk, status, when, owner in rows:
        item = {"pk": {"S": pk}, "sk": {"S": sk}, "when": {"N": str(when)}, "note": {"S": "n"}, "extra": {"S": "e"}}
        if status:
            item["status"] = {"S": status}
        if owner:
            item["owner"] = {"S": owner}
        ddb.put_item(TableName="idx", Item=item)
    return "idx"


def test_gsi_query_is_sparse_ordered_and_projected(ddb, indexed):
    page = ddb.query(TableName=indexed, IndexName="by_status", KeyConditionExpression="#s = :s",
                     ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": "open"}})
    assert [(i["pk"]["S"], i["when"]["N"]) for i in page["Items"]] == [("b", "2"), ("a", "3")]
    assert set(page["Items"][0]) == {"pk", "sk", "status", "when"}
    owned = ddb.query(TableName=indexed, IndexName="by_owner", KeyConditionExpression="#o = :o",
                      ExpressionAttributeNames={"#o": "owner"}, ExpressionAttributeValues={":o": {"S": "ann"}})
    assert all(set(i) == {"pk", "sk", "owner", "note"} for i in owned["Items"]) and owned["Count"] == 2
    assert ddb.scan(TableName=indexed, IndexName="by_status")["Count"] == 3


def test_gsi_follows_updates_and_deletes(ddb, indexed):
    ddb.update_item(TableName=indexed, Key={"pk": {"S": "a"}, "sk": {"S": "1"}}, UpdateExpression="SET #s = :d",
                    ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":d": {"S": "done"}})
    ddb.delete_item(TableName=indexed, Key={"pk": {"S": "a"}, "sk": {"S": "2"}})
    page = ddb.query(TableName=indexed, IndexName="by_status", KeyConditionExpression="#s = :s",
                     ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": "done"}})
    assert [i["pk"]["S"] for i in page["Items"]] == ["a"] and page["Items"][0]["sk"] == {"S": "1"}
    table = ddb.describe_table(TableName=indexed)["Table"]
    gsi = {g["IndexName"]: g for g in table["GlobalSecondaryIndexes"]}
    assert gsi["by_status"]["ItemCount"] == 2 and gsi["by_owner"]["ItemCount"] == 2


def test_index_pagination_and_rules(ddb, indexed):
    page = ddb.query(TableName=indexed, IndexName="by_when", KeyConditionExpression="pk = :p AND #w > :z",
                     ExpressionAttributeNames={"#w": "when"},
                     ExpressionAttributeValues={":p": {"S": "a"}, ":z": {"N": "0"}}, Limit=1)
    assert set(page["LastEvaluatedKey"]) == {"pk", "sk", "when"}
    rest = ddb.query(TableName=indexed, IndexName="by_when", KeyConditionExpression="pk = :p AND #w > :z",
                     ExpressionAttributeNames={"#w": "when"}, ExclusiveStartKey=page["LastEvaluatedKey"],
                     ExpressionAttributeValues={":p": {"S": "a"}, ":z": {"N": "0"}})
    assert [i["when"]["N"] for i in page["Items"] + rest["Items"]] == ["1", "3"]
    full = ddb.query(TableName=indexed, IndexName="by_when", KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"S": "a"}}, Select="ALL_ATTRIBUTES")
    assert "extra" in full["Items"][0]
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=indexed, IndexName="by_owner", KeyConditionExpression="#o = :o", ConsistentRead=True,
                  ExpressionAttributeNames={"#o": "owner"}, ExpressionAttributeValues={":o": {"S": "ann"}})
    assert error(exc)[1] == "Consistent reads are not supported on global secondary indexes"
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=indexed, IndexName="nope", KeyConditionExpression="pk = :p",
                  ExpressionAttributeValues={":p": {"S": "a"}})
    assert error(exc)[1] == "The table does not have the specified index: nope"
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=indexed, IndexName="by_status", KeyConditionExpression="#s = :s",
                  Select="ALL_ATTRIBUTES", ExpressionAttributeNames={"#s": "status"},
                  ExpressionAttributeValues={":s": {"S": "open"}})
    assert "projection type is not ALL" in error(exc)[1]


def test_index_key_type_is_checked_on_write(ddb, indexed):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=indexed, Item={"pk": {"S": "z"}, "sk": {"S": "z"}, "when": {"S": "soon"}})
    assert error(exc)[1] == ("One or more parameter values were invalid: Type mismatch for Index Key when "
                             "Expected: N Actual: S IndexName: by_status")


def test_backward_pagination(ddb, numbers):
    seen, start = [], None
    while True:
        kwargs = {"ExclusiveStartKey": start} if start else {}
        page = query(ddb, numbers, "pk = :p AND sk < :top", {":p": {"S": "p"}, ":top": {"N": "10"}}, Limit=2,
                     ScanIndexForward=False, **kwargs)
        seen += sks(page)
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert seen == ["2", "1", "0.5", "0", "-1", "-2.5", "-10"]


def test_start_key_must_match_the_schema(ddb, numbers):
    with pytest.raises(ClientError) as exc:
        query(ddb, numbers, "pk = :p", {":p": {"S": "p"}}, ExclusiveStartKey={"pk": {"S": "p"}})
    assert error(exc) == ("ValidationException", "The provided starting key is invalid: The provided key element "
                          "does not match the schema")


def test_query_cost_does_not_grow_with_the_partition(kumo, ddb, create):
    """A Query seeks: the items it reads are its page, not the partition (counted, not timed)."""
    create(name="big", range_key=("sk", "N"))
    for start in range(0, 2000, 25):
        ddb.batch_write_item(RequestItems={"big": [{"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"N": str(i)}}}}
                                                   for i in range(start, start + 25)]})
    backend = kumo.backend("dynamodb")
    touched = []
    original = backend.engine.walk

    def counting(*args, **kwargs):
        for pair in original(*args, **kwargs):
            touched.append(pair)
            yield pair

    backend.engine.walk = counting
    page = query(ddb, "big", "pk = :p AND sk > :s", {":p": {"S": "p"}, ":s": {"N": "1500"}}, Limit=10)
    assert [i["sk"]["N"] for i in page["Items"]] == [str(i) for i in range(1501, 1511)]
    assert len(touched) == 10


def test_key_condition_without_the_partition_key(ddb, numbers):
    with pytest.raises(ClientError) as exc:
        query(ddb, numbers, "sk < :a", {":a": {"N": "1"}})
    assert error(exc) == ("ValidationException", "Query key condition not supported")
    with pytest.raises(ClientError) as exc:
        query(ddb, numbers, "v = :a", {":a": {"N": "1"}})
    assert error(exc) == ("ValidationException", "Query condition missed key schema element: pk")
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=numbers, KeyConditions={"pk": {"ComparisonOperator": "EQ"}})
    assert error(exc) == ("ValidationException",
                          "The attempted filter operation is not supported for the provided filter argument count")


def test_select_and_projection_rules(ddb, indexed):
    by_status = dict(IndexName="by_status", KeyConditionExpression="#s = :s", ExpressionAttributeNames={"#s": "status"},
                     ExpressionAttributeValues={":s": {"S": "open"}})
    cases = [
        (ddb.query, dict(KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}},
                         Select="COUNT", ProjectionExpression="sk"),
         "1 validation error detected: Cannot specify the ProjectionExpression when choosing to get only the Count"),
        (ddb.scan, dict(Select="COUNT", ProjectionExpression="sk"),
         "Cannot specify the ProjectionExpression when choosing to get only the Count"),
        (ddb.scan, dict(Select="ALL_ATTRIBUTES", ProjectionExpression="sk"),
         "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES"),
        (ddb.scan, dict(Select="ALL_PROJECTED_ATTRIBUTES"),
         "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"),
        (ddb.query, dict(by_status, ProjectionExpression="pk, note"),
         "One or more parameter values were invalid: Global secondary index by_status does not project [note]"),
    ]
    for operation, kwargs, message in cases:
        with pytest.raises(ClientError) as exc:
            operation(TableName=indexed, **kwargs)
        assert error(exc) == ("ValidationException", message)
    got = ddb.query(TableName=indexed, ProjectionExpression="pk, #w", **{**by_status, "ExpressionAttributeNames": {
        "#s": "status", "#w": "when"}})
    assert [set(i) for i in got["Items"]] == [{"pk", "when"}, {"pk", "when"}]


@pytest.mark.parametrize("expression, values, message", [
    ("pk = :p AND begins_with(sk, :v)", {":v": {"N": "1"}},
     "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: "
     "begins_with, operand type: N"),
    ("pk = :p AND begins_with(sk, :v)", {":v": {"S": "a"}},
     "One or more parameter values were invalid: Condition parameter type does not match schema type"),
    ("pk = :p AND sk < :v", {":v": {"BOOL": True}},
     "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: <, "
     "operand type: BOOL"),
    ("pk = :p AND :v >= sk", {":v": {"BOOL": True}},
     "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: >=, "
     "operand type: BOOL"),
    ("pk = :p AND sk = :v", {":v": {"BOOL": True}},
     "One or more parameter values were invalid: Condition parameter type does not match schema type"),
    ("pk = :p AND sk > :v AND sk < :w", {":v": {"N": "1"}, ":w": {"N": "5"}},
     "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key"),
    ("pk = :p AND sk > :v AND extra = :w", {":v": {"N": "1"}, ":w": {"N": "5"}},
     "The number of query conditions (3) exceeds the number of key attributes defined in the schema (2)"),
])
def test_key_condition_operand_types(ddb, numbers, expression, values, message):
    with pytest.raises(ClientError) as exc:
        query(ddb, numbers, expression, {":p": {"S": "p"}, **values})
    assert error(exc) == ("ValidationException", message)


def test_enum_parameters_are_checked(ddb, numbers):
    with pytest.raises(ClientError) as exc:
        query(ddb, numbers, "pk = :p", {":p": {"S": "p"}}, ReturnConsumedCapacity="INVALID")
    assert error(exc) == ("ValidationException", "1 validation error detected: Value 'INVALID' at "
                          "'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: "
                          "[INDEXES, TOTAL, NONE]")
