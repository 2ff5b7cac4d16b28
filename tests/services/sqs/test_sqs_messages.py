"""SQS messages through boto3: send/receive/delete, the visibility lifecycle, delays, retention, MD5s,
attribute selection, batches, receipt handles, long polling (virtual and wall clock), concurrency."""

from __future__ import annotations

import hashlib
import json
import struct
import threading
import time

import boto3
import pytest
from botocore.exceptions import ClientError

from kumo_intercept import kumo
from sqs_helpers import counts, error_of


def attributes_md5(attributes: dict) -> str:
    """AWS's documented MD5 of message attributes, written independently of the backend."""
    digest = hashlib.md5()
    for name in sorted(attributes):
        value = attributes[name]

        def put(data: bytes) -> None:
            digest.update(struct.pack("!I", len(data)) + data)

        put(name.encode())
        put(value["DataType"].encode())
        if "BinaryValue" in value:
            digest.update(b"\x02")
            put(value["BinaryValue"])
        else:
            digest.update(b"\x01")
            put(value["StringValue"].encode())
    return digest.hexdigest()


def receive(sqs, url, **kwargs):
    return sqs.receive_message(QueueUrl=url, **kwargs).get("Messages", [])


# -- send and receive ---------------------------------------------------------------------------
def test_send_receive_delete(sqs, queue):
    sent = sqs.send_message(QueueUrl=queue, MessageBody="hello")
    assert sent["MD5OfMessageBody"] == hashlib.md5(b"hello").hexdigest()
    assert len(sent["MessageId"]) == 36
    assert "MD5OfMessageAttributes" not in sent and "SequenceNumber" not in sent
    [message] = receive(sqs, queue)
    assert message["Body"] == "hello"
    assert message["MessageId"] == sent["MessageId"]
    assert message["MD5OfBody"] == sent["MD5OfMessageBody"]
    assert "Attributes" not in message and "MessageAttributes" not in message
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    assert counts(sqs, queue) == (0, 0, 0)


def test_receive_from_an_empty_queue_has_no_messages_key(sqs, queue):
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)


def test_max_number_of_messages_and_order(sqs, queue):
    for i in range(15):
        sqs.send_message(QueueUrl=queue, MessageBody=str(i))
    first = receive(sqs, queue, MaxNumberOfMessages=10)
    assert [m["Body"] for m in first] == [str(i) for i in range(10)]
    assert [m["Body"] for m in receive(sqs, queue, MaxNumberOfMessages=10)] == [str(i) for i in range(10, 15)]
    assert counts(sqs, queue) == (0, 15, 0)


@pytest.mark.parametrize("kwargs,name", [
    ({"MaxNumberOfMessages": 11}, "MaxNumberOfMessages"), ({"MaxNumberOfMessages": 0}, "MaxNumberOfMessages"),
    ({"VisibilityTimeout": 43201}, "VisibilityTimeout"), ({"WaitTimeSeconds": 21}, "WaitTimeSeconds"),
])
def test_receive_parameter_limits(sqs, queue, kwargs, name):
    with pytest.raises(ClientError) as excinfo:
        sqs.receive_message(QueueUrl=queue, **kwargs)
    error = error_of(excinfo)
    assert error["Code"] == "InvalidParameterValue"
    assert error["Message"].startswith(f"Value {kwargs[name]} for parameter {name} is invalid. Reason: ")


# -- the visibility lifecycle -------------------------------------------------------------------
def test_message_in_flight_until_visibility_timeout_passes(sqs, queue, aws):
    sqs.send_message(QueueUrl=queue, MessageBody="work")
    [first] = receive(sqs, queue, AttributeNames=["ApproximateReceiveCount"])
    assert first["Attributes"]["ApproximateReceiveCount"] == "1"
    assert counts(sqs, queue) == (0, 1, 0)
    assert receive(sqs, queue) == []
    aws.clock.advance(29.9)
    assert receive(sqs, queue) == []
    aws.clock.advance(0.1)
    assert counts(sqs, queue) == (1, 0, 0)
    [second] = receive(sqs, queue, AttributeNames=["ApproximateReceiveCount"])
    assert second["MessageId"] == first["MessageId"]
    assert second["Attributes"]["ApproximateReceiveCount"] == "2"
    assert second["ReceiptHandle"] != first["ReceiptHandle"]


