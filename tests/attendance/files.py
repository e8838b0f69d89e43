"""Attendance files for tests, written as a school's MIS would export them."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from panelflow.attendance.operations import ImportResult, import_attendance
from panelflow.organisations.models import LocalAuthority, Pupil, School
from panelflow.roles import cli_actor
from panelflow.terms.models import SchoolClosure

SIMS_HEADERS = [
    "UPN",
    "Week Commencing",
    "Possible Sessions",
    "Attended",
    "Authorised Absence",
    "Unauthorised Absence",
]
UPNS = ("A100000000001", "A100000000002", "A100000000003")
OCTOBER_HALF_TERM = [date(2026, 10, 26 + i) for i in range(5)]


def write_csv(
    path: Path, rows: Sequence[Sequence[Any]], encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    with path.open("w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream, delimiter=delimiter)
        for row in rows:
            writer.writerow(row)
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Attendance")
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def make_roll(session: Session) -> tuple[School, list[Pupil]]:
    """Birkenhead Park Primary (URN 105001) in Wirral, its October half-term, three pupils."""
    la = LocalAuthority(name="Wirral Council")
    session.add(la)
    session.flush()
    school = School(name="Birkenhead Park Primary", urn="105001", local_authority_id=la.id)
    other = School(name="Rock Ferry High", urn="105002", local_authority_id=la.id)
    session.add_all([school, other])
    session.flush()
    session.add_all(
        SchoolClosure(local_authority_id=la.id, day=day, kind="holiday", name="October half-term")
        for day in OCTOBER_HALF_TERM
    )
    names = [
        ("Alex", "Taylor", date(2015, 5, 4)),
        ("Sam", "Okafor", date(2015, 9, 1)),
        ("Jo", "Evans", date(2016, 1, 12)),
    ]
    pupils = [
        Pupil(
            school_id=school.id,
            given_name=given,
            family_name=family,
            date_of_birth=born,
            year_group=5,
            upn=upn,
        )
        for upn, (given, family, born) in zip(UPNS, names, strict=True)
    ]
    session.add_all(pupils)
    session.add(
        Pupil(
            school_id=other.id,
            given_name="Kim",
            family_name="Lee",
            date_of_birth=date(2012, 3, 3),
            year_group=9,
            upn="B200000000001",
        )
    )
    session.commit()
    return school, pupils


def clean_week(start: str = "07/09/2026") -> list[list[Any]]:
    """A clean week for the three pupils, as SIMS exports it."""
    return [
        SIMS_HEADERS,
        [UPNS[0], start, 10, 10, 0, 0],
        [UPNS[1], start, 10, 7, 2, 1],
        [UPNS[2], start, 10, 5, 0, 5],
    ]


OFFICER = cli_actor("Dana Data")


def run(session: Session, school: School, path: Path, **options: Any) -> ImportResult:
    """Import the file as an officer at the command line would, and commit."""
    result = import_attendance(session, OFFICER, school, path, **options)
    session.commit()
    return result
