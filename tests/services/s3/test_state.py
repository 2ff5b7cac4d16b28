"""State rules: every S3 record is a plain msgpack-able value, so persistence and snapshots hold."""

from __future__ import annotations

import datetime

import msgpack
import pytest

MiB = 1024 * 1024


def _plain(value) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (str, bytes, int, float, bool))


def test_records_round_trip_through_msgpack(kumo, s3, versioned):
    s3.put_bucket_lifecycle_configuration(Bucket=versioned, LifecycleConfiguration={"Rules": [
        {"ID": "dated", "Status": "Enabled", "Filter": {"Prefix": "x/"},
         "Expiration": {"Date": datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)},
         "Transitions": [{"Date": datetime.datetime(2029, 1, 1, tzinfo=datetime.timezone.utc),
                          "StorageClass": "GLACIER"}]}]})
    s3.put_object(Bucket=versioned, Key="x/a", Body=b"small", Metadata={"k": "v"}, Tagging="a=b",
                  Expires=datetime.datetime(2031, 1, 1))
    s3.put_object(Bucket=versioned, Key="x/big", Body=b"b" * (MiB // 2))
    s3.delete_object(Bucket=versioned, Key="x/a")
    uid = s3.create_multipart_upload(Bucket=versioned, Key="m", ChecksumAlgorithm="CRC32")["UploadId"]
    etag = s3.upload_part(Bucket=versioned, Key="m", UploadId=uid, PartNumber=1, Body=b"p")["ETag"]
    s3.create_multipart_upload(Bucket=versioned, Key="pending")
    assert etag
    records = kumo.store.export_records()
    s3_tables = {name: table for name, table in records.items() if name.startswith("s3.")}
    assert {"s3.buckets", "s3.objects", "s3.versions", "s3.uploads", "s3.parts", "s3.config"} <= set(s3_tables)
    for name, table in s3_tables.items():
        for key, value in table.items():
            assert _plain(value), (name, key, value)
            assert msgpack.unpackb(msgpack.packb(value, use_bin_type=True), raw=False) == value
    rules = s3.get_bucket_lifecycle_configuration(Bucket=versioned)["Rules"]
    assert rules[0]["Transitions"][0]["Date"] == datetime.datetime(2030 - 1, 1, 1, tzinfo=datetime.timezone.utc)
    assert rules[0]["Expiration"]["Date"].year == 2030


def test_backend_rebuilds_from_records(kumo, s3, versioned):
    s3.put_object(Bucket=versioned, Key="k", Body=b"1")
    s3.put_object(Bucket=versioned, Key="k", Body=b"2")
    s3.create_multipart_upload(Bucket=versioned, Key="u")
    kumo._backends.pop("s3", None)  # as after a restart: derived state is rebuilt from the records
    kumo._handlers.clear()
    v3 = s3.put_object(Bucket=versioned, Key="k", Body=b"3")["VersionId"]
    versions = s3.list_object_versions(Bucket=versioned, Prefix="k")["Versions"]
    assert versions[0]["VersionId"] == v3 and len(versions) == 3
    s3.create_multipart_upload(Bucket=versioned, Key="u")
    assert len(s3.list_multipart_uploads(Bucket=versioned)["Uploads"]) == 2


def test_generators_are_refused_by_botocore_as_against_aws(s3, bucket):
    from botocore.exceptions import ParamValidationError

    with pytest.raises(ParamValidationError):
        s3.put_object(Bucket=bucket, Key="g", Body=(b for b in [b"a"]))


def test_part_number_and_range_together(s3, bucket):
    from botocore.exceptions import ClientError

    s3.put_object(Bucket=bucket, Key="k", Body=b"abc")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="k", PartNumber=1, Range="bytes=0-1")
    assert exc.value.response["Error"]["Code"] == "InvalidRequest"
    assert s3.get_object(Bucket=bucket, Key="k", PartNumber=1)["Body"].read() == b"abc"
