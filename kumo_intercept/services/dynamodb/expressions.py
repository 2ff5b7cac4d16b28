"""DynamoDB's expression language: condition, filter, key-condition, projection and update expressions.

Parsing turns the text into a tree with placeholders still in it (``#name`` path elements,
``(":value")`` operands); it depends on the text only and is cached. ``Binder`` then substitutes a
request's ExpressionAttributeNames/Values, records which were used, and makes the checks AWS makes
once the values are known (operand types, BETWEEN bounds). The bound trees are plain tuples:

    ("path", ("a", "b", 0))             a.b[0]
    ("value", {"N": "1"})               a constant
    ("size", operand)
    ("cmp", "<", left, right)   ("between", x, lo, hi)   ("in", x, [operands])
    ("and", l, r)  ("or", l, r)  ("not", c)
    ("fn", name, [args])                attribute_exists, attribute_not_exists, attribute_type,
                                        begins_with, contains
    update actions: ("SET", path, value-expr) ("REMOVE", path) ("ADD", path, value) ("DELETE", path, value)
    value-expr: operand | ("+", a, b) | ("-", a, b) | ("if_not_exists", path, v) | ("list_append", a, b)

Errors are ``ExprError`` with AWS's message text; the caller prefixes "Invalid <Kind>Expression: ".
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Iterable

from . import values as V
from .reserved import RESERVED_WORDS


class ExprError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_TOKEN = re.compile(
    r"(?P<ws>\s+)|(?P<name>#[A-Za-z0-9_]+)|(?P<value>:[A-Za-z0-9_]+)|(?P<num>[0-9]+)"
    r"|(?P<ident>[A-Za-z_][A-Za-z0-9_]*)|(?P<op><>|<=|>=|[=<>(),.\[\]+\-])"
)
_COMPARATORS = frozenset(("=", "<>", "<", "<=", ">", ">="))
#: words that end an operand; anywhere else a reserved word is an attribute name AWS refuses
_KEYWORDS = frozenset(("AND", "OR", "NOT", "BETWEEN", "IN"))
_BOOL_FUNCTIONS = {"attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2,
                   "begins_with": 2, "contains": 2}
_UPDATE_FUNCTIONS = {"if_not_exists": 2, "list_append": 2}
_TYPES = ("S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M")
_TYPE_WORDS = {"S": "STRING", "N": "NUMBER", "B": "BINARY", "BOOL": "BOOLEAN", "NULL": "NULL",
               "L": "LIST", "M": "MAP", "SS": "STRING_SET", "NS": "NUMBER_SET", "BS": "BINARY_SET"}
EOF = ("eof", "", -1)


def tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    pos, end = 0, len(text)
    match = _TOKEN.match
    while pos < end:
        m = match(text, pos)
        if m is None:
            tokens.append(("bad", text[pos], pos))
            pos += 1
            continue
        tokens.append((m.lastgroup, m.group(), pos))  # type: ignore[arg-type]
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.all = tokenize(text)
        self.sig = [i for i, t in enumerate(self.all) if t[0] != "ws"]
        self.i = 0
        #: the first reserved word used as a name: AWS reports it after the structural checks
        self.reserved: str | None = None

    # -- tokens -------------------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> tuple[str, str, int]:
        j = self.i + ahead
        return self.all[self.sig[j]] if j < len(self.sig) else EOF

    def take(self) -> tuple[str, str, int]:
        tok = self.peek()
        self.i += 1
        return tok

    def at_keyword(self, word: str) -> bool:
        tok = self.peek()
        return tok[0] == "ident" and tok[1].upper() == word

    def at_op(self, op: str) -> bool:
        tok = self.peek()
        return tok[0] == "op" and tok[1] == op

    def expect_op(self, op: str) -> None:
        if not self.at_op(op):
            self.fail()
        self.i += 1

    def fail(self) -> None:
        """A syntax error at the current token, with AWS's "near" context."""
        full = self.sig[self.i] if self.i < len(self.sig) else len(self.all)
        tokens = self.all
        problem = tokens[full][1] if full < len(tokens) else ""
        near = []
        if full - 1 >= 0:
            if tokens[full - 1][0] == "ws" and full - 2 >= 0:
                near.append(tokens[full - 2][1])
            near.append(tokens[full - 1][1])
        near.append(problem)
        if full < len(tokens) and full + 1 < len(tokens):
            near.append(tokens[full + 1][1])
            if tokens[full + 1][0] == "ws" and full + 2 < len(tokens):
                near.append(tokens[full + 2][1])
        raise ExprError(f'Syntax error; token: "{problem or "<EOF>"}", near: "{"".join(near)}"')

    def end(self) -> None:
        if self.i < len(self.sig):
            self.fail()

    # -- conditions ---------------------------------------------------------------------------
    def condition(self) -> tuple:
        left = self.conjunction()
        while self.at_keyword("OR"):
            self.i += 1
            left = ("or", left, self.conjunction())
        return left

    def conjunction(self) -> tuple:
        left = self.negation()
        while self.at_keyword("AND"):
            self.i += 1
            left = ("and", left, self.negation())
        return left

    def negation(self) -> tuple:
        if self.at_keyword("NOT"):
            self.i += 1
            return ("not", self.negation())
        return self.primary()

    def primary(self) -> tuple:
        if self.at_op("("):
            start = self.i
            self.i += 1
            try:
                inner = self.condition()
                self.expect_op(")")
                return ("paren", inner)
            except ExprError as first:
                self.i = start  # perhaps a parenthesised operand: "(a) = :v"
                try:
                    left = self.operand(allow_bool=True)
                except ExprError:
                    raise first from None
                if left[0] == "fn":
                    raise first from None
                return self.comparison(left)
        left = self.operand(allow_bool=True)
        if left[0] == "fn":
            return left
        return self.comparison(left)

    def comparison(self, left: tuple) -> tuple:
        tok = self.peek()
        if tok[0] == "op" and tok[1] in _COMPARATORS:
            self.i += 1
            return ("cmp", tok[1], left, self.operand())
        if self.at_keyword("BETWEEN"):
            self.i += 1
            low = self.operand()
            if not self.at_keyword("AND"):
                self.fail()
            self.i += 1
            return ("between", left, low, self.operand())
        if self.at_keyword("IN"):
            self.i += 1
            self.expect_op("(")
            options = [self.operand()]
            while self.at_op(","):
                self.i += 1
                options.append(self.operand())
            self.expect_op(")")
            return ("in", left, options)
        self.fail()
        raise AssertionError

    def operand(self, allow_bool: bool = False, update: bool = False) -> tuple:
        tok = self.peek()
        kind = tok[0]
        if kind == "op" and tok[1] == "(" and not update:
            self.i += 1
            inner = self.operand(update=update)
            self.expect_op(")")
            return ("paren", inner)
        if kind == "value":
            self.i += 1
            return ("value", tok[1])
        if kind == "ident" and self.peek(1)[0] == "op" and self.peek(1)[1] == "(":
            return self.function(allow_bool, update)
        if kind in ("name", "ident"):
            return self.path()
        self.fail()
        raise AssertionError

    def function(self, allow_bool: bool, update: bool) -> tuple:
        name = self.take()[1]
        known = name in _BOOL_FUNCTIONS or name in _UPDATE_FUNCTIONS or name == "size"
        if not known:
            raise ExprError(f"Invalid function name; function: {name}")
        self.i += 1  # "("
        args = [self.operand(update=update)]
        while self.at_op(","):
            self.i += 1
            args.append(self.operand(update=update))
        self.expect_op(")")
        arity = _BOOL_FUNCTIONS.get(name) or _UPDATE_FUNCTIONS.get(name) or 1
        if update and name not in _UPDATE_FUNCTIONS:
            raise ExprError(f"The function is not allowed in an update expression; function: {name}")
        if not update and name in _UPDATE_FUNCTIONS:
            raise ExprError(f"The function is not allowed in a condition expression; function: {name}")
        if name == "list_append" and any(a[0] == "list_append" for a in args):
            raise ExprError("The function is not allowed to be used this way in an expression; function: list_append")
        if name in _BOOL_FUNCTIONS and not allow_bool:
            raise ExprError(f"The function is not allowed to be used this way in an expression; function: {name}")
        if len(args) != arity:
            raise ExprError(f"Incorrect number of operands for operator or function; operator or function: "
                            f"{name}, number of operands: {len(args)}")
        if name == "size":
            if allow_bool and not self._followed_by_comparison():
                raise ExprError("The function is not allowed to be used this way in an expression; function: size")
            return ("size", args[0])
        if name in _BOOL_FUNCTIONS:
            return ("fn", name, args)
        return (name, *args)

    def _followed_by_comparison(self) -> bool:
        tok = self.peek()
        return (tok[0] == "op" and tok[1] in _COMPARATORS) or (
            tok[0] == "ident" and tok[1].upper() in ("BETWEEN", "IN"))

    def path(self) -> tuple:
        elements: list[Any] = [self.path_element()]
        while True:
            if self.at_op("."):
                self.i += 1
                elements.append(self.path_element())
            elif self.at_op("["):
                self.i += 1
                tok = self.peek()
                if tok[0] != "num":
                    self.fail()
                self.i += 1
                elements.append(int(tok[1]))
                self.expect_op("]")
            else:
                return ("path", tuple(elements))

    def path_element(self) -> str:
        tok = self.peek()
        if tok[0] == "name":
            self.i += 1
            return tok[1]
        if tok[0] == "ident":
            upper = tok[1].upper()
            if upper in _KEYWORDS:
                self.fail()
            if upper in RESERVED_WORDS and self.reserved is None:
                self.reserved = tok[1]
            self.i += 1
            return tok[1]
        self.fail()
        raise AssertionError

    # -- update expressions -------------------------------------------------------------------
    def update(self) -> list[tuple]:
        actions: list[tuple] = []
        seen: set[str] = set()
        if self.i >= len(self.sig):
            self.fail()
        while self.i < len(self.sig):
            tok = self.peek()
            word = tok[1].upper() if tok[0] == "ident" else ""
            if word not in ("SET", "REMOVE", "ADD", "DELETE"):
                self.fail()
            if word in seen:
                raise ExprError(f'The "{word}" section can only be used once in an update expression;')
            seen.add(word)
            self.i += 1
            while True:
                actions.append(self.update_action(word))
                if not self.at_op(","):
                    break
                self.i += 1
        return actions

    def update_action(self, word: str) -> tuple:
        path = self.path()
        if word == "SET":
            self.expect_op("=")
            value = self.set_operand()
            if self.at_op("+") or self.at_op("-"):
                op = self.take()[1]
                value = (op, value, self.set_operand())
            return ("SET", path, value)
        if word == "REMOVE":
            return ("REMOVE", path)
        tok = self.peek()
        if tok[0] != "value":
            self.fail()
        self.i += 1
        return (word, path, ("value", tok[1]))

    def set_operand(self) -> tuple:
        return self.operand(update=True)

    # -- projections --------------------------------------------------------------------------
    def projection(self) -> list[tuple]:
        paths = [self.path()]
        while self.at_op(","):
            self.i += 1
            paths.append(self.path())
        return paths


