"""Event-stream answers (Kinesis SubscribeToShard, S3 SelectObjectContent) in AWS's binary event-stream
encoding, streamed.

The backend answers with botocore's ``EventStream`` (what botocore's parser would have built); over
the wire each parsed event is serialized again by its shape, after the ``initial-response`` event the
JSON protocol sends first. S3 (rest-xml) sends no initial response: its stream's raw body already
yields AWS's messages (errors included), sent as they are. The server writes the messages as they
come (HTTP chunked encoding).
"""

from __future__ import annotations

from typing import Any, Iterator

from ..core.streams import event_message
from . import encode

CONTENT_TYPE = "application/vnd.amazon.eventstream"


def _event(kind: str, payload: bytes) -> bytes:
    return event_message({":event-type": kind, ":content-type": "application/json", ":message-type": "event"}, payload)


def messages(operation: Any, parsed: dict[str, Any]) -> Iterator[bytes]:
    """The initial response (the output's other members), then one message per event."""
    shape = operation.output_shape
    name = shape.event_stream_name
    stream = parsed.pop(name)
    if operation.service_model.protocol == "rest-xml":
        try:
            yield from stream.raw_stream.stream()
        finally:
            stream.close()
        return
    yield _event("initial-response", encode.dumps(encode.json_value(shape, parsed)))
    events = shape.members[name]
    try:
        for event in stream:
            for kind, value in event.items():
                yield _event(kind, encode.dumps(encode.json_value(events.members[kind], value)))
    finally:
        stream.close()
