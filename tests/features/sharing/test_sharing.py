"""Steps for consent and information sharing, through the real pages (CSRF and all).

Each person has their own signed-in client. The app and these steps use separate database
sessions; reads use a short-lived session so that, on SQLite, no transaction of the test
holds the write lock.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from panelflow.accounts.models import User
from panelflow.accounts.operations import actor_for
from panelflow.actions.models import Action, ActionUpdate
from panelflow.actions.operations import create_action, work_on
from panelflow.audit.models import AuditRecord
from panelflow.cases.models import Case, Consent
from panelflow.cases.operations import fire, open_case
from panelflow.catalogue.models import WorkflowVersion
from panelflow.db import Database, utcnow
from panelflow.organisations.models import Pupil
from panelflow.presentation import day
from panelflow.sharing.operations import today
from tests.factories import Auth, csrf_token, make_account, make_local_authority, make_pupil
from tests.factories import make_school as new_school
from tests.features.pages import scalars, text

scenarios("sharing/sharing.feature")

ROLES = {
    "attendance lead": "attendance_lead",
    "CAMHS practitioner": "camhs_practitioner",
    "educational psychologist": "educational_psychologist",
    "EWO": "ewo",
}
AGENCIES = {"CAMHS": "camhs", "educational psychology": "educational_psychology"}


@pytest.fixture
def world() -> dict[str, Any]:
    return {"users": {}, "clients": {}, "cases": {}}


def client_of(app: Flask, db: Database, world: dict[str, Any], first: str) -> FlaskClient:
    """The person's own client, signed in the first time it is asked for."""
    if first not in world["clients"]:
        client = app.test_client()
        [email] = scalars(db, select(User.email).where(User.id == world["users"][first]))
        assert Auth(client).sign_in(email).status_code == 302
        world["clients"][first] = client
    client: FlaskClient = world["clients"][first]
    return client


def actor(session: Session, world: dict[str, Any], first: str) -> Any:
    user = session.get(User, world["users"][first])
    assert user is not None
    return actor_for(user)


def post_step(
    app: Flask,
    db: Database,
    world: dict[str, Any],
    first: str,
    case_id: int,
    trigger: str,
    fields: dict[str, str],
) -> TestResponse:
    client = client_of(app, db, world, first)
    page = client.get(f"/cases/{case_id}/steps/{trigger}")
    assert page.status_code == 200, text(page)[:500]
    response = client.post(
        f"/cases/{case_id}/steps/{trigger}", data={"csrf_token": csrf_token(page), **fields}
    )
    world["response"] = response
    return response


# -- people, places and cases ------------------------------------------------------------------


@given("the workflows in config/workflows.yaml are published")
def _published(published: WorkflowVersion) -> None:
    assert published.number == 1


@given(parsers.parse("{school} is a school of {council}"))
def _school(session: Session, world: dict[str, Any], school: str, council: str) -> None:
    world["la"] = make_local_authority(session, council)
    world["school"] = new_school(session, school, local_authority=world["la"])
    session.commit()


@given(parsers.parse("{given} {family} is a pupil at {school}"))
def _pupil(session: Session, world: dict[str, Any], given: str, family: str, school: str) -> None:
    pupil = make_pupil(session, world["school"], given_name=given, family_name=family)
    session.commit()
    world["pupil"] = pupil.id


@given(
    parsers.re(
        r"(?P<name>[A-Z]\w+ [A-Z]\w+) is an? (?P<role>attendance lead|CAMHS practitioner|"
        r"educational psychologist|EWO) (?:at|for) .+"
    )
)
def _person(session: Session, world: dict[str, Any], name: str, role: str) -> None:
    user = make_account(
        session,
        ROLES[role],
        name=name,
        email=f"{name.split()[0].lower()}@wirral.example",
        school=world["school"],
        local_authority=world["la"],
    )
    session.commit()
    world["users"][name.split()[0]] = user.id


