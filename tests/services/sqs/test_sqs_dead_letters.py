"""Dead-letter queues through boto3: RedrivePolicy, RedriveAllowPolicy, message move tasks; and the
internal API other services call, and summary()."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from kumo_intercept import AwsError
from sqs_helpers import attributes, counts, error_of


def arn_of(sqs, url):
    return attributes(sqs, url, "QueueArn")["QueueArn"]


def redrive(arn, count=2):
    return json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": count})


def _receive_to_the_limit(sqs, aws, source):
    """Send a message and let two receives (the pair's maxReceiveCount) lapse."""
    sqs.send_message(QueueUrl=source, MessageBody="poison")
    for _ in range(2):
        sqs.receive_message(QueueUrl=source)
        aws.clock.advance(30)


@pytest.fixture
def pair(sqs):
    dlq = sqs.create_queue(QueueName="dead")["QueueUrl"]
    source = sqs.create_queue(QueueName="live", Attributes={"RedrivePolicy": redrive(arn_of(sqs, dlq))})["QueueUrl"]
    return source, dlq


def test_redrive_policy_round_trips_normalised(sqs, pair):
    source, dlq = pair
    stored = json.loads(attributes(sqs, source, "RedrivePolicy")["RedrivePolicy"])
    assert stored == {"deadLetterTargetArn": arn_of(sqs, dlq), "maxReceiveCount": 2}


def test_message_moves_to_the_dlq_when_it_would_exceed_max_receive_count(sqs, pair, aws):
    source, dlq = pair
    sent = sqs.send_message(QueueUrl=source, MessageBody="poison",
                            MessageAttributes={"a": {"DataType": "String", "StringValue": "b"}})
    for _ in range(2):
        assert len(sqs.receive_message(QueueUrl=source)["Messages"]) == 1
        aws.clock.advance(30)
    assert "Messages" not in sqs.receive_message(QueueUrl=source)
    assert counts(sqs, source) == (0, 0, 0)
    [moved] = sqs.receive_message(QueueUrl=dlq, AttributeNames=["All"], MessageAttributeNames=["All"])["Messages"]
    assert moved["MessageId"] == sent["MessageId"]
    assert moved["Body"] == "poison"
    assert moved["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert moved["Attributes"]["DeadLetterQueueSourceArn"] == arn_of(sqs, source)


def test_other_messages_are_still_delivered_in_the_same_receive(sqs, pair, aws):
    source, dlq = pair
    _receive_to_the_limit(sqs, aws, source)
    sqs.send_message(QueueUrl=source, MessageBody="fine")
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=source)["Messages"]] == ["fine"]
    assert counts(sqs, dlq) == (1, 0, 0)


def test_long_poll_keeps_waiting_after_a_dlq_move(sqs, pair, aws):
    source, dlq = pair
    _receive_to_the_limit(sqs, aws, source)
    sqs.send_message(QueueUrl=source, MessageBody="later", DelaySeconds=5)
    start = aws.clock.time()
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=source, WaitTimeSeconds=10)["Messages"]] == ["later"]
    assert aws.clock.time() == start + 5


def test_fifo_dlq_keeps_group_order(sqs, aws):
    dlq = sqs.create_queue(QueueName="dead.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    source = sqs.create_queue(QueueName="live.fifo", Attributes={
        "FifoQueue": "true", "RedrivePolicy": redrive(arn_of(sqs, dlq), 1)})["QueueUrl"]
    for body in ("a", "b"):
        sqs.send_message(QueueUrl=source, MessageBody=body, MessageGroupId="g", MessageDeduplicationId=body)
    sqs.receive_message(QueueUrl=source)
    aws.clock.advance(30)
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=source)["Messages"]] == ["b"]
    [moved] = sqs.receive_message(QueueUrl=dlq, AttributeNames=["All"])["Messages"]
    assert moved["Body"] == "a" and moved["Attributes"]["MessageGroupId"] == "g"


