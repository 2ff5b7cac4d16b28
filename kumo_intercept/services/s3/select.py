"""S3 Select (SelectObjectContent): AWS's SQL subset over CSV and JSON objects, answered as the event
stream botocore parses from AWS (Records, Progress, Stats, End).

Facts: the S3 API reference (SelectObjectContent, "Appendix: SelectObjectContent Response"), the S3
user guide's "SQL reference for Amazon S3 Select" (SELECT command, data types, operators, aggregate,
conditional, conversion and string functions) and "List of SELECT Object Content Error Codes" (codes,
wording, statuses).

Pipeline: ``parse`` (lexer and recursive-descent parser, bounded) -> ``Query``; ``run`` decompresses
the object, reads its records (``csv_records`` / ``json_records``, honouring ScanRange), filters and
projects them (or folds them through aggregates) and serializes rows as CSV or JSON. The parser cannot
hang or recurse without bound: the expression is at most 256 KiB (ExpressionTooLong), nesting is at
most ``MAX_DEPTH`` levels and an expression has at most ``MAX_OPERATORS`` operators
(MaxOperatorsExceeded); chains of one precedence are flat lists, evaluated in loops.

Values: ``None`` is SQL NULL, ``MISSING`` an absent attribute (left out of JSON output). CSV fields are
strings; comparisons and arithmetic between a string and a number read the string as a number.
"""

from __future__ import annotations

import bz2
import gzip
import json
import math
import operator
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping, Sequence

from botocore.parsers import EventStreamXMLParser

from ...core.errors import AwsError
from ...core.streams import ResponseEventStream, event_message

MAX_EXPRESSION_BYTES = 256 * 1024
MAX_DEPTH = 32
MAX_OPERATORS = 1024
#: a Records event carries whole rows up to about this many bytes
RECORDS_CHUNK = 64 * 1024

#: code -> message, as "List of SELECT Object Content Error Codes" words them
MESSAGES = {
    "CastFailed": "Attempt to convert from one data type to another using CAST failed in the SQL expression.",
    "CSVEscapingRecordDelimiter": "A quoted record delimiter was found in the file. To allow quoted record "
                                  "delimiters, set AllowQuotedRecordDelimiter to 'TRUE'.",
    "CSVParsingError": "Encountered an error parsing the CSV file. Check the file and try again.",
    "EvaluatorInvalidArguments": "Incorrect number of arguments in the function call in the SQL expression.",
    "EvaluatorNegativeLimit": "LIMIT must not be negative.",
    "ExpressionTooLong": "The SQL expression is too long: The maximum byte-length for the SQL expression "
                         "is 256 KB.",
    "IllegalSqlFunctionArgument": "Illegal argument was used in the SQL function.",
    "IncorrectSqlFunctionArgumentType": "Incorrect type of arguments in function call in the SQL expression.",
    "IntegerOverflow": "Int overflow or underflow in the SQL expression.",
    "InvalidColumnIndex": "The column index in the SQL expression is invalid.",
    "InvalidCompressionFormat": "The file is not in a supported compression format. Only GZIP and BZIP2 "
                                "are supported.",
    "InvalidDataType": "The SQL expression contains an invalid data type.",
    "InvalidExpressionType": "The ExpressionType is invalid. Only SQL expressions are supported.",
    "InvalidFileHeaderInfo": "The FileHeaderInfo is invalid. Only NONE, USE, and IGNORE are supported.",
    "InvalidJsonType": "The JsonType is invalid. Only DOCUMENT and LINES are supported.",
    "InvalidQuoteFields": "The QuoteFields is invalid. Only ALWAYS and ASNEEDED are supported.",
    "InvalidScanRange": "The provided scan range is invalid.",
    "InvalidTableAlias": "The SQL expression contains an invalid table alias.",
    "JSONParsingError": "Encountered an error parsing the JSON file. Check the file and try again.",
    "LexerInvalidChar": "The SQL expression contains an invalid character.",
    "LexerInvalidLiteral": "The SQL expression contains an invalid literal.",
    "MaxOperatorsExceeded": "Failed to parse SQL expression, try reducing complexity. For example, reduce "
                            "number of operators used.",
    "MissingRequiredParameter": "The SelectRequest entity is missing a required parameter. Check the service "
                                "documentation and try again.",
    "ObjectSerializationConflict": "InputSerialization specifies more than one format (CSV, JSON, or "
                                   "Parquet), or OutputSerialization specifies more than one format (CSV "
                                   "or JSON). InputSerialization and OutputSerialization can only specify "
                                   "one format each.",
    "ParseAsteriskIsNotAloneInSelectList": "Other expressions are not allowed in the SELECT list when '*' "
                                           "is used without dot notation in the SQL expression.",
    "ParseEmptySelect": "The SQL expression contains an empty SELECT.",
    "ParseExpectedExpression": "Did not find the expected SQL expression.",
    "ParseExpectedIdentForAlias": "Did not find the expected identifier for the alias in the SQL "
                                  "expression.",
    "ParseExpectedTypeName": "Did not find the expected type name in the SQL expression.",
    "ParseExpectedTokenType": "Did not find the expected token in the SQL expression.",
    "ParseInvalidPathComponent": "The SQL expression contains an invalid path component.",
    "ParseNonUnaryAgregateFunctionCall": "Only one argument is supported for aggregate functions in the SQL "
                                         "expression.",
    "ParseSelectMissingFrom": "The SQL expression contains a missing FROM after SELECT list.",
    "ParseUnExpectedKeyword": "The SQL expression contains an unexpected keyword.",
    "ParseUnexpectedToken": "The SQL expression contains an unexpected token.",
    "ParseUnsupportedCallWithStar": "Only COUNT with (*) as a parameter is supported in the SQL expression.",
    "ParseUnsupportedSyntax": "The SQL expression contains unsupported syntax.",
    "TruncatedInput": "Object decompression failed. Check that the object is properly compressed using the "
                      "format specified in the request.",
    "UnsupportedFunction": "Encountered an unsupported SQL function.",
    "UnsupportedScanRangeInput": "Scan range queries are not supported on this type of object.",
    "UnsupportedSqlOperation": "Encountered an unsupported SQL operation.",
    "UnsupportedSyntax": "The syntax is not valid.",
}


