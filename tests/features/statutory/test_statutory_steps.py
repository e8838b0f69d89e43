"""Formal steps in the web UI: signed-in people read the case page, ask for a step, sign it
off or refuse it, through the real pages, forms and CSRF tokens. The support-first history is
set up through the operations, at dates before today."""

from __future__ import annotations

import html
import re
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
from panelflow.audit.models import AuditRecord
from panelflow.cases.models import Case, CaseEvent
from panelflow.cases.operations import Fired, fire, open_case
from panelflow.catalogue.models import WorkflowVersion
from panelflow.db import Database
from panelflow.organisations.models import Pupil
from panelflow.signoffs.models import SignOffRequest
from panelflow.signoffs.operations import sign_off, take
from tests.factories import (
    Auth,
    csrf_token,
    make_account,
    make_local_authority,
    make_pupil,
    make_school,
)
from tests.signoffs.conftest import PENALTY, support_history

scenarios("statutory/statutory_steps.feature")

ROLES = {
    "School attendance lead": "attendance_lead",
    "Education welfare officer (EWO)": "ewo",
    "School staff member": "school_staff",
}


@pytest.fixture
def world() -> dict[str, Any]:
    return {"users": {}, "clients": {}}


def text(response: TestResponse) -> str:
    words = html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    return " ".join(words.split()).replace(" :", ":")


def read(db: Database, statement: Any) -> list[Any]:
    with db.sessions() as s:
        return list(s.execute(statement).all())


def client_of(app: Flask, world: dict[str, Any], first: str) -> FlaskClient:
    """Each person signs in on their own browser."""
    if first not in world["clients"]:
        client = app.test_client()
        user = world["users"][first]
        assert Auth(client).sign_in(user["email"]).status_code == 302
        world["clients"][first] = client
    client: FlaskClient = world["clients"][first]
    return client


def actor(session: Session, world: dict[str, Any], first: str) -> Any:
    user = session.get(User, world["users"][first]["id"])
    assert user is not None
    return actor_for(user)


# -- the cast and the record -------------------------------------------------------------------


@given("the workflows in config/workflows.yaml are published")
def _published(published: WorkflowVersion, world: dict[str, Any]) -> None:
    from panelflow.catalogue.operations import engine_for

    world["version"] = published
    world["definitions"] = engine_for(published).definitions


@given(parsers.parse("{full} is a pupil at {school}, in {authority}"))
def _pupil(session: Session, world: dict[str, Any], full: str, school: str, authority: str) -> None:
    la = make_local_authority(session, authority)
    world["la"], world["school"] = la, make_school(session, school, la)
    given_name, family_name = full.split()
    world["pupil"] = make_pupil(
        session, world["school"], given_name=given_name, family_name=family_name
    )
    session.commit()


@given(parsers.parse("these people work for {authority}:"))
def _people(session: Session, world: dict[str, Any], authority: str, datatable: Any) -> None:
    for first, full, role in datatable[1:]:
        user = make_account(
            session,
            ROLES[role],
            name=full,
            email=f"{first.lower()}@wirral.example",
            school=world["school"],
            local_authority=world["la"],
        )
        world["users"][first] = {"id": user.id, "email": user.email}
    session.commit()


@given(parsers.parse("Lee has opened a support-first case for Alex and a formal case linked to it"))
def _unsupported(session: Session, world: dict[str, Any]) -> None:
    lead = actor(session, world, "Lee")
    support = open_case(session, world["pupil"], "support_first", lead)
    world["case"] = open_case(
        session, world["pupil"], "statutory_referral", lead, linked_from=support
    ).id
    session.commit()


def _supported(session: Session, world: dict[str, Any]) -> Case:
    _, case = support_history(
        session,
        world["version"],
        world["pupil"],
        actor(session, world, "Lee"),
        actor(session, world, "Ed"),
    )
    world["case"] = case.id
    session.commit()
    return case


@given(
    "Alex's support-first case shows a plan agreed, intensive support and a recent review, "
    "and Ed has opened a formal route"
)
def _history(session: Session, world: dict[str, Any]) -> None:
    _supported(session, world)


