"""SSE-KMS objects use a real emulated KMS key.

Facts from LocalStack's AWS-validated snapshots (tests/aws/services/s3/test_s3.snapshot.json):
test_s3.py::TestS3::test_s3_sse_validate_kms_key — PutObject, CreateMultipartUpload and CopyObject
with a key KMS does not hold fail with ``KMS.NotFoundException`` (400, "Invalid keyId 'fake-key-id'",
"Key '<key arn>' does not exist", "Invalid arn <other region>");
test_s3.py::TestS3::test_s3_sse_validate_kms_key_state — a disabled key fails PutObject and GetObject
with ``KMS.DisabledException`` ("<key arn> is disabled."), a key pending deletion GetObject with
``KMS.KMSInvalidStateException`` ("<key arn> is pending deletion."); PutObject/GetObject answer the
key ARN in SSEKMSKeyId. The aws/s3 AWS managed key is created on first use (S3 developer guide,
"Using server-side encryption with AWS KMS keys": "If you don't specify a customer managed key,
Amazon S3 automatically creates an AWS managed key in your AWS account the first time that you add
an object encrypted with SSE-KMS to a bucket").
"""

from __future__ import annotations

import boto3
import pytest

from s3_helpers import error_of, status_of

ACCOUNT = "123456789012"


@pytest.fixture
def kms(kumo):
    return boto3.client("kms", region_name="us-east-1")


@pytest.fixture
def key(kms):
    return kms.create_key()["KeyMetadata"]


def test_an_object_records_the_key_arn(s3, bucket, key):
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"secret", ServerSideEncryption="aws:kms", SSEKMSKeyId=key["KeyId"])
    assert put["SSEKMSKeyId"] == key["Arn"] and put["ServerSideEncryption"] == "aws:kms"
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["SSEKMSKeyId"] == key["Arn"] and got["Body"].read() == b"secret"
    assert s3.head_object(Bucket=bucket, Key="k")["SSEKMSKeyId"] == key["Arn"]


def test_an_alias_names_its_key(s3, bucket, kms, key):
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key["KeyId"])
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/orders")
    assert put["SSEKMSKeyId"] == key["Arn"]


def test_the_aws_s3_key_is_created_on_first_use(s3, bucket, kms):
    assert "alias/aws/s3" not in {a["AliasName"] for a in kms.list_aliases()["Aliases"]}
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms")
    aliases = {a["AliasName"]: a for a in kms.list_aliases()["Aliases"]}
    managed = kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]
    assert managed["KeyManager"] == "AWS" and put["SSEKMSKeyId"] == managed["Arn"]
    assert aliases["alias/aws/s3"]["TargetKeyId"] == managed["KeyId"]
    again = s3.put_object(Bucket=bucket, Key="k2", Body=b"x", ServerSideEncryption="aws:kms")
    assert again["SSEKMSKeyId"] == managed["Arn"]


@pytest.mark.parametrize("key_id, message", [
    ("fake-key-id", "Invalid keyId 'fake-key-id'"),
    ("134f2428-cec1-4b25-a1ae-9048164dba47",
     f"Key 'arn:aws:kms:us-east-1:{ACCOUNT}:key/134f2428-cec1-4b25-a1ae-9048164dba47' does not exist"),
    (f"arn:aws:kms:us-west-2:{ACCOUNT}:key/134f2428-cec1-4b25-a1ae-9048164dba47", "Invalid arn us-west-2"),
])
def test_a_missing_key_fails_put_copy_and_multipart(s3, bucket, key_id, message):
    s3.put_object(Bucket=bucket, Key="src", Body=b"x")
    calls = [
        lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=key_id),
        lambda: s3.create_multipart_upload(Bucket=bucket, Key="k", ServerSideEncryption="aws:kms", SSEKMSKeyId=key_id),
        lambda: s3.copy_object(Bucket=bucket, Key="k", CopySource={"Bucket": bucket, "Key": "src"},
                               ServerSideEncryption="aws:kms", SSEKMSKeyId=key_id),
    ]
    for call in calls:
        with pytest.raises(s3.exceptions.ClientError) as err:
            call()
        assert error_of(err)["Code"] == "KMS.NotFoundException" and error_of(err)["Message"] == message
        assert status_of(err) == 400
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="k")


def test_a_disabled_key_fails_writes_and_reads(s3, bucket, kms, key):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=key["KeyId"])
    kms.disable_key(KeyId=key["KeyId"])
    for call in (lambda: s3.put_object(Bucket=bucket, Key="k2", Body=b"x", ServerSideEncryption="aws:kms",
                                       SSEKMSKeyId=key["KeyId"]),
                 lambda: s3.get_object(Bucket=bucket, Key="k")):
        with pytest.raises(s3.exceptions.ClientError) as err:
            call()
        assert error_of(err) == {"Code": "KMS.DisabledException", "Message": f"{key['Arn']} is disabled."}
        assert status_of(err) == 400
    kms.enable_key(KeyId=key["KeyId"])
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


def test_a_key_pending_deletion_fails_reads(s3, bucket, kms, key):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=key["Arn"])
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    with pytest.raises(s3.exceptions.ClientError) as err:
        s3.get_object(Bucket=bucket, Key="k")
    assert error_of(err) == {"Code": "KMS.KMSInvalidStateException", "Message": f"{key['Arn']} is pending deletion."}


def test_a_bucket_default_key_is_checked_when_an_object_uses_it(s3, bucket, kms, key):
    """PutBucketEncryption stores the key id as given (snapshot get-bucket-encryption of
    test_s3_sse_bucket_key_default shows KMSMasterKeyID unchanged); objects written under it need it usable."""
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["KeyId"]}}]})
    assert s3.put_object(Bucket=bucket, Key="k", Body=b"x")["SSEKMSKeyId"] == key["Arn"]
    kms.disable_key(KeyId=key["KeyId"])
    with pytest.raises(s3.exceptions.ClientError) as err:
        s3.put_object(Bucket=bucket, Key="k2", Body=b"x")
    assert error_of(err)["Code"] == "KMS.DisabledException"
