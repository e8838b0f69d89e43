"""Steps for the auditor's view of the audit trail: real accounts signed in through the real
pages, records written by real operations (publishing, signing in, opening cases) and by
``log()``, and the trail read back through the web pages an auditor uses."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from panelflow.accounts.models import User
from panelflow.accounts.operations import actor_for, sign_in
from panelflow.audit.models import AuditRecord
from panelflow.audit.operations import log
from panelflow.cases.models import Case
from panelflow.cases.operations import open_case
from panelflow.catalogue.models import WorkflowVersion
from panelflow.catalogue.operations import engine_for
from panelflow.organisations.models import Pupil, School
from tests.factories import PASSWORD, Auth, csrf_token, make_account, make_pupil, make_school

scenarios("audit/audit_trail.feature")

NAME = r"(?P<name>[A-Z][a-z]+)"
DATE = r"(?P<date>\d{1,2} [A-Z][a-z]+ \d{4})"
ADDRESS = "192.0.2.10"


def on(text: str) -> datetime:
    """'15 April 2025' as 10 o'clock that morning, UTC."""
    return datetime.strptime(text, "%d %B %Y").replace(hour=10, tzinfo=UTC)


@dataclass
class World:
    session: Session
    version: WorkflowVersion
    client: FlaskClient
    accounts: dict[str, User] = field(default_factory=dict)  # by first name
    pupils: dict[str, Pupil] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)  # by the pupil's first name
    sign_ins: dict[tuple[str, str], int] = field(default_factory=dict)  # (name, date) -> seq
    response: TestResponse | None = None

    def page(self) -> str:
        assert self.response is not None, "no page has been asked for yet"
        return self.response.get_data(as_text=True)

    def newest(self, action: str) -> AuditRecord:
        self.session.expire_all()
        record = self.session.scalars(
            select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.seq.desc())
        ).first()
        self.session.rollback()  # end the read: on SQLite a transaction holds the write lock
        assert record is not None, f"no {action} record"
        return record


@pytest.fixture
def world(session: Session, published: WorkflowVersion, client: FlaskClient) -> World:
    return World(session, published, client)


def search(client: FlaskClient, **fields: str) -> TestResponse:
    """Send the search form as a browser does: every box, empty or not."""
    query: list[tuple[str, str]] = [
        (name, fields.get(name, "")) for name in ("person", "pupil", "case", "action")
    ]
    for name in ("date_from", "date_to"):
        boxes = [*fields.get(name, "").split(" "), "", "", ""][:3]
        query += [(name, box) for box in boxes]
    return client.get("/audit", query_string=query)


def result_seq(session: Session) -> int:
    """The newest record in the session's transaction (flushed, not yet committed)."""
    seq = session.scalar(select(AuditRecord.seq).order_by(AuditRecord.seq.desc()))
    assert seq is not None
    return seq


# -- Given ---------------------------------------------------------------------------------------
@given("the workflows in config/workflows.yaml are published")
def _published(world: World) -> None:
    assert world.version.number == 1


@given("these people have accounts:")
def _accounts(world: World, datatable: list[list[str]]) -> None:
    header, *rows = datatable
    assert [h.lower() for h in header] == ["name", "role"], header
    labels = {
        r.label.lower(): key for key, r in engine_for(world.version).definitions.roles.items()
    }
    for name, role_words in rows:
        user = make_account(
            world.session,
            labels[role_words.lower()],
            name=name,
            email=f"{name.split()[0].lower()}@council.example",
        )
        world.accounts[name.split()[0]] = user
    world.session.commit()


@given(
    parsers.re(
        r"(?P<first>[A-Z][a-z]+ [A-Z][a-z]+) and (?P<second>[A-Z][a-z]+ [A-Z][a-z]+) are pupils "
        r"at (?P<school>[A-Z][\w ]+)"
    )
)
def _pupils(world: World, first: str, second: str, school: str) -> None:
    # The school staff's accounts were made at this school (make_account's default name).
    at = world.session.scalar(select(School).where(School.name == school)) or make_school(
        world.session, school
    )
    for full in (first, second):
        given_name, family_name = full.split()
        world.pupils[given_name] = make_pupil(
            world.session, at, given_name=given_name, family_name=family_name
        )
    world.session.commit()


@given(parsers.re(rf"{NAME} signed in on {DATE}"))
def _signed_in_on(world: World, name: str, date: str) -> None:
    result = sign_in(world.session, world.accounts[name].email, PASSWORD, ADDRESS, now=on(date))
    assert result.ok, result.message
    world.session.flush()
    world.sign_ins[(name, date)] = result_seq(world.session)
    world.session.commit()