@given(parsers.parse('Ed has asked for "Issue a penalty notice" on the formal case'))
def _has_asked(session: Session, world: dict[str, Any]) -> None:
    case = session.get(Case, world["case"])
    assert case is not None
    asked = take(session, case, "issue_penalty_notice", actor(session, world, "Ed"), PENALTY)
    assert isinstance(asked, SignOffRequest)
    session.commit()


@given(parsers.parse('Alex\'s formal case is at "{state}"'))
def _at(session: Session, world: dict[str, Any], state: str) -> None:
    if state == "Formal route being considered":
        _unsupported(session, world)
        return
    case = _supported(session, world)
    ed = actor(session, world, "Ed")
    if state == "Attendance contract in place":
        assert isinstance(fire(case, "offer_attendance_contract", ed, PENALTY), Fired)
    else:
        asked = take(session, case, "issue_penalty_notice", ed, PENALTY)
        assert isinstance(asked, SignOffRequest)
        assert isinstance(sign_off(session, actor(session, world, "Erin"), asked.id), Fired)
    session.commit()
    session.expire_all()
    assert _state_label(session, world) == state
    session.rollback()  # on SQLite, a transaction left open would keep the app from writing


# -- what people do ------------------------------------------------------------------------------


@when(parsers.parse("{first} opens the formal case"))
def _opens(app: Flask, world: dict[str, Any], first: str) -> None:
    world["response"] = client_of(app, world, first).get(f"/cases/{world['case']}")
    assert world["response"].status_code == 200


def _take(
    app: Flask, world: dict[str, Any], first: str, trigger: str, data: dict[str, str]
) -> None:
    client = client_of(app, world, first)
    page = client.get(f"/cases/{world['case']}/steps/{trigger}")
    assert page.status_code == 200
    version = re.search(r'name="expected_version" type="hidden" value="(\d+)"', page.text)
    assert version, "no version on the step page"
    world["response"] = client.post(
        f"/cases/{world['case']}/steps/{trigger}",
        data={"csrf_token": csrf_token(page), "expected_version": version.group(1), **data},
        follow_redirects=True,
    )


@when(parsers.parse('{first} asks for "Issue a penalty notice" on the formal case'))
def _asks(app: Flask, world: dict[str, Any], first: str) -> None:
    _take(app, world, first, "issue_penalty_notice", PENALTY)


@when(
    parsers.parse(
        'Tess refers Alex to children\'s social care on the formal case, writing "{concern}"'
    )
)
def _refers(app: Flask, world: dict[str, Any], concern: str) -> None:
    _take(app, world, "Tess", "refer_to_social_care", {"safeguarding_concern": concern})
    assert world["response"].status_code == 200


def _request_id(db: Database) -> int:
    [(request_id,)] = read(db, select(SignOffRequest.id))
    return int(request_id)


def _decide(
    app: Flask, db: Database, world: dict[str, Any], first: str, what: str, **data: str
) -> None:
    client = client_of(app, world, first)
    request_id = _request_id(db)
    page = client.get(f"/sign-offs/{request_id}")
    assert page.status_code == 200
    world["response"] = client.post(
        f"/sign-offs/{request_id}/{what}",
        data={"csrf_token": csrf_token(page), **data},
        follow_redirects=True,
    )


@when(parsers.parse("Ed tries to sign off the request himself"))
def _own(app: Flask, db: Database, world: dict[str, Any]) -> None:
    _decide(app, db, world, "Ed", "sign-off")


@when(parsers.parse("{first} signs off the request"))
def _signs(app: Flask, db: Database, world: dict[str, Any], first: str) -> None:
    _decide(app, db, world, first, "sign-off")
    assert world["response"].status_code == 200


@when(parsers.re(r'(?P<first>[A-Z][a-z]+) refuses the request, writing "(?P<reason>[^"]*)"'))
def _refuses(app: Flask, db: Database, world: dict[str, Any], first: str, reason: str) -> None:
    _decide(app, db, world, first, "refuse", reason=reason)


@when(parsers.parse("{first} opens her actions"))
def _inbox(app: Flask, world: dict[str, Any], first: str) -> None:
    world["response"] = client_of(app, world, first).get("/actions")
    assert world["response"].status_code == 200


# -- what they see -------------------------------------------------------------------------------


