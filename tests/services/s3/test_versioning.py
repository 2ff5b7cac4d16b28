"""Versioning: Enabled and Suspended, version ids, delete markers, null versions, by-version calls."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from s3_helpers import error_of, status_of


def test_enabled_keeps_every_version(s3, versioned):
    v1 = s3.put_object(Bucket=versioned, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=versioned, Key="k", Body=b"two")["VersionId"]
    assert v1 != v2 and len(v1) == 32
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"two"
    assert s3.get_object(Bucket=versioned, Key="k", VersionId=v1)["Body"].read() == b"one"
    assert s3.get_object(Bucket=versioned, Key="k")["VersionId"] == v2
    assert s3.head_object(Bucket=versioned, Key="k", VersionId=v1)["VersionId"] == v1
    listed = s3.list_object_versions(Bucket=versioned)
    assert [(v["VersionId"], v["IsLatest"]) for v in listed["Versions"]] == [(v2, True), (v1, False)]


def test_delete_marker_semantics(s3, versioned):
    v1 = s3.put_object(Bucket=versioned, Key="k", Body=b"one")["VersionId"]
    deleted = s3.delete_object(Bucket=versioned, Key="k")
    assert deleted["DeleteMarker"] is True
    marker = deleted["VersionId"]
    with pytest.raises(s3.exceptions.NoSuchKey) as exc:
        s3.get_object(Bucket=versioned, Key="k")
    headers = exc.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amz-delete-marker"] == "true"
    assert headers["x-amz-version-id"] == marker
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=versioned, Key="k", VersionId=marker)
    assert error_of(exc) == {"Code": "MethodNotAllowed", "Message":
                             "The specified method is not allowed against this resource.",
                             "Method": "GET", "ResourceType": "DeleteMarker"}
    assert status_of(exc) == 405
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=versioned, Key="k", VersionId=marker)
    assert error_of(exc) == {"Code": "405", "Message": "Method Not Allowed"}
    assert s3.list_objects_v2(Bucket=versioned)["KeyCount"] == 0
    listed = s3.list_object_versions(Bucket=versioned)
    assert [(m["VersionId"], m["IsLatest"]) for m in listed["DeleteMarkers"]] == [(marker, True)]
    assert [(v["VersionId"], v["IsLatest"]) for v in listed["Versions"]] == [(v1, False)]
    # removing the marker brings the object back
    out = s3.delete_object(Bucket=versioned, Key="k", VersionId=marker)
    assert out["DeleteMarker"] is True and out["VersionId"] == marker
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"one"


def test_delete_specific_versions(s3, versioned):
    v1 = s3.put_object(Bucket=versioned, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=versioned, Key="k", Body=b"two")["VersionId"]
    s3.delete_object(Bucket=versioned, Key="k", VersionId=v2)
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"one"
    s3.delete_object(Bucket=versioned, Key="k", VersionId=v1)
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket=versioned, Key="k")
    assert "Versions" not in s3.list_object_versions(Bucket=versioned)


def test_no_such_version_and_invalid_version(s3, versioned):
    s3.put_object(Bucket=versioned, Key="k", Body=b"one")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=versioned, Key="k", VersionId="A" * 32)
    assert error_of(exc) == {"Code": "NoSuchVersion", "Message": "The specified version does not exist.",
                             "Key": "k", "VersionId": "A" * 32}
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=versioned, Key="k", VersionId="bad")
    assert error_of(exc)["Code"] == "InvalidArgument"
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=versioned, Key="k", VersionId="A" * 32)
    assert error_of(exc)["Code"] == "404"


def test_null_version_before_enabling(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"before")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    new = s3.put_object(Bucket=bucket, Key="k", Body=b"after")["VersionId"]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"before"
    versions = s3.list_object_versions(Bucket=bucket)["Versions"]
    assert [v["VersionId"] for v in versions] == [new, "null"]
    assert s3.get_object(Bucket=bucket, Key="k")["VersionId"] == new


def test_suspended_overwrites_the_null_version(s3, versioned):
    kept = s3.put_object(Bucket=versioned, Key="k", Body=b"kept")["VersionId"]
    s3.put_bucket_versioning(Bucket=versioned, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=versioned)["Status"] == "Suspended"
    # the null version is written unnamed (recorded from AWS: LocalStack's test_put_object_on_suspended_bucket)
    assert "VersionId" not in s3.put_object(Bucket=versioned, Key="k", Body=b"null-1")
    assert "VersionId" not in s3.put_object(Bucket=versioned, Key="k", Body=b"null-2")
    versions = s3.list_object_versions(Bucket=versioned)["Versions"]
    assert [v["VersionId"] for v in versions] == ["null", kept]
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"null-2"
    deleted = s3.delete_object(Bucket=versioned, Key="k")
    assert deleted == {**deleted, "DeleteMarker": True, "VersionId": "null"}
    listed = s3.list_object_versions(Bucket=versioned)
    assert [v["VersionId"] for v in listed["Versions"]] == [kept]
    assert [m["VersionId"] for m in listed["DeleteMarkers"]] == ["null"]


def test_never_versioned_bucket_reports_no_versions(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    assert "VersionId" not in s3.get_object(Bucket=bucket, Key="k")
    assert s3.list_object_versions(Bucket=bucket)["Versions"][0]["VersionId"] == "null"
    assert "DeleteMarker" not in s3.delete_object(Bucket=bucket, Key="k")


def test_list_object_versions_pagination(s3, versioned):
    ids = {}
    for key in ("a", "b"):
        ids[key] = [s3.put_object(Bucket=versioned, Key=key, Body=b"x")["VersionId"] for _ in range(3)]
    seen = []
    kwargs = {"Bucket": versioned, "MaxKeys": 2}
    while True:
        out = s3.list_object_versions(**kwargs)
        seen += [(v["Key"], v["VersionId"]) for v in out.get("Versions", [])]
        if not out["IsTruncated"]:
            break
        kwargs["KeyMarker"] = out["NextKeyMarker"]
        kwargs["VersionIdMarker"] = out["NextVersionIdMarker"]
    assert seen == [("a", v) for v in reversed(ids["a"])] + [("b", v) for v in reversed(ids["b"])]
    pages = s3.get_paginator("list_object_versions").paginate(Bucket=versioned, PaginationConfig={"PageSize": 4})
    assert sum(len(p.get("Versions", [])) for p in pages) == 6


def test_list_object_versions_prefix_and_delimiter(s3, versioned):
    for key in ("dir/a", "dir/b", "top"):
        s3.put_object(Bucket=versioned, Key=key, Body=b"x")
    out = s3.list_object_versions(Bucket=versioned, Delimiter="/")
    assert [p["Prefix"] for p in out["CommonPrefixes"]] == ["dir/"]
    assert [v["Key"] for v in out["Versions"]] == ["top"]
    out = s3.list_object_versions(Bucket=versioned, Prefix="dir/")
    assert [v["Key"] for v in out["Versions"]] == ["dir/a", "dir/b"]


def test_copy_from_a_version(s3, versioned):
    v1 = s3.put_object(Bucket=versioned, Key="k", Body=b"one")["VersionId"]
    s3.put_object(Bucket=versioned, Key="k", Body=b"two")
    out = s3.copy_object(Bucket=versioned, Key="copy", CopySource={"Bucket": versioned, "Key": "k", "VersionId": v1})
    assert out["CopySourceVersionId"] == v1
    assert s3.get_object(Bucket=versioned, Key="copy")["Body"].read() == b"one"
    marker = s3.delete_object(Bucket=versioned, Key="k")["VersionId"]
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=versioned, Key="copy", CopySource={"Bucket": versioned, "Key": "k", "VersionId": marker})
    assert error_of(exc)["Code"] == "InvalidRequest"


def test_tagging_a_version(s3, versioned):
    v1 = s3.put_object(Bucket=versioned, Key="k", Body=b"one")["VersionId"]
    s3.put_object(Bucket=versioned, Key="k", Body=b"two")
    out = s3.put_object_tagging(Bucket=versioned, Key="k", VersionId=v1, Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    assert out["VersionId"] == v1
    assert s3.get_object_tagging(Bucket=versioned, Key="k", VersionId=v1)["TagSet"] == [{"Key": "a", "Value": "b"}]
    assert s3.get_object_tagging(Bucket=versioned, Key="k")["TagSet"] == []


_INVALID_VERSION = {"Code": "InvalidArgument", "Message": "Invalid version id specified", "ArgumentName": "versionId"}


def test_delete_object_with_a_version_id_never_issued_is_refused(s3, versioned):
    """An issued id with its last 4 characters changed: 400 InvalidArgument naming versionId, while the
    issued id itself deletes its version (LocalStack's AWS-validated test_delete_object_versioned,
    delete-with-bad-version and delete-object-version)."""
    issued = s3.put_object(Bucket=versioned, Key="k", Body=b"x")["VersionId"]
    forged = issued[:-4] + ("ABCD" if not issued.endswith("ABCD") else "WXYZ")
    with pytest.raises(ClientError) as exc:
        s3.delete_object(Bucket=versioned, Key="k", VersionId=forged)
    assert error_of(exc) == {**_INVALID_VERSION, "ArgumentValue": forged}
    assert status_of(exc) == 400
    assert "x-amz-version-id" not in exc.value.response["ResponseMetadata"]["HTTPHeaders"]
    deleted = s3.delete_object(Bucket=versioned, Key="k", VersionId=issued)
    assert deleted["VersionId"] == issued and "DeleteMarker" not in deleted


def test_version_id_on_a_bucket_never_versioned_is_refused(s3, bucket):
    """DeleteObject and GetObject with a version id on an unversioned bucket: 400 InvalidArgument; "null"
    names the object (LocalStack's AWS-validated test_delete_object, delete-nonexistent-object-versionid,
    and test_get_object_with_version_unversioned_bucket)."""
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    fake = "HPniJFCxqTsMuIH9KX8K8wEjNUgmABCD"
    for call in (s3.delete_object, s3.get_object):
        with pytest.raises(ClientError) as exc:
            call(Bucket=bucket, Key="k", VersionId=fake)
        assert error_of(exc) == {**_INVALID_VERSION, "ArgumentValue": fake}
        assert status_of(exc) == 400
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"x"


@pytest.mark.parametrize("versioning", [None, "Enabled"])
def test_delete_objects_entry_with_an_unknown_version_id_is_no_such_version(s3, bucket, versioning):
    """In DeleteObjects the same unknown id fails only its entry, as NoSuchVersion, versioned or not
    (LocalStack's AWS-validated test_delete_objects and test_delete_objects_versioned)."""
    if versioning:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": versioning})
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    fake = "HPniJFCxqTsMuIH9KX8K8wEjNUgmABCD"
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k", "VersionId": fake}]})
    assert result["Errors"] == [{"Key": "k", "VersionId": fake, "Code": "NoSuchVersion",
                                 "Message": "The specified version does not exist."}]
    assert "Deleted" not in result
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


def test_delete_objects_entry_for_a_version_already_deleted_is_deleted_again(s3, versioned):
    """A version id issued and since deleted: the entry is reported Deleted again, not as an error (moto's
    AWS-verified test_s3_lock.py::test_locked_object_governance_mode[bypass])."""
    issued = s3.put_object(Bucket=versioned, Key="k", Body=b"x")["VersionId"]
    entry = {"Key": "k", "VersionId": issued}
    assert s3.delete_objects(Bucket=versioned, Delete={"Objects": [entry]})["Deleted"] == [entry]
    again = s3.delete_objects(Bucket=versioned, Delete={"Objects": [entry]})
    assert again["Deleted"] == [entry] and "Errors" not in again
