"""Event source mappings: SQS and DynamoDB Streams, delivered before the next intercepted call returns."""

from __future__ import annotations

import json

import boto3
import pytest

from kumo_intercept.services.awslambda import register_callable


def _queue(sqs, name, **attributes):
    url = sqs.create_queue(QueueName=name, Attributes={k: str(v) for k, v in attributes.items()})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _count(sqs, url):
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]), int(attributes["ApproximateNumberOfMessagesNotVisible"])


class Recorder:
    def __init__(self, fail_bodies=(), report=False):
        self.batches = []
        self.fail_bodies = set(fail_bodies)
        self.report = report

    def __call__(self, event, context):
        self.batches.append([r.get("body") for r in event["Records"]])
        failing = [r for r in event["Records"] if r.get("body") in self.fail_bodies]
        if failing and not self.report:
            raise RuntimeError("batch failed")
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in failing]}


@pytest.mark.kumo(clock="virtual")
def test_sqs_messages_reach_the_function_and_are_deleted(lam, sqs):
    url, arn = _queue(sqs, "jobs")
    recorder = Recorder()
    register_callable("worker", recorder)
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="worker", BatchSize=2)
    assert mapping["State"] == "Creating" and mapping["BatchSize"] == 2
    assert lam.get_event_source_mapping(UUID=mapping["UUID"])["State"] == "Enabled"
    sqs.send_message(QueueUrl=url, MessageBody="one", MessageAttributes={
        "kind": {"DataType": "String", "StringValue": "k"}})
    assert recorder.batches == [["one"]]  # delivered before send_message returned
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(3)])
    assert recorder.batches[1:] == [["m0", "m1"], ["m2"]]
    assert _count(sqs, url) == (0, 0)


def test_sqs_event_record_shape(lam, sqs):
    url, arn = _queue(sqs, "shape")
    events = []
    register_callable("f", lambda event, context: events.append(event))
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="f")
    sent = sqs.send_message(QueueUrl=url, MessageBody="hello", MessageAttributes={
        "kind": {"DataType": "String", "StringValue": "k"}})
    [record] = events[0]["Records"]
    assert record["messageId"] == sent["MessageId"]
    assert record["body"] == "hello" and record["md5OfBody"] == sent["MD5OfMessageBody"]
    assert record["eventSource"] == "aws:sqs" and record["eventSourceARN"] == arn and record["awsRegion"] == "us-east-1"
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert "SentTimestamp" in record["attributes"]
    assert record["messageAttributes"]["kind"] == {"stringValue": "k", "stringListValues": [],
                                                   "binaryListValues": [], "dataType": "String"}
    assert record["md5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]


@pytest.mark.kumo(clock="virtual")
def test_failures_retry_after_the_visibility_timeout_then_go_to_the_dlq(kumo, lam, sqs):
    dlq_url, dlq_arn = _queue(sqs, "dead")
    url, arn = _queue(sqs, "work", VisibilityTimeout=30,
                      RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}))
    recorder = Recorder(fail_bodies={"poison"})
    register_callable("worker", recorder)
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="worker")
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    assert recorder.batches == [["poison"]]
    assert _count(sqs, url) == (0, 1)
    kumo.clock.advance(31)
    kumo.drain()
    assert recorder.batches == [["poison"], ["poison"]]
    kumo.clock.advance(31)
    kumo.drain()
    assert len(recorder.batches) == 2  # moved to the DLQ on the third receive
    assert sqs.receive_message(QueueUrl=dlq_url)["Messages"][0]["Body"] == "poison"


@pytest.mark.kumo(clock="virtual")
def test_report_batch_item_failures_keeps_only_the_failed(kumo, lam, sqs):
    url, arn = _queue(sqs, "partial", VisibilityTimeout=10)
    recorder = Recorder(fail_bodies={"b"}, report=True)
    register_callable("worker", recorder)
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="worker", Enabled=False,
                                    FunctionResponseTypes=["ReportBatchItemFailures"])
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": x, "MessageBody": x} for x in "abc"])
    assert recorder.batches == []  # disabled
    [mapping] = lam.list_event_source_mappings(FunctionName="worker")["EventSourceMappings"]
    assert mapping["State"] == "Disabled"
    updated = lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    assert updated["State"] == "Enabling"
    assert recorder.batches == [["a", "b", "c"]]
    assert _count(sqs, url) == (0, 1)
    kumo.clock.advance(11)
    kumo.drain()
    assert recorder.batches[-1] == ["b"]


