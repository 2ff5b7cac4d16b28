"""Kinesis Data Streams through boto3: streams, shards, records, iterators, resharding, consumers, tags.

Facts come from the Kinesis API reference (docs.aws.amazon.com/kinesis/latest/APIReference: CreateStream,
PutRecord, GetShardIterator, GetRecords, SplitShard, MergeShards, UpdateShardCount, ListShards) and
LocalStack's AWS-recorded tests/aws/services/kinesis/test_kinesis.snapshot.json (4 shards without a
shard count; record data round-trips byte for byte).
"""

from __future__ import annotations

import hashlib
from typing import Any

import boto3
import pytest

HASH_MAX = 2 ** 128 - 1


@pytest.fixture
def kinesis(aws: Any) -> Any:
    return boto3.client("kinesis")


def _shards(kinesis: Any, name: str) -> list[dict]:
    return kinesis.list_shards(StreamName=name)["Shards"]


def _read_all(kinesis: Any, name: str, shard: str, kind: str = "TRIM_HORIZON", **extra: Any) -> list[dict]:
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType=kind,
                                          **extra)["ShardIterator"]
    return kinesis.get_records(ShardIterator=iterator)["Records"]


def test_create_describe_list_delete(kinesis: Any) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=3)
    summary = kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]
    assert summary["StreamStatus"] == "ACTIVE"
    assert summary["OpenShardCount"] == 3
    assert summary["RetentionPeriodHours"] == 24
    assert summary["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    assert summary["StreamARN"] == "arn:aws:kinesis:us-east-1:123456789012:stream/s"
    description = kinesis.describe_stream(StreamName="s")["StreamDescription"]
    assert [s["ShardId"] for s in description["Shards"]] == [
        "shardId-000000000000", "shardId-000000000001", "shardId-000000000002"]
    assert kinesis.list_streams()["StreamNames"] == ["s"]
    kinesis.delete_stream(StreamName="s")
    assert kinesis.list_streams()["StreamNames"] == []


def test_missing_stream_is_aws_error(kinesis: Any) -> None:
    with pytest.raises(kinesis.exceptions.ResourceNotFoundException) as caught:
        kinesis.describe_stream(StreamName="nope")
    assert caught.value.response["Error"]["Message"] == "Stream nope under account 123456789012 not found."


def test_create_twice_is_resource_in_use(kinesis: Any) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=1)
    with pytest.raises(kinesis.exceptions.ResourceInUseException):
        kinesis.create_stream(StreamName="s", ShardCount=1)


def test_without_shard_count_four_shards_and_on_demand(kinesis: Any) -> None:
    kinesis.create_stream(StreamName="plain")
    assert len(_shards(kinesis, "plain")) == 4
    kinesis.create_stream(StreamName="od", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    summary = kinesis.describe_stream_summary(StreamName="od")["StreamDescriptionSummary"]
    assert summary["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    assert summary["OpenShardCount"] == 4


def test_hash_ranges_split_evenly(kinesis: Any) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=4)
    ranges = [(int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]))
              for s in _shards(kinesis, "s")]
    step = 2 ** 128 // 4
    assert ranges == [(0, step - 1), (step, 2 * step - 1), (2 * step, 3 * step - 1), (3 * step, HASH_MAX)]


def test_partition_key_md5_routes_record(kinesis: Any) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=4)
    shards = _shards(kinesis, "s")
    for key in ("a", "b", "customer-17", "zz"):
        hashed = int(hashlib.md5(key.encode()).hexdigest(), 16)
        expected = next(s["ShardId"] for s in shards if int(s["HashKeyRange"]["StartingHashKey"]) <= hashed
                        <= int(s["HashKeyRange"]["EndingHashKey"]))
        assert kinesis.put_record(StreamName="s", Data=b"x", PartitionKey=key)["ShardId"] == expected


