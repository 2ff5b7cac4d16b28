"""Buckets: create rules per region, ownership errors, names, head, delete, list, location."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from s3_helpers import error_of, status_of


def test_create_head_list_delete(s3):
    s3.create_bucket(Bucket="alpha-bucket")
    s3.create_bucket(Bucket="beta-bucket")
    head = s3.head_bucket(Bucket="alpha-bucket")
    assert head["BucketRegion"] == "us-east-1"
    listed = s3.list_buckets()
    assert [b["Name"] for b in listed["Buckets"]] == ["alpha-bucket", "beta-bucket"]
    assert listed["Buckets"][0]["BucketRegion"] == "us-east-1"
    assert len(listed["Owner"]["ID"]) == 64
    s3.delete_bucket(Bucket="alpha-bucket")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["beta-bucket"]


def test_list_buckets_prefix_pagination_and_region(kumo):
    east = boto3.client("s3", region_name="us-east-1")
    west = boto3.client("s3", region_name="eu-west-1")
    for name in ("app-one", "app-two", "other-bucket"):
        east.create_bucket(Bucket=name)
    west.create_bucket(Bucket="app-west", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    page = east.list_buckets(Prefix="app-", MaxBuckets=2)
    assert [b["Name"] for b in page["Buckets"]] == ["app-one", "app-two"]
    assert page["Prefix"] == "app-"
    rest = east.list_buckets(Prefix="app-", MaxBuckets=2, ContinuationToken=page["ContinuationToken"])
    assert [b["Name"] for b in rest["Buckets"]] == ["app-west"]
    assert "ContinuationToken" not in rest
    assert [b["Name"] for b in east.list_buckets(BucketRegion="eu-west-1")["Buckets"]] == ["app-west"]


def test_location_constraint_rules(kumo):
    east = boto3.client("s3", region_name="us-east-1")
    west = boto3.client("s3", region_name="eu-west-1")
    with pytest.raises(ClientError) as exc:
        east.create_bucket(Bucket="bad-east", CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
    assert error_of(exc)["Code"] == "InvalidLocationConstraint"
    with pytest.raises(ClientError) as exc:
        west.create_bucket(Bucket="no-constraint")
    assert error_of(exc)["Code"] == "IllegalLocationConstraintException"
    assert "unspecified location constraint" in error_of(exc)["Message"]
    with pytest.raises(ClientError) as exc:
        west.create_bucket(Bucket="wrong-region", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    assert error_of(exc)["Code"] == "IllegalLocationConstraintException"
    west.create_bucket(Bucket="in-west", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert east.get_bucket_location(Bucket="in-west")["LocationConstraint"] == "eu-west-1"
    east.create_bucket(Bucket="in-east")
    assert east.get_bucket_location(Bucket="in-east")["LocationConstraint"] is None
    east.create_bucket(Bucket="east-made-west", CreateBucketConfiguration={"LocationConstraint": "ap-south-1"})
    assert east.head_bucket(Bucket="east-made-west")["BucketRegion"] == "ap-south-1"


def test_already_owned_and_already_exists(kumo):
    east = boto3.client("s3", region_name="us-east-1")
    west = boto3.client("s3", region_name="eu-west-1")
    east.create_bucket(Bucket="mine-east")
    east.create_bucket(Bucket="mine-east")  # us-east-1 answers 200 to its owner, as AWS does
    west.create_bucket(Bucket="mine-west", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    with pytest.raises(west.exceptions.BucketAlreadyOwnedByYou) as exc:
        west.create_bucket(Bucket="mine-west", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert error_of(exc)["BucketName"] == "mine-west"
    assert status_of(exc) == 409
    other = boto3.client("s3", region_name="us-east-1", aws_access_key_id="111122223333",
                         aws_secret_access_key="x")
    with pytest.raises(other.exceptions.BucketAlreadyExists):
        other.create_bucket(Bucket="mine-east")
    with pytest.raises(ClientError) as exc:
        other.head_bucket(Bucket="mine-east")
    assert error_of(exc)["Code"] == "403"


@pytest.mark.parametrize("name", ["ab", "UPPER-case", "a" * 64, "-leading", "trailing-", "two..dots",
                                  "192.168.1.1", "xn--punycode", "name-s3alias", "under_score"])
def test_invalid_bucket_names(s3, name):
    """AWS's "General purpose bucket naming rules" page: 3-63 characters, lowercase letters, digits, dots and
    hyphens only (no underscore), no IP address form, no reserved prefix or suffix."""
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket=name)
    assert error_of(exc)["Code"] == "InvalidBucketName"
    assert error_of(exc)["BucketName"] == name


def test_no_such_bucket_everywhere(s3):
    with pytest.raises(s3.exceptions.NoSuchBucket) as exc:
        s3.list_objects_v2(Bucket="missing-bucket")
    assert error_of(exc) == {"Code": "NoSuchBucket", "Message": "The specified bucket does not exist",
                             "BucketName": "missing-bucket"}
    with pytest.raises(ClientError) as exc:
        s3.head_bucket(Bucket="missing-bucket")
    assert error_of(exc) == {"Code": "404", "Message": "Not Found"}
    with pytest.raises(s3.exceptions.NoSuchBucket):
        s3.put_object(Bucket="missing-bucket", Key="k", Body=b"x")
    with pytest.raises(s3.exceptions.NoSuchBucket):
        s3.delete_bucket(Bucket="missing-bucket")


def test_delete_non_empty_bucket(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket=bucket)
    assert error_of(exc) == {"Code": "BucketNotEmpty", "Message": "The bucket you tried to delete is not empty",
                             "BucketName": bucket}
    assert status_of(exc) == 409
    s3.delete_object(Bucket=bucket, Key="k")
    s3.delete_bucket(Bucket=bucket)


def test_delete_bucket_with_only_delete_markers_is_not_empty(s3, versioned):
    s3.put_object(Bucket=versioned, Key="k", Body=b"x")
    s3.delete_object(Bucket=versioned, Key="k")
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket=versioned)
    assert error_of(exc)["Code"] == "BucketNotEmpty"


def test_summary(kumo, s3, bucket):
    s3.put_object(Bucket=bucket, Key="a", Body=b"12345")
    s3.put_object(Bucket=bucket, Key="b", Body=b"123")
    summary = kumo.backend("s3").summary()
    assert summary == {"buckets": [{"name": bucket, "account": "123456789012", "region": "us-east-1",
                                    "objects": 2, "bytes": 8, "versioning": "Disabled"}]}


def test_strict_mode_bucket_calls():
    from kumo_intercept import kumo

    with kumo(strict=True):
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="strict-bucket")
        s3.head_bucket(Bucket="strict-bucket")
        s3.list_buckets()
        s3.get_bucket_versioning(Bucket="strict-bucket")
