"""The answer as the event stream botocore parses from AWS: Records, Progress, Stats, End."""

from __future__ import annotations

from typing import Any, Iterator

from botocore.parsers import EventStreamXMLParser

from ....core.streams import ResponseEventStream, event_message
from .query import Outcome


def _event(kind: str, payload: bytes = b"", content_type: str | None = None) -> bytes:
    headers = {":message-type": "event", ":event-type": kind}
    if content_type:
        headers[":content-type"] = content_type
    return event_message(headers, payload)


def _details(kind: str, outcome: Outcome) -> bytes:
    return (f"<{kind} xmlns=\"\"><BytesScanned>{outcome.scanned}</BytesScanned><BytesProcessed>"
            f"{outcome.processed}</BytesProcessed><BytesReturned>{outcome.returned}</BytesReturned></{kind}>"
            ).encode()


def messages(outcome: Outcome, progress: bool) -> list[bytes]:
    """The answer's messages, in AWS's order: Records, Progress (when asked for), Stats, End; or,
    after a data error part-way, the records before it and an error message."""
    out = [_event("Records", payload, "application/octet-stream") for payload in outcome.payloads]
    if outcome.error is not None:
        error = outcome.error
        out.append(event_message({":message-type": "error", ":error-code": error.code,
                                  ":error-message": error.message}, b""))
        return out
    if progress:
        out.append(_event("Progress", _details("Progress", outcome), "text/xml"))
    out.append(_event("Stats", _details("Stats", outcome), "text/xml"))
    out.append(_event("End"))
    return out


class SelectBody:
    """The raw body botocore's EventStream reads (``stream()`` and ``close()``, as urllib3's response)."""

    def __init__(self, encoded: list[bytes]) -> None:
        self.encoded = encoded
        self.closed = False

    def stream(self) -> Iterator[bytes]:
        for message in self.encoded:
            if self.closed:
                return
            yield message

    def close(self) -> None:
        self.closed = True


def event_stream(outcome: Outcome, progress: bool, operation_model: Any) -> ResponseEventStream:
    shape = operation_model.output_shape.members["Payload"]
    body = SelectBody(messages(outcome, progress))
    return ResponseEventStream(body, shape, EventStreamXMLParser(), operation_model.name)
