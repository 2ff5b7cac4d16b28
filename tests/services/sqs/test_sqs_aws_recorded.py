"""SQS answers pinned to responses recorded from real AWS.

Each test names the LocalStack AWS-validated test (tests/aws/services/sqs/test_sqs.py, its
``.snapshot.json``) whose recording it learned the fact from; the assertions are ours.
"""

from __future__ import annotations

import base64
import json

import pytest
from botocore.exceptions import ClientError


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> dict:
    return exc.value.response["Error"]


@pytest.mark.parametrize("attributes, message", [
    ({"FifoQueue": "false"}, "Unknown Attribute FifoQueue."),
    ({"ContentBasedDeduplication": "false"}, "Unknown Attribute ContentBasedDeduplication."),
    ({"DeduplicationScope": "queue"}, "You can specify the DeduplicationScope only when FifoQueue is set to true."),
    ({"FifoThroughputLimit": "perQueue"},
     "You can specify the FifoThroughputLimit only when FifoQueue is set to true."),
])
def test_standard_queue_with_fifo_attributes(sqs, attributes, message):
    """test_create_standard_queue_with_fifo_attribute_raises_error: the modeled error carries
    ``message`` at the top level too."""
    with pytest.raises(sqs.exceptions.InvalidAttributeName) as exc:
        sqs.create_queue(QueueName="standard", Attributes=attributes)
    assert error_of(exc) == {"Code": "InvalidAttributeName", "Message": message,
                             "QueryErrorCode": "InvalidAttributeName", "Type": "Sender"}
    assert exc.value.response["message"] == message


def test_legacy_codes_carry_no_top_level_message(sqs):
    """test_non_existent_queue: the legacy code names no error shape, so botocore adds no ``message``."""
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as exc:
        sqs.get_queue_url(QueueName="missing")
    assert error_of(exc) == {"Code": "AWS.SimpleQueueService.NonExistentQueue", "Type": "Sender",
                             "Message": "The specified queue does not exist.", "QueryErrorCode": "QueueDoesNotExist"}
    assert "message" not in exc.value.response


def test_unmodeled_codes_name_their_query_type(sqs, queue):
    """test_send_receive_max_number_of_messages and test_send_empty_message: QueryErrorCode is the
    ``...Exception`` type AWS sends."""
    with pytest.raises(ClientError) as exc:
        sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=11)
    assert error_of(exc)["Code"] == "InvalidParameterValue"
    assert error_of(exc)["QueryErrorCode"] == "InvalidParameterValueException"
    with pytest.raises(ClientError) as exc:
        sqs.send_message(QueueUrl=queue, MessageBody="")
    assert error_of(exc) == {"Code": "MissingParameter", "QueryErrorCode": "MissingRequiredParameterException",
                             "Message": "The request must contain the parameter MessageBody.", "Type": "Sender"}


def test_sse_kms_and_sse_sqs_together(sqs, queue):
    """test_sse_kms_and_sqs_are_mutually_exclusive."""
    with pytest.raises(sqs.exceptions.InvalidAttributeName) as exc:
        sqs.set_queue_attributes(QueueUrl=queue, Attributes={"KmsMasterKeyId": "testKeyId",
                                                             "SqsManagedSseEnabled": "true"})
    assert error_of(exc)["Message"] == ("You can use one type of server-side encryption (SSE) at one time. "
                                        "You can either enable KMS SSE or SQS SSE.")


@pytest.mark.parametrize("missing, message", [
    ("MessageGroupId", "The request must contain the parameter MessageGroupId."),
    ("MessageDeduplicationId",
     "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"),
])
def test_fifo_batch_missing_an_id_fails_as_a_whole(sqs, fifo, missing, message):
    """test_send_batch_missing_message_group_id_for_fifo_queue and
    test_send_batch_missing_deduplication_id_for_fifo_queue: nothing is sent."""
    complete = {"Id": "one", "MessageBody": "messageBody", "MessageGroupId": "g", "MessageDeduplicationId": "d1"}
    partial = {"Id": "two", "MessageBody": "messageBody", "MessageGroupId": "g", "MessageDeduplicationId": "d2"}
    del partial[missing]
    with pytest.raises(ClientError) as exc:
        sqs.send_message_batch(QueueUrl=fifo, Entries=[complete, partial])
    assert error_of(exc) == {"Code": "InvalidParameterValue", "Message": message, "Type": "Sender",
                             "QueryErrorCode": "InvalidParameterValueException"}
    assert "Messages" not in sqs.receive_message(QueueUrl=fifo)


def test_oversized_batch_entry_fails_alone(sqs):
    """test_send_batch_message_size: the entry over MaximumMessageSize fails, the other is sent."""
    url = sqs.create_queue(QueueName="small", Attributes={"MaximumMessageSize": "1024"})["QueueUrl"]
    answer = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "fits", "MessageBody": "a" * 1024},
                                                           {"Id": "over", "MessageBody": "a" * 1025}])
    assert [entry["Id"] for entry in answer["Successful"]] == ["fits"]
    assert answer["Failed"] == [{"Id": "over", "SenderFault": True, "Code": "InvalidParameterValue",
                                 "Message": "One or more parameters cannot be validated. Reason: Message must be "
                                            "shorter than 1024 bytes."}]


def test_change_visibility_after_it_expired(sqs, aws):
    """test_change_message_visibility_after_visibility_timeout_expiration: 200."""
    url = sqs.create_queue(QueueName="expiring", Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="test")
    receipt = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    aws.clock.advance(2)
    answer = sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=receipt, VisibilityTimeout=2)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200


