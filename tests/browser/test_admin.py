"""Administering accounts in real Chromium: an LA administrator lists the users, sends the
new-account form empty (errors shown), creates a CAMHS practitioner's account, then disables
it; axe on every page, with the errors on show.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from panelflow.catalogue.operations import engine_for, live_version, publish
from panelflow.db import Database
from panelflow.organisations.models import School
from panelflow.roles import cli_actor
from panelflow.workflows.definitions import WorkflowSet
from tests.factories import PASSWORD, make_local_authority

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer, PageProblems

pytestmark = pytest.mark.browser

TITLE_SUFFIX = " \N{EN DASH} panelflow"


@pytest.fixture
def live_definitions(live_server: LiveServer, workflows_text: str) -> WorkflowSet:
    """The shipped workflows published in the live server's database, and a school of the
    local authority the ``sign_in`` fixture's accounts belong to (Wirral Council)."""
    database: Database = live_server.app.extensions["panelflow.db"]
    with database.sessions() as session:
        live = live_version(session)
        if live is None or live.content != workflows_text:
            result = publish(
                session, workflows_text, "config/workflows.yaml", cli_actor("Wendy Editor")
            )
            assert result.ok and result.version is not None, result.problems
            live = result.version
        authority = make_local_authority(session, "Wirral Council")
        session.add(School(name="Birkenhead Park Primary", local_authority_id=authority.id))
        session.commit()
        return engine_for(live).definitions


def check_page(page: Page, assert_accessible: Callable[[Page], None], title: str) -> None:
    expect(page.locator("h1")).to_have_count(1)
    expect(page).to_have_title(title + TITLE_SUFFIX)
    assert "Traceback" not in page.content()
    assert_accessible(page)


def test_an_administrator_creates_an_account_and_disables_it(
    page: Page,
    page_problems: PageProblems,
    assert_accessible: Callable[[Page], None],
    live_definitions: WorkflowSet,
    sign_in: Callable[..., None],
) -> None:
    sign_in("la_admin")

    # The list of users.
    response = page.goto("/admin/users")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    check_page(page, assert_accessible, "Users")

    # The form, sent empty: every problem at once, in the summary and by each field.
    page.get_by_role("button", name="Create an account").click()
    expect(page).to_have_url(re.compile(r"/admin/users/new$"))
    check_page(page, assert_accessible, "Create an account")
    page.get_by_role("button", name="Create account").click()
    check_page(page, assert_accessible, "Error: Create an account")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter the person's full name")
    expect(summary).to_contain_text("Choose the agency this person works for")
    expect(summary).to_contain_text("Choose at least one role")
    summary.get_by_role("link", name="Enter the person's full name").click()
    expect(page.get_by_label("Full name")).to_be_focused()

    # Filled in properly.
    page.get_by_label("Full name").fill("Chris Doyle")
    page.get_by_label("Email address").fill("chris.doyle@camhs.example")
    page.get_by_role("radio", name=live_definitions.agencies["camhs"]).check()
    page.get_by_role(
        "checkbox", name=live_definitions.roles["camhs_practitioner"].label, exact=True
    ).check()
    page.get_by_label("Initial password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    # The new account's page.
    expect(page).to_have_url(re.compile(r"/admin/users/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Chris Doyle")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Account created for Chris Doyle"
    )
    expect(page.get_by_role("cell", name="CAMHS practitioner", exact=True)).to_be_visible()
    check_page(page, assert_accessible, "Chris Doyle")

    # Disabled.
    page.get_by_role("button", name="Disable account").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The account of Chris Doyle is disabled"
    )
    expect(page.get_by_role("button", name="Enable account")).to_be_visible()
    check_page(page, assert_accessible, "Chris Doyle")

    # Back in the list, disabled.
    page.get_by_role("link", name="Back to users").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Chris Doyle"))
    expect(row).to_contain_text("Disabled")
    expect(row).to_contain_text(live_definitions.agencies["camhs"])

    assert page_problems.all() == []


def test_an_administrator_creates_a_team(
    page: Page,
    page_problems: PageProblems,
    assert_accessible: Callable[[Page], None],
    live_definitions: WorkflowSet,
    sign_in: Callable[..., None],
) -> None:
    sign_in("la_admin")
    page.goto("/admin/users")
    page.get_by_role("link", name="Teams").click()
    check_page(page, assert_accessible, "Teams")

    page.get_by_role("button", name="Create team").click()  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, assert_accessible, "Error: Teams")

    page.get_by_label("Team name").fill("EWO team North")
    page.get_by_label("Agency").select_option(
        label=live_definitions.agency_label("attendance_service")
    )
    page.get_by_role("button", name="Create team").click()
    expect(page.get_by_role("cell", name="EWO team North")).to_be_visible()
    check_page(page, assert_accessible, "Teams")
    assert page_problems.all() == []