@pytest.mark.parametrize("policy,reason", [
    ("not json", "Redrive policy is not a valid JSON map."),
    # AWS's answer to "{}" (quoted in community.aws issue 2321): only "" removes a redrive policy
    ("{}", "Redrive policy does not contain mandatory attribute: maxReceiveCount."),
    ('{"maxReceiveCount": 3}', "Redrive policy does not contain mandatory attribute: deadLetterTargetArn."),
    ("missing-count", "Redrive policy does not contain mandatory attribute: maxReceiveCount."),
    ("count-0", "Invalid value for maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive."),
    ("count-1001", "Invalid value for maxReceiveCount: 1001, valid values are from 1 to 1000 both inclusive."),
    ("no-such-dlq", "Dead letter target does not exist."),
    ("fifo-dlq", "Dead-letter queue must be same type of queue as the source."),
])
def test_redrive_policy_checks(sqs, policy, reason):
    dlq_arn = arn_of(sqs, sqs.create_queue(QueueName="dead")["QueueUrl"])
    fifo_arn = arn_of(sqs, sqs.create_queue(QueueName="dead.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"])
    policy = {
        "missing-count": json.dumps({"deadLetterTargetArn": dlq_arn}),
        "count-0": redrive(dlq_arn, 0), "count-1001": redrive(dlq_arn, 1001),
        "no-such-dlq": redrive(dlq_arn + "-gone"), "fifo-dlq": redrive(fifo_arn),
    }.get(policy, policy)
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="src", Attributes={"RedrivePolicy": policy})
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"
    assert error_of(excinfo)["Message"] == f"Value {policy} for parameter RedrivePolicy is invalid. Reason: {reason}"


def test_redrive_allow_policy(sqs):
    dlq = sqs.create_queue(QueueName="dead")["QueueUrl"]
    dlq_arn = arn_of(sqs, dlq)
    allowed_arn = dlq_arn.replace("dead", "allowed")
    sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": json.dumps(
        {"redrivePermission": "byQueue", "sourceQueueArns": [allowed_arn]})})
    sqs.create_queue(QueueName="allowed", Attributes={"RedrivePolicy": redrive(dlq_arn)})
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="refused", Attributes={"RedrivePolicy": redrive(dlq_arn)})
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"
    sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": '{"redrivePermission":"denyAll"}'})
    with pytest.raises(ClientError):
        sqs.create_queue(QueueName="refused", Attributes={"RedrivePolicy": redrive(dlq_arn)})
    for bad in ('{"redrivePermission":"some"}', '{"redrivePermission":"byQueue"}',
                '{"redrivePermission":"allowAll","sourceQueueArns":["x"]}',
                json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [f"a{i}" for i in range(11)]})):
        with pytest.raises(ClientError) as excinfo:
            sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": bad})
        assert error_of(excinfo)["Code"] == "InvalidParameterValue"


def test_removing_the_redrive_policy(sqs, pair, aws):
    source, dlq = pair
    sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": ""})
    assert "RedrivePolicy" not in attributes(sqs, source)
    sqs.send_message(QueueUrl=source, MessageBody="x")
    for _ in range(4):
        assert len(sqs.receive_message(QueueUrl=source)["Messages"]) == 1
        aws.clock.advance(30)


# -- message move tasks -------------------------------------------------------------------------
def _fill_dlq(sqs, aws, source, count):
    for i in range(count):
        sqs.send_message(QueueUrl=source, MessageBody=str(i))
    for _ in range(3):
        while sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10).get("Messages"):
            pass
        aws.clock.advance(30)


def test_move_task_redrives_messages_back_to_their_source(sqs, pair, aws):
    source, dlq = pair
    _fill_dlq(sqs, aws, source, 5)
    assert counts(sqs, dlq) == (5, 0, 0)
    handle = sqs.start_message_move_task(SourceArn=arn_of(sqs, dlq))["TaskHandle"]
    assert handle
    assert counts(sqs, dlq) == (0, 0, 0)
    messages = sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    assert sorted(m["Body"] for m in messages) == ["0", "1", "2", "3", "4"]
    assert all(m["Attributes"]["ApproximateReceiveCount"] == "1" for m in messages)
    [task] = sqs.list_message_move_tasks(SourceArn=arn_of(sqs, dlq))["Results"]
    assert task["Status"] == "COMPLETED"
    assert task["ApproximateNumberOfMessagesMoved"] == 5
    assert task["ApproximateNumberOfMessagesToMove"] == 5
    assert "TaskHandle" not in task
    with pytest.raises(ClientError):
        sqs.cancel_message_move_task(TaskHandle=handle)


