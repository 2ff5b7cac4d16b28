"""Helpers for the EventBridge tests."""

from __future__ import annotations

import json
from typing import Any

from queue_helpers import drain


def bodies(sqs: Any, url: str) -> list[Any]:
    return [json.loads(m["Body"]) for m in drain(sqs, url)]


def entry(source: str = "shop", detail_type: str = "order", **detail: Any) -> dict:
    return {"Source": source, "DetailType": detail_type, "Detail": json.dumps(detail)}
