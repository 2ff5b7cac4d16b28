"""The legacy (pre-expression) parameters, turned into the same bound trees expressions give:
Expected, AttributesToGet, AttributeUpdates, KeyConditions, QueryFilter and ScanFilter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import values as V

_NON_EXPRESSION = ("AttributesToGet", "Expected", "AttributeUpdates", "KeyConditions", "QueryFilter",
                   "ScanFilter", "ConditionalOperator")
_ARITY = {"EQ": 1, "NE": 1, "LE": 1, "LT": 1, "GE": 1, "GT": 1, "NOT_NULL": 0, "NULL": 0, "CONTAINS": 1,
          "NOT_CONTAINS": 1, "BEGINS_WITH": 1, "BETWEEN": 2}
_ARGUMENT_COUNT = "The attempted filter operation is not supported for the provided filter argument count"
_CMP = {"EQ": "=", "NE": "<>", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">"}


def refuse_mixing(params: Mapping[str, Any], expression_params: list[str]) -> None:
    legacy = [k for k in _NON_EXPRESSION if k in params]
    if legacy and expression_params:
        raise V.invalid("Can not use both expression and non-expression parameters in the same request: "
                        f"Non-expression parameters: {{{', '.join(legacy)}}} Expression parameters: "
                        f"{{{', '.join(expression_params)}}}")


def _invalid(detail: str) -> Exception:
    return V.invalid(f"One or more parameter values were invalid: {detail}")


def comparison(name: str, operator: str, values: list[dict], expected: bool = False) -> tuple:
    """One legacy condition; ``expected`` words argument-count errors as Expected does (filters and key
    conditions word them otherwise)."""
    path = ("path", (name,))
    operands = [("value", V.canon(v)) for v in values]
    arity = _ARITY.get(operator)
    count_error = (_invalid(f"Invalid number of argument(s) for the {operator} ComparisonOperator") if expected
                   else V.invalid(_ARGUMENT_COUNT))
    if operator == "IN":
        if not operands:
            raise count_error
        return ("in", path, operands)
    if arity is None:
        raise _invalid(f"Unsupported ComparisonOperator: {operator}")
    if len(operands) != arity:
        raise count_error
    if operator in _CMP:
        if operator not in ("EQ", "NE"):
            kind = V.type_of(operands[0][1])
            if kind not in ("S", "N", "B"):
                raise _invalid(f"ComparisonOperator {operator} is not valid for {kind} AttributeValue type")
        return ("cmp", _CMP[operator], path, operands[0])
    if operator == "NOT_NULL":
        return ("fn", "attribute_exists", [path])
    if operator == "NULL":
        return ("fn", "attribute_not_exists", [path])
    if operator == "CONTAINS":
        return ("fn", "contains", [path, operands[0]])
    if operator == "NOT_CONTAINS":
        return ("not", ("fn", "contains", [path, operands[0]]))
    if operator == "BEGINS_WITH":
        return ("fn", "begins_with", [path, operands[0]])
    return ("between", path, operands[0], operands[1])


def _combine(parts: list[tuple], operator: str | None) -> tuple | None:
    if not parts:
        return None
    if operator is not None and len(parts) < 2:
        raise V.invalid("ConditionalOperator can only be used when Filter or Expected has two or more elements")
    joiner = "or" if operator == "OR" else "and"
    tree = parts[0]
    for part in parts[1:]:
        tree = (joiner, tree, part)
    return tree


def expected(spec: dict, operator: str | None) -> tuple | None:
    parts = []
    for name, condition in spec.items():
        if "ComparisonOperator" in condition:
            comparator = condition["ComparisonOperator"]
            if "Value" in condition and "AttributeValueList" in condition:
                raise _invalid(f"Value and AttributeValueList cannot be used together for Attribute: {name}")
            if "Value" not in condition and "AttributeValueList" not in condition and _ARITY.get(comparator, 1):
                raise _invalid(f"Value or AttributeValueList must be used with ComparisonOperator: {comparator} for "
                               f"Attribute: {name}")
            values = condition["AttributeValueList"] if "AttributeValueList" in condition else (
                [condition["Value"]] if "Value" in condition else [])
            parts.append(comparison(name, comparator, values, expected=True))
            continue
        exists = condition.get("Exists", True)
        if not exists:
            if "Value" in condition:
                raise _invalid(f"Value cannot be used when Exists is false for Attribute: {name}")
            parts.append(("fn", "attribute_not_exists", [("path", (name,))]))
        else:
            if "Value" not in condition:
                raise _invalid(f"Value must be provided when Exists is true for Attribute: {name}")
            parts.append(("cmp", "=", ("path", (name,)), ("value", V.canon(condition["Value"]))))
    return _combine(parts, operator)


def filters(spec: dict, operator: str | None) -> tuple | None:
    return _combine([comparison(name, c["ComparisonOperator"], c.get("AttributeValueList", []))
                     for name, c in spec.items()], operator)


def key_conditions(spec: dict) -> tuple | None:
    parts = []
    for name, condition in spec.items():
        operator = condition["ComparisonOperator"]
        if operator not in ("EQ", "LE", "LT", "GE", "GT", "BEGINS_WITH", "BETWEEN"):
            raise _invalid(f"Unsupported operator on KeyCondition: {operator}")
        parts.append(comparison(name, operator, condition.get("AttributeValueList", [])))
    return _combine(parts, None)


def attribute_updates(spec: dict) -> list[tuple]:
    actions: list[tuple] = []
    for name, update in spec.items():
        action = update.get("Action", "PUT")
        path = ("path", (name,))
        value: Any = update.get("Value")
        if value is not None:
            value = V.canon(value)
        if action == "PUT":
            if value is None:
                raise _invalid(f"Only DELETE action is allowed when no attribute value is specified: {name}")
            actions.append(("SET", path, ("value", value)))
        elif action == "DELETE":
            if value is None:
                actions.append(("REMOVE", path))
            else:
                if V.type_of(value) not in V.SET_TYPES:
                    raise _invalid(f"DELETE action with value is not supported for the type {V.type_of(value)}")
                actions.append(("DELETE", path, ("value", value)))
        else:  # ADD
            if value is None:
                raise _invalid(f"Only DELETE action is allowed when no attribute value is specified: {name}")
            kind = V.type_of(value)
            if kind == "L":
                actions.append(("SET", path, ("list_append", ("if_not_exists", path, ("value", {"L": []})),
                                              ("value", value))))
            elif kind in ("N", "SS", "NS", "BS"):
                actions.append(("ADD", path, ("value", value)))
            else:
                raise _invalid(f"ADD action is not supported for the type {kind}")
    return actions
