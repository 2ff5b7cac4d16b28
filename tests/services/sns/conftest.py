"""Fixtures for the SNS behaviour tests: a strict virtual-clock emulator, clients, a topic and a queue."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from kumo_intercept import Emulator

from queue_helpers import make_queue


@pytest.fixture
def sns(aws: Emulator) -> Any:
    return boto3.client("sns")


@pytest.fixture
def topic(sns: Any) -> str:
    return sns.create_topic(Name="orders")["TopicArn"]


@pytest.fixture
def queue(sqs: Any) -> tuple[str, str]:
    return make_queue(sqs, "inbox")
