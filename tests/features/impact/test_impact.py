"""Steps for the impact report and barrier themes, through the real pages with a signed-in
client. Records are built through the operations (``tests/impact/builders.py``); the tables
are read from the page's HTML as a person reads them, row by row."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.audit.models import AuditRecord
from panelflow.catalogue.models import WorkflowVersion
from panelflow.db import Database
from panelflow.organisations.models import Pupil
from panelflow.panels.models import CaseBarrier
from tests.features.pages import person, read, signed_in, text
from tests.impact.builders import (
    AFTER_WEEKS,
    BEFORE_WEEKS,
    KNOWN_BEFORE,
    Setting,
    add_pupils,
    attendance,
    funded,
    known_cohort,
    school_with_panel,
)

scenarios("impact/impact.feature")


class Tables(HTMLParser):
    """Each table of a page by its caption: rows of [header cell, data cells...] as text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: str | None = None
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._rows, self._caption = [], ""
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None and self._rows:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[" ".join((self._caption or "").split())] = self._rows
            self._rows = None

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            self._caption = (self._caption or "") + data
        elif self._cell is not None:
            self._cell.append(data)


def tables_of(page: Any) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(page.get_data(as_text=True))
    return parser.tables


@pytest.fixture
def world() -> dict[str, Any]:
    return {"users": {}, "settings": {}}


def period(start: str, end: str) -> str:
    (d1, m1, y1), (d2, m2, y2) = start.split("/"), end.split("/")
    return f"date_from={d1}&date_from={m1}&date_from={y1}&date_to={d2}&date_to={m2}&date_to={y2}"


# -- the records -----------------------------------------------------------------------------


@given("the workflows in config/workflows.yaml are published")
def _published(published: WorkflowVersion) -> None:
    assert published.number == 1


def _setting(session: Session, world: dict[str, Any], school: str) -> Setting:
    if school not in world["settings"]:
        world["settings"][school] = school_with_panel(session, school)
    found: Setting = world["settings"][school]
    return found


@given(parsers.parse('{school} ran "{programme}" for the 23 pupils of the known cohort'))
def _known(session: Session, world: dict[str, Any], school: str, programme: str) -> None:
    known_cohort(session, _setting(session, world, school), programme.replace('""', '"'))
    session.commit()


@given(parsers.parse("{first} {family} is the panel chair at {school}"))
def _chair(session: Session, world: dict[str, Any], first: str, family: str, school: str) -> None:
    world["users"][first] = _setting(session, world, school).chair.id


@given(parsers.re(r"(?P<name>[A-Z]\w+ [A-Z]\w+) is an LA administrator$"))
def _administrator(session: Session, world: dict[str, Any], name: str) -> None:
    person(session, world, name, "la_admin", domain="council.example")


@given(parsers.re(r"(?P<name>[A-Z]\w+ [A-Z]\w+) is a teacher at (?P<school>.+)$"))
def _teacher(session: Session, world: dict[str, Any], name: str, school: str) -> None:
    person(session, world, name, "school_staff", domain="school.example", school=school)


@given(parsers.parse("{count:d} more pupils at {school} had a bus pass and improved"))
def _bus_passes(session: Session, world: dict[str, Any], count: int, school: str) -> None:
    at = _setting(session, world, school)
    for pupil_id in add_pupils(session, at, count):
        funded(session, at, pupil_id, "transport", 4_500)
        attendance(session, at.school, pupil_id, BEFORE_WEEKS, KNOWN_BEFORE)
        attendance(session, at.school, pupil_id, AFTER_WEEKS, 45)
    session.commit()


@given(
    parsers.parse("{count:d} more pupils at {school} had a bus pass with no attendance imported")
)
def _unmeasured(session: Session, world: dict[str, Any], count: int, school: str) -> None:
    at = _setting(session, world, school)
    for pupil_id in add_pupils(session, at, count):
        funded(session, at, pupil_id, "transport", 4_500)
    session.commit()


@given(
    parsers.parse(
        'the panel recorded "{first}" for {n1:d} pupils, "{second}" for {n2:d} pupils and '
        '"{third}" for {n3:d} pupils in March 2025'
    )
)
def _barriers(
    session: Session,
    world: dict[str, Any],
    first: str,
    n1: int,
    second: str,
    n2: int,
    third: str,
    n3: int,
) -> None:
    at: Setting = next(iter(world["settings"].values()))
    categories = {"anxiety or low mood": "pupil", "bullying": "school", "poverty or debt": "family"}
    cases = iter(at.cases.values())
    for barrier, count in ((first, n1), (second, n2), (third, n3)):
        for _ in range(count):
            session.add(
                CaseBarrier(
                    case_id=next(cases),
                    category=categories[barrier],
                    barrier=barrier,
                    recorded_by_name="Priya Shah",
                    at=datetime(2025, 3, 12, 10, tzinfo=UTC),
                )
            )
    session.commit()


# -- the pages -------------------------------------------------------------------------------


@given(parsers.parse("{first} is signed in"))
@when(parsers.parse("{first} is signed in"))
def _signed_in(client: FlaskClient, db: Database, world: dict[str, Any], first: str) -> None:
    signed_in(client, db, world, first)


@when(
    parsers.parse(
        '{first} opens the impact report for interventions starting from "{start}" to "{end}"'
    )
)
def _opens_report(
    client: FlaskClient, world: dict[str, Any], first: str, start: str, end: str
) -> None:
    world["response"] = client.get(f"/impact?{period(start, end)}")
    assert world["response"].status_code == 200, text(world["response"])[:500]


