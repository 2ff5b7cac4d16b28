"""S3 answers pinned to responses recorded from real AWS.

Each test names the LocalStack AWS-validated test (tests/aws/services/s3/, ``*.snapshot.json``) whose
recording it learned the fact from; the assertions are ours.
"""

from __future__ import annotations

import datetime

import pytest
from botocore.exceptions import ClientError


pytestmark = pytest.mark.kumo(strict=True)  # every response checked against its output shape

UNKNOWN_VERSION = "HPniJFCxqTsMuIH9KX8K8wEjNUgmABCD"  # well-formed, names no version


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> dict:
    return exc.value.response["Error"]


def test_invalid_object_state_carries_the_storage_class_twice(s3, bucket):
    """test_s3.py::TestS3::test_put_object_storage_class[GLACIER-False]: the error shape's member at the
    top level of the response as well as in Error."""
    s3.put_object(Bucket=bucket, Key="cold", Body=b"x", StorageClass="GLACIER")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="cold")
    assert error_of(exc) == {"Code": "InvalidObjectState", "StorageClass": "GLACIER",
                             "Message": "The operation is not valid for the object's storage class"}
    assert exc.value.response["StorageClass"] == "GLACIER"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


@pytest.mark.parametrize("storage_class", ["OUTPOSTS", "SNOW", "NOT_A_CLASS"])
def test_storage_classes_a_bucket_cannot_hold_are_refused(s3, bucket, storage_class):
    """test_s3.py::TestS3::test_put_object_storage_class_outposts: PutObject and
    CreateMultipartUpload refuse them."""
    for call in (lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x", StorageClass=storage_class),
                 lambda: s3.create_multipart_upload(Bucket=bucket, Key="k", StorageClass=storage_class)):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == {"Code": "InvalidStorageClass", "StorageClassRequested": storage_class,
                                 "Message": "The storage class you specified is not valid"}


@pytest.mark.parametrize("owner", ["0000", "0000000000020", "abcd", "aa000000000$"])
def test_malformed_expected_bucket_owner(s3, bucket, owner):
    """test_s3.py::TestS3::test_get_bucket_policy_invalid_account_id."""
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_policy(Bucket=bucket, ExpectedBucketOwner=owner)
    assert error_of(exc) == {"Code": "InvalidBucketOwnerAWSAccountID", "Message": "The value of the expected "
                             f"bucket owner parameter must be an AWS Account ID... [{owner}]"}


def test_expected_bucket_owner_of_another_account_is_access_denied(s3, bucket):
    """test_s3.py::TestS3::test_put_bucket_policy: ExpectedBucketOwner of another account."""
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ExpectedBucketOwner="123456789012")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="k", ExpectedBucketOwner="000000000002")
    assert error_of(exc) == {"Code": "AccessDenied", "Message": "Access Denied"}


def test_continuation_token_wins_over_start_after(s3, bucket):
    """test_s3_list_operations.py::TestS3ListObjectsV2::test_list_objects_v2_continuation_start_after."""
    for i in range(12):
        s3.put_object(Bucket=bucket, Key=f"test_{i}", Body=b"content 123")
    token = s3.list_objects_v2(Bucket=bucket, MaxKeys=5)["NextContinuationToken"]
    page = s3.list_objects_v2(Bucket=bucket, StartAfter="test_7", ContinuationToken=token)
    assert [item["Key"] for item in page["Contents"]] == ["test_3", "test_4", "test_5", "test_6", "test_7",
                                                          "test_8", "test_9"]
    assert "StartAfter" not in page and page["ContinuationToken"] == token
    with pytest.raises(ClientError) as exc:
        s3.list_objects_v2(Bucket=bucket, ContinuationToken="")
    assert error_of(exc) == {"Code": "InvalidArgument", "ArgumentName": "continuation-token",
                             "Message": "The continuation token provided is incorrect"}


def test_versioning_status_without_mfa_delete(s3, bucket):
    """test_s3_api.py::TestS3BucketVersioning::test_bucket_versioning_crud: MFADelete only once set."""
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    answer = s3.get_bucket_versioning(Bucket=bucket)
    assert {k: v for k, v in answer.items() if k != "ResponseMetadata"} == {"Status": "Suspended"}


def test_list_markers_present_when_empty(s3, bucket):
    """test_s3_api.py::TestS3BucketVersioning::test_get_bucket_versioning_order (VersionIdMarker),
    test_s3.py::TestS3MultipartUpload::test_multipart_and_list_parts (NextPartNumberMarker, NextKeyMarker)
    and test_s3_list_operations.py::test_list_multipart_uploads_marker_common_prefixes."""
    versions = s3.list_object_versions(Bucket=bucket)
    assert versions["KeyMarker"] == "" and versions["VersionIdMarker"] == ""
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="folder/sub/file")["UploadId"]
    parts = s3.list_parts(Bucket=bucket, Key="folder/sub/file", UploadId=upload_id)
    assert parts["PartNumberMarker"] == 0 and parts["NextPartNumberMarker"] == 0
    uploads = s3.list_multipart_uploads(Bucket=bucket)
    assert (uploads["NextKeyMarker"], uploads["NextUploadIdMarker"]) == ("folder/sub/file", upload_id)
    by_prefix = s3.list_multipart_uploads(Bucket=bucket, Prefix="folder/", Delimiter="/", MaxUploads=1)
    assert by_prefix["CommonPrefixes"] == [{"Prefix": "folder/sub/"}]
    assert (by_prefix["NextKeyMarker"], by_prefix["NextUploadIdMarker"]) == ("", "")


