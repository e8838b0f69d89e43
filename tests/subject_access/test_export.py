"""The subject access export: who may make it, the reference, years of weekly attendance
read a batch at a time, and the readable document's words."""

from __future__ import annotations

import io
import json
import time
import uuid
import zipfile
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask, render_template
from sqlalchemy.orm import Session

from panelflow import web
from panelflow.actions.models import Action
from panelflow.attendance.models import AttendanceImport, AttendanceRecord
from panelflow.cases.models import Case
from panelflow.catalogue.models import WorkflowVersion
from panelflow.db import utcnow
from panelflow.organisations.models import Pupil
from panelflow.roles import Actor
from panelflow.subject_access import operations as ops
from panelflow.subject_access.gather import held_about
from panelflow.subject_access.render import JSON_NAME, document_html
from tests.factories import make_local_authority, make_pupil, make_school, person

WEEKS = 52 * 8  # eight years of weekly attendance


def _case(session: Session, pupil: Pupil, version: WorkflowVersion, key: str) -> Case:
    case = Case(
        pupil_id=pupil.id,
        workflow_key=key,
        workflow_version_id=version.id,
        state="nominated" if key == "school_panel" else "universal",
        group_id=uuid.uuid4().hex,
    )
    session.add(case)
    session.flush()
    return case


def _weeks(session: Session, pupil: Pupil, weeks: int) -> None:
    imported = AttendanceImport(
        school_id=pupil.school_id,
        imported_by_name="Lee Morgan",
        file_name="x.csv",
        status="imported",
    )
    session.add(imported)
    session.flush()
    first = date(2018, 9, 3)
    rows = [
        {
            "pupil_id": pupil.id,
            "import_id": imported.id,
            "period_kind": "week",
            "period_start": first + timedelta(weeks=n),
            "period_end": first + timedelta(weeks=n, days=4),
            "possible_sessions": 10,
            "attended_sessions": 10 - n % 4,
            "authorised_absence": n % 4,
            "unauthorised_absence": 0,
        }
        for n in range(weeks)
    ]
    # A half-term starting on the same Monday as a week: the batches must not lose either.
    rows.append({**rows[0], "period_kind": "half_term", "period_end": first + timedelta(weeks=7)})
    session.execute(AttendanceRecord.__table__.insert(), rows)
    session.flush()


@pytest.fixture
def school(session: Session) -> Any:
    return make_school(session, local_authority=make_local_authority(session))


def lead(school: Any) -> Actor:
    return Actor(
        "test:lee",
        "Lee Morgan",
        frozenset({"attendance_lead"}),
        "school",
        school_id=school.id,
        local_authority_id=school.local_authority_id,
    )


def test_years_of_weekly_attendance_are_read_a_batch_at_a_time_in_order(
    session: Session, school: Any
) -> None:
    pupil = make_pupil(session, school)
    _weeks(session, pupil, 100)
    held = held_about(session, pupil.id)
    batches = list(held.attendance(batch=7))
    assert max(len(b) for b in batches) == 7
    rows = [row for batch in batches for row in batch]
    assert len(rows) == 101 and len({r["id"] for r in rows}) == 101
    keys = [(r["period_start"], r["id"]) for r in rows]
    assert keys == sorted(keys)


def test_a_pupil_with_years_of_weekly_attendance_exports(
    app: Flask, session: Session, school: Any, published: WorkflowVersion
) -> None:
    pupil = make_pupil(session, school, given_name="Amara", family_name="Hughes")
    _case(session, pupil, published, "school_panel")
    _weeks(session, pupil, WEEKS)
    session.commit()
    with app.test_request_context():
        started = time.monotonic()
        made = ops.export(web.session(), lead(school), pupil.id, "SAR-1", render_template)
        took = time.monotonic() - started
        web.session().commit()
        data = b"".join(made.chunks())
    assert made.file.closed
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        document = json.loads(archive.read(JSON_NAME))
    assert len(document["attendance"]) == WEEKS + 1
    assert document["counts"]["attendance_records"] == WEEKS + 1
    assert took < 120, f"eight years of weekly attendance took {took:.0f}s"


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", "Enter the reference of the subject access request"),
        ("   ", "Enter the reference of the subject access request"),
        ("X" * 61, "The reference must be 60 characters or fewer; this one is 61"),
        ("SAR<script>", "The reference can only use letters, numbers, spaces"),
        ("-SAR", "must start with a letter or number"),
        ("SAR/hughes/2026", "The reference must not include the pupil's name"),
    ],
)
def test_a_reference_that_cannot_be_used_says_why(
    session: Session, school: Any, typed: str, problem: str
) -> None:
    pupil = make_pupil(session, school, given_name="Amara", family_name="Hughes")
    with pytest.raises(ops.ReferenceProblem) as raised:
        ops.checked_reference(typed, pupil)
    assert problem in str(raised.value)