@when(parsers.parse('{first} opens the barrier themes from "{start}" to "{end}"'))
def _opens_barriers(
    client: FlaskClient, world: dict[str, Any], first: str, start: str, end: str
) -> None:
    world["query"] = period(start, end)
    world["response"] = client.get(f"/impact/barriers?{world['query']}")
    assert world["response"].status_code == 200, text(world["response"])[:500]


@when(parsers.parse('{first} opens "{path}"'))
def _opens(client: FlaskClient, world: dict[str, Any], first: str, path: str) -> None:
    world["response"] = client.get(path)


@when(
    parsers.parse(
        '{first} downloads the "{table}" table as {kind} for interventions starting from '
        '"{start}" to "{end}"'
    )
)
def _downloads(
    client: FlaskClient,
    world: dict[str, Any],
    first: str,
    table: str,
    kind: str,
    start: str,
    end: str,
) -> None:
    response = client.get(f"/impact/export/{table}.{kind.lower()}?{period(start, end)}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    world["download"] = response.get_data()


@then(parsers.parse('the "{caption}" row "{label}" reads "{figures}"'))
def _row_reads(world: dict[str, Any], caption: str, label: str, figures: str) -> None:
    tables = tables_of(world["response"])
    assert caption in tables, f"no table {caption!r}: {list(tables)}"
    rows = {row[0]: row[1:] for row in tables[caption] if row}
    assert label in rows, f"no row {label!r} in {caption!r}: {list(rows)}"
    assert ", ".join(rows[label]).startswith(figures), rows[label]


@then(parsers.parse('there is no "{caption}" table'))
def _no_table(world: dict[str, Any], caption: str) -> None:
    assert caption not in tables_of(world["response"])


@then(parsers.parse('the page says "{words}"'))
def _says(world: dict[str, Any], words: str) -> None:
    assert words in text(world["response"]), text(world["response"])


@then("no pupil is named on the page")
def _nobody_named(db: Database, world: dict[str, Any]) -> None:
    page = text(world["response"])
    for given_name, family_name in read(db, select(Pupil.given_name, Pupil.family_name)):
        assert f"{given_name} {family_name}" not in page
        assert given_name not in page


@then(parsers.parse("{first} is refused the impact report and the barrier themes"))
def _refused(client: FlaskClient, first: str) -> None:
    for path in ("/impact", "/impact/barriers", "/impact/chart.svg", "/impact/export/types.csv"):
        assert client.get(path).status_code == 403, path


@then(parsers.parse('{first} sees the problem "{message}"'))
def _problem(world: dict[str, Any], first: str, message: str) -> None:
    response = world["response"]
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page
    assert message in page, page


@then(parsers.parse('the CSV row "{label}" reads "{figures}"'))
def _csv_row(world: dict[str, Any], label: str, figures: str) -> None:
    content = world["download"].decode("utf-8-sig")
    rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(content))}
    assert ",".join(rows[label]) == figures, rows[label]


@then(parsers.parse('the XLSX row "{label}" reads "{figures}"'))
def _xlsx_row(world: dict[str, Any], label: str, figures: str) -> None:
    sheet = load_workbook(io.BytesIO(world["download"]), read_only=True).active
    assert sheet is not None
    rows = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True)}
    assert ", ".join(str(v) for v in rows[label]).startswith(figures), rows[label]


@then(
    parsers.parse(
        "the audit trail records {count:d} downloads of impact tables, with their filters "
        "and no names"
    )
)
def _audited(db: Database, count: int) -> None:
    records = [
        r for (r,) in read(db, select(AuditRecord).where(AuditRecord.action == "impact.exported"))
    ]
    assert len(records) == count
    names = {f"{g} {f}" for g, f in read(db, select(Pupil.given_name, Pupil.family_name))}
    for record in records:
        assert record.details["filters"]["from"] == "2025-01-01"
        assert record.details["filters"]["before_weeks"] == 6
        assert record.details["rows"] >= 2
        assert not any(name in str(record.details) + record.summary for name in names)


@then("the CSV's first cell of the programme's row starts with an apostrophe")
def _csv_escaped(world: dict[str, Any]) -> None:
    content = world["download"].decode("utf-8-sig")
    labels = [row[0] for row in csv.reader(io.StringIO(content))]
    assert '\'=HYPERLINK("http://x.example") (group programme)' in labels, labels


@then("the XLSX holds the programme's name as text, not a formula")
def _xlsx_text(world: dict[str, Any]) -> None:
    sheet = load_workbook(io.BytesIO(world["download"])).active
    assert sheet is not None
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    named = [c for c in cells if str(c.value).startswith("=HYPERLINK")]
    assert named and all(c.data_type == "s" for c in named), [(c.value, c.data_type) for c in cells]


@then("both charts are SVG images with the figures' tables beside them")
def _charts(client: FlaskClient, world: dict[str, Any]) -> None:
    page = world["response"].get_data(as_text=True)
    assert 'alt="Line chart of the number of pupils with barriers recorded each month' in page
    chart = client.get(f"/impact/barriers/chart.svg?{world['query']}")
    assert chart.status_code == 200
    assert chart.mimetype == "image/svg+xml"
    assert chart.get_data(as_text=True).lstrip().startswith("<?xml")
    report = client.get(f"/impact?{world['query']}")
    assert 'alt="Bar chart of mean attendance before and after' in report.get_data(as_text=True)
    bars = client.get(f"/impact/chart.svg?{world['query']}")
    assert bars.status_code == 200 and b"<svg" in bars.get_data()
