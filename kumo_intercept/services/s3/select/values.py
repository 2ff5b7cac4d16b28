"""Values as S3 Select sees them: numbers read from text, CSV rows, members and path steps, text."""

from __future__ import annotations

import json
import math
from typing import Any

from .errors import MISSING, SelectError


def number(text: str, error: str = "CastFailed") -> int | float:
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        raise SelectError(error) from None
    if math.isnan(value) or math.isinf(value):
        raise SelectError(error)
    return value


def numeric_value(value: Any) -> int | float | None:
    """A number, or a string that reads as one (CSV fields); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return number(value)
        except SelectError:
            return None
    return None


def absent(value: Any) -> bool:
    return value is None or value is MISSING


class CsvRow:
    """A CSV record: its fields, and the header names when FileHeaderInfo is USE."""

    __slots__ = ("values", "names")

    def __init__(self, values: list[str], names: list[str] | None) -> None:
        self.values = values
        self.names = names

    def get(self, name: str, quoted: bool) -> Any:
        if self.names is not None:
            for index, header in enumerate(self.names):
                if header == name or (not quoted and header.lower() == name.lower()):
                    return self.values[index] if index < len(self.values) else MISSING
        position = column_position(name)
        if position is None:
            return MISSING
        return self.values[position - 1] if position <= len(self.values) else MISSING

    def as_dict(self) -> dict[str, Any]:
        names = self.names or []
        return {names[i] if i < len(names) else f"_{i + 1}": value for i, value in enumerate(self.values)}


def column_position(name: str) -> int | None:
    """``_N`` (1-based) as N; ``_0`` is InvalidColumnIndex."""
    if len(name) < 2 or name[0] != "_" or not name[1:].isdigit():
        return None
    position = int(name[1:])
    if position < 1:
        raise SelectError("InvalidColumnIndex")
    return position


def member(value: Any, name: str, quoted: bool) -> Any:
    if isinstance(value, CsvRow):
        return value.get(name, quoted)
    if isinstance(value, dict):
        if name in value:
            return value[name]
        if not quoted:
            lowered = name.lower()
            for key, item in value.items():
                if key.lower() == lowered:
                    return item
        return MISSING
    return MISSING


def step_into(value: Any, step: Any, quoted: bool) -> Any:
    if isinstance(step, int):
        if isinstance(value, CsvRow):
            value = value.values
        return value[step] if isinstance(value, list) and step < len(value) else MISSING
    if step == "*":
        raise SelectError("ParseInvalidPathComponent")  # wildcards belong to FROM, not to expressions
    return member(value, step, quoted)


def render_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if isinstance(value, CsvRow):
        return render_text(value.as_dict())
    if absent(value):
        return ""
    return str(value)
