"""Message contents: AWS's checks of bodies and message attributes, their sizes, and the MD5 digests
SQS returns (``MD5OfMessageBody``, ``MD5OfMessageAttributes``, ``MD5OfMessageSystemAttributes``).

The attribute digest follows AWS's documented algorithm: for each attribute, sorted by name, the
name, the data type and the value are each written as a 4-byte big-endian length followed by their
bytes (UTF-8 for text), with one transport byte before the value (1 for String and Number, 2 for
Binary); the MD5 of all of that is the digest.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from ...api import sqs
from .errors import invalid_parameter

MAX_MESSAGE_ATTRIBUTES = 10
_INVALID_BODY_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z0-9_\-.]{1,256}$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_ALLOWED = "#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def check_body(body: str) -> bytes:
    """The body's UTF-8 bytes, after AWS's character check (InvalidMessageContents)."""
    bad = _INVALID_BODY_CHAR.search(body)
    if bad is not None:
        raise sqs.invalid_message_contents(
            f"Invalid binary character '#x{ord(bad.group()):X}' was found in the message body, the set "
            f"of allowed characters is {_ALLOWED}",
        )
    return body.encode("utf-8")


def _field(value: dict[str, Any], data_type: str) -> str:
    return "BinaryValue" if data_type.startswith("Binary") else "StringValue"


def normalise_attributes(attributes: dict[str, Any] | None, *, system: bool = False) -> tuple[dict | None, int]:
    """Checked message attributes as they are stored (only DataType and the value field; binary
    values as bytes) and their size in bytes as AWS counts it toward the message size."""
    if not attributes:
        return None, 0
    if not system and len(attributes) > MAX_MESSAGE_ATTRIBUTES:
        raise invalid_parameter(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum "
            f"[{MAX_MESSAGE_ATTRIBUTES}]."
        )
    out: dict[str, dict[str, Any]] = {}
    size = 0
    for name, value in attributes.items():
        if system:
            if name != "AWSTraceHeader":
                raise invalid_parameter(
                    f"Message system attribute name '{name}' is invalid. The only supported message "
                    "system attribute is AWSTraceHeader."
                )
        else:
            _check_attribute_name(name)
        data_type = value.get("DataType") or ""
        base = data_type.split(".", 1)[0]
        if not data_type:
            raise invalid_parameter(f"The message attribute '{name}' must contain a non-empty message "
                                    "attribute type.")
        if base not in ("String", "Number", "Binary") or len(data_type) > 256:
            raise invalid_parameter(
                f"The type of message (user) attribute '{name}' is invalid. You must use only the "
                "following supported type prefixes: Binary, Number, String."
            )
        if system and data_type != "String":
            raise invalid_parameter(f"The message system attribute '{name}' must have the data type String.")
        field = _field(value, data_type)
        other = "StringValue" if field == "BinaryValue" else "BinaryValue"
        if value.get(field) is None and value.get(other) is not None:
            raise invalid_parameter(
                f"The message attribute '{name}' with type '{base}' must use field '{base if base != 'Number' else 'String'}'."
            )
        raw = value.get(field)
        if raw is None or (isinstance(raw, (str, bytes, bytearray)) and len(raw) == 0):
            raise invalid_parameter(
                f"The message attribute '{name}' must contain non-empty message attribute value for "
                f"message attribute type '{base}'."
            )
        if field == "BinaryValue":
            data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
            stored: Any = data
        else:
            stored = str(raw)
            if base == "Number" and not _NUMBER.match(stored.strip()):
                raise invalid_parameter(f"Can't cast the value of message (user) attribute '{name}' to a number.")
            bad = _INVALID_BODY_CHAR.search(stored)
            if bad is not None:
                raise invalid_parameter(
                    f"Message (user) attribute '{name}' value contains invalid binary character "
                    f"'#x{ord(bad.group()):X}'. You must use only the following supported characters: "
                    f"{_ALLOWED}."
                )
            data = stored.encode("utf-8")
        out[name] = {"DataType": data_type, field: stored}
        size += len(name.encode("utf-8")) + len(data_type.encode("utf-8")) + len(data)
    return out, size


def _check_attribute_name(name: str) -> None:
    lowered = name.lower()
    if (
        not _ATTRIBUTE_NAME.match(name)
        or lowered.startswith(("aws.", "amazon."))
        or name.startswith(".") or name.endswith(".") or ".." in name
    ):
        raise invalid_parameter(
            f"The message attribute name '{name}' is invalid. Attribute name can contain A-Z, a-z, 0-9, "
            "underscore (_), hyphen (-), and period (.) characters."
        )


def _length_prefixed(parts: list[bytes], data: bytes) -> None:
    parts.append(len(data).to_bytes(4, "big"))
    parts.append(data)


def attributes_md5(attributes: dict[str, dict[str, Any]]) -> str:
    """MD5 of message attributes by AWS's algorithm (see the module docstring)."""
    parts: list[bytes] = []
    for name in sorted(attributes):
        value = attributes[name]
        data_type = value["DataType"]
        _length_prefixed(parts, name.encode("utf-8"))
        _length_prefixed(parts, data_type.encode("utf-8"))
        if "BinaryValue" in value:
            parts.append(b"\x02")
            _length_prefixed(parts, value["BinaryValue"])
        else:
            parts.append(b"\x01")
            _length_prefixed(parts, value["StringValue"].encode("utf-8"))
    return hashlib.md5(b"".join(parts)).hexdigest()


def select_attributes(attributes: dict[str, dict[str, Any]], names: list[str]) -> dict[str, dict[str, Any]]:
    """The attributes ReceiveMessage returns for ``MessageAttributeNames``: ``All``, ``*`` or ``.*`` for
    all, ``prefix.*`` for the names starting with the prefix, else exact names (recorded from AWS:
    LocalStack's test_receive_message_message_attribute_names_filters, where ``Hel.*`` gives ``Hello``
    and ``Help.Me``)."""
    if "All" in names or "*" in names or ".*" in names:
        return attributes
    selected = {}
    for name, value in attributes.items():
        for wanted in names:
            if wanted == name or (wanted.endswith(".*") and name.startswith(wanted[:-2])):
                selected[name] = value
                break
    return selected