def test_explicit_hash_key_wins(kinesis: Any) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=2)
    out = kinesis.put_record(StreamName="s", Data=b"x", PartitionKey="a", ExplicitHashKey=str(HASH_MAX))
    assert out["ShardId"] == "shardId-000000000001"


def test_sequence_numbers_ordered_56_digits_and_data_round_trips(kinesis: Any) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=1)
    payloads = [b"", b"test", "ünicödé 统一码 💣".encode(), bytes(range(256))]
    sequences = [kinesis.put_record(StreamName="s", Data=p, PartitionKey="1")["SequenceNumber"] for p in payloads]
    assert all(len(s) == 56 and s.isdigit() for s in sequences)
    assert [int(s) for s in sequences] == sorted(int(s) for s in sequences)
    records = _read_all(kinesis, "s", "shardId-000000000000")
    assert [r["Data"] for r in records] == payloads
    assert [r["SequenceNumber"] for r in records] == sequences
    assert all(r["PartitionKey"] == "1" for r in records)


def test_put_records_results_and_invalid_hash_key_fails_the_request(kinesis: Any) -> None:
    """An out-of-range ExplicitHashKey fails the whole PutRecords (kinesalite's test/putRecords.js, whose
    tests were run against AWS)."""
    kinesis.create_stream(StreamName="s", ShardCount=2)
    out = kinesis.put_records(StreamName="s", Records=[
        {"Data": b"1", "PartitionKey": "a"},
        {"Data": b"2", "PartitionKey": "a", "ExplicitHashKey": str(HASH_MAX)},
    ])
    assert out["FailedRecordCount"] == 0
    assert [r["ShardId"] for r in out["Records"]][1] == "shardId-000000000001"
    with pytest.raises(kinesis.exceptions.InvalidArgumentException) as caught:
        kinesis.put_records(StreamName="s", Records=[
            {"Data": b"3", "PartitionKey": "a"},
            {"Data": b"4", "PartitionKey": "a", "ExplicitHashKey": str(2 ** 128)},
        ])
    assert caught.value.response["Error"]["Message"] == (
        "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was "
        f"{2 ** 128}")
    counts = [len(_read_all(kinesis, "s", s["ShardId"])) for s in _shards(kinesis, "s")]
    assert sum(counts) == 2  # nothing of the failed request was written


def test_put_limits(kinesis: Any) -> None:
    """Limits from the PutRecords reference: 500 records, 1 MiB per record, 5 MiB per request."""
    kinesis.create_stream(StreamName="s", ShardCount=1)
    with pytest.raises(kinesis.exceptions.ClientError) as caught:
        kinesis.put_records(StreamName="s", Records=[{"Data": b"x", "PartitionKey": "k"}] * 501)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(kinesis.exceptions.ClientError) as caught:
        kinesis.put_record(StreamName="s", Data=b"x" * (1024 * 1024 + 1), PartitionKey="k")
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(kinesis.exceptions.InvalidArgumentException):
        kinesis.put_records(StreamName="s", Records=[{"Data": b"x" * 1024 * 1024, "PartitionKey": "k"}] * 6)
    kinesis.put_record(StreamName="s", Data=b"x" * 1024 * 1024, PartitionKey="k")


def test_iterator_types(aws: Any, kinesis: Any) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=1)
    shard = "shardId-000000000000"
    first = kinesis.put_record(StreamName="s", Data=b"1", PartitionKey="k")["SequenceNumber"]
    aws.clock.advance(10)
    middle_time = aws.clock.now()
    second = kinesis.put_record(StreamName="s", Data=b"2", PartitionKey="k")["SequenceNumber"]
    latest = kinesis.get_shard_iterator(StreamName="s", ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    third = kinesis.put_record(StreamName="s", Data=b"3", PartitionKey="k")["SequenceNumber"]
    assert [r["Data"] for r in _read_all(kinesis, "s", shard)] == [b"1", b"2", b"3"]
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=latest)["Records"]] == [b"3"]
    assert [r["SequenceNumber"] for r in _read_all(kinesis, "s", shard, "AT_SEQUENCE_NUMBER",
                                                   StartingSequenceNumber=second)] == [second, third]
    assert [r["SequenceNumber"] for r in _read_all(kinesis, "s", shard, "AFTER_SEQUENCE_NUMBER",
                                                   StartingSequenceNumber=first)] == [second, third]
    assert [r["Data"] for r in _read_all(kinesis, "s", shard, "AT_TIMESTAMP", Timestamp=middle_time)] == [b"2", b"3"]


