"""The auditor's pages through the Flask test client, and the query functions behind them:
who may see the trail, each filter (in SQL, in Europe/London days), pages of 50, invalid
input answered in words, one record in full, checking the chain, and the CSV export.

Unhandled errors propagate under ``TESTING``, so a page that would be a 500 fails its test.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from panelflow.accounts.models import User
from panelflow.audit import operations
from panelflow.audit.models import AuditRecord
from panelflow.audit.operations import (
    EXPORT_COLUMNS,
    Filters,
    export_rows,
    log,
    search,
    start_export,
)
from tests.factories import Auth, csrf_token, make_account, person

CHAIR = person("Priya Shah", "panel_chair")
EWO = person("Ed Welfare", "ewo", agency="attendance_service")
ADA = person("Ada Auditor", "auditor", agency="local_authority")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def shown(response: TestResponse) -> list[int]:
    """The record numbers in the results table, in the order shown."""
    return [int(n) for n in re.findall(r'id="record-(\d+)"', response.get_data(as_text=True))]


def newest(session: Session) -> AuditRecord:
    session.expire_all()
    record = session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
    session.rollback()  # end the read: on SQLite every transaction holds the write lock
    assert record is not None
    return record


def count(session: Session) -> int:
    total = session.scalar(select(func.count()).select_from(AuditRecord)) or 0
    session.rollback()
    return total


@pytest.fixture
def auditor(session: Session) -> User:
    user = make_account(session, "auditor", name="Ada Auditor")
    session.commit()
    return user


@pytest.fixture
def client(app: Flask, auditor: User) -> FlaskClient:
    """An auditor, signed in."""
    client = app.test_client()
    Auth(client).sign_in_as(auditor)
    return client


@pytest.fixture
def trail(session: Session) -> list[AuditRecord]:
    """A small trail, either side of the clocks going forward on 30 March 2025."""
    opened, stepped = ("case.open", "opened"), ("case.transition", "stepped")
    records = [
        log(session, CHAIR, *opened, case_id=1, pupil_id=10, at=at("2025-03-28T10:00")),
        log(session, EWO, *stepped, case_id=1, pupil_id=10, at=at("2025-03-29T10:00")),
        # 23:30 UTC on 31 March is 00:30 on 1 April in London (BST).
        log(session, CHAIR, *opened, case_id=2, pupil_id=11, at=at("2025-03-31T23:30")),
        log(session, EWO, *stepped, case_id=2, pupil_id=11, at=at("2025-04-02T09:00")),
    ]
    session.commit()
    return records


# -- who may see it -----------------------------------------------------------------------------
ROUTES = [("GET", "/audit"), ("GET", "/audit/1"), ("GET", "/audit/export.csv")]


@pytest.mark.parametrize(("method", "path"), [*ROUTES, ("POST", "/audit/verify")])
def test_people_not_signed_in_are_sent_to_sign_in(app: Flask, method: str, path: str) -> None:
    response = app.test_client().open(path, method=method)

    if method == "POST":  # the CSRF check comes first, and refuses
        assert response.status_code == 400
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in?next=")


@pytest.mark.parametrize("role", ["panel_chair", "school_staff", "la_admin", "workflow_editor"])
@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_only_auditors_see_the_trail_and_each_refusal_is_audited(
    app: Flask, session: Session, trail: list[AuditRecord], role: str, method: str, path: str
) -> None:
    user = make_account(session, role)
    session.commit()
    client = app.test_client()
    Auth(client).sign_in_as(user)

    response = client.open(path, method=method)

    assert response.status_code == 403
    refusal = newest(session)
    assert refusal.action == "access.refused" and refusal.actor_id == f"user:{user.id}"
    assert refusal.details["path"] == path and refusal.details["permission"] == "view_audit"


def test_verifying_is_refused_to_a_panel_chair(app: Flask, session: Session) -> None:
    user = make_account(session, "panel_chair")
    session.commit()
    client = app.test_client()
    Auth(client).sign_in_as(user)
    token = csrf_token(client.get("/account"))

    response = client.post("/audit/verify", data={"csrf_token": token})

    assert response.status_code == 403
    assert newest(session).action == "access.refused"


def test_an_auditor_sees_the_trail(trail: list[AuditRecord], client: FlaskClient) -> None:
    response = client.get("/audit")

    assert response.status_code == 200
    assert "Audit trail" in response.get_data(as_text=True)


# -- searching (in SQL) ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(), [4, 3, 2, 1]),
        (Filters(actor_id=CHAIR.id), [3, 1]),
        (Filters(pupil_id=11), [4, 3]),
        (Filters(case_id=1), [2, 1]),
        (Filters(action="case.transition"), [4, 2]),
        (Filters(date_from=date(2025, 3, 29), date_to=date(2025, 3, 31)), [2]),
        (Filters(date_from=date(2025, 4, 1)), [4, 3]),  # 00:30 BST on 1 April counts
        (Filters(date_to=date(2025, 3, 31)), [2, 1]),
        (Filters(case_id=2, action="case.open"), [3]),
        (Filters(pupil_id=999), []),
    ],
)
def test_search_filters_in_sql_by_london_days(
    session: Session, trail: list[AuditRecord], filters: Filters, expected: list[int]
) -> None:
    page = search(session, ADA, filters)

    assert [r.seq for r in page.records] == expected
    assert page.total == len(expected)


def test_a_search_is_audited_with_its_filters_after_it_ran(
    session: Session, trail: list[AuditRecord]
) -> None:
    page = search(session, ADA, Filters(pupil_id=11, date_from=date(2025, 4, 1)))
    session.commit()

    assert [r.seq for r in page.records] == [4, 3]  # not its own audit record
    record = newest(session)
    assert record.action == "audit.viewed" and record.actor_id == ADA.id
    assert record.details == {
        "filters": {"pupil_id": 11, "date_from": "2025-04-01"},
        "page": 1,
        "shown": 2,
        "total": 2,
    }


def test_the_page_searches_by_each_field(
    trail: list[AuditRecord], client: FlaskClient, session: Session
) -> None:
    assert shown(client.get("/audit?person=user:123")) == []
    assert shown(client.get("/audit?pupil=10")) == [2, 1]
    assert shown(client.get("/audit?case=2")) == [4, 3]
    assert shown(client.get("/audit?action=case.open")) == [3, 1]
    dates = "date_from=1&date_from=4&date_from=2025&date_to=2&date_to=4&date_to=2025"
    assert shown(client.get(f"/audit?{dates}")) == [4, 3]


def test_an_account_number_finds_that_persons_records(
    client: FlaskClient, session: Session, auditor: User
) -> None:
    user = make_account(session, "panel_chair", name="Priya Shah")
    from panelflow.accounts.operations import actor_for

    log(session, actor_for(user), "case.open", "opened", case_id=1, pupil_id=1)
    log(session, CHAIR, "case.open", "opened", case_id=2, pupil_id=2)
    session.commit()

    by_number = shown(client.get(f"/audit?person={user.id}"))
    by_actor_id = shown(client.get(f"/audit?person=user:{user.id}"))

    assert by_number == by_actor_id and len(by_number) == 1
    assert session.get(AuditRecord, by_number[0]).actor_id == f"user:{user.id}"  # type: ignore[union-attr]


def test_results_show_when_in_london_time_who_and_what(
    trail: list[AuditRecord], client: FlaskClient
) -> None:
    page = client.get("/audit?case=2").get_data(as_text=True)

    assert "1 Apr 2025 00:30:00 BST" in page  # stored as 23:30 UTC on 31 March
    assert "2 Apr 2025 10:00:00 BST" in page
    assert "Priya Shah" in page and "Ed Welfare" in page
    assert "case.transition" in page and "stepped" in page


def test_the_action_list_holds_the_actions_recorded(
    trail: list[AuditRecord], client: FlaskClient
) -> None:
    page = client.get("/audit").get_data(as_text=True)
    select_html = page[page.index('id="action"') : page.index("</select>")]

    options = re.findall(r'<option value="([^"]*)"', select_html)
    assert options == ["", "account.sign_in", "case.open", "case.transition"]


# -- pages of 50 ----------------------------------------------------------------------------------
def test_results_come_50_to_a_page_newest_first(
    client: FlaskClient, session: Session, auditor: User
) -> None:
    for n in range(119):
        log(session, CHAIR, "test.event", f"event {n}", pupil_id=5)
    session.commit()  # 119 + the auditor's sign-in = 120

    first = client.get("/audit?pupil=5")
    second = client.get("/audit?pupil=5&page=2")
    third = client.get("/audit?pupil=5&page=3")

    assert "Showing 1 to 50 of 119 records" in first.get_data(as_text=True)
    assert shown(first) == list(range(120, 70, -1))
    assert "Showing 51 to 100 of 119 records" in second.get_data(as_text=True)
    assert shown(second) == list(range(70, 20, -1))
    assert "Showing 101 to 119 of 119 records" in third.get_data(as_text=True)
    assert shown(third) == list(range(20, 1, -1))
    assert 'href="/audit?page=2&amp;pupil=5"' in first.get_data(as_text=True)


@pytest.mark.parametrize("page", ["0", "-3", "99", "abc", ""])
def test_a_page_out_of_range_shows_the_nearest_page(
    trail: list[AuditRecord], client: FlaskClient, page: str
) -> None:
    response = client.get(f"/audit?page={page}")

    assert response.status_code == 200
    assert shown(response) == [5, 4, 3, 2, 1]  # the trail, and the auditor's sign-in


# -- invalid input is answered in words -----------------------------------------------------------
def dates(name: str, day: str, month: str, year: str) -> str:
    return f"{name}={day}&{name}={month}&{name}={year}"


PERSON_WORDS = "Person must be an account number, like 12, or an actor id, like user:12"
INVALID = [
    (dates("date_from", "31", "2", "2026"), "Date from must be a real date", "date_from-day"),
    (dates("date_to", "1", "13", "2026"), "Date to must be a real date", "date_to-day"),
    (dates("date_from", "1", "", "2026"), "Date from must include a month", "date_from-month"),
    (
        dates("date_from", "", "", "2026"),
        "Date from must include a day and a month",
        "date_from-day",
    ),
    (
        dates("date_to", "1", "4", "26"),
        "The year in date to must include 4 numbers",
        "date_to-year",
    ),
    (dates("date_from", "1", "Apr", "2026"), "Date from must be a real date", "date_from-month"),
    (
        dates("date_from", "1", "2", "2026") + "&date_from=4",
        "Date from must be a real date",
        "date_from-day",
    ),
    (
        dates("date_from", "2", "4", "2026") + "&" + dates("date_to", "1", "4", "2026"),
        "Date to must be the same as or after date from",
        "date_to-day",
    ),
    ("pupil=Alex", "Pupil ID must be a number, like 1234", "pupil"),
    ("case=12a", "Case ID must be a number, like 567", "case"),
    ("case=%D9%A1", "Case ID must be a number, like 567", "case"),  # an Arabic-Indic digit
    ("person=Priya+Shah", PERSON_WORDS, "person"),
    ("person=cli:Wendy", PERSON_WORDS, "person"),
    ("action=case.nonsense", "Select an action from the list", "action"),
]


@pytest.mark.parametrize(("query", "message", "target"), INVALID)
def test_invalid_searches_name_the_field_in_words(
    trail: list[AuditRecord],
    client: FlaskClient,
    session: Session,
    query: str,
    message: str,
    target: str,
) -> None:
    response = client.get(f"/audit?{query}")

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert page.count(message) == 2  # in the error summary and by the field
    assert f'<a href="#{target}">{message}' in page
    assert "<title>Error: Audit trail" in page
    assert shown(response) == []


def test_an_invalid_search_is_audited_without_what_was_typed(
    client: FlaskClient, session: Session
) -> None:
    client.get("/audit?person=Priya+Shah&pupil=Alex")

    record = newest(session)
    assert record.action == "audit.viewed"
    assert record.details == {"invalid": ["person", "pupil"], "shown": 0}
    assert "Priya" not in str(record.details) and "Alex" not in record.summary


def test_an_export_with_invalid_filters_shows_the_errors_instead(
    client: FlaskClient, session: Session
) -> None:
    response = client.get(f"/audit/export.csv?{dates('date_from', '30', '2', '2026')}")

    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "Date from must be a real date" in response.get_data(as_text=True)
    assert newest(session).action == "audit.viewed"  # not exported


# -- one record -----------------------------------------------------------------------------------
def test_a_record_in_full(trail: list[AuditRecord], client: FlaskClient, session: Session) -> None:
    record = log(
        session,
        CHAIR,
        "case.transition",
        "Discuss at the panel: nominated → discussed",
        role="panel_chair",
        case_id=7,
        pupil_id=70,
        workflow_version=3,
        details={"trigger": "discuss", "fields": {"barriers": ["bus", "anxiety"]}, "note": None},
        at=at("2026-03-02T09:00"),
    )
    session.commit()

    response = client.get(f"/audit/{record.seq}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Record {record.seq}" in page and "2 Mar 2026 09:00:00 GMT" in page
    assert "Discuss at the panel: nominated → discussed" in page
    assert record.hash in page and record.prev_hash in page
    assert '<dt class="govuk-summary-list__key">trigger</dt>' in page
    assert "{&#34;barriers&#34;: [&#34;bus&#34;, &#34;anxiety&#34;]}" in page
    assert 'href="/audit?case=7"' in page and 'href="/audit?pupil=70"' in page
    viewed = newest(session)
    assert viewed.action == "audit.viewed" and viewed.details == {"seq": record.seq}


def test_a_record_that_does_not_exist_is_not_found(client: FlaskClient, session: Session) -> None:
    before = count(session)

    assert client.get("/audit/999").status_code == 404
    assert count(session) == before


# -- checking the chain ---------------------------------------------------------------------------
def test_checking_an_intact_chain(
    trail: list[AuditRecord], client: FlaskClient, session: Session
) -> None:
    response = client.post("/audit/verify", data={"csrf_token": csrf_token(client.get("/audit"))})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The audit trail is intact" in page
    # the trail, the sign-in and the page view the button was on
    assert "6 records checked" in page
    record = newest(session)
    assert record.action == "audit.verified" and record.details["intact"] is True
    assert record.details["checked"] == 6


def test_checking_an_altered_chain_names_the_first_altered_record(
    trail: list[AuditRecord], client: FlaskClient, session: Session
) -> None:
    token = csrf_token(client.get("/audit"))
    session.execute(update(AuditRecord).where(AuditRecord.seq == 2).values(summary="edited"))
    session.execute(update(AuditRecord).where(AuditRecord.seq == 4).values(summary="edited"))
    session.commit()

    response = client.post("/audit/verify", data={"csrf_token": token})

    page = response.get_data(as_text=True)
    assert "The audit trail has been altered" in page
    assert "record 2 (case.transition" in page and "has been altered" in page
    assert 'href="/audit/2"' in page
    record = newest(session)
    assert record.action == "audit.verified"
    assert record.details["intact"] is False and record.details["first_bad_seq"] == 2


def test_checking_needs_the_forms_security_token(client: FlaskClient, session: Session) -> None:
    before = count(session)

    response = client.post("/audit/verify", data={})

    assert response.status_code == 400
    assert count(session) == before


# -- exporting ------------------------------------------------------------------------------------
def read_csv(response: TestResponse) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_the_export_holds_exactly_the_filtered_records_and_is_audited(
    trail: list[AuditRecord], client: FlaskClient, session: Session
) -> None:
    response = client.get("/audit/export.csv?action=case.transition")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    today = datetime.now(operations.LONDON).date().isoformat()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="audit-trail-{today}.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    rows = read_csv(response)
    assert [r["seq"] for r in rows] == ["2", "4"]  # oldest first
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    assert rows[0]["actor_name"] == "Ed Welfare" and rows[0]["hash"] == trail[1].hash
    exported = newest(session)
    assert exported.action == "audit.exported" and exported.summary == "exported 2 audit records"
    assert exported.details["filters"] == {"action": "case.transition"}
    assert exported.details["rows"] == 2


def test_an_export_neutralises_spreadsheet_formulas(client: FlaskClient, session: Session) -> None:
    log(session, CHAIR, "test.event", '=HYPERLINK("http://evil.example","click")', pupil_id=3)
    session.commit()

    rows = read_csv(client.get("/audit/export.csv?pupil=3"))

    assert rows[0]["summary"] == '\'=HYPERLINK("http://evil.example","click")'


def test_an_export_is_read_in_batches_and_fixed_when_it_starts(session: Session) -> None:
    for n in range(7):
        log(session, CHAIR, "test.event", f"event {n}", pupil_id=1)
    export = start_export(session, ADA, Filters(pupil_id=1))
    session.commit()
    log(session, CHAIR, "test.event", "written while the export streams", pupil_id=1)
    session.commit()

    batches = list(export_rows(session, export, batch=3))

    assert [len(b) for b in batches] == [3, 3, 1]
    assert [row.seq for b in batches for row in b] == list(range(1, 8))
    assert export.rows == 7


def test_the_whole_export_is_streamed_batch_by_batch(
    client: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(12):
        log(session, CHAIR, "test.event", f"event {n}", case_id=4)
    session.commit()
    sizes: list[int] = []
    real = operations.export_rows

    def spy(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        for batch in real(*args, batch=5):  # type: ignore[arg-type]
            sizes.append(len(batch))
            yield batch

    monkeypatch.setattr("panelflow.audit.views.export_rows", spy)

    response = client.get("/audit/export.csv?case=4")

    assert response.is_streamed
    assert len(read_csv(response)) == 12
    assert sizes == [5, 5, 2]


def test_the_trail_pages_write_no_personal_data_to_the_application_log(
    trail: list[AuditRecord],
    client: FlaskClient,
    session: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)

    client.get("/audit?case=1")
    client.get("/audit/1")
    client.get("/audit/export.csv?case=1").get_data()
    client.post("/audit/verify", data={"csrf_token": csrf_token(client.get("/audit"))})

    logged = caplog.text
    for personal in ("Priya", "Ed Welfare", "Ada Auditor", "@council.example"):
        assert personal not in logged
