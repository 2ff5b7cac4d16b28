"""The input checks AWS makes on its side and botocore does not: maximum lengths and values, patterns
and enums from the service model, reported in AWS's own "N validation errors detected" form.

botocore validates types, required members and minimums before the call reaches us; AWS validates
the rest. A backend opts in by setting ``input_error_code`` on its class. For clients that turn
botocore's validation off, ``check_unvalidated_input`` answers wrong types and missing members as AWS's
deserializer does.
"""

from __future__ import annotations

import datetime
import functools
import re
from typing import Any

from botocore.model import Shape
from botocore.utils import parse_timestamp

from .errors import AwsError


@functools.lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    """Compile a model pattern (Java regex syntax) for Python, or None if it cannot be expressed."""
    # Java writes astral code points as \u10000; Python needs \U00010000.
    python = re.sub(r"\\u([0-9A-Fa-f]{5,6})", lambda m: "\\U" + m.group(1).rjust(8, "0"), pattern)
    try:
        return re.compile(python)
    except re.error:
        return None


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _quote(value: Any) -> str:
    """The value as the message shows it: whole, however long (AWS-recorded messages quote 513-, 1025- and
    3560-character values in full: LocalStack's test_put_metric_filter_invalid_*, events'
    test_put_events_exceed_limit_ten_entries)."""
    return value if isinstance(value, str) else repr(value)


def constraint_errors(shape: Shape | None, value: Any, path: str = "") -> list[str]:
    """Every violated constraint under ``shape``, each as AWS words it."""
    if shape is None:
        return []
    errors: list[str] = []
    _visit(shape, value, path, errors)
    return errors


def _visit(shape: Shape, value: Any, path: str, errors: list[str]) -> None:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        for name, member_value in value.items():
            member = members.get(name)
            if member is not None and member_value is not None:
                _visit(member, member_value, f"{path}.{_camel(name)}" if path else _camel(name), errors)
        return
    if kind == "list" and isinstance(value, list):
        if "max" in meta and len(value) > meta["max"]:
            errors.append(f"Value '{_quote(value)}' at '{path}' failed to satisfy constraint: "
                          f"Member must have length less than or equal to {meta['max']}")
        for index, item in enumerate(value):
            _visit(shape.member, item, f"{path}.{index + 1}.member", errors)
        return
    if kind == "map" and isinstance(value, dict):
        if "max" in meta and len(value) > meta["max"]:
            errors.append(f"Value '{_quote(value)}' at '{path}' failed to satisfy constraint: "
                          f"Member must have length less than or equal to {meta['max']}")
        for key, item in value.items():
            _visit(shape.value, item, f"{path}.{key}.member", errors)
        return
    if kind == "string" and isinstance(value, str):
        prefix = f"Value '{_quote(value)}' at '{path}' failed to satisfy constraint: Member must "
        if "max" in meta and len(value) > meta["max"]:
            errors.append(prefix + f"have length less than or equal to {meta['max']}")
        if "min" in meta and len(value) < meta["min"]:
            errors.append(prefix + f"have length greater than or equal to {meta['min']}")
        if shape.enum and value not in shape.enum:
            errors.append(prefix + f"satisfy enum value set: [{', '.join(shape.enum)}]")
        pattern = meta.get("pattern")
        if pattern:
            compiled = _compiled(pattern)
            if compiled is not None and compiled.fullmatch(value) is None:
                errors.append(prefix + f"satisfy regular expression pattern: {pattern}")
        return
    if kind in ("integer", "long") and isinstance(value, int):
        prefix = f"Value '{value}' at '{path}' failed to satisfy constraint: Member must have value "
        if "max" in meta and value > meta["max"]:
            errors.append(prefix + f"less than or equal to {meta['max']}")
        if "min" in meta and value < meta["min"]:
            errors.append(prefix + f"greater than or equal to {meta['min']}")


def check_input(shape: Shape | None, params: dict[str, Any], code: str = "ValidationError") -> None:
    """Raise AWS's validation error if ``params`` break a constraint of the input shape."""
    errors = constraint_errors(shape, params)
    if errors:
        count = len(errors)
        noun = "error" if count == 1 else "errors"
        raise AwsError(code, f"{count} validation {noun} detected: " + "; ".join(errors), 400)


# -- calls made with Config(parameter_validation=False) ------------------------------------------
# botocore checks types and required members before the call; a client that turns that off sends
# whatever it was given, and AWS's own deserializer answers. These checks stand in for that
# deserializer, and run only for such clients (a flag in botocore's request context), so the default
# path costs nothing.

