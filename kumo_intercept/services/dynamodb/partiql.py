"""PartiQL for DynamoDB: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction.

Statements (keywords in any case, tables as ``"name"`` or ``name``, indexes as ``"table"."index"``):

    SELECT * | path, ... FROM table[.index] [WHERE condition]
    INSERT INTO table VALUE {'attr': value, ...}
    UPDATE table SET path = value [, ...] | REMOVE path [, ...] ... WHERE key-and-condition [RETURNING ...]
    DELETE FROM table WHERE key-and-condition [RETURNING ALL OLD *]

Values are literals ('text', numbers, TRUE/FALSE, NULL, [lists], {'maps': ...}, <<sets>>) or ``?``
parameters. Conditions use = <> != < <= > >=, AND/OR/NOT, BETWEEN, IN [...], IS [NOT] MISSING,
IS [NOT] NULL and begins_with/contains/attribute_type/size. WHERE clauses become the expression
trees of ``expressions.py``, so comparisons behave exactly as in condition expressions; a SELECT
whose WHERE fixes the partition key reads that partition only (a Query), otherwise it scans.
"""

from __future__ import annotations

import base64
import json
import re
from decimal import Decimal
from typing import Any, Literal, overload

from ...api import dynamodb
from ...core.dispatch import RequestContext
from ...core.errors import AwsError
from . import expressions as E
from . import values as V
from .engine import TableEngine, after, cancel

_TOKEN = re.compile(
    r"(?P<ws>\s+)|(?P<str>'(?:[^']|'')*')|(?P<qid>\"(?:[^\"]|\"\")*\")"
    r"|(?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<id>[A-Za-z_][A-Za-z0-9_$]*)|(?P<op><<|>>|<>|!=|<=|>=|[=<>()\[\]{},.:*?+\-])"
)


#: words that may follow a table name (anything else there is an alias, which DynamoDB refuses)
_CLAUSES = frozenset(("WHERE", "SET", "REMOVE", "RETURNING", "VALUE", "ORDER"))


def _malformed(detail: str = "") -> AwsError:
    return AwsError("ValidationException", "Statement wasn't well formed, can't be processed: " + (detail or
                    "Unexpected token"))


