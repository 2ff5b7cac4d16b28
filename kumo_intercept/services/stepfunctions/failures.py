"""How a replayed execution stops: a state's failure, or a step that cannot finish yet."""

from __future__ import annotations


class Suspend(Exception):
    """The execution cannot advance now: ``wake_at`` is when it can (None: on an outside event)."""

    def __init__(self, wake_at: float | None) -> None:
        super().__init__(wake_at)
        self.wake_at = wake_at


class StateFailure(Exception):
    def __init__(self, error: str, cause: str = "") -> None:
        super().__init__(error, cause)
        self.error = error
        self.cause = cause
