"""botocore's send-side events (issue 16.3): when a handler other than botocore's own listens to the
request pipeline, the call takes botocore's full path — signed, sent through ``before-send`` — and the
emulator answers the serialized request through its wire protocols, as its HTTP server would."""

from __future__ import annotations

import io

import boto3
import botocore.endpoint
import pytest
from boto3.s3.transfer import TransferConfig
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ParamValidationError

from kumo_intercept import kumo

MIB = 1024 * 1024


def test_request_created_handlers_see_the_real_request_and_user_agent():
    seen = []
    with kumo():
        sqs = boto3.client("sqs")
        sqs.meta.events.register("request-created.sqs.SendMessage",
                                 lambda request, **_: seen.append((request.method, request.url, request.headers["User-Agent"])))
        url = sqs.create_queue(QueueName="q")["QueueUrl"]
        sent = sqs.send_message(QueueUrl=url, MessageBody="hello")
        assert sqs.receive_message(QueueUrl=url)["Messages"][0]["MessageId"] == sent["MessageId"]
    method, request_url, user_agent = seen[0]
    assert (method, request_url) == ("POST", "https://sqs.us-east-1.amazonaws.com/")
    assert user_agent.startswith("Boto3/") and "Botocore/" in user_agent


@pytest.mark.parametrize("size, config", [
    (100_000, TransferConfig()),
    (12 * MIB, TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB)),  # three parts
], ids=["single", "multipart"])
def test_s3transfer_progress_reports_every_byte(size, config):
    # s3transfer enables its read callbacks from request-created handlers: progress comes from the
    # body being read as it is sent
    progress = []
    with kumo():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="uploads")
        s3.upload_fileobj(io.BytesIO(b"x" * size), "uploads", "k", Callback=progress.append, Config=config)
        assert s3.head_object(Bucket="uploads", Key="k")["ContentLength"] == size
    assert sum(progress) == size


def test_an_xray_trace_header_becomes_sqs_awstraceheader():
    # AWS X-Ray Developer Guide, "Amazon SQS and AWS X-Ray": the X-Amzn-Trace-Id header applies to every
    # message of SendMessage/SendMessageBatch; an AWSTraceHeader system attribute overrides it
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"

    def add_trace_header(request, **_):
        request.headers["X-Amzn-Trace-Id"] = trace

    with kumo():
        sqs = boto3.client("sqs")
        sqs.meta.events.register("before-sign.sqs", add_trace_header)
        url = sqs.create_queue(QueueName="q")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="traced")
        sqs.send_message(QueueUrl=url, MessageBody="own", MessageSystemAttributes={
            "AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-own"}})
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                       MessageSystemAttributeNames=["AWSTraceHeader"])["Messages"]
    headers = {m["Body"]: m["Attributes"]["AWSTraceHeader"] for m in messages}
    assert headers == {"traced": trace, "own": "Root=1-own"}


def test_a_wrapped_endpoint_make_request_sees_every_call(monkeypatch):
    original = botocore.endpoint.Endpoint.make_request
    made = []

    def counting(self, operation_model, request_dict):
        made.append(operation_model.name)
        return original(self, operation_model, request_dict)

    monkeypatch.setattr(botocore.endpoint.Endpoint, "make_request", counting)
    with kumo():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="counted")
        s3.put_object(Bucket="counted", Key="k", Body=b"1")
        assert s3.get_object(Bucket="counted", Key="k")["Body"].read() == b"1"
    assert made == ["CreateBucket", "PutObject", "GetObject"]


def test_a_before_send_handler_that_answers_wins():
    body = (b'<GetCallerIdentityResponse><GetCallerIdentityResult><Account>999999999999</Account>'
            b'<Arn>arn:aws:iam::999999999999:root</Arn><UserId>999999999999</UserId>'
            b'</GetCallerIdentityResult></GetCallerIdentityResponse>')

    class Raw(io.BytesIO):
        def stream(self, **_):
            yield self.getvalue()

    def answer(request, **_):
        return AWSResponse(request.url, 200, {}, Raw(body))

    with kumo() as aws:
        sts = boto3.client("sts")
        sts.meta.events.register("before-send.sts.GetCallerIdentity", answer)
        assert sts.get_caller_identity()["Account"] == "999999999999"
        assert aws.calls.find("sts") == []  # the emulator never saw it


def test_errors_and_validation_on_the_full_path_are_botocores():
    with kumo():
        s3 = boto3.client("s3")
        s3.meta.events.register("before-send.s3", lambda **_: None)
        with pytest.raises(ParamValidationError, match="Invalid type for parameter Body"):
            s3.put_object(Bucket="b", Key="k", Body=123)
        with pytest.raises(s3.exceptions.NoSuchBucket):
            s3.get_object(Bucket="missing-bucket", Key="k")


def test_injected_faults_are_retried_by_botocore_on_the_emulator_clock():
    with kumo(clock="virtual") as aws:
        ddb = boto3.client("dynamodb")
        ddb.meta.events.register("before-send.dynamodb", lambda **_: None)
        aws.faults.throttle("dynamodb", "ListTables", count=2)
        start = aws.clock.time()
        answer = ddb.list_tables()
        assert answer["ResponseMetadata"]["RetryAttempts"] == 2
        assert aws.clock.time() > start  # back-off moved the virtual clock; nothing slept
        assert [call.error for call in aws.calls.find("dynamodb", ok=None)] == [
            "ThrottlingException", "ThrottlingException", None]
