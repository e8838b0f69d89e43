"""Shared steps for the panel features: people, schools, pupils and signing in.

The app and these steps use separate database sessions; reads use a short-lived session
(``read``) so that, on SQLite, no transaction of the test holds the write lock.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from pytest_bdd import given, parsers, then
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.audit.models import AuditRecord
from panelflow.catalogue.models import WorkflowVersion
from panelflow.db import Database, utcnow
from panelflow.organisations.models import Pupil
from panelflow.panels.models import Meeting, Panel, PanelSchool
from tests.features.pages import person, pupil_at, read, school_named, signed_in, text

ROLE_WORDS = {
    "school staff member": "school_staff",
    "panel chair": "panel_chair",
    "CAMHS practitioner": "camhs_practitioner",
    "youth worker": "youth_worker",
}


@pytest.fixture
def world() -> dict[str, Any]:
    return {"users": {}, "pupils": {}}


@given("the workflows in config/workflows.yaml are published")
def _published(published: WorkflowVersion) -> None:
    assert published.number == 1


@given(parsers.parse("{school} has a panel meeting next week"))
def _panel(session: Session, school: str, world: dict[str, Any]) -> None:
    at = school_named(session, school)
    panel = Panel(name=f"{school} attendance panel", local_authority_id=at.local_authority_id)
    session.add(panel)
    session.flush()
    session.add(PanelSchool(panel_id=panel.id, school_id=at.id))
    meeting = Meeting(panel_id=panel.id, starts_at=utcnow() + timedelta(days=7))
    session.add(meeting)
    session.commit()
    world["meeting"] = meeting.id


@given(
    parsers.re(
        r"(?P<name>[A-Z]\w+ [A-Z]\w+) is a (?P<role>school staff member|panel chair) "
        r"at (?P<school>.+)"
    )
)
def _school_person(
    session: Session, world: dict[str, Any], name: str, role: str, school: str
) -> None:
    person(session, world, name, ROLE_WORDS[role], domain="school.example", school=school)


@given(parsers.re(r"(?P<name>[A-Z]\w+ [A-Z]\w+) is an? (?P<role>CAMHS practitioner|youth worker)$"))
def _agency_person(session: Session, world: dict[str, Any], name: str, role: str) -> None:
    person(session, world, name, ROLE_WORDS[role], domain="agency.example")


@given(parsers.re(r"(?P<name>[A-Z]\w+ [A-Z]\w+) is a pupil at (?P<school>[^,]+?)$"))
def _pupil(session: Session, world: dict[str, Any], name: str, school: str) -> None:
    pupil_at(session, world, name, school)


@given(parsers.parse("{first} is signed in"))
def _signed_in(client: FlaskClient, db: Database, world: dict[str, Any], first: str) -> None:
    signed_in(client, db, world, first)


@then(parsers.parse('{first} sees the problem "{message}"'))
def _problem(world: dict[str, Any], first: str, message: str) -> None:
    response = world["response"]
    assert response.status_code == 400
    assert "There is a problem" in text(response)
    assert message in text(response)


@then(parsers.parse("the audit trail records that {first} {what}"))
def _audited(db: Database, world: dict[str, Any], first: str, what: str) -> None:
    actions = {
        "opened a case for Amara": "case.open",
        "completed the action": "action.completed",
    }
    rows = read(
        db,
        select(AuditRecord.action).where(AuditRecord.actor_id == f"user:{world['users'][first]}"),
    )
    assert actions[what] in {r.action for r in rows}


__all__ = ["Pupil", "read", "text"]