def test_rate_limited_move_task_follows_the_clock_and_can_be_cancelled(sqs, pair, aws):
    source, dlq = pair
    other = sqs.create_queue(QueueName="elsewhere")["QueueUrl"]
    _fill_dlq(sqs, aws, source, 10)
    dlq_arn = arn_of(sqs, dlq)
    handle = sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=arn_of(sqs, other),
                                         MaxNumberOfMessagesPerSecond=2)["TaskHandle"]
    with pytest.raises(ClientError) as excinfo:
        sqs.start_message_move_task(SourceArn=dlq_arn)
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"
    aws.clock.advance(2)
    [task] = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
    assert task["Status"] == "RUNNING" and task["TaskHandle"] == handle
    assert task["ApproximateNumberOfMessagesMoved"] == 4
    assert task["MaxNumberOfMessagesPerSecond"] == 2
    assert task["DestinationArn"] == arn_of(sqs, other)
    assert counts(sqs, other) == (4, 0, 0)
    assert sqs.cancel_message_move_task(TaskHandle=handle)["ApproximateNumberOfMessagesMoved"] == 4
    aws.clock.advance(10)
    assert counts(sqs, other) == (4, 0, 0)
    assert sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]["Status"] == "CANCELLED"


def test_move_task_fails_when_the_original_source_is_gone(sqs, pair, aws):
    source, dlq = pair
    _fill_dlq(sqs, aws, source, 2)
    sqs.create_queue(QueueName="other-source", Attributes={"RedrivePolicy": redrive(arn_of(sqs, dlq))})
    sqs.delete_queue(QueueUrl=source)
    sqs.start_message_move_task(SourceArn=arn_of(sqs, dlq))
    [task] = sqs.list_message_move_tasks(SourceArn=arn_of(sqs, dlq))["Results"]
    assert task["Status"] == "FAILED"
    assert task["FailureReason"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert task["ApproximateNumberOfMessagesMoved"] == 0
    assert counts(sqs, dlq) == (2, 0, 0)


def test_move_task_checks(sqs, pair):
    source, dlq = pair
    with pytest.raises(sqs.exceptions.ResourceNotFoundException):
        sqs.start_message_move_task(SourceArn=arn_of(sqs, dlq) + "-gone")
    with pytest.raises(ClientError) as excinfo:
        sqs.start_message_move_task(SourceArn=arn_of(sqs, source))
    assert error_of(excinfo)["Message"] == "Source queue must be configured as a Dead Letter Queue."
    with pytest.raises(ClientError, match="Value for parameter TaskHandle is invalid"):
        sqs.cancel_message_move_task(TaskHandle="bm9wZQ==")
    assert sqs.list_message_move_tasks(SourceArn=arn_of(sqs, dlq))["Results"] == []


# -- the internal API ---------------------------------------------------------------------------
def test_internal_api(sqs, queue, aws):
    backend = aws.backend("sqs")
    arn = backend.queue_arn_for_url(queue)
    assert arn == arn_of(sqs, queue)
    assert backend.queue_arn_for_url("http://localhost/123456789012/jobs") == arn
    message_id = backend.deliver_message(arn, "from sns", message_attributes={
        "k": {"DataType": "String", "StringValue": "v"}})
    [received] = backend.receive_for_consumer(arn, 10, visibility_timeout=60)
    assert received["MessageId"] == message_id
    assert received["Body"] == "from sns"
    assert received["MessageAttributes"] == {"k": {"DataType": "String", "StringValue": "v"}}
    assert received["Attributes"]["ApproximateReceiveCount"] == "1"
    assert backend.queue_attributes(arn)["ApproximateNumberOfMessagesNotVisible"] == "1"
    assert backend.summary() == {"queues": [{
        "name": "jobs", "account": "123456789012", "region": "us-east-1", "url": queue, "fifo": False,
        "visible": 0, "in_flight": 1, "delayed": 0}]}
    assert aws.state.sqs.queues("jobs")["in_flight"] == 1
    backend.delete_by_receipt(arn, received["ReceiptHandle"])
    assert backend.queue_attributes(arn)["ApproximateNumberOfMessagesNotVisible"] == "0"
    with pytest.raises(AwsError) as excinfo:
        backend.deliver_message(arn + "-gone", "x")
    assert excinfo.value.code == "AWS.SimpleQueueService.NonExistentQueue"
    with pytest.raises(AwsError) as excinfo:
        backend.deliver_message(arn, "\x00")
    assert excinfo.value.code == "InvalidMessageContents"


def test_internal_delivery_to_fifo_deduplicates(sqs, fifo, aws):
    backend = aws.backend("sqs")
    arn = arn_of(sqs, fifo)
    first = backend.deliver_message(arn, "x", message_group_id="g", deduplication_id="d")
    assert backend.deliver_message(arn, "x", message_group_id="g", deduplication_id="d") == first
    with pytest.raises(AwsError):
        backend.deliver_message(arn, "x")
    assert counts(sqs, fifo) == (1, 0, 0)


def test_state_survives_a_rolled_back_call(sqs, queue, aws):
    """A failed batch leaves the indexes in step with the records (watchers replay the undo)."""
    sqs.send_message(QueueUrl=queue, MessageBody="keep")
    with pytest.raises(ClientError):
        sqs.send_message_batch(QueueUrl=queue, Entries=[{"Id": "a", "MessageBody": "x"}] * 2)
    assert counts(sqs, queue) == (1, 0, 0)
    aws.reset()
    assert sqs.list_queues().get("QueueUrls") is None


def test_watchers_replay_a_rolled_back_change(sqs, queue, aws):
    backend = aws.backend("sqs")
    arn = arn_of(sqs, queue)
    savepoint = aws.store.begin()
    backend.deliver_message(arn, "undone")
    aws.store.rollback(savepoint)
    assert counts(sqs, queue) == (0, 0, 0)
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)


