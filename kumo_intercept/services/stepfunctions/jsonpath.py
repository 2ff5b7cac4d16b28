"""The JSONPath subset the Amazon States Language uses: ``$``, ``$.a.b``, ``$.a[0]``, ``$.a[*].b``,
``$['a b']`` and the context object ``$$.Execution.Id``; plus ``ResultPath``-style writes and the
``Parameters`` / ``ResultSelector`` payload templates (keys ending in ``.$``).

Reference: "Paths" and "Parameters" of the States Language specification (states-language.net)
and the Step Functions developer guide's "Processing input and output".
"""

from __future__ import annotations

import re
from typing import Any, Callable

_TOKEN = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]|\[\*\]|\[\'([^\']*)\'\]|\[\"([^\"]*)\"\]|\.\*")
_WILD = object()


class PathError(Exception):
    """A path that does not resolve (AWS fails the state with States.Runtime)."""


def parse(path: str) -> list[Any]:
    """The steps of a path after its ``$``: str keys, int indexes, or the wildcard."""
    if not path.startswith("$"):
        raise PathError(f"the path {path!r} does not start with '$'")
    steps: list[Any] = []
    pos = 1
    while pos < len(path):
        match = _TOKEN.match(path, pos)
        if match is None:
            raise PathError(f"the path {path!r} is not a supported JSONPath")
        key, index, quoted, dquoted = match.groups()
        if key is not None:
            steps.append(key)
        elif index is not None:
            steps.append(int(index))
        elif quoted is not None or dquoted is not None:
            steps.append(quoted if quoted is not None else dquoted)
        else:
            steps.append(_WILD)
        pos = match.end()
    return steps


def is_definite(path: str) -> bool:
    return "*" not in path


def read(data: Any, path: str, context: Any = None) -> Any:
    """The value at ``path`` (``$$…`` reads the context object); PathError if it is absent."""
    if path.startswith("$$"):
        return read(context, path[1:])
    found = _walk(data, parse(path))
    if isinstance(found, _Many):
        return found.values
    return found


class _Many:
    def __init__(self, values: list[Any]) -> None:
        self.values = values


def _walk(value: Any, steps: list[Any]) -> Any:
    for i, step in enumerate(steps):
        if step is _WILD:
            items = list(value.values()) if isinstance(value, dict) else value
            if not isinstance(items, list):
                raise PathError("a wildcard applies to an array or object")
            rest = steps[i + 1:]
            out: list[Any] = []
            for item in items:
                try:
                    got = _walk(item, rest)
                except PathError:
                    continue
                out.extend(got.values if isinstance(got, _Many) else [got])
            return _Many(out)
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                raise PathError(f"no index {step}")
            value = value[step]
        else:
            if not isinstance(value, dict) or step not in value:
                raise PathError(f"no field {step!r}")
            value = value[step]
    return value


def exists(data: Any, path: str, context: Any = None) -> bool:
    try:
        read(data, path, context)
    except PathError:
        return False
    return True


def write(data: Any, path: str | None, value: Any) -> Any:
    """``ResultPath``: a copy of ``data`` with ``value`` at ``path`` (None discards the value,
    ``$`` replaces the input)."""
    if path is None:
        return data
    steps = parse(path)
    if not steps:
        return value
    return _put(data, steps, value)


def _put(node: Any, steps: list[Any], value: Any) -> Any:
    step = steps[0]
    if isinstance(step, int) or step is _WILD:
        raise PathError("ResultPath may only name object fields")
    base = dict(node) if isinstance(node, dict) else {}
    if not isinstance(node, dict) and node is not None and len(steps) >= 1:
        raise PathError("ResultPath cannot be applied to a non-object input")
    base[step] = value if len(steps) == 1 else _put(base.get(step), steps[1:], value)
    return base


def template(payload: Any, data: Any, context: Any, intrinsic: Callable[[str, Any, Any], Any]) -> Any:
    """A ``Parameters`` / ``ResultSelector`` / ``ItemSelector`` template filled from ``data``:
    ``"key.$"`` takes a path (or an intrinsic function) and the key loses its ``.$``."""
    if isinstance(payload, dict):
        out: dict[str, Any] = {}
        for key, item in payload.items():
            if key.endswith(".$") and isinstance(item, str):
                out[key[:-2]] = intrinsic(item, data, context) if item.startswith("States.") \
                    else read(data, item, context)
            else:
                out[key] = template(item, data, context, intrinsic)
        return out
    if isinstance(payload, list):
        return [template(item, data, context, intrinsic) for item in payload]
    return payload
