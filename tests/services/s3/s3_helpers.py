"""Helpers shared by the S3 tests."""

from __future__ import annotations


def error_of(excinfo) -> dict:
    return excinfo.value.response["Error"]


def status_of(excinfo) -> int:
    return excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]
