"""CloudWatch Logs filter patterns: terms, quoted phrases, ``?`` alternatives, ``-`` exclusions,
``%regex%``, JSON patterns (``{ $.level = "ERROR" && $.ms > 100 }``) and space-delimited patterns
(``[ip, user, ..., status = 4*, bytes > 1000]``).

``compile_filter(text)`` returns ``match(message) -> dict | None``: None when the message does not
match, else the extracted values (``$field`` names for space-delimited patterns; empty otherwise),
which TestMetricFilter reports.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any, Callable

from ...core import jsonpath
from ...core.jsonpath import MISSING
from ...core.lexing import tokenize
from ...core.linear_regex import Regex, RegexError, Wildcard

Match = Callable[[str], "dict[str, str] | None"]


class FilterError(ValueError):
    pass


# -- terms -----------------------------------------------------------------------------------------
_TERM = re.compile(r'\s*(?:(?P<prefix>[?-]?)(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<bare>[^\s"]+)))')


def _compile_terms(text: str) -> Match:
    required: list[str] = []
    optional: list[str] = []
    excluded: list[str] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TERM.match(text, position)
        if match is None:
            raise FilterError(text)
        position = match.end()
        term = match.group("quoted")
        if term is not None:
            term = term.replace('\\"', '"')
        else:
            term = match.group("bare")
        prefix = match.group("prefix")
        (optional if prefix == "?" else excluded if prefix == "-" else required).append(term)

    def test(message: str) -> dict | None:
        for term in required:
            if term not in message:
                return None
        for term in excluded:
            if term in message:
                return None
        if optional and not any(term in message for term in optional):
            return None
        return {}
    return test


#: what a filter pattern regex may hold ("Supported regular expressions (regex) syntax" in the
#: CloudWatch Logs guide): ASCII letters and digits, these symbols and these operators; no ( ) groups
_REGEX_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                              ":_#=@/;,- " "^$?[]{}|\\*+.")


def compile_regex(body: str, text: str) -> Regex:
    """A ``%regex%`` term, matched in linear time; FilterError for what AWS refuses."""
    if not body or not set(body) <= _REGEX_CHARACTERS:
        raise FilterError(text)
    try:
        return Regex(body)
    except RegexError:
        raise FilterError(text) from None


# -- values with wildcards and comparisons ------------------------------------------------------------
def _wildcard(text: str) -> Wildcard:
    return Wildcard(text.split("*"))


def as_number(value: Any) -> float | None:
    """``value`` as a float when it reads as a number (booleans and None do not); else None."""
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _compare(actual: Any, op: str, expected: Any, expected_is_string: bool) -> bool:
    if isinstance(actual, (dict, list)):
        return False  # "If a property selector points to an array or object, the filter pattern won't match"
    if op in ("=", "!="):
        if expected_is_string:
            if not isinstance(actual, str):
                result = False if actual is None else _wildcard(expected).fullmatch(json.dumps(actual))
            else:
                result = _wildcard(expected).fullmatch(actual)
        else:
            number = as_number(actual)
            result = number is not None and number == expected
        return result if op == "=" else not result
    number = as_number(actual)
    if number is None or expected_is_string:
        return False
    if op == "<":
        return number < expected
    if op == "<=":
        return number <= expected
    if op == ">":
        return number > expected
    return number >= expected


# -- JSON patterns ------------------------------------------------------------------------------------
#: a property selector, as one token: ``$`` and the characters its steps are made of (``_SELECTOR_STEP``
#: then says whether they make steps)
_JSON_TOKEN = re.compile(r"""
    \s*(?:
      (?P<lparen>\() | (?P<rparen>\)) | (?P<and>&&) | (?P<or>\|\|)
    | (?P<selector>\$(?:\.?\['[^']*'\]|[A-Za-z0-9_\-@.\[\]*])*)
    | (?P<op>!=|<=|>=|=|<|>)
    | (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<is>IS\s+(?:NULL|TRUE|FALSE))
    | (?P<notexists>NOT\s+EXISTS)
    | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
    | (?P<bare>[^\s()&|=!<>"]+)
    )""", re.VERBOSE)
#: the steps of a property selector ("Filter pattern syntax ...": alphanumeric names with ``-`` and ``_``,
#: ``['name.with.periods']``, ``[index]``, and the wildcard selector ``.*`` / ``[*]``)
_SELECTOR_STEP = re.compile(r"\.(?P<name>[A-Za-z0-9_\-@]+)|\.?\['(?P<quoted>[^']*)'\]|\[(?P<index>\d+)\]"
                            r"|(?P<wildcard>\.\*|\[\*\])")
#: the quotas of the same page: one wildcard in a selector, three wildcard selectors in a pattern
_WILDCARDS_PER_SELECTOR = 1
_WILDCARD_SELECTORS_PER_PATTERN = 3


class _JsonParser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.position = 0
        self.wildcard_selectors = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, kind: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (kind is not None and token[0] != kind):
            raise FilterError("unexpected end of filter pattern")
        self.position += 1
        return token

    def expression(self) -> Callable[[Any], bool]:
        left = self.conjunction()
        while self.peek() and self.peek()[0] == "or":  # type: ignore[index]
            self.take()
            right = self.conjunction()
            left = (lambda a, b: lambda d: a(d) or b(d))(left, right)
        return left

    def conjunction(self) -> Callable[[Any], bool]:
        left = self.primary()
        while self.peek() and self.peek()[0] == "and":  # type: ignore[index]
            self.take()
            right = self.primary()
            left = (lambda a, b: lambda d: a(d) and b(d))(left, right)
        return left

    def primary(self) -> Callable[[Any], bool]:
        token = self.peek()
        if token is None:
            raise FilterError("empty expression")
        if token[0] == "lparen":
            self.take()
            inner = self.expression()
            self.take("rparen")
            return inner
        steps = self.selector()
        token = self.take()
        if token[0] == "notexists":
            exists = _any_selected(steps, lambda value: True)
            return lambda d: not exists(d)
        if token[0] == "is":
            word = token[1].split()[-1]
            wanted = None if word == "NULL" else word == "TRUE"
            return _any_selected(steps, lambda value: value is wanted)
        if token[0] != "op":
            raise FilterError("expected a comparison")
        op = token[1]
        value_token = self.take()
        if value_token[0] == "string":
            expected: Any = json.loads(value_token[1])
            is_string = True
        elif value_token[0] == "number":
            expected = float(value_token[1])
            is_string = False
        elif value_token[0] == "bare":
            expected, is_string = value_token[1], True
        else:
            raise FilterError("expected a value")
        if is_string and op not in ("=", "!="):
            raise FilterError("strings compare with = and != only")
        return _any_selected(steps, lambda value: _compare(value, op, expected, is_string))

    def selector(self) -> tuple[jsonpath.Step, ...]:
        """The steps of the next token, a property selector, held to the page's wildcard quotas."""
        text = self.take("selector")[1]
        steps = jsonpath.parse(_SELECTOR_STEP, text, lambda _position: FilterError(text))
        wildcards = sum(isinstance(step, jsonpath.Wildcard) for step in steps)
        if wildcards:
            self.wildcard_selectors += 1
        if wildcards > _WILDCARDS_PER_SELECTOR or self.wildcard_selectors > _WILDCARD_SELECTORS_PER_PATTERN:
            raise FilterError(text)
        return steps


def _any_selected(steps: tuple[jsonpath.Step, ...], test: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """Whether ``test`` holds for a value the selector selects in a document (any one, where a wildcard selects
    several; none where it selects nothing)."""
    if any(isinstance(step, jsonpath.Wildcard) for step in steps):
        return lambda document: any(test(value) for value in jsonpath.values(document, steps))

    def selected(document: Any) -> bool:  # one value at most: read without generators, per event
        value = jsonpath.value(document, steps)
        return value is not MISSING and test(value)
    return selected


def _compile_json(text: str) -> Match:
    inner = text.strip()[1:-1]
    parser = _JsonParser(tokenize(_JSON_TOKEN, inner, lambda _position: FilterError(inner)))
    predicate = parser.expression()
    if parser.peek() is not None:
        raise FilterError(text)

    def test(message: str) -> dict | None:
        try:
            document = json.loads(message)
        except (ValueError, RecursionError):
            return None
        if not isinstance(document, (dict, list)):
            return None
        return {} if predicate(document) else None
    return test


# -- space-delimited patterns -------------------------------------------------------------------------
_CONDITION = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*(!=|<=|>=|=|<|>)\s*(.+?)\s*$")


def _split_fields(text: str) -> list[str]:
    """Split a log line into fields: spaces separate, "quotes" and [brackets] group."""
    fields = []
    position = 0
    length = len(text)
    while position < length:
        while position < length and text[position] == " ":
            position += 1
        if position >= length:
            break
        char = text[position]
        if char == '"':
            end = text.find('"', position + 1)
            end = length if end < 0 else end
            fields.append(text[position + 1:end])
            position = end + 1
        elif char == "[":
            end = text.find("]", position + 1)
            end = length if end < 0 else end
            fields.append(text[position + 1:end])
            position = end + 1
        else:
            end = text.find(" ", position)
            end = length if end < 0 else end
            fields.append(text[position:end])
            position = end
    return fields


def _field_condition(spec: str) -> tuple[str, Callable[[str], bool]]:
    """``name``, ``name = value``, ``name > 5``, ``name = a || name = b`` (one field's alternatives)."""
    alternatives = [part for part in re.split(r"\|\||&&", spec)]
    joiner_and = "&&" in spec
    name = None
    tests = []
    for alternative in alternatives:
        match = _CONDITION.match(alternative)
        if match is None:
            if len(alternatives) == 1 and re.fullmatch(r"\s*[A-Za-z0-9_\-.]+\s*", alternative):
                return alternative.strip(), lambda value: True
            raise FilterError(spec)
        field, op, raw = match.groups()
        name = name or field
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            expected, is_string = raw[1:-1], True
        else:
            number = as_number(raw)
            expected, is_string = (raw, True) if number is None else (number, False)
        tests.append((lambda o, e, s: lambda value: _compare(value, o, e, s))(op, expected, is_string))
    combine = all if joiner_and else any
    return name or spec.strip(), lambda value: combine(test(value) for test in tests)


def _compile_delimited(text: str) -> Match:
    inner = text.strip()[1:-1]
    specs = [spec.strip() for spec in inner.split(",")] if inner.strip() else []
    fields: list[tuple[str, Callable[[str], bool]] | None] = []  # None stands for "..."
    for spec in specs:
        if spec == "...":
            fields.append(None)
        else:
            fields.append(_field_condition(spec))
    if not fields:
        return lambda message: {}

    def test(message: str) -> dict | None:
        values = _split_fields(message)
        return _match_fields(fields, values, 0, 0, {})
    return test


def _match_fields(fields: list, values: list[str], fi: int, vi: int, extracted: dict) -> dict | None:
    if fi == len(fields):
        return extracted if vi == len(values) else None
    spec = fields[fi]
    if spec is None:
        if fi == len(fields) - 1:
            return extracted
        for skip in range(vi, len(values) + 1):
            result = _match_fields(fields, values, fi + 1, skip, dict(extracted))
            if result is not None:
                return result
        return None
    if vi >= len(values):
        return None
    name, check = spec
    if fi == len(fields) - 1 and vi < len(values) - 1:
        value = " ".join(values[vi:])  # the last field takes the rest of the line
        vi = len(values) - 1
    else:
        value = values[vi]
    if not check(value):
        return None
    extracted[f"${name}"] = value
    return _match_fields(fields, values, fi + 1, vi + 1, extracted)


# -- entry point --------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1024)
def compile_filter(text: str | None) -> Match:
    """A matcher for a CloudWatch Logs filter pattern; raises FilterError if it is not valid."""
    if text is None or not text.strip():
        return lambda message: {}
    stripped = text.strip()
    if stripped.startswith("{"):
        if not stripped.endswith("}"):
            raise FilterError(text)
        return _compile_json(stripped)
    if stripped.startswith("["):
        if not stripped.endswith("]"):
            raise FilterError(text)
        return _compile_delimited(stripped)
    if stripped.startswith("%") and stripped.endswith("%") and len(stripped) > 1:
        regex = compile_regex(stripped[1:-1], text)
        return lambda message: {} if regex.search(message) else None
    return _compile_terms(stripped)
