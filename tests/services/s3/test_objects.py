"""Objects: bodies of every kind, headers and metadata, checksums, ranges, conditions, copy, delete,
tagging, attributes, conditional writes, object lock."""

from __future__ import annotations

import base64
import datetime
import hashlib
import io
import zlib

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.response import StreamingBody

from s3_helpers import error_of, status_of


def crc32_b64(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def test_put_get_bytes(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="hello.txt", Body=b"hello world")
    assert put["ETag"] == '"%s"' % hashlib.md5(b"hello world").hexdigest()
    assert put["ServerSideEncryption"] == "AES256"
    assert "VersionId" not in put
    got = s3.get_object(Bucket=bucket, Key="hello.txt")
    assert isinstance(got["Body"], StreamingBody)
    assert got["Body"].read() == b"hello world"
    assert got["ContentLength"] == 11
    assert got["ContentType"] == "binary/octet-stream"
    assert got["ETag"] == put["ETag"]
    assert got["AcceptRanges"] == "bytes"
    assert got["LastModified"].tzinfo is not None
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    headers = got["ResponseMetadata"]["HTTPHeaders"]
    assert headers["content-length"] == "11"
    assert headers["etag"] == put["ETag"]
    assert headers["last-modified"].endswith(" GMT")


@pytest.mark.parametrize("body, expected", [
    ("text body ✓", "text body ✓".encode()),
    (io.BytesIO(b"file-like"), b"file-like"),
    (bytearray(b"bytearray"), b"bytearray"),
    (b"", b""),
])
def test_body_kinds(s3, bucket, body, expected):
    s3.put_object(Bucket=bucket, Key="k", Body=body)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == expected


def test_real_file_handle_is_not_kept(s3, bucket, tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"x" * 300_000)
    with open(path, "rb") as f:
        s3.put_object(Bucket=bucket, Key="file", Body=f)
    assert f.closed  # closed by the with-block, not needed by the emulator any more
    got = s3.get_object(Bucket=bucket, Key="file")
    assert got["Body"].read() == b"x" * 300_000


def test_content_length_is_honoured(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=io.BytesIO(b"0123456789"), ContentLength=4)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"0123"


def test_headers_metadata_storage_class_and_overrides(s3, bucket):
    expires = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
    s3.put_object(Bucket=bucket, Key="doc", Body=b"{}", ContentType="application/json", CacheControl="max-age=60",
                  ContentDisposition="inline", ContentEncoding="identity", ContentLanguage="en", Expires=expires,
                  Metadata={"Owner": "me", "x": "1"}, StorageClass="STANDARD_IA")
    head = s3.head_object(Bucket=bucket, Key="doc")
    assert head["ContentType"] == "application/json"
    assert head["CacheControl"] == "max-age=60"
    assert head["ContentDisposition"] == "inline"
    assert head["ContentEncoding"] == "identity"
    assert head["ContentLanguage"] == "en"
    assert head["Expires"] == expires
    assert head["Metadata"] == {"owner": "me", "x": "1"}
    assert head["StorageClass"] == "STANDARD_IA"
    got = s3.get_object(Bucket=bucket, Key="doc", ResponseContentType="text/plain", ResponseCacheControl="no-cache",
                        ResponseContentDisposition="attachment")
    assert got["ContentType"] == "text/plain"
    assert got["CacheControl"] == "no-cache"
    assert got["ContentDisposition"] == "attachment"


def test_default_checksum_is_crc32_as_the_sdk_sends(s3, bucket):
    data = b"checksum me"
    put = s3.put_object(Bucket=bucket, Key="c", Body=data)
    assert put["ChecksumCRC32"] == crc32_b64(data)
    assert put["ChecksumType"] == "FULL_OBJECT"
    got = s3.get_object(Bucket=bucket, Key="c")  # botocore sends ChecksumMode=ENABLED by default
    assert got["ChecksumCRC32"] == crc32_b64(data)
    head = s3.head_object(Bucket=bucket, Key="c", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"] == crc32_b64(data)
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"][0]
    assert listed["ChecksumAlgorithm"] == ["CRC32"]


def test_sha256_checksum_and_user_given_values(s3, bucket):
    data = b"sha me"
    put = s3.put_object(Bucket=bucket, Key="s", Body=data, ChecksumAlgorithm="SHA256")
    assert put["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert "ChecksumCRC32" not in put
    good = base64.b64encode(hashlib.sha1(data).digest()).decode()
    put = s3.put_object(Bucket=bucket, Key="s1", Body=data, ChecksumSHA1=good)
    assert put["ChecksumSHA1"] == good
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="bad", Body=data, ChecksumCRC32="AAAAAA==")
    assert error_of(exc)["Code"] == "BadDigest"
    crc32c = s3.put_object(Bucket=bucket, Key="c32c", Body=b"123456789", ChecksumCRC32C="4waSgw==")
    assert crc32c["ChecksumCRC32C"] == "4waSgw=="


def test_content_md5_checked(s3, bucket):
    md5 = base64.b64encode(hashlib.md5(b"abc").digest()).decode()
    s3.put_object(Bucket=bucket, Key="m", Body=b"abc", ContentMD5=md5)
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="m", Body=b"abd", ContentMD5=md5)
    assert error_of(exc)["Code"] == "BadDigest"


def test_no_such_key_get_and_head(s3, bucket):
    with pytest.raises(s3.exceptions.NoSuchKey) as exc:
        s3.get_object(Bucket=bucket, Key="nope")
    assert error_of(exc) == {"Code": "NoSuchKey", "Message": "The specified key does not exist.", "Key": "nope"}
    assert status_of(exc) == 404
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="nope")
    assert error_of(exc) == {"Code": "404", "Message": "Not Found"}


