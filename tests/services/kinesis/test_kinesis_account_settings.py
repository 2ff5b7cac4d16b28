"""Kinesis's newer stream and account settings through boto3: large records (UpdateMaxRecordSize),
the minimum throughput billing commitment (Describe/UpdateAccountSettings) and warm throughput of
on-demand streams (UpdateStreamWarmThroughput).

Facts from the Kinesis API reference (docs.aws.amazon.com/kinesis/latest/APIReference):
API_UpdateMaxRecordSize (1024..10240 KiB, ValidationException outside), the developer guide's "Handle
large records" page (1 MiB default, up to 10 MiB), API_MinimumThroughputBillingCommitmentInput
(commitments last at least 24 hours; a disable before then is scheduled for the earliest allowed end,
and enabling again cancels it), API_MinimumThroughputBillingCommitmentOutput (ENABLED, DISABLED,
ENABLED_UNTIL_EARLIEST_ALLOWED_END) and API_UpdateStreamWarmThroughput (on-demand streams of accounts
with the commitment enabled only; at most 10 GiBps).
"""

from __future__ import annotations

import datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, ParamValidationError

MIB = 1024 * 1024


@pytest.fixture
def kinesis(aws: Any) -> Any:
    return boto3.client("kinesis")


def _arn(kinesis: Any, name: str) -> str:
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def test_max_record_size_raises_the_record_limit(kinesis: Any) -> None:
    kinesis.create_stream(StreamName="big", ShardCount=1)
    with pytest.raises(ClientError) as caught:
        kinesis.put_record(StreamName="big", Data=b"x" * (MIB + 1), PartitionKey="k")
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    kinesis.update_max_record_size(StreamARN=_arn(kinesis, "big"), MaxRecordSizeInKiB=4096)
    summary = kinesis.describe_stream_summary(StreamName="big")["StreamDescriptionSummary"]
    assert summary["MaxRecordSizeInKiB"] == 4096
    kinesis.put_record(StreamName="big", Data=b"x" * (3 * MIB), PartitionKey="k")
    kinesis.put_records(StreamName="big", Records=[{"Data": b"y" * (4 * MIB), "PartitionKey": "k"}])
    with pytest.raises(ClientError) as caught:
        kinesis.put_record(StreamName="big", Data=b"x" * (4 * MIB + 1), PartitionKey="k")
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    iterator = kinesis.get_shard_iterator(StreamName="big", ShardId="shardId-000000000000",
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    sizes = [len(r["Data"]) for r in kinesis.get_records(ShardIterator=iterator)["Records"]]
    assert sizes == [3 * MIB, 4 * MIB]


def test_max_record_size_at_create_and_its_range(kinesis: Any) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=1, MaxRecordSizeInKiB=2048)
    assert kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["MaxRecordSizeInKiB"] == 2048
    with pytest.raises(ParamValidationError):  # below 1024: botocore checks the model's minimum
        kinesis.update_max_record_size(StreamARN=_arn(kinesis, "s"), MaxRecordSizeInKiB=512)
    with pytest.raises(ClientError) as caught:
        kinesis.update_max_record_size(StreamARN=_arn(kinesis, "s"), MaxRecordSizeInKiB=10241)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(kinesis.exceptions.ResourceNotFoundException):
        kinesis.update_max_record_size(StreamARN=_arn(kinesis, "s").replace("/s", "/gone"), MaxRecordSizeInKiB=2048)


def test_commitment_lasts_24_hours_on_the_clock(aws: Any, kinesis: Any) -> None:
    assert kinesis.describe_account_settings()["MinimumThroughputBillingCommitment"] == {"Status": "DISABLED"}
    enabled = kinesis.update_account_settings(
        MinimumThroughputBillingCommitment={"Status": "ENABLED"})["MinimumThroughputBillingCommitment"]
    assert enabled["Status"] == "ENABLED"
    assert enabled["EarliestAllowedEndAt"] - enabled["StartedAt"] == datetime.timedelta(hours=24)
    aws.clock.advance(3600)
    pending = kinesis.update_account_settings(
        MinimumThroughputBillingCommitment={"Status": "DISABLED"})["MinimumThroughputBillingCommitment"]
    assert pending["Status"] == "ENABLED_UNTIL_EARLIEST_ALLOWED_END"
    # enabling again cancels the pending disable
    again = kinesis.update_account_settings(MinimumThroughputBillingCommitment={"Status": "ENABLED"})
    assert again["MinimumThroughputBillingCommitment"]["Status"] == "ENABLED"
    kinesis.update_account_settings(MinimumThroughputBillingCommitment={"Status": "DISABLED"})
    aws.clock.advance(23 * 3600)
    ended = kinesis.describe_account_settings()["MinimumThroughputBillingCommitment"]
    assert ended["Status"] == "DISABLED"
    assert ended["EndedAt"] == enabled["EarliestAllowedEndAt"]


def test_warm_throughput_needs_on_demand_and_the_commitment(kinesis: Any) -> None:
    kinesis.create_stream(StreamName="od", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    kinesis.create_stream(StreamName="prov", ShardCount=1)
    with pytest.raises(kinesis.exceptions.InvalidArgumentException):  # no commitment yet
        kinesis.update_stream_warm_throughput(StreamName="od", WarmThroughputMiBps=100)
    kinesis.update_account_settings(MinimumThroughputBillingCommitment={"Status": "ENABLED"})
    with pytest.raises(kinesis.exceptions.InvalidArgumentException):
        kinesis.update_stream_warm_throughput(StreamName="prov", WarmThroughputMiBps=100)
    with pytest.raises(ClientError) as caught:
        kinesis.update_stream_warm_throughput(StreamName="od", WarmThroughputMiBps=10 * 1024 + 1)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    out = kinesis.update_stream_warm_throughput(StreamName="od", WarmThroughputMiBps=100)
    assert out["StreamName"] == "od" and out["WarmThroughput"] == {"TargetMiBps": 100, "CurrentMiBps": 0}
    summary = kinesis.describe_stream_summary(StreamName="od")["StreamDescriptionSummary"]
    assert summary["WarmThroughput"] == {"TargetMiBps": 100, "CurrentMiBps": 100}
    with pytest.raises(kinesis.exceptions.ResourceNotFoundException):
        kinesis.update_stream_warm_throughput(StreamName="missing", WarmThroughputMiBps=1)
