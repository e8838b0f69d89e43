"""``suggested_when:`` on the case page: with the shipped file, closing a support-first case
is suggested once the pupil's imported attendance has been 95% or more over 12 school weeks,
and not otherwise. A suggestion allows nothing by itself."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from panelflow.accounts.operations import actor_for
from panelflow.cases.operations import fire, open_case, options, suggestions
from panelflow.catalogue.models import WorkflowVersion
from tests.attendance.weeks import add_weeks
from tests.factories import Auth, make_account, make_local_authority, make_pupil, make_school
from tests.features.pages import text


def test_closing_is_suggested_once_attendance_has_recovered(
    app: Flask, session: Session, published: WorkflowVersion
) -> None:
    authority = make_local_authority(session)
    school = make_school(session, local_authority=authority)
    lead = make_account(session, "attendance_lead", school=school, local_authority=authority)
    actor = actor_for(lead)
    recovered = make_pupil(session, school, given_name="Amara")
    add_weeks(session, recovered, [(10, 10)] * 11 + [(10, 9)])
    struggling = make_pupil(session, school, given_name="Bilal")
    add_weeks(session, struggling, [(10, 8)] * 12)
    cases = {
        pupil.given_name: open_case(session, pupil, "support_first", actor)
        for pupil in (recovered, struggling)
    }
    session.commit()
    email, ids = lead.email, {name: case.id for name, case in cases.items()}

    steps = options(cases["Amara"], actor)
    found = suggestions(cases["Amara"], steps)
    assert found == {
        "close_improved": [
            "attendance has been at least 95% over the last 12 school weeks (99.2%, to 15 May 2026)"
        ]
    }
    assert suggestions(cases["Bilal"], options(cases["Bilal"], actor)) == {}
    # Suggested, yet still held back by its conditions: a review in the last 4 school weeks.
    refused = fire(cases["Amara"], "close_improved", actor)
    assert not refused
    session.rollback()  # nothing was written; end the transaction before the app reads

    client = app.test_client()
    assert Auth(client).sign_in(email).status_code == 302
    page = text(client.get(f"/cases/{ids['Amara']}"))
    assert (
        "Suggested: attendance has been at least 95% over the last 12 school weeks "
        "(99.2%, to 15 May 2026)" in page
    )
    assert "Suggested:" not in text(client.get(f"/cases/{ids['Bilal']}"))
