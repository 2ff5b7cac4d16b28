"""Publishing: the SQS envelope, raw delivery, filter policies, MessageStructure, FIFO, batches,
Lambda subscribers, delivery failures and dead-letter queues."""

from __future__ import annotations

import base64
import json

import boto3
import pytest
from botocore.exceptions import ClientError

from kumo_intercept.services.awslambda import register_callable
from queue_helpers import drain, make_queue


def _subscribe(sns, topic, queue_arn, **attributes):
    return sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                         Attributes=attributes)["SubscriptionArn"]


def test_sqs_subscriber_gets_the_envelope(aws, sns, sqs, topic, queue):
    url, arn = queue
    subscription = _subscribe(sns, topic, arn)
    message_id = sns.publish(TopicArn=topic, Message="order 7 placed", Subject="Order",
                             MessageAttributes={
                                 "kind": {"DataType": "String", "StringValue": "placed"},
                                 "total": {"DataType": "Number", "StringValue": "42.5"},
                                 "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
                             })["MessageId"]
    [message] = drain(sqs, url)
    body = message["Body"]
    envelope = json.loads(body)
    assert list(envelope) == ["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp",
                              "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL",
                              "MessageAttributes"]
    assert envelope["Type"] == "Notification"
    assert envelope["MessageId"] == message_id
    assert envelope["TopicArn"] == topic
    assert envelope["Subject"] == "Order"
    assert envelope["Message"] == "order 7 placed"
    assert envelope["Timestamp"] == "2025-01-01T00:00:00.000Z"
    assert envelope["SignatureVersion"] == "1"
    assert len(base64.b64decode(envelope["Signature"])) == 256
    assert envelope["SigningCertURL"].startswith("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-")
    assert envelope["UnsubscribeURL"] == (
        f"https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={subscription}")
    assert envelope["MessageAttributes"] == {
        "kind": {"Type": "String", "Value": "placed"},
        "total": {"Type": "Number", "Value": "42.5"},
        "blob": {"Type": "Binary", "Value": "AAE="},
    }
    assert body.startswith('{\n  "Type" : "Notification",\n  "MessageId" : ')
    assert "MessageAttributes" not in message


def test_envelope_without_subject_or_attributes(sns, sqs, topic, queue):
    _subscribe(sns, topic, queue[1])
    sns.publish(TopicArn=topic, Message='{"json": "inside"}')
    envelope = json.loads(drain(sqs, queue[0])[0]["Body"])
    assert "Subject" not in envelope and "MessageAttributes" not in envelope
    assert json.loads(envelope["Message"]) == {"json": "inside"}


def test_fan_out_to_many_queues(sns, sqs, topic):
    queues = [make_queue(sqs, f"q{i}") for i in range(5)]
    for _url, arn in queues:
        _subscribe(sns, topic, arn)
    sns.publish(TopicArn=topic, Message="to all")
    for url, _arn in queues:
        assert [json.loads(m["Body"])["Message"] for m in drain(sqs, url)] == ["to all"]


def test_raw_message_delivery_passes_body_and_attributes(sns, sqs, topic, queue):
    _subscribe(sns, topic, queue[1], RawMessageDelivery="true")
    sns.publish(TopicArn=topic, Message="raw body",
                MessageAttributes={"kind": {"DataType": "String", "StringValue": "x"},
                                   "n": {"DataType": "Number", "StringValue": "3"}})
    [message] = drain(sqs, queue[0], MessageAttributeNames=["All"])
    assert message["Body"] == "raw body"
    assert message["MessageAttributes"] == {"kind": {"DataType": "String", "StringValue": "x"},
                                            "n": {"DataType": "Number", "StringValue": "3"}}


def test_message_structure_json_picks_the_protocol_entry(aws, sns, sqs, topic, queue):
    _subscribe(sns, topic, queue[1])
    sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15555550100")
    sns.publish(TopicArn=topic, MessageStructure="json",
                Message=json.dumps({"default": "generic", "sqs": "for queues"}))
    assert json.loads(drain(sqs, queue[0])[0]["Body"])["Message"] == "for queues"
    assert aws.backend("sns").outbox()[-1]["Body"] == "generic"


@pytest.mark.parametrize("message, reason", [
    ("not json", "Invalid parameter: Message Structure - JSON message body failed to parse"),
    (json.dumps({"sqs": "x"}), "Invalid parameter: Message Structure - No default entry in JSON message body"),
])
def test_message_structure_errors(sns, topic, message, reason):
    with pytest.raises(sns.exceptions.InvalidParameterException) as err:
        sns.publish(TopicArn=topic, MessageStructure="json", Message=message)
    assert err.value.response["Error"]["Message"] == reason