class SelectError(AwsError):
    """An S3 Select error: the code, AWS's words for it, HTTP 400."""

    def __init__(self, code: str) -> None:
        super().__init__(code, MESSAGES[code], 400)


class _Missing:
    """PartiQL's MISSING: an attribute the record does not have."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


# -- lexer ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Token:
    kind: str    # "ident", "qident" (double-quoted), "string", "number", "op", "kw", "end"
    text: str


KEYWORDS = frozenset({
    "select", "from", "where", "limit", "as", "and", "or", "not", "like", "escape", "between", "in", "is",
    "null", "missing", "true", "false", "cast", "case", "when", "then", "else", "end", "group", "order",
    "by", "having", "join", "union", "distinct", "for", "leading", "trailing", "both",
})
OPERATORS = ("<>", "!=", "<=", ">=", "||", "=", "<", ">", "+", "-", "*", "/", "%", "(", ")", "[", "]", ",",
             ".")


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos, length = 0, len(text)
    while pos < length:
        char = text[pos]
        if char.isspace():
            pos += 1
        elif char == "'":
            value, pos = _quoted(text, pos, "'", "LexerInvalidLiteral")
            tokens.append(Token("string", value))
        elif char == '"':
            value, pos = _quoted(text, pos, '"', "LexerInvalidChar")
            tokens.append(Token("qident", value))
        elif char.isdigit() or (char == "." and pos + 1 < length and text[pos + 1].isdigit()):
            end = _number_end(text, pos)
            tokens.append(Token("number", text[pos:end]))
            pos = end
        elif char.isalpha() or char == "_":
            end = pos
            while end < length and (text[end].isalnum() or text[end] == "_"):
                end += 1
            word = text[pos:end]
            tokens.append(Token("kw" if word.lower() in KEYWORDS else "ident", word))
            pos = end
        else:
            operator = next((op for op in OPERATORS if text.startswith(op, pos)), None)
            if operator is None:
                raise SelectError("LexerInvalidChar")
            tokens.append(Token("op", operator))
            pos += len(operator)
    tokens.append(Token("end", ""))
    return tokens


def _quoted(text: str, pos: int, quote: str, error: str) -> tuple[str, int]:
    """A quoted literal or identifier from ``pos`` (its opening quote); a doubled quote is one quote."""
    parts: list[str] = []
    pos += 1
    while True:
        end = text.find(quote, pos)
        if end < 0:
            raise SelectError(error)
        parts.append(text[pos:end])
        if text.startswith(quote * 2, end):
            parts.append(quote)
            pos = end + 2
        else:
            return "".join(parts), end + 1


def _number_end(text: str, pos: int) -> int:
    end, length = pos, len(text)
    while end < length and (text[end].isdigit() or text[end] == "."):
        end += 1
    if end < length and text[end] in "eE":
        exponent = end + 1
        if exponent < length and text[exponent] in "+-":
            exponent += 1
        if exponent < length and text[exponent].isdigit():
            end = exponent
            while end < length and text[end].isdigit():
                end += 1
    return end


# -- syntax tree ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class Path:
    """A reference: a first name, then steps (``str`` member names, ``int`` indexes, ``"*"`` wildcard);
    ``quoted[i]`` says whether name i was double-quoted (case-sensitive)."""
    steps: tuple[Any, ...]
    quoted: tuple[bool, ...]


@dataclass(frozen=True)
class Chain:
    """``first op operand op operand ...`` of one precedence level, evaluated left to right."""
    first: Any
    rest: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Logical:
    op: str                  # "and" / "or"
    operands: tuple[Any, ...]


@dataclass(frozen=True)
class Unary:
    op: str                  # "not" / "-"
    operand: Any


@dataclass(frozen=True)
class Predicate:
    """LIKE, BETWEEN, IN, IS [NOT] NULL/MISSING, a comparison; ``negated`` for the NOT forms."""
    kind: str
    operand: Any
    args: tuple[Any, ...]
    negated: bool = False


@dataclass(frozen=True)
class Call:
    name: str                # lower case
    args: tuple[Any, ...]


@dataclass(frozen=True)
class Aggregate:
    name: str                # count / sum / avg / min / max
    arg: Any                 # None for COUNT(*)


@dataclass(frozen=True)
class Cast:
    operand: Any
    type_name: str


@dataclass(frozen=True)
class Item:
    expression: Any
    alias: str | None


@dataclass
class Query:
    items: list[Item] | None            # None: SELECT *
    source: tuple[Any, ...]             # steps after S3Object: "*", int, or member names
    alias: str | None
    where: Any
    limit: int | None
    aggregates: list[Aggregate] = field(default_factory=list)


# -- parser ---------------------------------------------------------------------------------------
COMPARISONS = frozenset({"=", "<>", "!=", "<", "<=", ">", ">="})
AGGREGATES = frozenset({"count", "sum", "avg", "min", "max"})
FUNCTIONS: dict[str, tuple[int, int]] = {   # name -> (fewest, most) arguments
    "lower": (1, 1), "upper": (1, 1), "char_length": (1, 1), "character_length": (1, 1),
    "coalesce": (1, 64), "nullif": (2, 2), "substring": (2, 3), "trim": (1, 1),
}
TYPES = {"int": "int", "integer": "int", "bigint": "int", "smallint": "int", "float": "float",
         "double": "float", "real": "float", "decimal": "float", "numeric": "float", "string": "string",
         "varchar": "string", "char": "string", "character": "string", "bool": "bool", "boolean": "bool"}
UNSUPPORTED_CLAUSES = frozenset({"group", "order", "having", "join", "union", "distinct", "case"})


class Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.pos = 0
        self.depth = 0
        self.operators = 0
        self.aggregates: list[Aggregate] = []

    # tokens
    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def take(self) -> Token:
        token = self.peek()
        self.pos += 1
        return token

    def at_keyword(self, *words: str) -> bool:
        token = self.peek()
        return token.kind == "kw" and token.text.lower() in words

    def at_op(self, *ops: str) -> bool:
        token = self.peek()
        return token.kind == "op" and token.text in ops

    def expect_op(self, op: str) -> None:
        if not self.at_op(op):
            raise SelectError("ParseExpectedTokenType")
        self.pos += 1

    def expect_keyword(self, word: str, error: str = "ParseUnexpectedToken") -> None:
        if not self.at_keyword(word):
            raise SelectError(error)
        self.pos += 1

    def count_operator(self) -> None:
        self.operators += 1
        if self.operators > MAX_OPERATORS:
            raise SelectError("MaxOperatorsExceeded")

    def nested(self, parse: Callable[[], Any]) -> Any:
        """Parse one nesting level deeper (parentheses, NOT, unary minus, arguments), bounded."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise SelectError("MaxOperatorsExceeded")
        try:
            return parse()
        finally:
            self.depth -= 1

    # statement
    def query(self) -> Query:
        self.expect_keyword("select")
        items = self.select_list()
        if not self.at_keyword("from"):
            raise SelectError("ParseSelectMissingFrom")
        self.pos += 1
        source = self.source()
        alias = self.table_alias()
        where = None
        if self.at_keyword("where"):
            self.pos += 1
            where = self.expression()
        limit = self.limit()
        token = self.peek()
        if token.kind == "kw" and token.text.lower() in UNSUPPORTED_CLAUSES:
            raise SelectError("ParseUnsupportedSyntax")
        if token.kind != "end":
            raise SelectError("ParseUnexpectedToken")
        return Query(items, source, alias, where, limit, self.aggregates)

    def select_list(self) -> list[Item] | None:
        if self.at_keyword("from") or self.peek().kind == "end":
            raise SelectError("ParseEmptySelect")
        if self.at_keyword("distinct"):
            raise SelectError("ParseUnsupportedSyntax")
        if self.at_op("*"):
            self.pos += 1
            if self.at_op(","):
                raise SelectError("ParseAsteriskIsNotAloneInSelectList")
            return None
        items = [self.item()]
        while self.at_op(","):
            self.pos += 1
            if self.at_op("*"):
                raise SelectError("ParseAsteriskIsNotAloneInSelectList")
            items.append(self.item())
        return items

    def item(self) -> Item:
        expression = self.expression()
        if self.at_keyword("as"):
            self.pos += 1
            token = self.take()
            if token.kind not in ("ident", "qident"):
                raise SelectError("ParseExpectedIdentForAlias")
            return Item(expression, token.text)
        if self.peek().kind in ("ident", "qident"):
            return Item(expression, self.take().text)
        return Item(expression, None)

    def source(self) -> tuple[Any, ...]:
        token = self.take()
        if token.kind not in ("ident", "qident") or token.text.lower() != "s3object":
            raise SelectError("InvalidTableAlias" if token.kind in ("ident", "qident") else "ParseUnexpectedToken")
        steps: list[Any] = []
        while self.at_op("[", "."):
            steps.append(self.path_step())
        return tuple(steps)

    def table_alias(self) -> str | None:
        if self.at_keyword("as"):
            self.pos += 1
            if self.peek().kind not in ("ident", "qident"):
                raise SelectError("ParseExpectedIdentForAlias")
        if self.peek().kind in ("ident", "qident"):
            return self.take().text
        return None

    def limit(self) -> int | None:
        if not self.at_keyword("limit"):
            return None
        self.pos += 1
        negative = self.at_op("-")
        if negative:
            self.pos += 1
        token = self.take()
        if token.kind != "number" or not token.text.isdigit():
            raise SelectError("ParseUnexpectedToken")
        if negative:
            raise SelectError("EvaluatorNegativeLimit")
        return int(token.text)

    def path_step(self) -> Any:
        """``.name``, ``[n]``, ``['name']`` or ``[*]``."""
        if self.take().text == ".":
            token = self.take()
            if token.kind not in ("ident", "qident", "kw"):
                raise SelectError("ParseInvalidPathComponent")
            _position(token.text)  # _0 is refused before any record is read
            return token.text
        token = self.take()
        if token.kind == "op" and token.text == "*":
            step: Any = "*"
        elif token.kind == "number" and token.text.isdigit():
            step = int(token.text)
        elif token.kind == "string":
            step = token.text
        else:
            raise SelectError("ParseInvalidPathComponent")
        self.expect_op("]")
        return step

    # expressions, lowest precedence first
    def expression(self) -> Any:
        return self.logical("or", self.conjunction)

    def conjunction(self) -> Any:
        return self.logical("and", self.negation)

    def logical(self, word: str, operand: Callable[[], Any]) -> Any:
        operands = [operand()]
        while self.at_keyword(word):
            self.pos += 1
            self.count_operator()
            operands.append(operand())
        return operands[0] if len(operands) == 1 else Logical(word, tuple(operands))

    def negation(self) -> Any:
        if self.at_keyword("not"):
            self.pos += 1
            self.count_operator()
            return Unary("not", self.nested(self.negation))
        return self.predicate()

    def predicate(self) -> Any:
        left = self.additive()
        token = self.peek()
        if token.kind == "op" and token.text in COMPARISONS:
            self.pos += 1
            self.count_operator()
            return Predicate("cmp:" + ("<>" if token.text == "!=" else token.text), left, (self.additive(),))
        if self.at_keyword("is"):
            self.pos += 1
            negated = self.at_keyword("not")
            self.pos += negated
            if not self.at_keyword("null", "missing"):
                raise SelectError("ParseUnexpectedToken")
            return Predicate("is " + self.take().text.lower(), left, (), negated)
        negated = self.at_keyword("not") and self.peek(1).kind == "kw" \
            and self.peek(1).text.lower() in ("like", "between", "in")
        self.pos += negated
        if self.at_keyword("like"):
            return self.like(left, negated)
        if self.at_keyword("between"):
            return self.between(left, negated)
        if self.at_keyword("in"):
            return self.membership(left, negated)
        return left

    def like(self, left: Any, negated: bool) -> Predicate:
        self.pos += 1
        self.count_operator()
        args = [self.additive()]
        if self.at_keyword("escape"):
            self.pos += 1
            args.append(self.additive())
        return Predicate("like", left, tuple(args), negated)

    def between(self, left: Any, negated: bool) -> Predicate:
        self.pos += 1
        self.count_operator()
        low = self.additive()
        self.expect_keyword("and", "ParseExpectedTokenType")
        return Predicate("between", left, (low, self.additive()), negated)

    def membership(self, left: Any, negated: bool) -> Predicate:
        self.pos += 1
        self.count_operator()
        self.expect_op("(")
        values = [self.nested(self.expression)]
        while self.at_op(","):
            self.pos += 1
            values.append(self.nested(self.expression))
        self.expect_op(")")
        return Predicate("in", left, tuple(values), negated)

    def additive(self) -> Any:
        return self.chain(("+", "-", "||"), self.multiplicative)

    def multiplicative(self) -> Any:
        return self.chain(("*", "/", "%"), self.unary)

    def chain(self, ops: tuple[str, ...], operand: Callable[[], Any]) -> Any:
        first = operand()
        rest: list[tuple[str, Any]] = []
        while self.at_op(*ops):
            op = self.take().text
            self.count_operator()
            rest.append((op, operand()))
        return Chain(first, tuple(rest)) if rest else first

    def unary(self) -> Any:
        if self.at_op("-", "+"):
            op = self.take().text
            self.count_operator()
            operand = self.nested(self.unary)
            return Unary("-", operand) if op == "-" else operand
        return self.postfix()

    def postfix(self) -> Any:
        value = self.primary()
        if not self.at_op(".", "["):
            return value
        if not isinstance(value, Path):
            raise SelectError("ParseInvalidPathComponent")
        steps, quoted = list(value.steps), list(value.quoted)
        while self.at_op(".", "["):
            is_member = self.at_op(".")
            quoted.append(is_member and self.peek(1).kind == "qident")
            steps.append(self.path_step())
            if len(steps) > MAX_OPERATORS:
                raise SelectError("MaxOperatorsExceeded")
        return Path(tuple(steps), tuple(quoted))

    def primary(self) -> Any:
        token = self.take()
        if token.kind == "number":
            return Literal(number(token.text, "LexerInvalidLiteral"))
        if token.kind == "string":
            return Literal(token.text)
        if token.kind == "qident":
            return Path((token.text,), (True,))
        if token.kind == "ident":
            if self.at_op("("):
                return self.call(token.text.lower())
            _position(token.text)
            return Path((token.text,), (False,))
        if token.kind == "op" and token.text == "(":
            inner = self.nested(self.expression)
            self.expect_op(")")
            return inner
        if token.kind == "kw":
            return self.keyword_term(token.text.lower())
        raise SelectError("ParseExpectedExpression" if token.kind == "end" else "ParseUnexpectedToken")

    def keyword_term(self, word: str) -> Any:
        constants = {"null": None, "missing": MISSING, "true": True, "false": False}
        if word in constants:
            return Literal(constants[word])
        if word == "cast":
            return self.cast()
        if word in UNSUPPORTED_CLAUSES:
            raise SelectError("ParseUnsupportedSyntax")
        raise SelectError("ParseUnExpectedKeyword")

    def cast(self) -> Cast:
        self.expect_op("(")
        operand = self.nested(self.expression)
        self.expect_keyword("as", "ParseExpectedTokenType")
        token = self.take()
        type_name = TYPES.get(token.text.lower()) if token.kind in ("ident", "kw") else None
        if type_name is None:
            raise SelectError("ParseExpectedTypeName")
        self.expect_op(")")
        return Cast(operand, type_name)

    def call(self, name: str) -> Any:
        self.pos += 1  # "("
        self.count_operator()
        if name in AGGREGATES:
            return self.aggregate(name)
        if name not in FUNCTIONS:
            raise SelectError("UnsupportedFunction")
        if name == "substring":
            args = self.nested(self.substring_args)
        elif name == "trim":
            args = self.nested(self.trim_args)
        else:
            args = self.nested(self.arguments)
        fewest, most = FUNCTIONS[name]
        if not fewest <= len(args) <= most and name != "trim":
            raise SelectError("EvaluatorInvalidArguments")
        return Call(name, tuple(args))

    def arguments(self) -> list[Any]:
        if self.at_op(")"):
            self.pos += 1
            return []
        return self.more_arguments([self.expression()])

    def more_arguments(self, args: list[Any]) -> list[Any]:
        """``, expression`` as often as given, then the closing parenthesis."""
        while self.at_op(","):
            self.pos += 1
            args.append(self.expression())
        self.expect_op(")")
        return args

    def substring_args(self) -> list[Any]:
        """``SUBSTRING(s FROM start [FOR length])`` or ``SUBSTRING(s, start[, length])``."""
        args = [self.expression()]
        if self.at_keyword("from"):
            self.pos += 1
            args.append(self.expression())
            if self.at_keyword("for"):
                self.pos += 1
                args.append(self.expression())
        return self.more_arguments(args)

    def trim_args(self) -> list[Any]:
        """``TRIM([[LEADING|TRAILING|BOTH] [chars] FROM] s)``: [where, chars, s] as literals and exprs."""
        where = "both"
        if self.at_keyword("leading", "trailing", "both"):
            where = self.take().text.lower()
        chars: Any = Literal(" ")
        if self.at_keyword("from"):
            self.pos += 1
            target = self.expression()
        else:
            first = self.expression()
            if self.at_keyword("from"):
                self.pos += 1
                chars, target = first, self.expression()
            else:
                target = first
        self.expect_op(")")
        return [Literal(where), chars, target]

    def aggregate(self, name: str) -> Aggregate:
        if self.at_op("*"):
            if name != "count":
                raise SelectError("ParseUnsupportedCallWithStar")
            self.pos += 1
            self.expect_op(")")
            found = Aggregate(name, None)
        else:
            args = self.nested(self.arguments)
            if len(args) != 1:
                raise SelectError("ParseNonUnaryAgregateFunctionCall")
            if _has_aggregate(args[0]):
                raise SelectError("UnsupportedSqlOperation")
            found = Aggregate(name, args[0])
        self.aggregates.append(found)
        return found


