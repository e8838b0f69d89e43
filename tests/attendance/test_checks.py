"""The three checks added to every import (command line and browser alike): a period that
overlaps a stored one without the same dates, more possible sessions than the school could
open in the period, and absence codes that do not add up to the totals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.attendance.models import AttendanceRecord
from panelflow.attendance.operations import ImportResult
from panelflow.organisations.models import Pupil, School
from panelflow.terms.models import SchoolClosure
from tests.attendance.files import SIMS_HEADERS, UPNS, run, write_csv

PERIOD_HEADERS = [
    "UPN",
    "Start Date",
    "End Date",
    "Possible Sessions",
    "Attended",
    "Authorised Absence",
    "Unauthorised Absence",
]


def found(result: ImportResult) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.message) for p in result.problems]


def test_weekly_rows_over_a_stored_half_term_are_refused_at_the_period(
    session: Session, roll: tuple[School, list[Pupil]], tmp_path: Path
) -> None:
    school, _ = roll
    half_term = [
        PERIOD_HEADERS,
        [UPNS[0], "07/09/2026", "23/10/2026", 70, 70, 0, 0],
        [UPNS[1], "07/09/2026", "23/10/2026", 70, 60, 10, 0],
    ]
    assert run(session, school, write_csv(tmp_path / "ht.csv", half_term)).status == "imported"

    weeks = [
        SIMS_HEADERS,
        [UPNS[0], "14/09/2026", 10, 10, 0, 0],  # 2: inside the stored half-term
        [UPNS[2], "14/09/2026", 10, 10, 0, 0],  # 3: nothing stored for this pupil
        [UPNS[1], "26/10/2026", 10, 10, 0, 0],  # 4: half-term holiday (out of term instead)
        [UPNS[1], "02/11/2026", 10, 10, 0, 0],  # 5: after the stored half-term
    ]
    result = run(session, school, write_csv(tmp_path / "weeks.csv", weeks))

    assert result.status == "rejected"
    assert [(row, column) for row, column, _ in found(result)] == [(2, "B"), (4, "B")]
    assert found(result)[0][2] == (
        '"Week Commencing" gives the period Monday 14 September 2026 to Friday 18 September '
        "2026, which overlaps the period already stored for this pupil from Monday 7 September "
        "2026 to Friday 23 October 2026 without the same dates; import the same periods as "
        "before (weeks or half-terms), so that no session is counted twice"
    )

    again = [
        PERIOD_HEADERS,
        [UPNS[0], "07/09/2026", "23/10/2026", 70, 68, 2, 0],  # the same dates: replaces
    ]
    replaced = run(session, school, write_csv(tmp_path / "again.csv", again))
    assert (replaced.status, replaced.rows_replaced) == ("imported", 1)


def test_possible_sessions_beyond_two_a_school_day_are_refused(
    session: Session, roll: tuple[School, list[Pupil]], tmp_path: Path
) -> None:
    school, _ = roll
    assert school.local_authority_id is not None
    session.add(
        SchoolClosure(
            local_authority_id=school.local_authority_id,
            day=date(2026, 9, 21),
            kind="training_day",
            name="INSET day",
        )
    )
    session.commit()
    rows = [
        SIMS_HEADERS,
        [UPNS[0], "07/09/2026", 12, 12, 0, 0],  # 2: five school days make 10
        [UPNS[1], "21/09/2026", 10, 10, 0, 0],  # 3: an INSET day: four school days make 8
        [UPNS[2], "21/09/2026", 8, 8, 0, 0],  # 4: right
    ]
    result = run(session, school, write_csv(tmp_path / "w.csv", rows), clean_rows_only=True)

    assert [(row, column) for row, column, _ in found(result)] == [(2, "C"), (3, "C")]
    assert found(result)[0][2] == (
        '"Possible Sessions" is 12, more than the school could open from Monday 7 September '
        "2026 to Friday 11 September 2026: 5 school days, two sessions a day, make 10"
    )
    assert found(result)[1][2].endswith(
        "4 school days (the schools are closed on the other weekdays: INSET day), two "
        "sessions a day, make 8"
    )
    assert (result.rows_imported, result.rows_skipped) == (1, 2)


def test_absence_codes_must_add_up_to_the_totals_they_break_down(
    session: Session, roll: tuple[School, list[Pupil]], tmp_path: Path
) -> None:
    school, _ = roll
    headers = [*SIMS_HEADERS, "I - Illness", "M - Medical", "O - Other unauthorised"]
    rows = [
        headers,
        [UPNS[0], "07/09/2026", 10, 6, 3, 1, 2, 1, 1],  # 2: right
        [UPNS[1], "07/09/2026", 10, 6, 4, 0, 3, "", ""],  # 3: I 3 is not 4 authorised
        [UPNS[2], "07/09/2026", 10, 8, 0, 2, "", "", 1],  # 4: O 1 is not 2 unauthorised
        [UPNS[0], "14/09/2026", 10, 10, 0, 0, "", "", ""],  # 5: nothing missed, no codes
    ]
    result = run(session, school, write_csv(tmp_path / "codes.csv", rows), clean_rows_only=True)

    assert [(row, column) for row, column, _ in found(result)] == [(3, "E"), (4, "F")]
    assert found(result)[0][2] == (
        '"Authorised Absence" is 4, but the authorised absence codes add up to 3 (I 3); the '
        "codes' columns and the authorised total must agree"
    )
    assert "the unauthorised absence codes add up to 1 (O 1)" in found(result)[1][2]
    stored = session.scalars(select(AttendanceRecord).order_by(AttendanceRecord.id)).all()
    assert [r.absence_codes for r in stored] == [{"I": 2, "M": 1, "O": 1}, {}]


def test_codes_for_one_kind_of_absence_only_check_that_kind(
    session: Session, roll: tuple[School, list[Pupil]], tmp_path: Path
) -> None:
    school, _ = roll
    rows = [[*SIMS_HEADERS, "I - Illness"], [UPNS[0], "07/09/2026", 10, 6, 3, 1, 3]]
    result = run(session, school, write_csv(tmp_path / "i.csv", rows))
    assert result.status == "imported", found(result)