def test_publish_validation(sns, topic):
    with pytest.raises(ClientError) as err:
        sns.publish(TopicArn=topic, Message="")
    assert err.value.response["Error"]["Message"] == "Invalid parameter: Empty message"
    with pytest.raises(ClientError) as err:
        sns.publish(TopicArn=topic, Message="x" * 262145)
    assert err.value.response["Error"]["Message"] == "Invalid parameter: Message too long"
    with pytest.raises(ClientError) as err:
        sns.publish(TopicArn=topic, Message="x", Subject="line\nbreak")
    assert err.value.response["Error"]["Message"] == "Invalid parameter: Subject"
    with pytest.raises(sns.exceptions.InvalidParameterValueException) as err:
        sns.publish(TopicArn=topic, Message="x",
                    MessageAttributes={"n": {"DataType": "Number", "StringValue": "abc"}})
    assert err.value.response["Error"]["Code"] == "ParameterValueInvalid"
    with pytest.raises(sns.exceptions.InvalidParameterValueException) as err:
        sns.publish(TopicArn=topic, Message="x", MessageAttributes={"n": {"DataType": "Date", "StringValue": "1"}})
    assert "supported type prefixes is Binary, Number, and String" in err.value.response["Error"]["Message"]
    for name, message in [
        (".dot", "Invalid message attribute name starting with character '.' was found."),
        ("a..b", "Message attribute name can not have successive '.' character."),
        ("sp ace", "Invalid non-alphanumeric character '#x20' was found in the message attribute name. "
                   "Can only include alphanumeric characters, hyphens, underscores, or dots."),
    ]:
        with pytest.raises(sns.exceptions.InvalidParameterValueException) as err:
            sns.publish(TopicArn=topic, Message="x", MessageAttributes={name: {"DataType": "String",
                                                                               "StringValue": "v"}})
        assert err.value.response["Error"]["Message"] == message
    with pytest.raises(sns.exceptions.InvalidParameterValueException) as err:
        sns.publish(TopicArn=topic, Message="x", MessageAttributes={"b": {"DataType": "Binary", "StringValue": "v"}})
    assert err.value.response["Error"]["Message"] == "The message attribute 'b' with type 'Binary' must use field 'Binary'."
    with pytest.raises(ClientError) as err:
        sns.publish(Message="nowhere")
    assert err.value.response["Error"]["Message"] == (
        "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter")


# -- filter policies --------------------------------------------------------------------------------
ATTRIBUTE_CASES = [
    ({"color": ["red"]}, {"color": ("String", "red")}, True),
    ({"color": ["red"]}, {"color": ("String", "blue")}, False),
    ({"color": ["red"]}, {}, False),
    ({"color": [{"prefix": "re"}]}, {"color": ("String", "red")}, True),
    ({"color": [{"suffix": "ed"}]}, {"color": ("String", "red")}, True),
    ({"color": [{"anything-but": ["red", "blue"]}]}, {"color": ("String", "green")}, True),
    ({"color": [{"anything-but": ["red", "blue"]}]}, {"color": ("String", "red")}, False),
    ({"color": [{"anything-but": {"prefix": "r"}}]}, {"color": ("String", "red")}, False),
    ({"color": [{"equals-ignore-case": "RED"}]}, {"color": ("String", "Red")}, True),
    ({"price": [{"numeric": [">", 10, "<=", 20]}]}, {"price": ("Number", "20")}, True),
    ({"price": [{"numeric": [">", 10, "<=", 20]}]}, {"price": ("Number", "20.5")}, False),
    ({"price": [{"numeric": ["=", 5]}]}, {"price": ("Number", "5.0")}, True),
    ({"price": [{"numeric": [">", 1]}]}, {"price": ("String", "5")}, False),
    ({"price": [5]}, {"price": ("Number", "5")}, True),
    ({"vip": [{"exists": True}]}, {"vip": ("String", "yes")}, True),
    ({"vip": [{"exists": False}]}, {"vip": ("String", "yes")}, False),
    ({"vip": [{"exists": False}]}, {}, True),
    ({"tags": ["b"]}, {"tags": ("String.Array", '["a", "b"]')}, True),
    ({"tags": ["c"]}, {"tags": ("String.Array", '["a", "b"]')}, False),
    ({"color": ["red"], "size": ["L"]}, {"color": ("String", "red"), "size": ("String", "M")}, False),
    ({"$or": [{"color": ["red"]}, {"size": ["L"]}]}, {"size": ("String", "L")}, True),
    ({"$or": [{"color": ["red"]}, {"size": ["L"]}]}, {"size": ("String", "M")}, False),
]


