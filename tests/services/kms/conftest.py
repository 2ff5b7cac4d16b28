"""A KMS client in the strict, virtual-clock emulator of tests/services/conftest.py."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from kumo_intercept import Emulator


@pytest.fixture
def kms(aws: Emulator) -> Any:
    return boto3.client("kms")


@pytest.fixture
def key_id(kms: Any) -> str:
    return kms.create_key(Description="test key")["KeyMetadata"]["KeyId"]
