"""Browser tests: the real app served from a thread, driven by Debian's Chromium.

Playwright from PyPI brings no browser and must not download one, so pytest-playwright is
pointed at /usr/bin/chromium (apt-get install chromium chromium-driver; scripts/test.sh does
it). Without Chromium these tests skip, unless PANELFLOW_REQUIRE_BROWSER is set (test.sh
sets it) so CI cannot pass by skipping them.

Fixtures:
- ``live_server``: the app on a free loopback port, on the test database (SQLite, or
  PostgreSQL when ``PANELFLOW_TEST_DATABASE_URL`` is set), emptied after each browser test;
  it is also pytest-playwright's ``base_url``, so ``page.goto("/workflows")`` works.
- ``page_problems``: console errors, uncaught exceptions and failed sub-resources of ``page``.
- ``assert_accessible``: runs axe-core (WCAG 2.2 AA) and fails on serious or critical
  violations.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import ConsoleMessage, Page, Response, expect
from werkzeug.serving import BaseWSGIServer, make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found: apt-get install chromium chromium-driver"
        if os.environ.get("PANELFLOW_REQUIRE_BROWSER"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@dataclass
class LiveServer:
    app: Flask
    url: str


def _buffered(app: Flask) -> Callable[[dict[str, Any], Any], list[bytes]]:
    """Read each response fully and close it before werkzeug's server sends it.

    When a browser abandons a request (Chromium does, for favicons, on navigation),
    werkzeug's development server fails while draining the socket and skips ``close()`` on
    the response, so a static file is left for the garbage collector and its
    ResourceWarning fails the test. Buffered responses hold no open file.
    """

    def serve(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        iterable = app(environ, start_response)
        try:
            return list(iterable)
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()

    return serve


@pytest.fixture(scope="session")
def live_server(migrated: str) -> Iterator[LiveServer]:
    from panelflow import create_app

    app = create_app({"DATABASE_URL": migrated, "TESTING": True})
    server: BaseWSGIServer = make_server("127.0.0.1", 0, _buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live_server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        app.extensions["panelflow.db"].dispose()


@pytest.fixture(autouse=True)
def _empty_database_afterwards(db: Any) -> None:
    """Browser tests commit through the live server; ``db`` empties the tables afterwards."""


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    return live_server.url


@dataclass
class PageProblems:
    console_errors: list[str]
    page_errors: list[str]
    failed_resources: list[str]

    def all(self) -> list[str]:
        return self.console_errors + self.page_errors + self.failed_resources


@pytest.fixture
def page_problems(page: Page) -> PageProblems:
    """What went wrong while ``page`` loaded, apart from the document's own status.

    An error page is served with its error status, and Chromium logs that as a console
    error ("Failed to load resource"); that one is the test's business, not a problem.
    """
    problems = PageProblems([], [], [])
    documents: set[str] = set()

    def on_response(response: Response) -> None:
        request = response.request
        if request.is_navigation_request() and request.frame == page.main_frame:
            documents.add(response.url)
        elif response.status >= 400:
            problems.failed_resources.append(f"{response.status} {response.url}")

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and url in documents:
            return
        problems.console_errors.append(f"{message.text} ({url})")

    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
    page.on(
        "requestfailed",
        lambda request: problems.failed_resources.append(f"{request.failure} {request.url}"),
    )
    return problems


def _describe(violation: dict[str, Any]) -> str:
    targets = [", ".join(map(str, node["target"])) for node in violation["nodes"]]
    lines = [f"- {violation['id']} ({violation['impact']}): {violation['help']}"]
    lines += [f"    at {target}" for target in targets]
    return "\n".join(lines)


@pytest.fixture(scope="session")
def assert_accessible() -> Callable[[Page], None]:
    """Return ``check(page)``: axe-core with the WCAG 2.2 AA rules, failing on serious or
    critical violations (minor and moderate ones are left to review)."""
    axe = Axe()

    def check(page: Page) -> None:
        results = axe.run(
            page,
            options={
                "runOnly": {"type": "tag", "values": WCAG_TAGS},
                "resultTypes": ["violations"],
            },
        )
        blocking = [
            v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS
        ]
        if blocking:
            report = "\n".join(_describe(v) for v in blocking)
            pytest.fail(
                f"axe found {len(blocking)} serious or critical accessibility violation(s) "
                f"on {page.url}:\n{report}",
                pytrace=False,
            )

    return check


@pytest.fixture
def sign_in(live_server: LiveServer, page: Page) -> Callable[..., None]:
    """Return ``sign_in(*roles)``: create an account in the live server's database and sign
    in with it through the sign-in page, as a person would."""
    from tests.factories import PASSWORD, make_account

    def go(*roles: str) -> None:
        database = live_server.app.extensions["panelflow.db"]
        with database.sessions() as session:
            user = make_account(session, *(roles or ("school_staff",)))
            email = user.email
            session.commit()
        page.goto("/sign-in")
        page.wait_for_load_state("networkidle")  # scripts and icons loaded before we leave
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        page.wait_for_load_state("networkidle")

    return go
