"""Intrinsic functions of the States Language (``States.Format('{}', $.x)`` and the rest).

Reference: the Step Functions developer guide, "Intrinsic functions". Argument errors fail the state
with ``States.IntrinsicFailure``; ``States.MathRandom`` and ``States.UUID`` draw from a generator
seeded per execution, so a replayed execution (and a rerun test) sees the same values.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import uuid
from typing import Any, Callable

from . import jsonpath

_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")
_PATH = re.compile(r"\$\$?[^,)\s]*")
_NAME = re.compile(r"States\.[A-Za-z0-9]+")
_HASHES = {"MD5": hashlib.md5, "SHA-1": hashlib.sha1, "SHA-256": hashlib.sha256,
           "SHA-384": hashlib.sha384, "SHA-512": hashlib.sha512}


class IntrinsicError(Exception):
    """States.IntrinsicFailure: the message is the Cause."""


class _Call:
    __slots__ = ("name", "args")

    def __init__(self, name: str, args: list[Any]) -> None:
        self.name = name
        self.args = args


class _Path:
    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path


def parse(text: str) -> _Call:
    call, end = _parse_call(text.strip(), 0)
    if end != len(text.strip()):
        raise IntrinsicError(f"unexpected text after the function call in {text!r}")
    return call


def _parse_call(text: str, pos: int) -> tuple[_Call, int]:
    match = _NAME.match(text, pos)
    if match is None or match.end() >= len(text) or text[match.end()] != "(":
        raise IntrinsicError(f"not an intrinsic function call: {text!r}")
    name, pos = match.group(), match.end() + 1
    args: list[Any] = []
    while True:
        pos = _skip(text, pos)
        if pos < len(text) and text[pos] == ")":
            return _Call(name, args), pos + 1
        arg, pos = _parse_arg(text, pos)
        args.append(arg)
        pos = _skip(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos += 1
        elif pos >= len(text) or text[pos] != ")":
            raise IntrinsicError(f"malformed arguments in {text!r}")


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] == " ":
        pos += 1
    return pos


def _parse_arg(text: str, pos: int) -> tuple[Any, int]:
    if text.startswith("States.", pos):
        return _parse_call(text, pos)
    if text[pos] == "'":
        out, pos = [], pos + 1
        while pos < len(text) and text[pos] != "'":
            if text[pos] == "\\" and pos + 1 < len(text):
                pos += 1
                # keep escaped braces escaped so Format can tell them from placeholders
                out.append("\\" + text[pos] if text[pos] in "{}" else text[pos])
            else:
                out.append(text[pos])
            pos += 1
        return "".join(out), pos + 1
    if text[pos] == "$":
        match = _PATH.match(text, pos)
        assert match is not None
        return _Path(match.group()), match.end()
    for word, value in (("true", True), ("false", False), ("null", None)):
        if text.startswith(word, pos):
            return value, pos + len(word)
    match = _NUMBER.match(text, pos)
    if match is None:
        raise IntrinsicError(f"unexpected argument at {text[pos:]!r}")
    number = match.group()
    return (float(number) if match.group(1) or match.group(2) else int(number)), match.end()


class Intrinsics:
    """Evaluates intrinsic calls against a state's input and the context object."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self, text: str, data: Any, context: Any) -> Any:
        return self.evaluate(parse(text), data, context)

    def evaluate(self, call: _Call, data: Any, context: Any) -> Any:
        args = [self._value(arg, data, context) for arg in call.args]
        function = _FUNCTIONS.get(call.name)
        if function is None:
            raise IntrinsicError(f"The function {call.name} is not supported")
        try:
            return function(self, *args)
        except IntrinsicError:
            raise
        except (TypeError, ValueError, IndexError, KeyError) as exc:
            raise IntrinsicError(f"Invalid arguments in {call.name}: {exc}") from exc

    def _value(self, arg: Any, data: Any, context: Any) -> Any:
        if isinstance(arg, _Call):
            return self.evaluate(arg, data, context)
        if isinstance(arg, _Path):
            try:
                return jsonpath.read(data, arg.path, context)
            except jsonpath.PathError as exc:
                raise IntrinsicError(f"The JsonPath {arg.path} could not be found") from exc
        return arg.replace("\\{", "{").replace("\\}", "}") if isinstance(arg, str) else arg


def _format(_: Intrinsics, template: str, *values: Any) -> str:
    parts = re.split(r"(?<!\\)\{\}", template)
    if len(parts) - 1 != len(values):
        raise IntrinsicError("Number of arguments in States.Format does not match the number of placeholders")
    out = [parts[0]]
    for value, part in zip(values, parts[1:]):
        out.append(value if isinstance(value, str) else _to_json(value))
        out.append(part)
    return "".join(out).replace("\\{", "{").replace("\\}", "}")


def _to_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _partition(_: Intrinsics, items: list, size: int) -> list:
    if size <= 0:
        raise IntrinsicError("The chunk size must be greater than zero")
    return [items[i:i + size] for i in range(0, len(items), size)]


def _range(_: Intrinsics, first: int, last: int, step: int) -> list:
    if step == 0:
        raise IntrinsicError("The step of States.ArrayRange cannot be zero")
    values = list(range(int(first), int(last) + (1 if step > 0 else -1), int(step)))
    if len(values) > 1000:
        raise IntrinsicError("States.ArrayRange produces at most 1000 items")
    return values


def _unique(_: Intrinsics, items: list) -> list:
    out: list = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _hash(_: Intrinsics, data: Any, algorithm: str) -> str:
    if algorithm not in _HASHES:
        raise IntrinsicError(f"The hash algorithm {algorithm} is not supported")
    text = data if isinstance(data, str) else _to_json(data)
    return _HASHES[algorithm](text.encode()).hexdigest()


def _merge(_: Intrinsics, left: dict, right: dict, deep: bool) -> dict:
    if deep:
        raise IntrinsicError("States.JsonMerge supports shallow merges only (the third argument must be false)")
    return {**left, **right}


def _random(self: Intrinsics, low: int, high: int, seed: int | None = None) -> int:
    rng = random.Random(seed) if seed is not None else self.rng
    return rng.randint(int(low), int(high))


def _uuid(self: Intrinsics) -> str:
    return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


def _split(_: Intrinsics, text: str, separators: str) -> list:
    return [part for part in re.split("|".join(map(re.escape, separators)), text) if part]


def _get_item(_: Intrinsics, items: list, index: int) -> Any:
    return items[int(index)]


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "States.Format": _format,
    "States.StringToJson": lambda _, text: json.loads(text),
    "States.JsonToString": lambda _, value: _to_json(value),
    "States.Array": lambda _, *values: list(values),
    "States.ArrayPartition": _partition,
    "States.ArrayContains": lambda _, items, value: value in items,
    "States.ArrayRange": _range,
    "States.ArrayGetItem": _get_item,
    "States.ArrayLength": lambda _, items: len(items),
    "States.ArrayUnique": _unique,
    "States.Base64Encode": lambda _, text: base64.b64encode(text.encode()).decode(),
    "States.Base64Decode": lambda _, text: base64.b64decode(text).decode(),
    "States.Hash": _hash,
    "States.JsonMerge": _merge,
    "States.MathRandom": _random,
    "States.MathAdd": lambda _, a, b: a + b,
    "States.StringSplit": _split,
    "States.UUID": _uuid,
}

NAMES = frozenset(_FUNCTIONS)
