"""Policy-document helpers for the IAM tests (a module of its own: `conftest` is not importable by name
when several folders have one)."""

from __future__ import annotations

import json
from typing import Any

ACCOUNT = "123456789012"


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def trust(principal: Any = None) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": principal or {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
