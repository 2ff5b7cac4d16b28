"""CloudWatch metric math, for GetMetricData's ``Expression`` queries.

The language of the user guide's "Using metric math": numbers, the ids of other queries, ``+ - * / ^``
with their usual precedence, parentheses, arrays ``[a, b]``, and the functions ABS, CEIL, FLOOR, SUM,
AVG, MIN, MAX, STDDEV (of one time series: a scalar; of an array: a series of per-timestamp values),
FILL(series, value), DIFF, RATE and METRICS() / METRICS("text"). Arithmetic between two series keeps
the timestamps both have; a scalar applies to every point; points that come out infinite or NaN
(dividing by zero) are left out, as CloudWatch leaves them out of a graph. An expression that is a
Metrics Insights query (``SELECT …``, ``metrics_insights.py``) is answered by the ``select`` the
backend gives ``Queries``; SEARCH and the other functions raise NotEmulatedError.

A series is ``{bucket start (epoch seconds): value}``; an array is a list of (label, series).
"""

from __future__ import annotations

import math
import operator
import re
import statistics
from typing import Callable, Union

from ...core.errors import NotEmulatedError

Series = dict[float, float]
Array = list[tuple[str, Series]]
Value = Union[float, Series, Array]

_TOKEN = re.compile(r'\s*(?:(\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)|([A-Za-z_][A-Za-z0-9_]*)|("[^"]*")|(\S))')
_SELECT = re.compile(r"\s*SELECT\b", re.IGNORECASE)
_NOT_EMULATED = frozenset({"SEARCH", "INSIGHT_RULE_METRIC", "ANOMALY_DETECTION_BAND", "LAMBDA",
                           "SERVICE_QUOTA", "DB_PERF_INSIGHTS", "SLICE", "SORT", "TIME_SERIES", "RUNNING_SUM",
                           "IF", "REMOVE_EMPTY", "FIRST", "LAST", "PERIOD", "DATAPOINT_COUNT", "MINUTE", "HOUR",
                           "DAY", "DATE", "MONTH", "YEAR", "EPOCH", "LOG", "LOG10", "CONCAT", "AND", "OR"})


class MathError(Exception):
    """An expression CloudWatch would refuse; the message says why."""


class Queries:
    """A GetMetricData call's values by query id: MetricStat series as read, expressions evaluated once,
    on demand (an expression may use another's id), over the call's time ``grid`` (FILL, scalars);
    ``select(query id, text)`` answers the expressions that are Metrics Insights queries."""

    def __init__(self, expressions: dict[str, str], stats: dict[str, Series], grid: list[float],
                 select: Callable[[str, str], Value]) -> None:
        self.expressions = expressions
        self.stats = stats
        self.grid = grid
        self.select = select
        self._done: dict[str, Value] = dict(stats)
        self._pending: set[str] = set()

    def value(self, query_id: str) -> Value:
        if query_id in self._done:
            return self._done[query_id]
        if query_id not in self.expressions:
            raise MathError(f"The expression refers to an unknown metric or expression id: {query_id}.")
        if query_id in self._pending:
            raise MathError(f"The expression {query_id} refers to itself.")
        self._pending.add(query_id)
        expression = self.expressions[query_id]
        try:
            self._done[query_id] = (self.select(query_id, expression) if _SELECT.match(expression)
                                    else evaluate(expression, self))
        except MathError as exc:
            raise MathError(f"Error in expression '{query_id}': {exc}") from None
        self._pending.discard(query_id)
        return self._done[query_id]

    def metric_series(self) -> Array:
        return list(self.stats.items())


def evaluate(expression: str, context: Queries) -> Value:
    tokens = _tokenize(expression)
    parser = _Parser(tokens, context)
    value = parser.expression()
    if parser.position != len(tokens):
        raise MathError(f"Unexpected '{tokens[parser.position]}' in the expression.")
    return value


