"""The support-plan journey in real Chromium, with axe on every page.

An attendance lead opens support first for a pupil from the pupil's page, holds a first
review (no plan yet, so no targets), steps up, and agrees an attendance support plan with
the family: barriers ticked from the list, who will do what, a target, the review date and
the pupil's and the family's own words. A target without a date is shown beside its input,
with everything typed still there. The case page shows the plan; the plan document opens
to print. Weeks later, the review rates the target and steps up; the case page shows the
progress and the letter after the review.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.records import database, home_pupil

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer, PageProblems

pytestmark = pytest.mark.browser


@pytest.fixture
def alex(live_server: LiveServer, workflows_text: str) -> int:
    """The shipped workflows, and Alex Taylor at the school the lead will work at."""
    return home_pupil(live_server, workflows_text, "Alex", "Taylor")


def _weeks_pass(live_server: LiveServer, case_id: int, weeks: int) -> None:
    """Move the case's history back, as if the weeks had gone by."""
    from panelflow.cases.models import Case, CaseEvent, CaseTimer

    back = timedelta(weeks=weeks)
    with database(live_server).sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None
        for event in session.scalars(select(CaseEvent).where(CaseEvent.group_id == case.group_id)):
            event.at -= back
        for timer in session.scalars(select(CaseTimer).where(CaseTimer.case_id == case.id)):
            timer.entered_at -= back
            timer.due_at -= back
        case.state_entered_at -= back
        session.commit()


def test_a_plan_is_agreed_with_the_family_reviewed_and_stepped_up(
    page: Page,
    page_problems: PageProblems,
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., None],
    live_server: LiveServer,
    alex: int,
) -> None:
    in_six_weeks = (date.today() + timedelta(weeks=6)).isoformat()

    # Open support first from the pupil's page.
    sign_in("attendance_lead")
    page.goto(f"/pupils/{alex}")
    assert_accessible(page)
    page.get_by_role("link", name="Open support first for Alex").click()
    expect(page.get_by_role("heading", name="Open support first")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Open support first for Alex").click()
    expect(page.get_by_text("Support first opened for Alex")).to_be_visible()
    expect(page.get_by_text("No attendance support plan has been agreed yet")).to_be_visible()
    assert_accessible(page)
    case_path = page.url.removeprefix(live_server.url)
    case_id = int(case_path.rstrip("/").split("/")[-1])

    # A first review: no plan yet, so only the decision and the views.
    page.get_by_role("link", name="Review held").click()
    expect(page.get_by_text("There is no attendance support plan yet")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What has changed since the last review?").fill(
        "First-day calls every absence; mornings are hard"
    )
    page.get_by_label("Attendance since the last review (%)").fill("84")
    page.get_by_label("Step up to more support").check()
    page.get_by_label("What the pupil says, in their own words").fill("I hate Mondays.")
    page.get_by_role("button", name="Review held").click()
    expect(page.get_by_text("Decision: Step up to more support").first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Step up to targeted support").click()
    assert_accessible(page)
    page.get_by_label("Why is more support needed, and what was tried at this stage?").fill(
        "First-day calls and a welcome-back chat did not help"
    )
    page.get_by_role("button", name="Step up to targeted support").click()
    expect(page.get_by_text("Agreeing a plan with the family").first).to_be_visible()

    # The plan, first with a target that has no date.
    page.get_by_role("link", name="Attendance support plan agreed").click()
    expect(page.get_by_role("heading", name="The attendance support plan")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("group", name="Pupil").get_by_label("Anxiety or low mood").check()
    page.get_by_label("In words: what the pupil and the family say is getting in the way").fill(
        "Mornings are hard since dad moved out"
    )
    school = page.get_by_role("group", name="Commitment 1")
    school.get_by_label("Who").select_option(label="The school")
    school.get_by_label("What they will do").fill("A quiet start in the library each morning")
    family = page.get_by_role("group", name="Commitment 2")
    family.get_by_label("Who").select_option(label="The family")
    family.get_by_label("What they will do").fill("An alarm at 7:15 on school days")
    page.get_by_role("group", name="Target 1").get_by_label("The target").fill(
        "In school by 8:50 on four days a week"
    )
    page.get_by_label("When will the plan be reviewed?").fill(in_six_weeks)
    page.get_by_label("What the pupil says, in their own words").fill("I like the library.")
    page.get_by_label("What the family says, in their own words").fill("Fridays please.")
    page.get_by_role("button", name="Attendance support plan agreed").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    problem = page.get_by_role("link", name="Target 1: give a date to meet it by")
    expect(problem).to_be_visible()
    assert_accessible(page)
    problem.click()
    expect(
        page.get_by_role("group", name="Target 1").get_by_label("Date to meet it by")
    ).to_be_focused()
    expect(page.get_by_role("group", name="Target 1").get_by_label("The target")).to_have_value(
        "In school by 8:50 on four days a week"
    )
    expect(page.get_by_label("What the family says, in their own words")).to_have_value(
        "Fridays please."
    )
    expect(
        page.get_by_role("group", name="Pupil").get_by_label("Anxiety or low mood")
    ).to_be_checked()
    page.get_by_role("group", name="Target 1").get_by_label("Date to meet it by").fill(in_six_weeks)
    page.get_by_role("button", name="Attendance support plan agreed").click()

    # The case page shows the plan; the plan document opens to print.
    expect(page.get_by_text("Targeted support").first).to_be_visible()
    plan = page.locator("#support-plan")
    expect(plan).to_be_visible()
    expect(page.get_by_role("cell", name="In school by 8:50 on four days a week")).to_be_visible()
    expect(page.get_by_role("cell", name="Not reviewed yet")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Open the plan to print or share").click()
    expect(page.get_by_role("heading", name="Alex's attendance support plan")).to_be_visible()
    expect(page.get_by_text("An alarm at 7:15 on school days")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Back to the case").click()

    # Nine weeks later: the review rates the target, and the case steps up.
    _weeks_pass(live_server, case_id, 9)
    page.goto(case_path)
    page.get_by_role("link", name="Review held").click()
    target = page.get_by_role("group", name="Target 1: In school by 8:50 on four days a week")
    expect(target).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What has changed since the last review?").fill("The plan was followed")
    page.get_by_label("Attendance since the last review (%)").fill("70")
    target.get_by_label("Not met").check()
    page.get_by_label("Notes on target 1 (optional)").fill("Two days most weeks")
    page.get_by_label("Step up to more support").check()
    page.get_by_role("button", name="Review held").click()
    expect(page.get_by_role("cell", name="Not met Two days most weeks")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Open the letter to the family").click()
    expect(page.get_by_role("heading", name="How the targets went")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Back to the case").click()
    page.get_by_role("link", name="Step up to intensive multi-agency support").click()
    assert_accessible(page)
    page.get_by_label("Why is more support needed, and what was tried at this stage?").fill(
        "Nine weeks of the plan; still two days a week"
    )
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Intensive multi-agency support").first).to_be_visible()
    assert_accessible(page)
    # Fonts a quick navigation abandons are not problems; errors in the page are.
    assert page_problems.console_errors + page_problems.page_errors == []
