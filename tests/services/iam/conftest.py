"""An IAM client in the strict, virtual-clock emulator, and policy-document helpers."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from kumo_intercept import Emulator

ACCOUNT = "123456789012"


@pytest.fixture
def iam(aws: Emulator) -> Any:
    return boto3.client("iam")


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def trust(principal: Any = None) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": principal or {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