def _holds(node: Any, kind: type) -> bool:
    """Whether an expression holds a node of ``kind`` (walked with an explicit stack, not recursion)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, kind):
            return True
        stack.extend(_children(current))
    return False


def _has_aggregate(node: Any) -> bool:
    return _holds(node, Aggregate)


def _children(node: Any) -> list[Any]:
    if isinstance(node, Chain):
        return [node.first, *(operand for _, operand in node.rest)]
    if isinstance(node, Logical):
        return list(node.operands)
    if isinstance(node, (Unary, Cast)):
        return [node.operand]
    if isinstance(node, Predicate):
        return [node.operand, *node.args]
    if isinstance(node, Call):
        return list(node.args)
    return []


def parse(expression: str) -> Query:
    if len(expression.encode("utf-8")) > MAX_EXPRESSION_BYTES:
        raise SelectError("ExpressionTooLong")
    query = Parser(expression).query()
    if query.where is not None and _has_aggregate(query.where):
        raise SelectError("UnsupportedSqlOperation")
    if query.aggregates and query.items is not None:
        if any(not _has_aggregate(item.expression) and _holds(item.expression, Path) for item in query.items):
            raise SelectError("UnsupportedSqlOperation")  # aggregates mixed with per-row values
    return query


# -- values ---------------------------------------------------------------------------------------
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


def _numeric(value: Any) -> int | float | None:
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


def _absent(value: Any) -> bool:
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
        position = _position(name)
        if position is None:
            return MISSING
        return self.values[position - 1] if position <= len(self.values) else MISSING

    def as_dict(self) -> dict[str, Any]:
        names = self.names or []
        return {names[i] if i < len(names) else f"_{i + 1}": value for i, value in enumerate(self.values)}


def _position(name: str) -> int | None:
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
    if _absent(left) or _absent(right):
        return None
    if op == "||":
        if not isinstance(left, str) or not isinstance(right, str):
            raise SelectError("IncorrectSqlFunctionArgumentType")
        return left + right
    a, b = _numeric(left), _numeric(right)
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


def _truth(value: Any) -> bool | None:
    if _absent(value):
        return None
    if isinstance(value, bool):
        return value
    raise SelectError("IncorrectSqlFunctionArgumentType")


def _logical(node: Logical, scope: Scope) -> bool | None:
    """Three-valued AND / OR."""
    decisive = node.op == "or"
    unknown = False
    for operand in node.operands:
        truth = _truth(evaluate(operand, scope))
        if truth is None:
            unknown = True
        elif truth is decisive:
            return decisive
    return None if unknown else not decisive


def _unary(node: Unary, scope: Scope) -> Any:
    value = evaluate(node.operand, scope)
    if node.op == "not":
        truth = _truth(value)
        return None if truth is None else not truth
    if _absent(value):
        return None
    numeric = _numeric(value)
    if numeric is None:
        raise SelectError("IncorrectSqlFunctionArgumentType")
    return -numeric


def compare(left: Any, right: Any) -> int | None:
    """-1/0/1, or None when either side is NULL/MISSING or the two cannot be ordered."""
    if _absent(left) or _absent(right):
        return None
    if isinstance(left, bool) or isinstance(right, bool):
        if isinstance(left, bool) and isinstance(right, bool):
            return (left > right) - (left < right)
        return None
    if isinstance(left, str) and isinstance(right, str):
        return (left > right) - (left < right)
    a, b = _numeric(left), _numeric(right)
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
    found = value is MISSING if node.kind == "is missing" else _absent(value)
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
    if _absent(value) or _absent(pattern):
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
    if _absent(value):
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
        return None if _absent(args[0]) else apply(_text_argument(args[0]))
    return call


def _substring(args: list[Any]) -> Any:
    if any(_absent(arg) for arg in args):
        return None
    text = _text_argument(args[0])
    start = _numeric(args[1])
    length = _numeric(args[2]) if len(args) > 2 else None
    if start is None or (len(args) > 2 and length is None):
        raise SelectError("IncorrectSqlFunctionArgumentType")
    begin = int(start)
    end = len(text) + 1 if length is None else begin + int(length)
    if length is not None and length < 0:
        raise SelectError("IllegalSqlFunctionArgument")
    return text[max(begin, 1) - 1:max(end, 1) - 1]


def _trim(args: list[Any]) -> Any:
    where, chars, value = args
    if _absent(value) or _absent(chars):
        return None
    text, strip = _text_argument(value), _text_argument(chars)
    if where == "leading":
        return text.lstrip(strip)
    if where == "trailing":
        return text.rstrip(strip)
    return text.strip(strip)


def _coalesce(args: list[Any]) -> Any:
    return next((arg for arg in args if not _absent(arg)), None)


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
        if _absent(value):
            return
        self.count += 1
        if name in ("sum", "avg"):
            numeric = _numeric(value)
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


# -- input ----------------------------------------------------------------------------------------
@dataclass
class CsvFormat:
    header: str = "NONE"
    comments: str | None = None
    quote_escape: str = '"'
    record_delimiter: str = "\n"
    field_delimiter: str = ","
    quote: str = '"'
    allow_quoted_record_delimiter: bool = False


def csv_format(spec: Mapping[str, Any]) -> CsvFormat:
    header = spec.get("FileHeaderInfo", "NONE").upper()
    if header not in ("USE", "IGNORE", "NONE"):
        raise SelectError("InvalidFileHeaderInfo")
    return CsvFormat(header, spec.get("Comments") or None, spec.get("QuoteEscapeCharacter") or '"',
                     spec.get("RecordDelimiter") or "\n", spec.get("FieldDelimiter") or ",",
                     spec.get("QuoteCharacter") or '"', bool(spec.get("AllowQuotedRecordDelimiter")))


def csv_records(data: bytes, fmt: CsvFormat) -> Iterator[tuple[int, int, list[str]]]:
    """(start offset, end offset, fields) of each record; comment lines skipped."""
    record_delimiter = fmt.record_delimiter.encode()
    quote = fmt.quote.encode()
    pos, size = 0, len(data)
    while pos < size:
        start = pos
        end = data.find(record_delimiter, pos)
        end = size if end < 0 else end
        line = data[pos:end]
        if quote and quote in line:
            fields, pos = _quoted_record(data, pos, fmt)
        else:
            fields, pos = _split(line, fmt), end + len(record_delimiter)
        if fmt.comments and fields[0].startswith(fmt.comments):
            continue
        yield start, min(pos, size), fields


def _split(line: bytes, fmt: CsvFormat) -> list[str]:
    if fmt.record_delimiter == "\n" and line.endswith(b"\r"):
        line = line[:-1]
    return _decode(line).split(fmt.field_delimiter)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SelectError("CSVParsingError") from None


def _quoted_record(data: bytes, pos: int, fmt: CsvFormat) -> tuple[list[str], int]:
    """One record holding quote characters, read character by character from ``pos``; the text read
    grows one delimited line at a time, as a quoted field may hold record delimiters."""
    window = _Window(data, pos, fmt.record_delimiter.encode())
    fields: list[str] = []
    current: list[str] = []
    index, in_quotes = 0, False
    record_delimiter, field_delimiter, quote = fmt.record_delimiter, fmt.field_delimiter, fmt.quote
    while index < len(window.text) or (in_quotes and window.grow()):
        text = window.text
        char = text[index]
        if in_quotes:
            if char == fmt.quote_escape and text.startswith(quote, index + 1):
                current.append(quote)
                index += 1 + len(quote)
            elif text.startswith(quote, index):
                in_quotes = False
                index += len(quote)
            elif text.startswith(record_delimiter, index) and not fmt.allow_quoted_record_delimiter:
                raise SelectError("CSVEscapingRecordDelimiter")
            else:
                current.append(char)
                index += 1
        elif text.startswith(quote, index) and not current:
            in_quotes = True
            index += len(quote)
        elif text.startswith(field_delimiter, index):
            fields.append("".join(current))
            current = []
            index += len(field_delimiter)
        elif text.startswith(record_delimiter, index):
            break
        else:
            current.append(char)
            index += 1
    if in_quotes:
        raise SelectError("CSVParsingError")
    last = "".join(current)
    if record_delimiter == "\n" and last.endswith("\r"):
        last = last[:-1]
    fields.append(last)
    return fields, window.end


class _Window:
    """The text of a record from ``start``, one delimited line at a time (delimiters included)."""

    def __init__(self, data: bytes, start: int, delimiter: bytes) -> None:
        self.data, self.delimiter = data, delimiter
        self.text = ""
        self.end = start
        self.grow()

    def grow(self) -> bool:
        if self.end >= len(self.data):
            return False
        found = self.data.find(self.delimiter, self.end)
        stop = len(self.data) if found < 0 else found + len(self.delimiter)
        self.text += _decode(self.data[self.end:stop])
        self.end = stop
        return True


def json_records(data: bytes, lines: bool) -> Iterator[tuple[int, int, Any]]:
    """(start offset, end offset, value) of each JSON value: one document after another, or one a
    line (LINES)."""
    if lines:
        yield from _json_lines(data)
        return
    text = _json_text(data)
    decoder = json.JSONDecoder()
    index, size = 0, len(text)
    while True:
        while index < size and text[index].isspace():
            index += 1
        if index >= size:
            return
        try:
            value, end = decoder.raw_decode(text, index)
        except (ValueError, RecursionError):  # RecursionError: nesting deeper than Python's json can read
            raise SelectError("JSONParsingError") from None
        yield index, end, value
        index = end


def _json_lines(data: bytes) -> Iterator[tuple[int, int, Any]]:
    pos, size = 0, len(data)
    while pos < size:
        end = data.find(b"\n", pos)
        end = size if end < 0 else end
        line = data[pos:end].strip()
        if line:
            try:
                value = json.loads(_json_text(line))
            except (ValueError, RecursionError):
                raise SelectError("JSONParsingError") from None
            yield pos, end + 1, value
        pos = end + 1


def _json_text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SelectError("JSONParsingError") from None


def decompress(data: bytes, compression: str) -> bytes:
    try:
        if compression == "GZIP":
            return gzip.decompress(data)
        if compression == "BZIP2":
            return bz2.decompress(data)
    except (OSError, EOFError, ValueError, zlib.error):
        raise SelectError("TruncatedInput") from None
    if compression not in ("NONE", ""):
        raise SelectError("InvalidCompressionFormat")
    return data


def in_scan_range(records: Iterator[tuple[int, int, Any]], start: int, end: int) -> Iterator[tuple[int, int, Any]]:
    """The records that begin within [start, end] (a record begun before ``start`` belongs to the
    range before; one begun inside runs to its own end)."""
    for first, last, value in records:
        if first > end:
            return
        if first >= start:
            yield first, last, value


# -- output ---------------------------------------------------------------------------------------
def render_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if isinstance(value, CsvRow):
        return render_text(value.as_dict())
    if _absent(value):
        return ""
    return str(value)


@dataclass
class CsvOutput:
    record_delimiter: str = "\n"
    field_delimiter: str = ","
    quote: str = '"'
    quote_escape: str = '"'
    always: bool = False

    def row(self, pairs: list[tuple[str, Any]]) -> str:
        return self.field_delimiter.join(self.field(value) for _, value in pairs) + self.record_delimiter

    def field(self, value: Any) -> str:
        text = render_text(value)
        needs = self.always or any(mark in text for mark in (self.field_delimiter, self.quote,
                                                              self.record_delimiter, "\n", "\r"))
        if not needs:
            return text
        return self.quote + text.replace(self.quote, self.quote_escape + self.quote) + self.quote


@dataclass
class JsonOutput:
    record_delimiter: str = "\n"

    def row(self, pairs: list[tuple[str, Any]]) -> str:
        body = {name: _json_ready(value) for name, value in pairs if value is not MISSING}
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False) + self.record_delimiter


def _json_ready(value: Any) -> Any:
    return value.as_dict() if isinstance(value, CsvRow) else value


def output_format(spec: Mapping[str, Any]) -> CsvOutput | JsonOutput:
    if "CSV" in spec and "JSON" in spec:
        raise SelectError("ObjectSerializationConflict")
    if "JSON" in spec:
        return JsonOutput(spec["JSON"].get("RecordDelimiter") or "\n")
    if "CSV" not in spec:
        raise SelectError("MissingRequiredParameter")
    csv = spec["CSV"]
    quote_fields = csv.get("QuoteFields", "ASNEEDED").upper()
    if quote_fields not in ("ALWAYS", "ASNEEDED"):
        raise SelectError("InvalidQuoteFields")
    return CsvOutput(csv.get("RecordDelimiter") or "\n", csv.get("FieldDelimiter") or ",",
                     csv.get("QuoteCharacter") or '"', csv.get("QuoteEscapeCharacter") or '"',
                     quote_fields == "ALWAYS")


# -- running a query ------------------------------------------------------------------------------
@dataclass
class Outcome:
    """What the query produced: Records payloads, the byte counts of Stats/Progress, and the data error
    met part-way (sent as an error event after the records before it)."""
    payloads: list[bytes]
    scanned: int
    processed: int
    returned: int
    error: SelectError | None = None


@dataclass
class Request:
    query: Query
    input_spec: Mapping[str, Any]
    output: CsvOutput | JsonOutput
    scan_range: Mapping[str, Any] | None


def prepare(params: Mapping[str, Any]) -> Request:
    """Check the request and parse its expression: everything AWS refuses before streaming."""
    if params.get("ExpressionType", "SQL") != "SQL":
        raise SelectError("InvalidExpressionType")
    input_spec = params["InputSerialization"]
    formats = [name for name in ("CSV", "JSON", "Parquet") if name in input_spec]
    if len(formats) > 1:
        raise SelectError("ObjectSerializationConflict")
    if not formats:
        raise SelectError("MissingRequiredParameter")
    if formats[0] == "Parquet":
        raise AwsError("NotImplemented", "Parquet input is not emulated; CSV and JSON are.", 501)
    if "JSON" in input_spec and input_spec["JSON"].get("Type", "DOCUMENT").upper() not in ("DOCUMENT", "LINES"):
        raise SelectError("InvalidJsonType")
    if "CSV" in input_spec:
        csv_format(input_spec["CSV"])
    output = output_format(params["OutputSerialization"])
    query = parse(params["Expression"])
    return Request(query, input_spec, output, params.get("ScanRange"))


def scan_bounds(scan_range: Mapping[str, Any] | None, size: int) -> tuple[int, int]:
    if not scan_range:
        return 0, size
    start, end = scan_range.get("Start"), scan_range.get("End")
    if start is None and end is not None:
        return max(0, size - end), size
    start = start or 0
    end = size - 1 if end is None else end
    if start > end or start < 0:
        raise SelectError("InvalidScanRange")
    return start, end


def records_of(request: Request, data: bytes) -> tuple[Iterator[tuple[int, int, Any]], int, int]:
    """The records to read, and the (scanned, processed) byte counts; refuses what AWS refuses
    before streaming (compression unknown, scan ranges where they are not supported)."""
    spec = request.input_spec
    compression = (spec.get("CompressionType") or "NONE").upper()
    if compression not in ("NONE", "GZIP", "BZIP2"):
        raise SelectError("InvalidCompressionFormat")
    lines = "JSON" in spec and spec["JSON"].get("Type", "DOCUMENT").upper() == "LINES"
    if request.scan_range and (compression != "NONE" or ("JSON" in spec and not lines)):
        raise SelectError("UnsupportedScanRangeInput")
    scanned = len(data)
    start, end = scan_bounds(request.scan_range, len(data))
    plain = decompress(data, compression)
    if "CSV" in spec:
        raw: Iterator[tuple[int, int, Any]] = _csv_rows(plain, csv_format(spec["CSV"]), start == 0)
    else:
        raw = json_records(plain, lines)
    if request.scan_range:
        raw = in_scan_range(raw, start, end)
        scanned = min(end + 1, len(data)) - start
    return raw, scanned, len(plain) if not request.scan_range else scanned


def _csv_rows(data: bytes, fmt: CsvFormat, has_header: bool) -> Iterator[tuple[int, int, Any]]:
    names: list[str] | None = None
    records = csv_records(data, fmt)
    if fmt.header in ("USE", "IGNORE") and has_header:
        header = next(records, None)
        if header is not None and fmt.header == "USE":
            names = header[2]
    for first, last, fields in records:
        yield first, last, CsvRow(fields, names)


def source_rows(query: Query, records: Iterator[tuple[int, int, Any]]) -> Iterator[Any]:
    """Each record navigated through the FROM path: ``[*]`` fans out over an array, names step in."""
    steps = query.source[1:] if query.source[:1] == ("*",) else query.source
    for _, _, record in records:
        yield from _navigate(record, steps)


def _navigate(value: Any, steps: tuple[Any, ...]) -> Iterator[Any]:
    current = [value]
    for step in steps:
        following: list[Any] = []
        for item in current:
            if step == "*":
                following.extend(item if isinstance(item, list) else [MISSING])
            else:
                following.append(step_into(item, step, False))
        current = following
    yield from current


def project(query: Query, scope: Scope) -> list[tuple[str, Any]]:
    if query.items is None:
        return _star(scope.row)
    pairs: list[tuple[str, Any]] = []
    for position, item in enumerate(query.items, 1):
        pairs.append((item.alias or _derived_name(item.expression, position), evaluate(item.expression, scope)))
    return pairs


def _star(row: Any) -> list[tuple[str, Any]]:
    if isinstance(row, CsvRow):
        return list(row.as_dict().items())
    if isinstance(row, dict):
        return list(row.items())
    if row is MISSING:
        return []
    return [("_1", row)]


def _derived_name(expression: Any, position: int) -> str:
    """A path's last member name; ``_N`` (its position) for anything else."""
    if isinstance(expression, Path) and isinstance(expression.steps[-1], str) and len(expression.steps) > 1:
        return expression.steps[-1]
    if isinstance(expression, Path) and isinstance(expression.steps[0], str) and len(expression.steps) == 1:
        return expression.steps[0]
    return f"_{position}"


