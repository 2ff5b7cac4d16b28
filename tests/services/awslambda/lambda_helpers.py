"""Helpers for the Lambda tests: zip packages built in memory, the execution role they run as."""

from __future__ import annotations

import io
import textwrap
import zipfile

import boto3
from role_helpers import create_service_role


ROLE = "arn:aws:iam::123456789012:role/lambda-role"


def make_zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, textwrap.dedent(text))
    return buffer.getvalue()


def execution_role(role_arn: str = ROLE) -> str:
    """The role, created (trusting lambda.amazonaws.com) unless IAM already holds it: CreateFunction
    checks that Lambda can assume the role."""
    iam = boto3.client("iam", aws_access_key_id=role_arn.split(":")[4], aws_secret_access_key="x")
    if not any(role["Arn"] == role_arn for role in iam.list_roles()["Roles"]):
        create_service_role(role_arn)
    return role_arn


def create(client, name: str, files: dict[str, str], handler: str = "app.handler", **kwargs):
    """CreateFunction of a zip of ``files``, run as ``Role`` (default ROLE, created if missing)."""
    kwargs.setdefault("Runtime", "python3.12")
    kwargs["Role"] = execution_role(kwargs.get("Role", ROLE))
    return client.create_function(FunctionName=name, Handler=handler,
                                  Code={"ZipFile": make_zip(files)}, **kwargs)
