"""What a target receives: Input, InputPath (JSONPath) and InputTransformer templates, by AWS's rules.

InputTransformer: each ``<name>`` in ``InputTemplate`` is replaced by the value its ``InputPathsMap``
path selects (or a predefined ``<aws.events.*>`` variable). Inside a JSON string (between quotes) a
string value goes in as its escaped text; outside quotes every value goes in as JSON. The result is
delivered as rendered: a template that is one quoted string arrives with its quotes, as in AWS. A
path that selects nothing gives ``null`` outside quotes and nothing inside them.
"""

from __future__ import annotations

import json
import re
from typing import Any

_SEGMENT = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")
_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")
_NOTHING: Any = object()


class PathError(ValueError):
    pass


def compile_path(path: str) -> tuple:
    """A JSONPath of the forms EventBridge accepts (``$``, ``$.a.b``, ``$.a[0]``, ``$['a']``)."""
    if not path.startswith("$"):
        raise PathError(path)
    steps: list[Any] = []
    position = 1
    while position < len(path):
        match = _SEGMENT.match(path, position)
        if match is None:
            raise PathError(path)
        name, index, quoted, double = match.groups()
        if index is not None:
            steps.append(int(index))
        else:
            steps.append(name if name is not None else quoted if quoted is not None else double)
        position = match.end()
    return tuple(steps)


def select(event: Any, steps: tuple) -> Any:
    value = event
    for step in steps:
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                return _NOTHING
            value = value[step]
        elif isinstance(value, dict) and step in value:
            value = value[step]
        else:
            return _NOTHING
    return value


def input_path(event: dict, path: str) -> str:
    value = select(event, compile_path(path))
    return "" if value is _NOTHING else json.dumps(value, ensure_ascii=False)


def _quoted_spans(template: str) -> list[tuple[int, int]]:
    """Where the template's JSON strings are: (start, end) index pairs inside the quotes."""
    spans = []
    inside = False
    start = 0
    escaped = False
    for i, char in enumerate(template):
        if inside:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                spans.append((start, i))
                inside = False
        elif char == '"':
            inside = True
            start = i + 1
    return spans


def render_template(template: str, values: dict[str, Any]) -> str:
    """Substitute ``values`` (name -> Python value or _NOTHING) into an InputTemplate."""
    spans = _quoted_spans(template)

    def in_quotes(position: int) -> bool:
        return any(start <= position < end for start, end in spans)

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        value = values[name]
        if in_quotes(match.start()):
            if value is _NOTHING or value is None:
                return ""
            if isinstance(value, str):
                return json.dumps(value, ensure_ascii=False)[1:-1]
            return json.dumps(json.dumps(value, ensure_ascii=False), ensure_ascii=False)[1:-1]
        if value is _NOTHING:
            return "null"
        return json.dumps(value, ensure_ascii=False)

    return _PLACEHOLDER.sub(replace, template)


def transform(event: dict, transformer: dict, predefined: dict[str, Any]) -> str:
    values: dict[str, Any] = dict(predefined)
    for name, path in (transformer.get("InputPathsMap") or {}).items():
        values[name] = select(event, compile_path(path))
    return render_template(transformer["InputTemplate"], values)
