"""DynamoDB attribute values: validation and canonical form, sizes, ordering and key encodings.

Items are kept exactly in the wire format (``{"name": {"S": "x"}, "n": {"N": "12.5"}}``) with
numbers in canonical form (``"1.50"`` is stored as ``"1.5"``, ``"1e2"`` as ``"100"``), blobs as
``bytes`` and sets as lists. ``canon`` builds that form from what a caller passed (a new object, so
later changes to the caller's dicts never reach the store); ``copy_item`` copies a stored item for
a response.

Key encodings (``key_bytes``) are byte strings whose order is DynamoDB's order for the type: S by
UTF-8 bytes, B bytewise, N numerically.
"""

from __future__ import annotations

import base64
import contextlib
import decimal
import re
from decimal import Decimal
from typing import Any, Iterator

from ...core.errors import AwsError

#: arithmetic on N values: 38 significant digits, as DynamoDB computes
CONTEXT = decimal.Context(prec=38, rounding=decimal.ROUND_HALF_EVEN, Emin=-999999, Emax=999999,
                          traps=[decimal.InvalidOperation, decimal.DivisionByZero])
_WIDE = decimal.Context(prec=200, Emin=-999999, Emax=999999)
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_VALUE_KEY = re.compile(r":[A-Za-z0-9_]+")
MAX_ITEM_BYTES = 400 * 1024
SET_TYPES = {"SS": "S", "NS": "N", "BS": "B"}
_SET_NAMES = {"SS": "string", "NS": "number", "BS": "binary"}


def invalid(message: str) -> AwsError:
    return AwsError("ValidationException", message)


class _Wording:
    """AWS checks values in one of two layers, and the operation decides which: PutItem, UpdateItem,
    DeleteItem, GetItem, BatchGetItem and Query word a bad value one way ("current"), BatchWriteItem,
    the transactions and Scan another ("older")."""

    older = False


@contextlib.contextmanager
def older_wording() -> Iterator[None]:
    previous, _Wording.older = _Wording.older, True
    try:
        yield
    finally:
        _Wording.older = previous


# -- numbers ---------------------------------------------------------------------------------
def parse_number(text: str) -> Decimal:
    if not isinstance(text, str) or _NUMBER.fullmatch(text) is None:
        if _Wording.older and not text:
            raise invalid("The parameter cannot be converted to a numeric value")
        raise invalid(f"The parameter cannot be converted to a numeric value: {text}")
    return Decimal(text)


def number_text(value: Decimal) -> str:
    """The canonical text of a number, checked against DynamoDB's precision and range."""
    if not value:
        return "0"
    value = value.normalize(_WIDE)
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite: parse_number refuses NaN and Infinity
    if len(digits) > 38:
        raise invalid("Attempting to store more than 38 significant digits in a Number")
    adjusted = exponent + len(digits) - 1
    if adjusted > 125:
        raise invalid("Number overflow. Attempting to store a number with magnitude larger than supported range")
    if adjusted < -130:
        raise invalid("Number underflow. Attempting to store a number with magnitude smaller than supported range")
    return format(value, "f")


def canonical_number(text: str) -> str:
    if text.isascii() and text.isdigit() and len(text) <= 38 and (text[0] != "0" or text == "0"):
        return text  # a plain integer is already canonical
    return number_text(parse_number(text))


def number_key(text: str) -> bytes:
    """Order-preserving bytes of a canonical number: sign, decimal exponent, significant digits."""
    negative = text.startswith("-")
    magnitude = text[1:] if negative else text
    if magnitude.isascii() and magnitude.isdigit() and magnitude[0] != "0":
        # a non-zero integer (most number keys): its digits and length say it all, no Decimal needed
        exp = len(magnitude) + 32768
        digit_text = magnitude.rstrip("0")
    else:
        value = Decimal(text)
        if not value:
            return b"\x80"
        sign, digits, exponent = value.normalize(_WIDE).as_tuple()
        assert isinstance(exponent, int)  # stored numbers are finite
        negative = bool(sign)
        exp = exponent + len(digits) + 32768
        digit_text = "".join(map(str, digits))
    if not negative:
        return b"\xc0" + exp.to_bytes(2, "big") + digit_text.encode()
    flipped = digit_text.translate(_FLIP)
    return b"\x40" + (65535 - exp).to_bytes(2, "big") + flipped.encode() + b"~"


