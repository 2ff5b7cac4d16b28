"""Strict mode: check a backend's output against botocore's output shape before the user sees it."""

from __future__ import annotations

import datetime
from typing import Any

from botocore.eventstream import EventStream
from botocore.model import Shape
from botocore.response import StreamingBody

from .errors import StrictModeError

_NUMBER = (int, float)
#: members that botocore's own after-call customisations set to None against real AWS
_NONE_FROM_BOTOCORE = frozenset({"s3.GetBucketLocation.LocationConstraint"})
#: members botocore's own handlers add beside a modeled one (``handle_expires_header``: the raw
#: ``Expires`` header of S3's GetObject/HeadObject as ``ExpiresString``)
_ADDED_BY_BOTOCORE = {"ExpiresString": "Expires"}


def validate_output(shape: Shape | None, parsed: dict[str, Any], where: str) -> None:
    """Raise StrictModeError naming the first member of ``parsed`` that the shape does not allow."""
    body = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
    if shape is None:
        if body:
            raise StrictModeError(f"{where}: the operation has no output, but the backend returned {sorted(body)}")
        return
    _check(shape, body, where)


def _fail(path: str, message: str) -> None:
    raise StrictModeError(f"{path}: {message}")


def _check(shape: Shape, value: Any, path: str) -> None:
    if value is None and path in _NONE_FROM_BOTOCORE:
        return
    kind = shape.type_name
    if kind == "structure" and shape.serialization.get("eventstream"):
        if not isinstance(value, EventStream):  # what botocore's parser makes of an event-stream body
            _fail(path, f"expected a botocore EventStream, got {type(value).__name__}")
    elif kind == "structure":
        if not isinstance(value, dict):
            _fail(path, f"expected a dict for structure {shape.name}, got {type(value).__name__}")
        members = shape.members
        for name, member_value in value.items():
            if name in _ADDED_BY_BOTOCORE and _ADDED_BY_BOTOCORE[name] in members and isinstance(member_value, str):
                continue
            if name not in members:
                _fail(path, f"{name!r} is not a member of {shape.name} (members: {', '.join(members) or 'none'})")
            _check(members[name], member_value, f"{path}.{name}")
    elif kind == "list":
        if not isinstance(value, list):
            _fail(path, f"expected a list, got {type(value).__name__}")
        for index, item in enumerate(value):
            _check(shape.member, item, f"{path}[{index}]")
    elif kind == "map":
        if not isinstance(value, dict):
            _fail(path, f"expected a dict (map), got {type(value).__name__}")
        for key, item in value.items():
            _check(shape.key, key, f"{path}<key>")
            _check(shape.value, item, f"{path}[{key!r}]")
    elif kind == "string":
        if not isinstance(value, str):
            _fail(path, f"expected str, got {type(value).__name__}")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            _fail(path, f"expected int, got {type(value).__name__}")
    elif kind in ("float", "double"):
        if not isinstance(value, _NUMBER) or isinstance(value, bool):
            _fail(path, f"expected a number, got {type(value).__name__}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            _fail(path, f"expected bool, got {type(value).__name__}")
    elif kind == "timestamp":
        if not isinstance(value, datetime.datetime) or value.tzinfo is None:
            _fail(path, f"expected an aware datetime, got {value!r}")
    elif kind == "blob":
        if not isinstance(value, (bytes, bytearray, StreamingBody)):
            _fail(path, f"expected bytes or a StreamingBody, got {type(value).__name__}")
