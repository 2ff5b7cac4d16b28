"""A Kinesis stream feeding a Lambda function through an event source mapping, end to end in boto3.

Event shape: the Lambda developer guide, "Using Lambda with Kinesis" (example event: ``kinesis.data``
base64, ``eventID`` "shardId:sequence", ``eventSource`` "aws:kinesis"); failure handling:
"Lambda event source mappings" (BisectBatchOnFunctionError, MaximumRetryAttempts, OnFailure
destination records with ``KinesisBatchInfo``).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import pytest

from kumo_intercept.services.awslambda import register_callable


@pytest.fixture
def clients(aws: Any) -> tuple[Any, Any]:
    return boto3.client("kinesis"), boto3.client("lambda")


def _stream(kinesis: Any, name: str = "clicks", shards: int = 1) -> str:
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def test_records_reach_the_function_as_kinesis_events(clients: tuple[Any, Any]) -> None:
    kinesis, lam = clients
    arn = _stream(kinesis)
    batches: list[dict] = []
    register_callable("consumer", lambda event, context: batches.append(event))
    kinesis.put_record(StreamName="clicks", Data=b"before", PartitionKey="p")
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="consumer", StartingPosition="LATEST",
                                    BatchSize=2)
    sequences = [kinesis.put_record(StreamName="clicks", Data=json.dumps({"n": i}).encode(),
                                    PartitionKey=f"user-{i}")["SequenceNumber"] for i in range(3)]
    assert [len(b["Records"]) for b in batches] == [1, 1, 1]  # each put settles before it returns
    first = batches[0]["Records"][0]
    assert json.loads(base64.b64decode(first["kinesis"]["data"])) == {"n": 0}
    assert first["kinesis"]["partitionKey"] == "user-0"
    assert first["kinesis"]["sequenceNumber"] == sequences[0]
    assert first["eventID"] == f"shardId-000000000000:{sequences[0]}"
    assert first["eventSource"] == "aws:kinesis" and first["eventSourceARN"] == arn


def test_batch_size_and_trim_horizon(clients: tuple[Any, Any]) -> None:
    kinesis, lam = clients
    arn = _stream(kinesis)
    kinesis.put_records(StreamName="clicks", Records=[{"Data": str(i).encode(), "PartitionKey": "k"}
                                                      for i in range(5)])
    sizes: list[int] = []
    register_callable("consumer", lambda event, context: sizes.append(len(event["Records"])))
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="consumer",
                                    StartingPosition="TRIM_HORIZON", BatchSize=2)
    assert sizes == [2, 2, 1]


def test_failures_bisect_then_go_to_the_on_failure_queue(clients: tuple[Any, Any]) -> None:
    kinesis, lam = clients
    sqs = boto3.client("sqs")
    queue_url = sqs.create_queue(QueueName="failed")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    arn = _stream(kinesis)
    seen: list[list[bytes]] = []

    def handler(event: dict, context: Any) -> None:
        data = [base64.b64decode(r["kinesis"]["data"]) for r in event["Records"]]
        seen.append(data)
        if b"poison" in data:
            raise ValueError("poison")

    register_callable("consumer", handler)
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="consumer", StartingPosition="LATEST",
                                    BatchSize=4, BisectBatchOnFunctionError=True, MaximumRetryAttempts=0,
                                    DestinationConfig={"OnFailure": {"Destination": queue_arn}})
    kinesis.put_records(StreamName="clicks", Records=[{"Data": d, "PartitionKey": "k"}
                                                      for d in (b"a", b"b", b"poison", b"c")])
    assert seen[0] == [b"a", b"b", b"poison", b"c"]
    assert [b"a", b"b"] in seen and [b"c"] in seen
    [message] = sqs.receive_message(QueueUrl=queue_url)["Messages"]
    info = json.loads(message["Body"])["KinesisBatchInfo"]
    assert info["batchSize"] == 1 and info["streamArn"] == arn and info["shardId"] == "shardId-000000000000"


def test_records_in_split_shards_all_delivered(clients: tuple[Any, Any]) -> None:
    kinesis, lam = clients
    arn = _stream(kinesis)
    received: list[bytes] = []
    register_callable("consumer", lambda event, context: received.extend(
        base64.b64decode(r["kinesis"]["data"]) for r in event["Records"]))
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="consumer", StartingPosition="LATEST")
    kinesis.put_record(StreamName="clicks", Data=b"parent", PartitionKey="k")
    kinesis.split_shard(StreamName="clicks", ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2 ** 127))
    kinesis.put_record(StreamName="clicks", Data=b"low", PartitionKey="k", ExplicitHashKey="1")
    kinesis.put_record(StreamName="clicks", Data=b"high", PartitionKey="k", ExplicitHashKey=str(2 ** 127 + 1))
    assert received == [b"parent", b"low", b"high"]


def test_mapping_on_a_missing_stream_is_refused(clients: tuple[Any, Any]) -> None:
    kinesis, lam = clients
    register_callable("consumer", lambda event, context: None)
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        lam.create_event_source_mapping(EventSourceArn="arn:aws:kinesis:us-east-1:123456789012:stream/none",
                                        FunctionName="consumer", StartingPosition="LATEST")


def test_at_timestamp_starting_position(aws: Any, clients: tuple[Any, Any]) -> None:
    kinesis, lam = clients
    arn = _stream(kinesis)
    kinesis.put_record(StreamName="clicks", Data=b"old", PartitionKey="k")
    aws.clock.advance(60)
    cutoff = aws.clock.now()
    kinesis.put_record(StreamName="clicks", Data=b"new", PartitionKey="k")
    received: list[bytes] = []
    register_callable("consumer", lambda event, context: received.extend(
        base64.b64decode(r["kinesis"]["data"]) for r in event["Records"]))
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="consumer", StartingPosition="AT_TIMESTAMP",
                                    StartingPositionTimestamp=cutoff)
    aws.drain()
    assert received == [b"new"]
