"""SQS FIFO queues through boto3: group ordering and locking, deduplication, sequence numbers,
ReceiveRequestAttemptId, and the FIFO-specific checks."""

from __future__ import annotations

import hashlib

import pytest
from botocore.exceptions import ClientError

from sqs_helpers import counts, error_of


def send(sqs, url, body, group="g", dedup=None, **kwargs):
    return sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group,
                            MessageDeduplicationId=dedup or body, **kwargs)


def bodies(sqs, url, **kwargs):
    return [m["Body"] for m in sqs.receive_message(QueueUrl=url, **kwargs).get("Messages", [])]


def test_order_within_a_group_and_sequence_numbers(sqs, fifo):
    numbers = [int(send(sqs, fifo, str(i))["SequenceNumber"]) for i in range(5)]
    assert numbers == sorted(numbers) and len(set(numbers)) == 5
    assert all(len(str(n)) == 20 for n in numbers)
    messages = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in messages] == ["0", "1", "2", "3", "4"]
    first = messages[0]["Attributes"]
    assert first["MessageGroupId"] == "g"
    assert first["MessageDeduplicationId"] == "0"
    assert first["SequenceNumber"] == str(numbers[0])


def test_a_group_stays_locked_while_any_message_is_in_flight(sqs, fifo, aws):
    for i in range(3):
        send(sqs, fifo, f"a{i}", group="a")
    send(sqs, fifo, "b0", group="b")
    assert bodies(sqs, fifo) == ["a0"]
    assert bodies(sqs, fifo, MaxNumberOfMessages=10) == ["b0"]   # group a is locked
    assert bodies(sqs, fifo, MaxNumberOfMessages=10) == []
    aws.clock.advance(30)
    assert bodies(sqs, fifo, MaxNumberOfMessages=10) == ["a0", "a1", "a2", "b0"]


def test_deleting_the_in_flight_message_unlocks_its_group(sqs, fifo):
    send(sqs, fifo, "first")
    send(sqs, fifo, "second")
    [message] = sqs.receive_message(QueueUrl=fifo)["Messages"]
    assert bodies(sqs, fifo) == []
    sqs.delete_message(QueueUrl=fifo, ReceiptHandle=message["ReceiptHandle"])
    assert bodies(sqs, fifo) == ["second"]


def test_an_in_flight_message_holds_back_only_the_messages_after_it(sqs, fifo):
    """Recorded from AWS: LocalStack's test_fifo_group_visibility_extends_with_change_message_visibility
    (a message ahead of an in-flight one in its group is received again; the ones behind it are not)."""
    for body in ("one", "two", "three"):
        send(sqs, fifo, body)
    first, second = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=2)["Messages"]
    sqs.change_message_visibility(QueueUrl=fifo, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=0)
    again = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in again] == ["one"]  # "two" is in flight, so "three" waits
    sqs.delete_message(QueueUrl=fifo, ReceiptHandle=second["ReceiptHandle"])
    sqs.change_message_visibility(QueueUrl=fifo, ReceiptHandle=again[0]["ReceiptHandle"], VisibilityTimeout=0)
    assert bodies(sqs, fifo, MaxNumberOfMessages=10) == ["one", "three"]


def test_explicit_deduplication_within_five_minutes(sqs, fifo, aws):
    first = send(sqs, fifo, "body", dedup="d1")
    again = send(sqs, fifo, "other body", dedup="d1")
    assert again["MessageId"] == first["MessageId"]
    assert again["SequenceNumber"] == first["SequenceNumber"]
    assert counts(sqs, fifo) == (1, 0, 0)
    aws.clock.advance(299)
    send(sqs, fifo, "body", dedup="d1")
    assert counts(sqs, fifo) == (1, 0, 0)
    aws.clock.advance(1)
    assert send(sqs, fifo, "body", dedup="d1")["MessageId"] != first["MessageId"]
    assert counts(sqs, fifo) == (2, 0, 0)


def test_deduplication_holds_after_the_message_was_deleted(sqs, fifo):
    send(sqs, fifo, "x", dedup="d")
    [message] = sqs.receive_message(QueueUrl=fifo)["Messages"]
    sqs.delete_message(QueueUrl=fifo, ReceiptHandle=message["ReceiptHandle"])
    send(sqs, fifo, "x", dedup="d")
    assert counts(sqs, fifo) == (0, 0, 0)


def test_content_based_deduplication(sqs):
    url = sqs.create_queue(QueueName="cbd.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    first = sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    second = sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g",
                              MessageAttributes={"a": {"DataType": "String", "StringValue": "differs"}})
    assert second["MessageId"] == first["MessageId"]
    sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g", MessageDeduplicationId="explicit")
    assert counts(sqs, url) == (2, 0, 0)
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["MessageDeduplicationId"])
    assert messages["Messages"][0]["Attributes"]["MessageDeduplicationId"] == hashlib.sha256(b"same").hexdigest()


