"""Policy documents as IAM checks them when they are stored (MalformedPolicyDocument, size limits).

Sizes are counted as IAM counts them, without whitespace (IAM and STS quotas page,
docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): a managed policy 6,144
characters, the inline policies of a user 2,048 / a group 5,120 / a role 10,240 in aggregate, a
role's trust policy 2,048.
"""

from __future__ import annotations

import json
from typing import Any

from ...api import iam
from ...core.errors import AwsError

MANAGED_POLICY_SIZE = 6144
TRUST_POLICY_SIZE = 2048
INLINE_AGGREGATE_SIZE = {"user": 2048, "group": 5120, "role": 10240}

_VERSIONS = ("2012-10-17", "2008-10-17")
_EFFECTS = ("Allow", "Deny")
_STATEMENT_KEYS = frozenset({"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                             "Resource", "NotResource", "Condition"})


def malformed(message: str) -> AwsError:
    return iam.malformed_policy_document_exception(message)


def size(document: str) -> int:
    """Characters IAM counts against its quotas: whitespace is not counted."""
    return sum(1 for char in document if not char.isspace())


def parse(document: str, invalid_json_message: str = "Syntax errors in policy.") -> dict[str, Any]:
    try:
        decoded = json.loads(document)
    except ValueError:
        raise malformed(invalid_json_message) from None
    if not isinstance(decoded, dict):
        raise malformed(invalid_json_message)
    return decoded


def check_identity_policy(document: str) -> dict[str, Any]:
    """A managed or inline (identity-based) policy: no principals, actions and resources required."""
    decoded = parse(document)
    for statement in _statements(decoded):
        if "Principal" in statement or "NotPrincipal" in statement:
            raise malformed("Policy document should not specify a principal.")
        _check_statement(statement)
        if "Resource" not in statement and "NotResource" not in statement:
            raise malformed("Policy statement must contain resources.")
    return decoded


def check_trust_policy(document: str) -> dict[str, Any]:
    """A role's trust (assume-role) policy: principals required, resources not allowed."""
    decoded = parse(document, "This policy contains invalid Json")
    for statement in _statements(decoded):
        _check_statement(statement)
        if "Principal" not in statement and "NotPrincipal" not in statement:
            raise malformed("AssumeRolepolicy contained an invalid principal element.")
        if "Resource" in statement or "NotResource" in statement:
            raise malformed("Has prohibited field Resource")
    return decoded


def _statements(decoded: dict[str, Any]) -> list[dict[str, Any]]:
    version = decoded.get("Version")
    if version is not None and version not in _VERSIONS:
        raise malformed("The policy failed legacy parsing")
    if "Statement" not in decoded:
        raise malformed("Syntax errors in policy.")
    raw = decoded["Statement"]
    statements = raw if isinstance(raw, list) else [raw]
    if not statements or not all(isinstance(s, dict) for s in statements):
        raise malformed("Syntax errors in policy.")
    sids = [s["Sid"] for s in statements if "Sid" in s]
    if len(sids) != len(set(sids)):
        raise malformed("Statement IDs (SID) in a single policy must be unique.")
    return statements


def _check_statement(statement: dict[str, Any]) -> None:
    unknown = sorted(set(statement) - _STATEMENT_KEYS)
    if unknown:
        raise malformed("Syntax errors in policy.")
    if "Effect" not in statement:
        raise malformed("Missing required field Effect")
    if statement["Effect"] not in _EFFECTS:
        raise malformed(f"Invalid effect: {statement['Effect']}")
    if "Action" not in statement and "NotAction" not in statement:
        raise malformed("Policy statement must contain actions.")
    for key in ("Action", "NotAction"):
        for action in _as_list(statement.get(key, [])):
            if not isinstance(action, str) or (action != "*" and ":" not in action):
                raise malformed("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
    condition = statement.get("Condition")
    if condition is not None and not isinstance(condition, dict):
        raise malformed("Syntax errors in policy.")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
