"""Steps for importing attendance through the real pages: a signed-in Flask test client with
CSRF on, real worker threads and the real database. A step that waits polls the job's
progress endpoint, as the page's script does, until the worker has finished."""

from __future__ import annotations

import re
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from panelflow.attendance.models import AttendanceImportJob, AttendanceRecord
from panelflow.audit.models import AuditRecord
from panelflow.db import Database
from panelflow.organisations.models import Pupil
from tests.attendance.files import clean_week, make_roll, write_csv
from tests.attendance.weeks import AUTUMN_FIRST_HALF, add_period
from tests.factories import csrf_token
from tests.features.pages import person, read, scalars, signed_in, text

scenarios("attendance/upload.feature")


@pytest.fixture
def world(app: Flask, tmp_path: Path) -> dict[str, Any]:
    app.config["ATTENDANCE_UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    return {"users": {}, "pupils": {}, "files": tmp_path}


def _count(db: Database, model: type) -> int:
    [(found,)] = read(db, select(func.count()).select_from(model))
    return int(found)


# -- the cast ------------------------------------------------------------------------------


@given(
    "Birkenhead Park Primary has three pupils on its roll and the October half-term as a holiday"
)
def roll(session: Session, world: dict[str, Any]) -> None:
    make_roll(session)


@given(parsers.re(r"(?P<name>[A-Z]\w+ [A-Z]\w+) is an attendance lead at (?P<school>.+)$"))
def lead(session: Session, world: dict[str, Any], name: str, school: str) -> None:
    person(session, world, name, "attendance_lead", domain="school.example", school=school)


@given(parsers.parse("{first} is signed in"))
def is_signed_in(client: FlaskClient, db: Database, world: dict[str, Any], first: str) -> None:
    signed_in(client, db, world, first)


@given(parsers.parse("Birkenhead Park Primary has stored the first half-term for pupil {upn}"))
def stored_half_term(session: Session, upn: str) -> None:
    pupil = session.scalars(select(Pupil).where(Pupil.upn == upn)).one()
    add_period(session, pupil, *AUTUMN_FIRST_HALF, possible=70, attended=70)
    session.commit()


# -- uploading and pressing ----------------------------------------------------------------


def _upload(client: FlaskClient, world: dict[str, Any], name: str) -> TestResponse:
    page = client.get("/attendance/import")
    assert page.status_code == 200
    path: Path = world["files"] / name
    with path.open("rb") as stream:
        response = client.post(
            "/attendance/import",
            data={"csrf_token": csrf_token(page), "file": (stream, name)},
            content_type="multipart/form-data",
        )
    assert response.status_code == 303, text(response)[:500]
    world["job"] = response.headers["Location"]
    world["page"] = client.get(world["job"], follow_redirects=True)
    return response


def _sims_week(world: dict[str, Any], name: str) -> None:
    write_csv(world["files"] / name, clean_week())


@when(
    parsers.parse(
        '{first} uploads "{name}", a SIMS export of the week commencing 07/09/2026 for the '
        "three pupils"
    )
)
@given(
    parsers.parse(
        '{first} has uploaded "{name}", a SIMS export of the week commencing 07/09/2026 for '
        "the three pupils"
    )
)
def uploads_sims(client: FlaskClient, world: dict[str, Any], first: str, name: str) -> None:
    _sims_week(world, name)
    _upload(client, world, name)


@when(parsers.parse('{first} uploads "{name}" with these rows:'))
def uploads_rows(
    client: FlaskClient, world: dict[str, Any], first: str, name: str, datatable: list[list[str]]
) -> None:
    write_csv(world["files"] / name, datatable)
    _upload(client, world, name)


@when(parsers.parse('{first} uploads "{name}" again'))
def uploads_again(client: FlaskClient, world: dict[str, Any], first: str, name: str) -> None:
    _upload(client, world, name)


def _wait(client: FlaskClient, world: dict[str, Any]) -> None:
    """Poll the progress endpoint, as the page's script does, until the worker is done."""
    job = re.search(r"/attendance/imports/(\d+)", world["job"])
    assert job is not None
    deadline = time.monotonic() + 60
    while True:
        progress = client.get(f"/attendance/imports/{job[1]}/progress")
        assert progress.status_code == 200
        assert progress.json is not None
        if not progress.json["running"]:
            break
        assert time.monotonic() < deadline, "the worker did not finish in a minute"
        time.sleep(0.05)
    world["page"] = client.get(world["job"], follow_redirects=True)


@given(
    parsers.parse(
        '{first} has imported "{name}", a SIMS export of the week commencing 07/09/2026 for '
        "the three pupils"
    )
)
def has_imported(client: FlaskClient, world: dict[str, Any], first: str, name: str) -> None:
    _sims_week(world, name)
    _upload(client, world, name)
    _wait(client, world)
    _press(client, world, "Import 3 rows", {})
    _wait(client, world)
    assert "Attendance imported" in text(world["page"])


def _press(
    client: FlaskClient, world: dict[str, Any], button: str, extra: dict[str, str]
) -> TestResponse:
    page = world["page"]
    markup = page.get_data(as_text=True)
    assert button in text(page), text(page)
    forms = re.findall(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', markup, re.S)
    action, body = next((a, b) for a, b in forms if button in b)
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body))
    data.update({"csrf_token": csrf_token(page), **extra})
    response = client.post(action, data=data)
    world["page"] = response
    if response.status_code == 303:
        world["page"] = client.get(response.headers["Location"])
    return response


@when(parsers.parse('{first} presses "{button}"'))
def presses(client: FlaskClient, world: dict[str, Any], first: str, button: str) -> None:
    assert _press(client, world, button, {}).status_code == 303


