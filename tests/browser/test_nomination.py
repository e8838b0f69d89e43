"""Nominating and working on an action in real Chromium, with axe on every page.

A teacher adds a pupil who is not on the roll yet and nominates them in one sentence (the
form sent empty first, errors shown), lands on the pupil's page, opens the case; a CAMHS
practitioner finds an action in their inbox, accepts it and completes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from panelflow.actions.operations import create_action
from panelflow.cases.models import Case
from panelflow.organisations.models import Pupil
from panelflow.roles import Actor
from tests.browser.records import database, published

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer, PageProblems

pytestmark = pytest.mark.browser

CHAIR = Actor("test:chair", "Priya Shah", frozenset({"panel_chair"}), "school")


@pytest.fixture
def published_live(live_server: LiveServer, workflows_text: str) -> None:
    with database(live_server).sessions() as session:
        published(session, workflows_text)
        session.commit()


def test_a_teacher_nominates_and_camhs_completes_an_action(
    page: Page,
    page_problems: PageProblems,
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., None],
    live_server: LiveServer,
    published_live: None,
) -> None:
    sign_in("school_staff")
    page.goto("/nominate")
    expect(page.get_by_role("heading", name="Nominate a pupil for the panel")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="The pupil is not listed: add them and nominate them").click()
    page.get_by_role("button", name="Add and nominate").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_label("Date of birth").fill("4/5/2016")
    page.get_by_label("Year group").fill("5")
    page.get_by_label("Why are you nominating this pupil?").fill("Late most mornings.")
    page.get_by_role("button", name="Add and nominate").click()
    expect(page.get_by_role("heading", name="Nia Okafor", level=1)).to_be_visible()
    expect(page.get_by_text("Nia Okafor is on the agenda")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="School attendance panel").click()
    expect(page.get_by_text("On the panel agenda").first).to_be_visible()
    expect(page.get_by_text("Late most mornings.").first).to_be_visible()
    assert_accessible(page)

    page.goto("/pupils")
    assert_accessible(page)

    with database(live_server).sessions() as session:
        case = session.scalars(select(Case).join(Pupil).where(Pupil.given_name == "Nia")).one()
        create_action(session, case, CHAIR, title="Assess for anxiety support", agency="camhs")
        session.commit()

    page.get_by_role("button", name="Sign out").click()
    sign_in("camhs_practitioner")
    page.goto("/actions")
    assert_accessible(page)
    page.get_by_role("link", name="Assess for anxiety support").click()
    assert_accessible(page)
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Action accepted")).to_be_visible()
    page.get_by_role("link", name="Assess for anxiety support").click()
    page.get_by_label("What was the outcome?").fill("Six sessions agreed.")
    page.get_by_role("button", name="Complete the action").click()
    expect(page.get_by_text("Action completed")).to_be_visible()
    assert_accessible(page)
    # Resources cut short by moving on quickly (an icon) are not problems; errors are.
    assert not page_problems.page_errors and not page_problems.console_errors, page_problems
