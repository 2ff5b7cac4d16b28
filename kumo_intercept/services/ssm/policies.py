"""Parameter policies (Advanced tier): Expiration, ExpirationNotification and NoChangeNotification.

The format is the one the Parameter Store user guide ("Assigning parameter policies") documents: a
JSON list of ``{"Type": ..., "Version": "1.0", "Attributes": {...}}``. Only Expiration changes what the
emulator does (the parameter is deleted once the clock passes its timestamp); the notifications are
validated and reported, not sent (EventBridge delivery of them is not emulated).
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from ...core.errors import AwsError

_TYPES = ("Expiration", "ExpirationNotification", "NoChangeNotification")
_UNITS = ("Days", "Hours")


def _type_error() -> AwsError:
    message = ("The policy type is not supported. Parameter Store supports the following policy types: "
               "Expiration, ExpirationNotification, and NoChangeNotification.")
    return AwsError("InvalidPolicyTypeException", message, fields={"message": message})


def _attribute_error(detail: str) -> AwsError:
    message = f"A policy attribute or its value is invalid. {detail}"
    return AwsError("InvalidPolicyAttributeException", message, fields={"message": message})


def _timestamp(text: Any) -> float:
    if not isinstance(text, str):
        raise _attribute_error("Expiration needs a Timestamp.")
    try:
        when = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _attribute_error(f"Timestamp {text} is not an ISO 8601 date.") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    return when.timestamp()


def _count(attributes: dict[str, Any], name: str) -> None:
    value, unit = attributes.get(name), attributes.get("Unit")
    if not isinstance(value, str) or not value.isdigit() or int(value) < 1 or unit not in _UNITS:
        raise _attribute_error(f"{name} must be a positive whole number and Unit one of Days, Hours.")


def parse_policies(text: str, now: float) -> tuple[list[dict[str, Any]], float | None]:
    """The policies as PutParameter reports them (``PolicyText``, ``PolicyType``, ``PolicyStatus``) and
    the expiration time, if any; AwsError as Parameter Store refuses bad policies."""
    try:
        policies = json.loads(text)
    except ValueError:
        raise _attribute_error("The policies are not valid JSON.") from None
    if not isinstance(policies, list) or not all(isinstance(p, dict) for p in policies):
        raise _attribute_error("Policies must be a JSON list of policy objects.")
    seen: set[str] = set()
    expires = None
    out = []
    for policy in policies:
        kind = policy.get("Type")
        if kind not in _TYPES:
            raise _type_error()
        if kind in seen:
            message = f"There is a conflict in the policies specified for this parameter: more than one {kind} policy."
            raise AwsError("IncompatiblePolicyException", message, fields={"message": message})
        seen.add(kind)
        attributes = policy.get("Attributes")
        if policy.get("Version") != "1.0" or not isinstance(attributes, dict):
            raise _attribute_error("Each policy needs Version 1.0 and Attributes.")
        if kind == "Expiration":
            expires = _timestamp(attributes.get("Timestamp"))
            if expires <= now:
                raise _attribute_error("The Expiration Timestamp must be in the future.")
        else:
            _count(attributes, "Before" if kind == "ExpirationNotification" else "After")
        out.append({"PolicyText": json.dumps(policy, separators=(",", ":")), "PolicyType": kind,
                    "PolicyStatus": "Pending"})
    if "ExpirationNotification" in seen and "Expiration" not in seen:
        message = "An ExpirationNotification policy needs an Expiration policy on the same parameter."
        raise AwsError("IncompatiblePolicyException", message, fields={"message": message})
    return out, expires
