"""Steps for the emails about actions: the real operations, pages, ``panelflow tick`` and a
real SMTP server on loopback.

The app, the CLI and these steps use separate database sessions; the test's session is
committed before anything else writes, and reads use a short-lived session (``read``), so
that on SQLite no transaction of the test holds the write lock.
"""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow import cli
from panelflow.accounts.models import User
from panelflow.accounts.operations import actor_for
from panelflow.actions.operations import create_action
from panelflow.cases.models import Case
from panelflow.cases.operations import open_case
from panelflow.catalogue.models import WorkflowVersion
from panelflow.db import Database, utcnow
from panelflow.notify.outbox import send_pending
from panelflow.notify.smtp import SmtpSettings
from panelflow.organisations.models import Pupil
from panelflow.panels.models import Panel, PanelMember, PanelSchool
from panelflow.roles import Actor
from tests.factories import PASSWORD, csrf_token, make_account, make_local_authority, make_pupil
from tests.features.notify.conftest import BASE_URL
from tests.features.pages import read, school_named, text
from tests.smtp import SmtpServer

scenarios("notify/notifications.feature")

ROLES = {"CAMHS practitioner": "camhs_practitioner", "youth worker": "youth_worker"}
AGENCIES = {"CAMHS": "camhs"}
OPENER = Actor("test:opener", "Nomination", frozenset({"panel_chair"}), "school")


@pytest.fixture
def world() -> dict[str, Any]:
    return {"users": {}, "pupils": {}, "received": []}


def email_of(first: str) -> str:
    return f"{first.lower()}@example.org"


def received_by(world: dict[str, Any], first: str) -> list[EmailMessage]:
    return [m for m in world["received"] if m["To"] == email_of(first)]


def body(message: EmailMessage) -> str:
    return str(message.get_content()).replace("\r\n", "\n")


# --- given -------------------------------------------------------------------------------


@given("the workflows in config/workflows.yaml are published")
def _published(published: WorkflowVersion) -> None:
    assert published.number == 1


@given(parsers.parse("{school} has a panel chaired by {name}"))
def _panel(session: Session, world: dict[str, Any], school: str, name: str) -> None:
    at = school_named(session, school)
    chair = make_account(
        session,
        "panel_chair",
        name=name,
        email=email_of(name.split()[0]),
        school=at,
        local_authority=make_local_authority(session),
    )
    panel = Panel(name=f"{school} attendance panel", local_authority_id=at.local_authority_id)
    session.add(panel)
    session.flush()
    session.add(PanelSchool(panel_id=panel.id, school_id=at.id))
    session.add(PanelMember(panel_id=panel.id, user_id=chair.id, is_chair=True))
    session.commit()
    world["users"][name.split()[0]] = chair.id


@given(parsers.parse("{name} is a pupil at {school} with a panel case"))
def _pupil(session: Session, world: dict[str, Any], name: str, school: str) -> None:
    given_name, family_name = name.split()
    pupil = make_pupil(
        session, school_named(session, school), given_name=given_name, family_name=family_name
    )
    world["pupils"][given_name] = pupil.id
    world["case"] = open_case(session, pupil, "school_panel", OPENER).id
    session.commit()


@given(parsers.re(r"(?P<name>[A-Z]\w+ [A-Z]\w+) is an? (?P<role>CAMHS practitioner|youth worker)$"))
def _professional(session: Session, world: dict[str, Any], name: str, role: str) -> None:
    user = make_account(
        session,
        ROLES[role],
        name=name,
        email=email_of(name.split()[0]),
        local_authority=make_local_authority(session),
    )
    session.commit()
    world["users"][name.split()[0]] = user.id


def _agree(
    session: Session, world: dict[str, Any], first: str, agency: str, title: str, days: int
) -> None:
    user = session.get(User, world["users"][first])
    case = session.get(Case, world["case"])
    assert user is not None and case is not None
    due = utcnow() - timedelta(days=days) if days else None
    action = create_action(
        session, case, actor_for(user), title=title, agency=AGENCIES[agency], due_at=due
    )
    session.commit()
    world["action"] = action.id