class _Statement:
    def __init__(self, text: str, parameters: list[dict] | None) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None:
                raise _malformed(f"Unexpected character: {text[pos]}")
            if m.lastgroup != "ws":
                self.tokens.append((m.lastgroup, m.group()))  # type: ignore[arg-type]
            pos = m.end()
        self.i = 0
        self.parameters = [V.canon(p) for p in parameters or []]
        self.used = 0

    # -- tokens ----------------------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> tuple[str, str]:
        j = self.i + ahead
        return self.tokens[j] if j < len(self.tokens) else ("eof", "")

    def word(self, *words: str) -> bool:
        kind, text = self.peek()
        return kind == "id" and text.upper() in words

    def op(self, text: str) -> bool:
        kind, value = self.peek()
        return kind == "op" and value == text

    def expect_word(self, word: str) -> None:
        if not self.word(word):
            raise _malformed(f"Expected {word}, found {self.peek()[1] or 'end of statement'}")
        self.i += 1

    def expect_op(self, text: str) -> None:
        if not self.op(text):
            raise _malformed(f"Expected {text}, found {self.peek()[1] or 'end of statement'}")
        self.i += 1

    def end(self) -> None:
        if self.i < len(self.tokens):
            raise _malformed("Unexpected token after expression")
        if self.used != len(self.parameters):
            raise AwsError("ValidationException", "Number of parameters in request and statement don't match.")

    # -- names and values ------------------------------------------------------------------------
    def name(self) -> str:
        kind, text = self.peek()
        if kind == "qid":
            self.i += 1
            return text[1:-1].replace('""', '"')
        if kind == "id":
            self.i += 1
            return text
        raise _malformed(f"Expected a name, found {text or 'end of statement'}")

    def table(self, alias_allowed: bool = False) -> tuple[str, str | None]:
        table = self.name()
        index = None
        if self.op("."):
            self.i += 1
            index = self.name()
        kind, text = self.peek()
        if not alias_allowed and kind in ("id", "qid") and text.upper() not in _CLAUSES:
            raise AwsError("ValidationException", "Aliasing is not supported")
        return table, index

    def path(self) -> tuple:
        elements: list[Any] = [self.name()]
        while True:
            if self.op("."):
                self.i += 1
                elements.append(self.name())
            elif self.op("["):
                self.i += 1
                kind, text = self.peek()
                if kind == "num" and text.isdigit():
                    elements.append(int(text))
                elif kind == "str":
                    elements.append(text[1:-1].replace("''", "'"))
                else:
                    raise _malformed("Expected an index")
                self.i += 1
                self.expect_op("]")
            else:
                return ("path", tuple(elements))

    def value(self, where: str = "root") -> dict:
        """A literal (or a ``?`` parameter); ``where`` names its place for AWS's number messages: each
        attribute value is a "root" ("" marks the item tuple itself)."""
        kind, text = self.peek()
        if kind == "op" and text == "?":
            self.i += 1
            if self.used >= len(self.parameters):
                raise AwsError("ValidationException", "Number of parameters in request and statement don't match.")
            self.used += 1
            return self.parameters[self.used - 1]
        if kind == "str":
            self.i += 1
            return {"S": text[1:-1].replace("''", "'")}
        if kind == "num" or (kind == "op" and text == "-" and self.peek(1)[0] == "num"):
            negative = text == "-"
            if negative:
                self.i += 1
            self.i += 1
            number = self.tokens[self.i - 1][1]
            try:
                return {"N": V.number_text(-Decimal(number) if negative else Decimal(number))}
            except AwsError as exc:
                raise AwsError("ValidationException", f"{exc.message} under {where}") from None
        if kind == "id" and text.upper() in ("TRUE", "FALSE"):
            self.i += 1
            return {"BOOL": text.upper() == "TRUE"}
        if kind == "id" and text.upper() == "NULL":
            self.i += 1
            return {"NULL": True}
        if kind == "op" and text == "[":
            self.i += 1
            items: list[dict] = []
            while not self.op("]"):
                items.append(self.value(f"{where}[{len(items)}]"))
                if not self.op("]"):
                    self.expect_op(",")
            self.i += 1
            return {"L": items}
        if kind == "op" and text == "{":
            self.i += 1
            members = {}
            while not self.op("}"):
                key_kind, key = self.peek()
                if key_kind != "str":
                    raise _malformed("Expected a string key in a tuple")
                self.i += 1
                self.expect_op(":")
                name = key[1:-1].replace("''", "'")
                members[name] = self.value(f"{where}.{name}" if where else "root")
                if not self.op("}"):
                    self.expect_op(",")
            self.i += 1
            return {"M": members}
        if kind == "op" and text == "<<":
            self.i += 1
            elements = []
            while not self.op(">>"):
                elements.append(self.value())
                if not self.op(">>"):
                    self.expect_op(",")
            self.i += 1
            kinds = {V.type_of(e) for e in elements}
            if len(kinds) != 1 or next(iter(kinds)) not in ("S", "N", "B"):
                raise AwsError("ValidationException", "Unsupported set: sets must hold strings, numbers or binaries "
                               "of one type")
            kind_name = next(iter(kinds))
            return V.canon({kind_name + "S": [e[kind_name] for e in elements]})
        raise _malformed(f"Unexpected token: {text or 'end of statement'}")

    def operand(self) -> tuple:
        kind, text = self.peek()
        if kind in ("qid", "id") and not (kind == "id" and text.upper() in ("TRUE", "FALSE", "NULL")):
            if kind == "id" and self.peek(1) == ("op", "("):
                return self.function()
            return self.path()
        return ("value", self.value())

    def function(self) -> tuple:
        name = self.peek()[1].lower()
        self.i += 2
        args = [self.operand()]
        while self.op(","):
            self.i += 1
            args.append(self.operand())
        self.expect_op(")")
        if name == "size" and len(args) == 1:
            return ("size", args[0])
        if name in ("begins_with", "contains", "attribute_type") and len(args) == 2:
            return ("fn", name, args)
        if name in ("list_append", "set_add", "set_delete") and len(args) == 2:
            return (name, args[0], args[1])
        raise AwsError("ValidationException", f"Unsupported function: {name}")

    # -- conditions ------------------------------------------------------------------------------
    def condition(self) -> tuple:
        left = self.conjunction()
        while self.word("OR"):
            self.i += 1
            left = ("or", left, self.conjunction())
        return left

    def conjunction(self) -> tuple:
        left = self.negation()
        while self.word("AND"):
            self.i += 1
            left = ("and", left, self.negation())
        return left

    def negation(self) -> tuple:
        if self.word("NOT"):
            self.i += 1
            return ("not", self.negation())
        return self.predicate()

    def predicate(self) -> tuple:
        if self.op("("):
            self.i += 1
            inner = self.condition()
            self.expect_op(")")
            return inner
        left = self.operand()
        if left[0] == "fn":
            return left
        kind, text = self.peek()
        if kind == "op" and text in ("=", "<>", "!=", "<", "<=", ">", ">="):
            self.i += 1
            return ("cmp", "<>" if text == "!=" else text, left, self.operand())
        if self.word("BETWEEN"):
            self.i += 1
            low = self.operand()
            self.expect_word("AND")
            return ("between", left, low, self.operand())
        if self.word("IN"):
            self.i += 1
            closing = "]" if self.op("[") else ")"
            self.expect_op("[" if closing == "]" else "(")
            options = [self.operand()]
            while self.op(","):
                self.i += 1
                options.append(self.operand())
            self.expect_op(closing)
            return ("in", left, options)
        if self.word("IS"):
            self.i += 1
            negated = self.word("NOT")
            if negated:
                self.i += 1
            if self.word("MISSING"):
                self.i += 1
                return ("fn", "attribute_exists" if negated else "attribute_not_exists", [left])
            self.expect_word("NULL")
            test = ("fn", "attribute_type", [left, ("value", {"S": "NULL"})])
            return ("not", test) if negated else test
        raise _malformed(f"Unexpected token: {text or 'end of statement'}")


