"""The emulator over HTTP: boto3 clients with ``endpoint_url`` against ``aws.serve()``.

Each test's facts are AWS's protocol documentation (botocore's parsers and serializers are the
reference for the formats) and, for errors, the AWS pages named in each test.
"""

from __future__ import annotations

import asyncio
import base64
import http.client
import json
import socket
import urllib.request
import zlib
from typing import Iterator

import aiobotocore.session  # before any emulator starts: its sends are then guarded (core/aio.py)
import boto3
import pytest

import kumo_intercept

from kumo_intercept import Emulator, kumo
from kumo_intercept.services.awslambda import register_callable

pytestmark = pytest.mark.allow_network

MiB = 1024 * 1024


def _raw(endpoint: str, method: str, path: str, headers: dict[str, str] | None = None,
         body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    host = endpoint.removeprefix("http://")
    connection = http.client.HTTPConnection(host, timeout=10)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


# -- S3 (rest-xml) ------------------------------------------------------------------------------------
def test_s3_objects_listing_and_errors(served, client):
    s3 = client("s3")
    s3.create_bucket(Bucket="photos")
    s3.put_object(Bucket="photos", Key="a/b c.txt", Body=b"hello", Metadata={"owner": "me"}, ContentType="text/plain")
    got = s3.get_object(Bucket="photos", Key="a/b c.txt")
    assert got["Body"].read() == b"hello"
    assert got["Metadata"] == {"owner": "me"} and got["ContentType"] == "text/plain"
    assert s3.get_object(Bucket="photos", Key="a/b c.txt", Range="bytes=1-3")["Body"].read() == b"ell"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="photos")["Contents"]] == ["a/b c.txt"]
    assert s3.head_object(Bucket="photos", Key="a/b c.txt")["ContentLength"] == 5
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket="photos", Key="missing")
    with pytest.raises(s3.exceptions.ClientError) as head:  # HEAD errors carry no body: code is the status
        s3.head_object(Bucket="photos", Key="missing")
    assert head.value.response["Error"]["Code"] == "404"
    served.calls.assert_called("s3.PutObject", Key="a/b c.txt")  # the same ledger as in-process


def test_s3_multipart_upload(client):
    s3 = client("s3")
    s3.create_bucket(Bucket="parts")
    upload = s3.create_multipart_upload(Bucket="parts", Key="big")["UploadId"]
    one = s3.upload_part(Bucket="parts", Key="big", UploadId=upload, PartNumber=1, Body=b"a" * (5 * MiB))
    two = s3.upload_part(Bucket="parts", Key="big", UploadId=upload, PartNumber=2, Body=b"b" * 10)
    assert [p["PartNumber"] for p in s3.list_parts(Bucket="parts", Key="big", UploadId=upload)["Parts"]] == [1, 2]
    s3.complete_multipart_upload(Bucket="parts", Key="big", UploadId=upload, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": one["ETag"]}, {"PartNumber": 2, "ETag": two["ETag"]}]})
    body = s3.get_object(Bucket="parts", Key="big")["Body"].read()
    assert len(body) == 5 * MiB + 10 and body.endswith(b"b" * 10)


def test_s3_aws_chunked_upload_with_trailing_checksum(served, client):
    """SigV4 streaming upload without signed chunks (STREAMING-UNSIGNED-PAYLOAD-TRAILER), as the AWS
    SDKs send it: docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html."""
    client("s3").create_bucket(Bucket="chunks")
    payload = b"x" * 70000
    crc = base64.b64encode(zlib.crc32(payload).to_bytes(4, "big")).decode()
    body = (f"{len(payload):x}\r\n".encode() + payload + b"\r\n0\r\n"
            + f"x-amz-checksum-crc32:{crc}\r\n\r\n".encode())
    status, headers, _ = _raw(served.endpoint_url, "PUT", "/chunks/streamed", {
        "Content-Encoding": "aws-chunked", "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "x-amz-trailer": "x-amz-checksum-crc32", "x-amz-decoded-content-length": str(len(payload)),
        "Content-Length": str(len(body))}, body)
    assert status == 200
    assert headers["x-amz-checksum-crc32"] == crc
    status, _, content = _raw(served.endpoint_url, "GET", "/chunks/streamed")
    assert content == payload


def test_s3_virtual_hosted_style_on_localhost_names(served, client):
    client("s3").create_bucket(Bucket="site")
    status, _, _ = _raw(served.endpoint_url, "PUT", "/index.html", {"Host": "site.localhost"}, b"<h1>hi</h1>")
    assert status == 200
    assert client("s3").get_object(Bucket="site", Key="index.html")["Body"].read() == b"<h1>hi</h1>"


@pytest.mark.parametrize("host", ["site.s3.cn-north-1.amazonaws.com.cn", "site.s3.us-iso-east-1.c2s.ic.gov",
                                  "site.s3.us-isob-east-1.sc2s.sgov.gov"])
def test_s3_virtual_hosted_style_in_other_partitions(served, client, host):
    """Each partition's DNS suffix (botocore's partitions.json) hosts virtual-hosted buckets, as
    botocore's S3 endpoint rules build them."""
    client("s3").create_bucket(Bucket="site")
    status, _, _ = _raw(served.endpoint_url, "PUT", "/index.html", {"Host": host}, b"<h1>hi</h1>")
    assert status == 200
    assert client("s3").get_object(Bucket="site", Key="index.html")["Body"].read() == b"<h1>hi</h1>"


# -- SQS (json, and the Query protocol older SDKs speak) -------------------------------------------------
def test_sqs_json_protocol(client):
    sqs = client("sqs")
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="one", MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})
    message = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"][0]
    assert message["Body"] == "one" and message["MessageAttributes"]["k"]["StringValue"] == "v"
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as missing:  # x-amzn-query-error names the code
        sqs.get_queue_url(QueueName="nope")
    assert missing.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"


