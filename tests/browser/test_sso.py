"""Single sign-on in real Chromium against the real OpenID provider on loopback: the council
account's login and consent pages, back to panelflow signed in; axe on panelflow's pages."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from panelflow.accounts import sso
from tests.factories import make_account
from tests.sso.harness import OIDCProvider, provider_unavailable_reason, start_provider

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def provider(live_server: LiveServer, tmp_path: Path) -> Iterator[OIDCProvider]:
    reason = provider_unavailable_reason()
    if reason is not None:
        if os.environ.get("PANELFLOW_REQUIRE_SSO") == "1":
            pytest.fail(f"the OpenID provider cannot run: {reason}", pytrace=False)
        pytest.skip(f"OpenID provider unavailable: {reason}")
    with start_provider(tmp_path, redirect_uris=f"{live_server.url}/sign-in/sso/callback") as p:
        saved = {
            key: live_server.app.config.get(key)
            for key in ("OIDC_METADATA_URL", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET")
        }
        sso.configure(live_server.app, p.metadata_url, p.client_id, p.client_secret)
        try:
            yield p
        finally:
            live_server.app.config.update(saved)


def test_a_council_member_of_staff_signs_in_with_their_council_account(
    page: Page,
    live_server: LiveServer,
    provider: OIDCProvider,
    assert_accessible: Callable[[Page], None],
) -> None:
    with live_server.app.extensions["panelflow.db"].sessions() as session:
        make_account(session, "ewo", email="alice@council.example", name="Alice Example")
        session.commit()

    page.goto("/workflows")  # not signed in: sent to sign in, to come back here
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to panelflow")
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    page.get_by_role("button", name="Sign in with your council account").click()

    # The council's own sign-in pages (oidc-provider's interaction pages).
    page.wait_for_url(f"{provider.issuer}/**")
    page.locator("input[name=login]").fill("alice")
    page.locator("input[name=password]").fill("the council checks this, not panelflow")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url(f"{live_server.url}/workflows")
    expect(page.get_by_role("heading", level=1)).to_have_text("Workflows")
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_text("alice@council.example")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)


def test_a_council_account_without_a_panelflow_account_sees_why(
    page: Page,
    provider: OIDCProvider,
    assert_accessible: Callable[[Page], None],
) -> None:
    page.goto("/sign-in")
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Sign in with your council account").click()
    page.locator("input[name=login]").fill("carol")
    page.locator("input[name=password]").fill("anything at all")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "There is no panelflow account for carol@elsewhere.example"
    )
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