def test_clock_advance_31_is_all_a_test_needs(sqs, queue, aws):
    sqs.send_message(QueueUrl=queue, MessageBody="retry me")
    receive(sqs, queue)
    aws.clock.advance(31)
    assert [m["Body"] for m in receive(sqs, queue)] == ["retry me"]


def test_receive_visibility_timeout_overrides_the_queues(sqs, queue, aws):
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    receive(sqs, queue, VisibilityTimeout=5)
    aws.clock.advance(5)
    assert len(receive(sqs, queue, VisibilityTimeout=0)) == 1
    assert len(receive(sqs, queue)) == 1  # a zero timeout leaves it visible at once


def test_change_message_visibility(sqs, queue, aws):
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    [message] = receive(sqs, queue)
    sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=100)
    aws.clock.advance(99)
    assert receive(sqs, queue) == []
    sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    assert counts(sqs, queue) == (1, 0, 0)
    # visible again, the latest handle still changes it (recorded from AWS: LocalStack's
    # test_change_message_visibility_after_visibility_timeout_expiration answers 200)
    sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=5)
    assert counts(sqs, queue) == (0, 1, 0)
    aws.clock.advance(5)
    [again] = receive(sqs, queue)
    with pytest.raises(sqs.exceptions.MessageNotInflight) as excinfo:  # an older handle does not
        sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=5)
    assert error_of(excinfo)["Code"] == "AWS.SimpleQueueService.MessageNotInflight"
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=again["ReceiptHandle"])
    assert counts(sqs, queue) == (0, 0, 0)


def test_visibility_cannot_extend_past_12_hours_from_receipt(sqs, queue, aws):
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    [message] = receive(sqs, queue, VisibilityTimeout=3600)
    aws.clock.advance(100)
    with pytest.raises(ClientError) as excinfo:
        sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=43200)
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"
    assert "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]" in error_of(excinfo)["Message"]
    sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=43100)


def test_change_visibility_of_a_deleted_message(sqs, queue):
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    [message] = receive(sqs, queue)
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    with pytest.raises(ClientError) as excinfo:
        sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=5)
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"


def test_approximate_first_receive_timestamp_and_sent_timestamp(sqs, queue, aws):
    sent_ms = int(aws.clock.time() * 1000)
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    aws.clock.advance(2)
    [first] = receive(sqs, queue, MessageSystemAttributeNames=["All"], VisibilityTimeout=1)
    aws.clock.advance(5)
    [second] = receive(sqs, queue, MessageSystemAttributeNames=["All"])
    assert first["Attributes"]["SentTimestamp"] == str(sent_ms)
    assert first["Attributes"]["ApproximateFirstReceiveTimestamp"] == str(sent_ms + 2000)
    assert second["Attributes"]["ApproximateFirstReceiveTimestamp"] == str(sent_ms + 2000)
    assert second["Attributes"]["SenderId"] == "123456789012"


# -- receipt handles ----------------------------------------------------------------------------
def test_invalid_receipt_handle(sqs, queue):
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid) as excinfo:
        sqs.delete_message(QueueUrl=queue, ReceiptHandle="garbage")
    assert error_of(excinfo) == {
        "Code": "ReceiptHandleIsInvalid", "QueryErrorCode": "ReceiptHandleIsInvalid", "Type": "Sender",
        "Message": 'The input receipt handle "garbage" is not a valid receipt handle.'}
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
        sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle="garbage", VisibilityTimeout=1)


def test_receipt_handle_of_another_queue_is_invalid(sqs, queue):
    other = sqs.create_queue(QueueName="other")["QueueUrl"]
    sqs.send_message(QueueUrl=other, MessageBody="x")
    [message] = receive(sqs, other)
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])


def test_deleting_twice_succeeds(sqs, queue):
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    [message] = receive(sqs, queue)
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])


def test_stale_receipt_handle_succeeds_without_deleting(sqs, queue, aws):
    """AWS: delete needs the most recent receipt handle; an older one succeeds but deletes nothing."""
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    [old] = receive(sqs, queue)
    aws.clock.advance(30)
    [new] = receive(sqs, queue)
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=old["ReceiptHandle"])
    assert counts(sqs, queue) == (0, 1, 0)
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=new["ReceiptHandle"])
    assert counts(sqs, queue) == (0, 0, 0)