@when(
    parsers.re(
        r'(?P<first>\w+) agrees an action for (?P<agency>\w+) on \w+\'s case: "(?P<title>[^"]*)"$'
    )
)
def _agrees(session: Session, world: dict[str, Any], first: str, agency: str, title: str) -> None:
    _agree(session, world, first, agency, title, 0)


@given(
    parsers.re(
        r'(?P<first>\w+) agreed an action for (?P<agency>\w+) on \w+\'s case: "(?P<title>[^"]*)", '
        r"due (?P<days>\d+) days ago$"
    )
)
def _agreed_due(
    session: Session, world: dict[str, Any], first: str, agency: str, title: str, days: str
) -> None:
    _agree(session, world, first, agency, title, int(days))


# --- when --------------------------------------------------------------------------------


@when("the outbox is sent")
def _send(db: Database, world: dict[str, Any], smtp_server: SmtpServer) -> None:
    report = send_pending(db, settings=SmtpSettings.from_environment(smtp_server.environment()))
    assert report.failed == 0 and report.waiting == 0
    world["received"] = smtp_server.messages


@when(parsers.parse("{first} follows the link and signs in"))
def _follows(client: FlaskClient, world: dict[str, Any], first: str) -> None:
    [message] = [m for m in received_by(world, first) if "/actions/" in body(m)]
    link = re.search(re.escape(BASE_URL) + r"(/actions/\d+)\n", body(message))
    assert link is not None
    asked = client.get(link.group(1))
    assert asked.status_code == 302 and "/sign-in?next=" in asked.location
    page = client.get(asked.location)
    signed_in = client.post(
        asked.location,
        data={"csrf_token": csrf_token(page), "email": email_of(first), "password": PASSWORD},
    )
    assert signed_in.status_code == 302 and signed_in.location == link.group(1)
    world["response"] = client.get(signed_in.location)


@when(parsers.re(r'(?P<first>\w+) declines it saying "(?P<words>[^"]*)"'))
def _declines(client: FlaskClient, world: dict[str, Any], first: str, words: str) -> None:
    page = client.get(f"/actions/{world['action']}")
    assert page.status_code == 200
    done = client.post(
        f"/actions/{world['action']}/decline",
        data={"csrf_token": csrf_token(page), "text": words},
    )
    assert done.status_code == 302, text(done)


@when("panelflow tick runs")
def _tick(db: Database, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db.url)
    result = CliRunner().invoke(cli.main, ["tick"])
    assert result.exit_code == 0, result.output
    world["output"] = result.stdout


# --- then --------------------------------------------------------------------------------


@then(parsers.parse('{first} receives "{subject}" with a link to the {what}'))
def _receives(world: dict[str, Any], first: str, subject: str, what: str) -> None:
    [message] = [m for m in received_by(world, first) if m["Subject"] == subject]
    path = f"/actions/{world['action']}" if what == "action" else f"/cases/{world['case']}"
    assert f"{BASE_URL}{path}\n" in body(message)


@then(parsers.parse("{first} receives no email"))
def _nothing(world: dict[str, Any], first: str) -> None:
    assert received_by(world, first) == []


@then(parsers.parse('the email to {first} says "{words}"'))
def _says(world: dict[str, Any], first: str, words: str) -> None:
    [message] = received_by(world, first)
    assert words in body(message)


@then(parsers.re(r"(?P<first>\w+) has received (?P<n>\d+) emails?$"))
def _count(world: dict[str, Any], first: str, n: str) -> None:
    assert len(received_by(world, first)) == int(n)


@then(parsers.parse("no email names {pupil}"))
def _no_name(db: Database, world: dict[str, Any], pupil: str) -> None:
    [(found,)] = read(db, select(Pupil).where(Pupil.id == world["pupils"][pupil]))
    personal = [found.given_name, found.family_name, found.date_of_birth.isoformat()]
    assert world["received"]
    for message in world["received"]:
        for value in personal:
            assert value not in message["Subject"] and value not in body(message)


@then(parsers.parse('{first} sees the action "{title}"'))
def _sees(world: dict[str, Any], first: str, title: str) -> None:
    response = world["response"]
    assert response.status_code == 200
    assert title in text(response)


@then(parsers.parse('it says "{line}"'))
def _says_line(world: dict[str, Any], line: str) -> None:
    assert line in world["output"].splitlines()