def test_delete_objects_with_an_unknown_version(s3, bucket, versioned):
    """test_s3_api.py::TestS3ObjectCRUD::test_delete_objects and test_delete_objects_versioned: an entry
    error NoSuchVersion, on a versioned bucket as on an unversioned one; the key is untouched."""
    for name in (bucket, versioned):
        s3.put_object(Bucket=name, Key="test-delete", Body=b"test-delete")
        answer = s3.delete_objects(Bucket=name, Delete={"Objects": [
            {"Key": "test-delete", "VersionId": UNKNOWN_VERSION},
            {"Key": "wrong-key-2", "VersionId": UNKNOWN_VERSION}]})
        assert answer["Errors"] == [
            {"Code": "NoSuchVersion", "Key": key, "VersionId": UNKNOWN_VERSION,
             "Message": "The specified version does not exist."} for key in ("test-delete", "wrong-key-2")]
        assert "Deleted" not in answer
        assert s3.get_object(Bucket=name, Key="test-delete")["Body"].read() == b"test-delete"


def test_tagging_a_key_whose_latest_version_is_a_delete_marker(s3, versioned):
    """test_s3_api.py::TestS3BucketObjectTagging::test_object_tagging_versioned: 405 naming the method,
    whether the delete marker is named by version id or is the latest version."""
    s3.put_object(Bucket=versioned, Key="k", Body=b"x")
    marker = s3.delete_object(Bucket=versioned, Key="k")["VersionId"]
    calls = {
        "PUT": lambda **v: s3.put_object_tagging(Bucket=versioned, Key="k", Tagging={"TagSet": []}, **v),
        "GET": lambda **v: s3.get_object_tagging(Bucket=versioned, Key="k", **v),
        "DELETE": lambda **v: s3.delete_object_tagging(Bucket=versioned, Key="k", **v),
    }
    for method, call in calls.items():
        for version in ({}, {"VersionId": marker}):
            with pytest.raises(ClientError) as exc:
                call(**version)
            assert error_of(exc) == {"Code": "MethodNotAllowed", "Method": method, "ResourceType": "DeleteMarker",
                                     "Message": "The specified method is not allowed against this resource."}
            assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 405


def test_if_modified_since_in_the_future_is_ignored(s3, bucket):
    """test_s3.py::TestS3::test_s3_get_object_preconditions (obj-ignore-future-modified-since)."""
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    tomorrow = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
    assert s3.get_object(Bucket=bucket, Key="k", IfModifiedSince=tomorrow)["Body"].read() == b"data"
    assert s3.head_object(Bucket=bucket, Key="k", IfModifiedSince=tomorrow)["ContentLength"] == 4


def test_expires_string_beside_expires_in_strict_mode(s3, bucket):
    """botocore's handle_expires_header adds the raw header as ExpiresString to GetObject/HeadObject."""
    expires = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Expires=expires)
    head = s3.head_object(Bucket=bucket, Key="k")
    assert head["Expires"] == expires
    assert head["ExpiresString"] == "Wed, 02 Jan 2030 03:04:05 GMT"