def test_sqs_query_protocol(served, client):
    """The Query form of SendMessage/ReceiveMessage, as in the examples of
    docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html."""
    url = client("sqs").create_queue(QueueName="legacy")["QueueUrl"]
    form = {"Content-Type": "application/x-www-form-urlencoded", "Host": "sqs.us-east-1.amazonaws.com"}
    status, _, body = _raw(served.endpoint_url, "POST", "/123456789012/legacy", form,
                           b"Action=SendMessage&MessageBody=hello&MessageAttribute.1.Name=k"
                           b"&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=v")
    assert status == 200 and b"<SendMessageResponse" in body and b"<MD5OfMessageBody>" in body
    status, _, body = _raw(served.endpoint_url, "POST", "/", form,
                           f"Action=ReceiveMessage&QueueUrl={url}&MessageAttributeName.1=All".encode())
    assert b"<Message><MessageId>" in body and b"<Body>hello</Body>" in body
    assert b"<MessageAttribute><Name>k</Name>" in body
    status, _, body = _raw(served.endpoint_url, "POST", "/", form, b"Action=GetQueueUrl&QueueName=nope")
    assert status == 400 and b"<Code>AWS.SimpleQueueService.NonExistentQueue</Code>" in body


# -- DynamoDB (json), SNS -> SQS (query), Lambda (rest-json), IAM and STS (query) -------------------------
def test_dynamodb(client):
    ddb = client("dynamodb")
    ddb.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    ddb.put_item(TableName="t", Item={"id": {"S": "1"}, "blob": {"B": b"\x00\xff"}, "n": {"N": "1.5"}})
    assert ddb.get_item(TableName="t", Key={"id": {"S": "1"}})["Item"] == {
        "id": {"S": "1"}, "blob": {"B": b"\x00\xff"}, "n": {"N": "1.5"}}
    # LocalStack's AWS-recorded test_return_values_on_conditions_check_failure and test_table_crud:
    # AWS sends ConditionalCheckFailedException's text as "Message" (botocore fills no modeled
    # ``message`` member from it) and ResourceNotFoundException's as "message"
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as failed:
        ddb.put_item(TableName="t", Item={"id": {"S": "1"}}, ConditionExpression="attribute_not_exists(id)",
                     ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert failed.value.response["Error"]["Message"] == "The conditional request failed"
    assert "message" not in failed.value.response and failed.value.response["Item"]["id"] == {"S": "1"}
    with pytest.raises(ddb.exceptions.ResourceNotFoundException) as missing:
        ddb.describe_table(TableName="missing")
    assert missing.value.response["message"] == missing.value.response["Error"]["Message"]


def test_sns_to_sqs(client):
    sns, sqs = client("sns"), client("sqs")
    url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = sns.create_topic(Name="news")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message="breaking", MessageAttributes={"a": {"DataType": "String", "StringValue": "b"}})
    message = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"][0]
    assert message["Body"] == "breaking" and message["MessageAttributes"]["a"]["StringValue"] == "b"


def test_lambda_invoke(client):
    register_callable("echo", lambda event, context: {"got": event})
    lam = client("lambda")
    assert [f["FunctionName"] for f in lam.list_functions()["Functions"]] == ["echo"]
    answer = lam.invoke(FunctionName="echo", Payload=b'{"n": 1}', LogType="Tail")
    assert answer["StatusCode"] == 200 and json.loads(answer["Payload"].read()) == {"got": {"n": 1}}
    assert lam.invoke(FunctionName="echo", InvocationType="Event", Payload=b"{}")["StatusCode"] == 202
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.invoke(FunctionName="missing", Payload=b"{}")


