"""'Your cases' and agreeing an action on a case between meetings, through the web pages."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from panelflow.accounts.operations import actor_for
from panelflow.actions.models import Action
from panelflow.cases.models import Case
from panelflow.cases.operations import fire, open_case
from panelflow.catalogue.models import WorkflowVersion
from panelflow.db import Database, utcnow
from panelflow.organisations.models import Pupil
from panelflow.sharing.operations import BasisDetails, Withdrawal, record_basis, withdraw
from tests.factories import (
    Auth,
    csrf_token,
    make_account,
    make_local_authority,
    make_pupil,
    make_school,
    person,
)

LEAD = person("Lee Lead", "attendance_lead")


def _support_first(session: Session, pupil: Pupil) -> Case:
    case = open_case(session, pupil, "support_first", LEAD)
    session.commit()
    return case


def _school_and_pupil(session: Session, published: WorkflowVersion) -> Pupil:
    school = make_school(session, "Birkenhead Park Primary", make_local_authority(session))
    return make_pupil(session, school, given_name="Alex", family_name="Taylor")


def test_the_attendance_lead_finds_the_support_first_cases_they_run(
    session: Session, published: WorkflowVersion, client: FlaskClient, auth: Auth
) -> None:
    pupil = _school_and_pupil(session, published)
    lead = make_account(session, "attendance_lead", school=pupil.school)
    teacher = make_account(session, "school_staff", school=pupil.school)
    case = _support_first(session, pupil)

    auth.sign_in_as(lead)
    page = client.get("/cases")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Alex Taylor" in body and "Universal support" in body
    assert f'href="/cases/{case.id}"' in body
    auth.sign_out()

    # A member of staff can see the pupil, but takes no step that moves the case on.
    auth.sign_in_as(teacher)
    assert "Alex Taylor" not in client.get("/cases").get_data(as_text=True)


def test_a_closed_case_leaves_the_list(
    session: Session, published: WorkflowVersion, client: FlaskClient, auth: Auth
) -> None:
    pupil = _school_and_pupil(session, published)
    lead = make_account(session, "attendance_lead", school=pupil.school)
    case = _support_first(session, pupil)
    assert fire(case, "close", LEAD, {"closure_reason": "Moved out of the area"})
    session.commit()
    auth.sign_in_as(lead)
    assert "Alex Taylor" not in client.get("/cases").get_data(as_text=True)


def test_an_action_agreed_on_the_case_goes_to_its_owner_at_once(
    session: Session, published: WorkflowVersion, client: FlaskClient, auth: Auth, db: Database
) -> None:
    pupil = _school_and_pupil(session, published)
    lead = make_account(session, "attendance_lead", school=pupil.school)
    case = _support_first(session, pupil)
    auth.sign_in_as(lead)
    page = client.get(f"/cases/{case.id}")
    assert f'href="/cases/{case.id}/actions/new"' in page.get_data(as_text=True)

    form = client.get(f"/cases/{case.id}/actions/new")
    response = client.post(
        f"/cases/{case.id}/actions/new",
        data={
            "csrf_token": csrf_token(form),
            "title": "Ring mum on Friday mornings",
            "owner": "role:ewo",
            "due": "",
        },
    )
    assert response.status_code == 302
    with db.sessions() as s:
        action = s.scalars(select(Action).where(Action.case_id == case.id)).one()
        assert (action.agency, action.role, action.status) == ("attendance_service", "ewo", "open")
        assert action.meeting_id is None and action.due_at is not None


def test_bad_input_is_shown_beside_its_field_and_nothing_is_written(
    session: Session, published: WorkflowVersion, client: FlaskClient, auth: Auth, db: Database
) -> None:
    pupil = _school_and_pupil(session, published)
    lead = make_account(session, "attendance_lead", school=pupil.school)
    case = _support_first(session, pupil)
    auth.sign_in_as(lead)
    form = client.get(f"/cases/{case.id}/actions/new")
    for data, words in [
        ({"title": "", "owner": "role:ewo", "due": ""}, "Write what will be done"),
        ({"title": "Call", "owner": "", "due": ""}, "Choose who will do this"),
        ({"title": "Call", "owner": "role:ewo", "due": "31/2/2027"}, "Enter the due date"),
        ({"title": "Call", "owner": "role:ewo", "due": "1/1/2020"}, "today or later"),
    ]:
        response = client.post(
            f"/cases/{case.id}/actions/new", data={"csrf_token": csrf_token(form), **data}
        )
        assert response.status_code == 400
        assert words in response.get_data(as_text=True)
        assert re.search(r'value="Call"', response.get_data(as_text=True)) or not data["title"]
    with db.sessions() as s:
        assert s.scalars(select(Action).where(Action.case_id == case.id)).first() is None


def test_someone_who_does_not_run_the_case_cannot_agree_actions_on_it(
    session: Session, published: WorkflowVersion, client: FlaskClient, auth: Auth
) -> None:
    pupil = _school_and_pupil(session, published)
    teacher = make_account(session, "school_staff", school=pupil.school)
    case = _support_first(session, pupil)
    auth.sign_in_as(teacher)
    assert "/actions/new" not in client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert client.get(f"/cases/{case.id}/actions/new").status_code == 403


def test_an_agency_whose_consent_was_withdrawn_is_not_asked_again_until_a_new_basis(
    session: Session, published: WorkflowVersion, client: FlaskClient, auth: Auth, db: Database
) -> None:
    pupil = _school_and_pupil(session, published)
    lead = make_account(session, "attendance_lead", school=pupil.school)
    case = _support_first(session, pupil)
    given = utcnow().date() - timedelta(days=30)
    lead_actor = actor_for(lead)
    camhs = record_basis(
        session,
        lead_actor,
        pupil.id,
        BasisDetails("camhs", "consent", "Low mood", "Mother", given),
    )
    withdraw(session, lead_actor, camhs.id, Withdrawal("Mother", "By phone", utcnow().date()))
    session.commit()
    auth.sign_in_as(lead)

    def ask_camhs() -> TestResponse:
        form = client.get(f"/cases/{case.id}/actions/new")
        return client.post(
            f"/cases/{case.id}/actions/new",
            data={
                "csrf_token": csrf_token(form),
                "title": "Assess for low mood",
                "owner": "role:camhs_practitioner",
                "due": "",
            },
        )

    refused = ask_camhs()
    assert refused.status_code == 400
    assert "consent to share with this agency was withdrawn" in refused.get_data(as_text=True)
    with db.sessions() as s:
        assert s.scalars(select(Action).where(Action.agency == "camhs")).first() is None

    with db.sessions() as s:
        record_basis(
            s, lead_actor, pupil.id, BasisDetails("camhs", "consent", "Low mood", "Mother", given)
        )
        s.commit()
    assert ask_camhs().status_code == 302


def test_the_attendance_service_works_on_a_support_first_case_while_it_is_open(
    session: Session, published: WorkflowVersion, client: FlaskClient, auth: Auth
) -> None:
    pupil = _school_and_pupil(session, published)
    ewo = make_account(session, "ewo", local_authority=pupil.school.local_authority)
    case = _support_first(session, pupil)
    auth.sign_in_as(ewo)
    listed = client.get("/cases").get_data(as_text=True)
    assert "Alex Taylor" in listed and "Universal support" in listed
    assert client.get(f"/pupils/{pupil.id}").status_code == 200

    assert fire(case, "close", LEAD, {"closure_reason": "Moved out of the area"})
    session.commit()
    assert "Alex Taylor" not in client.get("/cases").get_data(as_text=True)
    assert client.get(f"/pupils/{pupil.id}").status_code == 404