def test_ranges(s3, bucket):
    s3.put_object(Bucket=bucket, Key="r", Body=b"0123456789")
    got = s3.get_object(Bucket=bucket, Key="r", Range="bytes=2-5")
    assert got["Body"].read() == b"2345"
    assert got["ContentRange"] == "bytes 2-5/10"
    assert got["ContentLength"] == 4
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert "ChecksumCRC32" not in got
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=7-")["Body"].read() == b"789"
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=-3")["Body"].read() == b"789"
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=8-100")["Body"].read() == b"89"
    whole = s3.get_object(Bucket=bucket, Key="r", Range="garbage")
    assert whole["Body"].read() == b"0123456789"
    assert whole["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="r", Range="bytes=10-12")
    assert error_of(exc) == {"Code": "InvalidRange", "Message": "The requested range is not satisfiable",
                             "RangeRequested": "bytes=10-12", "ActualObjectSize": "10"}
    assert status_of(exc) == 416


def test_get_conditions(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="c", Body=b"x")
    etag = put["ETag"]
    modified = s3.head_object(Bucket=bucket, Key="c")["LastModified"]
    before = modified - datetime.timedelta(hours=1)
    after = modified + datetime.timedelta(hours=1)
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read() == b"x"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", IfMatch='"other"')
    assert error_of(exc) == {"Code": "PreconditionFailed", "Condition": "If-Match",
                             "Message": "At least one of the pre-conditions you specified did not hold"}
    assert status_of(exc) == 412
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert error_of(exc) == {"Code": "304", "Message": "Not Modified"}
    assert status_of(exc) == 304
    # a 304 carries the ETag a 200 would have carried (RFC 9110, 15.4.5 "304 Not Modified")
    assert exc.value.response["ResponseMetadata"]["HTTPHeaders"]["etag"] == etag
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert status_of(exc) == 304
    assert exc.value.response["ResponseMetadata"]["HTTPHeaders"]["etag"] == etag
    with pytest.raises(ClientError) as exc:  # not modified since its own time (a future date is ignored)
        s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=modified)
    assert error_of(exc)["Code"] == "304"
    assert s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=before)["ContentLength"] == 1
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", IfUnmodifiedSince=before)
    assert error_of(exc)["Condition"] == "If-Unmodified-Since"
    # S3's combinations: If-Match true + If-Unmodified-Since false -> 200;
    # If-None-Match false (no match) + If-Modified-Since false -> 200
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag, IfUnmodifiedSince=before)["ContentLength"] == 1
    assert s3.get_object(Bucket=bucket, Key="c", IfNoneMatch='"zzz"', IfModifiedSince=after)["ContentLength"] == 1
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="c", IfMatch='"other"')
    assert error_of(exc) == {"Code": "412", "Message": "Precondition Failed"}