@pytest.mark.kumo(clock="virtual")
def test_batching_window_waits_for_a_full_batch_or_the_window(kumo, lam, sqs):
    url, arn = _queue(sqs, "windowed")
    recorder = Recorder()
    register_callable("worker", recorder)
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="worker", BatchSize=3,
                                    MaximumBatchingWindowInSeconds=5)
    sqs.send_message(QueueUrl=url, MessageBody="1")
    sqs.send_message(QueueUrl=url, MessageBody="2")
    assert recorder.batches == []
    sqs.send_message(QueueUrl=url, MessageBody="3")
    assert recorder.batches == [["1", "2", "3"]]
    sqs.send_message(QueueUrl=url, MessageBody="4")
    kumo.clock.advance(5)
    kumo.drain()
    assert recorder.batches[-1] == ["4"]


def test_filter_criteria_drop_unmatched_messages(lam, sqs):
    url, arn = _queue(sqs, "filtered")
    recorder = Recorder()
    register_callable("worker", recorder)
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="worker", FilterCriteria={
        "Filters": [{"Pattern": json.dumps({"body": {"kind": ["order"]}})}]})
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": "spam"}))
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": "order"}))
    assert recorder.batches == [[json.dumps({"kind": "order"})]]
    assert _count(sqs, url) == (0, 0)


def test_mapping_api_errors_and_delete(lam, sqs):
    url, arn = _queue(sqs, "q")
    register_callable("worker", Recorder())
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="missing")
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        lam.create_event_source_mapping(EventSourceArn=arn + "-nope", FunctionName="worker")
    with pytest.raises(lam.exceptions.InvalidParameterValueException, match="batch window"):
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="worker", BatchSize=50)
    register_callable("slow", Recorder(), timeout=60)
    with pytest.raises(lam.exceptions.InvalidParameterValueException,
                       match="Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds"):
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="slow")
    uuid = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="worker")["UUID"]
    with pytest.raises(lam.exceptions.ResourceConflictException):
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="worker")
    assert lam.delete_event_source_mapping(UUID=uuid)["State"] == "Deleting"
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_event_source_mapping(UUID=uuid)
    sqs.send_message(QueueUrl=url, MessageBody="stays")
    assert _count(sqs, url) == (1, 0)


# -- DynamoDB Streams --------------------------------------------------------------------------------
@pytest.fixture
def table(kumo):
    pytest.importorskip("kumo_intercept.services.dynamodb.streams")
    ddb = boto3.client("dynamodb")
    description = ddb.create_table(
        TableName="orders", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})["TableDescription"]
    return ddb, description["LatestStreamArn"]


def _put(ddb, *ids):
    for item_id in ids:
        ddb.put_item(TableName="orders", Item={"id": {"S": item_id}, "blob": {"B": b"\x00\x01"}})


def test_dynamodb_stream_records_in_order(lam, table):
    ddb, stream = table
    events = []
    register_callable("f", lambda event, context: events.append(event))
    _put(ddb, "before")
    mapping = lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="f",
                                              StartingPosition="TRIM_HORIZON", BatchSize=2)
    assert mapping["StartingPosition"] == "TRIM_HORIZON" and mapping["MaximumRetryAttempts"] == -1
    assert [r["dynamodb"]["Keys"]["id"]["S"] for r in events[0]["Records"]] == ["before"]
    _put(ddb, "a")
    ddb.delete_item(TableName="orders", Key={"id": {"S": "a"}})
    names = [r["eventName"] for e in events for r in e["Records"]]
    assert names == ["INSERT", "INSERT", "REMOVE"]
    record = events[1]["Records"][0]
    assert record["eventSource"] == "aws:dynamodb" and record["eventSourceARN"] == stream
    assert record["dynamodb"]["NewImage"]["blob"] == {"B": "AAE="}
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], (int, float))
    assert lam.get_event_source_mapping(UUID=mapping["UUID"])["LastProcessingResult"] == "OK"


def test_latest_skips_what_was_already_there(lam, table):
    ddb, stream = table
    events = []
    _put(ddb, "old")
    register_callable("f", lambda event, context: events.append(event))
    lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="f", StartingPosition="LATEST")
    assert events == []
    _put(ddb, "new")
    assert [r["dynamodb"]["Keys"]["id"]["S"] for e in events for r in e["Records"]] == ["new"]


