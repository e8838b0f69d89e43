"""Funding a pupil in real Chromium, with axe on every page.

The chair opens a pupil's case and proposes a £400 place on a group programme: above what
one person may approve, so their own first approval leaves it waiting. The attendance lead
signs in, gives the second approval and records what was paid; the panel's ledger shows the
figures. Then the lead starts a cohort of the programme, gives the pupil the place the panel
paid for, takes the first register, and records that the pupil left the cohort: the next
session's register shows them as left, not absent; then the leaving is taken back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from panelflow.accounts.operations import actor_for
from panelflow.funding.models import CohortPlace, FundingDecision
from panelflow.funding.operations import add_programme, set_budget, today
from panelflow.panels.models import Panel, PanelSchool
from tests.browser.records import database, home_school, published
from tests.factories import make_account, make_pupil

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer, PageProblems

pytestmark = pytest.mark.browser


def _entered(value: object) -> str:
    return f"{value.day}/{value.month}/{value.year}"  # type: ignore[attr-defined]


@pytest.fixture
def amara(live_server: LiveServer, workflows_text: str) -> dict[str, int]:
    """The shipped workflows; the school's panel with £1,000 for this term; Inspiring
    Futures on offer; Amara Hughes with a panel case."""
    from panelflow.cases.operations import open_case

    with database(live_server).sessions() as session:
        published(session, workflows_text)
        school = home_school(session)
        la = school.local_authority
        panel = Panel(name="Park attendance panel", local_authority_id=la.id)
        session.add(panel)
        session.flush()
        session.add(PanelSchool(panel_id=panel.id, school_id=school.id))
        admin = actor_for(make_account(session, "la_admin", name="Ade Okafor"))
        now = today()
        set_budget(
            session,
            admin,
            panel_id=panel.id,
            label="This term",
            starts_on=now - timedelta(days=30),
            ends_on=now + timedelta(days=60),
            amount_pence=100_000,
        )
        add_programme(session, admin, name="Inspiring Futures", provider="The Hive Youth Zone")
        teacher = actor_for(make_account(session, "school_staff", school=school))
        pupil = make_pupil(session, school, given_name="Amara", family_name="Hughes")
        case = open_case(session, pupil, "school_panel", teacher)
        session.commit()
        return {"panel": panel.id, "case": case.id}


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_a_pupil_is_funded_approved_twice_paid_for_placed_and_leaves(
    page: Page,
    page_problems: PageProblems,
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., None],
    live_server: LiveServer,
    amara: dict[str, int],
) -> None:
    now = today()

    # The chair proposes a place on a group programme from the pupil's case.
    sign_in("panel_chair")
    page.goto(f"/cases/{amara['case']}")
    expect(page.get_by_text("No funding has been agreed for this case.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Propose funding").click()
    expect(page.get_by_role("heading", name="Propose funding")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("A place on a group programme (such as Inspiring Futures)").check()
    page.get_by_label("How much").fill("400")
    page.get_by_label("Who provides it").fill("The Hive Youth Zone")
    page.get_by_label("Ends on").fill(_entered(now + timedelta(weeks=8)))
    page.get_by_role("button", name="Propose funding").click()
    expect(page.get_by_text("Waiting for a second approval").first).to_be_visible()
    expect(page.get_by_text("(Panel chair)")).to_be_visible()  # their own first approval
    expect(
        page.get_by_text(
            "The second approval must come from someone other than the person who proposed it"
        )
    ).to_be_visible()
    assert_accessible(page)
    decision_path = page.url.removeprefix(live_server.url)
    page.goto(f"/cases/{amara['case']}")
    expect(page.get_by_role("link", name="A place on a group programme")).to_be_visible()
    assert_accessible(page)
    _sign_out(page)

    # The attendance lead gives the second approval and records what was paid.
    sign_in("attendance_lead")
    page.goto(decision_path)
    expect(page.get_by_role("heading", name="Second approval")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approval recorded")).to_be_visible()
    expect(page.get_by_text("Approved", exact=True).first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Amount paid").fill("150")
    page.get_by_label("Note (optional)").fill("Invoice 118")
    page.get_by_role("button", name="Record spend").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Spend recorded")
    expect(page.get_by_text("£150.00 (£250.00 still to spend)")).to_be_visible()
    assert_accessible(page)

    # The ledger adds it up.
    page.get_by_role("link", name="Panel funding").click()
    totals = page.locator(".panelflow-ledger-totals")
    for key, value in (
        ("Allocated", "£1,000.00"),
        ("Committed", "£250.00"),
        ("Spent", "£150.00"),
        ("Remaining", "£600.00"),
        ("Waiting for approval", "£0.00"),
    ):
        row = totals.locator(".govuk-summary-list__row", has_text=key)
        expect(row.locator("dd")).to_have_text(value)
    expect(page.get_by_role("link", name="Amara Hughes")).to_be_visible()
    assert_accessible(page)

    # A cohort of the programme, the funded place, the first register.
    page.get_by_role("link", name="Group programmes and cohorts").click()
    assert_accessible(page)
    page.get_by_label("Programme").select_option(label="Inspiring Futures")
    page.get_by_label("Name of the cohort").fill("Spring, Tuesdays")
    page.get_by_label("Date of the first session").fill(_entered(now))
    page.get_by_label("Number of sessions").fill("6")
    page.get_by_label("Number of places").fill("8")
    page.get_by_role("button", name="Start the cohort").click()
    expect(page.get_by_text("Cohort started")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Pupil").select_option(
        label="Amara Hughes: paid by A place on a group programme (such as Inspiring Futures), "
        "£400.00"
    )
    page.get_by_role("button", name="Give a place").click()
    expect(page.get_by_text("Place given")).to_be_visible()
    expect(page.get_by_text("1 of 8 places taken")).to_be_visible()
    cohort_path = page.url.removeprefix(live_server.url)
    page.get_by_role("link", name="Session 1 register").click()
    assert_accessible(page)
    page.get_by_role("group", name="Amara Hughes").get_by_label("Present").check()
    page.get_by_role("button", name="Save the register").click()
    expect(page.get_by_text("Register saved")).to_be_visible()
    assert_accessible(page)

    # Amara leaves the cohort.
    page.goto(cohort_path)
    page.get_by_role("link", name="Change Amara Hughes's place").click()
    expect(page.get_by_role("heading", name="Record that Amara left the cohort")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Date they left").fill(_entered(now))
    page.get_by_role("button", name="Record that they left").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Say in a few words why they left")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Why they left").fill("Moved to another school")
    page.get_by_role("button", name="Record that they left").click()
    expect(page.get_by_text("Amara Hughes left the cohort on")).to_be_visible()
    expect(page.get_by_text("0 of 8 places taken (1 pupil left the cohort)")).to_be_visible()
    expect(page.get_by_text("1 of 1 marked")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Session 2 register").click()
    expect(page.get_by_text("Amara Hughes: left on")).to_be_visible()
    expect(page.get_by_role("group", name="Amara Hughes")).to_have_count(0)
    assert_accessible(page)

    with database(live_server).sessions() as session:
        decision = session.scalars(select(FundingDecision)).one()
        assert (decision.status, decision.spent_pence) == ("approved", 15_000)
        seat = session.scalars(select(CohortPlace)).one()
        assert (seat.decision_id, seat.left_on, seat.left_reason) == (
            decision.id,
            now,
            "Moved to another school",
        )

    # It was a mistake: she is still coming. The leaving is taken back.
    page.goto(cohort_path)
    page.get_by_role("link", name="Change Amara Hughes's place").click()
    expect(page.get_by_role("heading", name="If they did not leave after all")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Undo the leaving").click()
    expect(page.get_by_text("Amara Hughes is on the cohort again")).to_be_visible()
    expect(page.get_by_text("1 of 8 places taken")).to_be_visible()
    assert_accessible(page)
    assert not page_problems.page_errors and not page_problems.console_errors, page_problems
