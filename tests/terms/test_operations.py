"""Storing an authority's term dates and counting school days on them, on a real database.

The heart of it: "6 school weeks" from Monday 19 October 2026 must skip the October half term
and land in December, where Monday-to-Friday counting lands at the end of November.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from panelflow.audit.models import AuditRecord
from panelflow.audit.operations import verify
from panelflow.organisations.models import LocalAuthority
from panelflow.roles import Actor, cli_actor
from panelflow.terms.dates import TermDates, parse_term_dates
from panelflow.terms.models import SchoolClosure
from panelflow.terms.operations import (
    TermDatesError,
    authority_named,
    calendar_for,
    calendar_for_pupil,
    closures_of,
    covered_years,
    load_term_dates,
)
from panelflow.workflows.durations import SCHOOL_TIME, WEEKDAYS, Duration, parse_duration
from tests.factories import make_local_authority, make_pupil, make_school

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "config" / "term-dates.yaml"


def _term_dates(text: str | bytes) -> TermDates:
    result = parse_term_dates(text)
    assert result.ok and result.term_dates is not None, result.problems
    return result.term_dates


NOTE = "; 0 pending timers counted again on the new dates"


def _at(day: date, hour: int = 9) -> datetime:
    """``hour`` o'clock in London on ``day``, in UTC (as timers are stored)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=SCHOOL_TIME).astimezone(UTC)


def _weeks(text: str) -> Duration:
    duration = parse_duration(text)
    assert duration is not None
    return duration


@pytest.fixture
def officer() -> Actor:
    return cli_actor("Olive Officer")


@pytest.fixture
def shipped() -> TermDates:
    return _term_dates(SHIPPED.read_bytes())


@pytest.fixture
def northshire(session: Session) -> LocalAuthority:
    la = LocalAuthority(name="Northshire County Council")
    session.add(la)
    session.flush()
    return la


@pytest.fixture
def loaded(
    session: Session, northshire: LocalAuthority, shipped: TermDates, officer: Actor
) -> LocalAuthority:
    load_term_dates(session, northshire.id, shipped, officer)
    session.commit()
    return northshire


def _count(session: Session, la: LocalAuthority) -> int:
    query = select(func.count()).where(SchoolClosure.local_authority_id == la.id)
    return session.scalar(query) or 0


@contextmanager
def _statements(session: Session) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        statement = str(args[2])
        if not statement.upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            seen.append(statement)  # SQLite's BEGIN IMMEDIATE is not a query

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


# -- loading ----------------------------------------------------------------------------------


def test_load_stores_every_closed_weekday_and_reports_it(
    session: Session, northshire: LocalAuthority, shipped: TermDates, officer: Actor
) -> None:
    report = load_term_dates(session, northshire.id, shipped, officer)
    session.commit()

    stored = _count(session, northshire)
    assert stored == len(shipped.closures()) == report.closures
    assert report.years == ("2025-26", "2026-27", "2027-28")
    assert report.replaced == 0
    assert report.message == (
        "loaded term dates for Northshire County Council: 2025-26, 2026-27, 2027-28 "
        f"({stored} weekdays closed; 0 stored before were replaced){NOTE}"
    )
    half_term = session.scalars(
        select(SchoolClosure).where(SchoolClosure.day == date(2026, 10, 27))
    ).one()
    assert (half_term.kind, half_term.name) == ("holiday", "Autumn half term")


def test_loading_the_same_years_again_replaces_them_and_never_doubles(
    session: Session, loaded: LocalAuthority, shipped: TermDates, officer: Actor
) -> None:
    before = _count(session, loaded)

    report = load_term_dates(session, loaded.id, shipped, officer)
    session.commit()

    assert _count(session, loaded) == before
    assert report.replaced == before
    days = session.scalars(select(SchoolClosure.day)).all()
    assert len(days) == len(set(days))


def test_a_corrected_year_replaces_only_that_year(
    session: Session, loaded: LocalAuthority, officer: Actor
) -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    start = text.index("- academic_year: 2026-27")
    end = text.index("- academic_year: 2027-28")
    corrected = text[start:end].replace("    - 2026-11-27\n", "    - 2026-11-20\n")

    report = load_term_dates(session, loaded.id, _term_dates(corrected), officer)
    session.commit()

    assert report.years == ("2026-27",)
    closed = {c.day: c.kind for c in closures_of(session, loaded.id)}
    assert closed[date(2026, 11, 20)] == "training_day"
    assert date(2026, 11, 27) not in closed
    assert closed[date(2025, 10, 27)] == "holiday"  # 2025-26 untouched
    assert closed[date(2027, 10, 25)] == "holiday"  # 2027-28 untouched
    assert covered_years(closures_of(session, loaded.id)) == ["2025-26", "2026-27", "2027-28"]


