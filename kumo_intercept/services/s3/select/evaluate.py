"""Evaluating the syntax tree over one record (``evaluate``), SQL functions and aggregates."""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ....core.errors import AwsError
from .errors import MISSING, SelectError
from .sql import Aggregate, Call, Cast, Chain, Literal, Logical, Path, Predicate, Unary
from .values import CsvRow, absent, number, numeric_value, render_text, step_into


# -- evaluation -----------------------------------------------------------------------------------
@dataclass
class Scope:
    row: Any
    alias: str                              # lower case: the table alias, or "s3object"
    aggregated: dict[int, Any] | None = None  # id(Aggregate) -> its value, after folding


def evaluate(node: Any, scope: Scope) -> Any:
    kind = type(node)
    if kind is Literal:
        return node.value
    if kind is Path:
        return _resolve(node, scope)
    if kind is Chain:
        return _chain(node, scope)
    if kind is Logical:
        return _logical(node, scope)
    if kind is Unary:
        return _unary(node, scope)
    if kind is Predicate:
        return PREDICATES[node.kind.split(":")[0]](node, scope)
    if kind is Call:
        return CALLS[node.name]([evaluate(arg, scope) for arg in node.args])
    if kind is Cast:
        return cast(evaluate(node.operand, scope), node.type_name)
    if kind is Aggregate:
        if scope.aggregated is None:
            raise SelectError("UnsupportedSqlOperation")
        return scope.aggregated[id(node)]
    raise SelectError("UnsupportedSyntax")


def _resolve(node: Path, scope: Scope) -> Any:
    steps, quoted = node.steps, node.quoted
    first = steps[0]
    if isinstance(first, str) and (first if quoted[0] else first.lower()) == scope.alias:
        value, start = scope.row, 1
    else:
        value, start = scope.row, 0
    for index in range(start, len(steps)):
        value = step_into(value, steps[index], quoted[index] if index < len(quoted) else False)
        if value is MISSING:
            return MISSING
    if isinstance(value, CsvRow) and start == len(steps):
        return value.as_dict()
    return value


def _arithmetic(op: str, left: Any, right: Any) -> Any:
    if absent(left) or absent(right):
        return None
    if op == "||":
        if not isinstance(left, str) or not isinstance(right, str):
            raise SelectError("IncorrectSqlFunctionArgumentType")
        return left + right
    a, b = numeric_value(left), numeric_value(right)
    if a is None or b is None:
        raise SelectError("IncorrectSqlFunctionArgumentType")
    if op in "/%" and b == 0:
        raise SelectError("IllegalSqlFunctionArgument")
    if isinstance(a, int) and isinstance(b, int) and op in "/%":
        return _integer_division(op, a, b)
    try:
        result = ARITHMETIC[op](a, b)
    except OverflowError:
        raise SelectError("IntegerOverflow") from None
    too_large = math.isinf(result) if isinstance(result, float) else not INT_MIN <= result <= INT_MAX
    if too_large:
        raise SelectError("IntegerOverflow")
    return result


INT_MIN, INT_MAX = -2 ** 63, 2 ** 63 - 1  # S3 Select's INT is 64 bits


def _integer_division(op: str, a: int, b: int) -> int:
    """SQL's integer / and %: the quotient truncated toward zero, the remainder with a's sign."""
    quotient = abs(a) // abs(b) * (1 if (a < 0) == (b < 0) else -1)
    return quotient if op == "/" else a - b * quotient


ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "%": math.fmod,
}


def _chain(node: Chain, scope: Scope) -> Any:
    value = evaluate(node.first, scope)
    for op, operand in node.rest:
        value = _arithmetic(op, value, evaluate(operand, scope))
    return value


def truth_of(value: Any) -> bool | None:
    if absent(value):
        return None
    if isinstance(value, bool):
        return value
    raise SelectError("IncorrectSqlFunctionArgumentType")


def _logical(node: Logical, scope: Scope) -> bool | None:
    """Three-valued AND / OR."""
    decisive = node.op == "or"
    unknown = False
    for operand in node.operands:
        truth = truth_of(evaluate(operand, scope))
        if truth is None:
            unknown = True
        elif truth is decisive:
            return decisive
    return None if unknown else not decisive


