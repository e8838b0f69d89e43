"""A month of panel work in real Chromium, with axe on every page.

A teacher nominates two pupils. The chair runs the meeting on the shared screen: who is
there, each pupil in turn (discussion, barriers, an action for CAMHS, the outcome), then
closes it and reads the minutes. The CAMHS practitioner accepts and completes the action.
Four school weeks later the pupil is back on the next meeting's agenda by themselves, and
the panel reviews the case and closes it as improved.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from panelflow.cases.models import Case
from panelflow.cases.operations import tick
from panelflow.db import utcnow
from panelflow.organisations.models import Pupil
from panelflow.panels.models import Meeting, Panel, PanelSchool
from tests.browser.records import database, home_school, published

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer, PageProblems

pytestmark = pytest.mark.browser


@pytest.fixture
def two_meetings(live_server: LiveServer, workflows_text: str) -> tuple[int, int]:
    """The shipped workflows published; the school's panel meets tomorrow and in 5 weeks."""
    with database(live_server).sessions() as session:
        published(session, workflows_text)
        school = home_school(session)
        panel = Panel(name="Park attendance panel", local_authority_id=school.local_authority_id)
        session.add(panel)
        session.flush()
        session.add(PanelSchool(panel_id=panel.id, school_id=school.id))
        first = Meeting(panel_id=panel.id, starts_at=utcnow() + timedelta(days=1))
        second = Meeting(panel_id=panel.id, starts_at=utcnow() + timedelta(days=35))
        session.add_all([first, second])
        session.commit()
        return first.id, second.id


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_a_month_of_panel_work(
    page: Page,
    page_problems: PageProblems,
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., None],
    live_server: LiveServer,
    two_meetings: tuple[int, int],
) -> None:
    first, second = two_meetings

    # A teacher nominates two pupils, each in one sentence.
    sign_in("school_staff")
    for given, family, why in (
        ("Amara", "Hughes", "Anxious on Monday mornings."),
        ("Ben", "Roberts", "Misses the bus most days."),
    ):
        page.goto("/nominate/new")
        page.get_by_label("First name").fill(given)
        page.get_by_label("Last name").fill(family)
        page.get_by_label("Date of birth").fill("4/5/2016")
        page.get_by_label("Year group").fill("5")
        page.get_by_label("Why are you nominating this pupil?").fill(why)
        page.get_by_role("button", name="Add and nominate").click()
        expect(page.get_by_text(f"{given} {family} is on the agenda")).to_be_visible()
    _sign_out(page)

    # The chair runs the meeting.
    sign_in("panel_chair")
    page.goto(f"/meetings/{first}")
    expect(page.get_by_text("Anxious on Monday mornings.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Start the meeting").click()
    expect(page.get_by_role("heading", name="Who is at the meeting")).to_be_visible()
    page.get_by_label("Name (person 1)").fill("Sam Lee")
    page.get_by_label("Agency or role (person 1)").fill("Youth service")
    assert_accessible(page)
    page.get_by_role("button", name="Save and go to the first pupil").click()

    expect(page.get_by_role("heading", name="Amara Hughes", level=1)).to_be_visible()
    expect(page.get_by_text("Pupil 1 of 2")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Notes of the discussion").fill("Worried about tests; mum works early.")
    page.get_by_label("Anxiety or low mood").check()
    page.get_by_role("button", name="Save the discussion").click()
    page.get_by_label("What will be done").fill("Offer a CAMHS consultation")
    page.get_by_label("Who will do it").select_option(
        label="Any CAMHS practitioner (CAMHS (child and adolescent mental health services))"
    )
    page.get_by_role("button", name="Agree this action").click()
    expect(page.get_by_text("Offer a CAMHS consultation: CAMHS practitioner")).to_be_visible()
    page.get_by_role("link", name="Discuss at the panel").click()
    expect(
        page.get_by_label("What did the panel agree, who will do each action, and by when?")
    ).to_contain_text("Offer a CAMHS consultation")
    assert_accessible(page)
    page.get_by_role("button", name="Discuss at the panel").click()

    expect(page.get_by_role("heading", name="Ben Roberts", level=1)).to_be_visible()
    page.get_by_role("link", name="Discuss at the panel").click()
    page.get_by_label("What is getting in the way of this pupil attending?").fill("Transport.")
    page.get_by_label("What did the panel agree, who will do each action, and by when?").fill(
        "School to lend a bike."
    )
    page.get_by_role("button", name="Discuss at the panel").click()

    expect(page.get_by_role("heading", name="Close the meeting")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Close the meeting and send the actions").click()
    expect(page.get_by_role("heading", name="Minutes: panel meeting", exact=False)).to_be_visible()
    expect(page.get_by_text("Sam Lee (Youth service)")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the minutes as a PDF").click()
    assert download.value.suggested_filename.startswith("panel-minutes-")
    _sign_out(page)

    # CAMHS accepts the action and completes it.
    sign_in("camhs_practitioner")
    page.goto("/actions")
    page.get_by_role("link", name="Offer a CAMHS consultation").click()
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Action accepted")).to_be_visible()
    page.get_by_role("link", name="Offer a CAMHS consultation").click()
    page.get_by_label("What was the outcome?").fill("Two sessions; anxiety easing.")
    page.get_by_role("button", name="Complete the action").click()
    expect(page.get_by_text("Action completed")).to_be_visible()
    _sign_out(page)

    # Four school weeks on, the review comes round by itself.
    with database(live_server).sessions() as session:
        assert tick(session, now=utcnow() + timedelta(days=33)).fired >= 2
        session.commit()

    sign_in("panel_chair")
    page.goto(f"/meetings/{second}")
    expect(page.get_by_text("Review").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Start the meeting").click()
    page.get_by_role("button", name="Save and go to the first pupil").click()
    expect(page.get_by_role("heading", name="Amara Hughes", level=1)).to_be_visible()
    expect(page.get_by_text("Worried about tests; mum works early.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Review: close, attendance has improved").click()
    page.get_by_label("What has changed since the last review?").fill(
        "CAMHS sessions helped; in every day."
    )
    page.get_by_label("Attendance since the last review (%) (optional)").fill("96")
    page.get_by_role("button", name="Review: close, attendance has improved").click()
    expect(page.get_by_role("heading", name="Ben Roberts", level=1)).to_be_visible()

    with database(live_server).sessions() as session:
        amara = session.scalars(select(Case).join(Pupil).where(Pupil.given_name == "Amara")).one()
        assert amara.state == "closed_improved"
    # Resources cut short by moving on quickly (an icon) are not problems; errors are.
    assert not page_problems.page_errors and not page_problems.console_errors, page_problems