def test_conditional_writes(s3, bucket):
    s3.put_object(Bucket=bucket, Key="once", Body=b"1", IfNoneMatch="*")
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="once", Body=b"2", IfNoneMatch="*")
    assert error_of(exc)["Code"] == "PreconditionFailed"
    assert error_of(exc)["Condition"] == "If-None-Match"
    etag = s3.head_object(Bucket=bucket, Key="once")["ETag"]
    s3.put_object(Bucket=bucket, Key="once", Body=b"3", IfMatch=etag)
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="once", Body=b"4", IfMatch=etag)
    assert error_of(exc)["Condition"] == "If-Match"
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.put_object(Bucket=bucket, Key="missing", Body=b"4", IfMatch=etag)
    assert s3.get_object(Bucket=bucket, Key="once")["Body"].read() == b"3"


def test_delete_and_delete_objects(s3, bucket):
    for key in ("a", "b", "c"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    out = s3.delete_object(Bucket=bucket, Key="a")
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 204
    s3.delete_object(Bucket=bucket, Key="never-existed")  # no error, as in AWS
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "b"}, {"Key": "zzz"}]})
    assert result["Deleted"] == [{"Key": "b"}, {"Key": "zzz"}]
    quiet = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "c"}], "Quiet": True})
    assert "Deleted" not in quiet and "Errors" not in quiet
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_delete_objects_per_key_errors(s3, versioned):
    s3.put_object(Bucket=versioned, Key="ok", Body=b"x")
    result = s3.delete_objects(Bucket=versioned, Delete={"Objects": [
        {"Key": "ok"}, {"Key": "bad", "VersionId": "not-a-version"}]})
    assert result["Deleted"][0]["Key"] == "ok"
    assert result["Deleted"][0]["DeleteMarker"] is True
    assert result["Errors"] == [{"Key": "bad", "VersionId": "not-a-version", "Code": "InvalidArgument",
                                 "Message": "Invalid version id specified"}]


def test_copy_object_directives_and_conditions(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"payload", ContentType="text/plain", Metadata={"a": "1"},
                  Tagging="t1=v1&t2=v2")
    copy = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert copy["CopyObjectResult"]["ETag"] == s3.head_object(Bucket=bucket, Key="src")["ETag"]
    head = s3.head_object(Bucket=bucket, Key="dst")
    assert head["ContentType"] == "text/plain"
    assert head["Metadata"] == {"a": "1"}
    assert s3.get_object_tagging(Bucket=bucket, Key="dst")["TagSet"] == [
        {"Key": "t1", "Value": "v1"}, {"Key": "t2", "Value": "v2"}]
    s3.copy_object(Bucket=bucket, Key="dst2", CopySource=f"{bucket}/src", MetadataDirective="REPLACE",
                   Metadata={"b": "2"}, TaggingDirective="REPLACE", Tagging="n=1", ContentType="x/y")
    head = s3.head_object(Bucket=bucket, Key="dst2")
    assert head["Metadata"] == {"b": "2"}
    assert head["ContentType"] == "x/y"
    assert s3.get_object_tagging(Bucket=bucket, Key="dst2")["TagSet"] == [{"Key": "n", "Value": "1"}]
    assert s3.get_object(Bucket=bucket, Key="dst2")["Body"].read() == b"payload"
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="dst3", CopySource={"Bucket": bucket, "Key": "src"},
                       CopySourceIfMatch='"nope"')
    assert error_of(exc)["Code"] == "PreconditionFailed"
    assert error_of(exc)["Condition"] == "x-amz-copy-source-If-Match"
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="dst3", CopySource={"Bucket": bucket, "Key": "src"},
                       CopySourceIfNoneMatch=copy["CopyObjectResult"]["ETag"])
    assert status_of(exc) == 412
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.copy_object(Bucket=bucket, Key="dst3", CopySource={"Bucket": bucket, "Key": "missing"})


def test_copy_onto_itself(s3, bucket):
    s3.put_object(Bucket=bucket, Key="self", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="self", CopySource={"Bucket": bucket, "Key": "self"})
    assert error_of(exc)["Code"] == "InvalidRequest"
    assert "copy an object to itself without changing" in error_of(exc)["Message"]
    s3.copy_object(Bucket=bucket, Key="self", CopySource={"Bucket": bucket, "Key": "self"},
                   MetadataDirective="REPLACE", Metadata={"new": "yes"})
    assert s3.head_object(Bucket=bucket, Key="self")["Metadata"] == {"new": "yes"}


