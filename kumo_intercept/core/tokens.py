"""Opaque pagination tokens: a JSON value, base64-encoded, refused with the service's own error."""

from __future__ import annotations

import base64
import json
from typing import Any

from .errors import AwsError


def encode_token(value: Any) -> str:
    """A NextToken carrying ``value`` (anything JSON can hold)."""
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def decode_token(token: str | None, invalid: AwsError) -> Any:
    """The value in ``token`` (None for no token); raises ``invalid`` if it is not one of ours."""
    if not token:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError):
        raise invalid from None
