"""Helpers for tests that watch what reaches an SQS queue (SNS, EventBridge, S3 deliveries…)."""

from __future__ import annotations

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