# -- planning ---------------------------------------------------------------------------------
def _conjuncts(node: tuple | None) -> list[tuple]:
    if node is None:
        return []
    if node[0] == "and":
        return _conjuncts(node[1]) + _conjuncts(node[2])
    return [node]


def _key_equalities(condition: tuple | None) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for part in _conjuncts(condition):
        if part[0] == "cmp" and part[1] == "=":
            left, right = part[2], part[3]
            if left[0] == "value" and right[0] == "path":
                left, right = right, left
            if left[0] == "path" and right[0] == "value" and len(left[1]) == 1:
                found.setdefault(left[1][0], right[1])
    return found


def _full_key(info: Any, condition: tuple | None) -> dict:
    equalities = _key_equalities(condition)
    names = [n for n in (info.hash_name, info.range_name) if n]
    if not all(n in equalities for n in names):
        raise AwsError("ValidationException", "Where clause does not contain a mandatory equality on all key "
                       "attributes")
    return {n: equalities[n] for n in names}


def _encode_token(key: dict) -> str:
    plain = {k: {t: (base64.b64encode(v).decode() if isinstance(v, bytes) else v) for t, v in av.items()}
             for k, av in key.items()}
    return base64.b64encode(json.dumps(plain).encode()).decode()


def _decode_token(token: str) -> dict:
    try:
        plain = json.loads(base64.b64decode(token))
        return {k: {t: (base64.b64decode(v) if t == "B" else v) for t, v in av.items()} for k, av in plain.items()}
    except Exception:
        raise AwsError("ValidationException", "Invalid NextToken") from None


