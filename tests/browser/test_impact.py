"""The impact report and barrier themes in real Chromium, with axe on every page.

A panel chair whose panel ran the known cohort (23 pupils, 19 improved, +16 points) opens
the report, sees the chart drawn as an image with its table, the withheld groups, and a
filter typed wrongly explained; then the barrier themes with their chart.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from panelflow.panels.models import CaseBarrier
from tests.browser.records import database, fill_boxes, published
from tests.factories import PASSWORD
from tests.impact.builders import known_cohort, school_with_panel

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer, PageProblems

pytestmark = pytest.mark.browser


@pytest.fixture
def chair_email(live_server: LiveServer, workflows_text: str) -> str:
    with database(live_server).sessions() as session:
        published(session, workflows_text)
        at = school_with_panel(session, chair_email="priya@school.example")
        known_cohort(session, at)
        for n, case_id in enumerate(list(at.cases.values())[:14]):
            session.add(
                CaseBarrier(
                    case_id=case_id,
                    category="pupil" if n < 8 else "family",
                    barrier="anxiety or low mood" if n < 8 else "poverty or debt",
                    recorded_by_name="Priya Shah",
                    at=datetime(2025, 3 + n % 2, 12, 10, tzinfo=UTC),
                )
            )
        session.commit()
    return "priya@school.example"


def _image_loaded(page: Page, alt_start: str) -> None:
    image = page.locator(f'img[alt^="{alt_start}"]')
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")


def test_the_chair_reads_the_report_and_the_barrier_themes(
    page: Page,
    page_problems: PageProblems,
    assert_accessible: Callable[[Page], None],
    chair_email: str,
) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(chair_email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.wait_for_load_state("networkidle")

    page.goto("/impact")
    expect(page.get_by_role("heading", name="Impact of funded help")).to_be_visible()
    assert_accessible(page)
    fill_boxes(page, "Interventions starting from", "1", "1", "2025")
    fill_boxes(page, "Interventions starting up to", "31", "7", "2025")
    page.get_by_role("button", name="Show the report").click()
    expect(page.locator("#headline")).to_contain_text(
        "19 of 23 pupils measured improved their attendance, by +16.0 percentage points"
    )
    _image_loaded(page, "Bar chart of mean attendance before and after")
    row = page.locator("#table-types tbody tr", has_text="Inspiring Futures")
    expect(row.locator("td").nth(2)).to_have_text("+16.0")
    looked_after = page.locator("#table-looked_after tbody tr", has_text="Not looked after")
    expect(looked_after.locator("td").first).to_have_text("fewer than 5")
    assert_accessible(page)

    page.get_by_label("School weeks before").fill("none")
    page.get_by_role("button", name="Show the report").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "School weeks before must be a whole number of school weeks from 1 to 26"
    )
    assert_accessible(page)
    page.wait_for_load_state("networkidle")  # icons loaded before we leave

    page.goto(
        "/impact/barriers?date_from=1&date_from=1&date_from=2025&date_to=31&date_to=7&date_to=2025"
    )
    expect(page.locator("#headline")).to_contain_text("Barriers were recorded for 14 pupils")
    _image_loaded(page, "Line chart of the number of pupils with barriers")
    expect(
        page.locator("#table-barriers tbody tr", has_text="anxiety or low mood")
    ).to_contain_text("8")
    assert_accessible(page)
    page.wait_for_load_state("networkidle")
    assert page_problems.all() == []