def _tokenize(expression: str) -> list[str]:
    tokens = []
    position = 0
    text = expression.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            break
        tokens.append(match.group(match.lastindex or 0))
        position = match.end()
    if tokens and tokens[0].upper() in _NOT_EMULATED:
        raise NotEmulatedError("cloudwatch", "GetMetricData", f"{tokens[0].upper()} in metric math expressions")
    return tokens


class _Parser:
    """Recursive descent: expression := term (+|- term)*; term := power (*|/ power)*; power := unary [^ power]."""

    def __init__(self, tokens: list[str], context: Queries) -> None:
        self.tokens = tokens
        self.position = 0
        self.context = context

    def _peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self, expected: str | None = None) -> str:
        token = self._peek()
        if token is None or (expected is not None and token != expected):
            raise MathError(f"Expected '{expected}' in the expression." if expected else
                            "The expression ends too early.")
        self.position += 1
        return token

    def expression(self) -> Value:
        value = self.term()
        while self._peek() in ("+", "-"):
            value = combine(self._take(), value, self.term())
        return value

    def term(self) -> Value:
        value = self.power()
        while self._peek() in ("*", "/"):
            value = combine(self._take(), value, self.power())
        return value

    def power(self) -> Value:
        base = self.unary()
        if self._peek() == "^":
            self._take()
            return combine("^", base, self.power())
        return base

    def unary(self) -> Value:
        if self._peek() == "-":
            self._take()
            return combine("*", -1.0, self.unary())
        return self.primary()

    def primary(self) -> Value:
        token = self._take()
        if token == "(":
            value = self.expression()
            self._take(")")
            return value
        if token == "[":
            return self._array()
        if token[0].isdigit() or token[0] == ".":
            return float(token)
        if token[0].isalpha() or token[0] == "_":
            if self._peek() == "(":
                return self._call(token.upper())
            return self.context.value(token)
        raise MathError(f"Unexpected '{token}' in the expression.")

    def _array(self) -> Array:
        members: Array = []
        while True:
            value = self.expression()
            if isinstance(value, list):
                members.extend(value)
            elif isinstance(value, dict):
                members.append((f"m{len(members) + 1}", value))
            else:
                raise MathError("Arrays hold time series, not scalars.")
            if self._take() == "]":
                return members

    def _arguments(self) -> list[Value | str]:
        self._take("(")
        arguments: list[Value | str] = []
        if self._peek() == ")":
            self._take()
            return arguments
        while True:
            token = self._peek()
            arguments.append(self._take()[1:-1] if token and token.startswith('"') else self.expression())
            if self._take() == ")":
                return arguments

    def _call(self, name: str) -> Value:
        if name in _NOT_EMULATED:
            raise NotEmulatedError("cloudwatch", "GetMetricData", f"the {name} function in metric math")
        function = _FUNCTIONS.get(name)
        if function is None:
            raise MathError(f"Unknown function {name}.")
        return function(self.context, self._arguments())


# -- arithmetic ---------------------------------------------------------------------------------------
_OPERATORS: dict[str, Callable[[float, float], float]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "^": operator.pow,
    "/": lambda a, b: a / b if b else math.nan,
}


def _apply(op: str, a: float, b: float) -> float:
    try:
        result = _OPERATORS[op](a, b)
    except (OverflowError, ZeroDivisionError):  # ZeroDivisionError: 0 ^ -1
        return math.nan
    return result if isinstance(result, float) else math.nan  # a negative base to a fraction is complex


def _finite(series: Series) -> Series:
    return {stamp: value for stamp, value in series.items() if math.isfinite(value)}


