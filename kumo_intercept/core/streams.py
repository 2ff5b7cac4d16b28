"""Response bodies that behave as botocore's do over urllib3.

A streaming output member (S3's GetObject ``Body``, Lambda's Invoke ``Payload``) reaches the caller as
a botocore ``StreamingBody``; against AWS its raw stream is urllib3's ``HTTPResponse``, and code written
against AWS depends on what that response does beyond plain reads. ``ResponseStream`` does the same
(urllib3 2.x under botocore's ``StreamingBody``; tests/clients/test_bodies.py compares the two):

* after ``close()``, ``read()`` gives ``b""``; ``read(n)`` and ``readinto()`` give ``b""``/0 when the
  body had been read to its end, and otherwise fail as a connection broken mid-body does
  (urllib3's ``ProtocolError``, which botocore raises as ``ResponseStreamingError``). Either failure
  is a ``BotoCoreError``: what reconnecting readers (smart_open) catch before reopening at an offset;
* ``tell()`` counts the bytes read, ``readable()`` stays true, ``readlines()`` splits what is left;
* ``set_socket_timeout()`` is accepted: no socket is involved, so no read can hang.

Event-stream outputs (Kinesis SubscribeToShard, S3 SelectObjectContent) are a ``ResponseEventStream``,
botocore's own, over messages in AWS's event-stream encoding (``event_message``).
"""

from __future__ import annotations

import binascii
import struct
from typing import Any, Iterable, Iterator

from botocore.eventstream import EventStream
from botocore.response import StreamingBody
from urllib3.exceptions import ProtocolError


class ResponseStream:
    """The raw stream under a ``ResponseBody``: bytes, or ``length`` bytes in chunks produced as they
    are read. A plain class (not an ``io`` one): an S3 GetObject makes one, and ``io.RawIOBase``'s
    instances cost five times as much to make."""

    __slots__ = ("length", "closed", "_chunks", "_pending", "_offset", "_position", "__weakref__")

    def __init__(self, source: bytes | Iterable[bytes], length: int | None = None) -> None:
        self._chunks: Iterator[bytes] | None
        if isinstance(source, bytes):
            self._chunks, self._pending, self.length = None, source, len(source)
        elif length is None:
            raise TypeError("a stream of chunks needs its length")
        else:
            self._chunks, self._pending, self.length = iter(source), b"", length
        self._offset = 0  # into ``_pending``: slicing it instead would copy the rest at every read
        self._position = 0
        self.closed = False

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def at_eof(self) -> bool:
        """Whether nothing is left to read (a closed stream has nothing)."""
        return self.closed or not self._fill()

    def read(self, amt: int | None = None) -> bytes:
        if amt is None or amt < 0:
            data = b"" if self.closed else self._read_all()
        elif self.closed:
            self._check_complete()
            data = b""
        else:
            data = self._read_some(amt)
        self._position += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readlines(self, hint: int = -1) -> list[bytes]:
        return self.read().splitlines(keepends=True)

    def close(self) -> None:
        if not self.closed:
            self._release()
            self.closed = True

    def _check_complete(self) -> None:
        if self._position < self.length:
            raise ProtocolError(f"Connection broken: IncompleteRead({self._position} bytes read, "
                                f"{self.length - self._position} more expected)")

    def _fill(self) -> bool:
        """Make sure unread bytes are pending; False at the end (then the source is released)."""
        if self._offset < len(self._pending):
            return True
        chunk = b"" if self._chunks is None else next(self._chunks, b"")
        if chunk:
            self._pending, self._offset = chunk, 0
            return True
        self._release()
        return False

    def _read_all(self) -> bytes:
        data = self._pending[self._offset:] if self._offset else self._pending
        if self._chunks is not None:
            data = b"".join([data, *self._chunks])
        self._release()
        return data

    def _read_some(self, amt: int) -> bytes:
        end = self._offset + amt
        if end <= len(self._pending):  # the common case: the pending chunk holds it
            piece = self._pending[self._offset:end]
            self._offset = end
            return piece
        parts = []
        need = amt
        while need > 0 and self._fill():
            piece = self._pending[self._offset:self._offset + need]
            self._offset += len(piece)
            need -= len(piece)
            parts.append(piece)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def _release(self) -> None:
        """At the end or on close: let go of whatever produces the chunks (an open file, pinned blobs)."""
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()
        self._chunks = None
        self._pending, self._offset = b"", 0


class ResponseBody(StreamingBody):  # type: ignore[misc]
    """botocore's ``StreamingBody`` over a ``ResponseStream``."""

    def __init__(self, raw: ResponseStream) -> None:
        super().__init__(raw, raw.length)
        self.raw_stream = raw

    def set_socket_timeout(self, timeout: float) -> None:
        """Accepted, as over urllib3; there is no socket, and no read waits on the network."""


def response_body(source: bytes | ResponseStream) -> ResponseBody:
    return ResponseBody(source if isinstance(source, ResponseStream) else ResponseStream(source))


class ResponseEventStream(EventStream):  # type: ignore[misc]
    """botocore's ``EventStream`` over a raw body whose ``stream()`` yields encoded events, keeping what
    it was built from (an aiobotocore client gets aiobotocore's ``AioEventStream`` over the same body)."""

    def __init__(self, raw: Any, output_shape: Any, parser: Any, operation_name: str) -> None:
        super().__init__(raw, output_shape, parser, operation_name)
        self.raw_stream = raw
        self.output_shape = output_shape
        self.operation_name = operation_name


def _string_header(name: str, value: str) -> bytes:
    raw_name, raw_value = name.encode(), value.encode()
    return struct.pack(">B", len(raw_name)) + raw_name + b"\x07" + struct.pack(">H", len(raw_value)) + raw_value


def event_message(headers: dict[str, str], payload: bytes) -> bytes:
    """One message of AWS's event-stream encoding: prelude (lengths and their CRC32), string headers,
    payload, CRC32 of it all."""
    encoded = b"".join(_string_header(name, value) for name, value in headers.items())
    prelude = struct.pack(">II", 12 + len(encoded) + len(payload) + 4, len(encoded))
    body = prelude + struct.pack(">I", binascii.crc32(prelude)) + encoded + payload
    return body + struct.pack(">I", binascii.crc32(body))