_CACHE: dict[tuple[str, str], Any] = {}


def _parse(kind: str, text: str) -> Any:
    key = (kind, text)
    tree = _CACHE.get(key)
    if tree is None:
        if not text.strip():
            raise ExprError("The expression can not be empty;")
        parser = _Parser(text)
        try:
            if kind == "update":
                tree = parser.update()
            elif kind == "projection":
                tree = parser.projection()
            else:
                tree = parser.condition()
            parser.end()
            tree = _settle(tree)
        except RecursionError:  # nested deeper than this recursive-descent parser goes
            raise ExprError("Syntax error; the expression is nested too deeply") from None
        if parser.reserved is not None:
            raise ExprError(f"Attribute name is a reserved keyword; reserved keyword: {parser.reserved}")
        if len(_CACHE) > 2048:
            _CACHE.clear()
        _CACHE[key] = tree
    return tree


_DISTINCT = ("cmp", "between", "in")


def _settle(node: Any) -> Any:
    """Drop the parenthesis markers (refusing doubled ones) and check operands are distinct."""
    if isinstance(node, list):
        return [_settle(n) for n in node]
    if not isinstance(node, tuple) or not node or not isinstance(node[0], str):
        return node
    kind = node[0]
    if kind == "paren":
        if node[1][0] == "paren":
            raise ExprError("The expression has redundant parentheses;")
        return _settle(node[1])
    if kind in ("path", "value"):
        return node
    settled = (kind,) + tuple(_settle(part) for part in node[1:])
    if kind == "fn" and settled[1] in ("contains", "begins_with"):
        first, rest = settled[2][0], settled[2][1:]
    elif kind == "cmp":
        first, rest = settled[2], [settled[3]]
    elif kind == "between":
        first, rest = settled[1], [settled[2], settled[3]]
    elif kind == "in":
        first, rest = settled[1], settled[2]
    else:
        return settled
    if first[0] == "path" and first in rest:
        operator = settled[1] if kind in ("fn", "cmp") else kind.upper()
        raise ExprError("The first operand must be distinct from the remaining operands for this operator or "
                        f"function; operator: {operator}, first operand: {_show_path(first[1])}")
    return settled


