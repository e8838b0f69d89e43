"""Steps for the school-calendar timers: the real ``panelflow tick`` command run with the clock
moved by time-machine, the inbox read through the web pages at the same moment, and the
outbox read for the morning emails.

The CLI, the app and these steps use separate database sessions; the test's session is
committed before anything else writes, and reads use a short-lived session.
"""

from __future__ import annotations

import re
import traceback
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from click.testing import CliRunner
from flask import Flask
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow import cli
from panelflow.accounts.models import User
from panelflow.actions.operations import create_action
from panelflow.cases.models import Case, CaseEvent, CaseFlag, CaseTimer
from panelflow.cases.operations import fire, open_case
from panelflow.catalogue.models import WorkflowVersion
from panelflow.db import Database
from panelflow.notify.models import OutgoingEmail
from panelflow.organisations.models import LocalAuthority, Pupil
from panelflow.roles import Actor
from panelflow.terms.dates import parse_term_dates
from panelflow.terms.models import SchoolClosure
from panelflow.terms.operations import load_term_dates
from panelflow.workflows.durations import SCHOOL_TIME
from panelflow.workflows.engine import Refused
from tests.factories import Auth, make_account, make_pupil, make_school
from tests.features.pages import scalars, text
from tests.features.workflows.world import KINDS, TIMER_ACTOR, World

scenarios("timers/timers.feature")

BASE_URL = "https://panels.northshire.example.gov.uk"
MOMENT = r"(?P<time>\d{1,2}:\d{2}[ap]m) on (?:[A-Z][a-z]+day )?(?P<date>\d{1,2} [A-Z][a-z]+ \d{4})"
NAME = r"(?P<who>[A-Z][a-z]+)"
DIGEST_KEY = "timer-due:"


def at(time: str, date: str) -> datetime:
    """'9:05am', '16 March 2026' as that moment in the UK, in UTC."""
    local = datetime.strptime(f"{date} {time}", "%d %B %Y %I:%M%p")
    return local.replace(tzinfo=SCHOOL_TIME).astimezone(UTC)


@pytest.fixture(autouse=True)
def _base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANELFLOW_BASE_URL", BASE_URL)


@pytest.fixture
def world(session: Session, published: WorkflowVersion) -> dict[str, Any]:
    return {"bdd": World(session, published), "users": {}, "actors": {}, "output": ""}


def the_case(world: dict[str, Any]) -> Case:
    """The case as the database has it now. The caller ends the test session's transaction
    (on SQLite every transaction holds the write lock the CLI needs)."""
    bdd: World = world["bdd"]
    case = bdd.session.scalars(
        select(Case).where(Case.id == world["case"]).execution_options(populate_existing=True)
    ).one()
    return case


def done_reading(world: dict[str, Any]) -> None:
    world["bdd"].session.rollback()


# --- given ---------------------------------------------------------------------------------


@given("the workflows in config/workflows.yaml are published")
def _published(world: dict[str, Any]) -> None:
    assert world["bdd"].version.number == 1


@given(
    parsers.re(
        r"(?P<la>[A-Z][\w ]+) has loaded its term dates from (?P<path>\S+), with the February "
        r"half term from (?P<f1>\d+) to (?P<f2>\d+) February 2026 and the October half term "
        r"from (?P<o1>\d+) to (?P<o2>\d+) October 2026"
    )
)
def _term_dates(
    session: Session, world: dict[str, Any], la: str, path: str, f1: str, f2: str, o1: str, o2: str
) -> None:
    authority = LocalAuthority(name=la)
    session.add(authority)
    session.flush()
    with open(path, "rb") as file:
        parsed = parse_term_dates(file.read())
    assert parsed.ok and parsed.term_dates is not None, parsed.problems
    officer = Actor("cli:Olive Officer", "Olive Officer", frozenset({"workflow_editor"}), "la")
    load_term_dates(session, authority.id, parsed.term_dates, officer)
    session.commit()
    closed = set(
        session.scalars(
            select(SchoolClosure.day).where(SchoolClosure.local_authority_id == authority.id)
        )
    )
    for month, first, last in ((2, f1, f2), (10, o1, o2)):
        week = [datetime(2026, month, d).date() for d in range(int(first), int(last) + 1)]
        assert all(d in closed for d in week), f"the file does not close {first}-{last}/{month}"
        before = datetime(2026, month, int(first) - 3).date()  # the Friday before
        assert before not in closed, f"{before} should be a school day"
    world["la"] = authority


