"""Steps for teams, through the administrator's pages."""

from __future__ import annotations

import html
from typing import Any

import pytest
from flask.testing import FlaskClient
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.accounts.models import User
from panelflow.audit.models import AuditRecord
from panelflow.catalogue.models import WorkflowVersion
from panelflow.organisations.models import Team
from tests.factories import Auth, csrf_token, make_account, make_local_authority

scenarios("admin/teams.feature")

AGENCIES = {"the LA attendance service": "attendance_service", "CAMHS": "camhs"}


@pytest.fixture
def world() -> dict[str, Any]:
    return {}


@given("an administrator of Wirral Council is signed in")
def administrator(
    session: Session, client: FlaskClient, published: WorkflowVersion, world: dict[str, Any]
) -> None:
    world["la"] = make_local_authority(session, "Wirral Council")
    admin = make_account(session, "la_admin", local_authority=world["la"])
    session.commit()
    Auth(client).sign_in_as(admin)


@given("Erin, an education welfare officer of Wirral Council, has an account")
def erin(session: Session, world: dict[str, Any]) -> None:
    world["erin"] = make_account(session, "ewo", name="Erin", local_authority=world["la"]).id
    session.commit()


@given(parsers.parse('the team "{name}" exists for {agency}'))
def team_exists(session: Session, world: dict[str, Any], name: str, agency: str) -> None:
    session.add(Team(local_authority_id=world["la"].id, agency=AGENCIES[agency], name=name))
    session.commit()


@when(parsers.parse('the administrator creates the team "{name}" for {agency}'))
def create(client: FlaskClient, world: dict[str, Any], name: str, agency: str) -> None:
    token = csrf_token(client.get("/admin/teams"))
    world["response"] = client.post(
        "/admin/teams",
        data={"team-csrf_token": token, "team-name": name, "team-agency": AGENCIES[agency]},
    )


@when(parsers.parse('the administrator puts Erin in "{name}"'))
def put_in(session: Session, client: FlaskClient, world: dict[str, Any], name: str) -> None:
    team_id = session.scalars(select(Team.id).where(Team.name == name)).one()
    session.rollback()  # end the read: the app writes next
    page = client.get(f"/admin/users/{world['erin']}")
    world["response"] = client.post(
        f"/admin/users/{world['erin']}/team",
        data={"set-team-csrf_token": csrf_token(page), "set-team-team": str(team_id)},
    )


@then(parsers.parse('the teams page lists "{name}" with {count:d} people'))
def listed(client: FlaskClient, name: str, count: int) -> None:
    page = client.get("/admin/teams").get_data(as_text=True)
    row = page.split(f'<td class="govuk-table__cell">{name}</td>', 1)[1].split("</tr>", 1)[0]
    assert f">{count}</td>" in row


@then(parsers.parse('the audit trail records "{action}"'))
def audited(session: Session, action: str) -> None:
    assert action in session.scalars(select(AuditRecord.action)).all()


@then(parsers.parse('the page says "{text}"'))
def says(world: dict[str, Any], text: str) -> None:
    response = world["response"]
    assert response.status_code == 400
    assert text in html.unescape(response.get_data(as_text=True))


@then(parsers.parse('Erin\'s page shows the team "{name}"'))
def shows_team(client: FlaskClient, world: dict[str, Any], name: str) -> None:
    assert world["response"].status_code == 302
    page = client.get(f"/admin/users/{world['erin']}").get_data(as_text=True)
    assert f'<dd class="govuk-summary-list__value">{name}</dd>' in page


@then("Erin is in no team")
def no_team(session: Session, world: dict[str, Any]) -> None:
    session.expire_all()
    assert session.get(User, world["erin"]).team_id is None  # type: ignore[union-attr]
