"""Lifecycle expiration applied against the emulator clock (virtual here: days pass at once)."""

from __future__ import annotations

import datetime
import json

import boto3
import pytest

DAY = 86400
pytestmark = pytest.mark.kumo(clock="virtual")


@pytest.fixture
def s3():
    return boto3.client("s3")


def _rules(s3, bucket, *rules):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": list(rules)})


def _keys(s3, bucket):
    return [c["Key"] for c in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_expiration_days_with_prefix_and_tags(kumo, s3):
    kumo.clock.set("2025-01-01T10:00:00Z")
    s3.create_bucket(Bucket="lc-bucket")
    _rules(s3, "lc-bucket",
           {"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 1}},
           {"ID": "tagged", "Status": "Enabled", "Filter": {"Tag": {"Key": "tmp", "Value": "yes"}},
            "Expiration": {"Days": 3}},
           {"ID": "off", "Status": "Disabled", "Filter": {}, "Expiration": {"Days": 1}})
    s3.put_object(Bucket="lc-bucket", Key="logs/a", Body=b"x")
    s3.put_object(Bucket="lc-bucket", Key="data/b", Body=b"x")
    s3.put_object(Bucket="lc-bucket", Key="data/tmp", Body=b"x", Tagging="tmp=yes")
    head = s3.head_object(Bucket="lc-bucket", Key="logs/a")
    assert head["Expiration"] == 'expiry-date="Fri, 03 Jan 2025 00:00:00 GMT", rule-id="logs"'
    kumo.clock.advance(DAY)  # 2025-01-02T10:00: not yet (midnight after one day)
    assert _keys(s3, "lc-bucket") == ["data/b", "data/tmp", "logs/a"]
    kumo.clock.advance(DAY)
    assert _keys(s3, "lc-bucket") == ["data/b", "data/tmp"]
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket="lc-bucket", Key="logs/a")
    s3.put_object(Bucket="lc-bucket", Key="logs/new", Body=b"x")  # a later object gets its own date
    kumo.clock.advance(2 * DAY)
    assert _keys(s3, "lc-bucket") == ["data/b"]
    kumo.clock.advance(DAY)
    assert _keys(s3, "lc-bucket") == ["data/b"]


def test_expiration_date(kumo, s3):
    s3.create_bucket(Bucket="dated")
    s3.put_object(Bucket="dated", Key="k", Body=b"x")
    _rules(s3, "dated", {"ID": "d", "Status": "Enabled", "Filter": {},
                         "Expiration": {"Date": datetime.datetime(2025, 2, 1, tzinfo=datetime.timezone.utc)}})
    kumo.clock.set("2025-01-31T23:00:00Z")
    assert _keys(s3, "dated") == ["k"]
    kumo.clock.set("2025-02-01T00:00:00Z")
    assert _keys(s3, "dated") == []


def test_versioned_expiration_noncurrent_versions_and_markers(kumo, s3):
    s3.create_bucket(Bucket="lcv")
    s3.put_bucket_versioning(Bucket="lcv", VersioningConfiguration={"Status": "Enabled"})
    _rules(s3, "lcv",
           {"ID": "current", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 2}},
           {"ID": "old", "Status": "Enabled", "Filter": {}, "NoncurrentVersionExpiration": {"NoncurrentDays": 1}},
           {"ID": "markers", "Status": "Enabled", "Filter": {}, "Expiration": {"ExpiredObjectDeleteMarker": True}})
    v1 = s3.put_object(Bucket="lcv", Key="k", Body=b"1")["VersionId"]
    kumo.clock.advance(DAY / 2)
    v2 = s3.put_object(Bucket="lcv", Key="k", Body=b"2")["VersionId"]
    versions = s3.list_object_versions(Bucket="lcv")
    assert [v["VersionId"] for v in versions["Versions"]] == [v2, v1]
    kumo.clock.advance(2 * DAY)  # v1 noncurrent for > 1 day: gone
    versions = s3.list_object_versions(Bucket="lcv")
    assert [v["VersionId"] for v in versions["Versions"]] == [v2]
    kumo.clock.advance(2 * DAY)  # v2 expires: a delete marker; later, v2 (noncurrent) and the marker go
    assert _keys(s3, "lcv") == []
    kumo.clock.advance(2 * DAY)
    s3.list_objects_v2(Bucket="lcv")
    kumo.clock.advance(2 * DAY)
    versions = s3.list_object_versions(Bucket="lcv")
    assert "Versions" not in versions and "DeleteMarkers" not in versions


def test_noncurrent_versions_kept_by_newer_noncurrent_versions(kumo, s3):
    s3.create_bucket(Bucket="keep")
    s3.put_bucket_versioning(Bucket="keep", VersioningConfiguration={"Status": "Enabled"})
    _rules(s3, "keep", {"ID": "n", "Status": "Enabled", "Filter": {},
                        "NoncurrentVersionExpiration": {"NoncurrentDays": 1, "NewerNoncurrentVersions": 2}})
    ids = [s3.put_object(Bucket="keep", Key="k", Body=str(i).encode())["VersionId"] for i in range(5)]
    kumo.clock.advance(5 * DAY)
    versions = s3.list_object_versions(Bucket="keep")["Versions"]
    assert [v["VersionId"] for v in versions] == [ids[4], ids[3], ids[2]]


def test_lifecycle_notifications(kumo, s3):
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="lc-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.create_bucket(Bucket="lcn")
    s3.put_bucket_notification_configuration(Bucket="lcn", NotificationConfiguration={"QueueConfigurations": [
        {"QueueArn": arn, "Events": ["s3:LifecycleExpiration:*"]}]})
    _rules(s3, "lcn", {"ID": "x", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 1}})
    s3.put_object(Bucket="lcn", Key="k", Body=b"x")
    kumo.clock.advance(3 * DAY)
    s3.list_objects_v2(Bucket="lcn")
    bodies = [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]
    records = [b["Records"][0] for b in bodies if "Records" in b]
    assert [(r["eventName"], r["eventVersion"]) for r in records] == [("LifecycleExpiration:Delete", "2.3")]


def test_locked_versions_are_not_expired(kumo, s3):
    s3.create_bucket(Bucket="lcl", ObjectLockEnabledForBucket=True)
    _rules(s3, "lcl", {"ID": "n", "Status": "Enabled", "Filter": {},
                       "NoncurrentVersionExpiration": {"NoncurrentDays": 1}})
    v1 = s3.put_object(Bucket="lcl", Key="k", Body=b"1")["VersionId"]
    s3.put_object_legal_hold(Bucket="lcl", Key="k", VersionId=v1, LegalHold={"Status": "ON"})
    s3.put_object(Bucket="lcl", Key="k", Body=b"2")
    kumo.clock.advance(3 * DAY)
    assert len(s3.list_object_versions(Bucket="lcl")["Versions"]) == 2
