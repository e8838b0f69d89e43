"""Monthly meeting dates on a school calendar: pure functions, no database.

The calendar is the example year of docs/term-dates.md (2026-27): Autumn half term 26 to 30
October, February half term 15 to 19 February, training days 2 September and 4 January, the
Early May bank holiday on 3 May.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from panelflow.panels.calendar_models import LAST_WEEK
from panelflow.panels.schedule import (
    Pattern,
    PlannedDate,
    ScheduleError,
    check_pattern,
    clock,
    london,
    london_day,
    nth_weekday,
    plan,
    typed_time,
)
from panelflow.presentation import LONDON
from panelflow.terms.dates import parse_term_dates
from panelflow.workflows.durations import WEEKDAYS, SchoolCalendar

YEAR = """\
academic_year: 2026-27
terms:
  - name: Autumn term
    starts: 2026-09-02
    ends: 2026-12-18
    half_term: {starts: 2026-10-26, ends: 2026-10-30}
  - name: Spring term
    starts: 2027-01-04
    ends: 2027-03-25
    half_term:
      starts: 2027-02-15
      ends: 2027-02-19
      name: February half term
  - name: Summer term
    starts: 2027-04-12
    ends: 2027-07-22
    half_term: {starts: 2027-05-31, ends: 2027-06-04}
training_days:
  - 2026-09-02
  - date: 2027-01-04
    name: Staff training day (safeguarding)
bank_holidays:
  - date: 2027-05-03
    name: Early May bank holiday
