"""SubscribeToShard: an enhanced fan-out subscription, handed to the caller as botocore's own EventStream.

botocore parses an event-stream output from the raw HTTP body, after ``before-call`` would have
returned; so the backend builds what the parser would have built: a ``botocore.eventstream.EventStream``
over a body whose ``stream()`` yields messages in the AWS event-stream binary encoding (prelude, headers,
JSON payload, CRC32s). botocore decodes them as it would AWS's, so iteration, ``close()`` and the
parsed event types are the real ones.

Each event is read when the caller asks for it, under the emulator lock: the records that arrived since
the previous one (at most 10,000). When there were none, the next event comes after 5 seconds: a
wall clock waits (waking early at any committed change), a virtual clock is advanced by 5 seconds, as
SQS long polls move it. The subscription ends after 5 minutes on the emulator clock, as AWS's do, when
a closed shard has been read to its end (that event carries ``ChildShards``), or when a later
SubscribeToShard of the same consumer and shard (5 seconds or more after it; sooner is
ResourceInUseException) takes over.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

from botocore.parsers import EventStreamJSONParser

from ...core.clock import VirtualClock
from ...core.streams import ResponseEventStream, event_message

SUBSCRIPTION_SECONDS = 300
#: a second SubscribeToShard of the same consumer and shard sooner than this is ResourceInUseException
RESUBSCRIBE_SECONDS = 5
EMPTY_EVENT_SECONDS = 5


def encode_event(event_type: str, payload: bytes) -> bytes:
    """One message of the AWS event-stream encoding, as botocore.eventstream decodes it."""
    return event_message({":event-type": event_type, ":content-type": "application/json", ":message-type": "event"},
                         payload)


class SubscriptionBody:
    """The raw body botocore's EventStream reads (``stream()`` and ``close()``, as urllib3's response)."""

    def __init__(self, emulator: Any, consumer_arn: str, stream_arn: str, shard_id: str, position: int,
                 started: float) -> None:
        self._emulator = emulator
        self._consumer = consumer_arn
        self._arn = stream_arn
        self._shard = shard_id
        self._position = position
        self._started = started
        self._closed = False

    def stream(self) -> Iterator[bytes]:
        emulator = self._emulator
        while not self._closed:
            with emulator.lock:
                event, self._position, done = emulator.backend("kinesis").subscription_event(
                    self._consumer, self._arn, self._shard, self._position, self._started)
            if event is not None:
                yield encode_event("SubscribeToShardEvent", json.dumps(event).encode())
            if done or event is None:
                return
            if not event["Records"]:
                self._pause()

    def _pause(self) -> None:
        emulator = self._emulator
        if isinstance(emulator.clock, VirtualClock):
            emulator.clock.advance(EMPTY_EVENT_SECONDS)
        else:
            with emulator.lock:
                emulator.changed.wait(EMPTY_EVENT_SECONDS)

    def close(self) -> None:
        self._closed = True


def event_stream(body: SubscriptionBody, operation_model: Any) -> ResponseEventStream:
    shape = operation_model.output_shape.members["EventStream"]
    return ResponseEventStream(body, shape, EventStreamJSONParser(), operation_model.name)
