"""Multipart uploads: the whole lifecycle, its errors, ETags and checksums, listings, lifecycle aborts."""

from __future__ import annotations

import base64
import hashlib
import zlib

import boto3
import pytest
from botocore.exceptions import ClientError

from s3_helpers import error_of, status_of

MiB = 1024 * 1024


def _crc32(data: bytes) -> bytes:
    return zlib.crc32(data).to_bytes(4, "big")


def test_full_lifecycle_etag_and_composite_checksum(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big", ContentType="text/plain", Metadata={"m": "1"},
                                        ChecksumAlgorithm="CRC32")
    assert upload["ChecksumAlgorithm"] == "CRC32"
    assert upload["ChecksumType"] == "COMPOSITE"
    uid = upload["UploadId"]
    part1 = b"a" * (5 * MiB)
    part2 = b"b" * 1000
    r1 = s3.upload_part(Bucket=bucket, Key="big", UploadId=uid, PartNumber=1, Body=part1)
    r2 = s3.upload_part(Bucket=bucket, Key="big", UploadId=uid, PartNumber=2, Body=part2)
    assert r1["ETag"] == '"%s"' % hashlib.md5(part1).hexdigest()
    assert r1["ChecksumCRC32"] == base64.b64encode(_crc32(part1)).decode()
    parts = s3.list_parts(Bucket=bucket, Key="big", UploadId=uid)
    assert [p["PartNumber"] for p in parts["Parts"]] == [1, 2]
    assert parts["Parts"][0]["Size"] == 5 * MiB
    done = s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=uid, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": r1["ETag"], "ChecksumCRC32": r1["ChecksumCRC32"]},
        {"PartNumber": 2, "ETag": r2["ETag"], "ChecksumCRC32": r2["ChecksumCRC32"]}]})
    expected = hashlib.md5(hashlib.md5(part1).digest() + hashlib.md5(part2).digest()).hexdigest() + "-2"
    assert done["ETag"] == f'"{expected}"'
    composite = base64.b64encode(_crc32(_crc32(part1) + _crc32(part2))).decode() + "-2"
    assert done["ChecksumCRC32"] == composite
    assert done["ChecksumType"] == "COMPOSITE"
    assert done["Location"].endswith("/big")
    head = s3.head_object(Bucket=bucket, Key="big")
    assert head["ContentLength"] == 5 * MiB + 1000
    assert head["ContentType"] == "text/plain"
    assert head["Metadata"] == {"m": "1"}
    assert head["ETag"] == done["ETag"]
    body = s3.get_object(Bucket=bucket, Key="big")["Body"].read()
    assert body == part1 + part2
    second = s3.get_object(Bucket=bucket, Key="big", PartNumber=2)
    assert second["Body"].read() == part2
    assert second["PartsCount"] == 2
    assert second["ContentRange"] == f"bytes {5 * MiB}-{5 * MiB + 999}/{5 * MiB + 1000}"
    assert second["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert second["ChecksumCRC32"] == r2["ChecksumCRC32"]  # the part's own checksum
    whole = s3.get_object(Bucket=bucket, Key="big", Range="bytes=0-0")
    assert "ChecksumCRC32" not in whole
    assert s3.head_object(Bucket=bucket, Key="big", ChecksumMode="ENABLED")["ChecksumCRC32"] == composite
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="big", PartNumber=3)
    assert error_of(exc)["Code"] == "InvalidPartNumber"
    attrs = s3.get_object_attributes(Bucket=bucket, Key="big", ObjectAttributes=["ObjectParts", "Checksum"])
    assert attrs["ObjectParts"]["TotalPartsCount"] == 2
    assert attrs["Checksum"]["ChecksumType"] == "COMPOSITE"
    # without the "-2" GetObject shows (LocalStack's AWS-validated
    # test_complete_multipart_parts_checksum_composite, object attributes)
    assert attrs["Checksum"]["ChecksumCRC32"] == composite.removesuffix("-2")
    with pytest.raises(s3.exceptions.NoSuchUpload):
        s3.list_parts(Bucket=bucket, Key="big", UploadId=uid)


