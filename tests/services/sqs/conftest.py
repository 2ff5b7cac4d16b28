"""Fixtures for the SQS behaviour tests (the emulator and client come from tests/services/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def queue(sqs: Any) -> str:
    return sqs.create_queue(QueueName="jobs")["QueueUrl"]


@pytest.fixture
def fifo(sqs: Any) -> str:
    return sqs.create_queue(QueueName="jobs.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
