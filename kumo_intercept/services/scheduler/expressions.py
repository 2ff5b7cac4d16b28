"""EventBridge Scheduler's schedule expressions: ``at(...)`` one-time schedules on top of the
``rate(...)`` / ``cron(...)`` parsing in ``core.schedule``, every one read in the schedule's time zone,
and the flexible time window's offset.

A ``ScheduleTimes`` answers ``first(created)`` and ``after(tick, anchor)``: the nominal invocation times, bounded
by StartDate and EndDate (AWS ignores both for ``at`` schedules).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
import zoneinfo

from ...core.schedule import Rate, ScheduleError, parse_schedule

_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")


def time_zone(name: str | None) -> _dt.tzinfo:
    """The IANA zone ``ScheduleExpressionTimezone`` names (UTC when absent); ValueError if unknown."""
    if not name or name == "UTC":
        return _dt.timezone.utc
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(name) from None


class ScheduleTimes:
    """When a schedule's target is due (nominal times, before the flexible window's offset)."""

    def __init__(self, expression: str, zone: _dt.tzinfo, start: float | None, end: float | None) -> None:
        match = _AT.match(expression)
        self.one_time: float | None = None
        if match:
            local = _dt.datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S")
            self.one_time = local.replace(tzinfo=zone).timestamp()
            self.start = self.end = None
            return
        self.recurring = parse_schedule(expression, zone)  # raises ScheduleError
        self.start, self.end = start, end

    def anchor(self, created: float) -> float:
        """Where a rate's grid starts: StartDate when set, else the moment of creation (or update)."""
        return created if self.start is None else self.start

    def first(self, created: float) -> float | None:
        """The first invocation of a schedule created (or updated) at ``created``."""
        if self.one_time is not None:
            return self.one_time
        begin = created if self.start is None else max(created, self.start)
        return self._bounded(self.recurring.next_after(begin, self.anchor(created)))

    def after(self, tick: float, anchor: float) -> float | None:
        """The invocation after the one at ``tick`` (None when the schedule is complete)."""
        if self.one_time is not None:
            return None
        return self._bounded(self.recurring.next_after(tick, anchor))

    def _bounded(self, tick: float | None) -> float | None:
        if tick is None or (self.end is not None and tick > self.end):
            return None
        return tick


def parse_times(expression: str, zone: _dt.tzinfo, start: float | None, end: float | None) -> ScheduleTimes:
    """``ScheduleTimes`` of an expression; ScheduleError when it is not one AWS accepts."""
    try:
        return ScheduleTimes(expression, zone, start, end)
    except ValueError as exc:  # a malformed at() date
        raise ScheduleError(expression) from exc


def flexible_offset(seed: str, tick: float, window_minutes: int) -> float:
    """Seconds after ``tick`` at which a FLEXIBLE schedule fires: a deterministic spread over the window,
    drawn from the schedule's seeded id and the tick (the same run fires at the same moment every time)."""
    digest = hashlib.sha256(f"{seed}:{tick}".encode()).digest()
    return float(int.from_bytes(digest[:8], "big") % (window_minutes * 60))