@given("Ben's school panel case is on the agenda")
def _on_agenda(session: Session, world: dict[str, Any]) -> None:
    lead = actor(session, world, "Lee")
    case = open_case(session, session.get(Pupil, world["pupil"]), "school_panel", lead)  # type: ignore[arg-type]
    assert fire(case, "add_to_agenda", lead, {"reason": "Late most mornings"})
    session.commit()
    world["cases"]["school panel"] = case.id


@given(parsers.parse("consent to share Ben's cases with {agency} is recorded"))
def _consent_recorded(session: Session, world: dict[str, Any], agency: str) -> None:
    from panelflow.sharing.operations import BasisDetails, record_basis

    details = BasisDetails(
        agency=AGENCIES[agency],
        basis="consent",
        purpose="Attendance and the support plan",
        given_by="Jo Taylor, mother",
        given_on=today(utcnow()) - timedelta(days=7),
    )
    record_basis(session, actor(session, world, "Lee"), world["pupil"], details)
    session.commit()


@given("the panel has asked CAMHS for a consultation about Ben")
def _asked_camhs(session: Session, world: dict[str, Any]) -> None:
    case = session.get(Case, world["cases"]["school panel"])
    assert case is not None
    fired = fire(case, "ask_camhs", actor(session, world, "Lee"), {"request_details": "Anxiety"})
    assert fired, fired
    session.commit()
    world["action"] = fired.actions[0].id  # type: ignore[union-attr]


@given("Cara has accepted the action")
def _accepted(session: Session, world: dict[str, Any]) -> None:
    work_on(session, world["action"], actor(session, world, "Cara"), "accept")
    session.commit()


@given("Ben has a support-first case at targeted support, with Eve asked to help")
def _support_first(session: Session, world: dict[str, Any]) -> None:
    lead = actor(session, world, "Lee")
    case = open_case(session, session.get(Pupil, world["pupil"]), "support_first", lead)  # type: ignore[arg-type]
    case.state = "targeted_support"
    create_action(
        session, case, lead, title="Work with the family", agency="attendance_service", role="ewo"
    )
    session.commit()
    world["cases"]["support-first case"] = case.id


# -- doing things through the pages ------------------------------------------------------------


@when(parsers.parse("{first} asks CAMHS for a consultation about Ben"))
def _ask_camhs(app: Flask, db: Database, world: dict[str, Any], first: str) -> None:
    post_step(
        app,
        db,
        world,
        first,
        world["cases"]["school panel"],
        "ask_camhs",
        {"request_details": "Anxiety in the mornings"},
    )


@when(
    parsers.re(
        r"(?P<first>\w+) records consent to share Ben\'s cases with (?P<agency>[\w ]+?), "
        r'given by "(?P<by>[^"]*)" (?P<when>today|tomorrow)'
    )
)
def _record(
    app: Flask, db: Database, world: dict[str, Any], first: str, agency: str, by: str, when: str
) -> None:
    client = client_of(app, db, world, first)
    page = client.get(f"/pupils/{world['pupil']}/sharing/new")
    assert page.status_code == 200
    on = today(utcnow()) + timedelta(days=1 if when == "tomorrow" else 0)
    world["response"] = client.post(
        f"/pupils/{world['pupil']}/sharing/new",
        data={
            "csrf_token": csrf_token(page),
            "agency": AGENCIES[agency],
            "basis": "consent",
            "purpose": "Attendance and the support plan, for a CAMHS consultation",
            "given_by": by,
            "given_on_day": str(on.day),
            "given_on_month": str(on.month),
            "given_on_year": str(on.year),
        },
    )


