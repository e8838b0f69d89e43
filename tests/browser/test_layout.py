"""The page layout in real Chromium: service navigation and footer, styles, scripts, axe."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_not_found_page_uses_the_govuk_layout(
    page: Page,
    page_problems,
    assert_accessible: Callable[[Page], None],
) -> None:
    responses = {}
    page.on("response", lambda response: responses.setdefault(response.url, response.status))

    response = page.goto("/no-such-page")

    assert response is not None and response.status == 404
    expect(page).to_have_title("Page not found \N{EN DASH} panelflow")
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")

    # Service navigation (no GOV.UK crown: this is a council service) and footer.
    expect(page.locator(".govuk-header")).to_have_count(0)
    service = page.locator(".govuk-service-navigation")
    expect(service.get_by_role("link", name="panelflow")).to_have_attribute("href", "/")
    # The service's own navigation appears only to people signed in.
    expect(service.get_by_role("link", name="Workflows")).to_have_count(0)
    expect(page.locator("footer.govuk-template__footer .govuk-footer")).to_be_visible()
    expect(page.locator("a.govuk-skip-link")).to_have_attribute("href", "#main-content")

    # The stylesheet loaded and applies, with its web font.
    base = page.url.split("/no-such-page")[0]
    assert responses.get(f"{base}/assets/govuk-frontend.min.css") == 200
    font_family = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "GDS Transport" in font_family
    assert page.evaluate(
        "document.fonts.ready.then(() => document.fonts.check('19px \"GDS Transport\"'))"
    )

    # The module script ran initAll(): components mark themselves initialised.
    assert responses.get(f"{base}/assets/init.js") == 200
    assert responses.get(f"{base}/assets/govuk-frontend.min.js") == 200
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    expect(page.locator("[data-module='govuk-skip-link']")).to_have_attribute(
        "data-govuk-skip-link-init", ""
    )

    assert page_problems.all() == []
    assert_accessible(page)
