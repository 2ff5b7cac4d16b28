"""The call ledger: every intercepted call, in order, bounded in size.

The ledger keeps params and responses as the call saw them, except payloads: a blob member (S3
``Body``, Lambda ``Payload``, KMS ``Plaintext``…) is kept as bytes up to ``PREVIEW_LIMIT`` and as a
``BodyPreview`` (size, SHA-256, first bytes) beyond it, so 10,000 recorded 5 MiB uploads cost kilobytes,
not 50 GB, and the ledger never holds the caller's file object or a response stream.
"""

from __future__ import annotations

import collections
import hashlib
import io
import threading
from typing import Any, Iterator

#: payloads up to this many bytes are kept whole in the ledger
PREVIEW_LIMIT = 4096
#: how many leading bytes of a larger payload a preview keeps
PREVIEW_HEAD = 64


class BodyPreview:
    """What the ledger keeps of a payload larger than ``PREVIEW_LIMIT`` or of a stream.

    ``size`` and ``sha256`` are None for a response stream the ledger did not read. A preview equals
    bytes (or str) with the same size and digest, so ``assert_called("s3.PutObject", Body=data)``
    works for large bodies too.
    """

    __slots__ = ("size", "sha256", "head")

    def __init__(self, size: int | None, sha256: str | None, head: bytes) -> None:
        self.size = size
        self.sha256 = sha256
        self.head = head

    @classmethod
    def of(cls, data: bytes | bytearray | memoryview) -> "BodyPreview":
        view = memoryview(data)
        return cls(view.nbytes, hashlib.sha256(view).hexdigest(), bytes(view[:PREVIEW_HEAD]))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = other.encode("utf-8")
        if isinstance(other, (bytes, bytearray, memoryview)):
            return self.sha256 is not None and self == BodyPreview.of(other)
        if isinstance(other, BodyPreview):
            return (self.size, self.sha256) == (other.size, other.sha256)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def to_dict(self) -> dict[str, Any]:
        return {"size": self.size, "sha256": self.sha256, "head": self.head}

    def __repr__(self) -> str:
        size = "unread stream" if self.size is None else f"{self.size} bytes"
        return f"<BodyPreview {size} sha256={self.sha256 and self.sha256[:12]} head={self.head[:16]!r}>"


class PreviewReader:
    """Wraps a caller's file object for the handler: reads pass through while size, digest and the
    first bytes are noted, so the ledger keeps a preview instead of the object."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self._digest = hashlib.sha256()
        self._head = bytearray()
        self._size = 0
        self._valid = True

    def read(self, *args: Any) -> Any:
        chunk = self._raw.read(*args)
        data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
        if data:
            self._digest.update(data)
            self._size += len(data)
            if len(self._head) < PREVIEW_LIMIT:
                self._head += data[:PREVIEW_LIMIT - len(self._head)]
        return chunk

    def seek(self, offset: int, whence: int = 0) -> int:
        # a rewind to the start reads the same bytes again: start over; any other jump makes the
        # digest meaningless
        if (offset, whence) == (0, 0):
            self._digest, self._head, self._size = hashlib.sha256(), bytearray(), 0
        else:
            self._valid = False
        position: int = self._raw.seek(offset, whence)
        return position

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)

    def __iter__(self) -> Iterator[Any]:
        return iter(lambda: self.read(io.DEFAULT_BUFFER_SIZE), b"")

    def kept(self) -> bytes | BodyPreview:
        if not self._valid:
            return BodyPreview(None, None, bytes(self._head[:PREVIEW_HEAD]))
        if self._size <= PREVIEW_LIMIT:
            return bytes(self._head)
        return BodyPreview(self._size, self._digest.hexdigest(), bytes(self._head[:PREVIEW_HEAD]))


def blob_members(shape: Any) -> tuple[str, ...]:
    """The top-level blob members of a botocore structure shape (None: no members)."""
    if shape is None:
        return ()
    return tuple(name for name, member in shape.members.items() if member.type_name == "blob")


def wrap_streams(members: tuple[str, ...], params: dict[str, Any]) -> None:
    """Put a ``PreviewReader`` around each caller's file object among ``members`` of ``params``."""
    for name in members:
        value = params.get(name)
        if value is not None and hasattr(value, "read") and not isinstance(value, io.BytesIO):
            params[name] = PreviewReader(value)


