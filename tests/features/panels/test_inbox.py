"""Steps for the action inbox: the real pages, forms and CSRF tokens."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.actions.models import Action, ActionUpdate
from panelflow.actions.operations import create_action
from panelflow.cases.operations import open_case
from panelflow.db import Database
from panelflow.organisations.models import Pupil
from panelflow.roles import Actor
from tests.factories import csrf_token, make_pupil
from tests.features.pages import read, school_named, text

scenarios("panels/inbox.feature")

PANEL = Actor("test:chair", "Priya Shah", frozenset({"panel_chair"}), "school")


@given(parsers.parse("{name} is a pupil at {school} with a panel case"))
def _pupil_with_case(session: Session, world: dict[str, Any], name: str, school: str) -> None:
    given_name, family_name = name.split()
    pupil = make_pupil(
        session, school_named(session, school), given_name=given_name, family_name=family_name
    )
    world["pupils"][given_name] = pupil.id
    world["case"] = open_case(session, pupil, "school_panel", PANEL).id
    session.commit()


@given(parsers.parse('the panel agreed an action for CAMHS on {pupil}\'s case: "{title}"'))
def _agreed(session: Session, world: dict[str, Any], pupil: str, title: str) -> None:
    from panelflow.cases.models import Case

    case = session.get(Case, world["case"])
    assert case is not None
    world["action"] = create_action(session, case, PANEL, title=title, agency="camhs").id
    session.commit()


def _step(client: FlaskClient, world: dict[str, Any], step: str, words: str = "") -> None:
    page = client.get(f"/actions/{world['action']}")
    assert page.status_code == 200
    world["response"] = client.post(
        f"/actions/{world['action']}/{step}",
        data={"csrf_token": csrf_token(page), "text": words},
        follow_redirects=True,
    )


@when(parsers.parse("{first} accepts it"))
def _accepts(client: FlaskClient, world: dict[str, Any], first: str) -> None:
    _step(client, world, "accept")
    assert world["response"].status_code == 200


@when(parsers.parse('{first} records progress "{words}"'))
def _progress(client: FlaskClient, world: dict[str, Any], first: str, words: str) -> None:
    _step(client, world, "progress", words)
    assert world["response"].status_code == 200


@when(parsers.parse('{first} completes it with "{words}"'))
def _completes(client: FlaskClient, world: dict[str, Any], first: str, words: str) -> None:
    _step(client, world, "complete", words)
    assert world["response"].status_code == 200


@when(parsers.re(r'(?P<first>\w+) declines it saying "(?P<words>[^"]*)"'))
def _declines(client: FlaskClient, world: dict[str, Any], first: str, words: str) -> None:
    _step(client, world, "decline", words)


def _action(db: Database, world: dict[str, Any]) -> Action:
    [(action,)] = read(db, select(Action).where(Action.id == world["action"]))
    return action  # type: ignore[no-any-return]


@then(parsers.parse('{first}\'s inbox shows "{title}" for {name}, waiting'))
def _inbox_shows(client: FlaskClient, first: str, title: str, name: str) -> None:
    page = text(client.get("/actions"))
    assert f"New: waiting for someone to accept Action Pupil For Due {title} {name}" in page


@then(parsers.parse('{first}\'s inbox does not show "{title}"'))
def _inbox_hides(client: FlaskClient, first: str, title: str) -> None:
    page = text(client.get("/actions"))
    assert title not in page and "Amara" not in page


@then(parsers.parse('{first} accepting it answers "page not found"'))
def _refused(client: FlaskClient, world: dict[str, Any], first: str) -> None:
    assert client.get(f"/actions/{world['action']}").status_code == 404
    page = client.get("/actions")
    response = client.post(
        f"/actions/{world['action']}/accept", data={"csrf_token": csrf_token(page)}
    )
    assert response.status_code == 404


@then(parsers.parse('the action is completed with the outcome "{words}"'))
def _completed(db: Database, world: dict[str, Any], words: str) -> None:
    action = _action(db, world)
    assert (action.status, action.outcome) == ("completed", words)


@then(parsers.parse('the action is declined with the reason "{words}"'))
def _declined(db: Database, world: dict[str, Any], words: str) -> None:
    action = _action(db, world)
    assert (action.status, action.decline_reason) == ("declined", words)


@then("the action is still open")
def _still_open(db: Database, world: dict[str, Any]) -> None:
    assert _action(db, world).status == "open"


@then("its history reads created, accepted, progress, completed")
def _history(db: Database, world: dict[str, Any]) -> None:
    kinds = [
        k
        for (k,) in read(
            db,
            select(ActionUpdate.kind)
            .where(ActionUpdate.action_id == world["action"])
            .order_by(ActionUpdate.id),
        )
    ]
    assert kinds == ["created", "accepted", "progress", "completed"]


@then(parsers.parse("{first} cannot open {pupil}'s page"))
def _cannot_open(client: FlaskClient, world: dict[str, Any], first: str, pupil: str) -> None:
    assert client.get(f"/pupils/{world['pupils'][pupil]}").status_code == 404


__all__ = ["Pupil"]
