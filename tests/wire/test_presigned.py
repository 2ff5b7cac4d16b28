"""Presigned URLs and POST policies fetched with HTTP libraries are served in-process (issue 16.2).

Facts: S3's presigned URL expiry answer (403 AccessDenied "Request has expired" with X-Amz-Expires,
Expires and ServerTime: docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html) and the
POST policy rules (docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html:
conditions eq / starts-with / content-length-range, every field but x-amz-signature, file, policy
and x-ignore-* must be covered; "Invalid according to Policy: Policy expired.").
"""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request

import boto3
from botocore.config import Config
import httpx  # imported before the emulator starts, as httpx and aiohttp must be to be intercepted
import pytest
import requests
import urllib3

aiohttp = pytest.importorskip("aiohttp")

from kumo_intercept import NetworkBlockedError, kumo

BUCKET = "presigned-bucket"


@pytest.fixture
def s3():
    with kumo(clock="virtual") as aws:
        client = boto3.client("s3")
        client.create_bucket(Bucket=BUCKET)
        client.put_object(Bucket=BUCKET, Key="a.txt", Body=b"hello")
        client.aws = aws
        yield client


def _url(s3, method="get_object", key="a.txt", seconds=60, **config):
    return s3.generate_presigned_url(method, Params={"Bucket": BUCKET, "Key": key}, ExpiresIn=seconds)


def test_get_with_every_library(s3):
    url = _url(s3)
    assert requests.get(url).content == b"hello"
    assert urllib3.request("GET", url).data == b"hello"
    assert urllib.request.urlopen(url).read() == b"hello"
    assert httpx.get(url).content == b"hello"
    s3.aws.calls.assert_called("s3.GetObject", Key="a.txt")


def test_get_with_aiohttp(s3):
    url = _url(s3)

    async def fetch() -> tuple[int, bytes]:
        async with aiohttp.ClientSession() as session:
            async with session.get(url) as response:
                return response.status, await response.read()

    assert asyncio.run(fetch()) == (200, b"hello")


def test_put_head_delete(s3):
    assert requests.put(_url(s3, "put_object", "b.txt"), data=b"uploaded").status_code == 200
    assert s3.get_object(Bucket=BUCKET, Key="b.txt")["Body"].read() == b"uploaded"
    head = requests.head(_url(s3, "head_object", "b.txt"))
    assert head.status_code == 200 and head.headers["Content-Length"] == "8"
    assert requests.delete(_url(s3, "delete_object", "b.txt")).status_code == 204
    assert requests.get(_url(s3, "get_object", "b.txt")).status_code == 404


def test_expiry_follows_the_emulator_clock(s3):
    url = _url(s3, seconds=60)
    s3.aws.clock.advance(61)
    response = requests.get(url)
    assert response.status_code == 403
    assert "<Code>AccessDenied</Code><Message>Request has expired</Message>" in response.text
    assert "<ServerTime>2025-01-01T00:01:01Z</ServerTime>" in response.text
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url)
    assert refused.value.code == 403


def test_post_policy_upload(s3):
    post = s3.generate_presigned_post(BUCKET, "uploads/${filename}",
                                      Conditions=[["content-length-range", 1, 100]], ExpiresIn=60)
    answer = requests.post(post["url"], data=post["fields"], files={"file": ("photo.png", b"png bytes")})
    assert answer.status_code == 204
    assert s3.get_object(Bucket=BUCKET, Key="uploads/photo.png")["Body"].read() == b"png bytes"


def test_post_policy_conditions_are_enforced(s3):
    post = s3.generate_presigned_post(BUCKET, "fixed.txt", Conditions=[["content-length-range", 1, 10]],
                                      ExpiresIn=60)
    too_big = requests.post(post["url"], data=post["fields"], files={"file": ("f", b"x" * 11)})
    assert too_big.status_code == 400 and "<Code>EntityTooLarge</Code>" in too_big.text
    other_key = requests.post(post["url"], data={**post["fields"], "key": "elsewhere.txt"}, files={"file": ("f", b"x")})
    assert other_key.status_code == 403 and "Policy Condition failed" in other_key.text
    extra = requests.post(post["url"], data={**post["fields"], "Content-Type": "text/plain"}, files={"file": ("f", b"x")})
    assert extra.status_code == 403 and "Extra input fields: content-type" in extra.text
    created = requests.post(post["url"], data={**post["fields"], "x-ignore-me": "1"}, files={"file": ("f", b"x")})
    assert created.status_code == 204
    s3.aws.clock.advance(61)
    expired = requests.post(post["url"], data=post["fields"], files={"file": ("f", b"x")})
    assert expired.status_code == 403 and "Policy expired." in expired.text