#: coral's words for a JSON token it did not expect, by Python type
_JSON_TOKENS: dict[type, str] = {int: "NUMBER_VALUE", float: "NUMBER_VALUE", str: "STRING_VALUE"}
_TYPE_WORDS = {"string": "a String", "integer": "an Integer", "long": "a Long", "double": "a Double",
               "float": "a Float", "boolean": "a Boolean", "timestamp": "a Date", "blob": "a ByteBuffer"}
_RPC_PROTOCOLS = frozenset({"json", "rest-json", "smithy-rpc-v2-cbor"})
_S3_MALFORMED_XML = ("The XML you provided was not well-formed or did not validate against our "
                     "published schema")


def _scalar_fits(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("integer", "long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in ("double", "float"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "timestamp":  # botocore serializes datetimes, epoch numbers and ISO 8601 text
        return isinstance(value, (datetime.datetime, datetime.date, int, float, str)) and not isinstance(value, bool)
    if kind == "blob":
        return isinstance(value, (bytes, bytearray, str)) or hasattr(value, "read")
    return True


def _mismatch(kind: str, value: Any) -> str:
    """How coral's JSON deserializer words a value of the wrong type."""
    if isinstance(value, dict):
        return "Start of structure or map found where not expected."
    if isinstance(value, (list, tuple)):
        return "Start of list found where not expected"
    if isinstance(value, bool):
        token = "TRUE_VALUE" if value else "FALSE_VALUE"
    else:
        token = _JSON_TOKENS.get(type(value), "VALUE")
    return f"{token} can not be converted to {_TYPE_WORDS.get(kind, 'a ' + kind.title())}"


class _InputProblem(Exception):
    """``kind``: "missing" (a required member), "type" (a value of the wrong type) or "min" (below a
    minimum botocore would have checked)."""

    def __init__(self, kind: str, path: str, member: str, detail: str, location: str | None) -> None:
        super().__init__(detail)
        self.kind, self.path, self.member, self.detail, self.location = kind, path, member, detail, location


def _below_minimum(shape: Shape, value: Any, path: str, member: str, location: str | None) -> None:
    minimum = shape.metadata.get("min")
    if minimum is None:
        return
    if shape.type_name in ("integer", "long", "double", "float"):
        if value < minimum:
            raise _InputProblem("min", path, member, f"Value '{value}' at '{path}' failed to satisfy constraint: "
                                f"Member must have value greater than or equal to {minimum}", location)
    elif len(value) < minimum:
        raise _InputProblem("min", path, member, f"Value '{_quote(value)}' at '{path}' failed to satisfy "
                            f"constraint: Member must have length greater than or equal to {minimum}", location)


#: scalar kinds with no minimum to check (``_below_minimum``)
_NO_MINIMUM = frozenset({"boolean", "timestamp", "blob"})
_CONTAINERS = frozenset({"structure", "list", "map"})


def _plainly_fits(shape: Shape, value: Any) -> bool:
    """A scalar of the right type with no minimum to check: what ``_clean`` would return unchanged
    (anything else goes through ``_clean``, which words the problem)."""
    kind = shape.type_name
    return (kind not in _CONTAINERS and _scalar_fits(kind, value)
            and (kind in _NO_MINIMUM or "min" not in shape.metadata))


def _clean(shape: Shape, value: Any, path: str, member: str, location: str | None) -> Any:
    """``value`` checked against ``shape``, with JSON nulls dropped (AWS reads them as absent)."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise _InputProblem("type", path, member, _mismatch(kind, value), location)
        members = shape.members
        for name in shape.required_members:
            if value.get(name) is None:
                raise _InputProblem("missing", f"{path}.{_camel(name)}" if path else _camel(name), name,
                                    "", members[name].serialization.get("location", location))
        out = {}
        for name, item in value.items():
            child = members.get(name)
            if child is None or item is None:
                continue
            if _plainly_fits(child, item):  # most members: no path worked out for a message never shown
                out[name] = item
                continue
            out[name] = _clean(child, item, f"{path}.{_camel(name)}" if path else _camel(name), name,
                               child.serialization.get("location", location))
        return out
    if kind == "list":
        if not isinstance(value, (list, tuple)):
            raise _InputProblem("type", path, member, _mismatch(kind, value), location)
        items = [_clean(shape.member, item, f"{path}.{index + 1}.member", member, location)
                 for index, item in enumerate(value) if item is not None]
        _below_minimum(shape, items, path, member, location)
        return items
    if kind == "map":
        if not isinstance(value, dict):
            raise _InputProblem("type", path, member, _mismatch(kind, value), location)
        entries = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise _InputProblem("type", path, member, _mismatch("string", key), location)
            if item is not None:
                entries[key] = _clean(shape.value, item, f"{path}.{key}.member", member, location)
        _below_minimum(shape, entries, path, member, location)
        return entries
    if not _scalar_fits(kind, value):
        raise _InputProblem("type", path, member, _mismatch(kind, value), location)
    if kind != "boolean" and kind != "timestamp" and kind != "blob":
        _below_minimum(shape, value, path, member, location)
    return value


def check_unvalidated_input(model: Any, params: dict[str, Any], validation_code: str | None,
                            missing_parameter: tuple[str, str] | None = None) -> dict[str, Any]:
    """The params a client sent without botocore's checks, as AWS's deserializer reads them (nulls
    dropped), or the error it gives: a member of the wrong type, a required member left out, a value
    below the model's minimum. ``validation_code`` is the service's code for a constraint it checks
    itself (its ``input_error_code``); ``missing_parameter`` the code and message (``{name}`` filled
    in) of a service that words a missing member its own way."""
    shape = model.input_shape
    if shape is None:
        return params
    try:
        cleaned: dict[str, Any] = _clean(shape, params, "", "", None)
    except _InputProblem as problem:
        if problem.kind == "missing" and missing_parameter is not None:
            code, template = missing_parameter
            raise AwsError(code, template.format(name=problem.member), 400) from None
        raise _input_error(model.service_model, problem, validation_code) from None
    return cleaned


def _input_error(service_model: Any, problem: _InputProblem, validation_code: str | None) -> AwsError:
    protocol = service_model.protocol
    if protocol == "rest-xml":  # S3: a bad XML body, or a bad header/query/path value
        if problem.location is None:
            return AwsError("MalformedXML", _S3_MALFORMED_XML, 400)
        return AwsError("InvalidArgument", f"Invalid argument: {problem.member}", 400)
    validation = validation_code or ("ValidationException" if protocol in _RPC_PROTOCOLS else "ValidationError")
    if problem.kind == "missing":
        return AwsError(validation, f"1 validation error detected: Value null at '{problem.path}' failed to "
                        "satisfy constraint: Member must not be null", 400)
    if problem.kind == "min":
        return AwsError(validation, f"1 validation error detected: {problem.detail}", 400)
    if protocol in _RPC_PROTOCOLS:
        return AwsError("SerializationException", problem.detail, 400)
    return AwsError(validation, f"1 validation error detected: Value at '{problem.path}' failed to satisfy "
                    f"constraint: {problem.detail}", 400)


# -- timestamps as botocore accepts them -----------------------------------------------------------
# botocore takes a datetime, epoch seconds (int or float) or ISO 8601 text for a timestamp member and
# serializes each the same way; AWS sees one timestamp. Handlers get datetimes only.


@functools.lru_cache(maxsize=None)
def _has_timestamps(shape: Shape | None) -> bool:
    return shape is not None and _contains_timestamp(shape, set())


@functools.lru_cache(maxsize=None)
def _timestamp_members(shape: Shape) -> tuple[str, ...]:
    """The members of a structure that are or hold timestamps."""
    return tuple(name for name, member in shape.members.items() if _has_timestamps(member))


def _contains_timestamp(shape: Shape, seen: set[str]) -> bool:
    kind = shape.type_name
    if kind == "timestamp":
        return True
    if shape.name in seen:
        return False
    seen.add(shape.name)
    if kind == "structure":
        return any(_contains_timestamp(member, seen) for member in shape.members.values())
    if kind == "list":
        return _contains_timestamp(shape.member, seen)
    if kind == "map":
        return _contains_timestamp(shape.value, seen)
    return False


def _as_datetime(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=datetime.timezone.utc)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise AwsError("SerializationException", f"Unable to parse timestamp {value!r}", 400) from None
    if isinstance(value, str):
        try:
            return parse_timestamp(value)
        except (ValueError, OverflowError):
            raise AwsError("SerializationException", f"Unable to parse timestamp {value!r}", 400) from None
    return value


def _datetimes(shape: Shape, value: Any) -> Any:
    kind = shape.type_name
    if kind == "timestamp":
        return _as_datetime(value)
    if not _has_timestamps(shape):
        return value
    if kind == "structure" and isinstance(value, dict):
        present = [name for name in _timestamp_members(shape) if value.get(name) is not None]
        if not present:
            return value
        converted = dict(value)
        for name in present:
            converted[name] = _datetimes(shape.members[name], value[name])
        return converted
    if kind == "list" and isinstance(value, list):
        return [_datetimes(shape.member, item) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: _datetimes(shape.value, item) for key, item in value.items()}
    return value


def with_datetimes(model: Any, params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with every timestamp member as an aware datetime (a copy only where one is found)."""
    shape = model.input_shape
    if not params or not _has_timestamps(shape):
        return params
    result: dict[str, Any] = _datetimes(shape, params)
    return result
