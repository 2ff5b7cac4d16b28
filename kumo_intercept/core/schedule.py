"""Schedule expressions (EventBridge rules, Secrets Manager rotation, EventBridge Scheduler):
``rate(5 minutes)`` and six-field ``cron(...)``, cron evaluated in UTC or in a given time zone.

``parse_schedule`` validates an expression and returns a ``Schedule`` whose ``next_after(t)`` gives the
first firing strictly after epoch second ``t``.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {name: i for i, name in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1)}
_DAYS = {name: i for i, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], start=1)}
_UTC = _dt.timezone.utc
_SEARCH_YEARS = 200


class ScheduleError(ValueError):
    pass


class Rate:
    def __init__(self, seconds: int) -> None:
        self.seconds = seconds

    def next_after(self, start: float, anchor: float) -> float | None:
        """The first tick after ``start`` on the grid ``anchor + k * seconds`` (k >= 1)."""
        periods = int((start - anchor) // self.seconds) + 1
        return anchor + max(1, periods) * self.seconds


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int] | None:
    """One cron field as the set of allowed values; None for ``*`` / ``?``."""
    if text in ("*", "?"):
        return None
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            if not step_text.isdigit() or int(step_text) == 0:
                raise ScheduleError(text)
            step = int(step_text)
        if part == "*":
            first, last = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            first, last = _value(a, names), _value(b, names)
        else:
            first = _value(part, names)
            last = high if step > 1 else first
        if not (low <= first <= high and low <= last <= high):
            raise ScheduleError(text)
        if first <= last:
            values.update(range(first, last + 1, step))
        else:  # wrap-around ranges such as FRI-MON
            values.update(v for v in range(first, high + 1, step))
            values.update(range(low, last + 1, step))
    return values


def _value(text: str, names: dict[str, int] | None) -> int:
    upper = text.upper()
    if names and upper in names:
        return names[upper]
    if not text.isdigit():
        raise ScheduleError(text)
    return int(text)


def _weekday(text: str) -> int:
    day = _value(text, _DAYS)
    if not 1 <= day <= 7:
        raise ScheduleError(text)
    return day


class Cron:
    def __init__(self, fields: list[str], tz: _dt.tzinfo = _UTC) -> None:
        self.tz = tz
        minutes, hours, dom, month, dow, year = fields
        if (dom == "?") == (dow == "?"):
            raise ScheduleError("exactly one of day-of-month and day-of-week must be '?'")
        self.minutes = sorted(_field(minutes, 0, 59) or range(60))
        self.hours = sorted(_field(hours, 0, 23) or range(24))
        self.months = _field(month, 1, 12, _MONTHS)
        self.years = _field(year, 1970, 2199)
        self.dom_text = dom
        self.dow_text = dow
        self.dom = None if dom in ("?", "*", "L") or dom.endswith("W") else _field(dom, 1, 31)
        if dom.endswith("W") and dom != "LW" and not 1 <= _value(dom[:-1], None) <= 31:
            raise ScheduleError(dom)
        self.dow_nth: tuple[int, int] | None = None
        self.dow_last: int | None = None
        self.dow: set[int] | None = None
        if "#" in dow:
            day, nth = dow.split("#", 1)
            self.dow_nth = (_weekday(day), _value(nth, None))
            if not 1 <= self.dow_nth[1] <= 5:  # the first to fifth such weekday of the month
                raise ScheduleError(dow)
        elif dow.endswith("L") and dow != "L":
            self.dow_last = _weekday(dow[:-1])
        elif dow not in ("?", "*"):
            self.dow = _field(dow, 1, 7, _DAYS)

    def _day_matches(self, day: _dt.date) -> bool:
        if self.months is not None and day.month not in self.months:
            return False
        if self.years is not None and day.year not in self.years:
            return False
        last = calendar.monthrange(day.year, day.month)[1]
        dom = self.dom_text
        if dom != "?":
            if dom == "L":
                return day.day == last
            if dom == "LW":
                return day == _nearest_weekday(day.year, day.month, last, last)
            if dom.endswith("W"):
                return day == _nearest_weekday(day.year, day.month, min(int(dom[:-1]), last), last)
            return self.dom is None or day.day in self.dom
        weekday = (day.isoweekday() % 7) + 1  # SUN=1 … SAT=7
        if self.dow_nth is not None:
            wanted, nth = self.dow_nth
            return weekday == wanted and (day.day - 1) // 7 + 1 == nth
        if self.dow_last is not None:
            return weekday == self.dow_last and day.day + 7 > last
        return self.dow is None or weekday in self.dow

    def next_after(self, start: float, anchor: float) -> float | None:
        moment = _dt.datetime.fromtimestamp(int(start // 60) * 60, self.tz) + _dt.timedelta(minutes=1)
        day = moment.date()
        end = day.replace(year=min(day.year + _SEARCH_YEARS, 9999)) if day.month != 2 or day.day != 29 else day
        first_day = True
        while day <= end:
            if self._day_matches(day):
                for hour in self.hours:
                    if first_day and hour < moment.hour:
                        continue
                    for minute in self.minutes:
                        if first_day and hour == moment.hour and minute < moment.minute:
                            continue
                        return _dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz).timestamp()
            day += _dt.timedelta(days=1)
            first_day = False
        return None


def _nearest_weekday(year: int, month: int, target: int, last: int) -> _dt.date:
    day = _dt.date(year, month, target)
    if day.weekday() == 5:  # Saturday
        return day - _dt.timedelta(days=1) if target > 1 else day + _dt.timedelta(days=2)
    if day.weekday() == 6:  # Sunday
        return day + _dt.timedelta(days=1) if target < last else day - _dt.timedelta(days=2)
    return day


def parse_schedule(expression: str, tz: _dt.tzinfo = _UTC) -> Rate | Cron:
    """The schedule of a ``rate(...)`` or ``cron(...)`` expression; cron fields are read in ``tz``."""
    match = _RATE.match(expression)
    if match:
        value, unit = int(match.group(1)), match.group(2)
        if value < 1 or (value == 1) != (not unit.endswith("s")):
            raise ScheduleError(expression)
        return Rate(value * _UNIT_SECONDS[unit.rstrip("s")])
    match = _CRON.match(expression)
    if match:
        fields = match.group(1).split()
        if len(fields) != 6:
            raise ScheduleError(expression)
        return Cron(fields, tz)
    raise ScheduleError(expression)
