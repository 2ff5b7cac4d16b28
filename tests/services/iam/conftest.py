"""An IAM client in the strict, virtual-clock emulator."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from kumo_intercept import Emulator


@pytest.fixture
def iam(aws: Emulator) -> Any:
    return boto3.client("iam")
