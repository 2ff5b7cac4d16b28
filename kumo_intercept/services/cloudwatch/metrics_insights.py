"""CloudWatch Metrics Insights queries, for GetMetricData ``Expression`` queries that start with SELECT.

The grammar of the user guide's "Metrics Insights query components and syntax"::

    SELECT FUNCTION(metricName)
    FROM namespace | SCHEMA(namespace [, labelKey ...])
    [ WHERE labelKey = | != 'labelValue' [ AND | OR ... ] ]     (parentheses group conditions)
    [ GROUP BY labelKey [, ...] ]
    [ ORDER BY FUNCTION() [ ASC | DESC ] ]
    [ LIMIT number ]

FUNCTION is AVG, COUNT, MAX, MIN or SUM; keywords are case-insensitive, names case-sensitive; names that
are not plain words (or are keywords) are double-quoted with ``\\"`` escapes, label values single-quoted.
``FROM namespace`` takes the metric whatever its dimensions, ``SCHEMA(...)`` only those with exactly the
dimensions listed. A metric without a GROUP BY key is in the group whose value is ``Other``. Groups come
in ascending order of their values unless ORDER BY ranks them by the function of each group's points;
at most LIMIT (500 at most and by default) come back.

``parse`` turns the text into a ``SelectQuery`` (``MathError`` for what is not the grammar); the backend
reads the data (``CloudWatchBackend._select``); ``rank`` orders and limits the groups.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

from ...core.errors import NotEmulatedError
from ...core.lexing import tokenize
from .metric_math import MathError, Array

#: the SQL function -> the statistic it aggregates observations with
FUNCTIONS = {"AVG": "Average", "COUNT": "SampleCount", "MAX": "Maximum", "MIN": "Minimum", "SUM": "Sum"}
MAX_SERIES = 500
OTHER = "Other"
_KEYWORDS = frozenset({"SELECT", "FROM", "WHERE", "GROUP", "BY", "ORDER", "ASC", "DESC", "LIMIT", "AND", "OR",
                       "SCHEMA", *FUNCTIONS})
#: words other Metrics Insights versions accept in WHERE that this emulator does not
_NOT_EMULATED_OPERATORS = frozenset({"LIKE", "IN", "NOT", "CONTAINS"})
_MAX_NESTING = 20
_TOKEN = re.compile(r"""\s*(?:
    (?P<word>[A-Za-z_][A-Za-z0-9_]*) | (?P<number>\d+) | "(?P<quoted>(?:[^"\\]|\\.)*)" |
    '(?P<value>(?:[^'\\]|\\.)*)' | (?P<symbol>!=|[(),=*]) )""", re.VERBOSE)
_ESCAPE = re.compile(r"\\(.)")

Condition = Callable[[Mapping[str, str]], bool]


@dataclass(frozen=True)
class SelectQuery:
    statistic: str                      # the CloudWatch statistic of the SELECT function
    metric: str
    namespace: str
    schema: frozenset[str] | None       # SCHEMA's dimension names; None: any dimensions
    where: Condition | None
    group_by: tuple[str, ...]
    order_by: tuple[str, bool] | None   # (statistic, descending)
    limit: int

    def matches(self, dimensions: Mapping[str, str]) -> bool:
        if self.schema is not None and set(dimensions) != self.schema:
            return False
        return self.where is None or self.where(dimensions)

    def group(self, dimensions: Mapping[str, str]) -> tuple[str, ...]:
        return tuple(dimensions.get(key, OTHER) for key in self.group_by)


@dataclass
class _Token:
    kind: str   # word, number, quoted, value, symbol
    text: str


def parse(text: str) -> SelectQuery:
    return _Parser(_tokenize(text)).query()


