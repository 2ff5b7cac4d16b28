"""aiobotocore clients served by the emulator: the same services as boto3's, with aiobotocore's async
bodies, event streams, paginators, waiters and retries.

Facts: aiobotocore's README (clients are async context managers; ``await response["Body"].read()``,
``async with`` bodies; ``async for`` over paginators and event streams), botocore's waiter models
(``waiters-2.json``: S3 ObjectNotExists polls every 5 s, 20 attempts) and retry modes (legacy DynamoDB:
10 attempts), the AWS API references named in each test. Coroutines run with ``asyncio.run``.
"""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
import textwrap
import zipfile
from typing import Any, Awaitable, Callable

import aiobotocore.httpsession
import aiobotocore.session
import pytest
from aiobotocore.eventstream import AioEventStream
from aiobotocore.response import AioStreamingBody
from botocore.config import Config
from botocore.exceptions import ClientError, WaiterError

import kumo_intercept
from kumo_intercept import Emulator, NetworkBlockedError, kumo
from role_helpers import create_service_role

MiB = 1024 * 1024


def run(test: Callable[[Any, Emulator], Awaitable[None]], service: str, **options: Any) -> Emulator:
    """Run ``test(client, aws)`` with an aiobotocore client of ``service`` in a strict virtual-clock emulator
    (every response checked against botocore's output shapes)."""
    config = options.pop("config", None)

    async def main(aws: Emulator) -> None:
        async with aiobotocore.session.get_session().create_client(service, config=config) as client:
            await test(client, aws)

    with kumo(clock="virtual", strict=True, **options) as aws:
        asyncio.run(main(aws))
    return aws


# -- S3 ---------------------------------------------------------------------------------------------
def test_s3_objects_stream_as_aiobotocore_bodies():
    async def test(s3: Any, aws: Emulator) -> None:
        await s3.create_bucket(Bucket="async-bucket")
        put = await s3.put_object(Bucket="async-bucket", Key="notes.txt", Body=b"first\nsecond\n",
                                  ContentType="text/plain")
        got = await s3.get_object(Bucket="async-bucket", Key="notes.txt")
        assert got["ETag"] == put["ETag"] and got["ContentType"] == "text/plain"
        assert isinstance(got["Body"], AioStreamingBody)
        async with got["Body"] as body:
            assert await body.read() == b"first\nsecond\n"
        lines = (await s3.get_object(Bucket="async-bucket", Key="notes.txt"))["Body"]
        assert [line async for line in lines.iter_lines()] == [b"first", b"second"]
        ranged = await s3.get_object(Bucket="async-bucket", Key="notes.txt", Range="bytes=6-11")
        assert ranged["ContentRange"] == "bytes 6-11/13" and await ranged["Body"].read() == b"second"

    aws = run(test, "s3")
    aws.calls.assert_called("s3.GetObject", Range="bytes=6-11")


