"""The SQL subset's lexer, syntax tree and parser (``parse`` -> ``Query``), bounded: at most
``MAX_DEPTH`` levels of nesting and ``MAX_OPERATORS`` operators; chains of one precedence are flat lists."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Any, Callable

from .errors import MAX_DEPTH, MAX_EXPRESSION_BYTES, MAX_OPERATORS, MISSING, SelectError
from .values import column_position, number


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
            column_position(token.text)  # _0 is refused before any record is read
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
            column_position(token.text)
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