def parse_condition(text: str) -> tuple:
    return _parse("condition", text)


def parse_update(text: str) -> list[tuple]:
    return _parse("update", text)


def parse_projection(text: str) -> list[tuple]:
    return _parse("projection", text)


# -- binding ------------------------------------------------------------------------------------
class Binder:
    """Substitutes one request's names and values into parsed trees and checks their use."""

    def __init__(self, names: dict | None, values: dict | None) -> None:
        self.names = names or {}
        self.values = values or {}
        self.used_names: set[str] = set()
        self.used_values: set[str] = set()

    def path(self, node: tuple) -> tuple:
        elements = node[1]
        resolved = []
        for element in elements:
            if element.__class__ is str and element[0] == "#":
                name = self.names.get(element)
                if name is None:
                    raise ExprError("An expression attribute name used in the document path is not defined; "
                                    f"attribute name: {element}")
                self.used_names.add(element)
                resolved.append(name)
            else:
                resolved.append(element)
        return ("path", tuple(resolved))

    def value(self, node: tuple) -> tuple:
        name = node[1]
        value = self.values.get(name)
        if value is None:
            raise ExprError(f"An expression attribute value used in expression is not defined; attribute value: {name}")
        self.used_values.add(name)
        return ("value", value)

    def operand(self, node: tuple) -> tuple:
        kind = node[0]
        if kind == "path":
            return self.path(node)
        if kind == "value":
            return self.value(node)
        if kind == "size":
            inner = self.operand(node[1])
            if inner[0] == "value" and V.type_of(inner[1]) not in ("S", "B", "SS", "NS", "BS", "L", "M"):
                _operand_type("size", inner[1])
            return ("size", inner)
        if kind in ("+", "-"):
            left, right = self.operand(node[1]), self.operand(node[2])
            for side in (left, right):
                if side[0] == "value" and V.type_of(side[1]) != "N":
                    _operand_type(kind, side[1])
            return (kind, left, right)
        if kind == "if_not_exists":
            target = self.operand(node[1])
            if target[0] != "path":
                raise ExprError("Operator or function requires a document path; operator or function: if_not_exists")
            return (kind, target, self.operand(node[2]))
        if kind == "list_append":
            left, right = self.operand(node[1]), self.operand(node[2])
            for side in (left, right):
                if side[0] == "value" and V.type_of(side[1]) != "L":
                    _operand_type("list_append", side[1])
            return (kind, left, right)
        raise AssertionError(kind)

    def condition(self, node: tuple) -> tuple:
        kind = node[0]
        if kind in ("and", "or"):
            return (kind, self.condition(node[1]), self.condition(node[2]))
        if kind == "not":
            return ("not", self.condition(node[1]))
        if kind == "cmp":
            op = node[1]
            left, right = self.operand(node[2]), self.operand(node[3])
            if op not in ("=", "<>"):
                for side in (left, right):
                    if side[0] == "value" and V.type_of(side[1]) not in ("S", "N", "B"):
                        _operand_type(op, side[1])
            return ("cmp", op, left, right)
        if kind == "between":
            subject, low, high = (self.operand(n) for n in node[1:])
            if low[0] == "value" and high[0] == "value":
                lv, hv = low[1], high[1]
                if V.type_of(lv) != V.type_of(hv):
                    raise ExprError("The BETWEEN operator requires same data type for lower and upper bounds; "
                                    f"lower bound operand: AttributeValue: {V.describe(lv)}, upper bound operand: "
                                    f"AttributeValue: {V.describe(hv)}")
                order = V.compare(lv, hv)
                if order is not None and order > 0:
                    raise ExprError("The BETWEEN operator requires upper bound to be greater than or equal to "
                                    f"lower bound; lower bound operand: AttributeValue: {V.describe(lv)}, upper "
                                    f"bound operand: AttributeValue: {V.describe(hv)}")
            for side in (subject, low, high):
                if side[0] == "value" and V.type_of(side[1]) not in ("S", "N", "B"):
                    _operand_type("BETWEEN", side[1])
            return ("between", subject, low, high)
        if kind == "in":
            if len(node[2]) > 100:
                raise ExprError("The IN operator is provided with too many operands; number of operands: "
                                f"{len(node[2])}")
            return ("in", self.operand(node[1]), [self.operand(n) for n in node[2]])
        if kind == "fn":
            name = node[1]
            args = [self.operand(n) for n in node[2]]
            if name.startswith("attribute") and args[0][0] != "path":
                raise ExprError(f"Operator or function requires a document path; operator or function: {name}")
            if name == "attribute_type":
                kind_arg = args[1]
                if kind_arg[0] == "value":
                    value = kind_arg[1]
                    if V.type_of(value) != "S":
                        _operand_type(name, value)
                    if value["S"] not in _TYPES:
                        raise ExprError(f"Invalid attribute type name found; type: {value['S']}, valid types: "
                                        "{S,SS,N,NS,B,BS,BOOL,NULL,L,M}")
            if name == "begins_with":
                for side in args:
                    if side[0] == "value" and V.type_of(side[1]) not in ("S", "B"):
                        _operand_type(name, side[1])
            return ("fn", name, args)
        raise AssertionError(kind)

    def update(self, actions: list[tuple]) -> list[tuple]:
        bound: list[tuple] = []
        for action in actions:
            word = action[0]
            path = self.path(action[1])
            if word == "SET":
                bound.append(("SET", path, self.operand(action[2])))
            elif word == "REMOVE":
                bound.append(("REMOVE", path))
            else:
                value = self.value(action[2])
                kind = V.type_of(value[1])
                if (word == "ADD" and kind not in ("N", "SS", "NS", "BS")) or (
                        word == "DELETE" and kind not in ("SS", "NS", "BS")):
                    raise ExprError(f"Incorrect operand type for operator or function; operator: {word}, "
                                    f"operand type: {_TYPE_WORDS[kind]}, typeSet: ALLOWED_FOR_ADD_OPERAND")
                bound.append((word, path, value))
        check_overlaps([a[1][1] for a in bound], "")
        return bound

    def projection(self, paths: list[tuple]) -> list[tuple]:
        bound = [self.path(p) for p in paths]
        check_overlaps([p[1] for p in bound], "")
        return bound

    def unused(self) -> None:
        """AWS refuses names or values that no expression of the request used."""
        extra_names = [k for k in self.names if k not in self.used_names]
        if extra_names:
            raise V.invalid("Value provided in ExpressionAttributeNames unused in expressions: keys: {"
                            + ", ".join(extra_names) + "}")
        extra_values = [k for k in self.values if k not in self.used_values]
        if extra_values:
            raise V.invalid("Value provided in ExpressionAttributeValues unused in expressions: keys: {"
                            + ", ".join(extra_values) + "}")


