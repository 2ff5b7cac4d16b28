"""Fixtures for the SQS behaviour tests: a virtual-clock emulator in strict mode and a boto3 client."""

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


@pytest.fixture
def queue(sqs: Any) -> str:
    return sqs.create_queue(QueueName="jobs")["QueueUrl"]


@pytest.fixture
def fifo(sqs: Any) -> str:
    return sqs.create_queue(QueueName="jobs.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