@pytest.mark.parametrize("policy, attributes, delivered", ATTRIBUTE_CASES)
def test_filter_policy_on_attributes(sns, sqs, topic, queue, policy, attributes, delivered):
    _subscribe(sns, topic, queue[1], FilterPolicy=json.dumps(policy))
    sns.publish(TopicArn=topic, Message="m",
                MessageAttributes={k: {"DataType": t, "StringValue": v} for k, (t, v) in attributes.items()})
    assert len(drain(sqs, queue[0])) == (1 if delivered else 0)


BODY_CASES = [
    ({"order": {"status": ["paid"]}}, {"order": {"status": "paid"}}, True),
    ({"order": {"status": ["paid"]}}, {"order": {"status": "new"}}, False),
    ({"order": {"items": {"sku": [{"prefix": "A-"}]}}}, {"order": {"items": [{"sku": "B-1"}, {"sku": "A-2"}]}}, True),
    ({"total": [{"numeric": [">=", 100]}]}, {"total": 99.99}, False),
    ({"total": [{"numeric": [">=", 100]}]}, {"total": 100}, True),
    ({"source": [{"anything-but": "internal"}]}, {"source": "web"}, True),
    ({"missing": [{"exists": False}]}, {"other": 1}, True),
]


@pytest.mark.parametrize("policy, body, delivered", BODY_CASES)
def test_filter_policy_on_message_body(sns, sqs, topic, queue, policy, body, delivered):
    _subscribe(sns, topic, queue[1], FilterPolicy=json.dumps(policy), FilterPolicyScope="MessageBody")
    sns.publish(TopicArn=topic, Message=json.dumps(body))
    assert len(drain(sqs, queue[0])) == (1 if delivered else 0)


@pytest.mark.parametrize("policy, value, delivered", [
    ([100.123456789], 100.1234567, True),
    ([{"numeric": ["=", 100.123456789]}], 100.1234567, True),
    ([100.12345], 100.12355, False),
    ([{"numeric": [">", 1.000001]}], 1.000002, False),
])
def test_numbers_compare_to_five_decimal_places(sns, sqs, topic, queue, policy, value, delivered):
    """AWS's "Amazon SNS filter policy constraints": numeric matching has five digits of accuracy after
    the decimal point -- for message attributes and message bodies alike."""
    _subscribe(sns, topic, queue[1], FilterPolicy=json.dumps({"price": policy}))
    body_queue = sqs.create_queue(QueueName="by-body")["QueueUrl"]
    body_arn = sqs.get_queue_attributes(QueueUrl=body_queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    _subscribe(sns, topic, body_arn, FilterPolicy=json.dumps({"price": policy}), FilterPolicyScope="MessageBody")
    sns.publish(TopicArn=topic, Message=json.dumps({"price": value}),
                MessageAttributes={"price": {"DataType": "Number", "StringValue": str(value)}})
    assert (len(drain(sqs, queue[0])), len(drain(sqs, body_queue))) == ((1, 1) if delivered else (0, 0))


def test_body_policy_does_not_match_text_that_is_not_json(sns, sqs, topic, queue):
    _subscribe(sns, topic, queue[1], FilterPolicy=json.dumps({"a": [{"exists": False}]}),
               FilterPolicyScope="MessageBody")
    sns.publish(TopicArn=topic, Message="plain text")
    assert drain(sqs, queue[0]) == []


def test_filter_policy_changes_apply_to_the_next_publish(sns, sqs, topic, queue):
    arn = _subscribe(sns, topic, queue[1], FilterPolicy=json.dumps({"k": ["a"]}))
    attrs = {"k": {"DataType": "String", "StringValue": "b"}}
    sns.publish(TopicArn=topic, Message="1", MessageAttributes=attrs)
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicy",
                                    AttributeValue=json.dumps({"k": ["b"]}))
    sns.publish(TopicArn=topic, Message="2", MessageAttributes=attrs)
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue="")
    sns.publish(TopicArn=topic, Message="3")
    assert [json.loads(m["Body"])["Message"] for m in drain(sqs, queue[0])] == ["2", "3"]