def _operand_type(operator: str, value: dict) -> None:
    raise ExprError("Incorrect operand type for operator or function; operator or function: "
                    f"{operator}, operand type: {V.type_of(value)}")


def _show_path(elements: Iterable) -> str:
    return "[" + ", ".join(f"[{e}]" if isinstance(e, int) else e for e in elements) + "]"


def check_overlaps(paths: list[tuple], _: str) -> None:
    for j, later in enumerate(paths):
        for earlier in paths[:j]:
            n = min(len(earlier), len(later))
            if earlier[:n] == later[:n]:
                raise ExprError("Two document paths overlap with each other; must remove or rewrite one of "
                                f"these paths; path one: {_show_path(earlier)}, path two: {_show_path(later)}")


# -- evaluation ---------------------------------------------------------------------------------
def resolve(item: dict | None, elements: tuple) -> dict | None:
    """The value at a document path, or None."""
    if item is None:
        return None
    current = item.get(elements[0])
    for element in elements[1:]:
        if current is None:
            return None
        if element.__class__ is int:
            items = current.get("L")
            if items is None or element >= len(items):
                return None
            current = items[element]
        else:
            members = current.get("M")
            if members is None:
                return None
            current = members.get(element)
    return current


def operand_value(node: tuple, item: dict | None) -> dict | None:
    kind = node[0]
    if kind == "path":
        return resolve(item, node[1])
    if kind == "value":
        return node[1]
    if kind == "size":
        value = operand_value(node[1], item)
        if value is None:
            return None
        (vkind, inner), = value.items()
        if vkind == "S":
            return {"N": str(len(inner))}
        if vkind in ("B", "SS", "NS", "BS", "L", "M"):
            return {"N": str(len(inner))}
        return None
    raise AssertionError(kind)