def test_latest_handle_deletes_after_visibility_expired_on_standard_queue(sqs, queue, aws):
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    [message] = receive(sqs, queue)
    aws.clock.advance(60)
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    assert counts(sqs, queue) == (0, 0, 0)


# -- delays and retention -----------------------------------------------------------------------
def test_per_message_delay(sqs, queue, aws):
    sqs.send_message(QueueUrl=queue, MessageBody="later", DelaySeconds=10)
    sqs.send_message(QueueUrl=queue, MessageBody="now")
    assert counts(sqs, queue) == (1, 0, 1)
    assert [m["Body"] for m in receive(sqs, queue, MaxNumberOfMessages=10)] == ["now"]
    aws.clock.advance(10)
    assert [m["Body"] for m in receive(sqs, queue, MaxNumberOfMessages=10)] == ["later"]


def test_queue_delay_and_message_delay_override(sqs, aws):
    url = sqs.create_queue(QueueName="slow", Attributes={"DelaySeconds": "60"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="queue delay")
    sqs.send_message(QueueUrl=url, MessageBody="no delay", DelaySeconds=0)
    assert counts(sqs, url) == (1, 0, 1)
    aws.clock.advance(60)
    assert counts(sqs, url) == (2, 0, 0)


def test_delay_seconds_limit(sqs, queue):
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue, MessageBody="x", DelaySeconds=901)
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"


def test_retention_period_expires_messages(sqs, aws):
    url = sqs.create_queue(QueueName="short", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="old")
    aws.clock.advance(30)
    sqs.send_message(QueueUrl=url, MessageBody="young")
    receive(sqs, url, VisibilityTimeout=0, MaxNumberOfMessages=10)
    aws.clock.advance(30)
    assert counts(sqs, url) == (1, 0, 0)
    assert [m["Body"] for m in receive(sqs, url)] == ["young"]
    aws.clock.advance(30)
    assert counts(sqs, url) == (0, 0, 0)


# -- attributes and MD5s ------------------------------------------------------------------------
MESSAGE_ATTRIBUTES = {
    "trace.id": {"DataType": "String", "StringValue": "abc-123"},
    "trace.depth": {"DataType": "Number", "StringValue": "3"},
    "payload": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
    "kind": {"DataType": "String.custom", "StringValue": "ünïcode ✓"},
}


def test_message_attributes_round_trip_with_aws_md5(sqs, queue):
    sent = sqs.send_message(QueueUrl=queue, MessageBody="x", MessageAttributes=MESSAGE_ATTRIBUTES)
    assert sent["MD5OfMessageAttributes"] == attributes_md5(MESSAGE_ATTRIBUTES)
    [message] = receive(sqs, queue, MessageAttributeNames=["All"])
    assert message["MessageAttributes"] == MESSAGE_ATTRIBUTES
    assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]


def test_known_attribute_md5(sqs, queue):
    """A digest computed by hand from AWS's algorithm for one String attribute."""
    sent = sqs.send_message(QueueUrl=queue, MessageBody="x",
                            MessageAttributes={"a": {"DataType": "String", "StringValue": "b"}})
    expected = hashlib.md5(b"\x00\x00\x00\x01a" b"\x00\x00\x00\x06String" b"\x01" b"\x00\x00\x00\x01b").hexdigest()
    assert sent["MD5OfMessageAttributes"] == expected


@pytest.mark.parametrize("names,expected", [
    (["All"], set(MESSAGE_ATTRIBUTES)),
    ([".*"], set(MESSAGE_ATTRIBUTES)),
    (["trace.*"], {"trace.id", "trace.depth"}),
    (["payload", "absent"], {"payload"}),
    (["absent"], set()),
])
def test_message_attribute_selection(sqs, queue, names, expected):
    sqs.send_message(QueueUrl=queue, MessageBody="x", MessageAttributes=MESSAGE_ATTRIBUTES)
    [message] = receive(sqs, queue, MessageAttributeNames=names)
    got = message.get("MessageAttributes", {})
    assert set(got) == expected
    if expected:
        assert message["MD5OfMessageAttributes"] == attributes_md5(got)
    else:
        assert "MD5OfMessageAttributes" not in message


