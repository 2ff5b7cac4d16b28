"""The emulator's clock: every timestamp a service produces and every timeout it evaluates reads it.

``WallClock`` reads the system time at every use (so freezegun and time-machine keep working);
``VirtualClock`` moves only when the test moves it, which makes timeouts instant and runs repeatable.
"""

from __future__ import annotations

import datetime as _dt
import time as _time
import threading
from typing import Callable, Protocol, Union

from .errors import ConfigurationError

UTC = _dt.timezone.utc
#: Where a virtual clock starts when no ``start_time`` is given: fixed, so seeded runs replay exactly.
DEFAULT_VIRTUAL_START = _dt.datetime(2025, 1, 1, tzinfo=UTC)

When = Union[_dt.datetime, float, int, str]


def to_epoch(when: When) -> float:
    """Seconds since the epoch for a datetime (naive means UTC), a number, or an ISO 8601 string."""
    if isinstance(when, (int, float)):
        return float(when)
    if isinstance(when, str):
        when = _dt.datetime.fromisoformat(when.replace("Z", "+00:00"))
    if isinstance(when, _dt.datetime):
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when.timestamp()
    raise TypeError(f"expected a datetime, epoch seconds or ISO 8601 string, got {type(when).__name__}")


def from_epoch(seconds: float) -> _dt.datetime:
    """An aware UTC datetime, the type botocore's parsers give for timestamps."""
    return _dt.datetime.fromtimestamp(seconds, UTC)


class Clock(Protocol):
    """What the emulator needs of a clock; pass any object with these methods as ``kumo(clock=...)``."""

    def time(self) -> float: ...

    def now(self) -> _dt.datetime: ...


class ControlledClock(Clock, Protocol):
    """The emulator's clock as ``aws.clock`` offers it: readable, and movable when it is virtual."""

    kind: str

    def advance(self, seconds: float) -> _dt.datetime: ...

    def set(self, when: When) -> _dt.datetime: ...

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass: a virtual clock moves, any other waits for real."""
        ...


class FixedClockError(ConfigurationError):
    """``advance()``/``set()`` on a clock the emulator does not control."""


class _Unmovable:
    """``advance``/``set`` of clocks that follow time the emulator does not control."""

    kind: str

    def advance(self, seconds: float) -> _dt.datetime:
        raise FixedClockError(
            f"the emulator's clock is the {self.kind} clock, which moves by itself and cannot be advanced: "
            "create the emulator with kumo(clock=\"virtual\") to move time with aws.clock.advance()")

    def set(self, when: When) -> _dt.datetime:
        return self.advance(0)

    def sleep(self, seconds: float) -> None:
        _time.sleep(seconds)


class WallClock(_Unmovable):
    """System time, read at every use."""

    kind = "wall"

    def time(self) -> float:
        return _time.time()

    def now(self) -> _dt.datetime:
        return from_epoch(_time.time())

    def __repr__(self) -> str:
        return f"<WallClock {self.now().isoformat()}>"


class VirtualClock:
    """A clock that stands still until ``advance()`` or ``set()`` moves it.

    Listeners registered with ``on_change`` are told after every move (long polls waiting on the
    virtual clock use it to wake up).
    """

    kind = "virtual"

    def __init__(self, start: When | None = None) -> None:
        self._now = to_epoch(start) if start is not None else DEFAULT_VIRTUAL_START.timestamp()
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    def time(self) -> float:
        return self._now

    def now(self) -> _dt.datetime:
        return from_epoch(self._now)

    def advance(self, seconds: float) -> _dt.datetime:
        """Move forward by ``seconds`` (never backwards) and return the new time."""
        if seconds < 0:
            raise ValueError("a virtual clock only moves forward; use set() to jump to an earlier time")
        with self._lock:
            self._now += seconds
        self._notify()
        return self.now()

    def set(self, when: When) -> _dt.datetime:
        """Jump to ``when`` (a datetime, epoch seconds or ISO 8601 string)."""
        with self._lock:
            self._now = to_epoch(when)
        self._notify()
        return self.now()

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def on_change(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    def __repr__(self) -> str:
        return f"<VirtualClock {self.now().isoformat()}>"


class ExternalClock(_Unmovable):
    """A clock object of the caller's (``kumo(clock=obj)``), read through; ``advance`` goes to it
    when it has one."""

    kind = "external"

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        for name in ("advance", "set"):
            if callable(getattr(clock, name, None)):
                setattr(self, name, getattr(clock, name))
        if callable(getattr(clock, "advance", None)):
            setattr(self, "sleep", getattr(clock, "advance"))  # a movable clock moves instead

    def time(self) -> float:
        return self.clock.time()

    def now(self) -> _dt.datetime:
        return self.clock.now()

    def __repr__(self) -> str:
        return f"<ExternalClock {self.clock!r}>"


def make_clock(spec: str | Clock | None, start_time: When | None) -> ControlledClock:
    """The clock for ``kumo(clock=..., start_time=...)``."""
    if spec is None or spec == "wall":
        if start_time is not None:
            raise ConfigurationError("start_time needs clock='virtual'")
        return WallClock()
    if spec == "virtual":
        return VirtualClock(start_time)
    if isinstance(spec, str):
        raise ConfigurationError(f"clock must be 'wall', 'virtual' or a clock object, not {spec!r}")
    if isinstance(spec, (WallClock, VirtualClock)):
        return spec
    if not (callable(getattr(spec, "time", None)) and callable(getattr(spec, "now", None))):
        raise ConfigurationError("a clock object needs time() and now() methods")
    return ExternalClock(spec)