def test_each_authority_keeps_its_own_term_dates(
    session: Session, loaded: LocalAuthority, officer: Actor
) -> None:
    southby = LocalAuthority(name="Southby Borough Council")
    session.add(southby)
    session.flush()
    text = SHIPPED.read_text(encoding="utf-8").replace(
        "2026-10-26, ends: 2026-10-30", "2026-11-02, ends: 2026-11-06"
    )

    load_term_dates(session, southby.id, _term_dates(text), officer)
    session.commit()

    assert date(2026, 10, 27) in calendar_for(session, loaded.id).closures
    assert date(2026, 10, 27) not in calendar_for(session, southby.id).closures
    assert date(2026, 11, 3) in calendar_for(session, southby.id).closures
    assert _count(session, loaded) == _count(session, southby)


def test_loading_is_audited_with_counts_and_years_only(
    session: Session, loaded: LocalAuthority, shipped: TermDates
) -> None:
    record = session.scalars(select(AuditRecord)).one()

    assert record.action == "terms.load"
    assert record.actor_name == "Olive Officer"
    assert record.summary == (
        "loaded term dates for Northshire County Council: 2025-26, 2026-27, 2027-28"
    )
    assert record.case_id is None and record.pupil_id is None
    assert record.details == {
        "local_authority_id": loaded.id,
        "years": ["2025-26", "2026-27", "2027-28"],
        "closures": len(shipped.closures()),
        "replaced": 0,
        "kinds": {
            "bank_holiday": 3,
            "holiday": len(shipped.closures()) - 18,
            "training_day": 15,
        },
        "school_days": {"2025-26": 190, "2026-27": 190, "2027-28": 190},
        "timers_moved": 0,
    }
    assert verify(session).intact


def test_a_failed_load_leaves_nothing_behind(
    session: Session, loaded: LocalAuthority, shipped: TermDates, officer: Actor
) -> None:
    with pytest.raises(TermDatesError, match="there is no local authority with id 999999"):
        load_term_dates(session, 999999, shipped, officer)
    session.rollback()

    assert _count(session, loaded) == len(shipped.closures())
    assert session.scalar(select(func.count()).select_from(AuditRecord)) == 1


def test_an_empty_set_of_years_is_refused(
    session: Session, northshire: LocalAuthority, officer: Actor
) -> None:
    with pytest.raises(TermDatesError, match="nothing to load"):
        load_term_dates(session, northshire.id, TermDates(()), officer)


# -- the calendar -----------------------------------------------------------------------------


def test_without_term_dates_the_calendar_is_monday_to_friday(
    session: Session, northshire: LocalAuthority
) -> None:
    assert calendar_for(session, northshire.id) is WEEKDAYS
    assert calendar_for(session, None) is WEEKDAYS


def test_six_school_weeks_from_19_october_skip_half_term_and_land_in_december(
    session: Session, loaded: LocalAuthority
) -> None:
    calendar = calendar_for(session, loaded.id)
    start = _at(date(2026, 10, 19))

    assert WEEKDAYS.add(start, _weeks("6 school weeks")) == _at(date(2026, 11, 30))
    # 30 school days: not the week of 26 October (half term) nor Friday 27 November (a
    # training day), so the sixth school week ends on Tuesday 8 December.
    assert calendar.add(start, _weeks("6 school weeks")) == _at(date(2026, 12, 8))
    assert calendar.subtract(_at(date(2026, 12, 8)), _weeks("6 school weeks")) == start
    # Calendar weeks are not school weeks: they ignore holidays.
    assert calendar.add(start, _weeks("6 weeks")) == _at(date(2026, 11, 30))


def test_school_days_cross_christmas_and_skip_the_training_day(
    session: Session, loaded: LocalAuthority
) -> None:
    calendar = calendar_for(session, loaded.id)

    # Friday 18 December 2026 is the last day of term; 4 January 2027 is a training day.
    assert calendar.add(_at(date(2026, 12, 18)), _weeks("1 school day")) == _at(date(2027, 1, 5))
    assert calendar.subtract(_at(date(2027, 1, 5)), _weeks("1 school day")) == _at(
        date(2026, 12, 18)
    )


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        # a half-term Monday: the first school day counted is the Monday after half term
        (date(2026, 10, 26), "1 school day", date(2026, 11, 2)),
        (date(2026, 10, 26), "1 school week", date(2026, 11, 6)),
        # the Saturday before half term counts the same way
        (date(2026, 10, 24), "1 school week", date(2026, 11, 6)),
        # the last day of half term
        (date(2026, 10, 30), "2 school days", date(2026, 11, 3)),
        # a training day (2 September 2026) is not counted, the next day is
        (date(2026, 9, 2), "1 school day", date(2026, 9, 3)),
        # a bank holiday (Monday 3 May 2027)
        (date(2027, 5, 3), "1 school day", date(2027, 5, 4)),
        # the first weekday of the summer holidays: counting starts after the September
        # training days (1 and 2 September 2027)
        (date(2027, 7, 23), "1 school day", date(2027, 9, 3)),
    ],
)
def test_counting_from_a_day_that_is_itself_a_holiday(
    session: Session, loaded: LocalAuthority, start: date, duration: str, due: date
) -> None:
    """The start day is never counted, whether or not it is a school day; the deadline is
    the Nth school day after it, at the same time of day, so it always lands on a school day."""
    calendar = calendar_for(session, loaded.id)

    landed = calendar.add(_at(start, 14), _weeks(duration))

    assert landed == _at(due, 14)
    assert calendar.is_school_day(landed.date())


