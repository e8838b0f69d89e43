"""Durations as LA officers write them ("6 school weeks", "10 school days", "2 weeks").

School days and school weeks are counted on a ``SchoolCalendar``. The default calendar treats
Monday to Friday as school days; a calendar built with term-time closures (holidays and
training days) skips those too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

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
        if duration.unit == "days":
            return start + timedelta(days=duration.amount)
        if duration.unit == "weeks":
            return start + timedelta(weeks=duration.amount)
        remaining = duration.school_days
        moment = start
        while remaining > 0:
            moment += timedelta(days=1)
            if self.is_school_day(moment.date()):
                remaining -= 1
        return moment

    def has_elapsed(self, start: datetime, duration: Duration, now: datetime) -> bool:
        return now >= self.add(start, duration)

    def subtract(self, end: datetime, duration: Duration) -> datetime:
        """The moment ``duration`` before ``end``."""
        if duration.unit == "days":
            return end - timedelta(days=duration.amount)
        if duration.unit == "weeks":
            return end - timedelta(weeks=duration.amount)
        remaining = duration.school_days
        moment = end
        while remaining > 0:
            moment -= timedelta(days=1)
            if self.is_school_day(moment.date()):
                remaining -= 1
        return moment


WEEKDAYS = SchoolCalendar()
