"""Helpers shared by the SQS behaviour tests."""

from __future__ import annotations

from typing import Any

import pytest


def error_of(excinfo: pytest.ExceptionInfo) -> dict:
    return excinfo.value.response["Error"]


def attributes(sqs: Any, url: str, *names: str) -> dict[str, str]:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(names) or ["All"])["Attributes"]


def counts(sqs: Any, url: str) -> tuple[int, int, int]:
    """(visible, in flight, delayed)"""
    values = attributes(sqs, url, "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                        "ApproximateNumberOfMessagesDelayed")
    return (int(values["ApproximateNumberOfMessages"]), int(values["ApproximateNumberOfMessagesNotVisible"]),
            int(values["ApproximateNumberOfMessagesDelayed"]))