def test_object_tagging(s3, bucket):
    s3.put_object(Bucket=bucket, Key="t", Body=b"x", Tagging="a=1")
    assert s3.get_object(Bucket=bucket, Key="t")["TagCount"] == 1
    s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == [{"Key": "k", "Value": "v"}]
    s3.delete_object_tagging(Bucket=bucket, Key="t")
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == []
    with pytest.raises(ClientError) as exc:
        s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": [
            {"Key": f"k{i}", "Value": "v"} for i in range(11)]})
    assert error_of(exc)["Code"] == "BadRequest"
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object_tagging(Bucket=bucket, Key="missing")


def test_object_attributes(s3, bucket):
    s3.put_object(Bucket=bucket, Key="a", Body=b"12345", StorageClass="STANDARD_IA")
    attrs = s3.get_object_attributes(Bucket=bucket, Key="a",
                                     ObjectAttributes=["ETag", "Checksum", "ObjectSize", "StorageClass"])
    assert attrs["ETag"] == hashlib.md5(b"12345").hexdigest()
    assert attrs["ObjectSize"] == 5
    assert attrs["StorageClass"] == "STANDARD_IA"
    assert attrs["Checksum"] == {"ChecksumCRC32": crc32_b64(b"12345"), "ChecksumType": "FULL_OBJECT"}


def test_key_too_long(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k" * 1025, Body=b"x")
    assert error_of(exc)["Code"] == "KeyTooLongError"


def test_object_lock_retention_and_legal_hold(s3):
    s3.create_bucket(Bucket="locked-bucket", ObjectLockEnabledForBucket=True)
    assert s3.get_bucket_versioning(Bucket="locked-bucket")["Status"] == "Enabled"
    until = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
    put = s3.put_object(Bucket="locked-bucket", Key="k", Body=b"x", ObjectLockMode="GOVERNANCE",
                        ObjectLockRetainUntilDate=until)
    vid = put["VersionId"]
    head = s3.head_object(Bucket="locked-bucket", Key="k")
    assert head["ObjectLockMode"] == "GOVERNANCE"
    with pytest.raises(ClientError) as exc:
        s3.delete_object(Bucket="locked-bucket", Key="k", VersionId=vid)
    assert error_of(exc)["Code"] == "AccessDenied"
    assert status_of(exc) == 403
    # a delete without a version id only adds a delete marker: allowed
    assert s3.delete_object(Bucket="locked-bucket", Key="k")["DeleteMarker"] is True
    s3.delete_object(Bucket="locked-bucket", Key="k", VersionId=vid, BypassGovernanceRetention=True)
    put = s3.put_object(Bucket="locked-bucket", Key="held", Body=b"x")
    s3.put_object_legal_hold(Bucket="locked-bucket", Key="held", LegalHold={"Status": "ON"})
    assert s3.get_object_legal_hold(Bucket="locked-bucket", Key="held")["LegalHold"] == {"Status": "ON"}
    with pytest.raises(ClientError) as exc:
        s3.delete_object(Bucket="locked-bucket", Key="held", VersionId=put["VersionId"])
    assert error_of(exc)["Code"] == "AccessDenied"
    s3.put_object_legal_hold(Bucket="locked-bucket", Key="held", LegalHold={"Status": "OFF"})
    s3.delete_object(Bucket="locked-bucket", Key="held", VersionId=put["VersionId"])
    # compliance cannot be bypassed
    put = s3.put_object(Bucket="locked-bucket", Key="c", Body=b"x")
    s3.put_object_retention(Bucket="locked-bucket", Key="c",
                            Retention={"Mode": "COMPLIANCE", "RetainUntilDate": until})
    assert s3.get_object_retention(Bucket="locked-bucket", Key="c")["Retention"]["Mode"] == "COMPLIANCE"
    with pytest.raises(ClientError):
        s3.delete_object(Bucket="locked-bucket", Key="c", VersionId=put["VersionId"], BypassGovernanceRetention=True)


def test_object_lock_default_retention(s3):
    s3.create_bucket(Bucket="lock-default", ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(Bucket="lock-default", ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
    s3.put_object(Bucket="lock-default", Key="k", Body=b"x")
    assert s3.get_object_retention(Bucket="lock-default", Key="k")["Retention"]["Mode"] == "GOVERNANCE"


def test_object_lock_needs_a_lock_bucket(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", ObjectLockMode="GOVERNANCE",
                      ObjectLockRetainUntilDate=datetime.datetime(2099, 1, 1))
    assert error_of(exc)["Code"] == "InvalidRequest"


def test_failed_put_changes_nothing(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"original")
    with pytest.raises(ClientError):
        s3.put_object(Bucket=bucket, Key="k", Body=b"new", ChecksumCRC32="AAAAAA==")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"original"


def test_acl_on_owner_enforced_bucket(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="public-read")
    assert error_of(exc)["Code"] == "AccessControlListNotSupported"
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="bucket-owner-full-control")
    acl = s3.get_object_acl(Bucket=bucket, Key="k")
    assert acl["Grants"][0]["Permission"] == "FULL_CONTROL"


@pytest.mark.kumo(strict=True)  # a nested kumo(strict=True) inside the fixture would be refused
def test_strict_mode_object_calls(s3):
    s3.create_bucket(Bucket="strict-objects")
    s3.put_object(Bucket="strict-objects", Key="a/b", Body=b"x", Metadata={"m": "1"}, Tagging="a=b")
    s3.get_object(Bucket="strict-objects", Key="a/b", Range="bytes=0-0")
    s3.head_object(Bucket="strict-objects", Key="a/b")
    s3.copy_object(Bucket="strict-objects", Key="c", CopySource="strict-objects/a/b")
    s3.list_objects(Bucket="strict-objects", Delimiter="/")
    s3.list_objects_v2(Bucket="strict-objects", FetchOwner=True)
    s3.list_object_versions(Bucket="strict-objects")
    s3.get_object_attributes(Bucket="strict-objects", Key="c", ObjectAttributes=["ETag", "ObjectSize"])
    s3.delete_objects(Bucket="strict-objects", Delete={"Objects": [{"Key": "c"}]})
    s3.get_object_tagging(Bucket="strict-objects", Key="a/b")
    s3.get_object_acl(Bucket="strict-objects", Key="a/b")


def test_threads_share_one_bucket(s3, bucket):
    from concurrent.futures import ThreadPoolExecutor

    def work(n: int) -> bytes:
        key = f"t/{n % 7}"
        s3.put_object(Bucket=bucket, Key=key, Body=str(n).encode())
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(200)))
    assert all(r.isdigit() for r in results)
    assert s3.list_objects_v2(Bucket=bucket, Prefix="t/")["KeyCount"] == 7


