"""boto3's resource layer end to end: Table, batch_writer, Key/Attr conditions, Python types."""

from __future__ import annotations

from decimal import Decimal

import boto3
import pytest
from boto3.dynamodb.conditions import Attr, Key
from boto3.dynamodb.types import Binary

pytestmark = pytest.mark.kumo(strict=True)


@pytest.fixture
def orders(kumo):
    resource = boto3.resource("dynamodb")
    table = resource.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "customer", "KeyType": "HASH"}, {"AttributeName": "order", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "customer", "AttributeType": "S"},
                              {"AttributeName": "order", "AttributeType": "N"},
                              {"AttributeName": "state", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "by_state",
                                 "KeySchema": [{"AttributeName": "state", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        BillingMode="PAY_PER_REQUEST",
    )
    table.wait_until_exists()
    return table


def test_put_get_with_python_types(orders):
    orders.put_item(Item={"customer": "c1", "order": 1, "total": Decimal("9.99"), "tags": {"a", "b"},
                          "lines": [{"sku": "x", "qty": 2}], "gift": True, "note": None, "raw": b"\x00"})
    item = orders.get_item(Key={"customer": "c1", "order": 1})["Item"]
    assert item["total"] == Decimal("9.99") and item["tags"] == {"a", "b"}
    assert item["lines"] == [{"sku": "x", "qty": Decimal(2)}]
    assert item["gift"] is True and item["note"] is None and item["raw"] == Binary(b"\x00")
    assert orders.item_count == 1


def test_batch_writer_and_key_conditions(orders):
    with orders.batch_writer() as batch:
        for n in range(60):
            batch.put_item(Item={"customer": f"c{n % 3}", "order": n, "state": "open" if n % 2 else "shipped"})
    got = orders.query(KeyConditionExpression=Key("customer").eq("c1") & Key("order").between(10, 40))
    assert [int(i["order"]) for i in got["Items"]] == list(range(10, 41, 3))
    got = orders.query(KeyConditionExpression=Key("customer").eq("c2"), ScanIndexForward=False, Limit=2)
    assert [int(i["order"]) for i in got["Items"]] == [59, 56]
    opened = orders.query(IndexName="by_state", KeyConditionExpression=Key("state").eq("open"))
    assert opened["Count"] == 30


def test_attr_conditions_in_scans_and_writes(orders):
    with orders.batch_writer(overwrite_by_pkeys=["customer", "order"]) as batch:
        for n in range(10):
            batch.put_item(Item={"customer": "c", "order": n, "score": n, "name": f"item-{n}"})
    got = orders.scan(FilterExpression=Attr("score").gte(5) & ~Attr("name").begins_with("item-9"))
    assert sorted(int(i["order"]) for i in got["Items"]) == [5, 6, 7, 8]
    got = orders.scan(FilterExpression=Attr("score").is_in([1, 2]) | Attr("missing").exists())
    assert got["Count"] == 2
    orders.update_item(Key={"customer": "c", "order": 1}, UpdateExpression="SET score = score + :d",
                       ConditionExpression=Attr("score").eq(1), ExpressionAttributeValues={":d": 10})
    assert orders.get_item(Key={"customer": "c", "order": 1})["Item"]["score"] == 11
    with pytest.raises(orders.meta.client.exceptions.ConditionalCheckFailedException):
        orders.delete_item(Key={"customer": "c", "order": 1}, ConditionExpression=Attr("score").lt(0))


def test_paginator_through_the_client(orders):
    with orders.batch_writer() as batch:
        for n in range(25):
            batch.put_item(Item={"customer": "p", "order": n})
    paginator = orders.meta.client.get_paginator("query")
    pages = list(paginator.paginate(TableName="orders", KeyConditionExpression="customer = :c",
                                    ExpressionAttributeValues={":c": "p"}, PaginationConfig={"PageSize": 10}))
    assert [p["Count"] for p in pages] == [10, 10, 5]


def test_table_attributes_and_delete(orders):
    assert orders.key_schema[0] == {"AttributeName": "customer", "KeyType": "HASH"}
    orders.reload()
    assert orders.table_status == "ACTIVE"
    orders.delete()
    orders.wait_until_not_exists()
    assert list(boto3.resource("dynamodb").tables.all()) == []