def _unary(node: Unary, scope: Scope) -> Any:
    value = evaluate(node.operand, scope)
    if node.op == "not":
        truth = truth_of(value)
        return None if truth is None else not truth
    if absent(value):
        return None
    numeric = numeric_value(value)
    if numeric is None:
        raise SelectError("IncorrectSqlFunctionArgumentType")
    return -numeric


def compare(left: Any, right: Any) -> int | None:
    """-1/0/1, or None when either side is NULL/MISSING or the two cannot be ordered."""
    if absent(left) or absent(right):
        return None
    if isinstance(left, bool) or isinstance(right, bool):
        if isinstance(left, bool) and isinstance(right, bool):
            return (left > right) - (left < right)
        return None
    if isinstance(left, str) and isinstance(right, str):
        return (left > right) - (left < right)
    a, b = numeric_value(left), numeric_value(right)
    if a is not None and b is not None:
        return (a > b) - (a < b)
    if type(left) is type(right) and isinstance(left, (list, dict)):
        return 0 if left == right else None
    return None


def _comparison(node: Predicate, scope: Scope) -> bool | None:
    order = compare(evaluate(node.operand, scope), evaluate(node.args[0], scope))
    if order is None:
        return None
    return {"=": order == 0, "<>": order != 0, "<": order < 0, "<=": order <= 0, ">": order > 0,
            ">=": order >= 0}[node.kind[4:]]


def _negate(node: Predicate, result: bool | None) -> bool | None:
    return None if result is None else result != node.negated


def _is(node: Predicate, scope: Scope) -> bool:
    value = evaluate(node.operand, scope)
    found = value is MISSING if node.kind == "is missing" else absent(value)
    return found != node.negated


def _between(node: Predicate, scope: Scope) -> bool | None:
    value = evaluate(node.operand, scope)
    low = compare(value, evaluate(node.args[0], scope))
    high = compare(value, evaluate(node.args[1], scope))
    if low is None or high is None:
        return None
    return _negate(node, low >= 0 and high <= 0)


def _in(node: Predicate, scope: Scope) -> bool | None:
    value = evaluate(node.operand, scope)
    unknown = False
    for candidate in node.args:
        order = compare(value, evaluate(candidate, scope))
        if order == 0:
            return _negate(node, True)
        unknown = unknown or order is None
    return None if unknown else _negate(node, False)


def _like(node: Predicate, scope: Scope) -> bool | None:
    value = evaluate(node.operand, scope)
    pattern = evaluate(node.args[0], scope)
    escape = evaluate(node.args[1], scope) if len(node.args) > 1 else None
    if absent(value) or absent(pattern):
        return None
    if not isinstance(value, str) or not isinstance(pattern, str):
        raise SelectError("IncorrectSqlFunctionArgumentType")
    if escape is not None and (not isinstance(escape, str) or len(escape) != 1):
        raise AwsError("EvaluatorLikePatternInvalidEscapeSequence",
                       "Invalid escape sequence in LIKE pattern.", 400)
    return _negate(node, like_match(value, _like_tokens(pattern, escape)))


def _like_tokens(pattern: str, escape: str | None) -> list[str]:
    """The pattern as tokens: ``"%"``, ``"_"`` (wildcards) or ``"=c"`` (a literal character)."""
    tokens: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if escape is not None and char == escape:
            if index + 1 >= len(pattern):
                raise AwsError("EvaluatorLikePatternInvalidEscapeSequence",
                               "Invalid escape sequence in LIKE pattern.", 400)
            tokens.append("=" + pattern[index + 1])
            index += 2
            continue
        tokens.append(char if char in "%_" else "=" + char)
        index += 1
    return tokens


