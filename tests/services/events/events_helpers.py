"""Helpers for the EventBridge tests."""

from __future__ import annotations

import json
from typing import Any


def make_queue(sqs: Any, name: str, **attributes: str) -> tuple[str, str]:
    """(url, arn) of a new queue."""
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def drain(sqs: Any, url: str, **kwargs: Any) -> list[dict]:
    """Every message now in the queue (received and deleted)."""
    out: list[dict] = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, **kwargs).get("Messages", [])
        if not messages:
            return out
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        out.extend(messages)


def bodies(sqs: Any, url: str) -> list[Any]:
    return [json.loads(m["Body"]) for m in drain(sqs, url)]


def entry(source: str = "shop", detail_type: str = "order", **detail: Any) -> dict:
    return {"Source": source, "DetailType": detail_type, "Detail": json.dumps(detail)}
