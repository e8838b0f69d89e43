"""Shared steps for the funding features: a panel with a budget, its people, a pupil with a
panel case, and signing in as each in turn, through the real pages.

The app and these steps use separate database sessions; reads use a short-lived session
(``read``) so that, on SQLite, no transaction of the test holds the write lock.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from pytest_bdd import given, parsers, then
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from panelflow.accounts.models import User
from panelflow.accounts.operations import actor_for
from panelflow.cases.operations import open_case
from panelflow.catalogue.models import WorkflowVersion
from panelflow.db import Database
from tests.factories import (
    csrf_token,
    make_pupil,
)
from tests.features.pages import (
    panel_with_budget,
    person,
    read,
    school_named,
    signed_in,
    text,
)

ROLE_WORDS = {
    "panel chair": "panel_chair",
    "attendance lead": "attendance_lead",
    "LA administrator": "la_admin",
}


@pytest.fixture
def world() -> dict[str, Any]:
    return {"users": {}, "pupils": {}, "cases": {}, "decisions": {}}


def entered(value: Any) -> str:
    return f"{value.day}/{value.month}/{value.year}"


def post_form(client: FlaskClient, path: str, data: dict[str, str], **kw: Any) -> TestResponse:
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    return client.post(path, data={"csrf_token": csrf_token(page), **data}, **kw)


@given("the workflows in config/workflows.yaml are published")
def _published(published: WorkflowVersion) -> None:
    assert published.number == 1


@given(parsers.parse('{school} has a panel with a budget of "{amount}" for "{label}"'))
def _panel_with_budget(
    session: Session, world: dict[str, Any], school: str, amount: str, label: str
) -> None:
    world["panel"] = panel_with_budget(session, school, amount, label).id


@given(
    parsers.re(
        r"(?P<name>[A-Z]\w+ [A-Z]\w+) is an? (?P<role>panel chair|attendance lead) "
        r"at (?P<school>.+)$"
    )
)
def _school_person(
    session: Session, world: dict[str, Any], name: str, role: str, school: str
) -> None:
    person(session, world, name, ROLE_WORDS[role], domain="school.example", school=school)


@given(parsers.re(r"(?P<name>[A-Z]\w+ [A-Z]\w+) is an LA administrator$"))
def _administrator(session: Session, world: dict[str, Any], name: str) -> None:
    person(session, world, name, "la_admin", domain="council.example")


@given(parsers.re(r"(?P<name>[A-Z]\w+ [A-Z]\w+) is a pupil at (?P<school>.+?) with a panel case$"))
def _pupil_with_case(session: Session, world: dict[str, Any], name: str, school: str) -> None:
    given_name, family_name = name.split()
    pupil = make_pupil(
        session, school_named(session, school), given_name=given_name, family_name=family_name
    )
    chair = session.get(User, world["users"]["Priya"])
    assert chair is not None
    case = open_case(session, pupil, "school_panel", actor_for(chair))
    session.commit()
    world["pupils"][given_name] = pupil.id
    world["cases"][given_name] = case.id


@given(parsers.parse("{first} is signed in"))
def _signed_in(client: FlaskClient, db: Database, world: dict[str, Any], first: str) -> None:
    signed_in(client, db, world, first)


@then(parsers.parse('{first} sees the problem "{message}"'))
def _problem(world: dict[str, Any], first: str, message: str) -> None:
    response = world["response"]
    assert response.status_code == 400
    assert "There is a problem" in text(response)
    assert message in text(response)


@then(parsers.parse('{first} is told "{message}"'))
def _told(world: dict[str, Any], first: str, message: str) -> None:
    assert message in text(world["response"])


__all__ = ["entered", "post_form", "read", "text"]
