"""Fixtures of the SES tests."""

from __future__ import annotations

from typing import Any

import boto3
import pytest


@pytest.fixture
def production_access(aws: Any) -> None:
    """The account out of the sandbox (SESv2 PutAccountDetails with ProductionAccessEnabled), so a test
    may send to recipients it has not verified; the sandbox itself is tested in test_ses_sandbox.py."""
    boto3.client("sesv2").put_account_details(MailType="TRANSACTIONAL", WebsiteURL="https://example.com",
                                              UseCaseDescription="tests", ProductionAccessEnabled=True)
