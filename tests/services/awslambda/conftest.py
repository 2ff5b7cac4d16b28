"""Fixtures of the Lambda tests."""

from __future__ import annotations

import boto3
import pytest


@pytest.fixture
def lam(kumo):
    return boto3.client("lambda")


@pytest.fixture
def sqs(kumo):
    return boto3.client("sqs")
