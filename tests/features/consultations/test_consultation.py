"""Steps for the EWO consultation feature: signed-in people using the real pages.

The app and these steps use separate database sessions; every read here opens a short-lived
session, so on SQLite no transaction of the test holds the write lock while the app writes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select, update
from werkzeug.test import TestResponse

from panelflow.accounts.models import User
from panelflow.actions.operations import create_action
from panelflow.cases.models import Case, CaseTimer, Consent
from panelflow.cases.operations import open_case, restart_timers
from panelflow.catalogue.models import WorkflowVersion
from panelflow.catalogue.operations import engine_for, pinned
from panelflow.db import Database, utcnow
from panelflow.organisations.models import Pupil
from panelflow.presentation import day
from panelflow.terms.operations import calendar_for_pupil
from panelflow.workflows.definitions import WorkflowSet
from panelflow.workflows.durations import parse_duration
from tests.factories import (
    Auth,
    csrf_token,
    make_account,
    make_local_authority,
    make_pupil,
    make_school,
    person,
)
from tests.features.pages import text

scenarios("consultations/consultation.feature")

KINDS = {"support-first case": "support_first", "consultation": "ewo_consultation"}
SETUP = person("Scenario setup", "attendance_lead")


@dataclass
class World:
    db: Database
    client: FlaskClient
    auth: Auth
    definitions: WorkflowSet
    users: dict[str, User] = field(default_factory=dict)
    pupils: dict[str, Pupil] = field(default_factory=dict)
    signed_in: str | None = None

    def as_(self, name: str) -> None:
        if self.signed_in == name:
            return
        if self.signed_in is not None:
            self.auth.sign_out()
        self.auth.sign_in_as(self.users[name])
        self.signed_in = name

    def case(self, pupil: str, kind: str) -> Case:
        with self.db.sessions() as s:
            found = s.scalars(
                select(Case)
                .where(Case.pupil_id == self.pupils[pupil].id, Case.workflow_key == KINDS[kind])
                .order_by(Case.id.desc())
            ).first()
            assert found is not None, f"{pupil} has no {kind}"
            s.expunge(found)
            return found

    def field_key(self, words: str) -> str:
        for key, definition in self.definitions.fields.items():
            if words in (definition.label, definition.label.split(": ")[0], key):
                return key
        raise AssertionError(f"no field called {words!r}")

    def trigger(self, case: Case, words: str) -> str:
        wf = self.definitions.workflows[case.workflow_key]
        found = {t.trigger for t in wf.transitions if t.label == words}
        assert len(found) == 1, f"{wf.title} has no one step called {words!r}"
        return found.pop()


@pytest.fixture
def world(db: Database, client: FlaskClient, auth: Auth, published: WorkflowVersion) -> World:
    return World(db, client, auth, engine_for(published).definitions)


# -- the cast --------------------------------------------------------------------------------
@given("the workflows in config/workflows.yaml are published")
def _published(published: WorkflowVersion) -> None:
    assert published.number == 1


@given(parsers.re(r"(?P<first>[A-Z]\w+) (?P<last>[A-Z]\w+) is a pupil at (?P<school>.+)$"))
def _pupil(world: World, first: str, last: str, school: str) -> None:
    with world.db.sessions() as s:
        found = make_school(s, school, make_local_authority(s))
        pupil = make_pupil(s, found, given_name=first, family_name=last)
        s.commit()
        s.refresh(pupil)
        s.expunge(pupil)
    world.pupils[first] = pupil


@given("these people have accounts:")
def _accounts(world: World, datatable: list[list[str]]) -> None:
    roles = {role.label: key for key, role in world.definitions.roles.items()}
    with world.db.sessions() as s:
        school = s.get(Pupil, next(iter(world.pupils.values())).id).school  # type: ignore[union-attr]
        for name, role in datatable[1:]:
            user = make_account(s, roles[role], name=name, school=school)
            s.commit()
            s.refresh(user)
            s.expunge(user)
            world.users[name] = user


@given(parsers.parse('{pupil} has a support-first case at "{state}", run with {ewo}'))
def _support_first(world: World, pupil: str, state: str, ewo: str) -> None:
    wf = world.definitions.workflows["support_first"]
    name = next(s.name for s in wf.states.values() if s.label == state)
    with world.db.sessions() as s:
        case = open_case(s, s.get_one(Pupil, world.pupils[pupil].id), "support_first", SETUP)
        s.execute(update(Case).where(Case.id == case.id).values(state=name))
        s.refresh(case)
        restart_timers(s, case, pinned(s, case.workflow_version_id).engine)
        create_action(
            s, case, SETUP, title="Join the support around this pupil", agency="attendance_service"
        )
        s.commit()


@given(parsers.parse("consent to share {pupil}'s case with educational psychology is recorded"))
def _consent(world: World, pupil: str) -> None:
    with world.db.sessions() as s:
        s.add(
            Consent(
                pupil_id=world.pupils[pupil].id,
                agency="educational_psychology",
                basis="consent",
                purpose="A consultation about attendance",
                given_by="Mum",
                recorded_by="Lee",
            )
        )
        s.commit()


# -- taking steps through the pages ----------------------------------------------------------
def _take(world: World, who: str, pupil: str, kind: str, step: str, values: dict[str, str]) -> None:
    world.as_(who)
    case = world.case(pupil, kind)
    trigger = world.trigger(case, step)
    page = world.client.get(f"/cases/{case.id}/steps/{trigger}")
    assert page.status_code == 200, text(page)[:300]
    version = re.search(r'name="expected_version" type="hidden" value="(\d+)"', page.text)
    assert version, "the step's form carries the case version"
    response = world.client.post(
        f"/cases/{case.id}/steps/{trigger}",
        data={"csrf_token": csrf_token(page), "expected_version": version.group(1), **values},
    )
    assert response.status_code == 302, text(response)[:600]


def _values(world: World, rows: list[list[str]]) -> dict[str, str]:
    values = {}
    for label, value in rows:
        weeks = re.fullmatch(r"in (\d+) weeks", value)
        if weeks:
            value = (utcnow() + timedelta(weeks=int(weeks.group(1)))).date().isoformat()
        values[world.field_key(label)] = value
    return values


@when(parsers.parse('{who} takes "{step}" on {pupil}\'s {kind}, recording:'))
def _takes(
    world: World, who: str, step: str, pupil: str, kind: str, datatable: list[list[str]]
) -> None:
    _take(world, who, pupil, kind, step, _values(world, datatable))


@when(
    parsers.parse(
        '{who} takes "{step}" on {pupil}\'s {kind}, answering every SPIRAL question and recording:'
    )
)
def _consultation(
    world: World, who: str, step: str, pupil: str, kind: str, datatable: list[list[str]]
) -> None:
    values = _values(world, datatable)
    case = world.case(pupil, kind)
    wf = world.definitions.workflows[case.workflow_key]
    transition = next(t for t in wf.transitions if t.label == step)
    for name in transition.requires:
        label = world.definitions.fields[name].label
        values.setdefault(name, f"What we said about {label.split(':')[0].lower()}")
    _take(world, who, pupil, kind, step, values)


@given(parsers.parse("{who} has asked for an EWO consultation on {pupil}'s support-first case"))
def _asked(world: World, who: str, pupil: str) -> None:
    _take(
        world,
        who,
        pupil,
        "support-first case",
        "Ask for an EWO consultation",
        {"stuck_summary": "Nothing has changed since the plan was agreed"},
    )


@when(parsers.parse('{who} agrees the action "{title}" on {pupil}\'s {kind} for "{owner}"'))
def _agrees(world: World, who: str, title: str, pupil: str, kind: str, owner: str) -> None:
    world.as_(who)
    case = world.case(pupil, kind)
    page = world.client.get(f"/cases/{case.id}/actions/new")
    assert page.status_code == 200, text(page)[:300]
    key = re.search(
        rf'<option value="([^"]+)"[^>]*>{re.escape(html.escape(owner))}</option>', page.text
    )
    assert key, f"{owner!r} is not among the owners offered"
    response = world.client.post(
        f"/cases/{case.id}/actions/new",
        data={"csrf_token": csrf_token(page), "title": title, "owner": key.group(1), "due": ""},
    )
    assert response.status_code == 302, text(response)[:600]


# -- what people see -------------------------------------------------------------------------
def _page(world: World, who: str, pupil: str, kind: str) -> TestResponse:
    world.as_(who)
    return world.client.get(f"/cases/{world.case(pupil, kind).id}")


@given(parsers.parse("{who} cannot open {pupil}'s {kind}"))
@then(parsers.parse("{who} cannot open {pupil}'s {kind}"))
def _cannot(world: World, who: str, pupil: str, kind: str) -> None:
    assert _page(world, who, pupil, kind).status_code == 404


@given(parsers.parse("{who} can open {pupil}'s consultation and support-first case"))
def _can(world: World, who: str, pupil: str) -> None:
    for kind in KINDS:
        assert _page(world, who, pupil, kind).status_code == 200


@then(parsers.parse('{pupil}\'s support-first case shows a linked "{title}" at "{state}"'))
def _linked(world: World, pupil: str, title: str, state: str) -> None:
    page = _page(world, "Ed", pupil, "support-first case")
    assert f"{title} ({state})" in text(page)


@then(parsers.parse('{who}\'s cases list {pupil}\'s "{title}" at "{state}"'))
def _listed(world: World, who: str, pupil: str, title: str, state: str) -> None:
    world.as_(who)
    words = text(world.client.get("/cases"))
    assert re.search(rf"{pupil} \w+ .*?{re.escape(title)} .*?{re.escape(state)}", words), words


@then(parsers.parse("{who}'s cases do not list {pupil}"))
def _not_listed(world: World, who: str, pupil: str) -> None:
    world.as_(who)
    assert pupil not in text(world.client.get("/cases"))


@then(parsers.parse('{who}\'s inbox lists "{title}"'))
def _inbox(world: World, who: str, title: str) -> None:
    world.as_(who)
    assert title in text(world.client.get("/actions"))


@then(parsers.parse('{who} reads on {pupil}\'s {kind} "{words}", from the linked {title}'))
def _reads(world: World, who: str, pupil: str, kind: str, words: str, title: str) -> None:
    page = text(_page(world, who, pupil, kind))
    assert words in page
    assert f"on the linked case: {title}" in page


@then(parsers.parse('{pupil}\'s {kind} shows "{what}" {weeks:d} school weeks from today'))
def _coming(world: World, pupil: str, kind: str, what: str, weeks: int) -> None:
    case = world.case(pupil, kind)
    with world.db.sessions() as s:
        timer = s.scalars(
            select(CaseTimer).where(CaseTimer.case_id == case.id, CaseTimer.status == "pending")
        ).one()
        due = calendar_for_pupil(s, case.pupil_id).add(
            case.state_entered_at,
            parse_duration(f"{weeks} school weeks"),  # type: ignore[arg-type]
        )
        assert timer.due_at == due
    page = text(_page(world, "Ivy", pupil, kind))
    assert f"{what}: {day(due)}" in page
