"""TTL expiry against the emulator clock, and DynamoDB Streams records in AWS's shape and order."""

from __future__ import annotations

import datetime

import boto3
import pytest

pytestmark = pytest.mark.kumo(strict=True, clock="virtual", start_time="2030-01-01T00:00:00Z")
NOW = int(datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc).timestamp())


def error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


@pytest.fixture
def streams(kumo):
    return boto3.client("dynamodbstreams")


def stream_table(ddb, view="NEW_AND_OLD_IMAGES", name="events"):
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
    return ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]


def all_records(streams, arn, kind="TRIM_HORIZON"):
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType=kind)["ShardIterator"]
    return streams.get_records(ShardIterator=iterator)


def test_expired_items_disappear_against_the_clock(kumo, ddb, table):
    ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "exp": {"N": str(NOW + 60)}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "sk": {"S": "2"}, "exp": {"N": str(NOW + 600)}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "sk": {"S": "3"}, "exp": {"S": "not a number"}})
    kumo.clock.advance(61)
    got = ddb.query(TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}})
    assert [i["sk"]["S"] for i in got["Items"]] == ["2", "3"]
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"S": "1"}})
    kumo.clock.advance(600)
    assert ddb.scan(TableName=table)["Count"] == 1


def test_stream_records_shape_and_order(ddb, streams):
    arn = stream_table(ddb)
    ddb.put_item(TableName="events", Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    ddb.put_item(TableName="events", Item={"pk": {"S": "a"}, "v": {"N": "1"}})  # no change: no record
    ddb.update_item(TableName="events", Key={"pk": {"S": "a"}}, UpdateExpression="SET v = :two",
                    ExpressionAttributeValues={":two": {"N": "2"}})
    ddb.delete_item(TableName="events", Key={"pk": {"S": "a"}})
    records = all_records(streams, arn)["Records"]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    first = records[0]
    assert first["eventSource"] == "aws:dynamodb" and first["eventVersion"] == "1.1"
    assert first["awsRegion"] == "us-east-1" and len(first["eventID"]) == 32
    body = first["dynamodb"]
    assert body["Keys"] == {"pk": {"S": "a"}}
    assert body["NewImage"] == {"pk": {"S": "a"}, "v": {"N": "1"}} and "OldImage" not in body
    assert body["StreamViewType"] == "NEW_AND_OLD_IMAGES" and body["SizeBytes"] > 0
    assert body["ApproximateCreationDateTime"] == datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
    assert records[1]["dynamodb"]["OldImage"]["v"] == {"N": "1"}
    assert records[1]["dynamodb"]["NewImage"]["v"] == {"N": "2"}
    assert "NewImage" not in records[2]["dynamodb"]
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    assert "userIdentity" not in records[2]


@pytest.mark.parametrize("view, fields", [("KEYS_ONLY", set()), ("NEW_IMAGE", {"NewImage"}),
                                          ("OLD_IMAGE", {"OldImage"})])
def test_view_types(ddb, streams, view, fields):
    arn = stream_table(ddb, view)
    ddb.put_item(TableName="events", Item={"pk": {"S": "a"}})
    ddb.put_item(TableName="events", Item={"pk": {"S": "a"}, "x": {"S": "y"}})
    modify = all_records(streams, arn)["Records"][1]["dynamodb"]
    assert set(modify) - {"ApproximateCreationDateTime", "Keys", "SequenceNumber", "SizeBytes",
                          "StreamViewType"} == fields


def test_ttl_removal_is_a_service_record(kumo, ddb, streams):
    arn = stream_table(ddb)
    ddb.update_time_to_live(TableName="events", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    ddb.put_item(TableName="events", Item={"pk": {"S": "a"}, "exp": {"N": str(NOW + 10)}})
    kumo.clock.advance(11)
    records = all_records(streams, arn)["Records"]  # no table call needed: the sweep runs before reads
    assert [r["eventName"] for r in records] == ["INSERT", "REMOVE"]
    assert records[1]["userIdentity"] == {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}


def test_iterator_types_and_paging(ddb, streams):
    arn = stream_table(ddb)
    for i in range(5):
        ddb.put_item(TableName="events", Item={"pk": {"S": str(i)}})
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    records = all_records(streams, arn)["Records"]
    third = records[2]["dynamodb"]["SequenceNumber"]
    at = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER",
                                    SequenceNumber=third)["ShardIterator"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in streams.get_records(ShardIterator=at)["Records"]] == ["2", "3", "4"]
    after = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                       SequenceNumber=third)["ShardIterator"]
    page = streams.get_records(ShardIterator=after, Limit=1)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]] == ["3"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in streams.get_records(ShardIterator=page["NextShardIterator"])["Records"]] == ["4"]
    latest = all_records(streams, arn, "LATEST")
    assert latest["Records"] == []
    ddb.put_item(TableName="events", Item={"pk": {"S": "new"}})
    assert [r["eventName"] for r in streams.get_records(ShardIterator=latest["NextShardIterator"])["Records"]] == ["INSERT"]


def test_list_describe_and_disable(ddb, streams):
    arn = stream_table(ddb)
    listed = streams.list_streams(TableName="events")["Streams"]
    assert listed == [{"StreamArn": arn, "TableName": "events", "StreamLabel": arn.split("/stream/")[1]}]
    described = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert described["StreamStatus"] == "ENABLED" and described["KeySchema"][0]["AttributeName"] == "pk"
    ddb.put_item(TableName="events", Item={"pk": {"S": "a"}})
    ddb.update_table(TableName="events", StreamSpecification={"StreamEnabled": False})
    described = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert described["StreamStatus"] == "DISABLED"
    assert "EndingSequenceNumber" in described["Shards"][0]["SequenceNumberRange"]
    page = all_records(streams, arn)
    assert len(page["Records"]) == 1 and "NextShardIterator" not in page
    with pytest.raises(streams.exceptions.ResourceNotFoundException):
        streams.describe_stream(StreamArn=arn + "x")


def test_records_age_out_after_a_day(kumo, ddb, streams):
    arn = stream_table(ddb)
    ddb.put_item(TableName="events", Item={"pk": {"S": "a"}})
    kumo.clock.advance(24 * 3600 + 1)
    ddb.put_item(TableName="events", Item={"pk": {"S": "b"}})
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in all_records(streams, arn)["Records"]] == ["b"]


def test_iterators_expire(kumo, ddb, streams):
    arn = stream_table(ddb)
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    kumo.clock.advance(16 * 60)
    with pytest.raises(streams.exceptions.ExpiredIteratorException):
        streams.get_records(ShardIterator=iterator)


def test_internal_api_for_event_source_mappings(kumo, ddb):
    arn = stream_table(ddb)
    ddb.put_item(TableName="events", Item={"pk": {"S": "a"}})
    ddb.put_item(TableName="events", Item={"pk": {"S": "b"}})
    backend = kumo.backend("dynamodbstreams")
    assert backend.latest_stream_arn("events", "123456789012", "us-east-1") == arn
    shard, = backend.shard_ids(arn)
    first = backend.read_records(arn, shard, None, 1)
    assert [r["dynamodb"]["Keys"] for r in first] == [{"pk": {"S": "a"}}]
    rest = backend.read_records(arn, shard, first[0]["dynamodb"]["SequenceNumber"], 10)
    assert [r["dynamodb"]["Keys"] for r in rest] == [{"pk": {"S": "b"}}]


def test_internal_api_refuses_unknown_streams(kumo):
    with pytest.raises(KeyError):
        kumo.backend("dynamodbstreams").shard_ids("arn:aws:dynamodb:us-east-1:123456789012:table/x/stream/y")
