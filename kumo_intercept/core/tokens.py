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


def offset_page(items: list[Any], limit: int, token: str | None, invalid: AwsError) -> tuple[list[Any], str | None]:
    """One page of ``items`` from the offset in ``token`` and the token of the next page (None at the end);
    raises ``invalid`` for a token that is not one of ours."""
    start = decode_token(token, invalid) or 0
    if not isinstance(start, int) or start < 0:
        raise invalid
    end = start + limit
    return items[start:end], (encode_token(end) if end < len(items) else None)
