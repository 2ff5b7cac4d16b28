"""Fixtures for the EventBridge behaviour tests: a strict virtual-clock emulator and clients."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from kumo_intercept import Emulator

from queue_helpers import make_queue


@pytest.fixture
def events(aws: Emulator) -> Any:
    return boto3.client("events")


@pytest.fixture
def queue(sqs: Any) -> tuple[str, str]:
    return make_queue(sqs, "events-inbox")
