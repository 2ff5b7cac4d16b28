"""The input checks AWS makes on its side and botocore does not: maximum lengths and values, patterns
and enums from the service model, reported in AWS's own "N validation errors detected" form.

botocore validates types, required members and minimums before the call reaches us; AWS validates
the rest. A backend opts in with ``validate_input = True`` on its class.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from botocore.model import Shape

from .errors import AwsError


@functools.lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    """Compile a model pattern (Java regex syntax) for Python, or None if it cannot be expressed."""
    # Java writes astral code points as \u10000; Python needs \U00010000.
    python = re.sub(r"\\u([0-9A-Fa-f]{5,6})", lambda m: "\\U" + m.group(1).rjust(8, "0"), pattern)
    try:
        return re.compile(python)
    except re.error:
        return None


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _quote(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 256 else text[:256] + "..."


def constraint_errors(shape: Shape | None, value: Any, path: str = "") -> list[str]:
    """Every violated constraint under ``shape``, each as AWS words it."""
    if shape is None:
        return []
    errors: list[str] = []
    _visit(shape, value, path, errors)
    return errors


def _visit(shape: Shape, value: Any, path: str, errors: list[str]) -> None:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        for name, member_value in value.items():
            member = members.get(name)
            if member is not None and member_value is not None:
                _visit(member, member_value, f"{path}.{_camel(name)}" if path else _camel(name), errors)
        return
    if kind == "list" and isinstance(value, list):
        if "max" in meta and len(value) > meta["max"]:
            errors.append(f"Value '{_quote(value)}' at '{path}' failed to satisfy constraint: "
                          f"Member must have length less than or equal to {meta['max']}")
        for index, item in enumerate(value):
            _visit(shape.member, item, f"{path}.{index + 1}.member", errors)
        return
    if kind == "map" and isinstance(value, dict):
        if "max" in meta and len(value) > meta["max"]:
            errors.append(f"Value '{_quote(value)}' at '{path}' failed to satisfy constraint: "
                          f"Member must have length less than or equal to {meta['max']}")
        for key, item in value.items():
            _visit(shape.value, item, f"{path}.{key}.member", errors)
        return
    if kind == "string" and isinstance(value, str):
        prefix = f"Value '{_quote(value)}' at '{path}' failed to satisfy constraint: Member must "
        if "max" in meta and len(value) > meta["max"]:
            errors.append(prefix + f"have length less than or equal to {meta['max']}")
        if "min" in meta and len(value) < meta["min"]:
            errors.append(prefix + f"have length greater than or equal to {meta['min']}")
        if shape.enum and value not in shape.enum:
            errors.append(prefix + f"satisfy enum value set: [{', '.join(shape.enum)}]")
        pattern = meta.get("pattern")
        if pattern:
            compiled = _compiled(pattern)
            if compiled is not None and compiled.fullmatch(value) is None:
                errors.append(prefix + f"satisfy regular expression pattern: {pattern}")
        return
    if kind in ("integer", "long") and isinstance(value, int):
        prefix = f"Value '{value}' at '{path}' failed to satisfy constraint: Member must have value "
        if "max" in meta and value > meta["max"]:
            errors.append(prefix + f"less than or equal to {meta['max']}")
        if "min" in meta and value < meta["min"]:
            errors.append(prefix + f"greater than or equal to {meta['min']}")


def check_input(shape: Shape | None, params: dict[str, Any], code: str = "ValidationError") -> None:
    """Raise AWS's validation error if ``params`` break a constraint of the input shape."""
    errors = constraint_errors(shape, params)
    if errors:
        count = len(errors)
        noun = "error" if count == 1 else "errors"
        raise AwsError(code, f"{count} validation {noun} detected: " + "; ".join(errors), 400)