@given(parsers.re(rf"{NAME} has opened a panel case for (?P<pupil>[A-Z][a-z]+)"))
def _opened(world: World, name: str, pupil: str) -> None:
    actor = actor_for(world.accounts[name])
    world.cases[pupil] = open_case(world.session, world.pupils[pupil], "school_panel", actor)
    world.session.commit()


@given(parsers.re(rf"{NAME} has added a note to (?P<pupil>[A-Z][a-z]+)'s case"))
def _note(world: World, name: str, pupil: str) -> None:
    case = world.cases[pupil]
    log(
        world.session,
        actor_for(world.accounts[name]),
        "case.note",
        "added a note",
        case_id=case.id,
        pupil_id=case.pupil_id,
        details={"words": 42},
    )
    world.session.commit()


@given(parsers.re(rf"{NAME} is signed in"))
def _is_signed_in(world: World, name: str) -> None:
    Auth(world.client).sign_in_as(world.accounts[name])


@given(
    parsers.re(rf"someone has changed the summary of {NAME}'s sign-in on {DATE} in the database")
)
def _tampered(world: World, name: str, date: str) -> None:
    seq = world.sign_ins[(name, date)]
    world.session.execute(
        update(AuditRecord).where(AuditRecord.seq == seq).values(summary="signed in (edited)")
    )
    world.session.commit()


# -- When ----------------------------------------------------------------------------------------
@when(parsers.re(rf"Ada searches the audit trail for {NAME}'s account number"))
def _by_person(world: World, name: str) -> None:
    world.response = search(world.client, person=str(world.accounts[name].id))


@when(parsers.re(rf"Ada searches the audit trail for {NAME}'s pupil id"))
def _by_pupil(world: World, name: str) -> None:
    world.response = search(world.client, pupil=str(world.pupils[name].id))


@when(parsers.re(rf"Ada searches the audit trail for {NAME}'s case number"))
def _by_case(world: World, name: str) -> None:
    world.response = search(world.client, case=str(world.cases[name].id))


@when(parsers.re(r'Ada searches the audit trail from "(?P<start>[^"]*)" to "(?P<end>[^"]*)"'))
def _by_dates(world: World, start: str, end: str) -> None:
    world.response = search(world.client, date_from=start, date_to=end)


@when(parsers.re(r'Ada searches the audit trail for the action "(?P<action>[^"]+)"'))
def _by_action(world: World, action: str) -> None:
    world.response = search(world.client, action=action)


@when(parsers.re(r'Ada searches the audit trail for the pupil id "(?P<text>[^"]*)"'))
def _by_typed_pupil(world: World, text: str) -> None:
    world.response = search(world.client, pupil=text)


@when(parsers.re(rf"{NAME} opens the audit trail"))
def _opens(world: World, name: str) -> None:
    world.response = world.client.get("/audit")


@when("someone who is not signed in opens the audit trail")
def _anonymous(world: World, app: Flask) -> None:
    world.response = app.test_client().get("/audit")


@when("Ada checks the audit trail from its page")
def _checks(world: World) -> None:
    page = world.client.get("/audit")
    assert 'action="/audit/verify"' in page.get_data(as_text=True)
    world.response = world.client.post("/audit/verify", data={"csrf_token": csrf_token(page)})


@when(parsers.re(rf"Ada downloads the records about {NAME}"))
def _downloads(world: World, name: str) -> None:
    page = search(world.client, pupil=str(world.pupils[name].id))
    link = re.search(r'href="(/audit/export\.csv\?[^"]+)"', page.get_data(as_text=True))
    assert link, "no download link on the results"
    world.response = world.client.get(link.group(1).replace("&amp;", "&"))


# -- Then ----------------------------------------------------------------------------------------
def shown(world: World) -> list[AuditRecord]:
    seqs = [int(n) for n in re.findall(r'id="record-(\d+)"', world.page())]
    records = [world.session.get(AuditRecord, seq) for seq in seqs]
    world.session.rollback()
    assert all(records)
    return records  # type: ignore[return-value]


@then("she sees these records, newest first:")
def _sees(world: World, datatable: list[list[str]]) -> None:
    assert world.response is not None and world.response.status_code == 200
    header, *rows = datatable
    assert header == ["action", "who", "pupil"], header
    names = {pupil.id: first for first, pupil in world.pupils.items()}
    seen = [[r.action, r.actor_name, names.get(r.pupil_id or 0, "")] for r in shown(world)]
    assert seen == rows
    total = len(rows)
    assert f"Showing 1 to {total} of {total} record{'s' if total != 1 else ''}" in world.page()


@then(
    parsers.re(
        r"the audit trail records that Ada searched it by (?P<what>person|pupil|case|action)"
    )
)
def _search_audited(world: World, what: str) -> None:
    record = world.newest("audit.viewed")
    assert record.actor_id == f"user:{world.accounts['Ada'].id}"
    filters = record.details["filters"]
    expected = {
        "person": {"actor_id": f"user:{world.accounts['Priya'].id}"},
        "pupil": {"pupil_id": world.pupils["Alex"].id},
        "case": {"case_id": world.cases["Jordan"].id},
        "action": {"action": "case.open"},
    }[what]
    assert filters == expected
    assert record.details["shown"] == record.details["total"] > 0


