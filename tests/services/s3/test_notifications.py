"""S3 event notifications delivered to SQS (end to end), SNS, Lambda and EventBridge."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from s3_helpers import error_of


@pytest.fixture
def sqs(kumo):
    return boto3.client("sqs")


@pytest.fixture
def queue(sqs):
    url = sqs.create_queue(QueueName="s3-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _drain(sqs, url) -> list[dict]:
    bodies = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def _configure(s3, bucket, arn, events, rules=None, config_id="cfg"):
    entry = {"Id": config_id, "QueueArn": arn, "Events": events}
    if rules:
        entry["Filter"] = {"Key": {"FilterRules": rules}}
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [entry]})


def test_test_event_then_object_created(s3, sqs, bucket, queue):
    url, arn = queue
    _configure(s3, bucket, arn, ["s3:ObjectCreated:*"])
    test_event = _drain(sqs, url)
    assert len(test_event) == 1
    assert test_event[0]["Event"] == "s3:TestEvent"
    assert test_event[0]["Service"] == "Amazon S3"
    assert test_event[0]["Bucket"] == bucket
    put = s3.put_object(Bucket=bucket, Key="dir/my file.txt", Body=b"hello")
    events = _drain(sqs, url)
    assert len(events) == 1
    record = events[0]["Records"][0]
    assert record["eventVersion"] == "2.1"
    assert record["eventSource"] == "aws:s3"
    assert record["awsRegion"] == "us-east-1"
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["eventTime"].endswith("Z")
    assert "principalId" in record["userIdentity"]
    assert "sourceIPAddress" in record["requestParameters"]
    assert set(record["responseElements"]) == {"x-amz-request-id", "x-amz-id-2"}
    s3_part = record["s3"]
    assert s3_part["s3SchemaVersion"] == "1.0"
    assert s3_part["configurationId"] == "cfg"
    assert s3_part["bucket"]["name"] == bucket
    assert s3_part["bucket"]["arn"] == f"arn:aws:s3:::{bucket}"
    assert "principalId" in s3_part["bucket"]["ownerIdentity"]
    assert s3_part["object"]["key"] == "dir/my+file.txt"
    assert s3_part["object"]["size"] == 5
    assert s3_part["object"]["eTag"] == put["ETag"].strip('"')
    assert "versionId" not in s3_part["object"]
    assert s3_part["object"]["sequencer"]


def test_copy_multipart_and_removed_events(s3, sqs, versioned, queue):
    url, arn = queue
    _configure(s3, versioned, arn, ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"])
    _drain(sqs, url)
    put = s3.put_object(Bucket=versioned, Key="a", Body=b"x")
    s3.copy_object(Bucket=versioned, Key="b", CopySource={"Bucket": versioned, "Key": "a"})
    uid = s3.create_multipart_upload(Bucket=versioned, Key="c")["UploadId"]
    etag = s3.upload_part(Bucket=versioned, Key="c", UploadId=uid, PartNumber=1, Body=b"p")["ETag"]
    s3.complete_multipart_upload(Bucket=versioned, Key="c", UploadId=uid,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    marker = s3.delete_object(Bucket=versioned, Key="a")["VersionId"]
    s3.delete_object(Bucket=versioned, Key="a", VersionId=put["VersionId"])
    records = [e["Records"][0] for e in _drain(sqs, url)]
    assert [r["eventName"] for r in records] == [
        "ObjectCreated:Put", "ObjectCreated:Copy", "ObjectCreated:CompleteMultipartUpload",
        "ObjectRemoved:DeleteMarkerCreated", "ObjectRemoved:Delete"]
    assert records[0]["s3"]["object"]["versionId"] == put["VersionId"]
    assert records[3]["s3"]["object"]["versionId"] == marker
    assert "size" not in records[4]["s3"]["object"]
    sequencers = [r["s3"]["object"]["sequencer"] for r in records]
    assert sequencers == sorted(sequencers)


def test_filters_and_specific_event_names(s3, sqs, bucket, queue):
    url, arn = queue
    _configure(s3, bucket, arn, ["s3:ObjectCreated:Put"],
               rules=[{"Name": "prefix", "Value": "images/"}, {"Name": "suffix", "Value": ".jpg"}])
    _drain(sqs, url)
    s3.put_object(Bucket=bucket, Key="images/cat.jpg", Body=b"x")
    s3.put_object(Bucket=bucket, Key="images/cat.png", Body=b"x")
    s3.put_object(Bucket=bucket, Key="docs/cat.jpg", Body=b"x")
    s3.copy_object(Bucket=bucket, Key="images/copy.jpg", CopySource={"Bucket": bucket, "Key": "images/cat.jpg"})
    s3.delete_object(Bucket=bucket, Key="images/cat.jpg")
    keys = [e["Records"][0]["s3"]["object"]["key"] for e in _drain(sqs, url)]
    assert keys == ["images/cat.jpg"]
    conf = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert conf["QueueConfigurations"][0]["Filter"]["Key"]["FilterRules"] == [
        {"Name": "Prefix", "Value": "images/"}, {"Name": "Suffix", "Value": ".jpg"}]


def test_nonexistent_destination_is_refused(s3, sqs, bucket):
    arn = "arn:aws:sqs:us-east-1:123456789012:no-such-queue"
    with pytest.raises(ClientError) as exc:
        _configure(s3, bucket, arn, ["s3:ObjectCreated:*"])
    error = error_of(exc)
    assert error["Code"] == "InvalidArgument"
    assert error["Message"] == "Unable to validate the following destination configurations"
    assert error["ArgumentName1"] == arn
    assert s3.get_bucket_notification_configuration(Bucket=bucket).keys() == {"ResponseMetadata"}


def test_invalid_event_name(s3, bucket, queue):
    _url, arn = queue
    with pytest.raises(ClientError) as exc:
        _configure(s3, bucket, arn, ["s3:ObjectCreated:Nope"])
    assert error_of(exc)["Code"] == "InvalidArgument"


def test_overlapping_configurations(s3, bucket, queue):
    _url, arn = queue
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [
            {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]},
            {"QueueArn": arn, "Events": ["s3:ObjectCreated:Put"]}]})
    assert "overlap" in error_of(exc)["Message"]


def test_clearing_the_configuration_stops_delivery(s3, sqs, bucket, queue):
    url, arn = queue
    _configure(s3, bucket, arn, ["s3:ObjectCreated:*"])
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    _drain(sqs, url)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert _drain(sqs, url) == []


def test_sns_destination(s3, sqs, bucket, queue):
    sns = boto3.client("sns")
    url, queue_arn = queue
    topic = sns.create_topic(Name="s3-topic")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"TopicConfigurations": [
        {"TopicArn": topic, "Events": ["s3:ObjectRemoved:*"]}]})
    s3.put_object(Bucket=bucket, Key="gone", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="gone")
    bodies = _drain(sqs, url)
    assert bodies[0]["Event"] == "s3:TestEvent"
    assert bodies[1]["Records"][0]["eventName"] == "ObjectRemoved:Delete"
    with pytest.raises(ClientError):
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"TopicConfigurations": [
            {"TopicArn": topic + "-missing", "Events": ["s3:ObjectRemoved:*"]}]})


def test_lambda_destination(kumo, s3, bucket):
    from kumo_intercept.services.awslambda import register_callable

    seen = []
    arn = register_callable("on-upload", lambda event, context: seen.append(event))
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    s3.put_object(Bucket=bucket, Key="uploaded", Body=b"abc")
    kumo.drain()
    assert [e["Records"][0]["s3"]["object"]["key"] for e in seen] == ["uploaded"]
    with pytest.raises(ClientError):
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
            "LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn + "-nope", "Events": ["s3:ObjectCreated:*"]}]})


def test_eventbridge_delivery(kumo, s3, sqs, bucket, queue):
    """One "Object Created" event per PutObject, its detail.reason the operation's name "PutObject" (LocalStack's
    AWS-validated test_s3_notifications_eventbridge.py recordings; moto sends "ObjectCreated" and an extra
    tagging event)."""
    events = boto3.client("events")
    url, queue_arn = queue
    events.put_rule(Name="s3-created", EventPattern=json.dumps({"source": ["aws.s3"],
                                                                  "detail-type": ["Object Created"]}))
    events.put_targets(Rule="s3-created", Targets=[{"Id": "q", "Arn": queue_arn}])
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "EventBridgeConfiguration": {}})
    assert "EventBridgeConfiguration" in s3.get_bucket_notification_configuration(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="eb key", Body=b"12")
    bodies = _drain(sqs, url)
    assert len(bodies) == 1
    event = bodies[0]
    assert event["source"] == "aws.s3"
    assert event["detail-type"] == "Object Created"
    assert event["resources"] == [f"arn:aws:s3:::{bucket}"]
    detail = event["detail"]
    assert detail["bucket"] == {"name": bucket}
    assert detail["object"]["key"] == "eb key"
    assert detail["object"]["size"] == 2
    assert detail["reason"] == "PutObject"
