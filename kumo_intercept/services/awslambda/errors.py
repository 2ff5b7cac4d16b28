"""Lambda's errors as botocore shows them: the code, and ``Type``/``message`` at the top level."""

from __future__ import annotations

from ...core.errors import AwsError


def lambda_error(code: str, message: str, status: int = 400) -> AwsError:
    """An AWS Lambda error, with the members botocore shows at the top level of the response."""
    member = "Message" if code == "ResourceNotFoundException" else "message"
    return AwsError(code, message, status, fields={"Type": "User", member: message})


def invalid(message: str) -> AwsError:
    return lambda_error("InvalidParameterValueException", message)