@pytest.mark.parametrize(
    ("end", "duration", "since"),
    [
        # "in the last school week" asked during half term reaches back before it
        (date(2026, 10, 28), "1 school week", date(2026, 10, 19)),
        (date(2026, 10, 28), "1 school day", date(2026, 10, 23)),
        # asked on the Monday after half term
        (date(2026, 11, 2), "1 school week", date(2026, 10, 19)),
        # asked on a Sunday
        (date(2026, 11, 1), "2 school days", date(2026, 10, 22)),
    ],
)
def test_counting_back_from_a_holiday(
    session: Session, loaded: LocalAuthority, end: date, duration: str, since: date
) -> None:
    calendar = calendar_for(session, loaded.id)

    assert calendar.subtract(_at(end), _weeks(duration)) == _at(since)


def test_calendar_for_is_one_query(session: Session, loaded: LocalAuthority) -> None:
    with _statements(session) as seen:
        calendar = calendar_for(session, loaded.id)

    assert len(seen) == 1
    assert "school_closures" in seen[0]
    assert len(calendar.closures) == _count(session, loaded)


def test_a_pupils_calendar_is_their_schools_authoritys_in_one_query(
    session: Session, loaded: LocalAuthority
) -> None:
    pupil = make_pupil(session, make_school(session, local_authority=loaded))
    elsewhere = make_pupil(session, make_school(session, "Hillside Academy"))  # no authority
    session.commit()

    with _statements(session) as seen:
        calendar = calendar_for_pupil(session, pupil.id)

    assert len(seen) == 1
    assert calendar.closures == calendar_for(session, loaded.id).closures
    assert calendar.add(_at(date(2026, 10, 19)), _weeks("6 school weeks")) == _at(date(2026, 12, 8))
    assert calendar_for_pupil(session, elsewhere.id) is WEEKDAYS


# -- finding authorities and showing closures ------------------------------------------------


def test_authority_named_ignores_case_and_spacing(
    session: Session, northshire: LocalAuthority
) -> None:
    assert authority_named(session, "  northshire   county COUNCIL ") is northshire


def test_an_unknown_authority_is_named_with_those_there_are(
    session: Session, northshire: LocalAuthority
) -> None:
    with pytest.raises(TermDatesError) as error:
        authority_named(session, "Northshire")

    assert str(error.value) == (
        "there is no local authority called 'Northshire' (there are: 'Northshire County Council')"
    )


def test_closures_of_one_year(session: Session, loaded: LocalAuthority) -> None:
    closures = closures_of(session, loaded.id, "2026/27")

    assert closures[0].day == date(2026, 9, 1)
    assert closures[-1].day == date(2027, 8, 31)
    assert covered_years(closures) == ["2026-27"]
    with pytest.raises(TermDatesError, match="'26-27' is not an academic year"):
        closures_of(session, loaded.id, "26-27")


def test_loading_term_dates_counts_pending_timers_again(
    session: Session, northshire: LocalAuthority, shipped: TermDates, officer: Actor, published: Any
) -> None:
    from panelflow.cases.models import CaseTimer
    from panelflow.cases.operations import open_case
    from tests.factories import person

    staff = person("Tom Staff", "school_staff")
    here = make_school(session, "Northshire Academy", northshire)
    elsewhere = make_school(session, "Southshire School", make_local_authority(session, "South"))
    monday = _at(date(2026, 10, 19))
    ours = open_case(session, make_pupil(session, here), "school_panel", staff, now=monday)
    theirs = open_case(session, make_pupil(session, elsewhere), "school_panel", staff, now=monday)

    def due(case_id: int) -> datetime:
        return session.scalars(select(CaseTimer.due_at).where(CaseTimer.case_id == case_id)).one()

    # "2 school weeks" on Monday to Friday alone: into the October half-term week.
    assert due(ours.id) == due(theirs.id) == _at(date(2026, 11, 2))

    report = load_term_dates(session, northshire.id, shipped, officer)

    assert report.timers_moved == 1
    assert report.message.endswith("; 1 pending timer counted again on the new dates")
    assert due(ours.id) == _at(date(2026, 11, 9))  # half-term skipped, same time of day
    assert due(theirs.id) == _at(date(2026, 11, 2))  # another authority's calendar
    assert load_term_dates(session, northshire.id, shipped, officer).timers_moved == 0