def combine(op: str, left: Value, right: Value) -> Value:
    if isinstance(left, list):
        return [(label, _as_series(combine(op, series, right))) for label, series in left]
    if isinstance(right, list):
        return [(label, _as_series(combine(op, left, series))) for label, series in right]
    if isinstance(left, dict) and isinstance(right, dict):
        return _finite({stamp: _apply(op, value, right[stamp]) for stamp, value in left.items() if stamp in right})
    if isinstance(left, dict):
        return _finite({stamp: _apply(op, value, float(right)) for stamp, value in left.items()})  # type: ignore[arg-type]
    if isinstance(right, dict):
        return _finite({stamp: _apply(op, float(left), value) for stamp, value in right.items()})
    return _apply(op, float(left), float(right))


def _as_series(value: Value) -> Series:
    if not isinstance(value, dict):
        raise MathError("This function needs a time series.")
    return value


# -- functions ----------------------------------------------------------------------------------------
def _one(arguments: list[Value | str], name: str) -> Value:
    if len(arguments) != 1 or isinstance(arguments[0], str):
        raise MathError(f"{name} takes one argument.")
    return arguments[0]


def _elementwise(name: str, function: Callable[[float], float]) -> Callable[[Queries, list], Value]:
    def call(_context: Queries, arguments: list[Value | str]) -> Value:
        value = _one(arguments, name)
        if isinstance(value, list):
            return [(label, {s: function(v) for s, v in series.items()}) for label, series in value]
        if isinstance(value, dict):
            return {stamp: function(v) for stamp, v in value.items()}
        return function(float(value))
    return call


def _aggregate(name: str, function: Callable[[list[float]], float]) -> Callable[[Queries, list], Value]:
    """Of one series: a scalar over its points; of an array: a series of per-timestamp values."""
    def call(_context: Queries, arguments: list[Value | str]) -> Value:
        value = _one(arguments, name)
        if isinstance(value, dict):
            return function(list(value.values())) if value else math.nan
        if isinstance(value, list):
            stamps = sorted({stamp for _label, series in value for stamp in series})
            return {stamp: function([series[stamp] for _label, series in value if stamp in series])
                    for stamp in stamps}
        return float(value)
    return call


def _fill(context: Queries, arguments: list[Value | str]) -> Value:
    if len(arguments) != 2 or not isinstance(arguments[1], float):
        raise MathError("FILL takes a time series and a number.")
    filler = arguments[1]

    def filled(series: Series) -> Series:
        return {stamp: series.get(stamp, filler) for stamp in sorted(set(context.grid) | set(series))}
    target = arguments[0]
    if isinstance(target, list):
        return [(label, filled(series)) for label, series in target]
    return filled(_as_series(target))  # type: ignore[arg-type]


def _differences(rate: bool) -> Callable[[Queries, list], Value]:
    def call(_context: Queries, arguments: list[Value | str]) -> Value:
        series = _as_series(_one(arguments, "RATE" if rate else "DIFF"))
        stamps = sorted(series)
        return {now: (series[now] - series[before]) / ((now - before) if rate else 1.0)
                for before, now in zip(stamps, stamps[1:])}
    return call


def _metrics(context: Queries, arguments: list[Value | str]) -> Value:
    text = arguments[0] if arguments and isinstance(arguments[0], str) else ""
    return [(label, series) for label, series in context.metric_series() if text in label]


_FUNCTIONS: dict[str, Callable[[Queries, list], Value]] = {
    "ABS": _elementwise("ABS", abs),
    "CEIL": _elementwise("CEIL", lambda v: float(math.ceil(v))),
    "FLOOR": _elementwise("FLOOR", lambda v: float(math.floor(v))),
    "SUM": _aggregate("SUM", math.fsum),
    "AVG": _aggregate("AVG", lambda values: math.fsum(values) / len(values)),
    "MIN": _aggregate("MIN", min),
    "MAX": _aggregate("MAX", max),
    "STDDEV": _aggregate("STDDEV", lambda values: statistics.pstdev(values) if len(values) > 1 else 0.0),
    "FILL": _fill,
    "DIFF": _differences(rate=False),
    "RATE": _differences(rate=True),
    "METRICS": _metrics,
}