def run(request: Request, data: bytes) -> Outcome:
    """Run a prepared query over an object's bytes."""
    records, scanned, processed = records_of(request, data)
    query = request.query
    alias = (query.alias or "s3object").lower()
    out = Writer(request.output)
    try:
        if query.aggregates:
            _aggregate(query, source_rows(query, records), alias, out)
        else:
            _select(query, source_rows(query, records), alias, out)
    except SelectError as exc:
        return Outcome(out.payloads(), scanned, processed, out.returned, exc)
    return Outcome(out.payloads(), scanned, processed, out.returned)


def _selected(query: Query, scope: Scope) -> bool:
    return query.where is None or _truth(evaluate(query.where, scope)) is True


def _select(query: Query, rows: Iterator[Any], alias: str, out: Writer) -> None:
    emitted = 0
    if query.limit == 0:
        return
    for row in rows:
        scope = Scope(row, alias)
        if not _selected(query, scope):
            continue
        out.add(project(query, scope))
        emitted += 1
        if query.limit is not None and emitted >= query.limit:
            return


def _aggregate(query: Query, rows: Iterator[Any], alias: str, out: Writer) -> None:
    accumulators = [Accumulator(aggregate) for aggregate in query.aggregates]
    for row in rows:
        scope = Scope(row, alias)
        if _selected(query, scope):
            for accumulator in accumulators:
                accumulator.add(scope)
    folded = {id(acc.aggregate): acc.result() for acc in accumulators}
    if query.limit != 0:
        out.add(project(query, Scope(None, alias, folded)))


