"""Fixtures for the CloudWatch Logs behaviour tests: a strict virtual-clock emulator and a client."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from kumo_intercept import Emulator


@pytest.fixture
def logs(aws: Emulator) -> Any:
    return boto3.client("logs")


@pytest.fixture
def now_ms(aws: Emulator) -> int:
    return int(aws.clock.time() * 1000)


@pytest.fixture
def stream(logs: Any) -> tuple[str, str]:
    logs.create_log_group(logGroupName="/app/web")
    logs.create_log_stream(logGroupName="/app/web", logStreamName="web-1")
    return "/app/web", "web-1"