def test_full_object_crc_checksum(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="f", ChecksumAlgorithm="CRC32",
                                     ChecksumType="FULL_OBJECT")["UploadId"]
    data = [b"x" * (5 * MiB), b"tail"]
    parts = []
    for n, chunk in enumerate(data, 1):
        r = s3.upload_part(Bucket=bucket, Key="f", UploadId=uid, PartNumber=n, Body=chunk)
        parts.append({"PartNumber": n, "ETag": r["ETag"], "ChecksumCRC32": r["ChecksumCRC32"]})
    done = s3.complete_multipart_upload(Bucket=bucket, Key="f", UploadId=uid, MultipartUpload={"Parts": parts})
    assert done["ChecksumCRC32"] == base64.b64encode(_crc32(b"".join(data))).decode()
    assert done["ChecksumType"] == "FULL_OBJECT"


def test_complete_errors(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="e")["UploadId"]
    small = s3.upload_part(Bucket=bucket, Key="e", UploadId=uid, PartNumber=1, Body=b"small")
    other = s3.upload_part(Bucket=bucket, Key="e", UploadId=uid, PartNumber=2, Body=b"other")
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="e", UploadId=uid, MultipartUpload={"Parts": [
            {"PartNumber": 1, "ETag": small["ETag"]}, {"PartNumber": 2, "ETag": other["ETag"]}]})
    assert error_of(exc) == {"Code": "EntityTooSmall",
                             "Message": "Your proposed upload is smaller than the minimum allowed size",
                             "ProposedSize": "5", "MinSizeAllowed": "5242880", "PartNumber": "1",
                             "ETag": small["ETag"].strip('"')}
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="e", UploadId=uid, MultipartUpload={"Parts": [
            {"PartNumber": 2, "ETag": other["ETag"]}, {"PartNumber": 1, "ETag": small["ETag"]}]})
    assert error_of(exc)["Code"] == "InvalidPartOrder"
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="e", UploadId=uid, MultipartUpload={"Parts": [
            {"PartNumber": 1, "ETag": '"0000"'}]})
    assert error_of(exc)["Code"] == "InvalidPart"
    assert error_of(exc)["PartNumber"] == "1"
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="e", UploadId=uid, MultipartUpload={"Parts": [
            {"PartNumber": 3, "ETag": other["ETag"]}]})
    assert error_of(exc)["Code"] == "InvalidPart"
    # a single small part is fine: only non-last parts have a minimum
    done = s3.complete_multipart_upload(Bucket=bucket, Key="e", UploadId=uid, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": small["ETag"]}]})
    assert done["ETag"].endswith('-1"')
    assert s3.get_object(Bucket=bucket, Key="e")["Body"].read() == b"small"


def test_completing_again_answers_as_the_first_time(s3, bucket):
    """CompleteMultipartUpload called again on the completed upload (even with IfNoneMatch="*") is 200
    with the same ETag (moto's AWS-verified test_s3_multipart.py::test_idempotent_multipart_upload); an
    upload id that never completed here is NoSuchUpload."""
    uid = s3.create_multipart_upload(Bucket=bucket, Key="e")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="e", UploadId=uid, PartNumber=1, Body=b"small")
    parts = {"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]}
    done = s3.complete_multipart_upload(Bucket=bucket, Key="e", UploadId=uid, MultipartUpload=parts)
    again = s3.complete_multipart_upload(Bucket=bucket, Key="e", UploadId=uid, MultipartUpload=parts,
                                         IfNoneMatch="*")
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert again["ETag"] == done["ETag"]
    assert s3.get_object(Bucket=bucket, Key="e")["Body"].read() == b"small"
    other = s3.create_multipart_upload(Bucket=bucket, Key="e")["UploadId"]
    s3.abort_multipart_upload(Bucket=bucket, Key="e", UploadId=other)
    with pytest.raises(s3.exceptions.NoSuchUpload) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="e", UploadId=other, MultipartUpload=parts)
    assert error_of(exc)["UploadId"] == other
    assert status_of(exc) == 404