@pytest.mark.parametrize("names, expected", [
    ([], None), (["All"], ["General", "Hello", "Help.Me"]), (["*"], ["General", "Hello", "Help.Me"]),
    ([".*"], ["General", "Hello", "Help.Me"]), (["Foo", "Help"], None), (["Hello", "General"], ["General", "Hello"]),
    (["Foo", "Hello"], ["Hello"]), (["Hel.*"], ["Hello", "Help.Me"]), (["AWS."], None), (["..foo"], None),
])
def test_message_attribute_names_filters(sqs, names, expected):
    """test_receive_message_message_attribute_names_filters."""
    url = sqs.create_queue(QueueName="filters", Attributes={"VisibilityTimeout": "0"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="msg", MessageAttributes={
        name: {"DataType": "String", "StringValue": value}
        for name, value in (("Help.Me", "Me"), ("Hello", "There"), ("General", "Kenobi"))})
    [message] = sqs.receive_message(QueueUrl=url, MessageAttributeNames=names)["Messages"]
    got = message.get("MessageAttributes")
    assert (sorted(got) if got is not None else None) == expected


@pytest.mark.parametrize("extended, receivable", [(0, []), (1, ["foo"]), (2, ["foo", "bar"])])
def test_fifo_visibility_extension_holds_back_what_follows(sqs, aws, extended, receivable):
    """test_fifo_group_visibility_extends_with_change_message_visibility[sqs-0/1/2-visible]."""
    url = sqs.create_queue(QueueName="group.fifo", Attributes={"FifoQueue": "true",
                                                               "VisibilityTimeout": "1"})["QueueUrl"]
    for body in ("foo", "bar", "baz"):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="1", MessageDeduplicationId=body)
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=5)["Messages"]
    assert [m["Body"] for m in received] == ["foo", "bar", "baz"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=received[extended]["ReceiptHandle"],
                                  VisibilityTimeout=4)
    aws.clock.advance(2.5)
    again = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=5).get("Messages", [])
    assert [m["Body"] for m in again] == receivable


def status_of(exc: pytest.ExceptionInfo[ClientError]) -> int:
    return exc.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_purge_in_progress_is_forbidden(sqs, queue):
    """test_successive_purge_calls_fail: AWS answers the second purge with 403."""
    sqs.purge_queue(QueueUrl=queue)
    with pytest.raises(sqs.exceptions.PurgeQueueInProgress) as exc:
        sqs.purge_queue(QueueUrl=queue)
    assert status_of(exc) == 403


def test_over_limit_is_forbidden(sqs, queue):
    """botocore's Query-protocol model of SQS (2012-11-05, before the JSON one) gives OverLimit
    ``httpStatusCode: 403``; the JSON model dropped the trait, AWS did not change the status."""
    with pytest.raises(sqs.exceptions.OverLimit) as exc:
        sqs.add_permission(QueueUrl=queue, Label="many", AWSAccountIds=["111122223333"],
                           Actions=["SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility",
                                    "GetQueueAttributes", "GetQueueUrl", "PurgeQueue", "ListQueueTags"])
    assert status_of(exc) == 403
    assert error_of(exc)["Message"] == "8 Actions were found, maximum allowed is 7."


def test_move_task_handles_aws_cannot_use(sqs, queue):
    """test_cancel_with_invalid_task_handle, test_cancel_with_invalid_source_arn_in_task_handle and
    test_cancel_with_invalid_task_id_in_task_handle: an unreadable handle is an invalid value (400), one
    naming an unknown queue or task is ResourceNotFoundException (404)."""
    with pytest.raises(ClientError) as exc:
        sqs.cancel_message_move_task(TaskHandle="foobared")
    assert error_of(exc)["Code"] == "InvalidParameterValue"
    assert error_of(exc)["Message"] == "Value for parameter TaskHandle is invalid."
    dlq = sqs.create_queue(QueueName="jobs-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={
        "RedrivePolicy": f'{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":1}}'})
    handle = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    unknown_task = base64.b64encode(json.dumps({"taskId": "no-such-task", "sourceArn": dlq_arn}).encode()).decode()
    with pytest.raises(sqs.exceptions.ResourceNotFoundException) as exc:
        sqs.cancel_message_move_task(TaskHandle=unknown_task)
    assert (error_of(exc)["Message"], status_of(exc)) == ("Task does not exist.", 404)
    sqs.delete_queue(QueueUrl=dlq)
    with pytest.raises(sqs.exceptions.ResourceNotFoundException) as exc:
        sqs.cancel_message_move_task(TaskHandle=handle)
    assert error_of(exc)["Message"] == "The resource that you specified for the SourceArn parameter doesn't exist."
    assert status_of(exc) == 404


def test_queue_named_by_its_bare_name(sqs, queue):
    """test_posting_to_queue_via_queue_name: QueueUrl may be the queue's name alone (the caller's own
    queue in the client's region); an unknown name is the unknown-queue error."""
    sqs.send_message(QueueUrl="jobs", MessageBody="by name")
    assert sqs.receive_message(QueueUrl="jobs")["Messages"][0]["Body"] == "by name"
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.send_message(QueueUrl="no-such-queue", MessageBody="x")


def test_url_naming_no_queue_is_an_unknown_queue(sqs):
    """moto's aws_verified test_get_queue_url_error_not_exists: a URL without account and name path is
    answered as an unknown queue, not as an invalid address."""
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_attributes(QueueUrl="http://whatever-incorrect-queue-address")