def _state_label(session: Session, world: dict[str, Any]) -> str:
    case = session.get(Case, world["case"])
    assert case is not None
    return str(world["definitions"].workflows[case.workflow_key].state_label(case.state))


@then(parsers.parse('the formal case is at "{state}"'))
def _is_at(db: Database, world: dict[str, Any], state: str) -> None:
    with db.sessions() as s:
        assert _state_label(s, world) == state


@then(parsers.parse('"{step}" is shown as not available yet, because:'))
def _unavailable(world: dict[str, Any], step: str, datatable: Any) -> None:
    page = text(world["response"])
    assert f"{step}: not available yet" in page
    listed = page.split(f"{step}: not available yet", 1)[1]
    for (reason,) in datatable:
        assert reason in listed[:600], (reason, listed[:600])


@then(
    parsers.parse(
        '"{step}" is shown as a step {taker} takes, signed off by {signer}, with "{missing}"'
    )
)
def _other(world: dict[str, Any], step: str, taker: str, signer: str, missing: str) -> None:
    page = text(world["response"])
    assert "Steps other people take at this stage" in page
    shown = f"{step}: {taker} takes this step, and {signer} signs it off. Not available yet:"
    assert shown in page
    assert missing in page.split(shown, 1)[1][:800]


@then(parsers.parse('{first} sees the problem "{message}"'))
def _problem(world: dict[str, Any], first: str, message: str) -> None:
    response = world["response"]
    assert response.status_code == 400, response.status_code
    assert "There is a problem" in text(response)
    assert message in text(response)


@then("nothing is waiting for a sign-off")
def _nothing_waiting(db: Database) -> None:
    assert read(db, select(SignOffRequest.id)) == []


@then(
    parsers.parse(
        'the formal case shows "{step}" waiting for a second sign-off, asked for by {name}'
    )
)
def _waiting(app: Flask, world: dict[str, Any], step: str, name: str) -> None:
    page = text(client_of(app, world, "Lee").get(f"/cases/{world['case']}"))
    assert "Waiting for a second sign-off" in page
    assert f"{step} Asked for by {name} on " in page
    assert "Attendance 58% this term despite intensive support" in page
    # Nobody can ask for it (or another formal step) again while it waits.
    assert f"{step}: not while a formal step is waiting for a second sign-off" in page


@then(parsers.parse('{first} sees "{step}" waiting for her sign-off'))
def _in_inbox(world: dict[str, Any], first: str, step: str) -> None:
    page = text(world["response"])
    assert "Waiting for your sign-off" in page
    assert f"{step} Alex Taylor Ed Okoro (Education welfare officer (EWO))" in page


@then(
    parsers.parse('the step "{step}" was decided by {asker} as {role} and signed off by {signer}')
)
def _both(db: Database, step: str, asker: str, role: str, signer: str) -> None:
    [event] = read(
        db,
        select(CaseEvent.actor_name, CaseEvent.role, CaseEvent.signed_off_by_name).where(
            CaseEvent.trigger == "issue_penalty_notice"
        ),
    )
    assert tuple(event) == (asker, role, signer)


@then(parsers.parse('the audit trail records that {name} signed off "{step}"'))
def _audited_sign_off(db: Database, name: str, step: str) -> None:
    rows = read(db, select(AuditRecord.actor_name, AuditRecord.summary))
    assert (name, f"signed off: {step}, asked for by Ed Okoro") in [tuple(r) for r in rows]


@then(parsers.parse('the audit trail records that {name} took "{step}"'))
def _audited_step(db: Database, name: str, step: str) -> None:
    rows = read(
        db,
        select(AuditRecord.summary).where(
            AuditRecord.actor_name == name, AuditRecord.action == "case.transition"
        ),
    )
    assert any(r.summary.startswith(f"{step}: ") for r in rows), rows


@then(parsers.parse('the formal case shows the sign-off refused by {name}: "{reason}"'))
def _refused(app: Flask, world: dict[str, Any], name: str, reason: str) -> None:
    page = text(client_of(app, world, "Ed").get(f"/cases/{world['case']}"))
    assert "Sign-offs decided" in page
    assert f"Refused by {name}, " in page and reason in page


__all__ = ["Pupil"]
