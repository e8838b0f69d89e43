"""Imported attendance written straight into the tables, for the figures' and suggestions'
tests: a pupil's weeks (or half-terms) as (possible, attended) pairs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy.orm import Session

from panelflow.attendance.models import AttendanceImport, AttendanceRecord
from panelflow.organisations.models import Pupil

# Mondays of a run of school weeks in spring 2026 with no holiday in between (Wirral's
# February half-term is 16-20 February, so the weeks from 23 February run to Easter).
FIRST_MONDAY = date(2026, 2, 23)


def an_import(session: Session, school_id: int) -> AttendanceImport:
    found = AttendanceImport(
        school_id=school_id, imported_by_name="tests", file_name="t.csv", status="imported"
    )
    session.add(found)
    session.flush()
    return found


def add_weeks(
    session: Session,
    pupil: Pupil,
    weeks: Sequence[tuple[int, int]],
    *,
    first: date = FIRST_MONDAY,
) -> None:
    """One record a week from the Monday ``first``, Monday to Friday, each week's
    (possible, attended)."""
    made = an_import(session, pupil.school_id)
    for n, (possible, attended) in enumerate(weeks):
        start = first + timedelta(weeks=n)
        session.add(
            AttendanceRecord(
                pupil_id=pupil.id,
                import_id=made.id,
                period_kind="week",
                period_start=start,
                period_end=start + timedelta(days=4),
                possible_sessions=possible,
                attended_sessions=attended,
                authorised_absence=possible - attended,
                unauthorised_absence=0,
            )
        )
    session.flush()


AUTUMN_FIRST_HALF = (date(2026, 9, 7), date(2026, 10, 23))  # 7 weeks, 70 sessions


def add_period(
    session: Session,
    pupil: Pupil,
    start: date,
    end: date,
    possible: int,
    attended: int,
    kind: str = "half_term",
) -> None:
    made = an_import(session, pupil.school_id)
    session.add(
        AttendanceRecord(
            pupil_id=pupil.id,
            import_id=made.id,
            period_kind=kind,
            period_start=start,
            period_end=end,
            possible_sessions=possible,
            attended_sessions=attended,
            authorised_absence=possible - attended,
            unauthorised_absence=0,
        )
    )
    session.flush()
