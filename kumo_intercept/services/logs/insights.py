"""CloudWatch Logs Insights queries, run in process over the stored events.

Commands: ``fields`` (with ``as`` aliases and functions), ``display``, ``filter``, ``parse`` (glob
with ``*`` or a regex with named groups), ``stats`` (``count``, ``count_distinct``, ``sum``, ``avg``,
``min``, ``max``, ``earliest``, ``latest`` by fields or ``bin(…)``), ``sort``, ``limit`` and ``dedup``.
Expressions: comparisons, ``like``/``not like`` (a regex ``/…/`` or a substring), ``=~``, ``in``,
``and``/``or``/``not``, arithmetic, and the functions ``ispresent``, ``isempty``, ``isblank``,
``strlen``, ``tolower``, ``toupper``, ``concat``, ``abs``, ``ceil``, ``floor``, ``coalesce``
(``bin(…)`` in ``stats … by``). Records carry ``@timestamp``, ``@message``, ``@logStream``, ``@log``, ``@ingestionTime``
and the fields of JSON messages (nested keys joined with ``.``).

User patterns cannot hang a query: ``like``/``=~``/``parse`` regexes run on ``core.linear_regex``
(linear time; one needing backtracking, such as a back-reference, is refused as a malformed query)
and a ``parse`` glob is matched by ``ParseGlob``'s literal-piece search.

``run_query(text, records, limit)`` returns ``(rows, matched)``: each row a list of
``{"field": …, "value": …}`` with values as strings, as GetQueryResults gives them.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from typing import Any, Callable, Iterable

from ...core.lexing import tokenize
from ...core.linear_regex import Regex, RegexError
from .filters import as_number

_UTC = _dt.timezone.utc


class QueryError(ValueError):
    pass


# -- records ------------------------------------------------------------------------------------------
def flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            flatten(item, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            flatten(item, f"{prefix}.{index}", out)
    elif prefix:
        out[prefix] = value


def make_record(timestamp: int, message: str, stream: str, log: str, ingested: int, ptr: str) -> dict[str, Any]:
    record: dict[str, Any] = {}
    stripped = message.lstrip()
    if stripped.startswith("{"):
        try:
            document = json.loads(message)
        except (ValueError, RecursionError):
            document = None
        if isinstance(document, dict):
            flatten(document, "", record)
    record.update({"@timestamp": timestamp, "@message": message, "@logStream": stream, "@log": log,
                   "@ingestionTime": ingested, "@ptr": ptr})
    return record


def format_value(field: str, value: Any) -> str:
    if field in ("@timestamp", "@ingestionTime") and isinstance(value, (int, float)):
        moment = _dt.datetime.fromtimestamp(value / 1000, _UTC)
        return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


# -- tokens ---------------------------------------------------------------------------------------------
_TOKEN = re.compile(r"""
    \s*(?:
      (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
    | (?P<regex>/(?:[^/\\]|\\.)+/)
    | (?P<number>\d+(?:\.\d+)?(?:[smhdwy]|ms|min|hr|mo|q)?)
    | (?P<op>=~|!=|<=|>=|==|=|<|>|\+|-|\*|/|%|\(|\)|\[|\]|,)
    | (?P<name>`[^`]+`|[@A-Za-z_][\w.@\-]*)
    )""", re.VERBOSE)
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400, "w": 604800,
          "mo": 2592000, "q": 7776000, "y": 31536000}


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(_TOKEN, text, lambda position: QueryError(
            f"unexpected text: {text[position:position + 20]!r}"))
        self.position = 0

    def peek(self, offset: int = 0) -> tuple[str, str] | None:
        index = self.position + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise QueryError("unexpected end of query")
        self.position += 1
        return token

    def accept(self, value: str) -> bool:
        token = self.peek()
        if token is not None and token[1].lower() == value:
            self.position += 1
            return True
        return False

    def expect(self, value: str) -> None:
        if not self.accept(value):
            raise QueryError(f"expected {value!r}")

    def done(self) -> bool:
        return self.position >= len(self.tokens)

    # expression := or
    def expression(self) -> Callable[[dict], Any]:
        left = self.conjunction()
        while self.accept("or"):
            right = self.conjunction()
            left = (lambda a, b: lambda r: bool(a(r)) or bool(b(r)))(left, right)
        return left

    def conjunction(self) -> Callable[[dict], Any]:
        left = self.negation()
        while self.accept("and"):
            right = self.negation()
            left = (lambda a, b: lambda r: bool(a(r)) and bool(b(r)))(left, right)
        return left

    def negation(self) -> Callable[[dict], Any]:
        token = self.peek()
        if token is not None and token[0] == "name" and token[1].lower() == "not":
            following = self.peek(1)
            if following is None or following[1].lower() not in ("like", "in"):
                self.take()
                inner = self.negation()
                return lambda r: not inner(r)
        return self.comparison()

    def comparison(self) -> Callable[[dict], Any]:
        left = self.additive()
        token = self.peek()
        if token is None:
            return left
        word = token[1].lower()
        if word in ("=", "==", "!=", "<", "<=", ">", ">="):
            self.take()
            right = self.additive()
            return _compare(left, word, right)
        negated = False
        if word == "not" and self.peek(1) and self.peek(1)[1].lower() in ("like", "in"):  # type: ignore[index]
            self.take()
            negated = True
            word = self.peek()[1].lower()  # type: ignore[index]
        if word in ("like", "=~"):
            self.take()
            pattern_token = self.take()
            test = _matcher(pattern_token)
            return (lambda t: lambda r: not t(r)) (_like(left, test)) if negated else _like(left, test)
        if word == "in":
            self.take()
            self.expect("[")
            options = []
            while not self.accept("]"):
                options.append(self.additive())
                self.accept(",")
            member = (lambda l, o: lambda r: _eq_any(l(r), [f(r) for f in o]))(left, options)
            return (lambda m: lambda r: not m(r))(member) if negated else member
        return left

    def additive(self) -> Callable[[dict], Any]:
        left = self.term()
        while self.peek() is not None and self.peek()[1] in ("+", "-"):  # type: ignore[index]
            op = self.take()[1]
            right = self.term()
            left = _arith(left, op, right)
        return left

    def term(self) -> Callable[[dict], Any]:
        left = self.factor()
        while self.peek() is not None and self.peek()[1] in ("*", "/", "%"):  # type: ignore[index]
            op = self.take()[1]
            right = self.factor()
            left = _arith(left, op, right)
        return left

    def factor(self) -> Callable[[dict], Any]:
        kind, text = self.take()
        if kind == "op" and text == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        if kind == "op" and text == "-":
            inner = self.factor()

            def negated(r: dict) -> float | None:
                number = as_number(inner(r))
                return -number if number is not None else None
            return negated
        if kind == "string":
            value = _unquote(text)
            return lambda r: value
        if kind == "regex":  # no function takes a regex: it is only read by like, =~ and parse
            raise QueryError(f"a regex {text} can only follow like, =~ or parse")
        if kind == "number":
            number = _duration_or_number(text)
            return lambda r: number
        if kind == "name":
            name = text[1:-1] if text.startswith("`") else text
            if self.peek() is not None and self.peek()[1] == "(":  # type: ignore[index]
                return self.call(name.lower())
            if name.lower() == "true":
                return lambda r: True
            if name.lower() == "false":
                return lambda r: False
            return lambda r: r.get(name)
        raise QueryError(f"unexpected {text!r}")

    def call(self, name: str) -> Callable[[dict], Any]:
        self.expect("(")
        args: list[Callable[[dict], Any]] = []
        while not self.accept(")"):
            if self.peek() is not None and self.peek()[1] == "*":  # type: ignore[index]
                self.take()
                args.append(lambda r: True)
            else:
                args.append(self.expression())
            self.accept(",")
        function = _FUNCTIONS.get(name)
        if function is None:
            raise QueryError(f"unknown function {name}")
        return lambda r: function(*[a(r) for a in args])


def _unquote(text: str) -> str:
    body = text[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


def _duration_or_number(text: str) -> float | int:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([a-z]*)", text)
    assert match is not None
    number, unit = match.groups()
    value = float(number) if "." in number else int(number)
    if unit:
        return value * _UNITS[unit] * 1000  # durations in milliseconds, like @timestamp
    return value



def _compare(left: Callable, op: str, right: Callable) -> Callable[[dict], bool]:
    def test(record: dict) -> bool:
        a, b = left(record), right(record)
        if a is None or b is None:
            return op == "!=" and (a is None) != (b is None)
        x, y = as_number(a), as_number(b)
        if x is not None and y is not None:
            a, b = x, y
        else:
            a, b = str(a) if not isinstance(a, str) else a, str(b) if not isinstance(b, str) else b
        if op in ("=", "=="):
            return a == b
        if op == "!=":
            return a != b
        if op == "<":
            return a < b
        if op == "<=":
            return a <= b
        if op == ">":
            return a > b
        return a >= b
    return test


def _eq_any(value: Any, options: list) -> bool:
    number = as_number(value)
    for option in options:
        if value == option or (number is not None and number == as_number(option)) or str(value) == str(option):
            return True
    return False


def _matcher(token: tuple[str, str]) -> Callable[[str], bool]:
    kind, text = token
    if kind == "regex":
        return _compile_regex(text, "like").search
    if kind == "string":
        needle = _unquote(text)
        return lambda value: needle in value
    raise QueryError("like needs a /regex/ or a \"string\"")


def _compile_regex(literal: str, command: str) -> Regex:
    """A ``/…/`` of the query, run in linear time so a user's pattern cannot hang the query; one it
    cannot run so (back-references, look-around) is refused, as a malformed query."""
    try:
        return Regex(literal[1:-1])
    except RegexError as exc:
        raise QueryError(f"Invalid regex in {command}: {exc}") from None


def _like(left: Callable, test: Callable[[str], bool]) -> Callable[[dict], bool]:
    def check(record: dict) -> bool:
        value = left(record)
        return value is not None and test(value if isinstance(value, str) else format_value("", value))
    return check


def _arith(left: Callable, op: str, right: Callable) -> Callable[[dict], Any]:
    def compute(record: dict) -> Any:
        a, b = as_number(left(record)), as_number(right(record))
        if a is None or b is None:
            return None
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            return a / b if b else None
        return a % b if b else None
    return compute


def _bin(value: Any, period: Any = None) -> Any:
    number, size = as_number(value), as_number(period)
    if number is None or not size:
        return None
    return int(number // size * size)


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "ispresent": lambda v: v is not None,
    "isempty": lambda v: v is None or v == "",
    "isblank": lambda v: v is None or (isinstance(v, str) and not v.strip()),
    "strlen": lambda v: len(v) if isinstance(v, str) else None,
    "tolower": lambda v: v.lower() if isinstance(v, str) else v,
    "toupper": lambda v: v.upper() if isinstance(v, str) else v,
    "concat": lambda *vs: "".join("" if v is None else format_value("", v) for v in vs),
    "abs": lambda v: abs(as_number(v)) if as_number(v) is not None else None,  # type: ignore[arg-type]
    "ceil": lambda v: math.ceil(as_number(v)) if as_number(v) is not None else None,  # type: ignore[arg-type]
    "floor": lambda v: math.floor(as_number(v)) if as_number(v) is not None else None,  # type: ignore[arg-type]
    "coalesce": lambda *vs: next((v for v in vs if v is not None), None),
}


# -- commands -------------------------------------------------------------------------------------------
def _split_commands(text: str) -> list[str]:
    parts, current, quote, in_regex = [], [], "", False
    for char in text:
        if quote:
            current.append(char)
            if char == quote:
                quote = ""
            continue
        if char in "\"'`":
            quote = char
        elif char == "/" and current and (in_regex or re.search(r"(like|=~|\(|,|\s)\s*$", "".join(current))):
            in_regex = not in_regex
        elif char == "|" and not in_regex:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    parts.append("".join(current).strip())
    return [part for part in parts if part]


def _field_items(text: str) -> list[tuple[str, Callable[[dict], Any]]]:
    """``a, b as c, strlen(d) as e`` -> [(output name, getter)]."""
    parser = _Parser(text)
    items: list[tuple[str, Callable[[dict], Any]]] = []
    while not parser.done():
        start = parser.position
        getter = parser.additive()
        raw = " ".join(token[1] for token in parser.tokens[start:parser.position])
        name = raw.strip("`")
        if parser.accept("as"):
            kind, alias = parser.take()
            name = alias.strip("`")
        items.append((name, getter))
        if not parser.accept(","):
            break
    if not parser.done():
        raise QueryError(f"unexpected text in field list: {text}")
    return items


def _parse_command(spec: str) -> Callable[[dict], None]:
    match = re.fullmatch(r"(\S+)\s+(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|/(?:[^/\\]|\\.)+/)(?:\s+as\s+(.+))?",
                         spec.strip(), re.DOTALL)
    if match is None:
        raise QueryError(f"cannot read parse command: {spec}")
    source, pattern, names = match.groups()
    source = source.strip("`")
    if pattern.startswith("/"):
        return _parse_regex(source, _compile_regex(pattern, "parse"))
    targets = [name.strip().strip("`") for name in (names or "").split(",") if name.strip()]
    glob = ParseGlob(_unquote(pattern))
    if glob.stars != len(targets):
        raise QueryError("parse: the number of * does not match the number of fields")

    def apply_glob(record: dict) -> None:
        value = record.get(source)
        captured = glob.search(value) if isinstance(value, str) else None
        if captured is not None:
            record.update(zip(targets, captured))
    return apply_glob


def _parse_regex(source: str, regex: Regex) -> Callable[[dict], None]:
    """``parse field /…(?<name>…)…/``: each named group that took part becomes a field."""
    def apply_regex(record: dict) -> None:
        value = record.get(source)
        found = regex.find(value) if isinstance(value, str) else None
        if found is not None:
            record.update((name, text) for name, text in found.groupdict().items() if text is not None)
    return apply_regex


class ParseGlob:
    """A ``parse`` glob such as ``"* user=* id=*"``, matched by finding its literal pieces left to
    right (linear, where the equivalent regex ``(.*?) user=(.*?) id=(.*)`` would backtrack over a
    text that does not match): each piece at its first place after the previous one, the last at its
    last place, so the stars take what ``re`` would give them (lazy, but the last one greedy)."""

    def __init__(self, glob: str) -> None:
        self.pieces = glob.split("*")
        self.stars = len(self.pieces) - 1

    def search(self, text: str) -> list[str] | None:
        """What each ``*`` took, or None when the pieces are not all there in order."""
        first, *rest = self.pieces
        start = text.find(first)
        if start == -1:
            return None
        position = start + len(first)
        captured = []
        for index, piece in enumerate(rest, 1):
            found = text.rfind(piece, position) if index == self.stars else text.find(piece, position)
            if found == -1:
                return None
            captured.append(text[position:found])
            position = found + len(piece)
        return captured


_AGGREGATES = ("count", "count_distinct", "sum", "avg", "min", "max", "earliest", "latest", "pct")


def _stats(spec: str) -> tuple[list[tuple[str, str, Callable]], list[tuple[str, Callable]]]:
    """``count(*) as n, avg(ms) by host, bin(5m)`` -> (aggregates, groups)."""
    by_at = re.search(r"\sby\s", spec, re.IGNORECASE)
    aggregate_text = spec[:by_at.start()] if by_at else spec
    group_text = spec[by_at.end():] if by_at else ""
    return _aggregates(aggregate_text), (_groups(group_text) if group_text.strip() else [])


def _aggregates(text: str) -> list[tuple[str, str, Callable]]:
    """(output name, function, argument getter) for each aggregate of a stats command."""
    parser = _Parser(text)
    items = []
    while not parser.done():
        start = parser.position
        function = parser.take()[1].lower()
        if function not in _AGGREGATES:
            raise QueryError(f"unknown stats function {function}")
        parser.expect("(")
        if parser.peek() is not None and parser.peek()[1] == "*":  # type: ignore[index]
            parser.take()
            argument: Callable = lambda r: True
        else:
            argument = parser.expression()
        if function == "pct":
            parser.expect(",")
            function = f"pct:{float(parser.take()[1])}"
        parser.expect(")")
        name = "".join(token[1] for token in parser.tokens[start:parser.position])
        if parser.accept("as"):
            name = parser.take()[1].strip("`")
        items.append((name, function, argument))
        if not parser.accept(","):
            break
    return items


def _groups(text: str) -> list[tuple[str, Callable]]:
    parser = _Parser(text)
    groups = []
    while not parser.done():
        start = parser.position
        token = parser.peek()
        if token is not None and token[1].lower() == "bin":
            parser.take()
            parser.expect("(")
            period = _duration_or_number(parser.take()[1])
            parser.expect(")")
            getter = (lambda p: lambda r: _bin(r.get("@timestamp"), p))(period)
        else:
            getter = parser.additive()
        raw = "".join(t[1] for t in parser.tokens[start:parser.position])
        name = raw.strip("`")
        if parser.accept("as"):
            name = parser.take()[1].strip("`")
        groups.append((name, getter))
        if not parser.accept(","):
            break
    return groups


def _aggregate(function: str, values: list[Any], records: list[dict]) -> Any:
    if function == "count":
        return sum(1 for v in values if v is not None and v is not False) if values else 0
    present = [v for v in values if v is not None]
    if function == "count_distinct":
        return len({json.dumps(v, sort_keys=True, default=str) for v in present})
    if function in ("earliest", "latest"):
        pairs = [(r["@timestamp"], v) for r, v in zip(records, values) if v is not None]
        if not pairs:
            return None
        return (min if function == "earliest" else max)(pairs, key=lambda p: p[0])[1]
    numbers = [n for n in (as_number(v) for v in present) if n is not None]
    if not numbers:
        return None
    if function == "sum":
        return sum(numbers)
    if function == "avg":
        return sum(numbers) / len(numbers)
    if function == "min":
        return min(numbers)
    if function == "max":
        return max(numbers)
    percentile = float(function.split(":", 1)[1])
    ordered = sorted(numbers)
    index = min(len(ordered) - 1, max(0, math.ceil(percentile / 100 * len(ordered)) - 1))
    return ordered[index]


def run_query(text: str, records: Iterable[dict], limit: int) -> tuple[list[list[dict[str, str]]], int]:
    """Run a query over ``records`` (dicts from ``make_record``); returns (rows, records matched)."""
    # newest first unless the query sorts (stable sorts keep that order among equal keys)
    rows = sorted((dict(record) for record in records), key=lambda row: row.get("@timestamp", 0), reverse=True)
    output_fields: list[str] | None = None
    aggregated = False
    for command in _split_commands(text):
        keyword, _, rest = command.partition(" ")
        keyword = keyword.lower()
        rest = rest.strip()
        if keyword == "filter":
            parser = _Parser(rest)
            predicate = parser.expression()
            if not parser.done():
                raise QueryError(f"unexpected text in filter: {rest}")
            rows = [row for row in rows if predicate(row)]
        elif keyword in ("fields", "display"):
            items = _field_items(rest)
            for row in rows:
                for name, getter in items:
                    value = getter(row)
                    if value is not None:
                        row[name] = value
            names = [name for name, _ in items]
            output_fields = names if keyword == "display" or output_fields is None or aggregated else \
                list(dict.fromkeys(output_fields + names))
        elif keyword == "parse":
            apply = _parse_command(rest)
            for row in rows:
                apply(row)
        elif keyword == "stats":
            aggregates, groups = _stats(rest)
            buckets: dict[tuple, list[dict]] = {}
            for row in rows:
                key = tuple(json.dumps(getter(row), default=str) for _, getter in groups)
                buckets.setdefault(key, []).append(row)
            new_rows = []
            for members in buckets.values():
                out: dict[str, Any] = {}
                for name, getter in groups:
                    out[name] = getter(members[0])
                for name, function, argument in aggregates:
                    out[name] = _aggregate(function, [argument(m) for m in members], members)
                new_rows.append(out)
            if not groups and not rows:
                new_rows = [{name: (0 if function == "count" else None) for name, function, _ in aggregates}]
            rows = new_rows
            output_fields = [name for name, _ in groups] + [name for name, _, _ in aggregates]
            aggregated = True
        elif keyword == "sort":
            sort_keys: list[tuple[str, bool]] = []
            for part in rest.split(","):
                words = part.split()
                if not words:
                    continue
                descending = len(words) > 1 and words[1].lower() == "desc"
                sort_keys.append((words[0].strip("`"), descending))
            for name, descending in reversed(sort_keys):
                rows.sort(key=lambda row: _sort_key(row.get(name)), reverse=descending)  # sorted at once
        elif keyword == "limit":
            try:
                rows = rows[:int(rest)]
            except ValueError:
                raise QueryError(f"limit needs a number: {rest}") from None
        elif keyword == "dedup":
            names = [name.strip().strip("`") for name in rest.split(",") if name.strip()]
            seen: set[str] = set()
            kept = []
            for row in rows:
                signature = json.dumps([row.get(n) for n in names], default=str)
                if signature not in seen:
                    seen.add(signature)
                    kept.append(row)
            rows = kept
        else:
            raise QueryError(f"unknown command {keyword}")
    matched = len(rows)
    rows = rows[:limit]
    if output_fields is None:
        output_fields = ["@timestamp", "@message", "@logStream", "@log"]
    results = []
    for row in rows:
        cells = [{"field": name, "value": format_value(name, row[name])}
                 for name in output_fields if row.get(name) is not None]
        if not aggregated and "@ptr" in row:
            cells.append({"field": "@ptr", "value": row["@ptr"]})
        results.append(cells)
    return results, matched


def _sort_key(value: Any) -> tuple:
    number = as_number(value)
    if value is None:
        return (0, 0, "")
    if number is not None:
        return (1, number, "")
    return (2, 0, str(value))