def test_iam_and_sts_query(client):
    iam, sts = client("iam"), client("sts")
    iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "x"}])
    assert [u["UserName"] for u in iam.list_users()["Users"]] == ["alice"]
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    assert sts.get_caller_identity()["Account"] == "123456789012"
    as_alice = boto3.client("sts", endpoint_url=sts.meta.endpoint_url, region_name="us-east-1",
                            aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    assert as_alice.get_caller_identity()["Arn"].endswith(":user/alice")  # the access key picks the caller
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_user(UserName="bob")


def test_kinesis_subscribe_to_shard_event_stream(client):
    """SubscribeToShard over HTTP: AWS's event-stream encoding, read by botocore's own EventStream
    (SubscribeToShard API reference: SubscribeToShardEvent with Records)."""
    kinesis = client("kinesis")
    kinesis.create_stream(StreamName="s", ShardCount=1)
    arn = kinesis.describe_stream(StreamName="s")["StreamDescription"]["StreamARN"]
    consumer = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="fan")["Consumer"]["ConsumerARN"]
    kinesis.put_record(StreamName="s", Data=b"one", PartitionKey="k")
    stream = kinesis.subscribe_to_shard(ConsumerARN=consumer, ShardId="shardId-000000000000",
                                        StartingPosition={"Type": "TRIM_HORIZON"})["EventStream"]
    event = next(iter(stream))["SubscribeToShardEvent"]
    assert [record["Data"] for record in event["Records"]] == [b"one"]
    stream.close()


# -- bad input --------------------------------------------------------------------------------------
def test_unknown_target_and_action(served):
    status, _, body = _raw(served.endpoint_url, "POST", "/", {"X-Amz-Target": "DynamoDB_20120810.Nope",
                                                              "Content-Type": "application/x-amz-json-1.0"}, b"{}")
    assert status == 400 and json.loads(body)["__type"] == "UnknownOperationException"
    status, _, body = _raw(served.endpoint_url, "POST", "/", {"Content-Type": "application/x-www-form-urlencoded"},
                           b"Action=Nope&Version=2010-03-31")
    assert status == 400 and b"<Code>InvalidAction</Code>" in body and b"<ErrorResponse" in body


def test_an_operation_not_emulated_is_a_501_naming_it(client):
    """docs/server.md: what kumo_intercept does not emulate is answered 501 NotImplemented (RFC 9110
    section 15.6.2), naming the operation; botocore does not retry a 501."""
    with pytest.raises(client("sts").exceptions.ClientError) as refused:
        client("sts").assume_root(TargetPrincipal="111122223333", TaskPolicyArn={
            "arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"})
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert refused.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert refused.value.response["Error"] == {
        "Code": "NotImplemented", "Type": "Receiver",
        "Message": "kumo_intercept does not emulate sts.AssumeRoot yet. See docs/coverage.md for what is emulated."}


@pytest.mark.parametrize("service, call, operation", [
    ("ec2", lambda ec2: ec2.describe_instances(), "DescribeInstances"),            # Query (EC2's)
    ("ecs", lambda ecs: ecs.list_clusters(), "ListClusters"),                      # JSON
    ("apigateway", lambda apigateway: apigateway.get_rest_apis(), None),           # REST-JSON
])
def test_a_service_not_emulated_is_a_501_naming_it(client, service, call, operation):
    """The credential scope names the service (AWS General Reference, "Signature Version 4"): a
    service kumo_intercept does not emulate is refused as in-process, not read as another service's."""
    with pytest.raises(client(service).exceptions.ClientError) as refused:
        call(client(service))
    what = f"{service}.{operation}" if operation else f"the service {service!r}"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert refused.value.response["Error"]["Code"] == "NotImplemented"
    assert refused.value.response["Error"]["Message"] == (
        f"kumo_intercept does not emulate {what} yet: no backend for the service {service!r}. "
        "See docs/coverage.md for what is emulated.")


def test_malformed_bodies(served, client):
    client("s3").create_bucket(Bucket="tags")
    status, _, body = _raw(served.endpoint_url, "PUT", "/tags?tagging", {}, b"<Tagging><TagSet>")
    assert status == 400 and b"<Code>MalformedXML</Code>" in body
    status, _, body = _raw(served.endpoint_url, "POST", "/", {"X-Amz-Target": "DynamoDB_20120810.ListTables",
                                                              "Content-Type": "application/x-amz-json-1.0"}, b"{nope")
    assert status == 400 and json.loads(body)["__type"] == "SerializationException"
    status, _, body = _raw(served.endpoint_url, "POST", "/", {"X-Amz-Target": "DynamoDB_20120810.GetItem",
                                                              "Content-Type": "application/x-amz-json-1.0"}, b"{}")
    assert status == 400 and json.loads(body)["__type"] == "ValidationException"  # required members checked


