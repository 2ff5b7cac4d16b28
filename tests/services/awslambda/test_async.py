"""Asynchronous invocation: retries, on-success/on-failure destinations, DLQ, and the internal API."""

from __future__ import annotations

import json

import boto3
import pytest

from kumo_intercept.services.awslambda import register_callable
from lambda_helpers import execution_role, make_zip


def _queue(sqs, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _bodies(sqs, url):
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get(
        "Messages", [])
    return messages


def test_failed_event_is_retried_twice_then_sent_to_on_failure_and_dlq(lam, sqs):
    failures_url, failures_arn = _queue(sqs, "failures")
    dlq_url, dlq_arn = _queue(sqs, "dlq")
    attempts = []

    def handler(event, context):
        attempts.append(context.aws_request_id)
        raise RuntimeError("nope")
    register_callable("flaky", handler)
    lam.update_function_configuration(FunctionName="flaky", DeadLetterConfig={"TargetArn": dlq_arn})
    lam.put_function_event_invoke_config(FunctionName="flaky",
                                         DestinationConfig={"OnFailure": {"Destination": failures_arn}})
    lam.invoke(FunctionName="flaky", InvocationType="Event", Payload=b'{"order": 7}')
    assert len(attempts) == 3 and len(set(attempts)) == 1  # one request id, three attempts
    [message] = _bodies(sqs, failures_url)
    record = json.loads(message["Body"])
    assert record["version"] == "1.0"
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestContext"]["functionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:flaky:$LATEST"
    assert record["requestPayload"] == {"order": 7}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    assert record["responsePayload"]["errorMessage"] == "nope"
    [dead] = _bodies(sqs, dlq_url)
    assert json.loads(dead["Body"]) == {"order": 7}
    assert dead["MessageAttributes"]["ErrorMessage"]["StringValue"] == "nope"
    assert dead["MessageAttributes"]["RequestID"]["StringValue"] == attempts[0]


def test_retry_attempts_setting_and_success_destination(lam, sqs):
    ok_url, ok_arn = _queue(sqs, "ok")
    calls = []

    def handler(event, context):
        calls.append(event)
        if event.get("fail"):
            raise ValueError("x")
        return {"done": event["n"]}
    register_callable("f", handler)
    lam.put_function_event_invoke_config(FunctionName="f", MaximumRetryAttempts=0,
                                         DestinationConfig={"OnSuccess": {"Destination": ok_arn}})
    lam.invoke(FunctionName="f", InvocationType="Event", Payload=b'{"fail": true}')
    assert len(calls) == 1
    lam.invoke(FunctionName="f", InvocationType="Event", Payload=b'{"n": 3}')
    [message] = _bodies(sqs, ok_url)
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "Success"
    assert record["responsePayload"] == {"done": 3}
    assert "functionError" not in record["responseContext"]


def test_lambda_destination_and_internal_api(kumo, lam):
    received = []
    register_callable("sink", lambda event, context: received.append(event))
    dest = lam.get_function(FunctionName="sink")["Configuration"]["FunctionArn"]
    register_callable("source", lambda event, context: "result")
    lam.put_function_event_invoke_config(FunctionName="source",
                                         DestinationConfig={"OnSuccess": {"Destination": dest}})
    backend = kumo.backend("lambda")
    source_arn = "arn:aws:lambda:us-east-1:123456789012:function:source"
    out = backend.invoke_internal(source_arn, b'{"a": 1}', invocation_type="RequestResponse")
    assert out["StatusCode"] == 200 and out["Payload"] == b'"result"' and out["ExecutedVersion"] == "$LATEST"
    assert received == []  # only asynchronous invocations go to destinations
    assert backend.invoke_internal(source_arn, b'{"a": 2}')["StatusCode"] == 202
    kumo.drain()
    assert received[0]["requestPayload"] == {"a": 2} and received[0]["responsePayload"] == "result"
    assert backend.function_exists(source_arn) and not backend.function_exists(source_arn + "x")


def test_sns_and_eventbridge_destinations(kumo, lam, sqs):
    pytest.importorskip("kumo_intercept.services.sns.backend")
    pytest.importorskip("kumo_intercept.services.events.backend")
    sns = boto3.client("sns")
    events = boto3.client("events")
    topic = sns.create_topic(Name="results")["TopicArn"]
    topic_url, topic_queue = _queue(sqs, "from-topic")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=topic_queue, Attributes={"RawMessageDelivery": "true"})
    bus_url, bus_queue = _queue(sqs, "from-bus")
    events.put_rule(Name="lambda-results", EventPattern=json.dumps({"source": ["lambda"]}))
    events.put_targets(Rule="lambda-results", Targets=[{"Id": "q", "Arn": bus_queue}])
    register_callable("f", lambda event, context: 1 / 0 if event.get("fail") else "fine")
    bus = "arn:aws:events:us-east-1:123456789012:event-bus/default"
    lam.put_function_event_invoke_config(FunctionName="f", MaximumRetryAttempts=0, DestinationConfig={
        "OnSuccess": {"Destination": bus}, "OnFailure": {"Destination": topic}})
    lam.invoke(FunctionName="f", InvocationType="Event", Payload=b"{}")
    lam.invoke(FunctionName="f", InvocationType="Event", Payload=b'{"fail": true}')
    [from_bus] = _bodies(sqs, bus_url)
    event = json.loads(from_bus["Body"])
    assert event["detail-type"] == "Lambda Function Invocation Result - Success"
    assert event["detail"]["responsePayload"] == "fine"
    [from_topic] = _bodies(sqs, topic_url)
    assert json.loads(from_topic["Body"])["requestContext"]["condition"] == "RetriesExhausted"


def test_code_from_s3(kumo, lam):
    pytest.importorskip("kumo_intercept.services.s3.backend")
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="artifacts")
    s3.put_object(Bucket="artifacts", Key="fn.zip", Body=make_zip({"app.py": "def handler(e, c):\n    return 's3'\n"}))
    lam.create_function(FunctionName="f", Runtime="python3.12", Role=execution_role(),
                        Handler="app.handler", Code={"S3Bucket": "artifacts", "S3Key": "fn.zip"})
    assert lam.invoke(FunctionName="f")["Payload"].read() == b'"s3"'
    with pytest.raises(lam.exceptions.InvalidParameterValueException, match="NoSuchKey"):
        lam.update_function_code(FunctionName="f", S3Bucket="artifacts", S3Key="missing.zip")