def test_a_reference_is_tidied(session: Session, school: Any) -> None:
    pupil = make_pupil(session, school, given_name="Amara", family_name="Hughes")
    assert ops.checked_reference("  SAR 2026 /  014 ", pupil) == "SAR 2026 / 014"
    # Part of a word is not the name.
    assert ops.checked_reference("SAR-AMARANTH-1", pupil) == "SAR-AMARANTH-1"


def test_only_people_who_see_every_case_may_export(
    session: Session, school: Any, published: WorkflowVersion
) -> None:
    """A virtual school head asked to help on one case sees that case's group, not the
    pupil's other case; once the pupil is looked after they see all of it."""
    pupil = make_pupil(session, school)
    helped = _case(session, pupil, published, "school_panel")
    _case(session, pupil, published, "support_first")
    session.add(
        Action(case_id=helped.id, agency="virtual_school", title="Advise the school", status="open")
    )
    session.flush()
    head = Actor(
        "test:vic",
        "Vic Head",
        frozenset({"virtual_school_head"}),
        "virtual_school",
        local_authority_id=school.local_authority_id,
    )
    assert ops.visible_pupil(session, head, pupil.id) is not None
    assert not ops.may_export(session, head, pupil.id)
    with pytest.raises(ops.PartialView):
        ops.export(session, head, pupil.id, "SAR-1", render_template)
    pupil.looked_after = True
    session.flush()
    assert ops.may_export(session, head, pupil.id)

    assert ops.may_export(session, lead(school), pupil.id)
    other_school = make_school(session, "Seacombe Primary", make_local_authority(session))
    assert not ops.may_export(session, lead(other_school), pupil.id)
    with pytest.raises(LookupError):
        ops.export(session, lead(other_school), pupil.id, "SAR-1", render_template)
    staff = person("Sam Teacher", "school_staff")
    assert not ops.may_export(session, staff, pupil.id)
    auditor = person("Ada Auditor", "auditor", agency="local_authority")
    with pytest.raises(PermissionError):
        ops.export(session, auditor, pupil.id, "SAR-1", render_template)


def test_the_document_says_what_each_section_is_with_dates_in_words(
    app: Flask, session: Session, school: Any, published: WorkflowVersion
) -> None:
    pupil = make_pupil(session, school, date_of_birth=date(2014, 2, 3))
    _case(session, pupil, published, "school_panel")
    _weeks(session, pupil, 2)
    session.commit()
    with app.test_request_context():
        held = held_about(web.session(), pupil.id)
        counts = {"attendance_records": 3, "cases": 1}
        html = document_html(held, "SAR-9", utcnow(), counts | _zeros(), render_template)
    words = " ".join(html.split())
    for expected in (
        "Everything held about Alex Taylor",
        "subject access request <strong>SAR-9</strong>",
        "3 February 2014",
        "Week 3 September 2018 to 7 September 2018",
        "School attendance",
        "Who did what with the records",
        "the data protection officer must review the free text",
        f"Case {held.cases[0]['id']}: School attendance panel",
    ):
        assert expected in words, expected
    assert "2018-09-03" not in words


def _zeros() -> dict[str, int]:
    from panelflow.subject_access.gather import EXPORTED

    return {table: 0 for table in EXPORTED if table not in {"attendance_records", "cases"}}