# -- FIFO -------------------------------------------------------------------------------------------
def test_fifo_topic_to_fifo_queue(sns, sqs):
    topic = sns.create_topic(Name="jobs.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    url, arn = make_queue(sqs, "jobs.fifo", FifoQueue="true")
    _subscribe(sns, topic, arn)
    first = sns.publish(TopicArn=topic, Message="a", MessageGroupId="g1", MessageDeduplicationId="d1")
    again = sns.publish(TopicArn=topic, Message="a", MessageGroupId="g1", MessageDeduplicationId="d1")
    second = sns.publish(TopicArn=topic, Message="b", MessageGroupId="g1", MessageDeduplicationId="d2")
    assert again["MessageId"] == first["MessageId"]
    assert int(second["SequenceNumber"]) > int(first["SequenceNumber"])
    assert len(first["SequenceNumber"]) == 20
    messages = drain(sqs, url, MessageSystemAttributeNames=["All"])
    envelopes = [json.loads(m["Body"]) for m in messages]
    assert [e["Message"] for e in envelopes] == ["a", "b"]
    assert envelopes[0]["SequenceNumber"] == first["SequenceNumber"]
    assert "Signature" not in envelopes[0]
    assert messages[0]["Attributes"]["MessageGroupId"] == "g1"


def test_fifo_publish_rules(sns):
    topic = sns.create_topic(Name="jobs.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    with pytest.raises(ClientError) as err:
        sns.publish(TopicArn=topic, Message="a", MessageDeduplicationId="d")
    assert err.value.response["Error"]["Message"] == (
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
    with pytest.raises(ClientError) as err:
        sns.publish(TopicArn=topic, Message="a", MessageGroupId="g")
    assert "ContentBasedDeduplication" in err.value.response["Error"]["Message"]
    standard = sns.create_topic(Name="std")["TopicArn"]
    with pytest.raises(ClientError) as err:
        sns.publish(TopicArn=standard, Message="a", MessageDeduplicationId="d")
    assert "MessageDeduplicationId" in err.value.response["Error"]["Message"]


def test_content_based_deduplication_window(aws, sns, sqs):
    topic = sns.create_topic(Name="cb.fifo", Attributes={"FifoTopic": "true",
                                                        "ContentBasedDeduplication": "true"})["TopicArn"]
    url, arn = make_queue(sqs, "cb.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    _subscribe(sns, topic, arn)
    one = sns.publish(TopicArn=topic, Message="same", MessageGroupId="g")["MessageId"]
    assert sns.publish(TopicArn=topic, Message="same", MessageGroupId="g")["MessageId"] == one
    aws.clock.advance(301)
    assert sns.publish(TopicArn=topic, Message="same", MessageGroupId="g")["MessageId"] != one


def test_fifo_sqs_queue_cannot_subscribe_to_standard_topic(sns, sqs, topic):
    _url, arn = make_queue(sqs, "x.fifo", FifoQueue="true")
    with pytest.raises(ClientError) as err:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    assert "FIFO SQS Queues can not be subscribed to standard SNS topics" in err.value.response["Error"]["Message"]


# -- batches --------------------------------------------------------------------------------------
def test_publish_batch(sns, sqs, topic, queue):
    _subscribe(sns, topic, queue[1])
    response = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "one", "Message": "1"},
        {"Id": "two", "Message": "2", "Subject": "S"},
    ])
    assert [r["Id"] for r in response["Successful"]] == ["one", "two"]
    assert response["Failed"] == []
    assert sorted(json.loads(m["Body"])["Message"] for m in drain(sqs, queue[0])) == ["1", "2"]
    with pytest.raises(ClientError) as err:  # one invalid entry refuses the whole batch
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": "ok", "Message": "fine"}, {"Id": "bad", "Message": "x", "MessageStructure": "json"}])
    assert err.value.response["Error"]["Message"] == (
        "Invalid parameter: Message Structure - JSON message body failed to parse")
    assert drain(sqs, queue[0]) == []


def test_fifo_publish_batch(sns, sqs):
    topic = sns.create_topic(Name="b.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    with pytest.raises(ClientError) as err:
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": "a", "Message": "m", "MessageDeduplicationId": "d"}])
    assert err.value.response["Error"]["Message"] == (
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
    response = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "a", "Message": "m1", "MessageGroupId": "g", "MessageDeduplicationId": "1"},
        {"Id": "b", "Message": "m2", "MessageGroupId": "g", "MessageDeduplicationId": "2"}])
    first, second = response["Successful"]
    assert int(second["SequenceNumber"]) > int(first["SequenceNumber"])