def like_match(text: str, tokens: Sequence[str]) -> bool:
    """Wildcard matching with one backtrack point (the last ``%``): O(len(text) * len(tokens)), never
    exponential, whatever the pattern."""
    t = p = 0
    star_p, star_t = -1, 0
    while t < len(text):
        if p < len(tokens) and (tokens[p] == "_" or tokens[p] == "=" + text[t]):
            t, p = t + 1, p + 1
        elif p < len(tokens) and tokens[p] == "%":
            star_p, star_t = p, t
            p += 1
        elif star_p >= 0:
            star_t += 1
            t, p = star_t, star_p + 1
        else:
            return False
    return all(token == "%" for token in tokens[p:])


PREDICATES: dict[str, Callable[[Predicate, Scope], Any]] = {
    "cmp": _comparison, "is null": _is, "is missing": _is, "between": _between, "in": _in, "like": _like,
}


def cast(value: Any, type_name: str) -> Any:
    if absent(value):
        return value
    if type_name == "string":
        return render_text(value)
    if type_name == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise SelectError("CastFailed")
    if isinstance(value, bool) or isinstance(value, (list, dict)):
        raise SelectError("CastFailed")
    numeric = number(value) if isinstance(value, str) else value
    if type_name == "int":
        return int(numeric)
    return float(numeric)


def _text_argument(value: Any) -> str:
    if not isinstance(value, str):
        raise SelectError("IncorrectSqlFunctionArgumentType")
    return value


def _string_function(apply: Callable[[str], Any]) -> Callable[[list[Any]], Any]:
    def call(args: list[Any]) -> Any:
        return None if absent(args[0]) else apply(_text_argument(args[0]))
    return call


def _substring(args: list[Any]) -> Any:
    if any(absent(arg) for arg in args):
        return None
    text = _text_argument(args[0])
    start = numeric_value(args[1])
    length = numeric_value(args[2]) if len(args) > 2 else None
    if start is None or (len(args) > 2 and length is None):
        raise SelectError("IncorrectSqlFunctionArgumentType")
    begin = int(start)
    end = len(text) + 1 if length is None else begin + int(length)
    if length is not None and length < 0:
        raise SelectError("IllegalSqlFunctionArgument")
    return text[max(begin, 1) - 1:max(end, 1) - 1]


def _trim(args: list[Any]) -> Any:
    where, chars, value = args
    if absent(value) or absent(chars):
        return None
    text, strip = _text_argument(value), _text_argument(chars)
    if where == "leading":
        return text.lstrip(strip)
    if where == "trailing":
        return text.rstrip(strip)
    return text.strip(strip)


def _coalesce(args: list[Any]) -> Any:
    return next((arg for arg in args if not absent(arg)), None)


def _nullif(args: list[Any]) -> Any:
    return None if compare(args[0], args[1]) == 0 else args[0]


CALLS: dict[str, Callable[[list[Any]], Any]] = {
    "lower": _string_function(str.lower), "upper": _string_function(str.upper),
    "char_length": _string_function(len), "character_length": _string_function(len),
    "substring": _substring, "trim": _trim, "coalesce": _coalesce, "nullif": _nullif,
}


# -- aggregates -----------------------------------------------------------------------------------
class Accumulator:
    """One aggregate call folded over the selected rows."""

    def __init__(self, aggregate: Aggregate) -> None:
        self.aggregate = aggregate
        self.count = 0
        self.total: int | float = 0
        self.best: Any = None

    def add(self, scope: Scope) -> None:
        name, arg = self.aggregate.name, self.aggregate.arg
        if arg is None:
            self.count += 1
            return
        value = evaluate(arg, scope)
        if absent(value):
            return
        self.count += 1
        if name in ("sum", "avg"):
            numeric = numeric_value(value)
            if numeric is None:
                raise SelectError("IncorrectSqlFunctionArgumentType")
            self.total += numeric
        elif name in ("min", "max"):
            if self.best is None:
                self.best = value
                return
            order = compare(value, self.best)
            if order is None:
                raise SelectError("IncorrectSqlFunctionArgumentType")
            if (order < 0) == (name == "min") and order != 0:
                self.best = value

    def result(self) -> Any:
        name = self.aggregate.name
        if name == "count":
            return self.count
        if self.count == 0:
            return None
        if name == "sum":
            return self.total
        if name == "avg":
            return self.total / self.count
        return self.best
