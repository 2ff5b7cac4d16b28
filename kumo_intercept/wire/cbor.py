"""The CBOR encoding (RFC 8949) of RPC-v2-CBOR responses; botocore's parser reads the requests."""

from __future__ import annotations

import struct
from typing import Any


class Timestamp(float):
    """Epoch seconds sent as a CBOR date (tag 1), as Smithy's RPC v2 CBOR protocol sends timestamps."""


def _head(major: int, length: int) -> bytes:
    if length < 24:
        return bytes([major << 5 | length])
    for extra, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if length < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | extra]) + struct.pack(fmt, length)
    raise ValueError(f"integer too large for CBOR: {length}")


def _encode(value: Any, out: list[bytes]) -> None:
    if value is None:
        out.append(b"\xf6")
    elif value is True:
        out.append(b"\xf5")
    elif value is False:
        out.append(b"\xf4")
    elif isinstance(value, Timestamp):
        out.append(b"\xc1\xfb" + struct.pack(">d", float(value)))
    elif isinstance(value, int):
        out.append(_head(0, value) if value >= 0 else _head(1, -1 - value))
    elif isinstance(value, float):
        out.append(b"\xfb" + struct.pack(">d", value))
    elif isinstance(value, str):
        raw = value.encode("utf-8")
        out.append(_head(3, len(raw)) + raw)
    elif isinstance(value, (bytes, bytearray, memoryview)):
        out.append(_head(2, len(value)) + bytes(value))
    elif isinstance(value, (list, tuple)):
        out.append(_head(4, len(value)))
        for item in value:
            _encode(item, out)
    elif isinstance(value, dict):
        out.append(_head(5, len(value)))
        for key, item in value.items():
            _encode(str(key), out)
            _encode(item, out)
    else:
        _encode(str(value), out)


def dumps(value: Any) -> bytes:
    out: list[bytes] = []
    _encode(value, out)
    return b"".join(out)