def evaluate(node: tuple, item: dict | None) -> bool:
    """Whether ``item`` (None for no item) satisfies a bound condition."""
    kind = node[0]
    if kind == "cmp":
        op = node[1]
        left = operand_value(node[2], item)
        right = operand_value(node[3], item)
        if op == "=":
            return V.equal(left, right)
        if op == "<>":
            return not V.equal(left, right)
        order = V.compare(left, right)
        if order is None:
            return False
        if op == "<":
            return order < 0
        if op == "<=":
            return order <= 0
        if op == ">":
            return order > 0
        return order >= 0
    if kind == "and":
        return evaluate(node[1], item) and evaluate(node[2], item)
    if kind == "or":
        return evaluate(node[1], item) or evaluate(node[2], item)
    if kind == "not":
        return not evaluate(node[1], item)
    if kind == "between":
        subject = operand_value(node[1], item)
        low = V.compare(subject, operand_value(node[2], item))
        high = V.compare(subject, operand_value(node[3], item))
        return low is not None and high is not None and low >= 0 and high <= 0
    if kind == "in":
        subject = operand_value(node[1], item)
        return subject is not None and any(V.equal(subject, operand_value(o, item)) for o in node[2])
    if kind == "fn":
        name, args = node[1], node[2]
        if name == "attribute_exists":
            return resolve(item, args[0][1]) is not None
        if name == "attribute_not_exists":
            return resolve(item, args[0][1]) is None
        subject = operand_value(args[0], item)
        other = operand_value(args[1], item)
        if subject is None or other is None:
            return False
        if name == "attribute_type":
            return "S" in other and V.type_of(subject) == other["S"]
        if name == "begins_with":
            (sk, sv), = subject.items()
            (ok, ov), = other.items()
            return sk == ok and sk in ("S", "B") and sv.startswith(ov)
        if name == "contains":
            (sk, sv), = subject.items()
            (ok, ov), = other.items()
            if sk == "S" and ok == "S":
                return ov in sv
            if sk == "B" and ok == "B":
                return ov in sv
            if sk in V.SET_TYPES and V.SET_TYPES[sk] == ok:
                if ok == "N":
                    return Decimal(ov) in {Decimal(x) for x in sv}
                return ov in sv
            if sk == "L":
                return any(V.equal(element, other) for element in sv)
            return False
    raise AssertionError(kind)