def test_snapshot_and_restore_bring_back_the_lifecycle(sqs, queue, aws):
    for body in ("a", "b"):
        sqs.send_message(QueueUrl=queue, MessageBody=body)
    [in_flight] = sqs.receive_message(QueueUrl=queue)["Messages"]
    aws.snapshot("before")
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=in_flight["ReceiptHandle"])
    sqs.purge_queue(QueueUrl=queue)
    aws.restore("before")
    assert counts(sqs, queue) == (1, 1, 0)
    aws.clock.advance(30)
    assert sorted(m["Body"] for m in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]) == ["a", "b"]


def test_state_and_receipt_handles_survive_a_restart(tmp_path):
    from kumo_intercept import kumo
    import boto3
    with kumo(clock="virtual", data_dir=str(tmp_path)) as aws:
        sqs = boto3.client("sqs")
        url = sqs.create_queue(QueueName="durable.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
        first = sqs.send_message(QueueUrl=url, MessageBody="one", MessageGroupId="g", MessageDeduplicationId="1")
        sqs.send_message(QueueUrl=url, MessageBody="two", MessageGroupId="g", MessageDeduplicationId="2")
        [message] = sqs.receive_message(QueueUrl=url)["Messages"]
        aws.restart()
        assert counts(sqs, url) == (1, 1, 0)
        assert sqs.send_message(QueueUrl=url, MessageBody="one", MessageGroupId="g",
                                MessageDeduplicationId="1")["MessageId"] == first["MessageId"]
        third = sqs.send_message(QueueUrl=url, MessageBody="three", MessageGroupId="g", MessageDeduplicationId="3")
        assert int(third["SequenceNumber"]) > int(first["SequenceNumber"])
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        assert [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]] == ["two", "three"]