def test_status_codes_of_refused_requests(served):
    status, _, body = _raw(served.endpoint_url, "PATCH", "/some-bucket")
    assert status == 405 and b"<Code>MethodNotAllowed</Code>" in body
    status, _, body = _raw(served.endpoint_url, "GET", "/2015-03-31/nothing-here",
                           {"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/lambda/aws4_request"})
    assert status == 404
    with socket.create_connection(served.endpoint_url.removeprefix("http://").split(":")) as raw:  # type: ignore[arg-type]
        raw.sendall(b"PUT /bucket/key HTTP/1.1\r\nHost: x\r\n\r\n")
        assert raw.recv(4096).startswith(b"HTTP/1.1 411")
    with socket.create_connection(served.endpoint_url.removeprefix("http://").split(":")) as raw:  # type: ignore[arg-type]
        raw.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        assert raw.recv(4096).split(b" ")[1] == b"400"


def test_bodies_above_the_limit_get_413(served):
    with kumo() as aws:
        small = aws.serve(max_body=1024)
        status, _, body = _raw(small.endpoint_url, "PUT", "/b/k", {"Content-Length": "2048"}, b"x" * 2048)
    assert status == 413 and b"<Code>EntityTooLarge</Code>" in body


def test_cors_for_browser_clients(served, client):
    """Preflight and exposed headers as browsers need them (the Fetch standard's CORS protocol)."""
    status, headers, _ = _raw(served.endpoint_url, "OPTIONS", "/bucket/key", {
        "Origin": "http://localhost:3000", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "content-type,x-amz-date"})
    assert status == 200 and "PUT" in headers["access-control-allow-methods"]
    assert headers["access-control-allow-origin"] == "http://localhost:3000"
    assert headers["access-control-allow-headers"] == "content-type,x-amz-date"
    client("s3").create_bucket(Bucket="browser")
    status, headers, _ = _raw(served.endpoint_url, "PUT", "/browser/k", {"Origin": "http://localhost:3000"}, b"x")
    assert status == 200 and "ETag" in headers["access-control-expose-headers"]


