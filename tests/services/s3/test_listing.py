"""Listings: prefixes, delimiters, pagination (markers, tokens, StartAfter), URL encoding, byte order."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from s3_helpers import error_of

KEYS = ["a.txt", "dir/one.txt", "dir/sub/two.txt", "dir/three.txt", "other/x", "z"]


@pytest.fixture
def filled(s3, bucket):
    for key in KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    return bucket


def test_v2_all_keys_sorted(s3, filled):
    out = s3.list_objects_v2(Bucket=filled)
    assert [c["Key"] for c in out["Contents"]] == sorted(KEYS)
    assert out["KeyCount"] == len(KEYS)
    assert out["IsTruncated"] is False
    assert out["Contents"][0]["Size"] == len(b"a.txt")
    assert out["Contents"][0]["StorageClass"] == "STANDARD"
    assert "Owner" not in out["Contents"][0]
    assert "Owner" in s3.list_objects_v2(Bucket=filled, FetchOwner=True)["Contents"][0]


def test_v2_delimiter_and_prefix(s3, filled):
    out = s3.list_objects_v2(Bucket=filled, Delimiter="/")
    assert [c["Key"] for c in out["Contents"]] == ["a.txt", "z"]
    assert [p["Prefix"] for p in out["CommonPrefixes"]] == ["dir/", "other/"]
    assert out["KeyCount"] == 4
    out = s3.list_objects_v2(Bucket=filled, Prefix="dir/", Delimiter="/")
    assert [c["Key"] for c in out["Contents"]] == ["dir/one.txt", "dir/three.txt"]
    assert [p["Prefix"] for p in out["CommonPrefixes"]] == ["dir/sub/"]
    assert out["Prefix"] == "dir/"
    out = s3.list_objects_v2(Bucket=filled, Prefix="dir/")
    assert [c["Key"] for c in out["Contents"]] == ["dir/one.txt", "dir/sub/two.txt", "dir/three.txt"]
    assert s3.list_objects_v2(Bucket=filled, Prefix="nothing")["KeyCount"] == 0


def test_v2_pagination_with_common_prefixes(s3, filled):
    seen = []
    token = None
    pages = 0
    while True:
        kwargs = {"Bucket": filled, "Delimiter": "/", "MaxKeys": 1}
        if token:
            kwargs["ContinuationToken"] = token
        out = s3.list_objects_v2(**kwargs)
        pages += 1
        seen += [c["Key"] for c in out.get("Contents", [])] + [p["Prefix"] for p in out.get("CommonPrefixes", [])]
        assert out["KeyCount"] == 1
        if not out["IsTruncated"]:
            break
        token = out["NextContinuationToken"]
    assert seen == ["a.txt", "dir/", "other/", "z"]
    assert pages == 4


def test_paginator_v2_and_v1(s3, filled):
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=filled, PaginationConfig={"PageSize": 2})
    assert [c["Key"] for page in pages for c in page["Contents"]] == sorted(KEYS)
    pages = s3.get_paginator("list_objects").paginate(Bucket=filled, PaginationConfig={"PageSize": 2})
    assert [c["Key"] for page in pages for c in page["Contents"]] == sorted(KEYS)
    pages = s3.get_paginator("list_objects").paginate(Bucket=filled, Delimiter="/", PaginationConfig={"PageSize": 1})
    got = []
    for page in pages:
        got += [c["Key"] for c in page.get("Contents", [])] + [p["Prefix"] for p in page.get("CommonPrefixes", [])]
    assert got == ["a.txt", "dir/", "other/", "z"]


def test_start_after_and_marker(s3, filled):
    out = s3.list_objects_v2(Bucket=filled, StartAfter="dir/sub/two.txt")
    assert [c["Key"] for c in out["Contents"]] == ["dir/three.txt", "other/x", "z"]
    assert out["StartAfter"] == "dir/sub/two.txt"
    out = s3.list_objects(Bucket=filled, Marker="other/x")
    assert [c["Key"] for c in out["Contents"]] == ["z"]
    assert out["Marker"] == "other/x"
    assert "Owner" in out["Contents"][0]


def test_v1_next_marker_only_with_delimiter(s3, filled):
    out = s3.list_objects(Bucket=filled, MaxKeys=2)
    assert out["IsTruncated"] is True
    assert "NextMarker" not in out
    out = s3.list_objects(Bucket=filled, MaxKeys=2, Delimiter="/")
    assert out["NextMarker"] == "dir/"


def test_max_keys_zero(s3, filled):
    out = s3.list_objects_v2(Bucket=filled, MaxKeys=0)
    assert out["KeyCount"] == 0
    assert out["IsTruncated"] is False


def test_utf8_byte_order_and_url_encoding(s3, bucket):
    keys = ["b", "a b", "a+b", "é", "z", "ü/x", "\u4e2d", "a%2F"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    out = s3.list_objects_v2(Bucket=bucket)
    assert [c["Key"] for c in out["Contents"]] == sorted(keys, key=lambda k: k.encode())
    assert [p["Prefix"] for p in s3.list_objects_v2(Bucket=bucket, Delimiter="/")["CommonPrefixes"]] == ["ü/"]
    raw = s3.list_objects_v2(Bucket=bucket, EncodingType="url", Prefix="a")
    assert raw["EncodingType"] == "url"
    assert [c["Key"] for c in raw["Contents"]] == ["a+b", "a%252F", "a%2Bb"]


def test_invalid_continuation_token(s3, filled):
    with pytest.raises(ClientError) as exc:
        s3.list_objects_v2(Bucket=filled, ContinuationToken="garbage")
    assert error_of(exc)["Code"] == "InvalidArgument"


def test_listing_cost_does_not_depend_on_skipped_prefixes(s3, bucket, kumo):
    # a big common prefix is skipped with one seek: the walk touches only the keys it returns
    backend = kumo.backend("s3")
    for i in range(2000):
        backend.objects.put((bucket, f"big/{i:05d}"), {"etag": '"x"', "size": 0, "mtime": 0.0, "ct": "b", "data": b"",
                                                       "vid": None})
    s3.put_object(Bucket=bucket, Key="small", Body=b"")
    calls = []
    original = backend.objects.irange

    def counting(*args, **kwargs):
        it = original(*args, **kwargs)
        for key in it:
            calls.append(key)
            yield key

    backend.objects.irange = counting
    try:
        out = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    finally:
        del backend.objects.irange
    assert [p["Prefix"] for p in out["CommonPrefixes"]] == ["big/"]
    assert [c["Key"] for c in out["Contents"]] == ["small"]
    assert len(calls) <= 3
