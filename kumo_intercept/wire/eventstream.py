"""Event-stream answers (Kinesis SubscribeToShard) in AWS's binary event-stream encoding, streamed.

The backend answers with botocore's ``EventStream`` (what botocore's parser would have built); over
the wire each parsed event is serialized again by its shape, after the ``initial-response`` event the
JSON protocol sends first. The server writes the messages as they come (HTTP chunked encoding).
"""

from __future__ import annotations

import binascii
import struct
from typing import Any, Iterator

from . import encode

CONTENT_TYPE = "application/vnd.amazon.eventstream"


def _string_header(name: str, value: str) -> bytes:
    raw_name, raw_value = name.encode(), value.encode()
    return struct.pack(">B", len(raw_name)) + raw_name + b"\x07" + struct.pack(">H", len(raw_value)) + raw_value


def message(headers: dict[str, str], payload: bytes) -> bytes:
    """One message: prelude (lengths and their CRC32), string headers, payload, CRC32 of it all."""
    encoded = b"".join(_string_header(name, value) for name, value in headers.items())
    prelude = struct.pack(">II", 12 + len(encoded) + len(payload) + 4, len(encoded))
    body = prelude + struct.pack(">I", binascii.crc32(prelude)) + encoded + payload
    return body + struct.pack(">I", binascii.crc32(body))


def _event(kind: str, payload: bytes) -> bytes:
    return message({":event-type": kind, ":content-type": "application/json", ":message-type": "event"}, payload)


def messages(operation: Any, parsed: dict[str, Any]) -> Iterator[bytes]:
    """The initial response (the output's other members), then one message per event."""
    shape = operation.output_shape
    name = shape.event_stream_name
    stream = parsed.pop(name)
    yield _event("initial-response", encode.dumps(encode.json_value(shape, parsed)))
    events = shape.members[name]
    try:
        for event in stream:
            for kind, value in event.items():
                yield _event(kind, encode.dumps(encode.json_value(events.members[kind], value)))
    finally:
        stream.close()
