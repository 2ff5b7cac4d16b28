from __future__ import annotations

import boto3
import pytest


@pytest.fixture
def s3(kumo):
    return boto3.client("s3", region_name="us-east-1")


@pytest.fixture
def bucket(s3):
    s3.create_bucket(Bucket="test-bucket")
    return "test-bucket"


@pytest.fixture
def versioned(s3):
    s3.create_bucket(Bucket="versioned-bucket")
    s3.put_bucket_versioning(Bucket="versioned-bucket", VersioningConfiguration={"Status": "Enabled"})
    return "versioned-bucket"