def test_part_checksum_must_match_the_upload_algorithm(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="SHA256")["UploadId"]
    with pytest.raises(ClientError) as exc:  # botocore sends CRC32 by default: AWS refuses it
        s3.upload_part(Bucket=bucket, Key="k", UploadId=uid, PartNumber=1, Body=b"x")
    assert error_of(exc)["Message"] == ("Checksum Type mismatch occurred, expected checksum Type: sha256, "
                                        "actual checksum Type: crc32")


def test_part_number_range_and_no_such_upload(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="p")["UploadId"]
    with pytest.raises(ClientError) as exc:
        s3.upload_part(Bucket=bucket, Key="p", UploadId=uid, PartNumber=10001, Body=b"x")
    assert error_of(exc)["Code"] == "InvalidArgument"
    with pytest.raises(s3.exceptions.NoSuchUpload):
        s3.upload_part(Bucket=bucket, Key="p", UploadId="nope", PartNumber=1, Body=b"x")
    with pytest.raises(s3.exceptions.NoSuchUpload):
        s3.upload_part(Bucket=bucket, Key="other-key", UploadId=uid, PartNumber=1, Body=b"x")


def test_abort(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="a")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="a", UploadId=uid, PartNumber=1, Body=b"x")
    out = s3.abort_multipart_upload(Bucket=bucket, Key="a", UploadId=uid)
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(s3.exceptions.NoSuchUpload):
        s3.abort_multipart_upload(Bucket=bucket, Key="a", UploadId=uid)
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)


def test_upload_part_copy_with_ranges(s3, bucket):
    source = bytes(range(256)) * 40960  # 10 MiB
    s3.put_object(Bucket=bucket, Key="src", Body=source)
    uid = s3.create_multipart_upload(Bucket=bucket, Key="dst")["UploadId"]
    p1 = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=uid, PartNumber=1,
                             CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange=f"bytes=0-{5 * MiB - 1}")
    p2 = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=uid, PartNumber=2,
                             CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange=f"bytes={5 * MiB}-{5 * MiB + 99}")
    assert p1["CopyPartResult"]["ETag"] == '"%s"' % hashlib.md5(source[:5 * MiB]).hexdigest()
    with pytest.raises(ClientError) as exc:
        s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=uid, PartNumber=3,
                            CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange="bytes=0-99999999")
    assert error_of(exc)["Code"] == "InvalidArgument"
    s3.complete_multipart_upload(Bucket=bucket, Key="dst", UploadId=uid, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": p1["CopyPartResult"]["ETag"]}, {"PartNumber": 2, "ETag": p2["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == source[:5 * MiB + 100]


def test_list_parts_pagination(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="lp")["UploadId"]
    for n in range(1, 6):
        s3.upload_part(Bucket=bucket, Key="lp", UploadId=uid, PartNumber=n, Body=b"x")
    page = s3.list_parts(Bucket=bucket, Key="lp", UploadId=uid, MaxParts=2)
    assert [p["PartNumber"] for p in page["Parts"]] == [1, 2]
    assert page["IsTruncated"] is True
    page = s3.list_parts(Bucket=bucket, Key="lp", UploadId=uid, MaxParts=2,
                         PartNumberMarker=page["NextPartNumberMarker"])
    assert [p["PartNumber"] for p in page["Parts"]] == [3, 4]
    pages = s3.get_paginator("list_parts").paginate(Bucket=bucket, Key="lp", UploadId=uid,
                                                    PaginationConfig={"PageSize": 2})
    assert [p["PartNumber"] for page in pages for p in page["Parts"]] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("value, message", [
    (-1, "Argument {} must be an integer between 0 and 2147483647"),
    (2147483648, "Provided {} not an integer or within integer range")])
def test_listing_arguments_out_of_range(s3, bucket, value, message):
    """S3's refusals of listing arguments outside 0..2**31-1 (AWS's words for max-uploads quoted in
    versity/versitygw#1794; moto's test_multipart_list_parts_invalid_argument for max-parts and
    part-number-marker)."""
    uid = s3.create_multipart_upload(Bucket=bucket, Key="lp")["UploadId"]
    calls = [(s3.list_parts, {"UploadId": uid, "Key": "lp", "MaxParts": value}, "max-parts"),
             (s3.list_parts, {"UploadId": uid, "Key": "lp", "PartNumberMarker": value}, "part-number-marker"),
             (s3.list_multipart_uploads, {"MaxUploads": value}, "max-uploads")]
    for call, kwargs, name in calls:
        with pytest.raises(ClientError) as exc:
            call(Bucket=bucket, **kwargs)
        assert error_of(exc) == {"Code": "InvalidArgument", "Message": message.format(name)}
        assert status_of(exc) == 400


def test_list_multipart_uploads(s3, bucket):
    ids = {}
    for key in ("dir/a", "dir/b", "top", "top"):
        ids.setdefault(key, []).append(s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"])
    out = s3.list_multipart_uploads(Bucket=bucket)
    assert [(u["Key"], u["UploadId"]) for u in out["Uploads"]] == [
        ("dir/a", ids["dir/a"][0]), ("dir/b", ids["dir/b"][0]), ("top", ids["top"][0]), ("top", ids["top"][1])]
    out = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in out["CommonPrefixes"]] == ["dir/"]
    assert [u["Key"] for u in out["Uploads"]] == ["top", "top"]
    out = s3.list_multipart_uploads(Bucket=bucket, Prefix="dir/")
    assert [u["Key"] for u in out["Uploads"]] == ["dir/a", "dir/b"]
    page = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=3)
    assert page["IsTruncated"] is True
    rest = s3.list_multipart_uploads(Bucket=bucket, KeyMarker=page["NextKeyMarker"],
                                     UploadIdMarker=page["NextUploadIdMarker"])
    assert [u["UploadId"] for u in rest["Uploads"]] == [ids["top"][1]]