_FLIP = str.maketrans("0123456789", "9876543210")


# -- canonical form of incoming values ----------------------------------------------------------
def _blob(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if hasattr(value, "read"):
        data = value.read()
        return data.encode() if isinstance(data, str) else bytes(data)
    raise invalid("Invalid binary value")


_NESTING = ("Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond "
            "supported limit")
MAX_DEPTH = 32


def canon(av: Any, depth: int = 1) -> dict:
    """A validated, canonical copy of one AttributeValue (``depth``: its nesting level, the attribute is 1)."""
    if depth > MAX_DEPTH:
        raise invalid(_NESTING)
    if not isinstance(av, dict) or len(av) != 1:
        # two types is a refusal of its own (the service's answer quoted in aws/aws-sdk-net#428)
        how = "has more than one datatypes set" if isinstance(av, dict) and len(av) > 1 else "is empty"
        raise invalid(f"Supplied AttributeValue {how}, must contain exactly one of the supported datatypes")
    (kind, value), = av.items()
    if kind == "S":
        return {"S": value}
    if kind == "N":
        return {"N": canonical_number(value)}
    if kind == "B":
        return {"B": _blob(value)}
    if kind == "BOOL":
        return {"BOOL": bool(value)}
    if kind == "NULL":
        if value is not True:
            raise invalid("One or more parameter values were invalid: Null attribute value types must have the value of true")
        return {"NULL": True}
    if kind == "M":
        return {"M": {k: canon(v, depth + 1) for k, v in value.items()}}
    if kind == "L":
        return {"L": [canon(v, depth + 1) for v in value]}
    if kind in SET_TYPES:
        if not value:
            if kind == "BS":
                raise invalid("One or more parameter values were invalid: Binary sets should not be empty")
            raise invalid(f"One or more parameter values were invalid: An {_SET_NAMES[kind]} set  may not be empty")
        members: list[Any]
        if kind == "NS":
            members = [canonical_number(v) for v in value]
        elif kind == "BS":
            members = [_blob(v) for v in value]
        else:
            members = list(value)
        if len(set(members)) != len(members):
            raise invalid(_duplicates(kind, members))
        return {kind: members}
    raise invalid(f"Supplied AttributeValue has unknown type {kind}")


def _duplicates(kind: str, members: list) -> str:
    """AWS's refusal of a set with a repeated member, in the operation's wording."""
    prefix = "One or more parameter values were invalid: Input collection "
    if kind == "NS":
        return "Input collection contains duplicates" if _Wording.older else prefix + "contains duplicates."
    show = (lambda v: base64.b64encode(v).decode()) if kind == "BS" else str
    if _Wording.older:
        shown = "[" + ", ".join(show(v) for v in members) + "]"
    else:  # the members seen up to the first repeat in byte order, the repeat, then the rest as sent
        seen: list = []
        for index, member in enumerate(members):
            if member in seen:
                ordered = sorted(seen, key=lambda v: v if isinstance(v, bytes) else v.encode())
                listed = ordered + [member] + members[index + 1:]
                break
            seen.append(member)
        quoted = [f'"{show(v)}"' for v in listed]
        shown = "[" + ("," if kind == "BS" else ", ").join(quoted) + "]"
    return prefix + shown + (" " if kind != "BS" else "of type BS ") + "contains duplicates."


def canon_item(item: dict) -> dict:
    return {name: canon(value) for name, value in item.items()}


def canon_values(values: dict | None) -> dict:
    """ExpressionAttributeValues, checked and canonical."""
    if not values:
        return {}
    out = {}
    for key, value in values.items():
        if _VALUE_KEY.fullmatch(key) is None:
            raise invalid(f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"')
        if not _Wording.older:
            out[key] = canon(value)
            continue
        try:
            out[key] = canon(value)
        except AwsError as exc:
            raise invalid(f"ExpressionAttributeValues contains invalid value: {exc.message} for key {key}") from None
    return out


# -- copies for responses ---------------------------------------------------------------------
#: types whose value is immutable (str, bytes, bool): a copy needs a new envelope only
_IMMUTABLE_TYPES = frozenset({"S", "N", "B", "BOOL", "NULL"})


def copy_value(av: dict) -> dict:
    (kind, value), = av.items()
    if kind in _IMMUTABLE_TYPES:
        return {kind: value}
    if kind == "M":
        return {"M": {k: copy_value(v) for k, v in value.items()}}
    if kind == "L":
        return {"L": [copy_value(v) for v in value]}
    if kind in SET_TYPES:
        return {kind: list(value)}
    return {kind: value}


def copy_item(item: dict) -> dict:
    out = {}
    for name, av in item.items():
        for kind in av:  # a stored value has exactly one type
            out[name] = av.copy() if kind in _IMMUTABLE_TYPES else copy_value(av)
    return out


# -- sizes ------------------------------------------------------------------------------------
def value_size(av: dict) -> int:
    (kind, value), = av.items()
    if kind == "S":
        return len(value.encode())
    if kind == "N":
        return _number_size(value)
    if kind == "B":
        return len(value)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(v.encode()) for v in value)
    if kind == "NS":
        return sum(_number_size(v) for v in value)
    if kind == "BS":
        return sum(len(v) for v in value)
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in value)
    return 3 + sum(len(k.encode()) + value_size(v) + 1 for k, v in value.items())  # M