class Writer:
    """Serialized rows gathered into Records payloads of about ``RECORDS_CHUNK`` bytes."""

    def __init__(self, output: CsvOutput | JsonOutput) -> None:
        self.output = output
        self.done: list[bytes] = []
        self.pending: list[bytes] = []
        self.pending_size = 0
        self.returned = 0

    def add(self, pairs: list[tuple[str, Any]]) -> None:
        raw = self.output.row(pairs).encode("utf-8")
        self.pending.append(raw)
        self.pending_size += len(raw)
        self.returned += len(raw)
        if self.pending_size >= RECORDS_CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.done.append(b"".join(self.pending))
            self.pending, self.pending_size = [], 0

    def payloads(self) -> list[bytes]:
        self.flush()
        return self.done


# -- the event stream -----------------------------------------------------------------------------
def _event(kind: str, payload: bytes = b"", content_type: str | None = None) -> bytes:
    headers = {":message-type": "event", ":event-type": kind}
    if content_type:
        headers[":content-type"] = content_type
    return event_message(headers, payload)


def _details(kind: str, outcome: Outcome) -> bytes:
    return (f"<{kind} xmlns=\"\"><BytesScanned>{outcome.scanned}</BytesScanned><BytesProcessed>"
            f"{outcome.processed}</BytesProcessed><BytesReturned>{outcome.returned}</BytesReturned></{kind}>"
            ).encode()


