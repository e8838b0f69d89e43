"""Answering a subject access request in real Chromium, with axe on every page.

An attendance lead opens a pupil's page and follows the link to the export, reads what the
export contains and the warning about free text, first sends the form without a reference
(the problem is shown beside the field), then with one: the zip downloads.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from panelflow.accounts.operations import actor_for
from panelflow.cases.operations import open_case
from panelflow.organisations.models import Pupil
from tests.browser.records import database, home_pupil
from tests.factories import make_account

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer, PageProblems

pytestmark = pytest.mark.browser


@pytest.fixture
def ben(live_server: LiveServer, workflows_text: str) -> int:
    pupil_id = home_pupil(live_server, workflows_text, "Ben", "Taylor")
    with database(live_server).sessions() as session:
        pupil = session.get(Pupil, pupil_id)
        assert pupil is not None
        teacher = actor_for(make_account(session, "school_staff", school=pupil.school))
        open_case(session, pupil, "school_panel", teacher)
        session.commit()
    return pupil_id


def test_an_attendance_lead_downloads_a_subject_access_export(
    page: Page,
    page_problems: PageProblems,
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., None],
    ben: int,
    tmp_path: Path,
) -> None:
    sign_in("attendance_lead")
    page.goto(f"/pupils/{ben}")
    page.get_by_role("link", name="Export everything held about Ben").click()
    expect(page.get_by_role("heading", name="Subject access export")).to_be_visible()
    expect(page.get_by_role("heading", name="What the export contains")).to_be_visible()
    expect(page.get_by_text("The data protection officer must review it")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Download the export").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(
        page.get_by_role("link", name="Enter the reference of the subject access request")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Request reference").fill("SAR-2026-014")
    with page.expect_download() as waiting:
        page.get_by_role("button", name="Download the export").click()
    download = waiting.value
    assert download.suggested_filename.startswith(f"subject-access-pupil-{ben}-")
    saved = tmp_path / "export.zip"
    download.save_as(saved)
    with zipfile.ZipFile(io.BytesIO(saved.read_bytes())) as archive:
        data = json.loads(archive.read("subject-access.json"))
        assert archive.read("subject-access.pdf").startswith(b"%PDF-")
    assert data["pupil"]["given_name"] == "Ben"
    assert data["request_reference"] == "SAR-2026-014"
    assert len(data["cases"]) == 1
    # A form's answer that becomes a download ends the navigation: Chromium reports that one
    # request as aborted. Anything else is a problem.
    aborted_download = f"net::ERR_ABORTED {page.url.split('?')[0]}"
    assert [p for p in page_problems.all() if p != aborted_download] == []
