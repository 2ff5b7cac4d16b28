"""Amazon Data Firehose through boto3: delivery streams to S3, buffering on the emulator clock,
prefixes, compression, Lambda transformation, Kinesis sources.

Facts: the Firehose API reference (CreateDeliveryStream, PutRecord, PutRecordBatch — 500 records,
4 MiB, 1,000 KiB per record — UpdateDestination), and the developer guide pages "Amazon S3 object name
format", "Custom prefixes for Amazon S3 objects", "Transform source data" and "Configure buffering
hints" (5 MiB / 300 s defaults).
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from typing import Any

import boto3
import pytest

from kumo_intercept.core.errors import NotEmulatedError
from kumo_intercept.core.ports import ObjectStorePort, StreamPort
from kumo_intercept.services.awslambda import register_callable

ROLE = "arn:aws:iam::123456789012:role/firehose"
BUCKET_ARN = "arn:aws:s3:::out"


@pytest.fixture
def clients(aws: Any) -> tuple[Any, Any]:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="out")
    return boto3.client("firehose"), s3


def _keys(s3: Any) -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket="out").get("Contents", [])]


def _body(s3: Any, key: str) -> bytes:
    return s3.get_object(Bucket="out", Key=key)["Body"].read()


def _create(firehose: Any, name: str = "fh", extended: bool = True, **config: Any) -> str:
    destination = {"RoleARN": ROLE, "BucketARN": BUCKET_ARN, **config}
    key = "ExtendedS3DestinationConfiguration" if extended else "S3DestinationConfiguration"
    return firehose.create_delivery_stream(DeliveryStreamName=name, **{key: destination})["DeliveryStreamARN"]


def test_backends_implement_their_ports(aws: Any) -> None:
    assert isinstance(aws.backend("s3"), ObjectStorePort)
    assert isinstance(aws.backend("kinesis"), StreamPort)


def test_describe_list_delete(clients: tuple[Any, Any]) -> None:
    firehose, _s3 = clients
    arn = _create(firehose)
    assert arn == "arn:aws:firehose:us-east-1:123456789012:deliverystream/fh"
    description = firehose.describe_delivery_stream(DeliveryStreamName="fh")["DeliveryStreamDescription"]
    assert description["DeliveryStreamStatus"] == "ACTIVE"
    assert description["DeliveryStreamType"] == "DirectPut"
    assert description["VersionId"] == "1"
    extended = description["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert extended["BufferingHints"] == {"SizeInMBs": 5, "IntervalInSeconds": 300}
    assert extended["CompressionFormat"] == "UNCOMPRESSED"
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == ["fh"]
    with pytest.raises(firehose.exceptions.ResourceInUseException):
        _create(firehose)
    firehose.delete_delivery_stream(DeliveryStreamName="fh")
    with pytest.raises(firehose.exceptions.ResourceNotFoundException):
        firehose.describe_delivery_stream(DeliveryStreamName="fh")


def test_interval_flush_with_default_prefix_and_object_name(aws: Any, clients: tuple[Any, Any]) -> None:
    firehose, s3 = clients
    _create(firehose, BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 60})
    firehose.put_record(DeliveryStreamName="fh", Record={"Data": b"one\n"})
    firehose.put_record_batch(DeliveryStreamName="fh", Records=[{"Data": b"two\n"}, {"Data": b"three\n"}])
    aws.clock.advance(59)
    assert _keys(s3) == []
    aws.clock.advance(1)
    [key] = _keys(s3)
    # virtual clock starts 2025-01-01T00:00:00Z; name: stream-version-yyyy-MM-dd-HH-mm-ss-uuid
    assert re.fullmatch(r"2025/01/01/00/fh-1-2025-01-01-00-00-00-[0-9a-f-]{36}", key), key
    assert _body(s3, key) == b"one\ntwo\nthree\n"


def test_size_flush_without_waiting(clients: tuple[Any, Any]) -> None:
    firehose, s3 = clients
    _create(firehose, BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 900})
    chunk = b"x" * 500_000
    firehose.put_record(DeliveryStreamName="fh", Record={"Data": chunk})
    assert _keys(s3) == []
    firehose.put_record_batch(DeliveryStreamName="fh", Records=[{"Data": chunk}, {"Data": chunk}])
    [key] = _keys(s3)
    assert len(_body(s3, key)) == 1_500_000


def test_timestamp_namespace_prefix_and_gzip(aws: Any, clients: tuple[Any, Any]) -> None:
    firehose, s3 = clients
    _create(firehose, Prefix="data/!{timestamp:yyyy}/!{timestamp:MM}/", ErrorOutputPrefix="errors/",
            CompressionFormat="GZIP", BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 60})
    firehose.put_record(DeliveryStreamName="fh", Record={"Data": b"hello"})
    aws.clock.advance(60)
    [key] = _keys(s3)
    assert key.startswith("data/2025/01/fh-1-") and key.endswith(".gz")
    assert gzip.decompress(_body(s3, key)) == b"hello"


def test_prefix_with_expressions_needs_error_prefix(clients: tuple[Any, Any]) -> None:
    firehose, _s3 = clients
    with pytest.raises(firehose.exceptions.InvalidArgumentException):
        _create(firehose, Prefix="x/!{timestamp:yyyy}/")


def test_plain_s3_destination_and_update(aws: Any, clients: tuple[Any, Any]) -> None:
    firehose, s3 = clients
    _create(firehose, extended=False, Prefix="raw/", BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 60})
    description = firehose.describe_delivery_stream(DeliveryStreamName="fh")["DeliveryStreamDescription"]
    destination = description["Destinations"][0]
    assert "ExtendedS3DestinationDescription" not in destination
    with pytest.raises(firehose.exceptions.ConcurrentModificationException):
        firehose.update_destination(DeliveryStreamName="fh", CurrentDeliveryStreamVersionId="7",
                                    DestinationId=destination["DestinationId"], S3DestinationUpdate={"Prefix": "x/"})
    firehose.update_destination(DeliveryStreamName="fh", CurrentDeliveryStreamVersionId="1",
                                DestinationId=destination["DestinationId"], S3DestinationUpdate={"Prefix": "new/"})
    after = firehose.describe_delivery_stream(DeliveryStreamName="fh")["DeliveryStreamDescription"]
    assert after["VersionId"] == "2"
    assert after["Destinations"][0]["S3DestinationDescription"]["Prefix"] == "new/"
    firehose.put_record(DeliveryStreamName="fh", Record={"Data": b"x"})
    aws.clock.advance(60)
    [key] = _keys(s3)
    assert key.startswith("new/2025/01/01/00/fh-2-")


def test_lambda_transformation_ok_dropped_failed(aws: Any, clients: tuple[Any, Any]) -> None:
    firehose, s3 = clients

    def transform(event: dict, context: Any) -> dict:
        out = []
        for record in event["records"]:
            data = base64.b64decode(record["data"])
            result = "Dropped" if data == b"drop" else "ProcessingFailed" if data == b"bad" else "Ok"
            out.append({"recordId": record["recordId"], "result": result,
                        "data": base64.b64encode(data.upper() + b"\n").decode()})
        return {"records": out}

    function = register_callable("transform", transform)
    _create(firehose, BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 60}, ErrorOutputPrefix="err/",
            ProcessingConfiguration={"Enabled": True, "Processors": [{"Type": "Lambda", "Parameters": [
                {"ParameterName": "LambdaArn", "ParameterValue": function}]}]})
    firehose.put_record_batch(DeliveryStreamName="fh", Records=[{"Data": d} for d in (b"a", b"drop", b"bad", b"b")])
    aws.clock.advance(60)
    keys = _keys(s3)
    [good] = [k for k in keys if not k.startswith("err/")]
    [failed] = [k for k in keys if k.startswith("err/")]
    assert _body(s3, good) == b"A\nB\n"
    document = json.loads(_body(s3, failed))
    assert document["errorCode"] == "Lambda.ProcessingFailed"
    assert base64.b64decode(document["rawData"]) == b"bad"


def test_kinesis_source(aws: Any, clients: tuple[Any, Any]) -> None:
    firehose, s3 = clients
    kinesis = boto3.client("kinesis")
    kinesis.create_stream(StreamName="src", ShardCount=2)
    source = kinesis.describe_stream_summary(StreamName="src")["StreamDescriptionSummary"]["StreamARN"]
    kinesis.put_record(StreamName="src", Data=b"before-", PartitionKey="k")  # before: LATEST skips it
    firehose.create_delivery_stream(
        DeliveryStreamName="fh", DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": source, "RoleARN": ROLE},
        ExtendedS3DestinationConfiguration={"RoleARN": ROLE, "BucketARN": BUCKET_ARN,
                                            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}})
    with pytest.raises(firehose.exceptions.InvalidArgumentException):
        firehose.put_record(DeliveryStreamName="fh", Record={"Data": b"x"})
    kinesis.put_record(StreamName="src", Data=b"a", PartitionKey="k")
    aws.clock.advance(60)
    [key] = _keys(s3)
    assert _body(s3, key) == b"a"
    description = firehose.describe_delivery_stream(DeliveryStreamName="fh")["DeliveryStreamDescription"]
    assert description["Source"]["KinesisStreamSourceDescription"]["KinesisStreamARN"] == source
    # as AWS describes a Kinesis-sourced stream (LocalStack's resource_providers/test_firehose.snapshot.json)
    assert "DeliveryStreamEncryptionConfiguration" not in description
    assert description["Destinations"][0]["DestinationId"] == "destinationId-000000000001"


def test_missing_bucket_keeps_records_until_it_exists(aws: Any, clients: tuple[Any, Any]) -> None:
    firehose, s3 = clients
    firehose.create_delivery_stream(DeliveryStreamName="fh", ExtendedS3DestinationConfiguration={
        "RoleARN": ROLE, "BucketARN": "arn:aws:s3:::later", "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}})
    firehose.put_record(DeliveryStreamName="fh", Record={"Data": b"kept"})
    aws.clock.advance(120)
    s3.create_bucket(Bucket="later")
    [entry] = s3.list_objects_v2(Bucket="later")["Contents"]
    assert s3.get_object(Bucket="later", Key=entry["Key"])["Body"].read() == b"kept"


def test_limits(clients: tuple[Any, Any]) -> None:
    firehose, _s3 = clients
    _create(firehose)
    with pytest.raises(firehose.exceptions.ClientError) as caught:
        firehose.put_record_batch(DeliveryStreamName="fh", Records=[{"Data": b"x"}] * 501)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(firehose.exceptions.ClientError) as caught:
        firehose.put_record(DeliveryStreamName="fh", Record={"Data": b"x" * 1_024_001})
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(firehose.exceptions.InvalidArgumentException):
        firehose.put_record_batch(DeliveryStreamName="fh", Records=[{"Data": b"x" * 1_000_000}] * 5)
    with pytest.raises(firehose.exceptions.ResourceNotFoundException):
        firehose.put_record(DeliveryStreamName="nope", Record={"Data": b"x"})


def test_other_destinations_are_not_emulated(clients: tuple[Any, Any]) -> None:
    firehose, _s3 = clients
    with pytest.raises(NotEmulatedError, match="HttpEndpointDestinationConfiguration"):
        firehose.create_delivery_stream(DeliveryStreamName="h", HttpEndpointDestinationConfiguration={
            "EndpointConfiguration": {"Url": "https://example.com"},
            "S3Configuration": {"RoleARN": ROLE, "BucketARN": BUCKET_ARN}})


def test_tags_and_encryption(clients: tuple[Any, Any]) -> None:
    firehose, _s3 = clients
    _create(firehose)
    firehose.tag_delivery_stream(DeliveryStreamName="fh", Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    firehose.untag_delivery_stream(DeliveryStreamName="fh", TagKeys=["a"])
    assert firehose.list_tags_for_delivery_stream(DeliveryStreamName="fh")["Tags"] == [{"Key": "b", "Value": "2"}]
    firehose.start_delivery_stream_encryption(DeliveryStreamName="fh", DeliveryStreamEncryptionConfigurationInput={
        "KeyType": "AWS_OWNED_CMK"})
    assert firehose.put_record(DeliveryStreamName="fh", Record={"Data": b"x"})["Encrypted"] is True
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="fh")
    description = firehose.describe_delivery_stream(DeliveryStreamName="fh")["DeliveryStreamDescription"]
    assert description["DeliveryStreamEncryptionConfiguration"]["Status"] == "DISABLED"


def test_summary(aws: Any, clients: tuple[Any, Any]) -> None:
    firehose, _s3 = clients
    _create(firehose)
    firehose.put_record(DeliveryStreamName="fh", Record={"Data": b"1234"})
    [entry] = aws.backend("firehose").summary()["delivery_streams"]
    assert (entry["name"], entry["buffered_bytes"]) == ("fh", 4)