def _tokenize(text: str) -> list[_Token]:
    def syntax_error(position: int) -> MathError:
        return MathError(f"Syntax error in the query at position {position + 1}.")
    return [_Token(kind, _ESCAPE.sub(r"\1", raw) if kind in ("quoted", "value") else raw)
            for kind, raw in tokenize(_TOKEN, text, syntax_error)]


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.position = 0

    # -- token helpers --------------------------------------------------------------------------
    def _peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _at_keyword(self, *words: str) -> bool:
        token = self._peek()
        return token is not None and token.kind == "word" and token.text.upper() in words

    def _keyword(self, word: str) -> None:
        if not self._at_keyword(word):
            raise MathError(f"Expected {word} {self._where()}.")
        self.position += 1

    def _symbol(self, symbol: str) -> None:
        token = self._peek()
        if token is None or token.kind != "symbol" or token.text != symbol:
            raise MathError(f"Expected '{symbol}' {self._where()}.")
        self.position += 1

    def _at_symbol(self, symbol: str) -> bool:
        token = self._peek()
        return token is not None and token.kind == "symbol" and token.text == symbol

    def _where(self) -> str:
        token = self._peek()
        return "at the end of the query" if token is None else f"near '{token.text}'"

    def _name(self, what: str) -> str:
        """A metric, namespace or label name: a plain word that is no keyword, or double-quoted."""
        token = self._peek()
        if token is None or token.kind not in ("word", "quoted") or \
                (token.kind == "word" and token.text.upper() in _KEYWORDS):
            raise MathError(f"Expected a {what} {self._where()}.")
        self.position += 1
        return token.text

    def _function(self) -> str:
        token = self._peek()
        if token is None or token.kind != "word" or token.text.upper() not in FUNCTIONS:
            raise MathError(f"Expected one of the functions {', '.join(FUNCTIONS)} {self._where()}.")
        self.position += 1
        return FUNCTIONS[token.text.upper()]

    # -- clauses --------------------------------------------------------------------------------
    def query(self) -> SelectQuery:
        self._keyword("SELECT")
        statistic = self._function()
        self._symbol("(")
        metric = self._name("metric name")
        self._symbol(")")
        self._keyword("FROM")
        namespace, schema = self._source()
        where = self._condition(0) if self._take_keyword("WHERE") else None
        group_by = self._group_by()
        order_by = self._order_by()
        limit = self._limit()
        if self._peek() is not None:
            raise MathError(f"Unexpected '{self._peek().text}' in the query.")  # type: ignore[union-attr]
        return SelectQuery(statistic, metric, namespace, schema, where, group_by, order_by, limit)

    def _take_keyword(self, word: str) -> bool:
        if self._at_keyword(word):
            self.position += 1
            return True
        return False

    def _source(self) -> tuple[str, frozenset[str] | None]:
        if not self._at_keyword("SCHEMA"):
            return self._name("namespace"), None
        self.position += 1
        self._symbol("(")
        namespace = self._name("namespace")
        keys = self._more_keys()
        self._symbol(")")
        return namespace, frozenset(keys)

    def _more_keys(self) -> list[str]:
        """``, key`` as many times as it comes."""
        keys = []
        while self._at_symbol(","):
            self.position += 1
            keys.append(self._name("label key"))
        return keys

    def _condition(self, depth: int) -> Condition:
        """condition := conjunction (OR conjunction)*; conjunction := comparison (AND comparison)*"""
        return self._joined("OR", lambda: self._joined("AND", lambda: self._comparison(depth), all), any)

    def _joined(self, word: str, part: Callable[[], Condition],
                combine: Callable[[Iterable[bool]], bool]) -> Condition:
        parts = [part()]
        while self._take_keyword(word):
            parts.append(part())
        return parts[0] if len(parts) == 1 else lambda dims: combine(p(dims) for p in parts)

    def _comparison(self, depth: int) -> Condition:
        if self._at_symbol("("):
            if depth >= _MAX_NESTING:
                raise MathError(f"The WHERE clause nests parentheses more than {_MAX_NESTING} deep.")
            self.position += 1
            inner = self._condition(depth + 1)
            self._symbol(")")
            return inner
        key = self._name("label key")
        token = self._peek()
        if token is not None and token.kind == "word" and token.text.upper() in _NOT_EMULATED_OPERATORS:
            raise NotEmulatedError("cloudwatch", "GetMetricData",
                                   f"the {token.text.upper()} operator in Metrics Insights WHERE clauses")
        if token is None or token.kind != "symbol" or token.text not in ("=", "!="):
            raise MathError(f"Expected = or != {self._where()}.")
        self.position += 1
        value = self._peek()
        if value is None or value.kind != "value":
            raise MathError(f"Expected a label value in single quotation marks {self._where()}.")
        self.position += 1
        wanted = value.text
        if token.text == "=":
            return lambda dims: dims.get(key) == wanted
        return lambda dims: dims.get(key) != wanted

    def _group_by(self) -> tuple[str, ...]:
        if not self._take_keyword("GROUP"):
            return ()
        self._keyword("BY")
        return (self._name("label key"), *self._more_keys())

    def _order_by(self) -> tuple[str, bool] | None:
        if not self._take_keyword("ORDER"):
            return None
        self._keyword("BY")
        statistic = self._function()
        self._symbol("(")
        self._symbol(")")
        descending = self._take_keyword("DESC")
        if not descending:
            self._take_keyword("ASC")
        return statistic, descending

    def _limit(self) -> int:
        if not self._take_keyword("LIMIT"):
            return MAX_SERIES
        token = self._peek()
        if token is None or token.kind != "number" or not 1 <= int(token.text) <= MAX_SERIES:
            raise MathError(f"LIMIT takes a number from 1 to {MAX_SERIES}.")
        self.position += 1
        return int(token.text)


# -- ordering -----------------------------------------------------------------------------------------
_SCALARS: dict[str, Callable[[list[float]], float]] = {
    "Average": lambda values: math.fsum(values) / len(values), "SampleCount": lambda values: float(len(values)),
    "Maximum": max, "Minimum": min, "Sum": math.fsum,
}


def rank(query: SelectQuery, groups: Array) -> Array:
    """The groups in the query's order (ascending by label without ORDER BY), at most LIMIT of them."""
    ordered = sorted(groups, key=lambda group: group[0])
    if query.order_by is not None:
        statistic, descending = query.order_by
        scalar = _SCALARS[statistic]

        def value(group: tuple[str, dict[float, float]]) -> float:
            points = list(group[1].values())
            return scalar(points) if points else -math.inf
        ordered.sort(key=value, reverse=descending)
    return ordered[:query.limit]
