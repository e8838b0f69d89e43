"""Recording and withdrawing consent to share in real Chromium, with axe on every page.

An attendance lead opens a pupil's page, first sends the form with the date given in the
future (the problems are shown beside the answers), then records the mother's consent to
share with CAMHS, and later records that she withdrew it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from panelflow.db import utcnow
from panelflow.sharing.operations import today
from tests.browser.records import fill_date, home_pupil

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer, PageProblems

pytestmark = pytest.mark.browser


@pytest.fixture
def ben(live_server: LiveServer, workflows_text: str) -> int:
    return home_pupil(live_server, workflows_text, "Ben", "Taylor")


def test_consent_to_share_is_recorded_and_withdrawn(
    page: Page,
    page_problems: PageProblems,
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., None],
    ben: int,
) -> None:
    now = today(utcnow())
    sign_in("attendance_lead")
    page.goto(f"/pupils/{ben}")
    expect(page.get_by_role("heading", name="Information sharing")).to_be_visible()
    expect(page.get_by_text("No consent or lawful basis for sharing is recorded")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Record consent or a lawful basis for sharing").click()
    assert_accessible(page)
    page.get_by_label("CAMHS (child and adolescent mental health services)").check()
    page.get_by_label("Consent", exact=True).check()
    page.get_by_label("What will be shared, and what for").fill("Attendance, for a consultation")
    page.get_by_label("Given by").fill("Jo Taylor, mother")
    fill_date(page, "Date given", now + timedelta(days=2))
    page.get_by_role("button", name="Record it").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(
        page.get_by_role("link", name="The date it was given must be today or in the past")
    ).to_be_visible()
    assert_accessible(page)

    fill_date(page, "Date given", now)
    page.get_by_role("button", name="Record it").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Ben's cases may be shared with CAMHS"
    )
    expect(page.locator(".govuk-tag", has_text="Current")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Withdraw sharing").click()
    expect(page.get_by_role("heading", name="Withdraw sharing with CAMHS")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Who withdrew it").fill("Jo Taylor, mother")
    page.get_by_label("How they told us").fill("By phone to the school office")
    page.get_by_role("button", name="Record the withdrawal").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Withdrawal recorded")
    expect(page.locator(".govuk-tag", has_text="Withdrawn")).to_be_visible()
    assert_accessible(page)
    assert page_problems.all() == []