def paths_in(node: Any) -> Iterable[tuple]:
    """Every document path a bound tree refers to."""
    if isinstance(node, tuple):
        if node and node[0] == "path":
            yield node[1]
            return
        for part in node[1:] if node and isinstance(node[0], str) else node:
            yield from paths_in(part)
    elif isinstance(node, list):
        for part in node:
            yield from paths_in(part)


# -- updates ----------------------------------------------------------------------------------
class UpdateError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_BAD_PATH = "The document path provided in the update expression is invalid for update"
_BAD_TYPE = "An operand in the update expression has an incorrect data type"
_MISSING = "The provided expression refers to an attribute that does not exist in the item"


def _set_value(node: tuple, item: dict | None) -> dict:
    kind = node[0]
    if kind == "value":
        return node[1]
    if kind == "path":
        value = resolve(item, node[1])
        if value is None:
            raise UpdateError(_MISSING)
        return value
    if kind == "if_not_exists":
        value = resolve(item, node[1][1])
        return value if value is not None else _set_value(node[2], item)
    if kind == "list_append":
        left, right = _set_value(node[1], item), _set_value(node[2], item)
        if "L" not in left or "L" not in right:
            raise UpdateError(_BAD_TYPE)
        return {"L": left["L"] + right["L"]}
    if kind in ("+", "-"):
        left, right = _set_value(node[1], item), _set_value(node[2], item)
        if "N" not in left or "N" not in right:
            raise UpdateError(_BAD_TYPE)
        a, b = Decimal(left["N"]), Decimal(right["N"])
        try:
            result = V.CONTEXT.add(a, b) if kind == "+" else V.CONTEXT.subtract(a, b)
        except ArithmeticError:
            raise UpdateError("Number overflow. Attempting to store a number with magnitude larger than supported range") from None
        try:
            return {"N": V.number_text(result)}
        except Exception as exc:  # AwsError from the range checks
            raise UpdateError(getattr(exc, "message", str(exc))) from None
    raise AssertionError(kind)