@then(parsers.re(rf"the audit trail records that Ada searched it from {DATE} to (?P<end>.+)"))
def _dates_audited(world: World, date: str, end: str) -> None:
    record = world.newest("audit.viewed")
    assert record.details["filters"] == {
        "date_from": on(date).date().isoformat(),
        "date_to": on(end).date().isoformat(),
    }


@then(parsers.re(r'she is told "(?P<message>[^"]+)"$'))
def _told(world: World, message: str) -> None:
    assert message in world.page()


@then(parsers.re(rf"the audit trail records that {NAME} was refused the audit trail"))
def _refusal_audited(world: World, name: str) -> None:
    assert world.response is not None and world.response.status_code == 403
    record = world.newest("access.refused")
    assert record.actor_id == f"user:{world.accounts[name].id}"
    assert record.details["path"] == "/audit" and record.details["permission"] == "view_audit"


@then("they are sent to sign in")
def _sent_to_sign_in(world: World) -> None:
    assert world.response is not None and world.response.status_code == 302
    assert world.response.headers["Location"].startswith("/sign-in?next=%2Faudit")


@then(parsers.re(r'she is told "(?P<message>[^"]+)" with the number of records checked'))
def _told_count(world: World, message: str) -> None:
    checked = world.newest("audit.verified").details["checked"]
    assert message in world.page()
    assert f"{checked} records checked" in world.page()


@then("the audit trail records that Ada checked it and found it intact")
def _intact_audited(world: World) -> None:
    record = world.newest("audit.verified")
    assert record.actor_id == f"user:{world.accounts['Ada'].id}"
    assert record.details["intact"] is True and record.summary == "checked the audit trail: intact"


@then(parsers.re(rf"she is given a link to {NAME}'s sign-in on {DATE}, the first record altered"))
def _link(world: World, name: str, date: str) -> None:
    seq = world.sign_ins[(name, date)]
    assert f'<a href="/audit/{seq}" id="first-bad-record">Open record {seq}</a>' in world.page()
    assert f"record {seq} (account.sign_in" in world.page()
    opened = world.client.get(f"/audit/{seq}").get_data(as_text=True)
    assert "signed in (edited)" in opened


@then("the audit trail records that Ada checked it and found it broken at that record")
def _broken_audited(world: World) -> None:
    record = world.newest("audit.verified")
    seq = world.sign_ins[("Tess", "15 April 2025")]
    assert record.details["intact"] is False and record.details["first_bad_seq"] == seq
    assert record.summary == f"checked the audit trail: broken at record {seq}"


@then(
    parsers.re(rf"the download holds exactly the (?P<count>\d+) records about {NAME}, oldest first")
)
def _download(world: World, count: str, name: str) -> None:
    assert world.response is not None and world.response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(world.response.get_data().decode("utf-8-sig"))))
    expected = world.session.scalars(
        select(AuditRecord.seq)
        .where(AuditRecord.pupil_id == world.pupils[name].id)
        .order_by(AuditRecord.seq)
    ).all()
    world.session.rollback()
    assert [int(r["seq"]) for r in rows] == list(expected)
    assert len(rows) == int(count)
    assert {r["pupil_id"] for r in rows} == {str(world.pupils[name].id)}


@then(
    parsers.re(
        r"the audit trail records that Ada downloaded (?P<count>\d+) records about (?P<name>\w+)"
    )
)
def _download_audited(world: World, count: str, name: str) -> None:
    record = world.newest("audit.exported")
    assert record.actor_id == f"user:{world.accounts['Ada'].id}"
    assert record.details["filters"] == {"pupil_id": world.pupils[name].id}
    assert record.details["rows"] == int(count)


@then(parsers.re(r'she is told "(?P<message>[^"]+)" next to the (?P<what>date|pupil id)'))
def _told_by_field(world: World, message: str, what: str) -> None:
    assert world.response is not None and world.response.status_code == 400
    page = world.page()
    summary = page[page.index("govuk-error-summary") : page.index("</h1>")]
    assert message in summary
    target = "#pupil" if what == "pupil id" else "#date_"
    links = re.findall(r'<a href="(#[^"]+)">' + re.escape(message), summary)
    assert links and links[0].startswith(target), links
    assert f'<p id="{links[0][1:].split("-")[0]}-error" class="govuk-error-message">' in page


@then("no records are shown")
def _none(world: World) -> None:
    assert re.findall(r'id="record-(\d+)"', world.page()) == []
