"""Importing attendance in real Chromium, with axe on every page reached.

An attendance lead uploads a broken file and sees its problems by row and column; uploads a
file whose headings are not recognised and is asked which column holds which value; then
uploads 20,000 clean rows and watches the progress bar, moved by the page's script, through
the check and the import to the end.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Page, Response, expect
from sqlalchemy import func, insert, select

from panelflow.attendance import jobs
from panelflow.attendance.models import AttendanceRecord
from panelflow.organisations.models import Pupil
from tests.attendance.files import SIMS_HEADERS, UPNS, make_roll, write_csv
from tests.browser.records import database

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer, PageProblems

pytestmark = pytest.mark.browser

PUPILS = 2000
MONDAYS = [date(2026, 9, 7) + timedelta(weeks=w) for w in range(11) if w != 7]  # not half-term


@pytest.fixture
def uploads(live_server: LiveServer, tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "uploads"
    live_server.app.config["ATTENDANCE_UPLOAD_FOLDER"] = str(folder)
    yield folder
    live_server.app.config.pop("ATTENDANCE_UPLOAD_FOLDER")


@pytest.fixture
def big_school(live_server: LiveServer) -> None:
    """Birkenhead Park Primary, its October half-term, and 2,000 more pupils on its roll."""
    with database(live_server).sessions() as session:
        school, _ = make_roll(session)
        session.execute(
            insert(Pupil),
            [
                {
                    "school_id": school.id,
                    "given_name": "Pupil",
                    "family_name": f"Number {i}",
                    "date_of_birth": date(2015, 1, 1),
                    "year_group": 5,
                    "upn": f"C{i:012d}",
                }
                for i in range(PUPILS)
            ],
        )
        session.commit()


def upload(page: Page, path: Path) -> None:
    page.goto("/attendance/import")
    page.get_by_label("Attendance file").set_input_files(path)
    page.get_by_role("button", name="Upload and check").click()


def test_uploading_checking_and_importing_with_a_progress_bar(
    page: Page,
    live_server: LiveServer,
    uploads: Path,
    big_school: None,
    tmp_path: Path,
    sign_in: Callable[..., None],
    assert_accessible: Callable[[Page], None],
    page_problems: PageProblems,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Progress committed every 5 rows, so that checking 20,000 rows takes a few seconds here
    # and the bar can be seen moving (every 5,000 rows in service).
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 5)
    sign_in("attendance_lead")
    page.goto("/attendance/import")
    expect(page.get_by_role("heading", name="Import attendance")).to_be_visible()
    assert_accessible(page)

    # A broken file: its problems, by row and column, and the choice of the clean rows.
    broken = write_csv(
        tmp_path / "broken.csv",
        [
            SIMS_HEADERS,
            [UPNS[0], "07/09/2026", 10, 10, 0, 0],
            [UPNS[1], "07/09/2026", 10, 11, 0, 0],
            ["B999999999999", "07/09/2026", 10, 10, 0, 0],
        ],
    )
    upload(page, broken)
    expect(page.get_by_role("heading", name="There are problems with the file")).to_be_visible(
        timeout=30_000
    )
    problems = page.get_by_role("table", name="Problems")
    expect(problems.get_by_role("row")).to_have_count(3)  # the header and two problems
    expect(problems).to_contain_text("is 11, more than the 10 possible sessions")
    expect(page.get_by_role("button", name="Import only the 1 clean row")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Import only the 1 clean row").click()
    expect(page.get_by_role("link", name="Tick the box to confirm")).to_be_visible()
    assert_accessible(page)

    # Headings it does not know: which column holds which value.
    own = write_csv(
        tmp_path / "own.csv",
        [
            ["Ref", "Monday", "Poss", "Attended", "Authorised", "Unauthorised"],
            [UPNS[0], "07/09/2026", 10, 10, 0, 0],
        ],
    )
    upload(page, own)
    expect(page.get_by_role("heading", name="Which columns hold which values")).to_be_visible(
        timeout=30_000
    )
    assert_accessible(page)
    page.get_by_label("UPN", exact=True).select_option("Ref")
    page.get_by_label("Week commencing date").select_option("Monday")
    page.get_by_label("Possible sessions").select_option("Poss")
    page.get_by_role("button", name="Save the columns and check the file").click()
    expect(page.get_by_role("heading", name="The file has no problems")).to_be_visible(
        timeout=30_000
    )

    # 20,000 clean rows, watched to the end.
    rows: list[list[Any]] = [SIMS_HEADERS]
    for monday in MONDAYS[:10]:
        rows += [[f"C{i:012d}", f"{monday:%d/%m/%Y}", 10, 9, 1, 0] for i in range(PUPILS)]
    big = write_csv(tmp_path / "autumn.csv", rows)
    polled: list[dict[str, Any]] = []

    def on_response(response: Response) -> None:
        if response.url.endswith("/progress") and response.ok:
            polled.append(response.json())

    page.on("response", on_response)
    upload(page, big)
    expect(page.get_by_role("heading", name="Checking your file")).to_be_visible()
    bar = page.get_by_role("progressbar", name="Progress")
    expect(bar).to_be_visible()
    expect(page.get_by_role("link", name="Check progress")).to_be_visible()
    assert_accessible(page)
    # The script moves the bar (a <progress> reflects its value as an attribute).
    expect(bar).to_have_attribute("value", re.compile(r"^[1-9]"), timeout=30_000)
    expect(page.locator("#progress-words")).to_contain_text("of about 20,000 rows")
    expect(page.get_by_role("heading", name="The file has no problems")).to_be_visible(
        timeout=90_000
    )
    checking = [p for p in polled if p["status"] == "checking"]
    assert checking and all(0 <= p["percent"] <= 100 for p in checking)
    assert [p["rows_done"] for p in checking] == sorted(p["rows_done"] for p in checking)
    progress_url = page.url + "/progress"
    final = page.request.get(progress_url).json()
    assert (final["running"], final["status"], final["percent"]) == (False, "checked", 100)
    assert_accessible(page)

    page.get_by_role("button", name="Import 20,000 rows").click()
    expect(page.get_by_role("heading", name="Attendance imported")).to_be_visible(timeout=120_000)
    final = page.request.get(progress_url).json()
    assert (final["running"], final["status"], final["percent"]) == (False, "imported", 100)
    expect(page.locator(".govuk-summary-list")).to_contain_text("Rows imported 20,000")
    assert_accessible(page)
    with database(live_server).sessions() as session:
        stored = session.scalar(select(func.count()).select_from(AttendanceRecord))
    assert stored == 20_000  # the broken file's clean row was not imported: not confirmed
    assert page_problems.all() == []