def messages(outcome: Outcome, progress: bool) -> list[bytes]:
    """The answer's messages, in AWS's order: Records, Progress (when asked for), Stats, End; or,
    after a data error part-way, the records before it and an error message."""
    out = [_event("Records", payload, "application/octet-stream") for payload in outcome.payloads]
    if outcome.error is not None:
        error = outcome.error
        out.append(event_message({":message-type": "error", ":error-code": error.code,
                                  ":error-message": error.message}, b""))
        return out
    if progress:
        out.append(_event("Progress", _details("Progress", outcome), "text/xml"))
    out.append(_event("Stats", _details("Stats", outcome), "text/xml"))
    out.append(_event("End"))
    return out


class SelectBody:
    """The raw body botocore's EventStream reads (``stream()`` and ``close()``, as urllib3's response)."""

    def __init__(self, encoded: list[bytes]) -> None:
        self.encoded = encoded
        self.closed = False

    def stream(self) -> Iterator[bytes]:
        for message in self.encoded:
            if self.closed:
                return
            yield message

    def close(self) -> None:
        self.closed = True


def event_stream(outcome: Outcome, progress: bool, operation_model: Any) -> ResponseEventStream:
    shape = operation_model.output_shape.members["Payload"]
    body = SelectBody(messages(outcome, progress))
    return ResponseEventStream(body, shape, EventStreamXMLParser(), operation_model.name)
