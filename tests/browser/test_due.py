"""'Cases that need you' in real Chromium: the home page points an attendance lead to the
inbox, the inbox lists the review that came due, and the full list; axe on every page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from panelflow.cases.operations import open_case, tick
from panelflow.catalogue.operations import publish
from panelflow.db import Database, utcnow
from panelflow.roles import Actor, cli_actor
from tests.factories import make_pupil

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

LEAD = Actor("test:lead", "Lee Lane", frozenset({"attendance_lead"}), "school")


@pytest.fixture
def overdue_review(live_server: LiveServer, workflows_text: str) -> None:
    """A support-first case opened a school year ago, its review flags raised by the timer."""
    database: Database = live_server.app.extensions["panelflow.db"]
    with database.sessions() as session:
        result = publish(session, workflows_text, "config/workflows.yaml", cli_actor("Wendy"))
        assert result.ok, result.problems
        pupil = make_pupil(session, given_name="Robin", family_name="Ashby")
        open_case(session, pupil, "support_first", LEAD, now=utcnow() - timedelta(weeks=40))
        assert tick(session).flagged == 2
        session.commit()


def test_an_attendance_lead_finds_the_review_that_came_due(
    page: Page,
    sign_in: Callable[..., None],
    overdue_review: None,
    assert_accessible: Callable[[Page], None],
) -> None:
    sign_in("attendance_lead")

    page.goto("/")
    expect(page.get_by_text("2 items due now on the cases you can move on")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Go to your actions and the cases that need you").click()

    expect(page.get_by_role("heading", name="Cases that need you")).to_be_visible()
    due_now = page.get_by_role("table", name="Due now: longest waiting first")
    expect(due_now.get_by_role("row")).to_have_count(3)  # the header and both flags
    expect(due_now.get_by_text("Review overdue")).to_be_visible()
    assert_accessible(page)

    due_now.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Support first")

    page.goto("/due")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases that need you")
    expect(page.get_by_text("Nothing falls due in the next 2 school weeks.")).to_be_visible()
    assert_accessible(page)