def test_sse_c_round_trip(s3, bucket):
    key = b"k" * 32
    s3.put_object(Bucket=bucket, Key="enc", Body=b"secret", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="enc")
    assert error_of(exc)["Code"] == "InvalidRequest"
    got = s3.get_object(Bucket=bucket, Key="enc", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    assert got["Body"].read() == b"secret"
    assert got["SSECustomerAlgorithm"] == "AES256"


def test_archived_objects_need_a_restore(s3, bucket):
    s3.put_object(Bucket=bucket, Key="cold", Body=b"x", StorageClass="GLACIER")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="cold")
    assert error_of(exc)["Code"] == "InvalidObjectState"
    assert status_of(exc) == 403
    assert s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 1})[
        "ResponseMetadata"]["HTTPStatusCode"] == 202
    assert s3.get_object(Bucket=bucket, Key="cold")["Body"].read() == b"x"
    assert 'ongoing-request="false"' in s3.head_object(Bucket=bucket, Key="cold")["Restore"]


def test_copy_sets_a_website_redirect_given_on_the_copy(s3, bucket):
    """WebsiteRedirectLocation given on CopyObject (metadata directive COPY) is the copy's (moto's
    AWS-verified test_s3_copyobject.py::test_copy_key_with_args)."""
    s3.put_object(Bucket=bucket, Key="src", Body=b"x", ContentType="text/plain")
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
                   WebsiteRedirectLocation="http://example.com/")
    head = s3.head_object(Bucket=bucket, Key="dst")
    assert head["WebsiteRedirectLocation"] == "http://example.com/"
    assert head["ContentType"] == "text/plain"


def test_copy_in_place_naming_a_version_is_allowed(s3, versioned):
    """Copying a version named in CopySource onto its own key needs no change, even the current version;
    without a version id it is refused (moto's AWS-verified test_copy_object_in_place_with_versioning)."""
    current = s3.put_object(Bucket=versioned, Key="k", Body=b"x")["VersionId"]
    copied = s3.copy_object(Bucket=versioned, Key="k", CopySource={"Bucket": versioned, "Key": "k",
                                                                    "VersionId": current})
    assert copied["VersionId"] != current
    assert len(s3.list_object_versions(Bucket=versioned)["Versions"]) == 2
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=versioned, Key="k", CopySource={"Bucket": versioned, "Key": "k"})
    assert error_of(exc)["Code"] == "InvalidRequest"