@pytest.mark.kumo(clock="virtual")
def test_lifecycle_aborts_incomplete_uploads(kumo):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="lc-bucket")
    s3.put_bucket_lifecycle_configuration(Bucket="lc-bucket", LifecycleConfiguration={"Rules": [{
        "ID": "abort-3", "Status": "Enabled", "Filter": {"Prefix": "tmp/"},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 3}}]})
    upload = s3.create_multipart_upload(Bucket="lc-bucket", Key="tmp/x")
    assert upload["AbortRuleId"] == "abort-3"
    assert upload["AbortDate"].isoformat() == "2025-01-04T00:00:00+00:00"
    kept = s3.create_multipart_upload(Bucket="lc-bucket", Key="keep/x")
    assert "AbortDate" not in kept
    kumo.clock.advance(2 * 86400)
    s3.upload_part(Bucket="lc-bucket", Key="tmp/x", UploadId=upload["UploadId"], PartNumber=1, Body=b"x")
    kumo.clock.advance(2 * 86400)
    with pytest.raises(s3.exceptions.NoSuchUpload):
        s3.upload_part(Bucket="lc-bucket", Key="tmp/x", UploadId=upload["UploadId"], PartNumber=2, Body=b"x")
    assert [u["Key"] for u in s3.list_multipart_uploads(Bucket="lc-bucket")["Uploads"]] == ["keep/x"]


def test_strict_multipart_calls():
    from kumo_intercept import kumo

    with kumo(strict=True):
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="strict-mpu")
        uid = s3.create_multipart_upload(Bucket="strict-mpu", Key="k", ChecksumAlgorithm="SHA256")["UploadId"]
        r = s3.upload_part(Bucket="strict-mpu", Key="k", UploadId=uid, PartNumber=1, Body=b"x",
                           ChecksumAlgorithm="SHA256")
        s3.list_parts(Bucket="strict-mpu", Key="k", UploadId=uid)
        s3.list_multipart_uploads(Bucket="strict-mpu")
        s3.complete_multipart_upload(Bucket="strict-mpu", Key="k", UploadId=uid, MultipartUpload={"Parts": [
            {"PartNumber": 1, "ETag": r["ETag"], "ChecksumSHA256": r["ChecksumSHA256"]}]})
        s3.get_object(Bucket="strict-mpu", Key="k", PartNumber=1)
        s3.get_object_attributes(Bucket="strict-mpu", Key="k", ObjectAttributes=["ObjectParts", "Checksum"])
