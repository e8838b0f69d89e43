"""Steps for support first in the web pages: real pages, forms, CSRF tokens and documents.

The app and these steps use separate database sessions; reads use a short-lived session
(``read``) so that, on SQLite, no transaction of the test holds the write lock. "Weeks pass"
moves the case's whole history back in time, so the case's own rules (a plan must have had
6 school weeks before stepping up) are met without waiting and without signing in again.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from panelflow.audit.models import AuditRecord
from panelflow.cases.models import Case, CaseEvent, CaseTimer
from panelflow.catalogue.models import WorkflowVersion
from panelflow.db import Database
from tests.factories import (
    csrf_token,
)
from tests.features.pages import person, pupil_at, read, signed_in, text

scenarios("support_plans/support_plans.feature")

ROLES = {
    "school attendance lead": "attendance_lead",
    "school staff member": "school_staff",
    "CAMHS practitioner": "camhs_practitioner",
}
RATINGS = {"met": "met", "partly met": "partly_met", "not met": "not_met"}
DECISIONS = {
    "step down to less support": "step_down",
    "carry on at this stage": "continue",
    "step up to more support": "step_up",
}
_VERSION = re.compile(
    r'name="expected_version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="expected_version"'
)


@pytest.fixture
def world() -> dict[str, Any]:
    return {"users": {}, "pupils": {}}


def _when(words: str) -> str:
    """'in 6 weeks' as the ISO date the date input posts."""
    words = words.strip()
    if not words:
        return ""
    match = re.fullmatch(r"in (\d+) weeks?", words)
    assert match, f"write dates like 'in 6 weeks', not {words!r}"
    return (date.today() + timedelta(weeks=int(match.group(1)))).isoformat()


# -- the setting -----------------------------------------------------------------------------


@given("the workflows in config/workflows.yaml are published")
def _published(published: WorkflowVersion) -> None:
    assert published.number == 1


@given(parsers.re(r"(?P<name>[A-Z]\w+ [A-Z]\w+) is a pupil at (?P<school>.+)$"))
def _pupil(session: Session, world: dict[str, Any], name: str, school: str) -> None:
    pupil_at(session, world, name, school)


@given(
    parsers.re(
        r"(?P<name>[A-Z]\w+ [A-Z]\w+) is (?:the|a) (?P<role>school attendance lead|school staff "
        r"member) at (?P<school>.+)$"
    )
)
def _school_person(
    session: Session, world: dict[str, Any], name: str, role: str, school: str
) -> None:
    person(session, world, name, ROLES[role], domain="school.example", school=school)


@given(parsers.re(r"(?P<name>[A-Z]\w+ [A-Z]\w+) is a CAMHS practitioner$"))
def _agency_person(session: Session, world: dict[str, Any], name: str) -> None:
    person(session, world, name, "camhs_practitioner", domain="camhs.example")


@given(parsers.parse("{first} is signed in"))
def _signed_in(client: FlaskClient, db: Database, world: dict[str, Any], first: str) -> None:
    signed_in(client, db, world, first)


# -- working through the pages ---------------------------------------------------------------


def _open(client: FlaskClient, world: dict[str, Any], pupil: str) -> TestResponse:
    pupil_page = client.get(f"/pupils/{world['pupils'][pupil]}")
    assert pupil_page.status_code == 200
    link = f"/pupils/{world['pupils'][pupil]}/support-first"
    form = client.get(link)
    response = client.post(link, data={"csrf_token": csrf_token(form)})
    world["response"] = response
    if response.status_code == 302:
        world["case"] = int(response.headers["Location"].rstrip("/").split("/")[-1])
    return response


def _step(
    client: FlaskClient, world: dict[str, Any], trigger: str, data: dict[str, Any]
) -> TestResponse:
    path = f"/cases/{world['case']}/steps/{trigger}"
    page = client.get(path)
    assert page.status_code == 200, text(page)[:300]
    match = _VERSION.search(page.get_data(as_text=True))
    assert match, "no expected_version on the step page"
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(page),
            "expected_version": match.group(1) or match.group(2),
            **data,
        },
    )
    world["response"] = response
    return response


def _trigger(words: str) -> str:
    return {
        "Step up to targeted support": "step_up_to_targeted",
        "Step up to intensive multi-agency support": "step_up_to_intensive",
        "Step down to less intensive support": "step_down",
    }[words]


def _review(
    client: FlaskClient, world: dict[str, Any], decision: str, rows: list[list[str]]
) -> None:
    data: dict[str, Any] = {
        "review_notes": "Talked it through with Alex and mum",
        "attendance_rate": "72",
        "plan_review-decision": DECISIONS[decision.lower()],
        "plan_review-pupil_views": "Mondays are still hard.",
        "plan_review-family_views": "",
    }
    for number, (_, rating, notes) in enumerate(rows, start=1):
        data[f"plan_review-progress-{number}-rating"] = RATINGS[rating.lower()]
        data[f"plan_review-progress-{number}-notes"] = notes
    response = _step(client, world, "review_held", data)
    assert response.status_code == 302, text(response)[:600]


def _plan_form(rows: list[list[str]]) -> dict[str, Any]:
    header, *body = rows
    assert [h.lower() for h in header] == ["part", "who", "what", "by"], header
    who_keys = {
        "the school": "school",
        "the family": "family",
        "the pupil": "pupil",
        "la attendance service (education welfare)": "attendance_service",
        "youth service": "youth_service",
    }
    data: dict[str, Any] = {"support_plan-barriers": []}
    commitments = targets = 0
    for part, who, what, by in body:
        if part == "barrier" and who == "in words":
            data["support_plan-barrier_notes"] = what
        elif part == "barrier":
            data["support_plan-barriers"].append(f"{who}: {what}")
        elif part == "commitment":
            commitments += 1
            prefix = f"support_plan-commitments-{commitments}"
            data.update(
                {
                    f"{prefix}-who": who_keys[who.lower()],
                    f"{prefix}-what": what,
                    f"{prefix}-by": _when(by),
                }
            )
        elif part == "target":
            targets += 1
            prefix = f"support_plan-targets-{targets}"
            data.update({f"{prefix}-target": what, f"{prefix}-by": _when(by)})
        elif part == "review":
            data["support_plan-review_date"] = _when(by)
        elif part == "pupil's views":
            data["support_plan-pupil_views"] = what
        elif part == "family's views":
            data["support_plan-family_views"] = what
        else:
            raise AssertionError(f"unknown part {part!r}")
    for number in range(commitments + 1, 7):  # the blank rows the form also posts
        prefix = f"support_plan-commitments-{number}"
        data.update({f"{prefix}-who": "", f"{prefix}-what": "", f"{prefix}-by": ""})
    return data


EXAMPLE_PLAN = [
    ["part", "who", "what", "by"],
    ["barrier", "pupil", "anxiety or low mood", ""],
    ["commitment", "The school", "A quiet start in the library each morning", ""],
    ["commitment", "The family", "An alarm at 7:15 on school days", ""],
    ["target", "", "In school by 8:50 on four days a week", "in 6 weeks"],
    ["review", "", "", "in 6 weeks"],
    ["pupil's views", "", "I like the library.", ""],
    ["family's views", "", "Fridays please.", ""],
]


@when(parsers.parse("{first} opens support first from {pupil}'s page"))
@given(parsers.parse("{first} has opened support first for {pupil}"))
def _opens(client: FlaskClient, world: dict[str, Any], first: str, pupil: str) -> None:
    page = client.get(f"/pupils/{world['pupils'][pupil]}")
    assert f"Open support first for {pupil}" in text(page)
    assert _open(client, world, pupil).status_code == 302


@when(parsers.parse("{first} tries to open support first for {pupil} again"))
def _opens_again(client: FlaskClient, world: dict[str, Any], first: str, pupil: str) -> None:
    link = f"/pupils/{world['pupils'][pupil]}/support-first"
    page = client.get(link)
    assert "already has an open support-first case" in text(page)
    # Pressing an old page's button again (or two people at once) is refused too.
    world["response"] = client.post(link, data={"csrf_token": csrf_token(client.get("/account"))})


@given(
    parsers.parse(
        "{first} has opened support first for {pupil}, reviewed it and stepped up to "
        "targeted support"
    )
)
def _to_targeted(client: FlaskClient, world: dict[str, Any], first: str, pupil: str) -> None:
    _opens(client, world, first, pupil)
    _review(client, world, "Step up to more support", [])
    assert (
        _step(client, world, "step_up_to_targeted", {"step_up_reason": "No change"}).status_code
        == 302
    )


@given(parsers.parse("{first} has agreed a plan with {pupil}'s family"))
def _has_agreed(client: FlaskClient, world: dict[str, Any], first: str, pupil: str) -> None:
    response = _step(client, world, "plan_agreed", _plan_form(EXAMPLE_PLAN))
    assert response.status_code == 302, text(response)[:600]


@when(
    parsers.re(
        r'(?P<first>\w+) records a review of universal support, deciding "(?P<decision>[^"]+)"'
    )
)
def _review_universal(
    client: FlaskClient, world: dict[str, Any], first: str, decision: str
) -> None:
    page = client.get(f"/cases/{world['case']}/steps/review_held")
    assert "There is no attendance support plan yet" in text(page)
    _review(client, world, decision, [])


@when(parsers.re(r'(?P<first>\w+) reviews the plan, deciding "(?P<decision>[^"]+)":'))
def _review_plan(
    client: FlaskClient,
    world: dict[str, Any],
    first: str,
    decision: str,
    datatable: list[list[str]],
) -> None:
    header, *rows = datatable
    assert [h.lower() for h in header] == ["target", "progress", "notes"], header
    page = text(client.get(f"/cases/{world['case']}/steps/review_held"))
    for number, (target, _, _) in enumerate(rows, start=1):
        assert f"Target {number}: {target}" in page, f"the review form does not show {target!r}"
    _review(client, world, decision, rows)


@when(parsers.re(r'(?P<first>\w+) takes "(?P<step>[^"]+)", writing "(?P<words>[^"]+)"'))
def _takes(client: FlaskClient, world: dict[str, Any], first: str, step: str, words: str) -> None:
    trigger = _trigger(step)
    field = "step_down_reason" if trigger == "step_down" else "step_up_reason"
    response = _step(client, world, trigger, {field: words})
    assert response.status_code == 302, text(response)[:600]


@when(parsers.parse("{first} agrees this plan with {pupil}'s family:"))
def _agrees(
    client: FlaskClient, world: dict[str, Any], first: str, pupil: str, datatable: list[list[str]]
) -> None:
    _step(client, world, "plan_agreed", _plan_form(datatable))


@when(parsers.parse("{weeks:d} weeks pass"))
def _weeks_pass(db: Database, world: dict[str, Any], weeks: int) -> None:
    back = timedelta(weeks=weeks)
    with db.sessions() as s:
        case = s.get(Case, world["case"])
        assert case is not None
        for event in s.scalars(select(CaseEvent).where(CaseEvent.group_id == case.group_id)):
            event.at -= back
        for timer in s.scalars(select(CaseTimer).where(CaseTimer.case_id == case.id)):
            timer.entered_at -= back
            timer.due_at -= back
        case.state_entered_at -= back
        case.opened_at -= back
        s.commit()


# -- what people see -------------------------------------------------------------------------


@then(parsers.parse('{first} sees {pupil}\'s support-first case at "{state}"'))
def _at(client: FlaskClient, world: dict[str, Any], first: str, pupil: str, state: str) -> None:
    page = client.get(f"/cases/{world['case']}")
    assert page.status_code == 200
    assert f"Where it is {state}" in text(page)
    world["page"] = text(page)


@then(parsers.parse('the case page says "{words}"'))
def _says(client: FlaskClient, world: dict[str, Any], words: str) -> None:
    assert words in text(client.get(f"/cases/{world['case']}"))


@then("the case page shows the plan:")
def _shows_plan(client: FlaskClient, world: dict[str, Any], datatable: list[list[str]]) -> None:
    page = text(client.get(f"/cases/{world['case']}"))
    section = page.split("Attendance support plan", 1)[1].split("Actions", 1)[0]
    for (words,) in datatable:
        assert words in section, f"{words!r} is not in the plan section: {section[:800]}"


def _document(client: FlaskClient, world: dict[str, Any], key: str) -> TestResponse:
    return client.get(f"/cases/{world['case']}/documents/{key}")


@then(parsers.parse('the {document} reads "{first}" and "{second}"'))
def _reads(
    client: FlaskClient, world: dict[str, Any], document: str, first: str, second: str
) -> None:
    key = {"plan document": "support_plan", "review letter": "review_letter"}[document]
    page = _document(client, world, key)
    assert page.status_code == 200
    words = text(page)
    assert first in words and second in words, words[:1500]
    assert "Alex Taylor" in words


@then(parsers.parse("the {document} downloads as a PDF"))
def _pdf(client: FlaskClient, world: dict[str, Any], document: str) -> None:
    key = {"plan document": "support_plan", "review letter": "review_letter"}[document]
    response = client.get(f"/cases/{world['case']}/documents/{key}.pdf")
    assert response.status_code == 200, response.headers
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


@then(parsers.parse("the audit trail records that {first} opened and downloaded the plan document"))
def _audited(db: Database, world: dict[str, Any], first: str) -> None:
    rows = read(
        db,
        select(AuditRecord.action, AuditRecord.case_id, AuditRecord.details).where(
            AuditRecord.actor_id == f"user:{world['users'][first]}",
            AuditRecord.action.in_(("document.view", "export.document")),
        ),
    )
    assert {(r.action, r.case_id, r.details["document"]) for r in rows} >= {
        ("document.view", world["case"], "support_plan"),
        ("export.document", world["case"], "support_plan"),
    }


@then(parsers.parse("the history shows {count:d} reviews and the plan, readably"))
def _history(client: FlaskClient, world: dict[str, Any], count: int) -> None:
    page = text(client.get(f"/cases/{world['case']}"))
    history = page.split("What has happened", 1)[1]
    assert history.count("Decision:") == count
    assert "Targets: In school by 8:50 on four days a week" in history
    assert "{'" not in history, "a structured value is shown as raw data"


@then(parsers.parse('{first} sees the problem "{message}" beside "{path}"'))
def _problem(world: dict[str, Any], first: str, message: str, path: str) -> None:
    response = world["response"]
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert f'href="#{path}"' in body, "the error summary does not link to the input"
    beside = body.split(f'id="{path}-error"', 1)
    assert len(beside) == 2, f"no error message beside {path}"
    assert message in html.unescape(re.sub(r"<[^>]+>", " ", beside[1][:400]))


@then(parsers.parse('the form still holds "{first}", "{second}" and "{third}"'))
def _kept(world: dict[str, Any], first: str, second: str, third: str) -> None:
    body = html.unescape(world["response"].get_data(as_text=True))
    for words in (first, second, third):
        assert words in body, f"{words!r} was lost"
    assert 'value="pupil: anxiety or low mood" checked' in body


@then(parsers.parse('{first} is told "{message}"'))
def _told(world: dict[str, Any], first: str, message: str) -> None:
    assert world["response"].status_code == 400
    assert message in text(world["response"])


@then(parsers.parse("{pupil} has {count:d} support-first case"))
def _count(db: Database, world: dict[str, Any], pupil: str, count: int) -> None:
    [(found,)] = read(
        db,
        select(func.count())
        .select_from(Case)
        .where(Case.pupil_id == world["pupils"][pupil], Case.workflow_key == "support_first"),
    )
    assert found == count


@then(parsers.parse("{pupil}'s page has no link to open support first"))
def _no_link(client: FlaskClient, world: dict[str, Any], pupil: str) -> None:
    page = client.get(f"/pupils/{world['pupils'][pupil]}")
    assert page.status_code == 200
    assert "Open support first" not in text(page)


@then(parsers.parse("opening support first for {pupil} is forbidden"))
def _forbidden(client: FlaskClient, world: dict[str, Any], pupil: str) -> None:
    link = f"/pupils/{world['pupils'][pupil]}/support-first"
    assert client.get(link).status_code == 403
    token = csrf_token(client.get("/account"))
    assert client.post(link, data={"csrf_token": token}).status_code == 403


@then(parsers.parse("the plan document is not found for {first}"))
def _not_found(client: FlaskClient, world: dict[str, Any], first: str) -> None:
    assert _document(client, world, "support_plan").status_code == 404
    assert client.get(f"/cases/{world['case']}/documents/support_plan.pdf").status_code == 404


@given(parsers.parse("the plan template has a mistake on line {line:d}"))
def _broken(app: Flask, tmp_path: Path, line: int) -> None:
    shipped = Path("config/documents")
    for name in ("support_plan.html", "review_letter.html"):
        (tmp_path / name).write_text((shipped / name).read_text(encoding="utf-8"), encoding="utf-8")
    lines = ["<h1>{{ pupil.given_name }}'s plan</h1>", "<p>Agreed {{ plan.agreed_on }}</p>"]
    lines += ["<p>{% if plan.targets %}Targets{% endfi %}</p>"] + ["<p>More</p>"] * 3
    assert len(lines[: line - 1]) == line - 1
    (tmp_path / "support_plan.html").write_text("\n".join(lines), encoding="utf-8")
    app.config["DOCUMENTS_FOLDER"] = str(tmp_path)


@then(parsers.parse('the plan document says "{where}" and that it cannot be made'))
def _says_broken(client: FlaskClient, world: dict[str, Any], where: str) -> None:
    page = _document(client, world, "support_plan")
    assert page.status_code == 200
    words = text(page)
    assert "The attendance support plan cannot be made" in words
    assert where in words
    assert "endfi" in words
    pdf = client.get(f"/cases/{world['case']}/documents/support_plan.pdf")
    assert pdf.status_code == 302


@then("no document opening is audited")
def _not_audited(db: Database) -> None:
    rows = read(
        db,
        select(AuditRecord.seq).where(AuditRecord.action.in_(("document.view", "export.document"))),
    )
    assert rows == []