def test_unemulated_service_is_refused_not_sent(s3):
    with pytest.raises(NetworkBlockedError, match="ec2.us-east-1.amazonaws.com"):
        requests.get("https://ec2.us-east-1.amazonaws.com/?Action=DescribeInstances")


def test_other_hosts_are_left_alone_and_patches_end_with_the_emulator(s3):
    with pytest.raises(AssertionError, match="tried to use the network"):  # reached the socket layer (the suite's guard)
        requests.get("http://example.com/")
    original = urllib3.connectionpool.HTTPConnectionPool.urlopen
    assert getattr(original, "__name__") == "urlopen" and original.__module__ == "kumo_intercept.wire.httpclients"
    s3.aws.stop()
    assert urllib3.connectionpool.HTTPConnectionPool.urlopen.__module__ == "urllib3.connectionpool"
    s3.aws.start()


def test_post_success_action_status_and_redirect(s3):
    """201 answers a PostResponse document; success_action_redirect answers 303 to it with bucket,
    key and etag (the POST Object reference: success_action_status, success_action_redirect)."""
    post = s3.generate_presigned_post(BUCKET, "doc.txt", Fields={"success_action_status": "201"},
                                      Conditions=[{"success_action_status": "201"}], ExpiresIn=60)
    created = requests.post(post["url"], data=post["fields"], files={"file": ("f", b"x")})
    assert created.status_code == 201
    assert f"<Location>https://{BUCKET}.s3.amazonaws.com/doc.txt</Location>" in created.text
    assert "<Key>doc.txt</Key>" in created.text
    back = "https://example.com/done"
    post = s3.generate_presigned_post(BUCKET, "other.txt", Fields={"success_action_redirect": back},
                                      Conditions=[{"success_action_redirect": back}], ExpiresIn=60)
    redirected = requests.post(post["url"], data=post["fields"], files={"file": ("f", b"x")}, allow_redirects=False)
    assert redirected.status_code == 303
    assert redirected.headers["Location"].startswith(back + "?bucket=presigned-bucket&key=other.txt&etag=")


def _virtual_hosted_round_trip(s3, region: str) -> list[str]:
    """A bucket made, an object PUT with a presigned URL (requests), read and listed by calls botocore
    sends itself (a listener on the request pipeline sends a call through its full path,
    core/interceptor.py); returns the hosts the calls were sent to."""
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": region})
    url = s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "a.txt"}, ExpiresIn=60)
    assert requests.put(url, data=b"hello").status_code == 200
    sent = [url]
    s3.meta.events.register("before-send.s3", lambda request, **_: sent.append(request.url))
    assert s3.get_object(Bucket=BUCKET, Key="a.txt")["Body"].read() == b"hello"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]] == ["a.txt"]
    return [url.split("/")[2] for url in sent]


@pytest.mark.parametrize("region", ["cn-north-1", "us-iso-east-1", "us-isob-east-1"])
def test_virtual_hosted_urls_of_other_partitions(region):
    """botocore names a bucket in the host under its partition's DNS suffix (its partitions.json:
    amazonaws.com.cn, c2s.ic.gov, sc2s.sgov.gov)."""
    with kumo():
        hosts = _virtual_hosted_round_trip(boto3.client("s3", region_name=region), region)
    assert set(hosts) == {hosts[0]} and hosts[0].startswith(f"{BUCKET}.s3.{region}.")


@pytest.mark.parametrize("config, host", [
    (Config(s3={"use_dualstack_endpoint": True}), f"{BUCKET}.s3.dualstack.us-west-2.amazonaws.com"),
    (Config(use_fips_endpoint=True, s3={"use_dualstack_endpoint": True}),
     f"{BUCKET}.s3-fips.dualstack.us-west-2.amazonaws.com"),
    (Config(s3={"use_accelerate_endpoint": True}), f"{BUCKET}.s3-accelerate.amazonaws.com"),
], ids=["dualstack", "fips-dualstack", "accelerate"])
def test_virtual_hosted_urls_of_endpoint_variants(config, host):
    """The dual-stack, FIPS and Transfer Acceleration hosts botocore's S3 endpoint rules build (S3 user
    guide, "Dual-stack endpoints", "Transfer Acceleration")."""
    with kumo():
        hosts = _virtual_hosted_round_trip(boto3.client("s3", region_name="us-west-2", config=config), "us-west-2")
    assert set(hosts) == {host}