def _number_size(text: str) -> int:
    digits = len(text.replace(".", "").strip("-0")) or 1
    return (digits + 1) // 2 + 1


def item_size(item: dict) -> int:
    """DynamoDB's size of an item: names and values, as capacity and the 400 KB limit count them."""
    total = 0
    for name, av in item.items():
        total += len(name) if name.isascii() else len(name.encode())
        for kind, value in av.items():
            if kind == "S":
                total += len(value) if value.isascii() else len(value.encode())
            elif kind == "N":
                total += _number_size(value)
            else:
                total += value_size(av)
    return total


# -- keys and ordering ------------------------------------------------------------------------
def key_bytes(av: dict) -> bytes:
    """Order-preserving bytes of a key attribute value (S, N or B)."""
    (kind, value), = av.items()
    if kind == "S":
        return value.encode()
    if kind == "N":
        return number_key(value)
    return value


def type_of(av: dict) -> str:
    return next(iter(av))


def equal(a: dict | None, b: dict | None) -> bool:
    """DynamoDB equality: same type and value, sets compared as sets, numbers by value."""
    if a is None or b is None:
        return False
    (ka, va), = a.items()
    (kb, vb), = b.items()
    if ka != kb:
        return False
    if ka == "N":
        return va == vb or Decimal(va) == Decimal(vb)
    if ka in SET_TYPES:
        if ka == "NS":
            return {Decimal(v) for v in va} == {Decimal(v) for v in vb}
        return set(va) == set(vb)
    if ka == "L":
        return len(va) == len(vb) and all(equal(x, y) for x, y in zip(va, vb))
    if ka == "M":
        return va.keys() == vb.keys() and all(equal(va[k], vb[k]) for k in va)
    return va == vb


def compare(a: dict | None, b: dict | None) -> int | None:
    """-1, 0 or 1 for two values of the same scalar type (S, N, B); None when not comparable."""
    if a is None or b is None:
        return None
    (ka, va), = a.items()
    (kb, vb), = b.items()
    if ka != kb or ka not in ("S", "N", "B"):
        return None
    if ka == "N":
        va, vb = Decimal(va), Decimal(vb)
    elif ka == "S":
        va, vb = va.encode(), vb.encode()
    return (va > vb) - (va < vb)


def describe(av: dict) -> str:
    """AWS's rendering of a value in messages: ``{N:10}``."""
    (kind, value), = av.items()
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return "{" + f"{kind}:{value}" + "}"


def copy_result(value: Any) -> Any:
    """A deep copy of a response fragment made of dicts, lists and scalars."""
    if isinstance(value, dict):
        return {k: copy_result(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_result(v) for v in value]
    return value
