"""Journeys across services, each in one test and deterministic: what an event-driven application does
end to end, with Lambda functions running in-process."""

from __future__ import annotations

import io
import json
import textwrap
import zipfile

import boto3
import pytest

from kumo_intercept.services.awslambda import register_callable
from role_helpers import create_service_role

pytest.importorskip("kumo_intercept.services.s3.backend")
pytest.importorskip("kumo_intercept.services.dynamodb.backend")

ROLE = "arn:aws:iam::123456789012:role/app"

INGEST = textwrap.dedent('''
    import json
    import os
    import urllib.parse

    import boto3

    s3 = boto3.client("s3")
    table = boto3.resource("dynamodb").Table(os.environ["TABLE"])

    def handler(event, context):
        for message in event["Records"]:
            notification = json.loads(message["body"])
            for record in notification.get("Records", []):
                bucket = record["s3"]["bucket"]["name"]
                key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
                order = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
                table.put_item(Item={"id": order["id"], "total": order["total"], "source": key,
                                     "request": context.aws_request_id})
        return {"batchItemFailures": []}
''')


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _queue(sqs, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def test_upload_notification_queue_function_table(kumo):
    s3, sqs, lam, ddb = (boto3.client(name) for name in ("s3", "sqs", "lambda", "dynamodb"))
    ddb.create_table(TableName="orders", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    url, queue_arn = _queue(sqs, "uploads")
    s3.create_bucket(Bucket="incoming")
    s3.put_bucket_notification_configuration(Bucket="incoming", NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"],
                                 "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "orders/"},
                                                                    {"Name": "suffix", "Value": ".json"}]}}}]})
    create_service_role(ROLE)
    lam.create_function(FunctionName="ingest", Runtime="python3.12", Role=ROLE, Handler="ingest.handler",
                        Code={"ZipFile": _zip({"ingest.py": INGEST})}, Environment={"Variables": {"TABLE": "orders"}},
                        Timeout=30)
    lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName="ingest", BatchSize=10,
                                    FunctionResponseTypes=["ReportBatchItemFailures"])

    s3.put_object(Bucket="incoming", Key="orders/o 1.json", Body=json.dumps({"id": "o-1", "total": 42}))
    s3.put_object(Bucket="incoming", Key="ignored.txt", Body=b"not an order")

    item = ddb.get_item(TableName="orders", Key={"id": {"S": "o-1"}})["Item"]
    assert item["total"] == {"N": "42"} and item["source"] == {"S": "orders/o 1.json"}
    assert ddb.scan(TableName="orders")["Count"] == 1
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"  # the test event and the notification consumed
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
    names = kumo.calls.names()  # the handler's own boto3 calls were served by the same emulator
    assert {"s3.PutObject", "s3.GetObject", "dynamodb.PutItem"} <= set(names)


def test_s3_notifies_a_function_directly(kumo):
    s3, lam = boto3.client("s3"), boto3.client("lambda")
    seen = []
    arn = register_callable("on-upload", lambda event, context: seen.append(event))
    lam.add_permission(FunctionName="on-upload", StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::photos")
    s3.create_bucket(Bucket="photos")
    s3.put_bucket_notification_configuration(Bucket="photos", NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn, "Events": ["s3:ObjectRemoved:*"]}]})
    s3.put_object(Bucket="photos", Key="cat.png", Body=b"meow")
    assert seen == []
    s3.delete_object(Bucket="photos", Key="cat.png")
    [event] = seen
    record = event["Records"][0]
    assert record["eventSource"] == "aws:s3" and record["eventName"].startswith("ObjectRemoved:")
    assert record["s3"]["object"]["key"] == "cat.png" and record["s3"]["bucket"]["name"] == "photos"


def test_sns_subscription_invokes_the_function(kumo):
    pytest.importorskip("kumo_intercept.services.sns.backend")
    sns = boto3.client("sns")
    seen = []
    arn = register_callable("subscriber", lambda event, context: seen.append(event))
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn)
    sns.publish(TopicArn=topic, Message="disk full", Subject="ops")
    [event] = seen
    record = event["Records"][0]
    assert record["EventSource"] == "aws:sns"
    assert record["Sns"]["Message"] == "disk full" and record["Sns"]["TopicArn"] == topic


def test_eventbridge_rule_targets_the_function(kumo):
    pytest.importorskip("kumo_intercept.services.events.backend")
    events = boto3.client("events")
    seen = []
    arn = register_callable("on-order", lambda event, context: seen.append(event))
    events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}}))
    events.put_targets(Rule="orders", Targets=[{"Id": "fn", "Arn": arn}])
    events.put_events(Entries=[{"Source": "shop", "DetailType": "order", "Detail": json.dumps({"total": 50})},
                               {"Source": "shop", "DetailType": "order", "Detail": json.dumps({"total": 150})}])
    [event] = seen
    assert event["source"] == "shop" and event["detail"] == {"total": 150}


def test_table_stream_to_function_to_queue(kumo):
    ddb, sqs, lam = boto3.client("dynamodb"), boto3.client("sqs"), boto3.client("lambda")
    stream = ddb.create_table(
        TableName="users", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]["LatestStreamArn"]
    url, _ = _queue(sqs, "welcome-emails")
    code = textwrap.dedent(f'''
        import boto3
        sqs = boto3.client("sqs")
        def handler(event, context):
            for record in event["Records"]:
                if record["eventName"] == "INSERT":
                    sqs.send_message(QueueUrl="{url}", MessageBody=record["dynamodb"]["NewImage"]["email"]["S"])
    ''')
    create_service_role(ROLE)
    lam.create_function(FunctionName="welcome", Runtime="python3.12", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": _zip({"app.py": code})})
    lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="welcome", StartingPosition="LATEST")
    ddb.put_item(TableName="users", Item={"id": {"S": "u1"}, "email": {"S": "a@example.com"}})
    ddb.update_item(TableName="users", Key={"id": {"S": "u1"}}, UpdateExpression="SET age = :a",
                    ExpressionAttributeValues={":a": {"N": "3"}})
    bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]
    assert bodies == ["a@example.com"]


def test_async_invoke_failure_lands_in_the_dead_letter_queue(kumo):
    sqs, lam = boto3.client("sqs"), boto3.client("lambda")
    dlq_url, dlq_arn = _queue(sqs, "fn-dlq")
    register_callable("fragile", lambda event, context: 1 / 0)
    lam.update_function_configuration(FunctionName="fragile", DeadLetterConfig={"TargetArn": dlq_arn})
    lam.invoke(FunctionName="fragile", InvocationType="Event", Payload=b'{"id": 1}')
    [message] = sqs.receive_message(QueueUrl=dlq_url, MessageAttributeNames=["All"])["Messages"]
    assert json.loads(message["Body"]) == {"id": 1}
    assert message["MessageAttributes"]["ErrorMessage"]["StringValue"] == "division by zero"