def test_get_records_limit_next_iterator_and_millis_behind(aws: Any, kinesis: Any) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=1)
    for i in range(5):
        kinesis.put_record(StreamName="s", Data=str(i).encode(), PartitionKey="k")
    aws.clock.advance(2)
    iterator = kinesis.get_shard_iterator(StreamName="s", ShardId="shardId-000000000000",
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    page = kinesis.get_records(ShardIterator=iterator, Limit=3)
    assert [r["Data"] for r in page["Records"]] == [b"0", b"1", b"2"]
    assert page["MillisBehindLatest"] == 2000
    rest = kinesis.get_records(ShardIterator=page["NextShardIterator"])
    assert [r["Data"] for r in rest["Records"]] == [b"3", b"4"]
    assert rest["MillisBehindLatest"] == 0
    empty = kinesis.get_records(ShardIterator=rest["NextShardIterator"])
    assert empty["Records"] == [] and empty["NextShardIterator"]


def test_iterator_expires_after_five_minutes(aws: Any, kinesis: Any) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=1)
    iterator = kinesis.get_shard_iterator(StreamName="s", ShardId="shardId-000000000000",
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    aws.clock.advance(299)
    kinesis.get_records(ShardIterator=iterator)
    aws.clock.advance(2)
    with pytest.raises(kinesis.exceptions.ExpiredIteratorException) as caught:
        kinesis.get_records(ShardIterator=iterator)
    assert "tolerated delay of 300000 milliseconds" in caught.value.response["Error"]["Message"]


def test_retention_drops_old_records_and_can_be_changed(aws: Any, kinesis: Any) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=1)
    kinesis.put_record(StreamName="s", Data=b"old", PartitionKey="k")
    aws.clock.advance(23 * 3600)
    kinesis.put_record(StreamName="s", Data=b"new", PartitionKey="k")
    aws.clock.advance(3600 + 1)
    assert [r["Data"] for r in _read_all(kinesis, "s", "shardId-000000000000")] == [b"new"]
    kinesis.increase_stream_retention_period(StreamName="s", RetentionPeriodHours=48)
    aws.clock.advance(23 * 3600)
    assert [r["Data"] for r in _read_all(kinesis, "s", "shardId-000000000000")] == [b"new"]
    assert kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["RetentionPeriodHours"] == 48
    with pytest.raises(kinesis.exceptions.InvalidArgumentException):
        kinesis.increase_stream_retention_period(StreamName="s", RetentionPeriodHours=24)
    with pytest.raises(kinesis.exceptions.InvalidArgumentException):
        kinesis.decrease_stream_retention_period(StreamName="s", RetentionPeriodHours=12)
    kinesis.decrease_stream_retention_period(StreamName="s", RetentionPeriodHours=24)


