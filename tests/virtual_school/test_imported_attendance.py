"""The virtual school head's page compares the attendance the school imported (the last 6
school weeks, and this school year) with the PEP target, and falls back to the figure
recorded at a review only when nothing is imported, saying so."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask
from sqlalchemy.orm import Session

from panelflow.accounts.operations import actor_for
from panelflow.cases.operations import fire, open_case
from panelflow.catalogue.models import WorkflowVersion
from panelflow.virtual_school import operations
from tests.attendance.weeks import add_weeks
from tests.factories import Auth, make_account, make_local_authority, make_pupil, make_school
from tests.features.pages import text


def row(page: str, name: str) -> str:
    for found in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', page, re.S):
        if name in found:
            return text(found)
    raise AssertionError(f"{name} is not listed")


def test_imported_attendance_is_compared_with_the_pep_target(
    app: Flask, session: Session, published: WorkflowVersion
) -> None:
    wirral = make_local_authority(session)
    school = make_school(session, "Rock Ferry High", local_authority=wirral)
    lead = actor_for(
        make_account(
            session, "attendance_lead", "panel_chair", school=school, local_authority=wirral
        )
    )
    head = make_account(session, "virtual_school_head", local_authority=wirral)
    imported = make_pupil(session, school, given_name="Amara", family_name="Hughes")
    reviewed = make_pupil(session, school, given_name="Bilal", family_name="Khan")
    for pupil in (imported, reviewed):
        operations.record_status(session, lead, pupil, "looked_after", date(2025, 9, 1))
        operations.record_plan(session, lead, pupil, date(2026, 1, 5), 95)
    add_weeks(session, imported, [(10, 10), (10, 10)] + [(10, 9)] * 6)
    case = open_case(session, reviewed, "school_panel", lead)
    assert fire(case, "add_to_agenda", lead, {"reason": "Missing Mondays"})
    assert fire(case, "discuss_at_panel", lead, {"barriers_discussed": "x", "actions_agreed": "y"})
    assert fire(case, "review_due", lead)
    assert fire(
        case,
        "continue_review",
        lead,
        {"review_notes": "Better", "actions_agreed": "More", "attendance_rate": "97"},
    )
    session.commit()

    client = app.test_client()
    Auth(client).sign_in_as(head)
    page = client.get("/virtual-school").get_data(as_text=True)
    amara = row(page, "Amara Hughes")
    assert "90% over the last 6 school weeks" in amara
    assert "92.5% this school year, to 17 April 2026" in amara
    assert "PEP target 95% (5 January 2026) Below target" in amara
    assert "at the review" not in amara
    bilal = row(page, "Bilal Khan")
    assert "97% at the review of" in bilal
    assert "(no attendance imported)" in bilal
    assert "PEP target 95% (5 January 2026) On target" in bilal
