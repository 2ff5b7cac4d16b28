"""Fixtures shared by the service tests: a strict, virtual-clock emulator and an SQS client in it.

A folder that needs different options defines its own ``aws`` (or ``sqs``) fixture, which wins.
"""

from __future__ import annotations

from typing import Any, Iterator

import boto3
import pytest

from kumo_intercept import Emulator, kumo


@pytest.fixture
def aws() -> Iterator[Emulator]:
    with kumo(clock="virtual", strict=True) as emulator:
        yield emulator


@pytest.fixture
def sqs(aws: Emulator) -> Any:
    return boto3.client("sqs")