def test_system_attribute_selection(sqs, queue):
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    [message] = receive(sqs, queue, MessageSystemAttributeNames=["SentTimestamp", "SenderId"], VisibilityTimeout=0)
    assert set(message["Attributes"]) == {"SentTimestamp", "SenderId"}
    [message] = receive(sqs, queue, AttributeNames=["All"])
    assert set(message["Attributes"]) == {"SenderId", "SentTimestamp", "ApproximateReceiveCount",
                                          "ApproximateFirstReceiveTimestamp"}


def test_trace_header_system_attribute(sqs, queue):
    header = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
    system = {"AWSTraceHeader": {"DataType": "String", "StringValue": header}}
    sent = sqs.send_message(QueueUrl=queue, MessageBody="x", MessageSystemAttributes=system)
    assert sent["MD5OfMessageSystemAttributes"] == attributes_md5(system)
    [message] = receive(sqs, queue, MessageSystemAttributeNames=["AWSTraceHeader"])
    assert message["Attributes"] == {"AWSTraceHeader": header}


def test_binary_attribute_given_as_text(sqs, queue):
    sqs.send_message(QueueUrl=queue, MessageBody="x",
                     MessageAttributes={"b": {"DataType": "Binary", "BinaryValue": "text"}})
    [message] = receive(sqs, queue, MessageAttributeNames=["All"])
    assert message["MessageAttributes"]["b"]["BinaryValue"] == b"text"


@pytest.mark.parametrize("attributes,fragment", [
    ({"AWS.reserved": {"DataType": "String", "StringValue": "x"}}, "is invalid"),
    ({"amazon.x": {"DataType": "String", "StringValue": "x"}}, "is invalid"),
    ({".lead": {"DataType": "String", "StringValue": "x"}}, "is invalid"),
    ({"a..b": {"DataType": "String", "StringValue": "x"}}, "is invalid"),
    ({"sp ace": {"DataType": "String", "StringValue": "x"}}, "is invalid"),
    ({"n": {"DataType": "Integer", "StringValue": "1"}}, "supported type prefixes"),
    ({"n": {"DataType": "Number", "StringValue": "one"}}, "to a number"),
    ({"n": {"DataType": "String", "StringValue": ""}}, "must contain non-empty message attribute value"),
    ({"n": {"DataType": "Binary", "StringValue": "x"}}, "must use field 'Binary'"),
    ({f"a{i}": {"DataType": "String", "StringValue": "x"} for i in range(11)},
     "Number of message attributes [11] exceeds the allowed maximum [10]."),
])
def test_invalid_message_attributes(sqs, queue, attributes, fragment):
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue, MessageBody="x", MessageAttributes=attributes)
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"
    assert fragment in error_of(excinfo)["Message"]


def test_invalid_body_characters(sqs, queue):
    with pytest.raises(sqs.exceptions.InvalidMessageContents) as excinfo:
        sqs.send_message(QueueUrl=queue, MessageBody="bell\x07")
    assert error_of(excinfo)["Message"].startswith("Invalid binary character '#x7' was found in the message body")
    for ok in ("tab\tnew\nline\r", "\ud7ff\ue000\ufffd", "\U0001F600"):
        sqs.send_message(QueueUrl=queue, MessageBody=ok)
    with pytest.raises(sqs.exceptions.InvalidMessageContents):
        sqs.send_message(QueueUrl=queue, MessageBody="\ufffe")


def test_empty_body_is_missing_parameter(sqs, queue):
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue, MessageBody="")
    assert error_of(excinfo)["Code"] == "MissingParameter"


