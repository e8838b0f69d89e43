"""The workflow catalogue in real Chromium: from the home page to a workflow, its diagram,
the list of workflows, the versions and one version; axe on every page; the skip link.

The live server runs on the test database, emptied after each test (see conftest.py); each
test first publishes the shipped workflow file into it. Apart from the four workflow keys,
names and titles are read from the published definitions, because ``config/workflows.yaml``
is being revised.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from panelflow.catalogue.models import WorkflowVersion
from panelflow.catalogue.operations import engine_for, live_version, publish
from panelflow.db import Database
from panelflow.roles import cli_actor
from panelflow.workflows.definitions import WorkflowSet

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer, PageProblems

pytestmark = pytest.mark.browser

WORKFLOW_KEYS = ("school_panel", "support_first", "ewo_consultation", "statutory_referral")
TITLE_SUFFIX = " \N{EN DASH} panelflow"


@pytest.fixture
def live_definitions(live_server: LiveServer, workflows_text: str) -> WorkflowSet:
    """Publish the shipped workflow file into the live server's database (unless it is
    already the live version) and return its definitions. The browser conftest empties the
    database after each test, so this runs for each test."""
    database: Database = live_server.app.extensions["panelflow.db"]
    with database.sessions() as session:
        live = live_version(session)
        if live is None or live.content != workflows_text:
            result = publish(
                session, workflows_text, "config/workflows.yaml", cli_actor("Wendy Editor")
            )
            assert result.ok, result.problems
            session.commit()
            live = result.version
        assert isinstance(live, WorkflowVersion)
        return engine_for(live).definitions


def check_page(page: Page, assert_accessible: Callable[[Page], None]) -> None:
    """One h1, a title naming the page and then the service, and no serious or critical
    accessibility violation."""
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_be_visible()
    title = page.title()
    h1 = page.locator("h1").inner_text().strip()
    if h1 == "panelflow":
        # The home page: its heading is the service name, and its title is just that
        # ("panelflow", not "panelflow" twice).
        assert title == "panelflow", f"{page.url}: title {title!r}"
    else:
        assert title.endswith(TITLE_SUFFIX), f"{page.url}: title {title!r}"
        assert len(title) > len(TITLE_SUFFIX), f"{page.url}: title {title!r}"
    assert "Traceback" not in page.content()
    assert_accessible(page)


@pytest.mark.parametrize("key", WORKFLOW_KEYS)
def test_from_home_to_a_workflow_its_diagram_and_the_versions(
    page: Page,
    page_problems: PageProblems,
    assert_accessible: Callable[[Page], None],
    live_definitions: WorkflowSet,
    key: str,
    sign_in: Callable[..., None],
) -> None:
    sign_in("school_staff")
    wf = live_definitions.workflows[key]

    # Home.
    response = page.goto("/")
    assert response is not None and response.status == 200
    check_page(page, assert_accessible)

    # Follow the link to the workflow.
    page.get_by_role("link", name=wf.title, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/workflows/{key}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(wf.title)
    check_page(page, assert_accessible)

    # The diagram image loads.
    image = page.locator("img.panelflow-diagram__image")
    expect(image).to_be_visible()
    page.wait_for_function("() => document.querySelector('img.panelflow-diagram__image').complete")
    assert image.evaluate("img => img.naturalWidth") > 0
    assert image.get_attribute("alt")

    # "Open the diagram full size" gives the SVG.
    with page.expect_navigation() as navigation:
        page.get_by_role("link", name="Open the diagram full size").click()
    svg = navigation.value
    assert svg is not None and svg.status == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert re.search(rf"/workflows/versions/\d+/{key}/diagram\.svg$", page.url)
    body = svg.text()
    for state in wf.states:
        assert state in body, state
    page.go_back()
    expect(page).to_have_url(re.compile(rf"/workflows/{key}$"))

    # Back to all workflows.
    page.get_by_role("link", name="All workflows").click()
    expect(page).to_have_url(re.compile(r"/workflows$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Workflows")
    for other in live_definitions.workflows.values():
        expect(page.get_by_role("link", name=other.title, exact=True)).to_be_visible()
    check_page(page, assert_accessible)

    # The versions page.
    page.get_by_role("link", name="See every version and what changed").click()
    expect(page).to_have_url(re.compile(r"/workflows/versions$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Workflow versions")
    check_page(page, assert_accessible)

    # Version 1.
    page.get_by_role("link", name="Version 1", exact=True).click()
    expect(page).to_have_url(re.compile(r"/workflows/versions/1$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Workflow version 1")
    check_page(page, assert_accessible)

    # Viewing the SVG on its own makes Chromium ask for /favicon.ico (an SVG document names
    # no icon), which the app does not serve at that address; that is not this journey's
    # concern.
    assert [p for p in page_problems.all() if not p.endswith("/favicon.ico)")] == []


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_main_content(
    page: Page, live_definitions: WorkflowSet, sign_in: Callable[..., None]
) -> None:
    sign_in()
    page.goto("/workflows")

    page.keyboard.press("Tab")

    skip = page.locator("a.govuk-skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # visible when focused
    expect(skip).to_have_text("Skip to main content")
    expect(skip).to_have_attribute("href", "#main-content")

    page.keyboard.press("Enter")

    expect(page.locator("#main-content")).to_be_focused()
    assert page.url.endswith("#main-content")
    # The next Tab goes on from the main content, not back to the page's header.
    page.keyboard.press("Tab")
    in_main = page.evaluate(
        "() => document.getElementById('main-content').contains(document.activeElement)"
    )
    assert in_main
