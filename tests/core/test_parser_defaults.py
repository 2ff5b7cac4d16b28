"""Answers honour the session's response-parser settings (``set_parser_defaults``), as botocore's parser does.

botocore hands every timestamp and blob of a response to the callables of its session's
``response_parser_factory`` (botocore/parsers.py: ``_handle_timestamp``/``_handle_blob``; raw payload
bodies and CBOR byte strings never reach the blob parser). The AWS CLI sets both to the identity
(awscli/customizations/scalarparse.py), so it sees what came over the wire. The wire forms below are
AWS's, from the API references' example responses: S3 ListObjectsV2 ``<LastModified>2009-10-12T17:50:30.000Z``
and HeadObject ``Last-Modified: Sun, 1 Jan 2006 12:00:00 GMT``; DynamoDB CreateTable
``"CreationDateTime": 1.36372808007E9``; STS GetSessionToken ``<Expiration>2011-07-11T19:55:29.611Z``.
"""

from __future__ import annotations

import base64
import calendar
import datetime
import json
import re
from typing import Any, Iterator

import boto3
import pytest
from botocore.utils import parse_timestamp

from kumo_intercept import Emulator, kumo

START = datetime.datetime(2026, 12, 3, 8, 30, 15, 250000, tzinfo=datetime.timezone.utc)


def identity(value: Any) -> Any:
    return value


@pytest.fixture
def aws() -> Iterator[Emulator]:
    with kumo(clock="virtual", start_time=START, strict=True) as emulator:
        yield emulator


@pytest.fixture
def raw() -> boto3.Session:
    """A session that keeps timestamps and blobs as they came over the wire, as the AWS CLI's does."""
    session = boto3.Session()
    session._session.get_component("response_parser_factory").set_parser_defaults(
        timestamp_parser=identity, blob_parser=identity)
    return session


def same_instant(wire: Any, parsed: datetime.datetime) -> bool:
    return parse_timestamp(wire) == parsed


def test_rest_xml_body_timestamps_are_iso_with_milliseconds_and_headers_http_dates(aws: Emulator,
                                                                                   raw: boto3.Session) -> None:
    boto3.client("s3").create_bucket(Bucket="wire")
    boto3.client("s3").put_object(Bucket="wire", Key="k", Body=b"body")
    s3 = raw.client("s3")
    listed = s3.list_objects_v2(Bucket="wire")["Contents"][0]["LastModified"]
    assert listed == "2026-12-03T08:30:15.000Z"  # S3 keeps whole seconds and writes the milliseconds
    head = s3.head_object(Bucket="wire", Key="k")["LastModified"]
    assert head == "Thu, 03 Dec 2026 08:30:15 GMT"
    assert s3.list_buckets()["Buckets"][0]["CreationDate"] == listed
    parsed = boto3.client("s3").head_object(Bucket="wire", Key="k")["LastModified"]
    assert same_instant(listed, parsed) and same_instant(head, parsed)


def test_json_body_timestamps_are_epoch_numbers_to_the_millisecond(aws: Emulator, raw: boto3.Session) -> None:
    created = raw.client("dynamodb").create_table(
        TableName="wire", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])["TableDescription"]
    assert created["CreationDateTime"] == calendar.timegm(START.utctimetuple()) + 0.25
    assert isinstance(created["CreationDateTime"], float)
    described = boto3.client("dynamodb").describe_table(TableName="wire")["Table"]["CreationDateTime"]
    assert same_instant(created["CreationDateTime"], described)


def test_rest_json_and_cbor_timestamps_are_epoch_numbers(aws: Emulator, raw: boto3.Session) -> None:
    """Scheduler (rest-json) writes epoch seconds in its JSON body; CloudWatch (smithy-rpc-v2-cbor in this
    botocore) a CBOR epoch-time tag, whose number botocore hands to the timestamp parser."""
    epoch = calendar.timegm(START.utctimetuple()) + 0.25
    raw.client("cloudwatch").put_metric_alarm(
        AlarmName="wire", MetricName="m", Namespace="n", Statistic="Sum", Period=60, EvaluationPeriods=1,
        Threshold=1, ComparisonOperator="GreaterThanThreshold")
    alarm = raw.client("cloudwatch").describe_alarms()["MetricAlarms"][0]
    assert alarm["StateUpdatedTimestamp"] == pytest.approx(epoch, abs=0.001)
    boto3.client("sqs").create_queue(QueueName="wire")
    boto3.client("iam").create_role(RoleName="wire", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))
    raw.client("scheduler").create_schedule(
        Name="wire", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": "arn:aws:sqs:us-east-1:123456789012:wire", "RoleArn": "arn:aws:iam::123456789012:role/wire"})
    created = raw.client("scheduler").get_schedule(Name="wire")["CreationDate"]
    assert isinstance(created, (int, float)) and created == pytest.approx(epoch, abs=0.001)


def test_query_timestamps_are_iso_with_milliseconds_only_when_there_are_some(aws: Emulator,
                                                                              raw: boto3.Session) -> None:
    expiration = raw.client("sts").get_session_token()["Credentials"]["Expiration"]
    assert expiration == "2026-12-03T09:30:15Z"  # STS issues whole seconds
    created = raw.client("iam").create_user(UserName="wire")["User"]["CreateDate"]
    assert re.match(r"^2026-12-03T08:30:15(\.\d{3})?Z$", created), created
    assert same_instant(created, boto3.client("iam").get_user(UserName="wire")["User"]["CreateDate"])


def test_blobs_stay_base64_text_but_payload_bodies_stay_bytes(aws: Emulator, raw: boto3.Session) -> None:
    kms = raw.client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    ciphertext = kms.encrypt(KeyId=key, Plaintext=b"secret")["CiphertextBlob"]
    assert isinstance(ciphertext, str)
    assert boto3.client("kms").decrypt(CiphertextBlob=base64.b64decode(ciphertext))["Plaintext"] == b"secret"
    boto3.client("s3").create_bucket(Bucket="wire")
    boto3.client("s3").put_object(Bucket="wire", Key="k", Body=b"\x00\x01")
    assert raw.client("s3").get_object(Bucket="wire", Key="k")["Body"].read() == b"\x00\x01"


def test_iso8601_parser_and_untouched_sessions(aws: Emulator) -> None:
    """The CLI's ``cli_timestamp_format = iso8601`` parser gets the wire value too; other sessions keep
    datetimes."""
    iso = boto3.Session()
    iso._session.get_component("response_parser_factory").set_parser_defaults(
        timestamp_parser=lambda wire: parse_timestamp(wire).isoformat())
    table = {"BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
             "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}
    created = iso.client("dynamodb").create_table(TableName="iso", **table)["TableDescription"]
    assert created["CreationDateTime"] == "2026-12-03T08:30:15.250000+00:00"
    plain = boto3.client("dynamodb").create_table(TableName="plain", **table)["TableDescription"]
    assert plain["CreationDateTime"] == START