def test_complete_multipart_upload_with_sse_c_keeps_to_its_output_shape(s3, bucket):
    """CompleteMultipartUploadOutput has no SSE-C members (botocore's model); strict mode checks it."""
    sse_c = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": "k" * 32}
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="c", **sse_c)["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="c", UploadId=upload_id, PartNumber=1, Body=b"x", **sse_c)
    done = s3.complete_multipart_upload(Bucket=bucket, Key="c", UploadId=upload_id, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert "SSECustomerAlgorithm" not in done
    assert s3.head_object(Bucket=bucket, Key="c", **sse_c)["SSECustomerAlgorithm"] == "AES256"


@pytest.mark.parametrize("range_, whole", [("bytes=-15", True), ("bytes=0-100", True), ("bytes=0-8", False),
                                           ("bytes=1-1", False)])
def test_checksum_on_ranges_that_cover_the_whole_object(s3, bucket, range_, whole):
    """test_s3_api.py::TestS3ObjectCRUD::test_get_object_range (get--15, get-0-100 carry the checksum;
    get-0-8-checksum, get-1-1 do not). botocore asks for checksums by default (ChecksumMode)."""
    s3.put_object(Bucket=bucket, Key="k", Body=b"0123456789")
    answer = s3.get_object(Bucket=bucket, Key="k", Range=range_)
    assert ("ChecksumCRC32" in answer) is whole
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 206


def test_part_one_of_a_single_part_object(s3, bucket):
    """test_s3.py::TestS3::test_get_object_part (get-obj-no-multipart): 206, a Content-Range, the checksum."""
    s3.put_object(Bucket=bucket, Key="k", Body=b"test-123")
    answer = s3.get_object(Bucket=bucket, Key="k", PartNumber=1)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert answer["ContentRange"] == "bytes 0-7/8"
    assert (answer["ChecksumCRC32"], answer["ChecksumType"]) == ("MAPXAg==", "FULL_OBJECT")


def test_no_bucket_key_on_sse_s3(s3, bucket):
    """A bucket key is an SSE-KMS feature: an SSE-S3 object shows no BucketKeyEnabled, whether the request
    or the bucket's default asked for one (issue 18's differential run against AWS)."""
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]})
    for answer in (s3.put_object(Bucket=bucket, Key="a", Body=b"x"),
                   s3.put_object(Bucket=bucket, Key="b", Body=b"x", ServerSideEncryption="AES256",
                                 BucketKeyEnabled=True),
                   s3.head_object(Bucket=bucket, Key="a")):
        assert answer["ServerSideEncryption"] == "AES256"
        assert "BucketKeyEnabled" not in answer


def test_writes_to_a_suspended_bucket_name_no_version(s3, versioned):
    """test_s3_api.py::TestS3ObjectCRUD::test_put_object_on_suspended_bucket (put-object-suspended has no
    VersionId; reading the object still names its null version)."""
    s3.put_bucket_versioning(Bucket=versioned, VersioningConfiguration={"Status": "Suspended"})
    assert "VersionId" not in s3.put_object(Bucket=versioned, Key="k", Body=b"x")
    copied = s3.copy_object(Bucket=versioned, Key="copy", CopySource={"Bucket": versioned, "Key": "k"})
    assert "VersionId" not in copied and "CopySourceVersionId" not in copied
    assert s3.get_object(Bucket=versioned, Key="k")["VersionId"] == "null"


@pytest.mark.parametrize("tag, error", [
    ({"Key": "Key1,Key2", "Value": "Val1"}, {"Message": "The TagKey you have provided is invalid", "TagKey": "Key1,Key2"}),
    ({"Key": "Key1", "Value": "Val1,Val2"},
     {"Message": "The TagValue you have provided is invalid", "TagKey": "Key1", "TagValue": "Val1,Val2"}),
])
def test_tag_characters(s3, bucket, tag, error):
    """test_s3_api.py::TestS3BucketObjectTagging::test_tagging_validation (bucket and object tags)."""
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    for call in (lambda: s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [tag]}),
                 lambda: s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [tag]})):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == {"Code": "InvalidTag", **error}
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "a b+c-d=e.f_g:h/i@j", "Value": "ü 1"}]})


def test_object_tag_with_the_aws_prefix_names_the_key(s3, bucket):
    """test_tagging_validation (put-object-tags-aws-prefixed)."""
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "aws:prefixed", "Value": "v"}]})
    assert error_of(exc) == {"Code": "InvalidTag", "Message": "Your TagKey cannot be prefixed with aws:",
                             "TagKey": "aws:prefixed"}


@pytest.mark.parametrize("checksum_type", ["COMPOSITE", "FULL_OBJECT"])
def test_checksum_of_one_part_of_a_multipart_object(s3, bucket, checksum_type):
    """test_s3.py::TestS3MultipartUploadChecksum::test_complete_multipart_parts_checksum_composite and
    _full_object (get-object-part-checksum): a COMPOSITE object's part shows its own checksum, a
    FULL_OBJECT one's none."""
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="m", ChecksumAlgorithm="CRC32",
                                           ChecksumType=checksum_type)["UploadId"]
    parts = []
    for number, body in ((1, b"a" * (5 * 1024 * 1024)), (2, b"aaaaaaaaaa")):
        answer = s3.upload_part(Bucket=bucket, Key="m", UploadId=upload_id, PartNumber=number, Body=body,
                                ChecksumAlgorithm="CRC32")
        parts.append({"ETag": answer["ETag"], "PartNumber": number, "ChecksumCRC32": answer["ChecksumCRC32"]})
    s3.complete_multipart_upload(Bucket=bucket, Key="m", UploadId=upload_id, ChecksumType=checksum_type,
                                 MultipartUpload={"Parts": parts})
    answer = s3.get_object(Bucket=bucket, Key="m", PartNumber=2)
    assert answer["PartsCount"] == 2
    if checksum_type == "COMPOSITE":
        assert (answer["ChecksumCRC32"], answer["ChecksumType"]) == (parts[1]["ChecksumCRC32"], "COMPOSITE")
    else:
        assert "ChecksumCRC32" not in answer and "ChecksumType" not in answer