def test_message_size_limit_counts_attributes(sqs):
    url = sqs.create_queue(QueueName="small", Attributes={"MaximumMessageSize": "1024"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x" * 1024)
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x" * 1025)
    assert error_of(excinfo)["Message"] == ("One or more parameters are invalid. Reason: Message must be "
                                            "shorter than 1024 bytes.")
    with pytest.raises(ClientError):
        sqs.send_message(QueueUrl=url, MessageBody="x" * 1000,
                         MessageAttributes={"name": {"DataType": "String", "StringValue": "y" * 20}})
    with pytest.raises(ClientError):  # multi-byte characters count as bytes
        sqs.send_message(QueueUrl=url, MessageBody="é" * 513)


def test_default_maximum_message_size_is_one_mebibyte(sqs, queue):
    sqs.send_message(QueueUrl=queue, MessageBody="x" * 1_048_576)
    with pytest.raises(ClientError):
        sqs.send_message(QueueUrl=queue, MessageBody="x" * 1_048_577)


# -- batches ------------------------------------------------------------------------------------
def test_send_batch_with_per_entry_failures(sqs, queue):
    result = sqs.send_message_batch(QueueUrl=queue, Entries=[
        {"Id": "ok", "MessageBody": "fine", "MessageAttributes": {"a": {"DataType": "String", "StringValue": "b"}}},
        {"Id": "bad-delay", "MessageBody": "x", "DelaySeconds": 901},
        {"Id": "bad_chars", "MessageBody": "\x00"},
        {"Id": "late", "MessageBody": "later", "DelaySeconds": 5},
    ])
    assert [e["Id"] for e in result["Successful"]] == ["ok", "late"]
    assert result["Successful"][0]["MD5OfMessageBody"] == hashlib.md5(b"fine").hexdigest()
    assert result["Successful"][0]["MD5OfMessageAttributes"] == attributes_md5(
        {"a": {"DataType": "String", "StringValue": "b"}})
    failed = {e["Id"]: e for e in result["Failed"]}
    assert failed["bad-delay"]["Code"] == "InvalidParameterValue" and failed["bad-delay"]["SenderFault"] is True
    assert failed["bad_chars"]["Code"] == "InvalidMessageContents"
    assert counts(sqs, queue) == (1, 0, 1)


@pytest.mark.parametrize("entries,shape,code", [
    ([], "EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest"),
    ([{"Id": str(i), "MessageBody": "x"} for i in range(11)], "TooManyEntriesInBatchRequest",
     "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"),
    ([{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}], "BatchEntryIdsNotDistinct",
     "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"),
    ([{"Id": "no spaces", "MessageBody": "x"}], "InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId"),
    ([{"Id": "x" * 81, "MessageBody": "x"}], "InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId"),
])
def test_batch_request_errors(sqs, queue, entries, shape, code):
    with pytest.raises(getattr(sqs.exceptions, shape)) as excinfo:
        sqs.send_message_batch(QueueUrl=queue, Entries=entries)
    assert error_of(excinfo)["Code"] == code
    assert error_of(excinfo)["QueryErrorCode"] == shape
    assert counts(sqs, queue) == (0, 0, 0)


def test_batch_error_messages(sqs, queue):
    with pytest.raises(sqs.exceptions.EmptyBatchRequest) as excinfo:
        sqs.delete_message_batch(QueueUrl=queue, Entries=[])
    assert error_of(excinfo)["Message"] == "There should be at least one DeleteMessageBatchRequestEntry in the request."
    with pytest.raises(sqs.exceptions.TooManyEntriesInBatchRequest) as excinfo:
        sqs.change_message_visibility_batch(QueueUrl=queue, Entries=[
            {"Id": str(i), "ReceiptHandle": "h", "VisibilityTimeout": 1} for i in range(11)])
    assert error_of(excinfo)["Message"] == "Maximum number of entries per request are 10. You have sent 11."
    with pytest.raises(sqs.exceptions.BatchEntryIdsNotDistinct) as excinfo:
        sqs.delete_message_batch(QueueUrl=queue, Entries=[{"Id": "a", "ReceiptHandle": "h"}] * 2)
    assert error_of(excinfo)["Message"] == "Id a repeated."


def test_batch_request_too_long(sqs):
    """The batch limit is 1 MiB whatever the queue's MaximumMessageSize (recorded from AWS: LocalStack's
    test_send_message_batch_with_oversized_contents*)."""
    url = sqs.create_queue(QueueName="small", Attributes={"MaximumMessageSize": "1024"})["QueueUrl"]
    with pytest.raises(sqs.exceptions.BatchRequestTooLong) as excinfo:
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "x" * 110_000}
                                                      for i in range(10)])
    assert error_of(excinfo)["Code"] == "AWS.SimpleQueueService.BatchRequestTooLong"
    assert error_of(excinfo)["Message"] == ("Batch requests cannot be longer than 1048576 bytes. "
                                           "You have sent 1100000 bytes.")


