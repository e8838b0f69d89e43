"""Measuring interventions in SQL: what counts, in which window, and for whom."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from panelflow.attendance.models import AttendanceRecord
from panelflow.catalogue.models import WorkflowVersion
from panelflow.funding.models import FundingDecision
from panelflow.impact.measures import MEASURED, NO_ATTENDANCE, WAITING, Filters, measure
from panelflow.impact.scope import Scope
from panelflow.organisations.models import School
from panelflow.terms.models import SchoolClosure
from tests.factories import make_local_authority
from tests.impact.builders import (
    AFTER_WEEKS,
    BEFORE_WEEKS,
    COHORT_STARTS,
    Setting,
    _import_for,
    add_pupils,
    attendance,
    cohort_of,
    funded,
    school_with_panel,
)

FILTERS = Filters(date(2025, 1, 1), date(2025, 7, 31))
LATER = date(2026, 1, 1)


def _school(at: Setting) -> Scope:
    return Scope(at.school.name, school_id=at.school.id)


def _record(
    session: Session,
    school: School,
    pupil: int,
    start: date,
    end: date,
    possible: int,
    attended: int,
) -> None:
    session.execute(
        insert(AttendanceRecord),
        [
            {
                "pupil_id": pupil,
                "import_id": _import_for(session, school),
                "period_kind": "week" if (end - start).days < 7 else "half_term",
                "period_start": start,
                "period_end": end,
                "possible_sessions": possible,
                "attended_sessions": attended,
                "authorised_absence": possible - attended,
                "unauthorised_absence": 0,
            }
        ],
    )


def test_a_funded_place_is_measured_once_as_the_place_with_its_spend(
    session: Session, published: WorkflowVersion
) -> None:
    at = school_with_panel(session)
    [pupil] = add_pupils(session, at, 1, has_send=True, year_group=9)
    cohort_of(session, at, "Inspiring Futures", [pupil], funded_pence=40_000)
    attendance(session, at.school, pupil, BEFORE_WEEKS, 25)
    attendance(session, at.school, pupil, AFTER_WEEKS, 40)
    session.flush()
    [found] = measure(session, _school(at), FILTERS, LATER)
    assert (found.kind, found.status, found.spend_pence) == ("programme", MEASURED, 40_000)
    assert found.before == 0.5 and found.after == 0.8
    assert round(found.change, 6) == 30 and found.improved
    assert found.has_send and found.year_group == 9


def test_only_periods_wholly_inside_a_window_count(
    session: Session, published: WorkflowVersion
) -> None:
    at = school_with_panel(session)
    [pupil] = add_pupils(session, at, 1)
    funded(session, at, pupil, "transport", 4_500, COHORT_STARTS, COHORT_STARTS)
    # Before (weeks of 20 Jan to 24 Feb): one week inside, and a half-term straddling the
    # window's start that must not count. The week the bus pass started in counts nowhere.
    _record(session, at.school, pupil, date(2025, 2, 24), date(2025, 2, 28), 10, 5)
    _record(session, at.school, pupil, date(2025, 1, 6), date(2025, 1, 24), 30, 30)
    _record(session, at.school, pupil, date(2025, 3, 3), date(2025, 3, 7), 10, 0)
    # After (weeks of 10 March to 14 April): one week inside.
    _record(session, at.school, pupil, date(2025, 3, 10), date(2025, 3, 14), 10, 9)
    [found] = measure(session, _school(at), FILTERS, LATER)
    assert (found.before, found.after) == (0.5, 0.9)


def test_windows_not_over_or_empty_are_not_measurable_and_never_zero(
    session: Session, published: WorkflowVersion
) -> None:
    at = school_with_panel(session)
    nothing, empty, half = add_pupils(session, at, 3)
    for pupil in (nothing, empty, half):
        funded(session, at, pupil, "transport", 4_500)
    attendance(session, at.school, half, BEFORE_WEEKS, 40)  # nothing after
    statuses = {m.pupil_id: m.status for m in measure(session, _school(at), FILTERS, LATER)}
    assert statuses == {nothing: NO_ATTENDANCE, empty: NO_ATTENDANCE, half: NO_ATTENDANCE}
    # Until the after window's last day has passed, it is waiting, whatever was imported.
    during = {m.status for m in measure(session, _school(at), FILTERS, date(2025, 5, 1))}
    assert during == {WAITING}
    assert all(m.before is None for m in measure(session, _school(at), FILTERS, LATER))


def test_only_approved_decisions_of_the_scope_and_dates_count(
    session: Session, published: WorkflowVersion
) -> None:
    at = school_with_panel(session)
    other = school_with_panel(session, "Rock Ferry High", authority=at.authority)
    elsewhere = school_with_panel(
        session, "Wallasey School", authority=make_local_authority(session, "Sefton Council")
    )
    mine, withdrawn, late = add_pupils(session, at, 3)
    [theirs] = add_pupils(session, other, 1)
    [far] = add_pupils(session, elsewhere, 1)
    funded(session, at, mine, "transport", 4_500)
    gone = funded(session, at, withdrawn, "transport", 4_500)
    found = session.get(FundingDecision, gone)
    assert found is not None
    found.status = "withdrawn"
    funded(session, at, late, "transport", 4_500, date(2025, 9, 1))
    funded(session, other, theirs, "uniform", 3_000)
    funded(session, elsewhere, far, "uniform", 3_000)
    session.flush()
    assert [m.pupil_id for m in measure(session, _school(at), FILTERS, LATER)] == [mine]
    authority = Scope(at.authority.name, local_authority_id=at.authority.id)
    assert sorted(m.pupil_id for m in measure(session, authority, FILTERS, LATER)) == [
        mine,
        theirs,
    ]


def test_windows_follow_the_authoritys_term_dates(
    session: Session, published: WorkflowVersion
) -> None:
    at = school_with_panel(session)
    [pupil] = add_pupils(session, at, 1)
    funded(session, at, pupil, "transport", 4_500, COHORT_STARTS, COHORT_STARTS)
    # Half term in the week of 24 February: the one school week before is that of 17 Feb.
    for n in range(5):
        session.add(
            SchoolClosure(
                local_authority_id=at.authority.id,
                day=date(2025, 2, 24) + timedelta(days=n),
                kind="holiday",
                name="February half term",
            )
        )
    _record(session, at.school, pupil, date(2025, 2, 17), date(2025, 2, 21), 10, 6)
    _record(session, at.school, pupil, date(2025, 2, 10), date(2025, 2, 14), 10, 10)
    _record(session, at.school, pupil, date(2025, 3, 10), date(2025, 3, 14), 10, 8)
    one_week = Filters(FILTERS.date_from, FILTERS.date_to, 1, 1)
    [found] = measure(session, _school(at), one_week, LATER)
    assert (found.before, found.after) == (0.6, 0.8)