def test_split_shard_lineage_and_routing(kinesis: Any) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=1)
    kinesis.put_record(StreamName="s", Data=b"before", PartitionKey="k")
    middle = str(2 ** 127)
    kinesis.split_shard(StreamName="s", ShardToSplit="shardId-000000000000", NewStartingHashKey=middle)
    shards = {s["ShardId"]: s for s in _shards(kinesis, "s")}
    parent = shards["shardId-000000000000"]
    assert "EndingSequenceNumber" in parent["SequenceNumberRange"]
    low, high = shards["shardId-000000000001"], shards["shardId-000000000002"]
    assert low["ParentShardId"] == high["ParentShardId"] == "shardId-000000000000"
    assert low["HashKeyRange"] == {"StartingHashKey": "0", "EndingHashKey": str(2 ** 127 - 1)}
    assert high["HashKeyRange"] == {"StartingHashKey": middle, "EndingHashKey": str(HASH_MAX)}
    out = kinesis.put_record(StreamName="s", Data=b"after", PartitionKey="k", ExplicitHashKey="5")
    assert out["ShardId"] == "shardId-000000000001"
    iterator = kinesis.get_shard_iterator(StreamName="s", ShardId="shardId-000000000000",
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    closed = kinesis.get_records(ShardIterator=iterator)
    assert [r["Data"] for r in closed["Records"]] == [b"before"]
    assert "NextShardIterator" not in closed
    assert {c["ShardId"] for c in closed["ChildShards"]} == {"shardId-000000000001", "shardId-000000000002"}
    with pytest.raises(kinesis.exceptions.InvalidArgumentException, match="has already been merged or split"):
        kinesis.split_shard(StreamName="s", ShardToSplit="shardId-000000000000", NewStartingHashKey=middle)
    with pytest.raises(kinesis.exceptions.InvalidArgumentException):
        kinesis.split_shard(StreamName="s", ShardToSplit="shardId-000000000001", NewStartingHashKey="1")


def test_merge_shards_needs_adjacent_pair(kinesis: Any) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=3)
    with pytest.raises(kinesis.exceptions.InvalidArgumentException):
        kinesis.merge_shards(StreamName="s", ShardToMerge="shardId-000000000000",
                             AdjacentShardToMerge="shardId-000000000002")
    kinesis.merge_shards(StreamName="s", ShardToMerge="shardId-000000000000",
                         AdjacentShardToMerge="shardId-000000000001")
    child = _shards(kinesis, "s")[-1]
    assert child["ShardId"] == "shardId-000000000003"
    assert (child["ParentShardId"], child["AdjacentParentShardId"]) == ("shardId-000000000000", "shardId-000000000001")
    assert child["HashKeyRange"]["StartingHashKey"] == "0"
    open_shards = kinesis.list_shards(StreamName="s", ShardFilter={"Type": "AT_LATEST"})["Shards"]
    assert [s["ShardId"] for s in open_shards] == ["shardId-000000000002", "shardId-000000000003"]


def test_update_shard_count(kinesis: Any) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=2)
    out = kinesis.update_shard_count(StreamName="s", TargetShardCount=4, ScalingType="UNIFORM_SCALING")
    assert (out["CurrentShardCount"], out["TargetShardCount"]) == (2, 4)
    assert kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["OpenShardCount"] == 4
    with pytest.raises(kinesis.exceptions.LimitExceededException):
        kinesis.update_shard_count(StreamName="s", TargetShardCount=9, ScalingType="UNIFORM_SCALING")


def test_list_shards_pagination(kinesis: Any) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=5)
    page = kinesis.list_shards(StreamName="s", MaxResults=2)
    ids = [s["ShardId"] for s in page["Shards"]]
    while "NextToken" in page:
        page = kinesis.list_shards(NextToken=page["NextToken"], MaxResults=2)
        ids += [s["ShardId"] for s in page["Shards"]]
    assert ids == [f"shardId-{i:012d}" for i in range(5)]


def test_list_streams_paginates(kinesis: Any) -> None:
    for name in ("a", "b", "c"):
        kinesis.create_stream(StreamName=name, ShardCount=1)
    names = [n for page in kinesis.get_paginator("list_streams").paginate(PaginationConfig={"PageSize": 2})
             for n in page["StreamNames"]]
    assert names == ["a", "b", "c"]


