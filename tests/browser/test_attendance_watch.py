"""Who may need help, in real Chromium: from the home page to the "may need a conversation"
list, then to the pupil's page with their attendance figures; axe on every page."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from panelflow.catalogue.operations import publish
from panelflow.db import Database
from panelflow.roles import cli_actor
from tests.attendance.weeks import add_weeks
from tests.factories import DEFAULT_SCHOOL, make_local_authority, make_pupil, make_school

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def weeks_imported(live_server: LiveServer, workflows_text: str) -> None:
    """Eight weeks of attendance at the school: one pupil just persistently absent, one
    falling fast, one steady."""
    database: Database = live_server.app.extensions["panelflow.db"]
    with database.sessions() as session:
        result = publish(session, workflows_text, "config/workflows.yaml", cli_actor("Wendy"))
        assert result.ok, result.problems
        school = make_school(session, DEFAULT_SCHOOL, make_local_authority(session))
        for given, weeks in (
            ("Amara", [9, 9, 9, 10, 9, 9, 9, 8]),
            ("Cara", [10, 10, 10, 10, 9, 9, 8, 8]),
            ("Sam", [10] * 8),
        ):
            pupil = make_pupil(session, school, given_name=given, family_name="Hughes")
            add_weeks(session, pupil, [(10, n) for n in weeks])
        session.commit()


def test_an_attendance_lead_finds_who_may_need_a_conversation(
    page: Page,
    sign_in: Callable[..., None],
    weeks_imported: None,
    assert_accessible: Callable[[Page], None],
) -> None:
    sign_in("attendance_lead")
    page.goto("/")
    page.get_by_role("link", name="Pupils who may need a conversation").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("May need a conversation")
    listed = page.get_by_role("table", name="Pupils who may need a conversation")
    expect(listed.get_by_role("row")).to_have_count(3)  # the header, Amara and Cara
    expect(
        listed.get_by_text("Became persistently absent with the week of 13 April 2026")
    ).to_be_visible()
    expect(
        listed.get_by_text("Attendance fell from 100% to 85% over the last 4 school weeks")
    ).to_be_visible()
    expect(listed.get_by_role("link", name="Nominate Amara Hughes for the panel")).to_be_visible()
    expect(listed.get_by_text("Sam Hughes")).to_have_count(0)
    assert_accessible(page)

    listed.get_by_role("link", name="Amara Hughes", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amara Hughes")
    expect(page.get_by_role("heading", name="Attendance")).to_be_visible()
    expect(page.get_by_text("Persistent absence", exact=True)).to_be_visible()
    recent = page.get_by_role("table", name="Recent weeks, oldest first")
    expect(recent.get_by_role("row")).to_have_count(7)  # the header and six weeks
    expect(recent.get_by_role("row").last).to_contain_text("Week of 13 April 2026")
    expect(recent.get_by_role("row").last).to_contain_text("80%")
    assert_accessible(page)