@when(
    parsers.re(
        r"(?P<first>\w+) withdraws consent to share Ben's cases with (?P<agency>[\w ]+?), "
        r'as "(?P<by>[^"]+)" told us "(?P<how>[^"]+)"'
    )
)
def _withdraw(
    app: Flask, db: Database, world: dict[str, Any], first: str, agency: str, by: str, how: str
) -> None:
    [consent_id] = scalars(
        db,
        select(Consent.id).where(
            Consent.pupil_id == world["pupil"], Consent.agency == AGENCIES[agency]
        ),
    )
    client = client_of(app, db, world, first)
    pupil_page = client.get(f"/pupils/{world['pupil']}")
    link = f"/pupils/{world['pupil']}/sharing/{consent_id}/withdraw"
    assert link in pupil_page.get_data(as_text=True)
    page = client.get(link)
    assert page.status_code == 200
    on = today(utcnow())
    response = client.post(
        link,
        data={
            "csrf_token": csrf_token(page),
            "withdrawn_by": by,
            "how": how,
            "withdrawn_on_day": str(on.day),
            "withdrawn_on_month": str(on.month),
            "withdrawn_on_year": str(on.year),
        },
    )
    assert response.status_code == 302, text(response)[:800]


@when("Eve asks for an EWO consultation about Ben")
def _request(app: Flask, db: Database, world: dict[str, Any]) -> None:
    support = world["cases"]["support-first case"]
    response = post_step(
        app,
        db,
        world,
        "Eve",
        support,
        "request_ewo_consultation",
        {"stuck_summary": "Nothing has changed in eight weeks of targeted support"},
    )
    assert response.status_code == 302, text(response)[:800]
    [consultation] = scalars(
        db,
        select(Case.id).where(
            Case.linked_from_id == support, Case.workflow_key == "ewo_consultation"
        ),
    )
    world["cases"]["consultation"] = consultation


@when("Erin books the consultation")
def _book(app: Flask, db: Database, world: dict[str, Any]) -> None:
    on = today(utcnow()) + timedelta(days=14)
    response = post_step(
        app,
        db,
        world,
        "Erin",
        world["cases"]["consultation"],
        "schedule_consultation",
        {"consultation_date": on.isoformat()},
    )
    assert response.status_code == 302, text(response)[:800]


@when("Erin cancels the consultation")
def _cancel(app: Flask, db: Database, world: dict[str, Any]) -> None:
    response = post_step(
        app,
        db,
        world,
        "Erin",
        world["cases"]["consultation"],
        "cancel",
        {"closure_reason": "The family have moved out of the area"},
    )
    assert response.status_code == 302, text(response)[:800]


# -- what people see ---------------------------------------------------------------------------


@then(parsers.parse('{first} sees the problem "{message}"'))
def _problem(world: dict[str, Any], first: str, message: str) -> None:
    response = world["response"]
    assert response.status_code == 400
    assert "There is a problem" in text(response)
    assert message in text(response)


@then(
    parsers.re(
        r"Ben's page shows the consent to share with (?P<agency>[\w ]+?) as "
        r'(?P<status>current|withdrawn)(?:, given by "(?P<by>[^"]+)")?$'
    )
)
def _pupil_page(
    app: Flask, db: Database, world: dict[str, Any], agency: str, status: str, by: str | None
) -> None:
    page = client_of(app, db, world, "Lee").get(f"/pupils/{world['pupil']}")
    assert page.status_code == 200
    words = text(page)
    section = words[words.index("Information sharing") : words.index("What has happened")]
    label = "CAMHS (child and adolescent mental health services)"
    assert f"{label} Status {status.capitalize()} Basis Consent" in section.replace(
        f"{label} Withdraw sharing ({label}) ", f"{label} "
    )
    if by:
        assert f"Given by {by}, on {day(today(utcnow()))}" in section
    if status == "withdrawn":
        assert (
            f"On {day(today(utcnow()))} by Jo Taylor, mother (by phone to the school office)"
            in section
        )
        assert "Withdraw sharing" not in section  # nothing left to withdraw


@then(parsers.parse("{first}'s inbox lists Ben"))
def _inbox_lists(app: Flask, db: Database, world: dict[str, Any], first: str) -> None:
    page = client_of(app, db, world, first).get("/actions")
    assert page.status_code == 200
    assert "Ben Taylor" in text(page)


@then(parsers.parse("{first}'s inbox does not list Ben"))
def _inbox_not(app: Flask, db: Database, world: dict[str, Any], first: str) -> None:
    page = client_of(app, db, world, first).get("/actions")
    assert page.status_code == 200
    assert "Ben" not in text(page)