def test_publish_batch_request_errors(sns, topic):
    with pytest.raises(sns.exceptions.TooManyEntriesInBatchRequestException):
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": str(i), "Message": "m"} for i in range(11)])
    with pytest.raises(sns.exceptions.BatchEntryIdsNotDistinctException):
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": "a", "Message": "m"}, {"Id": "a", "Message": "m"}])
    with pytest.raises(sns.exceptions.InvalidBatchEntryIdException):
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": "no spaces", "Message": "m"}])


# -- other subscribers and failures ----------------------------------------------------------------------
def test_lambda_subscriber_is_invoked_with_the_sns_event(aws, sns, topic):
    seen = []
    function_arn = register_callable("on-order", lambda event, context: seen.append(event))
    subscription = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function_arn)["SubscriptionArn"]
    sns.publish(TopicArn=topic, Message="hello lambda",
                MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})
    [event] = seen
    record = event["Records"][0]
    assert record["EventSource"] == "aws:sns"
    assert record["EventSubscriptionArn"] == subscription
    assert record["Sns"]["Message"] == "hello lambda"
    assert record["Sns"]["Subject"] is None
    assert record["Sns"]["MessageAttributes"] == {"k": {"Type": "String", "Value": "v"}}
    assert record["Sns"]["UnsubscribeUrl"].endswith(subscription)


def test_deleted_queue_is_a_delivery_failure_and_redrive_goes_to_the_dead_letter_queue(aws, sns, sqs, topic):
    url, arn = make_queue(sqs, "gone")
    dlq_url, dlq_arn = make_queue(sqs, "dlq")
    _subscribe(sns, topic, arn, RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn}))
    sqs.delete_queue(QueueUrl=url)
    sns.publish(TopicArn=topic, Message="lost")
    [failure] = aws.backend("sns").delivery_failures()
    assert failure["Endpoint"] == arn
    assert [json.loads(m["Body"])["Message"] for m in drain(sqs, dlq_url)] == ["lost"]


def test_publish_internal_for_other_services(aws, sns, sqs, topic, queue):
    _subscribe(sns, topic, queue[1])
    message_id = aws.backend("sns").publish_internal(topic, "from s3", subject="Amazon S3 Notification")
    envelope = json.loads(drain(sqs, queue[0])[0]["Body"])
    assert envelope["MessageId"] == message_id and envelope["Subject"] == "Amazon S3 Notification"


def test_cross_account_queue_subscription(aws, sns, topic):
    other_sqs = boto3.client("sqs", aws_access_key_id="111122223333", aws_secret_access_key="x")
    url, arn = make_queue(other_sqs, "theirs")
    assert arn.split(":")[4] == "111122223333"
    _subscribe(sns, topic, arn)
    sns.publish(TopicArn=topic, Message="across accounts")
    assert json.loads(drain(other_sqs, url)[0]["Body"])["Message"] == "across accounts"


def test_publish_to_a_topic_in_another_region_is_refused(sns):
    west = boto3.client("sns", region_name="eu-west-1")
    arn = west.create_topic(Name="west")["TopicArn"]
    with pytest.raises(ClientError) as err:
        sns.publish(TopicArn=arn, Message="x")
    assert err.value.response["Error"]["Code"] == "InvalidParameter"


def test_delivery_is_deterministic_for_a_seed():
    from kumo_intercept import kumo

    def run():
        with kumo(clock="virtual", seed=7):
            client, queues = boto3.client("sns"), boto3.client("sqs")
            topic = client.create_topic(Name="t")["TopicArn"]
            url, arn = make_queue(queues, "q")
            client.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
            client.publish(TopicArn=topic, Message="m")
            return drain(queues, url)[0]["Body"]
    assert run() == run()


def test_cross_region_queue_subscription(sns, topic):
    west_sqs = boto3.client("sqs", region_name="eu-west-1")
    url, arn = make_queue(west_sqs, "west-inbox")
    _subscribe(sns, topic, arn)
    sns.publish(TopicArn=topic, Message="across regions")
    envelope = json.loads(drain(west_sqs, url)[0]["Body"])
    assert envelope["Message"] == "across regions"
    assert envelope["UnsubscribeURL"].startswith("https://sns.us-east-1.amazonaws.com/")