def test_delete_and_change_visibility_batches(sqs, queue, aws):
    for i in range(4):
        sqs.send_message(QueueUrl=queue, MessageBody=str(i))
    messages = receive(sqs, queue, MaxNumberOfMessages=4)
    result = sqs.change_message_visibility_batch(QueueUrl=queue, Entries=[
        {"Id": "a", "ReceiptHandle": messages[0]["ReceiptHandle"], "VisibilityTimeout": 0},
        {"Id": "b", "ReceiptHandle": messages[1]["ReceiptHandle"], "VisibilityTimeout": 300},
        {"Id": "c", "ReceiptHandle": "garbage", "VisibilityTimeout": 1},
    ])
    assert [e["Id"] for e in result["Successful"]] == ["a", "b"]
    assert result["Failed"][0]["Id"] == "c" and result["Failed"][0]["Code"] == "ReceiptHandleIsInvalid"
    assert counts(sqs, queue) == (1, 3, 0)
    result = sqs.delete_message_batch(QueueUrl=queue, Entries=[
        {"Id": f"m{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)] + [
        {"Id": "bad", "ReceiptHandle": "garbage"}])
    assert [e["Id"] for e in result["Successful"]] == ["m0", "m1", "m2", "m3"]
    assert [e["Id"] for e in result["Failed"]] == ["bad"]
    assert counts(sqs, queue) == (0, 0, 0)


# -- limits -------------------------------------------------------------------------------------
def test_in_flight_limit_is_over_limit(sqs, queue, aws, monkeypatch):
    backend = aws.backend("sqs")
    monkeypatch.setattr(type(backend), "MAX_IN_FLIGHT", 3)
    for i in range(5):
        sqs.send_message(QueueUrl=queue, MessageBody=str(i))
    assert len(receive(sqs, queue, MaxNumberOfMessages=10)) == 3
    with pytest.raises(sqs.exceptions.OverLimit) as excinfo:
        sqs.receive_message(QueueUrl=queue)
    assert error_of(excinfo)["Code"] == "OverLimit"


# -- long polling -------------------------------------------------------------------------------
def test_virtual_long_poll_returns_when_a_delayed_message_arrives(sqs, queue, aws):
    start = aws.clock.time()
    sqs.send_message(QueueUrl=queue, MessageBody="soon", DelaySeconds=7)
    [message] = receive(sqs, queue, WaitTimeSeconds=20)
    assert message["Body"] == "soon"
    assert aws.clock.time() == start + 7


def test_virtual_long_poll_returns_when_visibility_expires(sqs, queue, aws):
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    receive(sqs, queue, VisibilityTimeout=12)
    start = aws.clock.time()
    assert len(receive(sqs, queue, WaitTimeSeconds=20)) == 1
    assert aws.clock.time() == start + 12


def test_virtual_long_poll_with_nothing_coming_ends_after_the_window(sqs, queue, aws):
    sqs.send_message(QueueUrl=queue, MessageBody="too late", DelaySeconds=60)
    start = aws.clock.time()
    assert receive(sqs, queue, WaitTimeSeconds=20) == []
    assert aws.clock.time() == start + 20


def test_queue_receive_wait_time_is_the_default_wait(sqs, aws):
    url = sqs.create_queue(QueueName="polled", Attributes={"ReceiveMessageWaitTimeSeconds": "5"})["QueueUrl"]
    start = aws.clock.time()
    assert receive(sqs, url) == []
    assert aws.clock.time() == start + 5
    assert receive(sqs, url, WaitTimeSeconds=0) == []
    assert aws.clock.time() == start + 5


def _long_poll_woken_by(wake, url: str | None = None) -> list:
    """Long-poll a queue with nothing to deliver on the wall clock from a thread, call ``wake(url)``
    while it waits, and return what the poll received (it must return long before its 20 s window)."""
    sqs = boto3.client("sqs")
    url = url or sqs.create_queue(QueueName="wake")["QueueUrl"]
    got: list = []
    receiver = threading.Thread(target=lambda: got.extend(receive(sqs, url, WaitTimeSeconds=20)))
    receiver.start()
    time.sleep(0.2)
    assert receiver.is_alive()  # waiting for a message, holding no lock
    wake(url)
    receiver.join(timeout=15)
    assert not receiver.is_alive()
    return [m["Body"] for m in got]


def test_wall_clock_long_poll_wakes_when_another_thread_sends():
    with kumo():
        sender = boto3.client("sqs")
        assert _long_poll_woken_by(lambda url: sender.send_message(QueueUrl=url, MessageBody="ping")) == ["ping"]


def test_wall_clock_long_poll_wakes_on_an_internal_delivery():
    with kumo() as aws:
        backend = aws.backend("sqs")
        woken = _long_poll_woken_by(lambda url: backend.deliver_message(backend.queue_arn_for_url(url), "internal"))
        assert woken == ["internal"]


def test_wall_clock_long_poll_waits_past_a_message_bound_for_the_dlq():
    with kumo():
        sqs = boto3.client("sqs")
        dlq = sqs.create_queue(QueueName="dead")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        url = sqs.create_queue(QueueName="live", Attributes={"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})})["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="poison")
        receive(sqs, url, VisibilityTimeout=0)  # visible again, and at its receive limit
        woken = _long_poll_woken_by(lambda u: sqs.send_message(QueueUrl=u, MessageBody="fine"), url)
        assert woken == ["fine"]
        assert [m["Body"] for m in receive(sqs, dlq)] == ["poison"]


def test_wall_clock_long_poll_waits_the_window():
    with kumo():
        sqs = boto3.client("sqs")
        url = sqs.create_queue(QueueName="quiet")["QueueUrl"]
        started = time.monotonic()
        assert receive(sqs, url, WaitTimeSeconds=1) == []
        assert time.monotonic() - started >= 0.95


# -- many consumers -----------------------------------------------------------------------------
def test_many_consumer_threads_get_every_message_exactly_once():
    total, workers = 600, 8
    with kumo():
        producer = boto3.client("sqs")
        url = producer.create_queue(QueueName="work", Attributes={"VisibilityTimeout": "300"})["QueueUrl"]
        for start in range(0, total, 10):
            producer.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "MessageBody": str(start + i)} for i in range(10)])
        seen: list[list[str]] = [[] for _ in range(workers)]
        clients = [boto3.client("sqs") for _ in range(workers)]
        # every thread holds its first batch in flight until all eight have one: many in-flight
        # receivers at once, whatever the scheduler does
        all_in_flight = threading.Barrier(workers, timeout=60)

        def consume(index: int) -> None:
            client = clients[index]
            first = True
            while True:
                messages = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
                if not messages:
                    return
                seen[index].extend(m["Body"] for m in messages)
                if first:
                    all_in_flight.wait()
                    first = False
                client.delete_message_batch(QueueUrl=url, Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])

        threads = [threading.Thread(target=consume, args=(i,)) for i in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        everything = [body for bodies in seen for body in bodies]
        assert sorted(everything, key=int) == [str(i) for i in range(total)]
        assert all(seen), "every consumer received messages"


def test_many_long_polling_consumers_share_a_stream_of_messages():
    workers, total = 4, 200
    with kumo():
        producer = boto3.client("sqs")
        url = producer.create_queue(QueueName="stream")["QueueUrl"]
        got: list[str] = []
        lock = threading.Lock()
        clients = [boto3.client("sqs") for _ in range(workers)]

        def consume(client) -> None:
            while True:
                messages = client.receive_message(QueueUrl=url, WaitTimeSeconds=1,
                                                  MaxNumberOfMessages=10).get("Messages", [])
                if not messages:
                    return
                with lock:
                    got.extend(m["Body"] for m in messages)
                for m in messages:
                    client.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

        threads = [threading.Thread(target=consume, args=(c,)) for c in clients]
        for thread in threads:
            thread.start()
        for i in range(total):
            producer.send_message(QueueUrl=url, MessageBody=str(i))
        for thread in threads:
            thread.join()
        assert sorted(got, key=int) == [str(i) for i in range(total)]