@then(parsers.parse("{first} can open Ben's page"))
def _can_open(app: Flask, db: Database, world: dict[str, Any], first: str) -> None:
    assert client_of(app, db, world, first).get(f"/pupils/{world['pupil']}").status_code == 200


@then(parsers.parse("Cara gets page not found for Ben's page and his school panel case"))
def _cara_404(app: Flask, db: Database, world: dict[str, Any]) -> None:
    client = client_of(app, db, world, "Cara")
    assert client.get(f"/pupils/{world['pupil']}").status_code == 404
    assert client.get(f"/cases/{world['cases']['school panel']}").status_code == 404
    assert client.get(f"/actions/{world['action']}").status_code == 404


@then("CAMHS's action shows it ended because consent to share was withdrawn today")
def _action_ended(db: Database, world: dict[str, Any]) -> None:
    [status] = scalars(db, select(Action.status).where(Action.id == world["action"]))
    assert status == "withdrawn"
    [update] = scalars(
        db,
        select(ActionUpdate.text).where(
            ActionUpdate.action_id == world["action"], ActionUpdate.kind == "withdrawn"
        ),
    )
    assert update == (
        "Consent to share with CAMHS (child and adolescent mental health services) was "
        f"withdrawn on {day(today(utcnow()))}, so this action has ended."
    )


@then(
    parsers.re(
        r"the audit trail records that consent to share Ben's cases with (?P<agency>\w+) was "
        r"(?P<what>recorded|withdrawn)(?:, ending (?P<n>\d+) actions?)?$"
    )
)
def _audited(db: Database, world: dict[str, Any], agency: str, what: str, n: str | None) -> None:
    action = {"recorded": "consent.record", "withdrawn": "consent.withdraw"}[what]
    [record] = scalars(
        db,
        select(AuditRecord).where(
            AuditRecord.action == action, AuditRecord.pupil_id == world["pupil"]
        ),
    )
    assert record.actor_id == f"user:{world['users']['Lee']}"
    assert record.details["agency"] == agency
    if n is not None:
        assert record.details["actions_ended"] == int(n)
        assert record.summary.endswith(f"{n} action{'' if n == '1' else 's'} ended")


@then("no consent is recorded for Ben")
def _none(db: Database, world: dict[str, Any]) -> None:
    assert scalars(db, select(Consent.id).where(Consent.pupil_id == world["pupil"])) == []


@then(parsers.re(r"Erin gets page not found for Ben's page(?P<more>.*)$"))
def _erin_404(app: Flask, db: Database, world: dict[str, Any], more: str) -> None:
    client = client_of(app, db, world, "Erin")
    assert client.get(f"/pupils/{world['pupil']}").status_code == 404
    for name in ("consultation", "support-first case"):
        if name in more:
            assert client.get(f"/cases/{world['cases'][name]}").status_code == 404


@then("Erin's pupils list shows Ben")
def _erin_list(app: Flask, db: Database, world: dict[str, Any]) -> None:
    page = client_of(app, db, world, "Erin").get("/pupils")
    assert "Ben Taylor" in text(page)
    words = text(client_of(app, db, world, "Erin").get(f"/pupils/{world['pupil']}"))
    assert "Educational psychology: while the EWO consultation case is open" in words


@then("Erin can open the consultation and the support-first case")
def _erin_opens(app: Flask, db: Database, world: dict[str, Any]) -> None:
    client = client_of(app, db, world, "Erin")
    for name in ("consultation", "support-first case"):
        assert client.get(f"/cases/{world['cases'][name]}").status_code == 200


@then("the consultation is booked")
def _booked(db: Database, world: dict[str, Any]) -> None:
    [state] = scalars(db, select(Case.state).where(Case.id == world["cases"]["consultation"]))
    assert state == "scheduled"


@then("Erin's pupils list is empty")
def _erin_empty(app: Flask, db: Database, world: dict[str, Any]) -> None:
    page = client_of(app, db, world, "Erin").get("/pupils")
    assert page.status_code == 200
    assert "Ben" not in text(page)