"""

MON, TUE, WED, THU, FRI = range(5)


@pytest.fixture(scope="module")
def term() -> tuple[SchoolCalendar, dict[date, str]]:
    result = parse_term_dates(YEAR)
    assert result.ok and result.term_dates is not None, result.problems
    closures = result.term_dates.closures()
    return SchoolCalendar(c.day for c in closures), {c.day: c.name for c in closures}


def pattern(week: int, weekday: int, first: date, last: date, at: time = time(16)) -> Pattern:
    return Pattern(week, weekday, at, 90, "Library", first, last)


def by_month(planned: list[PlannedDate]) -> dict[tuple[int, int], PlannedDate]:
    return {(p.month.year, p.month.month): p for p in planned}


@pytest.mark.parametrize(
    ("year", "month", "weekday", "week", "expected"),
    [
        (2026, 10, THU, 1, date(2026, 10, 1)),  # the 1st is itself a Thursday
        (2026, 10, THU, 2, date(2026, 10, 8)),
        (2026, 10, WED, 1, date(2026, 10, 7)),  # the 1st is a Thursday: Wednesday comes later
        (2026, 10, THU, 4, date(2026, 10, 22)),
        (2026, 10, THU, LAST_WEEK, date(2026, 10, 29)),
        (2026, 12, THU, LAST_WEEK, date(2026, 12, 31)),  # the last day itself
        (2027, 2, MON, 4, date(2027, 2, 22)),  # February 2027: exactly four weeks
        (2027, 2, MON, LAST_WEEK, date(2027, 2, 22)),
        (2026, 11, MON, LAST_WEEK, date(2026, 11, 30)),  # five Mondays: last is the 5th
        (2026, 11, MON, 4, date(2026, 11, 23)),
    ],
)
def test_nth_and_last_weekday_of_a_month(
    year: int, month: int, weekday: int, week: int, expected: date
) -> None:
    found = nth_weekday(year, month, weekday, week)

    assert found == expected
    assert found.weekday() == weekday and found.month == month


def test_a_week_that_is_not_1_to_4_or_last_is_refused() -> None:
    with pytest.raises(ValueError, match="week must be 1 to 4"):
        nth_weekday(2026, 10, THU, 5)


def test_school_days_keep_the_rule_day(term: tuple[SchoolCalendar, dict[date, str]]) -> None:
    school_days, names = term
    planned = plan(pattern(2, THU, date(2026, 9, 1), date(2026, 12, 31)), school_days, names)

    assert [p.day for p in planned] == [
        date(2026, 9, 10),
        date(2026, 10, 8),
        date(2026, 11, 12),
        date(2026, 12, 10),
    ]
    assert not any(p.moved or p.skipped or p.note for p in planned)


def test_a_closed_day_moves_to_the_next_school_day_and_says_why(
    term: tuple[SchoolCalendar, dict[date, str]],
) -> None:
    school_days, names = term
    planned = by_month(
        plan(pattern(3, MON, date(2027, 1, 1), date(2027, 3, 31)), school_days, names)
    )
    february = planned[(2027, 2)]

    assert february.rule_day == date(2027, 2, 15)
    assert february.day == date(2027, 2, 22)  # a week later: the whole half term is closed
    assert february.moved and not february.skipped
    assert february.closure == "February half term"
    assert february.note == "Moved from Monday 15 February (February half term)"
    assert planned[(2027, 1)].day == date(2027, 1, 18) and not planned[(2027, 1)].moved


@pytest.mark.parametrize(
    ("week", "weekday", "month", "rule_day", "moved_to", "why"),
    [
        (1, WED, (2026, 9), date(2026, 9, 2), date(2026, 9, 3), "Training day"),
        (1, MON, (2027, 1), date(2027, 1, 4), date(2027, 1, 5), "Staff training day"),
        (1, MON, (2027, 5), date(2027, 5, 3), date(2027, 5, 4), "Early May bank holiday"),
        (1, MON, (2027, 4), date(2027, 4, 5), date(2027, 4, 12), "Easter holidays"),
    ],
)
def test_training_days_bank_holidays_and_holidays_move_a_meeting(
    term: tuple[SchoolCalendar, dict[date, str]],
    week: int,
    weekday: int,
    month: tuple[int, int],
    rule_day: date,
    moved_to: date,
    why: str,
) -> None:
    school_days, names = term
    planned = by_month(
        plan(pattern(week, weekday, date(2026, 9, 1), date(2027, 7, 31)), school_days, names)
    )[month]

    assert (planned.rule_day, planned.day) == (rule_day, moved_to)
    assert why in planned.note


def test_a_month_with_no_school_day_left_is_skipped(
    term: tuple[SchoolCalendar, dict[date, str]],
) -> None:
    school_days, names = term
    planned = by_month(
        plan(pattern(LAST_WEEK, THU, date(2026, 9, 1), date(2027, 8, 31)), school_days, names)
    )

    october = planned[(2026, 10)]  # Thursday 29 October is in half term, and so is the 30th
    assert october.skipped and october.day is None
    assert october.note == (
        "No meeting in October 2026: schools are closed on Thursday 29 October "
        "(Autumn half term) and no school day follows that month"
    )
    august = planned[(2027, 8)]
    assert august.skipped and "Summer holidays" in august.note
    assert planned[(2026, 11)].day == date(2026, 11, 26)
    assert [m for m, p in planned.items() if p.skipped] == [
        (2026, 10),
        (2026, 12),
        (2027, 7),
        (2027, 8),
    ]
    assert planned[(2027, 3)].day == date(2027, 3, 25)  # the last day of the spring term


def test_only_months_whose_rule_day_falls_inside_the_dates_are_planned(
    term: tuple[SchoolCalendar, dict[date, str]],
) -> None:
    school_days, names = term
    planned = plan(pattern(2, THU, date(2026, 9, 11), date(2026, 12, 9)), school_days, names)

    # 10 September is before the first date; 10 December after the last.
    assert [p.day for p in planned] == [date(2026, 10, 8), date(2026, 11, 12)]


def test_a_move_never_goes_past_the_last_date(
    term: tuple[SchoolCalendar, dict[date, str]],
) -> None:
    school_days, names = term
    planned = plan(pattern(3, MON, date(2027, 2, 1), date(2027, 2, 20)), school_days, names)

    assert len(planned) == 1 and planned[0].skipped


def test_without_term_dates_every_weekday_is_a_school_day() -> None:
    planned = plan(pattern(3, MON, date(2027, 2, 1), date(2027, 2, 28)), WEEKDAYS, {})

    assert [p.day for p in planned] == [date(2027, 2, 15)]


def test_a_4pm_meeting_stays_at_4pm_london_time_across_the_october_clock_change(
    term: tuple[SchoolCalendar, dict[date, str]],
) -> None:
    school_days, names = term
    planned = plan(pattern(2, THU, date(2026, 10, 1), date(2026, 11, 30)), school_days, names)
    october, november = (london(p.day, time(16)) for p in planned if p.day)

    # British Summer Time ends on Sunday 25 October 2026.
    assert october == datetime(2026, 10, 8, 15, 0, tzinfo=UTC)
    assert november == datetime(2026, 11, 12, 16, 0, tzinfo=UTC)
    assert october.astimezone(LONDON).time() == november.astimezone(LONDON).time() == time(16)
    assert london_day(october) == date(2026, 10, 8)


def test_the_spring_clock_change_too() -> None:
    march = london(date(2027, 3, 25), time(9, 30))  # BST starts on 28 March 2027
    april = london(date(2027, 4, 15), time(9, 30))

    assert march.hour == 9 and april.hour == 8
    assert clock(march.astimezone(LONDON).time()) == clock(april.astimezone(LONDON).time())


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("16:00", time(16, 0)),
        ("4pm", time(16, 0)),
        ("4 PM", time(16, 0)),
        ("4:30pm", time(16, 30)),
        ("9.30am", time(9, 30)),
        ("09:05", time(9, 5)),
        ("12pm", time(12, 0)),
        ("12am", time(0, 0)),
        ("noon", time(12, 0)),
        ("4", None),  # morning or afternoon?
        ("13pm", None),
        ("25:00", None),
        ("16:60", None),
        ("tea time", None),
        ("", None),
    ],
)
def test_times_as_people_type_them(typed: str, expected: time | None) -> None:
    assert typed_time(typed) == expected


@pytest.mark.parametrize(("moment", "words"), [(time(16), "4pm"), (time(9, 30), "9:30am")])
def test_clock_words(moment: time, words: str) -> None:
    assert clock(moment) == words


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"start_time": time(6, 30)}, "start_time", "between 7am and 9pm"),
        ({"duration_minutes": 5}, "duration", "from 15 minutes"),
        ({"location": "x" * 201}, "location", "200 characters"),
        ({"ends_on": date(2026, 8, 31)}, "until", "same as or after the first date"),
        ({"starts_on": date(2025, 1, 1), "ends_on": date(2025, 7, 1)}, "until", "has passed"),
        ({"ends_on": date(2029, 9, 1)}, "until", "at most 2 years"),
        ({"week": 5}, "week", "which week"),
        ({"weekday": 5}, "weekday", "Monday to Friday"),
    ],
)
def test_a_series_that_cannot_be_planned_names_the_field(
    change: dict[str, object], field: str, message: str
) -> None:
    values: dict[str, object] = {
        "week": 2,
        "weekday": THU,
        "start_time": time(16),
        "duration_minutes": 90,
        "location": "Library",
        "starts_on": date(2026, 9, 1),
        "ends_on": date(2027, 7, 31),
    }
    values.update(change)

    with pytest.raises(ScheduleError) as refused:
        check_pattern(Pattern(**values), date(2026, 8, 1))  # type: ignore[arg-type]

    assert refused.value.field == field
    assert message in str(refused.value)


def test_a_sound_series_passes_the_checks() -> None:
    check_pattern(pattern(2, THU, date(2026, 9, 1), date(2027, 7, 31)), date(2026, 8, 1))


def test_a_pattern_describes_itself() -> None:
    assert pattern(LAST_WEEK, FRI, date(2026, 9, 1), date(2026, 9, 30), time(9, 30)).describe() == (
        "the last Friday of each month at 9:30am"
    )
