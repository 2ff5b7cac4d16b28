"""What botocore resolves or customises itself: request checksums (Config included), GetBucketLocation."""

from __future__ import annotations

import boto3
from botocore.config import Config


def _checksums(response: dict) -> dict:
    return {k: v for k, v in response.items() if k.startswith("Checksum")}


def test_default_client_gets_crc32(kumo):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="sums")
    assert _checksums(s3.put_object(Bucket="sums", Key="k", Body=b"x")) == {
        "ChecksumCRC32": "jNwWgw==", "ChecksumType": "FULL_OBJECT"}


def test_when_required_client_config_sends_and_gets_none(kumo):
    s3 = boto3.client("s3", config=Config(request_checksum_calculation="when_required"))
    s3.create_bucket(Bucket="sums")
    assert _checksums(s3.put_object(Bucket="sums", Key="k", Body=b"x")) == {}


def test_explicit_algorithm_wins(kumo):
    s3 = boto3.client("s3", config=Config(request_checksum_calculation="when_required"))
    s3.create_bucket(Bucket="sums")
    response = s3.put_object(Bucket="sums", Key="k", Body=b"x", ChecksumAlgorithm="SHA256")
    assert _checksums(response) == {
        "ChecksumSHA256": "LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE=", "ChecksumType": "FULL_OBJECT"}


def test_us_east_1_location_is_none_as_botocore_gives_it_even_in_strict_mode():
    from kumo_intercept import kumo

    with kumo(strict=True):
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="sums")
        assert s3.get_bucket_location(Bucket="sums")["LocationConstraint"] is None