def test_deduplication_scope_message_group(sqs):
    url = sqs.create_queue(QueueName="scoped.fifo", Attributes={
        "FifoQueue": "true", "DeduplicationScope": "messageGroup",
        "FifoThroughputLimit": "perMessageGroupId"})["QueueUrl"]
    send(sqs, url, "x", group="a", dedup="d")
    send(sqs, url, "x", group="b", dedup="d")
    send(sqs, url, "x", group="a", dedup="d")
    assert counts(sqs, url) == (2, 0, 0)


def test_queue_scope_deduplicates_across_groups(sqs, fifo):
    send(sqs, fifo, "x", group="a", dedup="d")
    send(sqs, fifo, "x", group="b", dedup="d")
    assert counts(sqs, fifo) == (1, 0, 0)


def test_fifo_checks(sqs, fifo):
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=fifo, MessageBody="x", MessageDeduplicationId="d")
    assert error_of(excinfo)["Code"] == "MissingParameter"
    assert error_of(excinfo)["Message"] == "The request must contain the parameter MessageGroupId."
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=fifo, MessageBody="x", MessageGroupId="g")
    assert error_of(excinfo)["Message"] == ("The queue should either have ContentBasedDeduplication enabled or "
                                            "MessageDeduplicationId provided explicitly")
    with pytest.raises(ClientError) as excinfo:
        send(sqs, fifo, "x", DelaySeconds=5)
    assert error_of(excinfo)["Message"] == ("Value 5 for parameter DelaySeconds is invalid. Reason: The request "
                                            "include parameter that is not valid for this queue type.")
    with pytest.raises(ClientError) as excinfo:
        send(sqs, fifo, "x", group="has space")
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"
    with pytest.raises(ClientError):
        send(sqs, fifo, "x", dedup="d" * 129)


def test_deduplication_id_on_a_standard_queue_is_refused(sqs, queue):
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue, MessageBody="x", MessageDeduplicationId="d")
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"


def test_message_group_on_a_standard_queue_is_a_fair_queue_tenant(sqs, queue):
    sqs.send_message(QueueUrl=queue, MessageBody="x", MessageGroupId="tenant-1")
    [message] = sqs.receive_message(QueueUrl=queue, MessageSystemAttributeNames=["MessageGroupId"])["Messages"]
    assert message["Attributes"] == {"MessageGroupId": "tenant-1"}


def test_fifo_queue_delay_applies_to_every_message(sqs, aws):
    url = sqs.create_queue(QueueName="late.fifo", Attributes={"FifoQueue": "true", "DelaySeconds": "10"})["QueueUrl"]
    send(sqs, url, "x")
    send(sqs, url, "y", DelaySeconds=0)  # accepted, but FIFO queues delay per queue only
    assert counts(sqs, url) == (0, 0, 2)
    aws.clock.advance(10)
    assert bodies(sqs, url, MaxNumberOfMessages=10) == ["x", "y"]


def test_receive_request_attempt_id_returns_the_same_messages(sqs, fifo, aws):
    for i in range(3):
        send(sqs, fifo, str(i), group=f"g{i}")
    first = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=2, ReceiveRequestAttemptId="try-1")["Messages"]
    again = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=2, ReceiveRequestAttemptId="try-1")["Messages"]
    assert [(m["MessageId"], m["ReceiptHandle"]) for m in again] == [
        (m["MessageId"], m["ReceiptHandle"]) for m in first]
    # a retry resets the visibility timeout
    aws.clock.advance(20)
    sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=2, ReceiveRequestAttemptId="try-1")
    aws.clock.advance(20)
    assert counts(sqs, fifo) == (1, 2, 0)
    other = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=2, ReceiveRequestAttemptId="try-2")["Messages"]
    assert [m["Body"] for m in other] == ["2"]


def test_attempt_id_is_spent_once_a_message_is_deleted(sqs, fifo):
    send(sqs, fifo, "a", group="a")
    send(sqs, fifo, "b", group="b")
    [first] = sqs.receive_message(QueueUrl=fifo, ReceiveRequestAttemptId="t")["Messages"]
    sqs.delete_message(QueueUrl=fifo, ReceiptHandle=first["ReceiptHandle"])
    [second] = sqs.receive_message(QueueUrl=fifo, ReceiveRequestAttemptId="t")["Messages"]
    assert second["Body"] == "b"


def test_expired_receipt_handle_on_fifo_queue(sqs, fifo, aws):
    send(sqs, fifo, "x")
    [message] = sqs.receive_message(QueueUrl=fifo)["Messages"]
    aws.clock.advance(31)
    with pytest.raises(ClientError) as excinfo:
        sqs.delete_message(QueueUrl=fifo, ReceiptHandle=message["ReceiptHandle"])
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"
    assert error_of(excinfo)["Message"].endswith("Reason: The receipt handle has expired.")
    assert counts(sqs, fifo) == (1, 0, 0)


def test_many_groups_are_served_in_send_order(sqs, fifo):
    for i in range(30):
        send(sqs, fifo, str(i), group=f"g{i % 3}")
    got = []
    while True:
        messages = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            break
        got.extend(m["Body"] for m in messages)
        sqs.delete_message_batch(QueueUrl=fifo, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
    assert sorted(got, key=int) == [str(i) for i in range(30)]
    for group in range(3):
        in_group = [int(b) for b in got if int(b) % 3 == group]
        assert in_group == sorted(in_group)
