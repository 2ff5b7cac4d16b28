"""The call ledger: every intercepted call, in order, bounded in size."""

from __future__ import annotations

import collections
import threading
from typing import Any, Iterator


class Call:
    """One intercepted call. ``error`` is the AWS error code when the call failed, else None."""

    __slots__ = ("service", "operation", "params", "response", "error", "account", "region", "request_id", "time")

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

    @property
    def name(self) -> str:
        """``service.Operation``, e.g. ``sqs.SendMessage``."""
        return f"{self.service}.{self.operation}"

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        return {slot: getattr(self, slot) for slot in self.__slots__}

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