def ledger_payload(value: Any) -> Any:
    """What the ledger keeps of one blob member's value (see the module docstring)."""
    if isinstance(value, PreviewReader):
        return value.kept()
    if isinstance(value, io.BytesIO):  # botocore wraps bytes and str bodies in one
        view = value.getbuffer()
        try:
            return bytes(view) if view.nbytes <= PREVIEW_LIMIT else BodyPreview.of(view)
        finally:
            view.release()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value) if len(value) <= PREVIEW_LIMIT else BodyPreview.of(value)
    if isinstance(value, str):
        return value if len(value) <= PREVIEW_LIMIT else BodyPreview.of(value.encode("utf-8"))
    if hasattr(value, "read"):  # a response stream: not read by the ledger
        return BodyPreview(None, None, b"")
    return value


def with_payloads_previewed(members: tuple[str, ...], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with each present blob member replaced by what the ledger keeps of it (a copy
    only when there is one: the caller's dict is never changed)."""
    present = [name for name in members if name in values]
    if not present:
        return values
    kept = dict(values)
    for name in present:
        kept[name] = ledger_payload(values[name])
    return kept


class Call:
    """One intercepted call. ``error`` is the AWS error code when the call failed, else None."""

    __slots__ = ("service", "operation", "params", "response", "error", "account", "region", "request_id", "time",
                 "authorization")

    def __init__(
        self,
        service: str,
        operation: str,
        params: dict[str, Any],
        response: dict[str, Any],
        error: str | None,
        account: str,
        region: str,
        request_id: str,
        time: float,
        authorization: Any = None,
    ) -> None:
        self.service = service
        self.operation = operation
        self.params = params
        self.response = response
        self.error = error
        self.account = account
        self.region = region
        self.request_id = request_id
        self.time = time
        #: with ``kumo(iam="audit"|"enforce")``: the decisions on the call's actions and resources
        #: (``aws.iam.explain(call)`` words them); None when not checked
        self.authorization = authorization

    @property
    def name(self) -> str:
        """``service.Operation``, e.g. ``sqs.SendMessage``."""
        return f"{self.service}.{self.operation}"

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        """The call's fields; IAM enforcement's decisions (when there are) as the text ``aws.iam.explain``
        gives for each."""
        out = {slot: getattr(self, slot) for slot in self.__slots__ if slot != "authorization"}
        if self.authorization is not None:
            out["authorization"] = [str(decision) for decision in self.authorization]
        return out

    def __repr__(self) -> str:
        outcome = "ok" if self.error is None else self.error
        return f"<Call {self.name} {outcome} account={self.account} region={self.region}>"


class CallLedger:
    """Every intercepted call in order; the oldest are dropped past ``maxlen``.

    Iterable and indexable like a list; ``filter``/``last``/``names`` answer the usual assertions.
    """

    def __init__(self, maxlen: int = 10_000) -> None:
        self._calls: collections.deque[Call] = collections.deque(maxlen=maxlen)
        self._lock = threading.Lock()

    def record(self, call: Call) -> None:
        self._calls.append(call)

    def __iter__(self) -> Iterator[Call]:
        with self._lock:
            return iter(list(self._calls))

    def __len__(self) -> int:
        return len(self._calls)

    def __getitem__(self, index: int) -> Call:
        return list(self._calls)[index]

    def __bool__(self) -> bool:
        return bool(self._calls)

    def clear(self) -> None:
        self._calls.clear()

    def filter(
        self,
        service: str | None = None,
        operation: str | None = None,
        *,
        ok: bool | None = None,
        error: str | None = None,
        account: str | None = None,
        region: str | None = None,
    ) -> list[Call]:
        """Calls matching every criterion given (``ok=False`` keeps failed calls only)."""
        return [
            c
            for c in self
            if (service is None or c.service == service)
            and (operation is None or c.operation == operation)
            and (ok is None or c.ok == ok)
            and (error is None or c.error == error)
            and (account is None or c.account == account)
            and (region is None or c.region == region)
        ]

    def last(self, service: str | None = None, operation: str | None = None) -> Call | None:
        """The most recent call (matching ``service``/``operation`` if given), or None."""
        for c in reversed(list(self._calls)):
            if (service is None or c.service == service) and (operation is None or c.operation == operation):
                return c
        return None

    def names(self) -> list[str]:
        """``service.Operation`` of every call, in order — handy for asserting call order."""
        return [c.name for c in self]

    def __repr__(self) -> str:
        return f"<CallLedger {len(self)} calls>"