def test_consumers_and_enforced_delete(kinesis: Any) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=1)
    arn = kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["StreamARN"]
    consumer = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="c")["Consumer"]
    assert consumer["ConsumerStatus"] == "CREATING"
    described = kinesis.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])["ConsumerDescription"]
    assert described["ConsumerStatus"] == "ACTIVE" and described["StreamARN"] == arn
    assert [c["ConsumerName"] for c in kinesis.list_stream_consumers(StreamARN=arn)["Consumers"]] == ["c"]
    with pytest.raises(kinesis.exceptions.ResourceInUseException):
        kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="c")
    with pytest.raises(kinesis.exceptions.ResourceInUseException):
        kinesis.delete_stream(StreamName="s")
    kinesis.delete_stream(StreamName="s", EnforceConsumerDeletion=True)
    with pytest.raises(kinesis.exceptions.ResourceNotFoundException):
        kinesis.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])


def test_tags_both_apis(kinesis: Any) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=1, Tags={"a": "1"})
    kinesis.add_tags_to_stream(StreamName="s", Tags={"b": "2"})
    assert kinesis.list_tags_for_stream(StreamName="s")["Tags"] == [{"Key": "a", "Value": "1"},
                                                                     {"Key": "b", "Value": "2"}]
    arn = kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["StreamARN"]
    kinesis.untag_resource(ResourceARN=arn, TagKeys=["a"])
    kinesis.tag_resource(ResourceARN=arn, Tags={"c": "3"})
    assert kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "b", "Value": "2"},
                                                                       {"Key": "c", "Value": "3"}]
    kinesis.remove_tags_from_stream(StreamName="s", TagKeys=["b", "c"])
    assert kinesis.list_tags_for_stream(StreamName="s")["Tags"] == []


def test_encryption_marks_records(kinesis: Any) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=1)
    kinesis.start_stream_encryption(StreamName="s", EncryptionType="KMS", KeyId="alias/aws/kinesis")
    out = kinesis.put_record(StreamName="s", Data=b"x", PartitionKey="k")
    assert out["EncryptionType"] == "KMS"
    assert _read_all(kinesis, "s", "shardId-000000000000")[0]["EncryptionType"] == "KMS"
    kinesis.stop_stream_encryption(StreamName="s", EncryptionType="KMS", KeyId="alias/aws/kinesis")
    assert kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["EncryptionType"] == "NONE"


def test_summary_for_inspection(aws: Any, kinesis: Any) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=1)
    kinesis.put_record(StreamName="s", Data=b"x", PartitionKey="k")
    summary = aws.backend("kinesis").summary()
    assert summary["streams"][0]["name"] == "s"
    assert summary["streams"][0]["shards"] == [{"id": "shardId-000000000000", "open": True, "records": 1}]


def _consumer(kinesis: Any, name: str = "s") -> str:
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    return kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="fan")["Consumer"]["ConsumerARN"]


def test_subscribe_to_shard_streams_records_as_botocore_events(aws: Any, kinesis: Any) -> None:
    """Event shape from the SubscribeToShard reference: SubscribeToShardEvent with Records,
    ContinuationSequenceNumber, MillisBehindLatest; subscriptions last 5 minutes."""
    from botocore.eventstream import EventStream

    kinesis.create_stream(StreamName="s", ShardCount=1)
    consumer = _consumer(kinesis)
    first = kinesis.put_record(StreamName="s", Data=b"one", PartitionKey="k")["SequenceNumber"]
    response = kinesis.subscribe_to_shard(ConsumerARN=consumer, ShardId="shardId-000000000000",
                                          StartingPosition={"Type": "TRIM_HORIZON"})
    stream = response["EventStream"]
    assert isinstance(stream, EventStream)
    events = iter(stream)
    event = next(events)["SubscribeToShardEvent"]
    assert [r["Data"] for r in event["Records"]] == [b"one"]
    assert event["ContinuationSequenceNumber"] == first and event["MillisBehindLatest"] == 0
    assert event["Records"][0]["ApproximateArrivalTimestamp"] == aws.clock.now()
    kinesis.put_record(StreamName="s", Data=b"two", PartitionKey="k")
    assert [r["Data"] for r in next(events)["SubscribeToShardEvent"]["Records"]] == [b"two"]
    started = aws.clock.time()
    rest = list(events)  # empty events 5 s apart until the 5-minute subscription ends
    assert all(e["SubscribeToShardEvent"]["Records"] == [] for e in rest)
    assert aws.clock.time() - started == pytest.approx(300, abs=5)


