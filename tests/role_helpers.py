"""Helpers for tests that assume roles: on AWS (and here) a role must exist in IAM and trust the caller."""

from __future__ import annotations

import json

import boto3


def trust_policy(*principals: str) -> str:
    """A trust policy letting these AWS principals (account ids or ARNs) call sts:AssumeRole."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": list(principals)}, "Action": "sts:AssumeRole"}]})


def create_role(role_arn: str, *trusted: str, max_session_duration: int = 3600) -> dict:
    """Create the role named by ``role_arn`` in its own account, trusting ``trusted`` (default: the
    emulator's default account 123456789012). A 12-digit access key id acts in that account."""
    account = role_arn.split(":")[4]
    path, _, name = role_arn.split(":role", 1)[1].rpartition("/")
    iam = boto3.client("iam", aws_access_key_id=account, aws_secret_access_key="x")
    return iam.create_role(RoleName=name, Path=path + "/", MaxSessionDuration=max_session_duration,
                           AssumeRolePolicyDocument=trust_policy(*(trusted or ("123456789012",))))["Role"]


def create_service_role(role_arn: str, service: str = "lambda.amazonaws.com") -> dict:
    """Create the role named by ``role_arn`` with a trust policy letting ``service`` assume it, as an
    execution role needs (a Lambda function's role must trust lambda.amazonaws.com)."""
    account = role_arn.split(":")[4]
    path, _, name = role_arn.split(":role", 1)[1].rpartition("/")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})
    iam = boto3.client("iam", aws_access_key_id=account, aws_secret_access_key="x")
    return iam.create_role(RoleName=name, Path=path + "/", AssumeRolePolicyDocument=trust)["Role"]
