"""boto3's managed transfers end to end, large bodies in blob files, presigned URLs."""

from __future__ import annotations

import hashlib
import io
import os

import boto3
import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError
from role_helpers import create_service_role

MiB = 1024 * 1024
SMALL_PARTS = TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB, max_concurrency=4)


def _blob_files(kumo) -> list[str]:
    """Blob files left after collection: at the next S3 call with a temporary blob directory, at
    compaction with a data directory (KUMO_DATA_DIR)."""
    if kumo.store.journal is not None:
        kumo.compact()
    return kumo.store.blobs.ids()


def test_upload_file_and_download_file_multipart_threads(s3, bucket, tmp_path):
    data = os.urandom(256 * 1024) * 52  # 13 MiB: three parts
    src = tmp_path / "src.bin"
    src.write_bytes(data)
    s3.upload_file(str(src), bucket, "big.bin", Config=SMALL_PARTS)
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ContentLength"] == len(data)
    assert head["ETag"].endswith('-3"')
    dst = tmp_path / "dst.bin"
    s3.download_file(bucket, "big.bin", str(dst), Config=SMALL_PARTS)
    assert hashlib.sha256(dst.read_bytes()).digest() == hashlib.sha256(data).digest()
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)


def test_upload_fileobj_download_fileobj(s3, bucket):
    data = b"0123456789" * (700 * 1024)  # 7 MiB
    s3.upload_fileobj(io.BytesIO(data), bucket, "obj", Config=SMALL_PARTS, ExtraArgs={"Metadata": {"a": "b"}})
    out = io.BytesIO()
    s3.download_fileobj(bucket, "obj", out, Config=SMALL_PARTS)
    assert out.getvalue() == data
    assert s3.head_object(Bucket=bucket, Key="obj")["Metadata"] == {"a": "b"}


def test_resource_api_and_small_transfers(kumo, tmp_path):
    resource = boto3.resource("s3")
    b = resource.create_bucket(Bucket="resource-bucket")
    b.put_object(Key="x/1", Body=b"one")
    b.Object("x/2").put(Body=b"two")
    assert sorted(o.key for o in b.objects.filter(Prefix="x/")) == ["x/1", "x/2"]
    assert b.Object("x/2").get()["Body"].read() == b"two"
    path = tmp_path / "small.txt"
    path.write_text("small")
    b.upload_file(str(path), "small.txt")
    b.download_file("small.txt", str(tmp_path / "back.txt"))
    assert (tmp_path / "back.txt").read_text() == "small"
    b.objects.all().delete()
    b.delete()


def test_download_missing_key_is_a_404(s3, bucket, tmp_path):
    with pytest.raises(ClientError) as exc:
        s3.download_file(bucket, "missing", str(tmp_path / "x"))
    assert exc.value.response["Error"]["Code"] == "404"


def test_large_bodies_live_in_blob_files_and_are_collected(kumo, s3, bucket):
    big = b"z" * (2 * MiB)
    s3.put_object(Bucket=bucket, Key="big", Body=big)
    record = kumo.backend("s3").objects[(bucket, "big")]
    assert "data" not in record and len(record["segs"]) == 1
    assert len(_blob_files(kumo)) == 1
    body = s3.get_object(Bucket=bucket, Key="big")["Body"]
    assert body.read(10) == b"z" * 10
    s3.delete_object(Bucket=bucket, Key="big")
    s3.put_object(Bucket=bucket, Key="small", Body=b"s")  # the next call collects unreferenced blobs
    # the open stream pinned its blob: still readable after the delete
    assert body.read() == big[10:]
    s3.put_object(Bucket=bucket, Key="small", Body=b"s")
    assert _blob_files(kumo) == []


def test_blob_survives_a_rolled_back_delete_and_versions_share_blobs(kumo, s3, versioned):
    big = b"q" * (1 * MiB)
    v1 = s3.put_object(Bucket=versioned, Key="big", Body=big)["VersionId"]
    s3.copy_object(Bucket=versioned, Key="copy", CopySource={"Bucket": versioned, "Key": "big"})
    s3.delete_object(Bucket=versioned, Key="big", VersionId=v1)
    s3.put_object(Bucket=versioned, Key="other", Body=b"x")
    assert s3.get_object(Bucket=versioned, Key="copy")["Body"].read() == big  # still referenced by the copy
    s3.delete_object(Bucket=versioned, Key="copy")  # a delete marker: the version keeps the blob
    s3.put_object(Bucket=versioned, Key="other", Body=b"x")
    versions = s3.list_object_versions(Bucket=versioned, Prefix="copy")["Versions"]
    assert s3.get_object(Bucket=versioned, Key="copy", VersionId=versions[0]["VersionId"])["Body"].read() == big


def test_failed_large_put_leaves_no_blob(kumo, s3, bucket):
    with pytest.raises(ClientError):
        s3.put_object(Bucket=bucket, Key="k", Body=b"y" * (1 * MiB), ChecksumCRC32="AAAAAA==")
    s3.put_object(Bucket=bucket, Key="small", Body=b"s")
    assert _blob_files(kumo) == []


def test_range_read_across_multipart_segments(s3, bucket):
    parts = [bytes([65 + i]) * (5 * MiB) for i in range(2)] + [b"tail"]
    uid = s3.create_multipart_upload(Bucket=bucket, Key="m")["UploadId"]
    etags = [s3.upload_part(Bucket=bucket, Key="m", UploadId=uid, PartNumber=i + 1, Body=p)["ETag"]
             for i, p in enumerate(parts)]
    s3.complete_multipart_upload(Bucket=bucket, Key="m", UploadId=uid, MultipartUpload={"Parts": [
        {"PartNumber": i + 1, "ETag": e} for i, e in enumerate(etags)]})
    start = 5 * MiB - 3
    got = s3.get_object(Bucket=bucket, Key="m", Range=f"bytes={start}-{start + 5}")["Body"].read()
    assert got == b"AAABBB"
    chunks = list(s3.get_object(Bucket=bucket, Key="m")["Body"].iter_chunks(MiB))
    assert b"".join(chunks) == b"".join(parts)


def test_presigned_urls_are_generated(s3, bucket):
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=60)
    assert url.startswith(f"https://{bucket}.s3.amazonaws.com/k?")
    assert "X-Amz-Signature=" in url or "Signature=" in url
    post = s3.generate_presigned_post(bucket, "upload/${filename}")
    assert post["fields"]["key"] == "upload/${filename}"


def test_blob_shared_with_a_lambda_function_is_kept(kumo, s3, bucket):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return {'ok': True}\n")
        archive.writestr("padding.bin", os.urandom(400_000))  # stored as a blob file
    code = buffer.getvalue()
    s3.put_object(Bucket=bucket, Key="code.zip", Body=code)
    lam = boto3.client("lambda")
    role = create_service_role("arn:aws:iam::123456789012:role/r")["Arn"]
    lam.create_function(FunctionName="from-s3", Runtime="python3.12", Handler="app.handler",
                        Role=role, Code={"S3Bucket": bucket, "S3Key": "code.zip"})
    s3.delete_object(Bucket=bucket, Key="code.zip")
    s3.put_object(Bucket=bucket, Key="next", Body=b"x")  # collection runs here
    out = lam.invoke(FunctionName="from-s3", Payload=b"{}")
    assert out["Payload"].read() == b'{"ok": true}'
