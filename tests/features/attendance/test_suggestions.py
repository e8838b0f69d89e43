"""Steps for "may need a conversation": weeks of attendance written for each pupil, the list
read through the real page by a signed-in person, and need-to-know from the real policy.

The app and these steps use separate database sessions: the test's session commits before
the app reads.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.accounts.models import User
from panelflow.accounts.operations import actor_for
from panelflow.catalogue.models import WorkflowVersion
from panelflow.db import Database
from panelflow.organisations.models import Pupil, School
from panelflow.panels.operations import nominate
from tests.attendance.weeks import add_weeks
from tests.factories import Auth, make_account, make_local_authority
from tests.features.pages import pupil_at, read, school_named, text

scenarios("attendance/suggestions.feature")

ROLES = {
    "virtual school head": "virtual_school_head",
    "workflow editor": "workflow_editor",
}


@pytest.fixture
def world() -> dict[str, Any]:
    return {"users": {}, "pupils": {}}


def client_of(app: Flask, world: dict[str, Any], first: str) -> FlaskClient:
    clients = world.setdefault("clients", {})
    if first not in clients:
        client = app.test_client()
        Auth(client).sign_in_as(world["users"][first])
        clients[first] = client
    found: FlaskClient = clients[first]
    return found


def row_of(page: str, world: dict[str, Any], first: str) -> str:
    match = re.search(
        rf'<tr class="govuk-table__row" id="pupil-{world["pupils"][first]}">(.*?)</tr>',
        page,
        re.S,
    )
    assert match, f"{first} is not listed"
    return match.group(1)


@given("the workflows in config/workflows.yaml are published")
def _published(published: WorkflowVersion) -> None:
    assert published.number == 1


@given(parsers.parse("{name} is the attendance lead at {school}"))
def _lead(session: Session, world: dict[str, Any], name: str, school: str) -> None:
    user = make_account(
        session,
        "attendance_lead",
        "panel_chair",
        name=name,
        school=school_named(session, school),
        local_authority=make_local_authority(session),
    )
    session.commit()
    world["users"][name.split()[0]] = user


@given(parsers.re(r"(?P<name>\w+ \w+) is (the|a) (?P<role>virtual school head|workflow editor)$"))
def _someone(session: Session, world: dict[str, Any], name: str, role: str) -> None:
    user = make_account(
        session, ROLES[role], name=name, local_authority=make_local_authority(session)
    )
    session.commit()
    world["users"][name.split()[0]] = user


@given(parsers.parse("{name} at {school} attended {weeks} of 10 sessions a week"))
def _attended(session: Session, world: dict[str, Any], name: str, school: str, weeks: str) -> None:
    pupil = pupil_at(session, world, name, school)
    add_weeks(session, pupil, [(10, int(n)) for n in weeks.split()])
    session.commit()


@given(parsers.parse("{first} is looked after"))
def _looked_after(session: Session, world: dict[str, Any], first: str) -> None:
    pupil = session.get(Pupil, world["pupils"][first])
    assert pupil is not None
    pupil.looked_after = True
    session.commit()


@given(parsers.parse("Lena has nominated {first} for the panel"))
def _nominated(session: Session, world: dict[str, Any], first: str) -> None:
    pupil = session.get(Pupil, world["pupils"][first])
    assert pupil is not None
    lena = session.get(User, world["users"]["Lena"].id)
    assert lena is not None
    nominate(session, actor_for(lena), pupil, "Missing Mondays since February")
    session.commit()


@when(parsers.parse("{first} opens the list of pupils who may need a conversation"))
def _open(app: Flask, world: dict[str, Any], first: str) -> None:
    response = client_of(app, world, first).get("/attendance/conversations")
    world["status"] = response.status_code
    world["page"] = response.get_data(as_text=True)


@when(parsers.parse("Vera chooses {school}"))
def _choose(app: Flask, db: Database, world: dict[str, Any], school: str) -> None:
    [(school_id,)] = read(db, select(School.id).where(School.name == school))
    response = client_of(app, world, "Vera").get(f"/attendance/conversations?school={school_id}")
    assert response.status_code == 200
    world["page"] = response.get_data(as_text=True)


@then(parsers.parse('it lists {first} because "{reason}"'))
def _lists(world: dict[str, Any], first: str, reason: str) -> None:
    assert world["status"] == 200
    assert reason in text(row_of(world["page"], world, first))


@then(parsers.parse("it does not say {first} became persistently absent"))
def _not_persistent(world: dict[str, Any], first: str) -> None:
    assert "Became persistently absent" not in text(row_of(world["page"], world, first))


@then(parsers.parse("it does not list {first}"))
def _not_listed(world: dict[str, Any], first: str) -> None:
    assert f'id="pupil-{world["pupils"][first]}"' not in world["page"]
    assert first not in text(world["page"])


@then("it lists nobody")
def _nobody(world: dict[str, Any]) -> None:
    assert world["status"] == 200
    assert 'id="pupil-' not in world["page"]
    assert "Nobody you can see at Birkenhead Park Primary has just crossed" in text(world["page"])


@then(parsers.parse("it says attendance is imported to {day}"))
def _as_of(world: dict[str, Any], day: str) -> None:
    assert f"with attendance imported to {day}" in text(world["page"])


@then(parsers.parse("it offers to nominate {first} for the panel"))
def _offers(world: dict[str, Any], first: str) -> None:
    row = row_of(world["page"], world, first)
    assert f'href="/nominate/pupils/{world["pupils"][first]}"' in row
    assert f'href="/pupils/{world["pupils"][first]}"' in row


@then(parsers.parse("it does not offer to nominate {first}"))
def _no_offer(world: dict[str, Any], first: str) -> None:
    assert "/nominate/pupils/" not in row_of(world["page"], world, first)


@then(parsers.parse('it lists {first} with her open case "{title}" on the panel\'s agenda'))
def _on_agenda(world: dict[str, Any], first: str, title: str) -> None:
    row = text(row_of(world["page"], world, first))
    assert f"{title} : On the panel agenda On the panel's agenda" in row, row


@then(parsers.parse('asking for {school}\'s list tells Lena "{message}"'))
def _other_school(
    app: Flask, db: Database, world: dict[str, Any], school: str, message: str
) -> None:
    [(school_id,)] = read(db, select(School.id).where(School.name == school))
    response = client_of(app, world, "Lena").get(f"/attendance/conversations?school={school_id}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in text(page)
    assert "Dylan" not in text(page)


@then(parsers.parse("she is asked to choose one of {count:d} schools"))
def _choose_one(world: dict[str, Any], count: int) -> None:
    assert world["status"] == 200
    assert f"Your pupils are at {count} schools: choose one" in text(world["page"])
    assert 'id="pupil-' not in world["page"]


@then("she is refused")
def _refused(world: dict[str, Any]) -> None:
    assert world["status"] == 403
