"""Durations as LA officers write them, and counting school days on a calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from panelflow.workflows.durations import (
    SCHOOL_TIME,
    WEEKDAYS,
    Duration,
    SchoolCalendar,
    parse_duration,
)

# February half term 2026: Monday 16 to Friday 20 February.
HALF_TERM = [date(2026, 2, 16) + timedelta(days=i) for i in range(5)]
TERM = SchoolCalendar(HALF_TERM)


# -- parse_duration -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("1 day", 1, "days"),
        ("28 days", 28, "days"),
        ("1 week", 1, "weeks"),
        ("12 weeks", 12, "weeks"),
        ("1 school day", 1, "school_days"),
        ("10 school days", 10, "school_days"),
        ("1 school week", 1, "school_weeks"),
        ("6 school weeks", 6, "school_weeks"),
        # singular and plural are both accepted whatever the number
        ("2 day", 2, "days"),
        ("1 weeks", 1, "weeks"),
        # case and spacing do not matter
        ("6 School Weeks", 6, "school_weeks"),
        ("6 SCHOOL WEEKS", 6, "school_weeks"),
        ("10 DAYS", 10, "days"),
        ("  6   school    weeks  ", 6, "school_weeks"),
        ("3\tweeks", 3, "weeks"),
    ],
)
def test_parse_duration_accepts(text: str, amount: int, unit: str) -> None:
    assert parse_duration(text) == Duration(amount, unit)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "6",
        "weeks",
        "school weeks",
        "six weeks",
        "-1 days",
        "1.5 weeks",
        "1,5 weeks",
        "6 months",
        "2 fortnights",
        "6 school wekes",
        "6schoolweeks",
        "6 weeks and 2 days",
        "about 6 weeks",
        "6 school",
        "6 weeks school",
    ],
)
def test_parse_duration_rejects(text: str) -> None:
    assert parse_duration(text) is None


@pytest.mark.parametrize(
    ("duration", "words"),
    [
        (Duration(1, "days"), "1 day"),
        (Duration(28, "days"), "28 days"),
        (Duration(1, "weeks"), "1 week"),
        (Duration(2, "weeks"), "2 weeks"),
        (Duration(1, "school_days"), "1 school day"),
        (Duration(10, "school_days"), "10 school days"),
        (Duration(1, "school_weeks"), "1 school week"),
        (Duration(6, "school_weeks"), "6 school weeks"),
    ],
)
def test_duration_reads_as_written(duration: Duration, words: str) -> None:
    assert str(duration) == words


def test_str_of_a_parsed_duration_is_tidy() -> None:
    parsed = parse_duration("  6   SCHOOL weeks ")
    assert parsed is not None
    assert str(parsed) == "6 school weeks"


def test_school_weeks_are_five_school_days() -> None:
    assert Duration(6, "school_weeks").school_days == 30
    assert Duration(10, "school_days").school_days == 10


# -- SchoolCalendar.add ----------------------------------------------------------------------


def test_weekdays_are_school_days_and_weekends_are_not() -> None:
    assert WEEKDAYS.is_school_day(date(2026, 3, 27))  # Friday
    assert not WEEKDAYS.is_school_day(date(2026, 3, 28))  # Saturday
    assert not WEEKDAYS.is_school_day(date(2026, 3, 29))  # Sunday
    assert WEEKDAYS.is_school_day(date(2026, 3, 30))  # Monday


def test_closures_are_not_school_days() -> None:
    assert WEEKDAYS.is_school_day(date(2026, 2, 17))
    assert not TERM.is_school_day(date(2026, 2, 17))
    assert TERM.is_school_day(date(2026, 2, 23))


def test_add_calendar_days_and_weeks_ignore_weekends() -> None:
    friday = datetime(2026, 3, 27, 10, 0)
    assert WEEKDAYS.add(friday, Duration(1, "days")) == datetime(2026, 3, 28, 10, 0)
    assert WEEKDAYS.add(friday, Duration(2, "weeks")) == datetime(2026, 4, 10, 10, 0)
    assert TERM.add(datetime(2026, 2, 13, 10, 0), Duration(1, "weeks")) == datetime(
        2026, 2, 20, 10, 0
    )


def test_add_school_days_skips_the_weekend_and_keeps_the_time() -> None:
    friday = datetime(2026, 3, 27, 15, 30)
    assert WEEKDAYS.add(friday, Duration(1, "school_days")) == datetime(2026, 3, 30, 15, 30)
    assert WEEKDAYS.add(friday, Duration(3, "school_days")) == datetime(2026, 4, 1, 15, 30)


def test_add_from_a_weekend_counts_from_monday() -> None:
    saturday = datetime(2026, 3, 28, 9, 0)
    assert WEEKDAYS.add(saturday, Duration(1, "school_days")) == datetime(2026, 3, 30, 9, 0)


def test_add_school_weeks() -> None:
    monday = datetime(2026, 3, 2, 9, 0)
    assert WEEKDAYS.add(monday, Duration(1, "school_weeks")) == datetime(2026, 3, 9, 9, 0)
    assert WEEKDAYS.add(monday, Duration(4, "school_weeks")) == datetime(2026, 3, 30, 9, 0)


def test_add_skips_a_half_term_week_of_closures() -> None:
    friday_before = datetime(2026, 2, 13, 12, 0)
    # On weekdays alone the next school day is Monday 16th; half term pushes it a week on.
    assert WEEKDAYS.add(friday_before, Duration(1, "school_days")) == datetime(2026, 2, 16, 12, 0)
    assert TERM.add(friday_before, Duration(1, "school_days")) == datetime(2026, 2, 23, 12, 0)
    # Two school weeks from Monday 9th: the 9th-13th week, then the 23rd-27th.
    monday = datetime(2026, 2, 9, 9, 0)
    assert WEEKDAYS.add(monday, Duration(2, "school_weeks")) == datetime(2026, 2, 23, 9, 0)
    assert TERM.add(monday, Duration(2, "school_weeks")) == datetime(2026, 3, 2, 9, 0)


def test_add_zero_is_the_same_moment() -> None:
    moment = datetime(2026, 3, 28, 9, 0)
    assert WEEKDAYS.add(moment, Duration(0, "school_days")) == moment


# -- SchoolCalendar.subtract -----------------------------------------------------------------


def test_subtract_calendar_days_and_weeks() -> None:
    monday = datetime(2026, 3, 30, 9, 0)
    assert WEEKDAYS.subtract(monday, Duration(28, "days")) == datetime(2026, 3, 2, 9, 0)
    assert WEEKDAYS.subtract(monday, Duration(1, "weeks")) == datetime(2026, 3, 23, 9, 0)


def test_subtract_school_days_skips_the_weekend() -> None:
    monday = datetime(2026, 3, 30, 9, 0)
    assert WEEKDAYS.subtract(monday, Duration(1, "school_days")) == datetime(2026, 3, 27, 9, 0)
    assert WEEKDAYS.subtract(monday, Duration(4, "school_weeks")) == datetime(2026, 3, 2, 9, 0)


def test_subtract_skips_a_half_term_week_of_closures() -> None:
    monday_after = datetime(2026, 2, 23, 9, 0)
    assert WEEKDAYS.subtract(monday_after, Duration(1, "school_days")) == datetime(
        2026, 2, 20, 9, 0
    )
    assert TERM.subtract(monday_after, Duration(1, "school_days")) == datetime(2026, 2, 13, 9, 0)
    assert TERM.subtract(monday_after, Duration(1, "school_weeks")) == datetime(2026, 2, 9, 9, 0)


@pytest.mark.parametrize("text", ["1 school day", "6 school weeks", "28 days", "2 weeks"])
def test_subtract_undoes_add_from_a_school_day(text: str) -> None:
    duration = parse_duration(text)
    assert duration is not None
    start = datetime(2026, 2, 9, 9, 0)  # a Monday, two weeks before half term
    assert TERM.subtract(TERM.add(start, duration), duration) == start


def test_has_elapsed_at_the_exact_moment() -> None:
    start = datetime(2026, 3, 2, 9, 0)
    duration = Duration(4, "school_weeks")
    due = datetime(2026, 3, 30, 9, 0)
    assert not WEEKDAYS.has_elapsed(start, duration, due - timedelta(seconds=1))
    assert WEEKDAYS.has_elapsed(start, duration, due)


# October half term 2026: Monday 26 to Friday 30 October; the clocks go back on Sunday 25th.
OCTOBER = SchoolCalendar([date(2026, 10, 26) + timedelta(days=i) for i in range(5)])


def test_school_days_across_october_half_term_keep_the_uk_time_of_day() -> None:
    four_pm_bst = datetime(2026, 10, 23, 15, 0, tzinfo=UTC)  # Friday, 4pm in London

    due = OCTOBER.add(four_pm_bst, Duration(5, "school_days"))

    # Five school days: 2 to 6 November (half term skipped); 4pm GMT is 16:00 UTC.
    assert due == datetime(2026, 11, 6, 16, 0, tzinfo=UTC)
    assert due.tzinfo is UTC
    assert OCTOBER.subtract(due, Duration(5, "school_days")) == four_pm_bst
    assert OCTOBER.add(four_pm_bst, Duration(2, "weeks")) == datetime(
        2026, 11, 6, 16, 0, tzinfo=UTC
    )


def test_days_are_counted_on_the_uk_date_not_the_utc_one() -> None:
    # Half past midnight on Saturday 6 June in London is still Friday 5 June in UTC.
    saturday_early = datetime(2026, 6, 5, 23, 30, tzinfo=UTC)

    assert not WEEKDAYS.is_school_day(saturday_early.astimezone(SCHOOL_TIME).date())
    # One school day on is Monday at half past midnight (Sunday 23:30 UTC), not Monday
    # night, as counting from UTC's Friday would make it.
    assert WEEKDAYS.add(saturday_early, Duration(1, "school_days")) == datetime(
        2026, 6, 7, 23, 30, tzinfo=UTC
    )