# -- HTTP/1.1 as the server reads it (RFC 9112) ---------------------------------------------------------
class _Connection:
    """A raw socket to the server: requests written byte for byte, answers read by their
    Content-Length (RFC 9112 section 6.3)."""

    def __init__(self, endpoint: str) -> None:
        host, port = endpoint.removeprefix("http://").split(":")
        self.socket = socket.create_connection((host, int(port)), timeout=10)
        self.reader = self.socket.makefile("rb")

    def send(self, data: bytes) -> None:
        self.socket.sendall(data)

    def answer(self) -> tuple[int, dict[str, str], bytes]:
        status = int(self.reader.readline().split()[1])
        headers = {}
        while (line := self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        return status, headers, self.reader.read(int(headers.get("content-length", 0)))

    def closed_by_server(self) -> bool:
        return self.reader.read(1) == b""

    def close(self) -> None:
        self.reader.close()
        self.socket.close()


@pytest.fixture
def connection(served: Emulator) -> Iterator[_Connection]:
    opened = _Connection(served.endpoint_url)
    yield opened
    opened.close()


def test_an_idle_connection_is_closed_after_the_idle_timeout(served, monkeypatch):
    """Issue 17 item 6 (connections are bounded): a connection that sends nothing is closed once its
    idle timeout passes (wire/server.py's IDLE_TIMEOUT, one second here), not kept for ever."""
    monkeypatch.setattr("kumo_intercept.wire.server.IDLE_TIMEOUT", 1)
    host, port = served.endpoint_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as idle:
        assert idle.recv(1) == b""  # the server's end of the stream, long before the client's 30 s


def test_keep_alive_pipelining_and_header_names_in_any_case(served, client, connection):
    """RFC 9112 section 9.3: HTTP/1.1 connections persist; requests may be pipelined and are
    answered in order. RFC 9110 section 5.1: field names are case-insensitive."""
    client("s3").create_bucket(Bucket="pipe")
    put = b"PUT /pipe/k HTTP/1.1\r\nHOST: x\r\ncontent-LENGTH: 3\r\n\r\nabc"
    get = b"GET /pipe/k HTTP/1.1\r\nhost: x\r\n\r\n"
    connection.send(put + get)
    assert connection.answer()[0] == 200
    status, headers, body = connection.answer()
    assert (status, body, headers["content-length"]) == (200, b"abc", "3")


def test_304_and_204_answers_end_at_their_headers(served, client, connection):
    """RFC 9110 sections 15.3.5 and 15.4.5: 204 and 304 answers have no content, so the next answer on
    a kept-alive connection starts right after their header section. S3's GetObject page: a matching
    If-None-Match is 304 Not Modified; DeleteObject answers 204."""
    s3 = client("s3")
    s3.create_bucket(Bucket="cached")
    etag = s3.put_object(Bucket="cached", Key="k", Body=b"abc")["ETag"]
    with pytest.raises(s3.exceptions.ClientError) as unchanged:
        s3.get_object(Bucket="cached", Key="k", IfNoneMatch=etag)
    assert unchanged.value.response["Error"] == {"Code": "304", "Message": "Not Modified"}
    not_modified = f"GET /cached/k HTTP/1.1\r\nHost: x\r\nIf-None-Match: {etag}\r\n\r\n".encode()
    connection.send(not_modified + b"DELETE /cached/k HTTP/1.1\r\nHost: x\r\n\r\n"
                    + b"GET /cached HTTP/1.1\r\nHost: x\r\n\r\n")
    assert connection.answer()[0] == 304 and connection.answer()[0] == 204
    status, _, listing = connection.answer()
    assert status == 200 and listing.startswith(b"<ListBucketResult") and b"<Contents>" not in listing


def test_304_on_botocores_full_path():
    """A call with a listener of its own on the request pipeline is sent and answered in-process from
    its HTTP form (core/interceptor.py): a 304 reaches botocore as S3 sends it, with no body."""
    with kumo():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="cached")
        etag = s3.put_object(Bucket="cached", Key="k", Body=b"abc")["ETag"]
        sent = []
        s3.meta.events.register("before-send.s3.GetObject", lambda request, **_: sent.append(request.url))
        with pytest.raises(s3.exceptions.ClientError) as unchanged:
            s3.get_object(Bucket="cached", Key="k", IfNoneMatch=etag)
        assert unchanged.value.response["Error"] == {"Code": "304", "Message": "Not Modified"}
        assert s3.get_object(Bucket="cached", Key="k", IfNoneMatch='"other"')["Body"].read() == b"abc"
    assert sent == ["https://cached.s3.amazonaws.com/k"] * 2


def test_obsolete_line_folding_is_read_as_one_space(served, client, connection):
    """RFC 9112 section 5.2: a recipient may replace each obs-fold with a space."""
    client("s3").create_bucket(Bucket="fold")
    connection.send(b"PUT /fold/k HTTP/1.1\r\nHost: x\r\nx-amz-meta-note: first\r\n  second\r\n"
                    b"Content-Length: 0\r\n\r\n")
    assert connection.answer()[0] == 200
    assert client("s3").head_object(Bucket="fold", Key="k")["Metadata"] == {"note": "first second"}


