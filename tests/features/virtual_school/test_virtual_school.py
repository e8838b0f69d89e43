"""Steps for the virtual school: flags recorded through the pupil's page, nominations and
steps taken through the real pages, and the virtual school head's page read as they see it.

The app and these steps use separate database sessions; the test's session commits before
anything else writes, and reads use a short-lived session (``read``), so that on SQLite no
transaction of the test holds the write lock.
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
from panelflow.cases.models import Case
from panelflow.cases.operations import fire
from panelflow.catalogue.models import WorkflowVersion
from panelflow.db import Database
from panelflow.notify.models import OutgoingEmail
from panelflow.organisations.models import School
from panelflow.virtual_school.models import PupilStatus
from tests.factories import Auth, csrf_token, make_account, make_local_authority, make_pupil
from tests.factories import make_school as new_school
from tests.features.pages import read, text

scenarios("virtual_school/virtual_school.feature")


@pytest.fixture
def world() -> dict[str, Any]:
    return {"users": {}, "pupils": {}, "clients": {}}


def client_of(app: Flask, world: dict[str, Any], first: str) -> FlaskClient:
    """A browser for the person, signed in through the real page."""
    if first not in world["clients"]:
        client = app.test_client()
        email = world["users"][first][1]
        assert Auth(client).sign_in(email).status_code == 302
        world["clients"][first] = client
    client: FlaskClient = world["clients"][first]
    return client


def date_boxes(prefix: str, typed: str) -> dict[str, str]:
    day, month, year = typed.split()
    return {f"{prefix}_day": day, f"{prefix}_month": month, f"{prefix}_year": year}


def caseload(app: Flask, world: dict[str, Any]) -> str:
    response = client_of(app, world, "Vera").get("/virtual-school")
    assert response.status_code == 200
    return text(response)


def row_of(page: str, first: str) -> str:
    """The text of a pupil's row on the virtual school page (up to the next pupil's row)."""
    start = page.index(first)
    rest = page[start:]
    ends = [rest.find(name, 1) for name in ("Dylan", "Amara") if name != first]
    ends = [e for e in ends if e > 0]
    return rest[: min(ends)] if ends else rest


# --- given -------------------------------------------------------------------------------


@given("the workflows in config/workflows.yaml are published")
def _published(published: WorkflowVersion) -> None:
    assert published.number == 1


@given(
    parsers.parse(
        "{school} is a school of {authority}, where {name} is the attendance lead and panel chair"
    )
)
def _school(
    session: Session, world: dict[str, Any], school: str, authority: str, name: str
) -> None:
    at = new_school(session, school, local_authority=make_local_authority(session, authority))
    lead = make_account(
        session,
        "attendance_lead",
        "panel_chair",
        name=name,
        email=f"{name.split()[0].lower()}@school.example",
        school=at,
        local_authority=make_local_authority(session, authority),
    )
    session.commit()
    world["users"][name.split()[0]] = (lead.id, lead.email)
    world["school"] = at.id


@given(parsers.parse("{name} is the virtual school head of {authority}"))
def _head(session: Session, world: dict[str, Any], name: str, authority: str) -> None:
    head = make_account(
        session,
        "virtual_school_head",
        name=name,
        email=f"{name.split()[0].lower()}@virtual-school.example",
        local_authority=make_local_authority(session, authority),
    )
    session.commit()
    world["users"][name.split()[0]] = (head.id, head.email)


@given(parsers.re(r"(?P<name>\w+ \w+) is a pupil at (?P<school>[\w ]+)$"))
def _pupil(session: Session, world: dict[str, Any], name: str, school: str) -> None:
    at = session.scalars(select(School).where(School.name == school)).one()
    given_name, family_name = name.split()
    pupil = make_pupil(session, at, given_name=given_name, family_name=family_name)
    session.commit()
    world["pupils"][given_name] = pupil.id


@given(parsers.parse("{name} is a looked-after pupil at {school}, a school of {authority}"))
def _elsewhere(
    session: Session, world: dict[str, Any], name: str, school: str, authority: str
) -> None:
    at = new_school(session, school, local_authority=make_local_authority(session, authority))
    given_name, family_name = name.split()
    pupil = make_pupil(
        session, at, given_name=given_name, family_name=family_name, looked_after=True
    )
    session.commit()
    world["pupils"][given_name] = pupil.id


def _record_flag(app: Flask, world: dict[str, Any], first: str, pupil: str, typed: str) -> None:
    client = client_of(app, world, first)
    path = f"/pupils/{world['pupils'][pupil]}/virtual-school/flags/new"
    form = client.get(path)
    assert form.status_code == 200
    world["response"] = client.post(
        path,
        data={
            "csrf_token": csrf_token(form),
            "kind": "looked_after",
            **date_boxes("started_on", typed),
            "note": "Looked after by Wirral Council",
        },
        follow_redirects=True,
    )


@given(parsers.parse("{first} has recorded that {pupil} is looked after from {typed}"))
def _has_recorded(app: Flask, world: dict[str, Any], first: str, pupil: str, typed: str) -> None:
    _record_flag(app, world, first, pupil, typed)
    assert world["response"].status_code == 200, text(world["response"])


# --- when --------------------------------------------------------------------------------


@when(parsers.parse("{first} records on {pupil}'s page that she is looked after from {typed}"))
def _records(app: Flask, world: dict[str, Any], first: str, pupil: str, typed: str) -> None:
    _record_flag(app, world, first, pupil, typed)


@when(parsers.parse('{first} nominates {pupil} for the panel saying "{reason}"'))
def _nominates(app: Flask, world: dict[str, Any], first: str, pupil: str, reason: str) -> None:
    client = client_of(app, world, first)
    path = f"/nominate/pupils/{world['pupils'][pupil]}"
    form = client.get(path)
    assert form.status_code == 200
    response = client.post(
        path, data={"csrf_token": csrf_token(form), "reason": reason}, follow_redirects=True
    )
    assert response.status_code == 200, text(response)


def _case(db: Database, world: dict[str, Any], pupil: str, workflow: str) -> int:
    rows = read(
        db,
        select(Case.id).where(
            Case.pupil_id == world["pupils"][pupil], Case.workflow_key == workflow
        ),
    )
    assert len(rows) == 1, rows
    case_id: int = rows[0][0]
    return case_id


@when(parsers.parse("the panel discusses {pupil} and she is back on the agenda for review"))
def _discussed(db: Database, world: dict[str, Any], pupil: str) -> None:
    with db.transaction() as session:
        case = session.get(Case, _case(db, world, pupil, "school_panel"))
        chair = session.get(User, world["users"]["Lena"][0])
        assert case is not None and chair is not None
        done = fire(
            case,
            "discuss_at_panel",
            actor_for(chair),
            {"barriers_discussed": "Anxiety after moving", "actions_agreed": "Mentor, weekly"},
        )
        assert done, done
        assert fire(case, "review_due", actor_for(chair))


def _take_step(
    app: Flask, world: dict[str, Any], first: str, case_id: int, trigger: str, data: dict[str, str]
) -> None:
    client = client_of(app, world, first)
    path = f"/cases/{case_id}/steps/{trigger}"
    form = client.get(path)
    assert form.status_code == 200, text(form)
    version = re.search(r'name="expected_version" type="hidden" value="(\d+)"', form.text)
    version = version or re.search(r'name="expected_version" value="(\d+)"', form.text)
    assert version, "no expected_version on the step's page"
    response = client.post(
        path,
        data={"csrf_token": csrf_token(form), "expected_version": version.group(1), **data},
        follow_redirects=True,
    )
    assert response.status_code == 200, text(response)
    assert "done" in text(response), text(response)


@when(
    parsers.parse("{first} escalates {pupil} to support first, recording attendance of {rate:d}%")
)
def _escalates(
    app: Flask, db: Database, world: dict[str, Any], first: str, pupil: str, rate: int
) -> None:
    _take_step(
        app,
        world,
        first,
        _case(db, world, pupil, "school_panel"),
        "escalate_to_support_first",
        {
            "review_notes": "Mentoring started, Mondays still missed",
            "escalation_reason": "Attendance has not improved",
            "attendance_rate": str(rate),
        },
    )


@when(parsers.parse("{first} raises a safeguarding concern on {pupil}'s panel case"))
def _raises(app: Flask, db: Database, world: dict[str, Any], first: str, pupil: str) -> None:
    _take_step(
        app,
        world,
        first,
        _case(db, world, pupil, "school_panel"),
        "raise_safeguarding_concern",
        {"safeguarding_concern": "Says she is left alone for days"},
    )


@when(parsers.parse("{first} refers {pupil} to children's social care on the linked formal case"))
def _refers(app: Flask, db: Database, world: dict[str, Any], first: str, pupil: str) -> None:
    _take_step(
        app,
        world,
        first,
        _case(db, world, pupil, "statutory_referral"),
        "refer_to_social_care",
        {"safeguarding_concern": "Says she is left alone for days"},
    )


@when(
    parsers.parse(
        "{first} records on {pupil}'s page a personal education plan target of {target:d}% "
        "agreed on {typed}"
    )
)
def _plan(
    app: Flask, world: dict[str, Any], first: str, pupil: str, target: int, typed: str
) -> None:
    client = client_of(app, world, first)
    page = client.get(f"/pupils/{world['pupils'][pupil]}")
    assert "Record the attendance target of a personal education plan" in text(page)
    path = f"/pupils/{world['pupils'][pupil]}/virtual-school/plan"
    form = client.get(path)
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(form),
            "target": f"{target}%",
            **date_boxes("plan_date", typed),
        },
        follow_redirects=True,
    )
    assert response.status_code == 200, text(response)
    assert f"{target}%" in text(response)


@when(parsers.parse("{first} records the end of {pupil}'s looked-after flag today"))
def _ends(app: Flask, db: Database, world: dict[str, Any], first: str, pupil: str) -> None:
    [(status_id,)] = read(
        db, select(PupilStatus.id).where(PupilStatus.pupil_id == world["pupils"][pupil])
    )
    client = client_of(app, world, first)
    page = text(client.get(f"/pupils/{world['pupils'][pupil]}"))
    assert "Record the end" in page
    path = f"/pupils/{world['pupils'][pupil]}/virtual-school/flags/{status_id}/end"
    form = client.get(path)
    from panelflow.virtual_school.operations import today_in_england

    today = today_in_england()
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(form),
            **date_boxes("ended_on", f"{today.day} {today.month} {today.year}"),
        },
        follow_redirects=True,
    )
    assert response.status_code == 200, text(response)


# --- then --------------------------------------------------------------------------------


@then(parsers.parse("{pupil}'s page shows she is looked after from {since}, recorded by {name}"))
def _page_shows(world: dict[str, Any], pupil: str, since: str, name: str) -> None:
    page = text(world["response"])
    assert "Recorded: Amara is looked after" in page
    section = page[page.index("Virtual school Flags and their dates") :]
    assert f"Looked after Now Looked after by Wirral Council {since} Not ended {name}" in section


@then(parsers.parse("Vera's virtual school page lists {pupil} at {school}"))
def _lists(app: Flask, world: dict[str, Any], pupil: str, school: str) -> None:
    page = caseload(app, world)
    world["page"] = page
    assert f"{pupil} Hughes {school}, Year 5" in page


@then(parsers.parse("Vera's virtual school page does not list {pupil}"))
def _not_listed(app: Flask, world: dict[str, Any], pupil: str) -> None:
    assert pupil not in caseload(app, world)


@then(parsers.parse("it shows {pupil} looked after since {since}"))
def _since(world: dict[str, Any], pupil: str, since: str) -> None:
    assert f"Looked after, since {since}" in row_of(world["page"], pupil)


@then(parsers.parse("it shows {pupil}'s attendance of {rate:d}% below her target of {target:d}%"))
def _attendance(world: dict[str, Any], pupil: str, rate: int, target: int) -> None:
    row = row_of(world["page"], pupil)
    assert f"{rate}% at the review of" in row
    assert f"PEP target {target}% (2 March 2026) Below target" in row


@then(parsers.parse('it shows {pupil}\'s open case "{title}" at "{state}"'))
def _open_case(world: dict[str, Any], pupil: str, title: str, state: str) -> None:
    row = row_of(world["page"], pupil).replace(" :", ":")  # a link, then its state
    assert f"{title}: {state}" in row, row
    assert "School attendance panel:" not in row  # escalated: that case is closed


@then(parsers.parse('it shows "{step}" among {pupil}\'s recent steps'))
def _recent(app: Flask, world: dict[str, Any], step: str, pupil: str) -> None:
    assert step in row_of(caseload(app, world), pupil)


@then(parsers.parse("it does not list {pupil}"))
def _does_not_list(world: dict[str, Any], pupil: str) -> None:
    assert pupil not in world["page"]


@then(parsers.parse("Vera cannot open {pupil}'s page"))
def _cannot_open(app: Flask, world: dict[str, Any], pupil: str) -> None:
    response = client_of(app, world, "Vera").get(f"/pupils/{world['pupils'][pupil]}")
    assert response.status_code == 404


def _emails_to(db: Database, world: dict[str, Any], first: str) -> list[OutgoingEmail]:
    return [
        row[0]
        for row in read(
            db,
            select(OutgoingEmail)
            .where(OutgoingEmail.to_address == world["users"][first][1])
            .order_by(OutgoingEmail.id),
        )
    ]


@then(
    parsers.re(r'the outbox holds (?P<count>\d+) emails? to (?P<first>\w+), "(?P<subject>[^"]+)"$')
)
def _one_email(db: Database, world: dict[str, Any], count: str, first: str, subject: str) -> None:
    emails = _emails_to(db, world, first)
    assert [e.subject for e in emails] == [subject] * int(count)
    assert "/cases/" in emails[0].body and "/virtual-school" in emails[0].body


@then(parsers.re(r"the outbox holds (?P<count>\d+) emails? to (?P<first>\w+)$"))
def _emails(db: Database, world: dict[str, Any], count: str, first: str) -> None:
    world["emails"] = _emails_to(db, world, first)
    assert len(world["emails"]) == int(count), [e.subject for e in world["emails"]]


@then(parsers.parse('one of them is "{subject}"'))
def _one_of(world: dict[str, Any], subject: str) -> None:
    assert subject in [e.subject for e in world["emails"]]


@then(parsers.parse("no email names {pupil}"))
def _no_names(db: Database, pupil: str) -> None:
    for (email,) in read(db, select(OutgoingEmail)):
        assert pupil not in email.subject and pupil not in email.body
        assert "Hughes" not in email.subject and "Hughes" not in email.body


@then(parsers.parse('she is told "{message}"'))
def _told(world: dict[str, Any], message: str) -> None:
    assert world["response"].status_code == 400
    page = text(world["response"])
    assert "There is a problem" in page and message in page