def test_copy_in_place_that_changes_the_encryption_anyway_is_allowed(s3, bucket):
    """LocalStack's AWS-recorded test_s3_copy_object_in_place_with_encryption and
    test_copy_in_place_with_bucket_encryption: an SSE-KMS object copied onto itself naming nothing becomes
    SSE-S3, which is a change; in a bucket with a default encryption configured, any object may be copied
    onto itself unchanged. Without either, the copy is refused (test_copy_onto_itself)."""
    key_id = boto3.client("kms").create_key()["KeyMetadata"]["KeyId"]
    s3.put_object(Bucket=bucket, Key="kms", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=key_id)
    copied = s3.copy_object(Bucket=bucket, Key="kms", CopySource={"Bucket": bucket, "Key": "kms"})
    assert copied["ServerSideEncryption"] == "AES256" and "SSEKMSKeyId" not in copied
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="kms", CopySource={"Bucket": bucket, "Key": "kms"})
    assert error_of(exc)["Code"] == "InvalidRequest", "now SSE-S3 like the copy would be"
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]})
    again = s3.copy_object(Bucket=bucket, Key="kms", CopySource={"Bucket": bucket, "Key": "kms"})
    assert again["ServerSideEncryption"] == "AES256"


def test_restoring_a_standard_object_is_refused(s3, bucket):
    """RestoreObject on a STANDARD object: 403 InvalidObjectState "Restore is not allowed for the object's
    current storage class" (AWS's answer quoted in getmoto/moto#4670 and s3tools/s3cmd#1375)."""
    s3.put_object(Bucket=bucket, Key="warm", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.restore_object(Bucket=bucket, Key="warm", RestoreRequest={"Days": 1})
    assert error_of(exc)["Code"] == "InvalidObjectState"
    assert error_of(exc)["Message"] == "Restore is not allowed for the object's current storage class"
    assert status_of(exc) == 403


def test_copying_an_archived_object_is_invalid_object_state(s3, bucket):
    """CopyObject from a GLACIER object not restored: 403 InvalidObjectState, "Operation is not valid for
    the source object's storage class" (AWS's answer quoted in s3tools/s3cmd#193), though botocore's model
    names ObjectNotInActiveTierError for CopyObject."""
    s3.put_object(Bucket=bucket, Key="cold", Body=b"x", StorageClass="DEEP_ARCHIVE")
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="warm", CopySource={"Bucket": bucket, "Key": "cold"})
    assert error_of(exc)["Code"] == "InvalidObjectState"
    assert error_of(exc)["Message"] == "Operation is not valid for the source object's storage class"
    assert status_of(exc) == 403


def test_delete_bucket_drops_its_uploads(s3, bucket):
    s3.create_multipart_upload(Bucket=bucket, Key="pending")
    s3.delete_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=bucket)
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)


def test_copy_source_with_special_characters(s3, bucket):
    key = "dir with space/ünïcode?&=+.txt"
    s3.put_object(Bucket=bucket, Key=key, Body=b"special")
    s3.copy_object(Bucket=bucket, Key="copied", CopySource={"Bucket": bucket, "Key": key})
    assert s3.get_object(Bucket=bucket, Key="copied")["Body"].read() == b"special"
    s3.copy_object(Bucket=bucket, Key="copied2", CopySource=f"/{bucket}/{key}")
    assert s3.get_object(Bucket=bucket, Key="copied2")["Body"].read() == b"special"
    assert s3.get_object(Bucket=bucket, Key=key, VersionId="null")["Body"].read() == b"special"


@pytest.mark.kumo(strict=True)
def test_object_acl_of_a_versioned_object_has_no_version_member(s3):
    """botocore's GetObjectAclOutput has Owner, Grants and RequestCharged only: no VersionId, so a client
    never sees one (the strict emulator refused the answer that carried it)."""
    s3.create_bucket(Bucket="strict-versioned-acl")
    s3.put_bucket_versioning(Bucket="strict-versioned-acl", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="strict-versioned-acl", Key="k", Body=b"x")
    acl = s3.get_object_acl(Bucket="strict-versioned-acl", Key="k")
    assert "VersionId" not in acl
    assert acl["Grants"][0]["Permission"] == "FULL_CONTROL"
