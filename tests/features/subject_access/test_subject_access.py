"""Steps for answering a subject access request through the real pages (CSRF and all).

The records are made through the operations (a panel case, an action, funding approved and
paid); the attendance as an import would store it. The app and these steps use separate
database sessions; reads use a short-lived one (``read``).
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.accounts.models import User
from panelflow.accounts.operations import actor_for
from panelflow.actions.operations import create_action
from panelflow.attendance.models import AttendanceImport, AttendanceRecord
from panelflow.audit.models import AuditRecord
from panelflow.cases.models import Case
from panelflow.cases.operations import open_case
from panelflow.catalogue.models import WorkflowVersion
from panelflow.db import Database
from panelflow.funding.operations import parse_money, propose, record_spend, today
from panelflow.organisations.models import Pupil
from tests.factories import csrf_token, make_pupil
from tests.features.pages import panel_with_budget, person, read, school_named, signed_in, text

scenarios("subject_access/subject_access.feature")

ROLES = {
    "an attendance lead": ("attendance_lead", "school.example"),
    "a school staff member": ("school_staff", "school.example"),
    "an auditor": ("auditor", "council.example"),
}


@pytest.fixture
def world() -> dict[str, Any]:
    return {"users": {}, "pupils": {}, "cases": {}}


def _actor(session: Session, world: dict[str, Any], first: str) -> Any:
    user = session.get(User, world["users"][first])
    assert user is not None
    return actor_for(user)


def _page(first: str, world: dict[str, Any], pupil: str) -> str:
    return f"/pupils/{world['pupils'][pupil]}/subject-access"


# -- Given ------------------------------------------------------------------------------------


@given("the workflows in config/workflows.yaml are published")
def _published(published: WorkflowVersion) -> None:
    assert published.number == 1


@given(parsers.parse('{school} has a panel with a budget of "{amount}" for "{label}"'))
def _panel(session: Session, world: dict[str, Any], school: str, amount: str, label: str) -> None:
    panel_with_budget(session, school, amount, label)


@given(
    parsers.re(
        r"(?P<name>[A-Z]\w+ [A-Z]\w+) is (?P<who>an? (?!pupil\b)[\w ]+?)(?: at (?P<school>.+))?$"
    )
)
def _person(
    session: Session, world: dict[str, Any], name: str, who: str, school: str | None
) -> None:
    role, domain = ROLES[who]
    person(session, world, name, role, domain=domain, school=school)


@given(parsers.re(r"(?P<name>[A-Z]\w+ [A-Z]\w+) is a pupil at (?P<school>.+?) with a panel case$"))
def _pupil(session: Session, world: dict[str, Any], name: str, school: str) -> None:
    given_name, family_name = name.split()
    pupil = make_pupil(
        session, school_named(session, school), given_name=given_name, family_name=family_name
    )
    case = open_case(session, pupil, "school_panel", _actor(session, world, "Lee"))
    session.commit()
    world["pupils"][given_name] = pupil.id
    world["cases"][given_name] = case.id


@given(parsers.parse('the panel agreed the action "{title}" for the EWO on {pupil}\'s case'))
def _action(session: Session, world: dict[str, Any], title: str, pupil: str) -> None:
    case = session.get(Case, world["cases"][pupil])
    assert case is not None
    create_action(
        session,
        case,
        _actor(session, world, "Lee"),
        title=title,
        agency="attendance_service",
        role="ewo",
    )
    session.commit()


@given(
    parsers.parse(
        '{first} funded "{item}" for {pupil} costing "{amount}" from "{provider}" and paid it'
    )
)
def _funded(
    session: Session,
    world: dict[str, Any],
    first: str,
    item: str,
    pupil: str,
    amount: str,
    provider: str,
) -> None:
    actor = _actor(session, world, first)
    case = session.get(Case, world["cases"][pupil])
    assert case is not None
    pence = parse_money(amount)
    decision = propose(
        session,
        actor,
        case=case,
        item=item,
        amount_pence=pence,
        provider=provider,
        starts_on=today(),
        ends_on=today(),
    )
    assert decision.status == "approved"
    record_spend(session, actor, decision.id, pence, today())
    session.commit()


@given(parsers.parse("the school imported {weeks:d} weeks of attendance for {first} and {second}"))
def _attendance(
    session: Session, world: dict[str, Any], weeks: int, first: str, second: str
) -> None:
    pupil = session.get(Pupil, world["pupils"][first])
    assert pupil is not None
    imported = AttendanceImport(
        school_id=pupil.school_id,
        imported_by_name="Lee Morgan",
        file_name="sims.csv",
        status="imported",
    )
    session.add(imported)
    session.flush()
    monday = date(2025, 9, 1)
    for name in (first, second):
        for n in range(weeks):
            start = monday + timedelta(weeks=n)
            session.add(
                AttendanceRecord(
                    pupil_id=world["pupils"][name],
                    import_id=imported.id,
                    period_kind="week",
                    period_start=start,
                    period_end=start + timedelta(days=4),
                    possible_sessions=10,
                    attended_sessions=10 - n % 3,
                    authorised_absence=n % 3,
                    unauthorised_absence=0,
                )
            )
    session.commit()


@given(parsers.parse("{first} is signed in"))
def _signed_in(client: FlaskClient, db: Database, world: dict[str, Any], first: str) -> None:
    signed_in(client, db, world, first)


# -- When -------------------------------------------------------------------------------------


@when(parsers.parse("{first} opens {pupil}'s page"))
def _opens_pupil(client: FlaskClient, world: dict[str, Any], first: str, pupil: str) -> None:
    world["response"] = client.get(f"/pupils/{world['pupils'][pupil]}")


@then("the page links to the subject access export")
def _links(world: dict[str, Any]) -> None:
    response = world["response"]
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'href="/pupils/{response.request.path.rsplit("/", 1)[1]}/subject-access"' in page
    assert "for a subject access request" in text(response)


@when(parsers.parse("{first} opens the subject access page for {pupil}"))
def _opens(client: FlaskClient, world: dict[str, Any], first: str, pupil: str) -> None:
    world["response"] = client.get(_page(first, world, pupil))


@when(
    parsers.re(
        r"(?P<first>\w+) exports everything held about (?P<pupil>\w+) "
        r'for the request "(?P<reference>[^"]*)"'
    )
)
def _exports(
    client: FlaskClient, world: dict[str, Any], first: str, pupil: str, reference: str
) -> None:
    path = _page(first, world, pupil)
    page = client.get(path)
    assert page.status_code == 200
    world["response"] = client.post(
        path, data={"csrf_token": csrf_token(page), "reference": reference}
    )


# -- Then -------------------------------------------------------------------------------------


@then("the page says the data protection officer must review free text before release")
def _says(world: dict[str, Any]) -> None:
    words = text(world["response"])
    assert world["response"].status_code == 200
    assert "The data protection officer must review it before anything is released" in words
    assert "Request reference" in words


@then("the download is a zip holding a PDF and JSON data")
def _download(world: dict[str, Any]) -> None:
    response = world["response"]
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert sorted(archive.namelist()) == [
            "README.txt",
            "subject-access.json",
            "subject-access.pdf",
        ]
        pdf = archive.read("subject-access.pdf")
        world["data"] = json.loads(archive.read("subject-access.json"))
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5000
    assert world["data"]["schema_version"] == 1
    assert world["data"]["request_reference"] == "SAR-2026-014"


@then(
    parsers.parse(
        "the data holds {first}'s record, {cases:d} case and {weeks:d} weeks of attendance"
    )
)
def _holds(db: Database, world: dict[str, Any], first: str, cases: int, weeks: int) -> None:
    data = world["data"]
    [(pupil,)] = read(db, select(Pupil).where(Pupil.id == world["pupils"][first]))
    assert data["pupil"]["given_name"] == pupil.given_name
    assert data["pupil"]["date_of_birth"] == pupil.date_of_birth.isoformat()
    assert [c["id"] for c in data["cases"]] == [world["cases"][first]]
    assert data["cases"][0]["workflow"] == "school_panel"
    assert len(data["cases"][0]["history"]) == 0  # opened, no step taken yet
    attendance = data["attendance"]
    assert len(attendance) == weeks == data["counts"]["attendance_records"]
    assert attendance[0]["period_start"] == "2025-09-01"
    assert [a["period_start"] for a in attendance] == sorted(a["period_start"] for a in attendance)
    assert sum(a["attended_sessions"] for a in attendance) == sum(10 - n % 3 for n in range(weeks))
    assert data["counts"]["cases"] == cases


@then(parsers.parse('the data holds the action "{title}" for the EWO, "{status}"'))
def _action_held(world: dict[str, Any], title: str, status: str) -> None:
    [action] = world["data"]["cases"][0]["actions"]
    assert (action["title"], action["owner_role"], action["owner_agency"], action["status"]) == (
        title,
        "ewo",
        "attendance_service",
        status,
    )
    assert [u["kind"] for u in action["updates"]] == ["created"]


@then(
    parsers.parse(
        'the data holds the funding "{item}" of {pence:d} pence with {spent:d} pence spent'
    )
)
def _funding_held(world: dict[str, Any], item: str, pence: int, spent: int) -> None:
    [decision] = world["data"]["cases"][0]["funding"]
    assert (decision["item"], decision["amount_pence"], decision["status"]) == (
        item,
        pence,
        "approved",
    )
    assert sum(s["amount_pence"] for s in decision["spend"]) == spent
    assert len(decision["approvals"]) == 1


@then(parsers.parse("the data holds nothing about {first}"))
def _nothing_about(world: dict[str, Any], first: str) -> None:
    words = json.dumps(world["data"])
    assert first not in words
    assert "Check in with" not in words
    assert world["cases"][first] not in {c["id"] for c in world["data"]["cases"]}


@then(
    parsers.parse(
        'the audit trail records {first}\'s export for "{reference}" with its counts and no names'
    )
)
def _audited(db: Database, world: dict[str, Any], first: str, reference: str) -> None:
    rows = read(
        db,
        select(AuditRecord).where(
            AuditRecord.action == "export.subject_access",
            AuditRecord.actor_id == f"user:{world['users'][first]}",
        ),
    )
    [(record,)] = rows
    assert record.pupil_id == world["pupils"]["Amara"]
    assert record.details["reference"] == reference
    counts = record.details["counts"]
    assert counts == world["data"]["counts"]
    assert counts["attendance_records"] == 30 and counts["actions"] == 1
    logged = record.summary + json.dumps(record.details)
    for words in ("Amara", "Hughes", "Home visit", "Merseytravel"):
        assert words not in logged


@then(parsers.parse('{first} sees the problem "{message}"'))
def _problem(world: dict[str, Any], first: str, message: str) -> None:
    response = world["response"]
    assert response.status_code == 400
    words = text(response)
    assert "There is a problem" in words
    assert message in words


@then("nothing was exported")
def _nothing_exported(db: Database) -> None:
    assert not read(db, select(AuditRecord).where(AuditRecord.action == "export.subject_access"))


@then(parsers.parse("{first} is refused with {status:d}"))
def _refused(world: dict[str, Any], first: str, status: int) -> None:
    response = world["response"]
    assert response.status_code == status
    assert "Subject access export" not in text(response)


@then("the refusal is in the audit trail")
def _refusal_audited(db: Database, world: dict[str, Any]) -> None:
    rows = read(db, select(AuditRecord.summary).where(AuditRecord.action == "access.refused"))
    assert any("/subject-access" in r.summary for r in rows)
