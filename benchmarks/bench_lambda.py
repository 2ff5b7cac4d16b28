"""Lambda benchmarks: invoking a trivial Python function in-process, and the S3 put -> SQS
notification journey, each against its baseline.

    python benchmarks/bench_lambda.py

Targets (issue 8): invoking a trivial Python function ≤ 3× the botocore floor of Invoke; an S3 put
whose notification lands in SQS ≤ 3× a plain put (both served by kumo). Also shown: a trivial zip
function vs a registered callable, an invoke with ``LogType=Tail``, a message through an SQS event
source mapping, and moto for reference (moto runs Lambda in Docker; skipped when it cannot).
"""

from __future__ import annotations

import io
import json
import zipfile

import boto3

from common import compare, floor_client, report

from kumo_intercept import kumo
from kumo_intercept.services.awslambda import register_callable

ROLE = "arn:aws:iam::123456789012:role/bench"
LAMBDA_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
INVOKE_OUTPUT = {"StatusCode": 200, "ExecutedVersion": "$LATEST", "Payload": b"null"}


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return None\n")
    return buffer.getvalue()


def bench_invoke() -> None:
    floor = floor_client("lambda", {"Invoke": INVOKE_OUTPUT})
    aws = kumo().start()
    try:
        lam = boto3.client("lambda")
        boto3.client("iam").create_role(RoleName="bench", AssumeRolePolicyDocument=LAMBDA_TRUST)
        lam.create_function(FunctionName="trivial", Runtime="python3.12", Role=ROLE, Handler="app.handler",
                            Code={"ZipFile": _zip()})
        register_callable("callable", lambda event, context: None)
        payload = b'{"n": 1}'
        results = compare({
            "floor": lambda: floor.invoke(FunctionName="trivial", Payload=payload),
            "kumo zip": lambda: lam.invoke(FunctionName="trivial", Payload=payload),
            "kumo callable": lambda: lam.invoke(FunctionName="callable", Payload=payload),
            "kumo zip, LogType=Tail": lambda: lam.invoke(FunctionName="trivial", Payload=payload, LogType="Tail"),
        }, emulator=aws, calls=300)
    finally:
        aws.stop()
    report("lambda.Invoke of a trivial Python function (target: kumo ≤ 3× floor)", results)


def bench_s3_to_sqs() -> None:
    aws = kumo().start()
    try:
        s3, sqs = boto3.client("s3"), boto3.client("sqs")
        url = sqs.create_queue(QueueName="uploads")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        s3.create_bucket(Bucket="plain")
        s3.create_bucket(Bucket="notifying")
        s3.put_bucket_notification_configuration(Bucket="notifying", NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
        body = b"x" * 1024
        results = compare({
            "kumo plain put": lambda: s3.put_object(Bucket="plain", Key="k", Body=body),
            "kumo put -> SQS notification": lambda: s3.put_object(Bucket="notifying", Key="k", Body=body),
        }, emulator=aws, calls=300)
        sqs.purge_queue(QueueUrl=url)
    finally:
        aws.stop()
    report("S3 put with an SQS notification (target ≤ 3× a plain put)", results, baseline="kumo plain put")


def bench_sqs_mapping() -> None:
    floor = floor_client("sqs", {"SendMessage": {"MessageId": "m", "MD5OfMessageBody": "x"}})
    aws = kumo().start()
    try:
        sqs = boto3.client("sqs")
        plain = sqs.create_queue(QueueName="plain")["QueueUrl"]
        mapped = sqs.create_queue(QueueName="mapped")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=mapped, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        register_callable("consumer", lambda event, context: None)
        boto3.client("lambda").create_event_source_mapping(EventSourceArn=arn, FunctionName="consumer")
        results = compare({
            "floor": lambda: floor.send_message(QueueUrl=plain, MessageBody="m"),
            "kumo send (mapping idle)": lambda: sqs.send_message(QueueUrl=plain, MessageBody="m"),
            "kumo send -> mapping -> fn": lambda: sqs.send_message(QueueUrl=mapped, MessageBody="m"),
        }, emulator=aws, calls=300)
        sqs.purge_queue(QueueUrl=plain)
    finally:
        aws.stop()
    report("SQS message through an event source mapping", results)


if __name__ == "__main__":
    bench_invoke()
    bench_s3_to_sqs()
    bench_sqs_mapping()