def test_stream_failures_bisect_retry_and_go_to_on_failure(lam, sqs, table):
    ddb, stream = table
    failures_url, failures_arn = _queue(sqs, "stream-failures")
    batches = []

    def handler(event, context):
        ids = [r["dynamodb"]["Keys"]["id"]["S"] for r in event["Records"]]
        batches.append(ids)
        if "bad" in ids:
            raise ValueError("bad record")
    register_callable("f", handler)
    mapping = lam.create_event_source_mapping(
        EventSourceArn=stream, FunctionName="f", StartingPosition="TRIM_HORIZON", BatchSize=4, Enabled=False,
        BisectBatchOnFunctionError=True, MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": failures_arn}})
    _put(ddb, "a", "bad", "c", "d")
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    assert batches == [["a", "bad", "c", "d"], ["a", "bad"], ["a"], ["bad"], ["bad"], ["c", "d"]]
    [message] = sqs.receive_message(QueueUrl=failures_url)["Messages"]
    info = json.loads(message["Body"])
    assert info["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert info["responseContext"]["functionError"] == "Unhandled"
    assert info["DDBStreamBatchInfo"]["batchSize"] == 1 and info["DDBStreamBatchInfo"]["streamArn"] == stream
    _put(ddb, "e")
    assert batches[-1] == ["e"]  # the shard moved on


def test_stream_item_failures_resume_from_the_failed_record(lam, table):
    ddb, stream = table
    batches = []
    state = {"failed_once": False}

    def handler(event, context):
        ids = [r["dynamodb"]["Keys"]["id"]["S"] for r in event["Records"]]
        batches.append(ids)
        for record in event["Records"]:
            if record["dynamodb"]["Keys"]["id"]["S"] == "b" and not state["failed_once"]:
                state["failed_once"] = True
                return {"batchItemFailures": [{"itemIdentifier": record["dynamodb"]["SequenceNumber"]}]}
        return {"batchItemFailures": []}
    register_callable("f", handler)
    mapping = lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="f", StartingPosition="TRIM_HORIZON",
                                              Enabled=False, MaximumRetryAttempts=3,
                                              FunctionResponseTypes=["ReportBatchItemFailures"])
    _put(ddb, "a", "b", "c")
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    assert batches == [["a", "b", "c"], ["b", "c"]]


def test_mappings_keep_polling_after_restore(kumo, lam, sqs):
    url, arn = _queue(sqs, "restored")
    recorder = Recorder()
    register_callable("worker", recorder)
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="worker")
    kumo.snapshot("with-mapping")
    kumo.restore("with-mapping")
    sqs.send_message(QueueUrl=url, MessageBody="after restore")
    assert recorder.batches == [["after restore"]]


def test_mappings_keep_polling_after_a_restart(tmp_path):
    from kumo_intercept import kumo as make
    from lambda_helpers import create
    with make(data_dir=str(tmp_path / "data")) as aws:
        lam, sqs = boto3.client("lambda"), boto3.client("sqs")
        url, arn = _queue(sqs, "durable")
        out_url, _ = _queue(sqs, "out")
        create(lam, "forward", {"app.py": f"""
            import boto3
            def handler(event, context):
                for record in event["Records"]:
                    boto3.client("sqs").send_message(QueueUrl="{out_url}", MessageBody=record["body"])
        """})
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="forward")
        aws.restart()
        sqs.send_message(QueueUrl=url, MessageBody="survived")
        assert sqs.receive_message(QueueUrl=out_url)["Messages"][0]["Body"] == "survived"


def test_kinesis_streams_when_a_kinesis_backend_is_present(kumo, lam, monkeypatch):
    from kumo_intercept.core import dispatch
    stream = "arn:aws:kinesis:us-east-1:123456789012:stream/clicks"
    monkeypatch.setitem(dispatch.BACKENDS, "kinesis", "fake_kinesis:FakeKinesisBackend")
    events = []
    register_callable("f", lambda event, context: events.append(event))
    kumo.backend("kinesis").add(stream, b"before", "p")
    lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="f", StartingPosition="LATEST")
    sequence = kumo.backend("kinesis").add(stream, b'{"click": 1}', "user-1")
    kumo.drain()
    [record] = events[0]["Records"]
    assert record["kinesis"]["data"] == "eyJjbGljayI6IDF9"
    assert record["kinesis"]["partitionKey"] == "user-1" and record["kinesis"]["sequenceNumber"] == sequence
    assert record["eventID"] == f"shardId-000000000000:{sequence}"
    assert record["eventSource"] == "aws:kinesis" and record["eventName"] == "aws:kinesis:record"
    assert record["eventSourceARN"] == stream
