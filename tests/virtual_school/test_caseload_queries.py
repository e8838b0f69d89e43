"""The virtual school head's page sends the same number of SQL statements for a handful of
pupils as for more than a page of them, each with flags, cases, reviews, a plan and notices
(the way ``tests/test_query_counts.py`` checks the other long pages)."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask
from sqlalchemy.orm import Session

from bench.pages_bench import measure
from panelflow.accounts.operations import actor_for
from panelflow.cases.operations import fire, open_case
from panelflow.db import Database
from panelflow.organisations.models import School
from panelflow.roles import Actor
from panelflow.virtual_school import operations
from tests.factories import Auth, make_account, make_local_authority, make_pupil, make_school


def _add_pupils(session: Session, school: School, lead: Actor, start: int, count: int) -> None:
    for n in range(start, start + count):
        pupil = make_pupil(session, school, given_name=f"Pupil{n:03d}", family_name="Example")
        operations.record_status(session, lead, pupil, "looked_after", date(2025, 9, 1))
        operations.record_plan(session, lead, pupil, date(2026, 1, 5), 95)
        case = open_case(session, pupil, "school_panel", lead)
        assert fire(case, "add_to_agenda", lead, {"reason": "Missing Mondays"})
        assert fire(
            case, "discuss_at_panel", lead, {"barriers_discussed": "x", "actions_agreed": "y"}
        )
        assert fire(case, "review_due", lead)
        assert fire(
            case,
            "continue_review",
            lead,
            {
                "review_notes": "Better",
                "actions_agreed": "More",
                "attendance_rate": str(80 + n % 20),
            },
        )
    session.commit()


def test_the_page_sends_as_many_statements_for_60_pupils_as_for_3(
    app: Flask, db: Database, session: Session, published: object
) -> None:
    wirral = make_local_authority(session)
    school = make_school(session, "Rock Ferry High", local_authority=wirral)
    lead = actor_for(
        make_account(
            session, "attendance_lead", "panel_chair", school=school, local_authority=wirral
        )
    )
    head = make_account(session, "virtual_school_head", local_authority=wirral)
    make_account(session, "virtual_school_head", local_authority=wirral)  # emails to two heads
    _add_pupils(session, school, lead, 0, 3)
    client = app.test_client()
    Auth(client).sign_in_as(head)
    engine = app.extensions["panelflow.db"].engine

    measure(client, engine, "/virtual-school", "Pupil")  # caches warmed, as in service
    few = measure(client, engine, "/virtual-school", r"Pupil\d{3}")
    _add_pupils(session, school, lead, 3, 57)
    measure(client, engine, "/virtual-school", "Pupil")
    many = measure(client, engine, "/virtual-school", r"Pupil\d{3}")
    filtered = measure(client, engine, f"/virtual-school?school={school.id}&flag=looked_after", "x")

    assert (few.rows, many.rows) == (3, 50)  # one page of 50
    assert many.statements == few.statements, (few, many)
    assert filtered.statements == few.statements
    page = client.get("/virtual-school?page=2").get_data(as_text=True)
    assert len(re.findall(r"Pupil\d{3} Example", page)) == 10