def test_expect_100_continue_then_the_body(served, client, connection):
    """RFC 9110 section 10.1.1: a server that will read the body answers 100 (Continue) first."""
    client("s3").create_bucket(Bucket="expect")
    connection.send(b"PUT /expect/k HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
    assert connection.reader.readline().split()[1] == b"100"
    assert connection.reader.readline() == b"\r\n"
    connection.send(b"body")
    assert connection.answer()[0] == 200
    assert client("s3").get_object(Bucket="expect", Key="k")["Body"].read() == b"body"


def test_chunked_request_body(served, client, connection):
    """RFC 9112 section 7.1: chunked transfer coding, with a chunk extension and a trailer."""
    client("s3").create_bucket(Bucket="chunks")
    connection.send(b"PUT /chunks/k HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    b"3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n")
    assert connection.answer()[0] == 200
    assert client("s3").get_object(Bucket="chunks", Key="k")["Body"].read() == b"abcde"


def test_a_body_shorter_than_its_content_length_is_refused(served, client, connection):
    """S3's error responses page: IncompleteBody, 400, when fewer bytes come than Content-Length says."""
    client("s3").create_bucket(Bucket="short")
    connection.send(b"PUT /short/k HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
    connection.socket.shutdown(socket.SHUT_WR)
    status, _, body = connection.answer()
    assert status == 400 and b"<Code>IncompleteBody</Code>" in body
    assert client("s3").list_objects_v2(Bucket="short")["KeyCount"] == 0


def test_connection_close_and_http_1_0(served):
    """RFC 9112 section 9.3 and 9.6: ``Connection: close`` ends the connection after the answer;
    an HTTP/1.0 connection ends after one answer unless the client asks for keep-alive."""
    for request, persists in ((b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", False),
                              (b"GET / HTTP/1.0\r\nHost: x\r\n\r\n", False),
                              (b"GET / HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n", True)):
        opened = _Connection(served.endpoint_url)
        try:
            opened.send(request)
            status, headers, _ = opened.answer()
            assert status == 200 and (headers.get("connection") == "close") is not persists
            if persists:
                opened.send(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
                assert opened.answer()[0] == 200
            assert opened.closed_by_server()
        finally:
            opened.close()


def test_header_sections_too_large_and_unknown_versions(served):
    """RFC 6585 section 5: 431 for a header section too large (more than 100 fields, or a line
    over 64 KiB, as Python's http.server bounds it); RFC 9110 section 15.6.6: 505 for an HTTP
    version the server does not speak."""
    many = b"".join(b"x-field-%d: v\r\n" % number for number in range(101))
    for request, expected in ((b"GET / HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n", 431),
                              (b"GET / HTTP/1.1\r\nx-long: " + b"a" * 70000 + b"\r\n\r\n", 431),
                              (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
                              (b"GET /\r\n\r\n", 400)):
        opened = _Connection(served.endpoint_url)
        try:
            opened.send(request)
            status, headers, body = opened.answer()
            assert status == expected and headers["connection"] == "close" and b"<Error>" in body
        finally:
            opened.close()


def test_digits_beyond_ascii_are_no_numbers(served, client):
    """Issue 17 item 6: a version or Content-Length written with a Latin-1 superscript digit (byte 0xB2,
    '²': Python's str.isdigit takes it, int() does not) is a 400, as any malformed one, and so is a
    Query form's list index or a presigned URL's Expires written so; the server goes on. (RFC 9112
    sections 2.3 and 6.3: HTTP-version and Content-Length are ASCII digits.)"""
    for request in (b"GET / HTTP/1.\xb2\r\nHost: x\r\n\r\n", b"PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: \xb2\r\n\r\n"):
        opened = _Connection(served.endpoint_url)
        try:
            opened.send(request)
            status, headers, body = opened.answer()
            assert status == 400 and headers["connection"] == "close" and b"<Error>" in body
        finally:
            opened.close()
    form = {"Content-Type": "application/x-www-form-urlencoded",
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/sns/aws4_request, "
                             "SignedHeaders=host, Signature=0"}
    status, _, _ = _raw(served.endpoint_url, "POST", "/", form,
                        "Action=CreateTopic&Name=t&Tags.member.\u00b2.Key=k&Tags.member.\u00b2.Value=v".encode())
    assert 400 <= status < 500 or status == 200
    client("s3").create_bucket(Bucket="digits")
    status, _, _ = _raw(served.endpoint_url, "GET", "/digits?AWSAccessKeyId=AKID&Expires=%C2%B2&Signature=x")
    assert status < 500
    assert client("s3").list_buckets()["Buckets"][0]["Name"] == "digits"


# -- introspection, health, shutdown ------------------------------------------------------------------
def test_introspection_endpoints(served, client):
    client("sqs").create_queue(QueueName="seen")
    health = json.loads(urllib.request.urlopen(served.endpoint_url + "/_kumo/health").read())
    assert health["status"] == "running" and "s3" in health["services"]
    calls = json.loads(urllib.request.urlopen(served.endpoint_url + "/_kumo/calls").read())
    assert [call["operation"] for call in calls] == ["CreateQueue"]
    state = json.loads(urllib.request.urlopen(served.endpoint_url + "/_kumo/state").read())
    assert "sqs.queues" in state["tables"]
    before = served.clock.time()
    request = urllib.request.Request(served.endpoint_url + "/_kumo/clock/advance?seconds=90", method="POST")
    urllib.request.urlopen(request).read()
    assert served.clock.time() == before + 90
    urllib.request.urlopen(urllib.request.Request(served.endpoint_url + "/_kumo/reset", method="POST")).read()
    assert client("sqs").list_queues().get("QueueUrls", []) == []


def test_shutdown_flushes_the_journal_and_state_comes_back(tmp_path):
    with kumo(data_dir=str(tmp_path)) as aws:
        aws.serve()
        boto3.client("s3", endpoint_url=aws.endpoint_url, region_name="us-east-1").create_bucket(Bucket="kept")
    with kumo(data_dir=str(tmp_path)) as aws:
        assert [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]] == ["kept"]


def test_kumo_serve_option_and_a_taken_port():
    with kumo(serve=True) as aws:
        assert boto3.client("s3", endpoint_url=aws.endpoint_url).list_buckets()["Buckets"] == []
    with pytest.raises(OSError):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            kumo(serve=taken.getsockname()[1]).start()
    assert kumo_intercept.current() is None  # a failed start leaves nothing active


def test_an_aiobotocore_client_of_the_served_endpoint_really_sends(served):
    """An async client given ``endpoint_url=aws.endpoint_url`` goes over HTTP like a botocore one
    (docs/server.md); other sends of aiobotocore stay refused while an emulator is active."""

    async def round_trip() -> bytes:
        async with aiobotocore.session.get_session().create_client(
                "s3", endpoint_url=served.endpoint_url, region_name="us-east-1",
                aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret") as s3:
            await s3.create_bucket(Bucket="async")
            await s3.put_object(Bucket="async", Key="k", Body=b"over http")
            answer = await s3.get_object(Bucket="async", Key="k")
            return bytes(await answer["Body"].read())

    assert asyncio.run(round_trip()) == b"over http"
    served.calls.assert_called("s3.PutObject", Key="k")


def test_json_nested_too_deep_or_out_of_range_is_refused_and_the_server_goes_on(served, client):
    """Issue 17 item 6: a JSON body nested deeper than a parser recurses, and an epoch timestamp
    beyond the calendar, are answered as unreadable JSON is (SerializationException, as in
    ``test_malformed_bodies``) instead of a dropped connection; the connection keeps serving."""
    headers = {"X-Amz-Target": "DynamoDB_20120810.GetItem", "Content-Type": "application/x-amz-json-1.0"}
    deep_item = b'{"TableName": "t", "Key": {"k": ' + b'{"M": {"a": ' * 3000 + b'{"S": "x"}' + b"}}" * 3000 + b"}}"
    for body in (b"[" * 100_000, deep_item):
        status, _, answer = _raw(served.endpoint_url, "POST", "/", headers, body)
        assert status == 400 and json.loads(answer)["__type"] == "SerializationException"
    status, _, answer = _raw(served.endpoint_url, "POST", "/", {
        "X-Amz-Target": "AmazonSSM.UpdateOpsItem", "Content-Type": "application/x-amz-json-1.1"},
        b'{"OpsItemId": "oi-1", "ActualStartTime": 1e30}')
    assert status == 400 and json.loads(answer)["__type"] == "SerializationException"
    assert client("dynamodb").list_tables()["TableNames"] == []


def test_a_failure_of_the_wire_layer_is_an_internal_error_answer(served, client, monkeypatch, capsys):
    """Issue 17 item 6 (the server never dies of a request): should reading or writing a protocol fail
    with an unexpected exception (a bug), the request is answered 500 in the protocol's error form
    (S3's InternalError, the JSON services' InternalFailure) with the exception named, the traceback
    goes to the server's standard error, and the connection keeps serving."""
    client("s3").create_bucket(Bucket="still")

    def broken(*_args: object) -> None:
        raise RuntimeError("a bug")
    monkeypatch.setattr("kumo_intercept.wire.encode.result", broken)
    status, _, answer = _raw(served.endpoint_url, "GET", "/still?list-type=2", {})
    assert status == 500 and b"<Code>InternalError</Code>" in answer and b"RuntimeError(" in answer and b"a bug" in answer
    status, _, answer = _raw(served.endpoint_url, "POST", "/", {
        "X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0"}, b"{}")
    assert status == 500 and json.loads(answer)["__type"] == "InternalFailure"
    assert "RuntimeError: a bug" in capsys.readouterr().err
    monkeypatch.undo()
    assert [bucket["Name"] for bucket in client("s3").list_buckets()["Buckets"]] == ["still"]


def test_an_idempotency_token_left_out_is_filled_as_sdks_fill_it(served, client):
    """A request without its idempotency token (a raw HTTP client's CreateSecret without
    ``ClientRequestToken``) is served as an SDK's, which fills one in (botocore's
    ``generate_idempotent_uuid``; Secrets Manager API reference, CreateSecret: "the CLI or SDK generates
    a random UUID for you"): the secret gets a version, it failed with an internal error before."""
    headers = {"X-Amz-Target": "secretsmanager.CreateSecret", "Content-Type": "application/x-amz-json-1.1"}
    status, _, answer = _raw(served.endpoint_url, "POST", "/", headers, b'{"Name": "raw", "SecretString": "s3cr3t"}')
    assert status == 200 and json.loads(answer)["VersionId"]
    got = client("secretsmanager").get_secret_value(SecretId="raw")
    assert (got["SecretString"], got["VersionId"]) == ("s3cr3t", json.loads(answer)["VersionId"])


def test_dynamodb_attribute_values_are_read_as_the_service_reads_them(served, client):
    """A JSON body is read member by member as the service's deserializer does: an item of every
    kind of value round-trips, and an ``AttributeValue`` with two data types or none reaches the
    service, which refuses it with its own ValidationException (answers AWS gave SDKs that sent
    such values: aws/aws-sdk-net#428, "more than one datatypes"; aws/aws-sdk-js#381, "is empty")."""
    client("dynamodb").create_table(TableName="kinds", BillingMode="PAY_PER_REQUEST",
                                    KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    item = {"id": {"S": "k"}, "n": {"N": "1.5"}, "b": {"B": b"\x00\xff"}, "ss": {"SS": ["a", "b"]},
            "l": {"L": [{"S": "x"}, {"M": {"deep": {"BOOL": True}}}, {"NULL": True}]}, "bs": {"BS": [b"1"]}}
    client("dynamodb").put_item(TableName="kinds", Item=item)
    assert client("dynamodb").get_item(TableName="kinds", Key={"id": {"S": "k"}})["Item"] == item
    headers = {"X-Amz-Target": "DynamoDB_20120810.PutItem", "Content-Type": "application/x-amz-json-1.0"}
    envelope = "1 validation error detected: "  # PutItem's checks answer inside it (services/dynamodb/engine.py)
    for value, message in (({"S": "a", "N": "1"}, "Supplied AttributeValue has more than one datatypes set, "
                                                  "must contain exactly one of the supported datatypes"),
                           ({}, "Supplied AttributeValue is empty, must contain exactly one of the supported "
                                "datatypes")):
        body = json.dumps({"TableName": "kinds", "Item": {"id": {"S": "two"}, "v": value}}).encode()
        status, _, answer = _raw(served.endpoint_url, "POST", "/", headers, body)
        refused = json.loads(answer)
        assert (status, refused["__type"].rpartition("#")[2], refused["message"]) == (
            400, "ValidationException", envelope + message)


def test_dynamodb_answers_carry_the_crc32_of_their_body(served, client):
    """DynamoDB answers, results and errors, carry ``x-amz-crc32``, the CRC32 of the body as a decimal
    number, which SDKs validate when present (aws-sdk-go-v2 service/dynamodb/internal/customizations:
    "DynamoDB responses can include a X-Amz-Crc32 header with the CRC32 checksum value of the response
    body"; botocore's _retry.json retries DynamoDB answers whose body does not match it)."""
    client("dynamodb").create_table(TableName="summed", BillingMode="PAY_PER_REQUEST",
                                    KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    client("dynamodb").put_item(TableName="summed", Item={"id": {"S": "k"}})
    headers = {"X-Amz-Target": "DynamoDB_20120810.GetItem", "Content-Type": "application/x-amz-json-1.0"}
    for table, status in (("summed", 200), ("absent", 400)):
        body = json.dumps({"TableName": table, "Key": {"id": {"S": "k"}}}).encode()
        answered, answer_headers, answer = _raw(served.endpoint_url, "POST", "/", headers, body)
        assert answered == status and answer_headers["x-amz-crc32"] == str(zlib.crc32(answer))
    got = client("dynamodb").get_item(TableName="summed", Key={"id": {"S": "k"}})  # botocore checks it
    assert got["ResponseMetadata"]["HTTPHeaders"]["x-amz-crc32"] and got["Item"] == {"id": {"S": "k"}}


def test_in_process_and_http_clients_share_one_state(served, client):
    boto3.client("s3").create_bucket(Bucket="shared")  # in-process, no endpoint_url
    assert [b["Name"] for b in client("s3").list_buckets()["Buckets"]] == ["shared"]


def test_json_of_the_wrong_type_is_refused_and_the_server_goes_on(served, client):
    """Issue 17 item 6 (the server never dies of a request): a JSON body whose values have other
    types than the operation's shapes (a list for the input structure, a string for a map) is
    refused as the unreadable JSON of ``test_malformed_bodies`` is (DynamoDB's SerializationException,
    as its JSON protocol answers a body it cannot deserialize), and the connection keeps serving."""
    client("dynamodb").create_table(TableName="typed", BillingMode="PAY_PER_REQUEST",
                                    KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    headers = {"X-Amz-Target": "DynamoDB_20120810.GetItem", "Content-Type": "application/x-amz-json-1.0"}
    for body in (b"[1]", b'"typed"', b'{"TableName": "typed", "Key": "id"}'):
        status, _, answer = _raw(served.endpoint_url, "POST", "/", headers, body)
        assert status == 400 and json.loads(answer)["__type"] == "SerializationException", body
    assert "Item" not in client("dynamodb").get_item(TableName="typed", Key={"id": {"S": "absent"}})
