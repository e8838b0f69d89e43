"""The auditor's view of the audit trail in real Chromium: search by pupil, page through the
results, open a record, check the chain (intact, then altered), and a date that does not
exist; axe on every page.

Records are written straight into the live server's database with ``log()``; the browser
conftest empties it after each test.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from panelflow.audit.models import AuditRecord
from panelflow.audit.operations import log
from panelflow.db import Database
from tests.factories import person

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer, PageProblems

pytestmark = pytest.mark.browser

TITLE_SUFFIX = " \N{EN DASH} panelflow"
CHAIR = person("Priya Shah", "panel_chair")
EWO = person("Ed Welfare", "ewo", agency="attendance_service")


def database(live_server: LiveServer) -> Database:
    found: Database = live_server.app.extensions["panelflow.db"]
    return found


@pytest.fixture
def trail(live_server: LiveServer) -> None:
    """60 records about pupil 42 (two pages of results), and a few about pupil 7."""
    with database(live_server).transaction() as session:
        for n in range(60):
            log(
                session,
                CHAIR if n % 2 else EWO,
                "case.transition" if n % 2 else "case.note",
                f"step {n} on the case",
                role="panel_chair" if n % 2 else "ewo",
                case_id=3,
                pupil_id=42,
                workflow_version=1,
                details={"trigger": "discuss", "fields": {"barriers": ["bus", "anxiety"]}},
            )
        for n in range(3):
            log(session, CHAIR, "case.open", f"opened case {n}", case_id=10 + n, pupil_id=7)


def check_page(page: Page, assert_accessible: Callable[[Page], None], title: str) -> None:
    expect(page.locator("h1")).to_have_count(1)
    assert page.title() == title + TITLE_SUFFIX, page.title()
    assert "Traceback" not in page.content()
    assert_accessible(page)


def test_an_auditor_searches_opens_a_record_and_checks_the_chain(
    page: Page,
    page_problems: PageProblems,
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., None],
    trail: None,
) -> None:
    sign_in("auditor")

    page.goto("/audit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    check_page(page, assert_accessible, "Audit trail")

    # Search by pupil: two pages of results, newest first.
    page.get_by_label("Pupil ID").fill("42")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/audit\?.*pupil=42"))
    expect(page.locator("#showing")).to_contain_text("Showing 1 to 50 of 60 records")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(50)
    expect(rows.first).to_contain_text("step 59 on the case")
    expect(page.get_by_label("Pupil ID")).to_have_value("42")  # the search is kept
    check_page(page, assert_accessible, "Audit trail")

    page.get_by_role("navigation", name="Pages of records").get_by_role("link", name="Next").click()
    expect(page.locator("#showing")).to_contain_text("Showing 51 to 60 of 60 records")
    expect(page.locator("tbody tr")).to_have_count(10)
    check_page(page, assert_accessible, "Audit trail")

    # Open the newest of them.
    page.get_by_role("navigation", name="Pages of records").get_by_role(
        "link", name="Page 1", exact=True
    ).click()
    page.locator("tbody tr").first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/audit/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("case.transition")
    expect(page.locator("#details")).to_contain_text('{"barriers": ["bus", "anxiety"]}')
    expect(
        page.get_by_text("Previous record\N{RIGHT SINGLE QUOTATION MARK}s fingerprint")
    ).to_be_visible()
    seq = page.url.rsplit("/", 1)[1]
    check_page(page, assert_accessible, f"Audit record {seq}")

    # Back to the trail, and check the chain.
    page.get_by_role("link", name="Audit trail").first.click()
    page.get_by_role("button", name="Check the audit trail").click()
    expect(page).to_have_url(re.compile(r"/audit/verify$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("The audit trail is intact")
    expect(page.locator(".govuk-panel__body")).to_contain_text("records checked")
    check_page(page, assert_accessible, "The audit trail is intact")

    assert page_problems.all() == []


def test_an_altered_record_is_named_and_linked(
    page: Page,
    live_server: LiveServer,
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., None],
    trail: None,
) -> None:
    with database(live_server).transaction() as session:
        session.execute(update(AuditRecord).where(AuditRecord.seq == 17).values(summary="edited"))
    sign_in("auditor")

    page.goto("/audit")
    page.get_by_role("button", name="Check the audit trail").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("The audit trail has been altered")
    expect(page.locator("main")).to_contain_text("record 17 (case.note")
    check_page(page, assert_accessible, "The audit trail has been altered")
    page.get_by_role("link", name="Open record 17").click()
    expect(page).to_have_url(re.compile(r"/audit/17$"))
    expect(page.locator("main")).to_contain_text("edited")


def test_a_date_that_does_not_exist_is_explained_and_linked_to_its_box(
    page: Page,
    page_problems: PageProblems,
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., None],
    trail: None,
) -> None:
    sign_in("auditor")
    page.goto("/audit")

    date_from = page.get_by_role("group", name="Date from")
    date_from.get_by_label("Day").fill("31")
    date_from.get_by_label("Month").fill("2")
    date_from.get_by_label("Year").fill("2025")
    page.get_by_role("button", name="Search").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    expect(summary).to_contain_text("Date from must be a real date")
    expect(page.locator("#date_from-error")).to_contain_text("Date from must be a real date")
    expect(date_from.get_by_label("Day")).to_have_value("31")
    expect(page.locator("tbody tr")).to_have_count(0)
    check_page(page, assert_accessible, "Error: Audit trail")

    summary.get_by_role("link", name="Date from must be a real date").click()
    expect(date_from.get_by_label("Day")).to_be_focused()

    # The page was answered 400 (Chromium logs that); nothing else went wrong.
    assert page_problems.all() == []