class _AsyncReader:
    """A body whose read() is a coroutine, as an aiofiles file or aiohttp's StreamReader."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    async def read(self, size: int = -1) -> bytes:
        size = len(self._data) if size < 0 else size
        chunk, self._data = self._data[:size], self._data[size:]
        return chunk


def test_bodies_with_async_reads_are_uploaded():
    """aiobotocore awaits the reads of such a body (aiobotocore/httpchecksum.py, AioAwsChunkedWrapper)."""
    async def test(s3: Any, aws: Emulator) -> None:
        await s3.create_bucket(Bucket="uploads")
        data = bytes(range(256)) * (12 * MiB // 256)  # larger than what stays in memory
        await s3.put_object(Bucket="uploads", Key="async.bin", Body=_AsyncReader(data))
        head = await s3.head_object(Bucket="uploads", Key="async.bin")
        assert head["ContentLength"] == len(data)
        assert await (await s3.get_object(Bucket="uploads", Key="async.bin"))["Body"].read() == data
        upload = await s3.create_multipart_upload(Bucket="uploads", Key="parts.bin")
        part = await s3.upload_part(Bucket="uploads", Key="parts.bin", UploadId=upload["UploadId"], PartNumber=1,
                                    Body=_AsyncReader(b"only part"))
        await s3.complete_multipart_upload(Bucket="uploads", Key="parts.bin", UploadId=upload["UploadId"],
                                           MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
        assert await (await s3.get_object(Bucket="uploads", Key="parts.bin"))["Body"].read() == b"only part"

    run(test, "s3")


def test_s3_listing_pages_asynchronously():
    """ListObjectsV2 (API reference): keys in UTF-8 binary order, MaxKeys per page, CommonPrefixes."""
    async def test(s3: Any, aws: Emulator) -> None:
        await s3.create_bucket(Bucket="listing")
        for key in ("b/2", "a/1", "c", "a/0", "b/1"):
            await s3.put_object(Bucket="listing", Key=key, Body=key.encode())
        pages = [page async for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket="listing", PaginationConfig={"PageSize": 2})]
        assert [[o["Key"] for o in page["Contents"]] for page in pages] == [["a/0", "a/1"], ["b/1", "b/2"], ["c"]]
        top = await s3.list_objects_v2(Bucket="listing", Delimiter="/")
        assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["a/", "b/"]
        assert [o["Key"] for o in top["Contents"]] == ["c"]

    run(test, "s3")


def test_s3_multipart_upload_from_an_async_client():
    """Multipart upload (S3 user guide): parts of 5 MiB or more but the last, the object is their
    concatenation and its ETag the MD5 of the part MD5s with the part count."""
    async def test(s3: Any, aws: Emulator) -> None:
        await s3.create_bucket(Bucket="parts")
        upload = await s3.create_multipart_upload(Bucket="parts", Key="big.bin")
        datas = [b"a" * (5 * MiB), b"b" * MiB]
        parts = []
        for number, data in enumerate(datas, 1):
            part = await s3.upload_part(Bucket="parts", Key="big.bin", UploadId=upload["UploadId"],
                                        PartNumber=number, Body=data)
            parts.append({"PartNumber": number, "ETag": part["ETag"]})
        done = await s3.complete_multipart_upload(Bucket="parts", Key="big.bin", UploadId=upload["UploadId"],
                                                  MultipartUpload={"Parts": parts})
        assert done["ETag"].endswith('-2"')
        body = (await s3.get_object(Bucket="parts", Key="big.bin"))["Body"]
        sizes = [len(chunk) async for chunk in body.iter_chunks(MiB)]
        assert sizes == [MiB] * 6
        tail = await s3.get_object(Bucket="parts", Key="big.bin", Range=f"bytes={5 * MiB - 2}-{5 * MiB + 1}")
        assert await tail["Body"].read() == b"aabb"

    run(test, "s3")


def test_waiters_sleep_on_the_emulator_clock():
    async def test(s3: Any, aws: Emulator) -> None:
        await s3.create_bucket(Bucket="waited")
        await s3.get_waiter("bucket_exists").wait(Bucket="waited")
        await s3.put_object(Bucket="waited", Key="stays", Body=b"x")
        started = aws.clock.time()
        with pytest.raises(WaiterError, match="Max attempts exceeded"):
            await s3.get_waiter("object_not_exists").wait(Bucket="waited", Key="stays")
        assert aws.clock.time() - started == 19 * 5  # 20 attempts, 5 s apart, all on the virtual clock

    run(test, "s3")


# -- SQS and DynamoDB -------------------------------------------------------------------------------
def test_sqs_messages_round_trip():
    """SendMessage/ReceiveMessage (SQS API reference): MD5 of the body, attributes, receipt handles; a
    long poll on an empty queue returns no messages after WaitTimeSeconds."""
    async def test(sqs: Any, aws: Emulator) -> None:
        url = (await sqs.create_queue(QueueName="async-orders"))["QueueUrl"]
        sent = await sqs.send_message(QueueUrl=url, MessageBody="order 1",
                                      MessageAttributes={"kind": {"DataType": "String", "StringValue": "new"}})
        [message] = (await sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"]))["Messages"]
        assert message["Body"] == "order 1" and message["MessageId"] == sent["MessageId"]
        assert message["MessageAttributes"]["kind"]["StringValue"] == "new"
        await sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        started = aws.clock.time()
        assert "Messages" not in await sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
        assert aws.clock.time() - started == 20

    run(test, "sqs")


def test_dynamodb_paginators_and_errors():
    """Query (DynamoDB API reference): items in sort-key order, Limit per page, LastEvaluatedKey only
    while the limit was reached; a failed condition is
    ConditionalCheckFailedException."""
    async def test(ddb: Any, aws: Emulator) -> None:
        await ddb.create_table(TableName="events", BillingMode="PAY_PER_REQUEST",
                               KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                          {"AttributeName": "sk", "KeyType": "RANGE"}],
                               AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                     {"AttributeName": "sk", "AttributeType": "N"}])
        await ddb.get_waiter("table_exists").wait(TableName="events")
        for sk in (3, 1, 2, 5, 4):
            await ddb.put_item(TableName="events", Item={"pk": {"S": "a"}, "sk": {"N": str(sk)}})
        pages = [page async for page in ddb.get_paginator("query").paginate(
            TableName="events", KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": "a"}}, PaginationConfig={"PageSize": 2})]
        assert [[item["sk"]["N"] for item in page["Items"]] for page in pages] == [["1", "2"], ["3", "4"], ["5"]]
        with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
            await ddb.put_item(TableName="events", Item={"pk": {"S": "a"}, "sk": {"N": "1"}},
                               ConditionExpression="attribute_not_exists(pk)")

    run(test, "dynamodb")


def test_lambda_payloads_are_async_bodies():
    """Invoke (Lambda API reference): 200 with the function's JSON result as Payload; an Event
    invocation answers 202 with an empty payload."""
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return {'doubled': event['n'] * 2}\n")

    async def test(functions: Any, aws: Emulator) -> None:
        role = create_service_role("arn:aws:iam::123456789012:role/async-lambda")["Arn"]
        await functions.create_function(FunctionName="double", Runtime="python3.12", Role=role,
                                        Handler="app.handler", Code={"ZipFile": code.getvalue()})
        await functions.get_waiter("function_active_v2").wait(FunctionName="double")
        result = await functions.invoke(FunctionName="double", Payload=json.dumps({"n": 21}))
        assert isinstance(result["Payload"], AioStreamingBody)
        async with result["Payload"] as payload:
            assert json.loads(await payload.read()) == {"doubled": 42}
        queued = await functions.invoke(FunctionName="double", InvocationType="Event", Payload=b"{}")
        assert queued["StatusCode"] == 202 and await queued["Payload"].read() == b""

    run(test, "lambda")


# -- faults and retries -----------------------------------------------------------------------------
def test_injected_throttling_is_retried_by_aiobotocore():
    async def test(ddb: Any, aws: Emulator) -> None:
        fault = aws.faults.throttle("dynamodb", "ListTables", count=2)
        started = aws.clock.time()
        listed = await ddb.list_tables()
        assert listed["ResponseMetadata"]["RetryAttempts"] == 2
        assert fault.hits == 2 and fault.exhausted
        assert [call.error for call in aws.calls] == ["ThrottlingException", "ThrottlingException", None]
        assert aws.clock.time() > started, "the backoff delays pass on the virtual clock"

    run(test, "dynamodb", config=Config(retries={"mode": "standard"}))


def test_retries_stop_at_the_async_clients_max_attempts():
    async def test(sqs: Any, aws: Emulator) -> None:
        fault = aws.faults.server_error("sqs", "ListQueues", status=503)
        with pytest.raises(ClientError) as caught:
            await sqs.list_queues()
        metadata = caught.value.response["ResponseMetadata"]
        assert caught.value.response["Error"]["Code"] == "ServiceUnavailable"
        assert metadata["RetryAttempts"] == 3 and metadata["MaxAttemptsReached"] is True
        assert fault.hits == 4

    run(test, "sqs", config=Config(retries={"mode": "standard", "total_max_attempts": 4}))


def test_legacy_retries_of_an_async_client():
    async def test(ddb: Any, aws: Emulator) -> None:
        aws.faults.throttle("dynamodb")
        with pytest.raises(ddb.exceptions.ThrottlingException) as caught:
            await ddb.list_tables()
        assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 9  # legacy DynamoDB: 10 attempts

    run(test, "dynamodb", config=Config(retries={"mode": "legacy"}))


# -- every service, event streams ------------------------------------------------------------------
SERVICE_CALLS = [
    ("sts", "get_caller_identity", {}, lambda out: out["Account"] == "123456789012"),
    ("sns", "create_topic", {"Name": "t"}, lambda out: out["TopicArn"].endswith(":t")),
    ("events", "put_rule", {"Name": "r", "ScheduleExpression": "rate(1 hour)"}, lambda out: "RuleArn" in out),
    ("logs", "create_log_group", {"logGroupName": "g"}, lambda out: out["ResponseMetadata"]["HTTPStatusCode"] == 200),
    ("kms", "create_key", {}, lambda out: out["KeyMetadata"]["KeyState"] == "Enabled"),
    ("secretsmanager", "create_secret", {"Name": "s", "SecretString": "v"}, lambda out: out["Name"] == "s"),
    ("ssm", "put_parameter", {"Name": "p", "Value": "v", "Type": "String"}, lambda out: out["Version"] == 1),
    ("iam", "create_user", {"UserName": "u"}, lambda out: out["User"]["UserName"] == "u"),
    ("cloudwatch", "list_metrics", {}, lambda out: out["Metrics"] == []),
    ("stepfunctions", "list_state_machines", {}, lambda out: out["stateMachines"] == []),
    ("scheduler", "list_schedules", {}, lambda out: out["Schedules"] == []),
    ("firehose", "list_delivery_streams", {}, lambda out: out["DeliveryStreamNames"] == []),
    ("ses", "verify_email_identity", {"EmailAddress": "a@example.com"},
     lambda out: out["ResponseMetadata"]["HTTPStatusCode"] == 200),
    ("lambda", "list_functions", {}, lambda out: out["Functions"] == []),
]


@pytest.mark.parametrize("service, operation, params, check", SERVICE_CALLS, ids=[c[0] for c in SERVICE_CALLS])
def test_every_service_answers_async_clients(service, operation, params, check):
    async def test(client: Any, aws: Emulator) -> None:
        assert check(await getattr(client, operation)(**params))

    aws = run(test, service)
    assert [(call.service, call.error) for call in aws.calls] == [(service, None)]


def test_kinesis_subscriptions_are_async_event_streams():
    """SubscribeToShard (Kinesis API reference): SubscribeToShardEvent with Records; on a wall clock
    the subscription waits for records while the event loop keeps running the code that puts them."""
    async def test(kinesis: Any, aws: Emulator) -> None:
        await kinesis.create_stream(StreamName="s", ShardCount=1)
        arn = (await kinesis.describe_stream_summary(StreamName="s"))["StreamDescriptionSummary"]["StreamARN"]
        consumer = (await kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="fan"))["Consumer"]
        await kinesis.put_record(StreamName="s", Data=b"one", PartitionKey="k")
        response = await kinesis.subscribe_to_shard(ConsumerARN=consumer["ConsumerARN"], ShardId="shardId-000000000000",
                                                    StartingPosition={"Type": "TRIM_HORIZON"})
        stream = response["EventStream"]
        assert isinstance(stream, AioEventStream)
        events = stream.__aiter__()
        first = await events.__anext__()
        assert [r["Data"] for r in first["SubscribeToShardEvent"]["Records"]] == [b"one"]
        producer = asyncio.ensure_future(kinesis.put_record(StreamName="s", Data=b"two", PartitionKey="k"))
        later = [(await events.__anext__())["SubscribeToShardEvent"]["Records"] for _ in range(2)]
        await producer
        assert [r["Data"] for records in later for r in records] == [b"two"]
        stream.close()

    async def main() -> None:
        async with aiobotocore.session.get_session().create_client("kinesis") as kinesis:
            await test(kinesis, aws)

    with kumo() as aws:  # the wall clock: the subscription really waits
        asyncio.run(main())


# -- clients without the hooks ------------------------------------------------------------------------
def test_a_session_without_the_hooks_is_blocked_loudly():
    """As a session created before kumo_intercept was imported: no handlers, so its requests would
    reach aiohttp; while an emulator is active they are refused, and aiohttp is restored afterwards."""
    session = aiobotocore.session.get_session()
    emitter = session.get_component("event_emitter")
    interceptor = kumo_intercept.core.interceptor
    emitter.unregister("before-call", interceptor._serve)
    emitter.unregister("before-parameter-build", interceptor._remember_params)
    send = aiobotocore.httpsession.AIOHTTPSession.send

    async def call() -> None:
        async with session.create_client("sqs", region_name="us-east-1", aws_access_key_id="a",
                                         aws_secret_access_key="b") as sqs:
            await sqs.list_queues()

    with kumo():
        with pytest.raises(NetworkBlockedError, match="aiobotocore client: its session was created before"):
            asyncio.run(call())
    assert aiobotocore.httpsession.AIOHTTPSession.send is send


def test_clients_need_neither_region_nor_credentials(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")

    get_credentials = aiobotocore.session.AioSession.get_credentials

    async def test(sts: Any, aws: Emulator) -> None:
        assert sts.meta.region_name == "eu-west-3"
        assert (await sts.get_caller_identity())["Account"] == "123456789012"

    run(test, "sts", region="eu-west-3")
    assert aiobotocore.session.AioSession.get_credentials is get_credentials


def test_aiobotocore_imported_while_an_emulator_runs_is_served():
    """aiobotocore imported after the emulator started gets the same patches at its first call."""
    script = textwrap.dedent("""
        import asyncio
        from kumo_intercept import kumo

        with kumo(clock="virtual") as aws:
            import aiobotocore.session
            from botocore.exceptions import WaiterError

            async def main():
                async with aiobotocore.session.get_session().create_client("s3", region_name="us-east-1") as s3:
                    await s3.create_bucket(Bucket="late")
                    await s3.put_object(Bucket="late", Key="k", Body=b"x")
                    started = aws.clock.time()
                    try:
                        await s3.get_waiter("object_not_exists").wait(Bucket="late", Key="k")
                    except WaiterError:
                        print(aws.clock.time() - started)

            asyncio.run(main())
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "95.0"
