"""Helpers of the Step Functions tests."""

from __future__ import annotations

import json
from typing import Any

ROLE = "arn:aws:iam::123456789012:role/sfn-role"


def output(described: dict) -> Any:
    assert described["status"] == "SUCCEEDED", described
    return json.loads(described["output"])


def history(sfn: Any, execution_arn: str) -> list[dict]:
    return sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
