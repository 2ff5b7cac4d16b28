"""Composite alarm rules: ``ALARM(x)``, ``OK(x)``, ``INSUFFICIENT_DATA(x)``, ``TRUE``, ``FALSE``, ``AND``,
``OR``, ``NOT`` and parentheses, ``x`` an alarm name or ARN, quoted or not (the user guide's "Creating
a composite alarm"). A rule is parsed once into a tree of tuples and evaluated against the states of
the alarms it names; an alarm that does not exist is in no state.
"""

from __future__ import annotations

import re
from typing import Callable

from ...core.errors import AwsError

_STATES = ("ALARM", "OK", "INSUFFICIENT_DATA")
_TOKEN = re.compile(r'\s*(?:(\()|(\))|(ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*(?:"([^"]*)"|([^\s()"]+))\s*\)'
                    r'|(AND|OR|NOT|TRUE|FALSE)\b)')
MAX_RULE_LENGTH = 10240
Rule = tuple


def rule_error(detail: str) -> AwsError:
    message = f"Error in alarm rule: {detail}"
    return AwsError("ValidationError", message, 400, fields={"message": message})


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise rule_error(f"unexpected input at position {position + 1}")
        opened, closed, state, quoted, bare, word = match.groups()
        if opened or closed:
            tokens.append(("(", "") if opened else (")", ""))
        elif state:
            tokens.append((state, quoted if quoted is not None else bare))
        else:
            tokens.append((word, ""))
        position = match.end()
    return tokens


def parse(text: str) -> Rule:
    """The rule's tree: ``("state", STATE, alarm)``, ``("const", bool)``, ``("not", r)``, ``("and"|"or", a, b)``."""
    tokens = _tokens(text)
    rule, rest = _or(tokens)
    if rest:
        raise rule_error(f"unexpected {rest[0][0]}")
    return rule


def _or(tokens: list[tuple[str, str]]) -> tuple[Rule, list[tuple[str, str]]]:
    return _chain(tokens, "OR", _and)


def _and(tokens: list[tuple[str, str]]) -> tuple[Rule, list[tuple[str, str]]]:
    return _chain(tokens, "AND", _unary)


def _chain(tokens: list[tuple[str, str]], word: str, operand: Callable[..., tuple[Rule, list[tuple[str, str]]]]
           ) -> tuple[Rule, list[tuple[str, str]]]:
    """Operands joined by ``word`` (AND binds tighter than OR), left to right."""
    left, rest = operand(tokens)
    while rest and rest[0][0] == word:
        right, rest = operand(rest[1:])
        left = (word.lower(), left, right)
    return left, rest


def _unary(tokens: list[tuple[str, str]]) -> tuple[Rule, list[tuple[str, str]]]:
    if not tokens:
        raise rule_error("the rule ends too early")
    kind, value = tokens[0]
    if kind == "NOT":
        inner, rest = _unary(tokens[1:])
        return ("not", inner), rest
    if kind == "(":
        inner, rest = _or(tokens[1:])
        if not rest or rest[0][0] != ")":
            raise rule_error("a parenthesis is not closed")
        return inner, rest[1:]
    if kind in _STATES:
        return ("state", kind, value), tokens[1:]
    if kind in ("TRUE", "FALSE"):
        return ("const", kind == "TRUE"), tokens[1:]
    raise rule_error(f"unexpected {kind}")


def alarms_named(rule: Rule) -> set[str]:
    """Every alarm name or ARN the rule reads."""
    if rule[0] == "state":
        return {rule[2]}
    if rule[0] == "const":
        return set()
    return set().union(*(alarms_named(part) for part in rule[1:]))


def evaluate(rule: Rule, state_of: Callable[[str], str | None]) -> bool:
    kind = rule[0]
    if kind == "state":
        return state_of(rule[2]) == rule[1]
    if kind == "const":
        return bool(rule[1])
    if kind == "not":
        return not evaluate(rule[1], state_of)
    if kind == "and":
        return evaluate(rule[1], state_of) and evaluate(rule[2], state_of)
    return evaluate(rule[1], state_of) or evaluate(rule[2], state_of)