def _put_nested(container: dict, elements: tuple, value: dict | None) -> dict:
    """A copy of ``container`` (an M or L value) with ``value`` at ``elements`` (None removes)."""
    element = elements[0]
    rest = elements[1:]
    if element.__class__ is int:
        items = container.get("L")
        if items is None:
            raise UpdateError(_BAD_PATH)
        items = list(items)
        if not rest:
            if value is None:
                if element < len(items):
                    del items[element]
            elif element >= len(items):
                items.append(value)
            else:
                items[element] = value
            return {"L": items}
        if element >= len(items):
            if value is None:
                return container
            raise UpdateError(_BAD_PATH)
        items[element] = _put_nested(items[element], rest, value)
        return {"L": items}
    members = container.get("M")
    if members is None:
        raise UpdateError(_BAD_PATH)
    members = dict(members)
    if not rest:
        if value is None:
            members.pop(element, None)
        else:
            members[element] = value
        return {"M": members}
    child = members.get(element)
    if child is None:
        if value is None:
            return container
        raise UpdateError(_BAD_PATH)
    members[element] = _put_nested(child, rest, value)
    return {"M": members}


def _put(item: dict, elements: tuple, value: dict | None) -> None:
    """Set (or with None remove) the value at a path in a new top-level dict, copying on write."""
    first = elements[0]
    if len(elements) == 1:
        if value is None:
            item.pop(first, None)
        else:
            item[first] = value
        return
    child = item.get(first)
    if child is None:
        if value is None:
            return
        raise UpdateError(_BAD_PATH)
    item[first] = _put_nested(child, elements[1:], value)