@when(parsers.parse('{first} presses "{button}" without ticking the box'))
def presses_unticked(client: FlaskClient, world: dict[str, Any], first: str, button: str) -> None:
    assert _press(client, world, button, {}).status_code == 400


@when(parsers.parse('{first} ticks the box and presses "{button}"'))
def ticks_and_presses(client: FlaskClient, world: dict[str, Any], first: str, button: str) -> None:
    assert _press(client, world, button, {"confirm": "y"}).status_code == 303


@when(
    parsers.parse(
        '{first} chooses "{upn}" for the UPN, "{monday}" for the week commencing date and '
        '"{possible}" for the possible sessions'
    )
)
def chooses(
    client: FlaskClient, world: dict[str, Any], first: str, upn: str, monday: str, possible: str
) -> None:
    page = world["page"]
    assert page.request.path.endswith("/columns")
    data = {
        "csrf_token": csrf_token(page),
        "column-upn": upn,
        "column-week_commencing": monday,
        "column-possible": possible,
    }
    # The other values keep what the page chose for them (the headers it recognised).
    for key, header in re.findall(
        r'name="column-(\w+)">.*?<option value="([^"]*)" selected',
        page.get_data(as_text=True),
        re.S,
    ):
        data.setdefault(f"column-{key}", header)
    short = client.post(page.request.path, data={**data, "column-possible": ""})
    assert short.status_code == 400
    assert "Choose the column that holds the possible sessions" in text(short)
    response = client.post(page.request.path, data=data)
    assert response.status_code == 303, text(response)[:800]
    world["job"] = response.headers["Location"]


@when(parsers.parse("{first} signs in and opens Dana's upload"))
def other_signs_in(client: FlaskClient, db: Database, world: dict[str, Any], first: str) -> None:
    signed_in(client, db, world, first)


# -- what is seen --------------------------------------------------------------------------


@then(parsers.parse('the page says "{words}" once the check has finished'))
@then(parsers.parse('the page says "{words}" once the import has finished'))
def says_when_done(client: FlaskClient, world: dict[str, Any], words: str) -> None:
    _wait(client, world)
    assert words in text(world["page"]), text(world["page"])


@then(parsers.parse('the page says "{words}"'))
def says(world: dict[str, Any], words: str) -> None:
    assert words in text(world["page"]), text(world["page"])


@then("the page lists these problems:")
def lists_problems(world: dict[str, Any], datatable: list[list[str]]) -> None:
    markup = world["page"].get_data(as_text=True)
    table = markup[markup.index("Problems") :]
    rows = [
        [text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', table, re.S)
    ]
    listed = [row for row in rows if len(row) == 3]
    for row, column, says in datatable[1:]:
        at = [message for r, c, message in listed if (r, c) == (row, column)]
        assert at, f"nothing listed at row {row}, column {column}: {listed}"
        assert any(says in message for message in at), at
    assert {r for r, _, _ in listed} == {row for row, _, _ in datatable[1:]}


@then("the page does not offer to import only the clean rows")
def no_clean_rows(world: dict[str, Any]) -> None:
    assert "Import only the" not in text(world["page"])
    assert "Upload a corrected file" in text(world["page"])


@then("no attendance records are stored")
def none_stored(db: Database) -> None:
    assert _count(db, AttendanceRecord) == 0


@then("no attendance records are stored but the half-term")
def only_half_term(db: Database) -> None:
    kinds = scalars(db, select(AttendanceRecord.period_kind))
    assert kinds == ["half_term"]


@then(parsers.re(r"(?P<count>\d+) attendance records? (is|are) stored$"))
def stored(db: Database, count: str) -> None:
    assert _count(db, AttendanceRecord) == int(count)


@then(parsers.parse("the audit trail records the import of {rows:d} rows by {name}"))
def audited(db: Database, rows: int, name: str) -> None:
    [record] = scalars(db, select(AuditRecord).where(AuditRecord.action == "attendance.import"))
    assert record.actor_name == name
    assert record.details["rows_imported"] == rows
    assert "Taylor" not in str(record.details) + record.summary


@then(parsers.parse('the school\'s recent imports list "{name}" as imported by {who}'))
def recent(client: FlaskClient, name: str, who: str) -> None:
    page = text(client.get("/attendance/import"))
    assert f"{who} {name} 3 3 0 0 Imported" in page, page


@then(parsers.parse("pupil {upn} attended {attended:d} of {possible:d} sessions that week"))
def pupil_attended(db: Database, upn: str, attended: int, possible: int) -> None:
    [found] = read(
        db,
        select(AttendanceRecord.attended_sessions, AttendanceRecord.possible_sessions)
        .join(Pupil, Pupil.id == AttendanceRecord.pupil_id)
        .where(Pupil.upn == upn, AttendanceRecord.period_start == date(2026, 9, 7)),
    )
    assert tuple(found) == (attended, possible)


@then(
    parsers.parse('{first} gets "{status:d}" for the upload\'s page, its progress and its import')
)
def refused(
    client: FlaskClient, db: Database, world: dict[str, Any], first: str, status: int
) -> None:
    [job_id] = scalars(db, select(AttendanceImportJob.id))
    assert client.get(f"/attendance/imports/{job_id}").status_code == status
    assert client.get(f"/attendance/imports/{job_id}/progress").status_code == status
    assert client.get(f"/attendance/imports/{job_id}/columns").status_code == status
    page = client.get("/attendance/import")
    assert page.status_code == 200 and "week.csv" not in text(page)
    response = client.post(
        f"/attendance/imports/{job_id}/import", data={"csrf_token": csrf_token(page)}
    )
    assert response.status_code == status