class _Runner:
    """Runs statements against the DynamoDB engine."""

    def __init__(self, engine: TableEngine, ctx: RequestContext) -> None:
        self.engine = engine
        self.ctx = ctx

    def parse(self, text: str, parameters: list | None) -> tuple[str, Any, _Statement]:
        st = _Statement(text, parameters)
        try:
            if st.word("SELECT"):
                return "SELECT", self._select(st), st
            if st.word("INSERT"):
                return "INSERT", self._insert(st), st
            if st.word("UPDATE"):
                return "UPDATE", self._update(st), st
            if st.word("DELETE"):
                return "DELETE", self._delete(st), st
        except RecursionError:  # nested deeper than this recursive-descent parser goes
            raise _malformed("Expression nested too deeply") from None
        raise _malformed(f"Unexpected keyword: {st.peek()[1] or 'end of statement'}")

    def _where(self, st: _Statement) -> tuple | None:
        if st.word("WHERE"):
            st.i += 1
            return st.condition()
        return None

    def _select(self, st: _Statement) -> dict:
        st.i += 1
        paths: list[tuple] | None = None
        if st.op("*"):
            st.i += 1
        else:
            paths = [st.path()]
            while st.op(","):
                st.i += 1
                paths.append(st.path())
        st.expect_word("FROM")
        table, index = st.table()
        where = self._where(st)
        st.end()
        return {"table": table, "index": index, "paths": paths, "where": where}

    def _insert(self, st: _Statement) -> dict:
        st.i += 1
        st.expect_word("INTO")
        table, _ = st.table(alias_allowed=True)
        if not st.word("VALUE"):
            raise _malformed("Unexpected token after expression")
        st.i += 1
        item = st.value("")
        if "M" not in item:
            raise _malformed("INSERT takes a tuple: VALUE {'attribute': value, ...}")
        st.end()
        return {"table": table, "item": item["M"]}

    def _update(self, st: _Statement) -> dict:
        st.i += 1
        table, _ = st.table()
        actions: list[tuple] = []
        while st.word("SET", "REMOVE"):
            word = st.peek()[1].upper()
            st.i += 1
            while True:
                path = st.path()
                if word == "REMOVE":
                    actions.append(("REMOVE", path))
                else:
                    st.expect_op("=")
                    value = st.operand()
                    if st.op("+") or st.op("-"):
                        op = st.peek()[1]
                        st.i += 1
                        value = (op, value, st.operand())
                    if value[0] == "set_add":
                        actions.append(("ADD", path, value[2]))
                    elif value[0] == "set_delete":
                        actions.append(("DELETE", path, value[2]))
                    else:
                        actions.append(("SET", path, value))
                if not st.op(","):
                    break
                st.i += 1
        if not actions:
            raise _malformed("UPDATE needs SET or REMOVE")
        where = self._where(st)
        returning = self._returning(st)
        st.end()
        return {"table": table, "actions": actions, "where": where, "returning": returning}

    def _delete(self, st: _Statement) -> dict:
        st.i += 1
        st.expect_word("FROM")
        table, _ = st.table()
        where = self._where(st)
        returning = self._returning(st)
        st.end()
        return {"table": table, "where": where, "returning": returning}

    @staticmethod
    def _returning(st: _Statement) -> str | None:
        if not st.word("RETURNING"):
            return None
        st.i += 1
        which = st.peek()[1].upper()
        st.i += 1
        age = st.peek()[1].upper()
        st.i += 1
        st.expect_op("*")
        if which not in ("ALL", "MODIFIED") or age not in ("OLD", "NEW"):
            raise _malformed("RETURNING takes ALL OLD *, MODIFIED OLD *, ALL NEW * or MODIFIED NEW *")
        return f"{'UPDATED' if which == 'MODIFIED' else 'ALL'}_{age}"

    # -- execution -----------------------------------------------------------------------------------
    @overload
    def select(self, plan: dict, limit: int | None, token: str | None, consistent: bool,
               need_key: Literal[False] = False) -> dynamodb.ExecuteStatementOutput: ...

    @overload
    def select(self, plan: dict, limit: int | None, token: str | None, consistent: bool,
               need_key: Literal[True]) -> dynamodb.ItemResponse: ...

    def select(self, plan: dict, limit: int | None, token: str | None, consistent: bool,
               need_key: bool = False) -> dynamodb.ExecuteStatementOutput | dynamodb.ItemResponse:
        """A page of items, or with ``need_key`` the one item the where clause's full key names."""
        engine = self.engine
        info = engine.table(self.ctx, plan["table"])
        ix = None
        if plan["index"] is not None:
            ix = info.indexes.get(plan["index"])
            if ix is None:
                raise AwsError("ValidationException", "The table does not have the specified index")
            if ix.kind == "GSI" and consistent:
                raise AwsError("ValidationException",
                               "Strongly consistent read is not supported on Global Secondary Indexes")
        where = plan["where"]
        if need_key:
            key = _full_key(info, where)
            engine.expire(info)
            item = engine.items.get(engine.key(info, key))
            if item is None or (where is not None and not E.evaluate(where, item)):
                return {}
            tree = E.projection_tree(plan["paths"]) if plan["paths"] else None
            return {"Item": E.project(item, tree) if tree else V.copy_item(item)}
        hash_name = ix.hash_name if ix else info.hash_name
        equalities = _key_equalities(where)
        high: tuple | None
        if hash_name in equalities and not (ix and ix.composite):  # a multi-attribute index is read whole
            _prefix, low, high = engine.key_range(info, ix, ("cmp", "=", ("path", (hash_name,)),
                                                             ("value", equalities[hash_name])))
        else:
            low, high = (info.key if ix is None else ()), (after(info.key) if ix is None else None)
        if token is not None:
            low = max(low, after(engine.start_after(info, ix, _decode_token(token))))
        projection = E.projection_tree(plan["paths"]) if plan["paths"] else None
        select = "SPECIFIC_ATTRIBUTES" if projection else ("ALL_PROJECTED_ATTRIBUTES" if ix else "ALL_ATTRIBUTES")
        engine.expire(info)
        page = engine.page(self.ctx, info, ix, {"Limit": limit, "ConsistentRead": consistent}, low, high,
                           False, where, projection, select)
        out: dynamodb.ExecuteStatementOutput = {"Items": page["Items"]}
        if "LastEvaluatedKey" in page:
            out["NextToken"] = _encode_token(page["LastEvaluatedKey"])
            out["LastEvaluatedKey"] = page["LastEvaluatedKey"]
        return out

    def plan_write(self, kind: str, plan: dict, old_on_failure: bool = False) -> tuple:
        """(info, storage key, old item, new item or None, returned attributes) or raises."""
        engine = self.engine
        info = engine.table(self.ctx, plan["table"])
        engine.expire(info)
        if kind == "INSERT":
            item = V.canon_item(plan["item"])
            key = engine.item_key(info, item)
            if info.indexes:
                engine.check_index_keys(info, item)
            engine.check_size(item)
            old = engine.items.get(key)
            if old is not None:
                raise AwsError("DuplicateItemException", "Duplicate primary key exists in table")
            return info, key, None, item, None
        where = plan["where"]
        key_values = _full_key(info, where)
        key = engine.key(info, key_values)
        old = engine.items.get(key)
        failed = AwsError("ConditionalCheckFailedException", "The conditional request failed",
                          fields={"Item": V.copy_item(old)} if old_on_failure and old is not None else None)
        if kind == "DELETE":
            if where is not None and old is not None and not E.evaluate(where, old):
                raise failed
            returned = V.copy_item(old) if plan["returning"] and old is not None else None
            return info, key, old, None, returned
        if old is None or (where is not None and not E.evaluate(where, old)):
            raise failed
        actions = plan["actions"]
        engine.check_key_updates(info, actions)
        try:
            E.check_overlaps([a[1][1] for a in actions], "")
        except E.ExprError as exc:
            raise AwsError("ValidationException", exc.message) from None
        new = engine.updated(info, key, key_values, old, actions)
        returned = None
        returning = plan["returning"]
        if returning in ("ALL_OLD", "ALL_NEW"):
            returned = V.copy_item(old if returning == "ALL_OLD" else new)
        elif returning:
            tree = E.projection_tree([("path", a[1][1]) for a in actions])
            returned = E.project(old if returning == "UPDATED_OLD" else new, tree)
        return info, key, old, new, returned