@given(parsers.re(r"(?P<school>[A-Z][\w ]+) is a school in (?P<la>[A-Z][\w ]+)$"))
def _school(session: Session, world: dict[str, Any], school: str, la: str) -> None:
    assert world["la"].name == la
    world["school"] = make_school(session, school, local_authority=world["la"])
    session.commit()


@given(parsers.re(r"(?P<given>[A-Z][a-z]+) (?P<family>[A-Z][a-z]+) is a pupil at (?P<school>.+)$"))
def _pupil(session: Session, world: dict[str, Any], given: str, family: str, school: str) -> None:
    assert world["school"].name == school
    pupil = make_pupil(session, world["school"], given_name=given, family_name=family)
    session.commit()
    world["pupil"] = pupil.id


@given("these people have accounts:")
def _accounts(session: Session, world: dict[str, Any], datatable: list[list[str]]) -> None:
    bdd: World = world["bdd"]
    header, *rows = datatable
    assert [h.strip().lower() for h in header] == ["name", "role"]
    for name, words in rows:
        role = bdd.role(words.strip())
        first = name.split()[0]
        user = make_account(
            session,
            role,
            name=name.strip(),
            email=f"{first.lower()}@northshire.example.gov.uk",
            school=world["school"],
            local_authority=world["la"],
        )
        world["users"][first] = user.id
        # Setting the scene acts as the service would (as the workflow features do); what
        # people see is read through their own accounts and the pages.
        world["actors"][first] = Actor(
            f"test:{first}", name, frozenset({role}), bdd.definitions.roles[role].agency
        )
    session.commit()


def _pupil_row(session: Session, world: dict[str, Any]) -> Pupil:
    pupil = session.get(Pupil, world["pupil"])
    assert pupil is not None
    return pupil


@given(parsers.re(rf"{NAME} opened a support-first case for [A-Z][a-z]+ at {MOMENT}$"))
def _opened(session: Session, world: dict[str, Any], who: str, time: str, date: str) -> None:
    case = open_case(
        session,
        _pupil_row(session, world),
        KINDS["support-first case"],
        world["actors"][who],
        now=at(time, date),
    )
    session.commit()
    world["case"] = case.id


@given(parsers.re(rf"{NAME} requested a consultation for [A-Z][a-z]+ at {MOMENT}$"))
def _requested(session: Session, world: dict[str, Any], who: str, time: str, date: str) -> None:
    case = open_case(
        session,
        _pupil_row(session, world),
        KINDS["consultation"],
        world["actors"][who],
        now=at(time, date),
    )
    session.commit()
    world["case"] = case.id


def _take(world: dict[str, Any], who: str, step: str, time: str, date: str) -> None:
    bdd: World = world["bdd"]
    case = the_case(world)
    moment = at(time, date)
    transition = bdd.transition(case, step)
    result = fire(
        case,
        transition.trigger,
        world["actors"][who],
        bdd.filled_in(case, transition, moment),
        now=moment,
    )
    assert not isinstance(result, Refused), result.message
    bdd.session.commit()


@given(parsers.re(rf'{NAME} took "(?P<step>[^"]+)" on the consultation at {MOMENT}$'))
def _took(world: dict[str, Any], who: str, step: str, time: str, date: str) -> None:
    _take(world, who, step, time, date)


