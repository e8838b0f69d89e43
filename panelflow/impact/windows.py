"""Where the before and after windows of an intervention sit, in school weeks.

A school week is a Monday-to-Friday week with at least one school day on the local
authority's term dates (a half-term week is not one). The week an intervention starts in
and the week it ends in belong to neither window: attendance in them mixes days before and
during (or during and after). So, for N school weeks each:

- the **before** window is the N school weeks before the week it starts in;
- the **after** window is the N school weeks after the week it ends in.

Each window is returned as a range of dates, Monday of its first week to Sunday of its last,
and an attendance period counts in a window only when it lies wholly inside that range (a
week always does or does not; a half-term's figures straddling an edge cannot be split by
date, so they are left out). Pure: no database, no Flask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from panelflow.workflows.durations import SchoolCalendar

DEFAULT_WEEKS = 6
MAX_WEEKS = 26
# However many holidays there are, a window never reaches further than this.
FURTHEST = 3 * MAX_WEEKS
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Windows:
    before_from: date  # a Monday
    before_to: date  # a Sunday
    after_from: date  # a Monday
    after_to: date  # a Sunday


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def is_school_week(calendar: SchoolCalendar, monday: date) -> bool:
    return any(calendar.is_school_day(monday + timedelta(days=i)) for i in range(5))


def _school_weeks(calendar: SchoolCalendar, first: date, step: timedelta, count: int) -> date:
    """The Monday of the ``count``-th school week from ``first`` (itself included), going by
    ``step``; stops after ``FURTHEST`` calendar weeks."""
    monday = first
    found = 0
    for _ in range(FURTHEST):
        if is_school_week(calendar, monday):
            found += 1
            if found == count:
                return monday
        monday += step
    return monday - step


def windows_for(
    calendar: SchoolCalendar,
    starts: date,
    ends: date,
    before_weeks: int = DEFAULT_WEEKS,
    after_weeks: int = DEFAULT_WEEKS,
) -> Windows:
    """The before and after windows of an intervention running from ``starts`` to ``ends``."""
    start_week = monday_of(starts)
    end_week = monday_of(max(starts, ends))
    first_before = _school_weeks(calendar, start_week - WEEK, -WEEK, before_weeks)
    last_after = _school_weeks(calendar, end_week + WEEK, WEEK, after_weeks)
    return Windows(
        before_from=first_before,
        before_to=start_week - timedelta(days=1),
        after_from=end_week + WEEK,
        after_to=last_after + timedelta(days=6),
    )
