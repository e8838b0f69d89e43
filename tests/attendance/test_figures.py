"""Attendance figures per pupil: rates over the year and recent school weeks, persistent and
severe absence at their thresholds, the recent periods and their direction, and what a pupil
without figures shows (nothing, never 0% or 100%). Computed in SQL a school at a time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from fractions import Fraction

from sqlalchemy import event
from sqlalchemy.orm import Session

from panelflow.attendance.figures import (
    figures_for,
    pupil_figures,
    sessions_over,
    span_start,
    tag,
)
from panelflow.organisations.models import Pupil
from panelflow.terms.models import SchoolClosure
from panelflow.workflows.definitions import AttendanceRules
from panelflow.workflows.durations import WEEKDAYS, Duration, SchoolCalendar
from tests.attendance.weeks import FIRST_MONDAY, add_period, add_weeks
from tests.factories import make_local_authority, make_pupil, make_school

RULES = AttendanceRules()
FRIDAY = FIRST_MONDAY + timedelta(days=4)


def week_end(n: int) -> date:
    """The Friday of the n-th week (0 is the first)."""
    return FRIDAY + timedelta(weeks=n)


def test_a_pupil_without_records_has_no_figures(session: Session) -> None:
    pupil = make_pupil(session)
    assert pupil_figures(session, pupil.id, RULES) is None
    assert sessions_over(session, pupil.id, None) is None
    assert tag(None) is None


def test_rates_over_the_year_and_the_last_six_school_weeks(session: Session) -> None:
    pupil = make_pupil(session)
    # Ten weeks: four full weeks, then six weeks missing one session in ten.
    add_weeks(session, pupil, [(10, 10)] * 4 + [(10, 9)] * 6)
    figures = pupil_figures(session, pupil.id, RULES)
    assert figures is not None
    assert figures.as_of == week_end(9)
    assert figures.year is not None
    assert (figures.year.possible, figures.year.attended) == (100, 94)
    assert figures.year.start == date(2025, 9, 1)
    assert figures.rate == Fraction(94, 100)
    assert figures.recent is not None
    assert (figures.recent.possible, figures.recent.attended, figures.recent.periods) == (60, 54, 6)
    assert figures.recent.start == FIRST_MONDAY + timedelta(weeks=4)
    assert not figures.persistent and not figures.severe


def test_persistent_absence_starts_at_exactly_ten_percent_missed(session: Session) -> None:
    exactly, under = make_pupil(session), make_pupil(session, given_name="Bea")
    add_weeks(session, exactly, [(10, 9)] * 10)  # 10 of 100 missed
    add_weeks(session, under, [(10, 9)] * 9 + [(10, 10)])  # 9 of 100 missed
    found = figures_for(session, Pupil.id.in_([exactly.id, under.id]), RULES)
    assert found[exactly.id].persistent and not found[exactly.id].severe
    assert tag(found[exactly.id]) == "Persistent absence"
    assert not found[under.id].persistent
    assert tag(found[under.id]) is None


def test_severe_absence_starts_at_exactly_half_missed(session: Session) -> None:
    half, less = make_pupil(session), make_pupil(session, given_name="Bea")
    add_weeks(session, half, [(10, 5)] * 4)
    add_weeks(session, less, [(10, 5)] * 3 + [(10, 6)])
    found = figures_for(session, Pupil.id.in_([half.id, less.id]), RULES)
    assert found[half.id].severe and found[half.id].persistent
    assert tag(found[half.id]) == "Severe absence"
    assert not found[less.id].severe and found[less.id].persistent


def test_thresholds_come_from_the_rules(session: Session) -> None:
    pupil = make_pupil(session)
    add_weeks(session, pupil, [(10, 9)] * 4)
    stricter = AttendanceRules(persistent=Fraction(15, 100), severe=Fraction(40, 100))
    figures = pupil_figures(session, pupil.id, stricter)
    assert figures is not None and not figures.persistent


def test_periods_without_possible_sessions_give_no_rate(session: Session) -> None:
    pupil = make_pupil(session)
    add_weeks(session, pupil, [(0, 0)] * 3)
    figures = pupil_figures(session, pupil.id, RULES)
    assert figures is not None
    assert figures.year is not None and figures.year.possible == 0
    assert figures.rate is None
    assert not figures.persistent and not figures.severe
    assert figures.direction is None
    assert [p.rate for p in figures.periods] == [None, None, None]


def test_half_terms_count_whole_and_three_are_shown(session: Session) -> None:
    pupil = make_pupil(session)
    add_period(session, pupil, date(2025, 9, 3), date(2025, 10, 24), 76, 74)
    add_period(session, pupil, date(2025, 11, 3), date(2025, 12, 19), 70, 63)
    add_period(session, pupil, date(2026, 1, 5), date(2026, 2, 13), 60, 48)
    add_period(session, pupil, date(2026, 2, 23), date(2026, 3, 27), 50, 35)
    figures = pupil_figures(session, pupil.id, RULES)
    assert figures is not None
    assert figures.as_of == date(2026, 3, 27)
    assert [p.end for p in figures.periods] == [
        date(2026, 3, 27),
        date(2026, 2, 13),
        date(2025, 12, 19),
    ]
    assert figures.periods[0].words == "the half-term from 23 February 2026 to 27 March 2026"
    # The last 6 school weeks hold only the half-term that ends in them, counted whole.
    assert figures.recent is not None
    assert (figures.recent.possible, figures.recent.attended) == (50, 35)
    assert figures.year is not None and figures.year.possible == 256
    assert figures.direction == "falling"


def test_falling_fast_compares_the_last_four_school_weeks_with_the_four_before(
    session: Session,
) -> None:
    falling, steady = make_pupil(session), make_pupil(session, given_name="Bea")
    add_weeks(session, falling, [(10, 10)] * 4 + [(10, 8)] * 4)
    add_weeks(session, steady, [(10, 10)] * 4 + [(10, 10), (10, 9), (10, 10), (10, 10)])
    found = figures_for(session, Pupil.id.in_([falling.id, steady.id]), RULES)
    mine = found[falling.id]
    assert mine.before is not None and mine.last is not None
    assert (mine.before.rate, mine.last.rate) == (1, Fraction(8, 10))
    assert mine.before.end == FIRST_MONDAY + timedelta(weeks=4) - timedelta(days=1)
    assert mine.fall == Fraction(2, 10)
    assert mine.falling_fast
    assert mine.direction == "falling"
    assert not found[steady.id].falling_fast
    assert found[steady.id].direction == "steady"


def test_spans_end_at_the_schools_latest_period(session: Session) -> None:
    school = make_school(session)
    current, left = make_pupil(session, school), make_pupil(session, school, given_name="Bea")
    add_weeks(session, current, [(10, 10)] * 10)
    add_weeks(session, left, [(10, 10)] * 2)  # nothing since the second week
    figures = pupil_figures(session, left.id, RULES)
    assert figures is not None
    assert figures.as_of == week_end(9)
    assert figures.recent is None  # nothing imported in the last 6 school weeks
    assert figures.year is not None and figures.year.possible == 20
    assert sessions_over(session, left.id, Duration(6, "school_weeks")) is None


def test_school_weeks_skip_the_authoritys_closures(session: Session) -> None:
    authority = make_local_authority(session)
    school = make_school(session, local_authority=authority)
    pupil = make_pupil(session, school)
    add_weeks(session, pupil, [(10, 10)] * 10)
    closed_week = FIRST_MONDAY + timedelta(weeks=7)
    for n in range(5):  # the 8th week is a holiday (its record is kept, as imported)
        session.add(
            SchoolClosure(
                local_authority_id=authority.id,
                day=closed_week + timedelta(days=n),
                kind="holiday",
                name="Easter",
            )
        )
    session.flush()
    figures = pupil_figures(session, pupil.id, RULES)
    assert figures is not None and figures.recent is not None
    # Six school weeks back from the tenth week reach the third: seven calendar weeks.
    assert figures.recent.start == FIRST_MONDAY + timedelta(weeks=3)
    assert figures.recent.periods == 7
    calendar = SchoolCalendar([closed_week + timedelta(days=n) for n in range(5)])
    assert span_start(week_end(9), Duration(6, "school_weeks"), calendar) == figures.recent.start
    assert span_start(week_end(9), Duration(6, "school_weeks"), WEEKDAYS) == (
        FIRST_MONDAY + timedelta(weeks=4)
    )


def test_the_conditions_sessions_agree_with_the_figures(session: Session) -> None:
    pupil = make_pupil(session)
    add_weeks(session, pupil, [(10, 10)] * 3 + [(10, 7)] * 7)
    figures = pupil_figures(session, pupil.id, RULES)
    assert figures is not None
    assert sessions_over(session, pupil.id, None) == figures.year
    assert sessions_over(session, pupil.id, Duration(6, "school_weeks")) == figures.recent
    assert sessions_over(session, pupil.id, Duration(4, "school_weeks")) == figures.last


def test_before_the_latest_period_leaves_it_out(session: Session) -> None:
    pupil = make_pupil(session)
    add_weeks(session, pupil, [(10, 10)] * 3 + [(10, 2)])
    figures = pupil_figures(session, pupil.id, RULES)
    assert figures is not None and figures.latest is not None
    before = figures.before_latest
    assert before is not None
    assert (before.possible, before.attended, before.periods) == (30, 30, 3)
    assert figures.latest.words == "the week of 16 March 2026"


@contextmanager
def counted(session: Session) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = session.get_bind()

    def count(*args: object) -> None:
        if not str(args[2]).startswith("BEGIN"):
            seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_whole_school_costs_the_same_statements_as_one_pupil(session: Session) -> None:
    authority = make_local_authority(session)
    school = make_school(session, local_authority=authority)
    session.add(
        SchoolClosure(
            local_authority_id=authority.id, day=date(2026, 4, 3), kind="holiday", name="Easter"
        )
    )
    few = [make_pupil(session, school, given_name=f"P{n}") for n in range(2)]
    for pupil in few:
        add_weeks(session, pupil, [(10, 9)] * 8)
    session.commit()
    with counted(session) as small:
        assert len(figures_for(session, Pupil.school_id == school.id, RULES)) == 2
    many = [make_pupil(session, school, given_name=f"Q{n}") for n in range(40)]
    for pupil in many:
        add_weeks(session, pupil, [(10, 9)] * 8)
    session.commit()
    with counted(session) as large:
        assert len(figures_for(session, Pupil.school_id == school.id, RULES)) == 42
    assert len(large) == len(small) == 4, large
