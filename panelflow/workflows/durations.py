"""Durations as LA officers write them ("6 school weeks", "10 school days", "2 weeks").

School days and school weeks are counted on a ``SchoolCalendar``. The default calendar treats
Monday to Friday as school days; a calendar built with term-time closures (holidays and
training days) skips those too.

Days are counted on the school's clock, UK time: a case that moves at half past midnight on
a Monday morning (Sunday evening in UTC) starts counting from Monday, and "10 school days"
from 4pm is 4pm, in October's half-term as in June, whichever side of the change to GMT.
Aware datetimes come back in the zone they were given in; naive ones are taken as UK time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

SCHOOL_TIME = ZoneInfo("Europe/London")

UNITS = {
    "day": "days",
    "days": "days",
    "week": "weeks",
    "weeks": "weeks",
    "school day": "school_days",
    "school days": "school_days",
    "school week": "school_weeks",
    "school weeks": "school_weeks",
}

_DURATION = re.compile(r"^\s*(\d+)\s+((?:school\s+)?(?:days?|weeks?))\s*$", re.IGNORECASE)

DURATION_HELP = (
    "write a whole number followed by 'days', 'weeks', 'school days' or 'school weeks', "
    "for example '6 school weeks'"
)


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: str  # days | weeks | school_days | school_weeks

    def __str__(self) -> str:
        words = self.unit.replace("_", " ")
        if self.amount == 1:
            words = words[:-1]
        return f"{self.amount} {words}"

    @property
    def school_days(self) -> int:
        """The length in school days (for school units) ."""
        return self.amount * 5 if self.unit == "school_weeks" else self.amount


def parse_duration(text: str) -> Duration | None:
    """Parse '6 school weeks'; return None when the text is not a duration."""
    match = _DURATION.match(text)
    if not match:
        return None
    unit = UNITS[" ".join(match.group(2).lower().split())]
    return Duration(int(match.group(1)), unit)


class SchoolCalendar:
    """Counts school days: weekdays that are not closures (holidays, training days)."""

    def __init__(self, closures: Iterable[date] = ()) -> None:
        self.closures = frozenset(closures)

    def is_school_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.closures

    def add(self, start: datetime, duration: Duration) -> datetime:
        """The moment ``duration`` after ``start``."""
        return self._step(start, duration, 1)

    def _step(self, start: datetime, duration: Duration, direction: int) -> datetime:
        # Aware arithmetic within one zone keeps the wall-clock time across a change of
        # offset, so stepping a day at a time in UK time lands on the same time of day.
        moment = start.astimezone(SCHOOL_TIME) if start.tzinfo else start
        if duration.unit in ("days", "weeks"):
            moment += direction * timedelta(**{duration.unit: duration.amount})
        else:
            remaining = duration.school_days
            while remaining > 0:
                moment += direction * timedelta(days=1)
                if self.is_school_day(moment.date()):
                    remaining -= 1
        return moment.astimezone(start.tzinfo) if start.tzinfo else moment

    def has_elapsed(self, start: datetime, duration: Duration, now: datetime) -> bool:
        return now >= self.add(start, duration)

    def subtract(self, end: datetime, duration: Duration) -> datetime:
        """The moment ``duration`` before ``end``."""
        return self._step(end, duration, -1)


WEEKDAYS = SchoolCalendar()