def test_subscribe_to_shard_at_sequence_number_and_closed_shard(kinesis: Any) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=1)
    consumer = _consumer(kinesis)
    kinesis.put_record(StreamName="s", Data=b"a", PartitionKey="k")
    second = kinesis.put_record(StreamName="s", Data=b"b", PartitionKey="k")["SequenceNumber"]
    kinesis.split_shard(StreamName="s", ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2 ** 127))
    response = kinesis.subscribe_to_shard(ConsumerARN=consumer, ShardId="shardId-000000000000", StartingPosition={
        "Type": "AT_SEQUENCE_NUMBER", "SequenceNumber": second})
    [event] = [e["SubscribeToShardEvent"] for e in response["EventStream"]]
    assert [r["Data"] for r in event["Records"]] == [b"b"]
    assert {c["ShardId"] for c in event["ChildShards"]} == {"shardId-000000000001", "shardId-000000000002"}


def test_subscribe_to_shard_unknown_consumer(kinesis: Any) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=1)
    arn = kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["StreamARN"]
    with pytest.raises(kinesis.exceptions.ResourceNotFoundException):
        kinesis.subscribe_to_shard(ConsumerARN=f"{arn}/consumer/none:1", ShardId="shardId-000000000000",
                                   StartingPosition={"Type": "LATEST"})


def test_resubscribing_within_five_seconds_is_refused_later_takes_over(aws: Any, kinesis: Any) -> None:
    """SubscribeToShard reference: a second call with the same ConsumerARN and ShardId within 5 seconds is
    ResourceInUseException; 5 seconds or more later it takes over the subscription."""
    kinesis.create_stream(StreamName="s", ShardCount=1)
    consumer = _consumer(kinesis)
    arguments = dict(ConsumerARN=consumer, ShardId="shardId-000000000000", StartingPosition={"Type": "LATEST"})
    first = kinesis.subscribe_to_shard(**arguments)["EventStream"]
    aws.clock.advance(4)
    with pytest.raises(kinesis.exceptions.ResourceInUseException):
        kinesis.subscribe_to_shard(**arguments)
    aws.clock.advance(1)
    second = iter(kinesis.subscribe_to_shard(**arguments)["EventStream"])
    assert list(first) == []  # taken over: the first subscription's stream ends
    kinesis.put_record(StreamName="s", Data=b"x", PartitionKey="k")
    assert [r["Data"] for r in next(second)["SubscribeToShardEvent"]["Records"]] == [b"x"]


def test_encryption_key_is_checked_through_kms(kinesis: Any) -> None:
    """StartStreamEncryption's modeled errors (API reference): KMSNotFoundException, KMSDisabledException."""
    kms = boto3.client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kinesis.create_stream(StreamName="s", ShardCount=1)
    kinesis.start_stream_encryption(StreamName="s", EncryptionType="KMS", KeyId=key)
    assert kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["KeyId"] == key
    with pytest.raises(kinesis.exceptions.KMSNotFoundException):
        kinesis.start_stream_encryption(StreamName="s", EncryptionType="KMS",
                                        KeyId="11111111-2222-3333-4444-555555555555")
    kms.disable_key(KeyId=key)
    with pytest.raises(kinesis.exceptions.KMSDisabledException):
        kinesis.start_stream_encryption(StreamName="s", EncryptionType="KMS", KeyId=key)