def _remove_order(action: tuple) -> tuple:
    return tuple((1, e) if isinstance(e, int) else (0, e) for e in action[1][1])


def apply_update(actions: list[tuple], item: dict | None) -> dict:
    """The new item after bound update actions; every value is computed from the original item."""
    original = item or {}
    new = dict(original)
    sets = [(a[1][1], _set_value(a[2], original)) for a in actions if a[0] == "SET"]
    for elements, value in sets:
        _put(new, elements, value)
    removes = sorted((a for a in actions if a[0] == "REMOVE"), key=_remove_order, reverse=True)
    for action in removes:
        _put(new, action[1][1], None)
    for action in actions:
        word = action[0]
        if word not in ("ADD", "DELETE"):
            continue
        elements, operand = action[1][1], action[2][1]
        current = resolve(original, elements)
        (okind, ovalue), = operand.items()
        if word == "ADD":
            if current is None:
                result = operand
            elif okind == "N":
                if "N" not in current:
                    raise UpdateError(_BAD_TYPE)
                try:
                    result = {"N": V.number_text(V.CONTEXT.add(Decimal(current["N"]), Decimal(ovalue)))}
                except Exception as exc:
                    raise UpdateError(getattr(exc, "message", str(exc))) from None
            else:
                existing = current.get(okind)
                if existing is None:
                    raise UpdateError(_BAD_TYPE)
                result = {okind: _set_union(okind, existing, ovalue)}
        else:
            if current is None:
                continue
            existing = current.get(okind)
            if existing is None:
                raise UpdateError(_BAD_TYPE)
            remaining = _set_difference(okind, existing, ovalue)
            result = {okind: remaining} if remaining else None
        _put(new, elements, result)
    return new


def _set_union(kind: str, existing: list, extra: list) -> list:
    if kind == "NS":
        seen = {Decimal(v) for v in existing}
        return list(existing) + [v for v in extra if Decimal(v) not in seen]
    seen_plain = set(existing)
    return list(existing) + [v for v in extra if v not in seen_plain]


def _set_difference(kind: str, existing: list, removed: list) -> list:
    if kind == "NS":
        gone = {Decimal(v) for v in removed}
        return [v for v in existing if Decimal(v) not in gone]
    gone_plain = set(removed)
    return [v for v in existing if v not in gone_plain]


# -- projections --------------------------------------------------------------------------------
def projection_tree(paths: list[tuple]) -> dict:
    tree: dict = {}
    for path in paths:
        node = tree
        elements = path[1]
        for element in elements[:-1]:
            child = node.get(element)
            if not isinstance(child, dict):
                child = node[element] = {}
            node = child
        node[elements[-1]] = True
    return tree


def _project_value(value: dict, tree: dict) -> dict | None:
    (kind, inner), = value.items()
    if kind == "M":
        out = {}
        for key, sub in tree.items():
            if key.__class__ is str and key in inner:
                got = V.copy_value(inner[key]) if sub is True else _project_value(inner[key], sub)
                if got is not None:
                    out[key] = got
        return {"M": out} if out else None
    if kind == "L":
        picked = []
        for index in sorted(k for k in tree if k.__class__ is int):
            if index < len(inner):
                sub = tree[index]
                got = V.copy_value(inner[index]) if sub is True else _project_value(inner[index], sub)
                if got is not None:
                    picked.append(got)
        return {"L": picked} if picked else None
    return None


def project(item: dict, tree: dict) -> dict:
    """A copy of the parts of ``item`` named by a projection tree."""
    out = {}
    for name, sub in tree.items():
        value = item.get(name)
        if value is None:
            continue
        got = V.copy_value(value) if sub is True else _project_value(value, sub)
        if got is not None:
            out[name] = got
    return out