def execute_statement(engine: TableEngine, ctx: RequestContext) -> dynamodb.ExecuteStatementOutput:
    params = ctx.params
    runner = _Runner(engine, ctx)
    kind, plan, _st = runner.parse(params["Statement"], params.get("Parameters"))
    if kind == "SELECT":
        return runner.select(plan, params.get("Limit"), params.get("NextToken"), bool(params.get("ConsistentRead")))
    info, key, old, new, returned = runner.plan_write(
        kind, plan, params.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD")
    engine.write(ctx, info, key, old, new)
    return {"Items": [returned] if returned else []}


def batch_execute_statement(engine: TableEngine, ctx: RequestContext) -> dynamodb.BatchExecuteStatementOutput:
    statements = ctx.params["Statements"]
    if len(statements) > 25:
        raise AwsError("ValidationException", "1 validation error detected: Value at 'statements' failed to satisfy "
                       "constraint: Member must have length less than or equal to 25")
    runner = _Runner(engine, ctx)
    responses: list[dynamodb.BatchStatementResponse] = []
    for request in statements:
        kind, plan, _st = runner.parse(request["Statement"], request.get("Parameters"))
        table = plan["table"]
        try:
            if kind == "SELECT":
                try:
                    got = runner.select(plan, None, None, bool(request.get("ConsistentRead")), need_key=True)
                except AwsError as exc:
                    if "mandatory equality" in exc.message:
                        raise AwsError("ValidationException", "Select statements within BatchExecuteStatement must "
                                       "specify the primary key in the where clause.") from None
                    raise
                responses.append({"TableName": table, **got})
                continue
            savepoint = ctx.store.begin()
            try:
                info, key, old, new, _returned = runner.plan_write(kind, plan)
                engine.write(ctx, info, key, old, new)
            except BaseException:
                ctx.store.rollback(savepoint)
                raise
            ctx.store.commit(savepoint)
            responses.append({"TableName": table})
        except AwsError as exc:
            code = exc.code.replace("Exception", "") if exc.code != "ValidationException" else "ValidationError"
            error: dynamodb.BatchStatementError = {"Code": code, "Message": exc.message}
            responses.append({"TableName": table, "Error": error})
    return {"Responses": responses}


def execute_transaction(engine: TableEngine, ctx: RequestContext) -> dynamodb.ExecuteTransactionOutput:
    statements = ctx.params["TransactStatements"]
    if len(statements) > 100:
        raise AwsError("ValidationException", "1 validation error detected at 'transactStatements' failed to satisfy "
                       "constraint: Member must have length less than or equal to 100")
    runner = _Runner(engine, ctx)
    parsed = [runner.parse(s["Statement"], s.get("Parameters")) for s in statements]
    kinds = {kind == "SELECT" for kind, _plan, _st in parsed}
    if len(kinds) > 1:
        raise AwsError("ValidationException", "Transactions must contain either all reads or all writes")
    if parsed and parsed[0][0] == "SELECT":
        return {"Responses": [runner.select(plan, None, None, True, need_key=True) for _k, plan, _s in parsed]}
    reasons: list[dict] = []
    writes = []
    seen = set()
    failed = False
    for kind, plan, _st in parsed:
        try:
            info, key, old, new, _returned = runner.plan_write(kind, plan)
        except AwsError as exc:
            if exc.code in ("ConditionalCheckFailedException", "DuplicateItemException"):
                code = "ConditionalCheckFailed" if exc.code.startswith("Conditional") else "DuplicateItem"
                reasons.append({"Code": code, "Message": exc.message})
                failed = True
                continue
            raise
        if key in seen:
            raise AwsError("ValidationException", "Transaction request cannot include multiple operations on one item")
        seen.add(key)
        reasons.append({"Code": "None"})
        writes.append((info, key, old, new))
    if failed:
        cancel(reasons)
    for info, key, old, new in writes:
        engine.write(ctx, info, key, old, new)
    return {}