@when(parsers.re(rf'{NAME} takes "(?P<step>[^"]+)" on the case at {MOMENT}$'))
def _takes(world: dict[str, Any], who: str, step: str, time: str, date: str) -> None:
    _take(world, who, step, time, date)


@given(
    parsers.re(
        rf"{NAME} agreed an action for (?P<agency>.+) on the consultation: "
        r'"(?P<title>[^"]+)"$'
    )
)
def _action(session: Session, world: dict[str, Any], who: str, agency: str, title: str) -> None:
    bdd: World = world["bdd"]
    case = the_case(world)
    create_action(
        session,
        case,
        world["actors"][who],
        title=title,
        agency=bdd.agency(agency.removeprefix("the ")),
        now=case.state_entered_at,
    )
    session.commit()


# --- when ----------------------------------------------------------------------------------


@when(parsers.re(rf"panelflow tick runs at {MOMENT}$"))
def _tick(
    db: Database, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch, time: str, date: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", db.url)
    with time_machine.travel(at(time, date), tick=False):
        result = CliRunner().invoke(cli.main, ["tick"])
    assert result.exit_code == 0, "".join(traceback.format_exception(*result.exc_info))
    world["output"] = result.stdout
    world["moment"] = at(time, date)


# --- then ----------------------------------------------------------------------------------


@then(parsers.parse('it says "{line}"'))
def _says(world: dict[str, Any], line: str) -> None:
    assert line in world["output"].splitlines(), world["output"]


@then(parsers.re(rf'the case\'s "(?P<what>[^"]+)" is due at {MOMENT}$'))
def _due_at(db: Database, world: dict[str, Any], what: str, time: str, date: str) -> None:
    bdd: World = world["bdd"]
    case = the_case(world)
    wf = bdd.definitions_of(case).workflows[case.workflow_key]
    case_id = case.id
    done_reading(world)
    pending = scalars(
        db,
        select(CaseTimer).where(CaseTimer.case_id == case_id, CaseTimer.status == "pending"),
    )
    found = [
        t.due_at
        for t in pending
        if t.flag == what or (t.fire_trigger and wf.trigger_label(t.fire_trigger) == what)
    ]
    assert found == [at(time, date)], [(t.flag, t.fire_trigger, t.due_at) for t in pending]


@then("the case has no flags")
def _no_flags(db: Database, world: dict[str, Any]) -> None:
    flags = scalars(
        db,
        select(CaseFlag).where(CaseFlag.case_id == world["case"], CaseFlag.cleared_at.is_(None)),
    )
    assert [f.text for f in flags] == []


@then(parsers.parse('the case is flagged "{words}" once'))
def _flagged_once(db: Database, world: dict[str, Any], words: str) -> None:
    flags = scalars(db, select(CaseFlag).where(CaseFlag.case_id == world["case"]))
    assert [f.text for f in flags].count(words) == 1, [f.text for f in flags]
    assert all(f.cleared_at is None for f in flags if f.text == words)


@then(
    parsers.re(
        r'the consultation is at "(?P<state>[^"]+)"(?P<moved>, moved by the panelflow timer)?$'
    )
)
def _state(db: Database, world: dict[str, Any], state: str, moved: str | None) -> None:
    bdd: World = world["bdd"]
    case = the_case(world)
    label, now_at = bdd.state_label(case), case.state
    done_reading(world)
    assert label == state
    if moved:
        events = scalars(db, select(CaseEvent).where(CaseEvent.case_id == world["case"]))
        by_timer = [e for e in events if e.actor_name == TIMER_ACTOR]
        assert len(by_timer) == 1, [(e.trigger, e.actor_name) for e in events]
        assert by_timer[0].to_state == now_at


def _inbox(app: Flask, db: Database, world: dict[str, Any], who: str, moment: datetime) -> str:
    [user] = scalars(db, select(User).where(User.id == world["users"][who]))
    with time_machine.travel(moment, tick=False):
        client = app.test_client()
        Auth(client).sign_in_as(user)
        page = client.get("/actions")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _section(markup: str, caption: str) -> str:
    """The text of the table captioned ``caption``, or '' if there is none."""
    found = re.search(
        r"<caption[^>]*>\s*" + re.escape(caption) + r".*?</table>", markup, flags=re.DOTALL
    )
    return text(found.group(0)) if found else ""


@then(
    parsers.re(
        rf'{NAME} sees "(?P<what>[^"]+)" for (?P<pupil>[A-Z][a-z]+ [A-Z][a-z]+) coming up on '
        rf"(?P<due>\d+ [A-Z][a-z]+ \d{{4}}) when opening the inbox at {MOMENT}$"
    )
)
def _coming_up(
    app: Flask,
    db: Database,
    world: dict[str, Any],
    who: str,
    what: str,
    pupil: str,
    due: str,
    time: str,
    date: str,
) -> None:
    markup = _inbox(app, db, world, who, at(time, date))
    row = _section(markup, "Coming up in the next 2 school weeks")
    assert f"{pupil}" in row and what in row and due in row, row or text(markup)
    assert _section(markup, "Due now") == ""


@then(
    parsers.re(
        rf'{NAME} sees "(?P<what>[^"]+)" for (?P<pupil>[A-Z][a-z]+ [A-Z][a-z]+) due now since '
        r"(?P<since>\d+ [A-Z][a-z]+ \d{4}) on the inbox$"
    )
)
def _due_now(
    app: Flask, db: Database, world: dict[str, Any], who: str, what: str, pupil: str, since: str
) -> None:
    markup = _inbox(app, db, world, who, world["moment"])
    row = _section(markup, "Due now")
    assert pupil in row and what in row and since in row, row or text(markup)


@then(parsers.re(rf"{NAME} sees nothing due now on the inbox$"))
def _nothing_due(app: Flask, db: Database, world: dict[str, Any], who: str) -> None:
    markup = _inbox(app, db, world, who, world["moment"])
    assert "Cases that need you" in markup
    assert _section(markup, "Due now") == ""


def _digests(db: Database, who: str | None = None) -> list[OutgoingEmail]:
    emails = scalars(
        db,
        select(OutgoingEmail)
        .where(OutgoingEmail.dedupe_key.like(DIGEST_KEY + "%"))
        .order_by(OutgoingEmail.id),
    )
    if who is None:
        return emails
    return [e for e in emails if e.to_address == f"{who.lower()}@northshire.example.gov.uk"]


@then("nobody has been emailed about cases that came due")
def _nobody(db: Database) -> None:
    assert _digests(db) == []


@then(parsers.re(rf"{NAME} has not been emailed about cases that came due$"))
def _not_emailed(db: Database, who: str) -> None:
    assert _digests(db, who) == []


@then(
    parsers.re(
        rf'{NAME} has been emailed once, "(?P<subject>[^"]+)", with (?P<items>.+?)'
        r"(?P<link> and a link to the case)?$"
    )
)
def _emailed(
    db: Database, world: dict[str, Any], who: str, subject: str, items: str, link: str | None
) -> None:
    [email] = _digests(db, who)
    assert email.subject == subject
    for item in re.findall(r'"([^"]+)"', items):
        assert f"- {item}\n" in email.body, email.body
    if link:
        assert f"{BASE_URL}/cases/{world['case']}\n" in email.body, email.body


@then(parsers.parse("no email names {given}"))
def _no_name(db: Database, world: dict[str, Any], given: str) -> None:
    [pupil] = scalars(db, select(Pupil).where(Pupil.id == world["pupil"]))
    emails = scalars(db, select(OutgoingEmail))
    assert emails
    for email in emails:
        for value in (pupil.given_name, pupil.family_name, pupil.date_of_birth.isoformat()):
            assert value not in email.subject and value not in email.body
