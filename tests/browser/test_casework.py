"""Case work in real Chromium, with axe on every page, including each page after a form was
sent with a mistake.

- The virtual school: a school attendance lead records that a pupil is looked after (first
  with a date that does not exist), the attendance target of the personal education plan
  (first with a target that is not a percentage) and when the placement ends (first before it
  started); the virtual school head finds the pupil, filtered by school, with the flag and the
  target.
- A second sign-off: an EWO asks for a penalty notice on a formal case whose support-first
  record allows it; a second EWO finds it waiting for her, tries to refuse it without a reason,
  then signs it off; the case page shows the notice and both people.
- Your cases: an educational psychologist finds an EWO consultation on "Your cases", books
  it, and agrees an action for the school's attendance lead (first without saying who).

The records each journey starts from are made through the operations, as the people before
would have made them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from panelflow.accounts.operations import actor_for
from panelflow.actions.operations import create_action
from panelflow.cases.models import Case
from panelflow.cases.operations import Fired, fire, open_case
from panelflow.db import utcnow
from panelflow.presentation import day
from panelflow.roles import cli_actor
from panelflow.sharing.operations import BasisDetails, record_basis
from panelflow.virtual_school.operations import record_status, today_in_england
from tests.browser.records import database, fill_boxes, fill_date, home_school, published
from tests.factories import (
    DEFAULT_SCHOOL,
    PASSWORD,
    make_account,
    make_local_authority,
    make_pupil,
    make_school,
)
from tests.signoffs.conftest import filled_in, support_history

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer, PageProblems

pytestmark = pytest.mark.browser

SETUP = cli_actor("Scenario setup")


def _sign_in_as(page: Page, email: str) -> None:
    """Sign out whoever is signed in, then sign in as the account with ``email``."""
    sign_out = page.get_by_role("button", name="Sign out")
    if sign_out.count():
        sign_out.click()
        expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    page.goto("/sign-in")
    page.wait_for_load_state("networkidle")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.wait_for_load_state("networkidle")


def _problem_shown(page: Page, message: str) -> None:
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.locator(".govuk-error-summary").get_by_role("link", name=message)).to_be_visible()


# -- the virtual school ------------------------------------------------------------------------


@pytest.fixture
def jade(live_server: LiveServer, workflows_text: str) -> int:
    """Jade at the lead's school, and Noor, already looked after, at another school of the
    same local authority (so that filtering by school means something)."""
    with database(live_server).sessions() as session:
        published(session, workflows_text)
        la = make_local_authority(session)
        pupil = make_pupil(
            session, home_school(session, la), given_name="Jade", family_name="Wilson"
        )
        other = make_school(session, "Bidston Avenue Primary", la)
        noor = make_pupil(session, other, given_name="Noor", family_name="Haddad")
        started = today_in_england() - timedelta(days=200)
        record_status(session, SETUP, noor, "looked_after", started)
        session.commit()
        return pupil.id


def test_a_looked_after_pupil_is_recorded_and_the_virtual_school_head_finds_them(
    page: Page,
    page_problems: PageProblems,
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., None],
    jade: int,
) -> None:
    today = today_in_england()
    started = today - timedelta(days=30)
    ends = today + timedelta(days=28)

    # The attendance lead records the flag from Jade's page.
    sign_in("attendance_lead")
    page.goto(f"/pupils/{jade}")
    expect(page.get_by_role("heading", name="Virtual school")).to_be_visible()
    expect(page.get_by_text("No virtual school flags have been recorded")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Record a flag: looked after, previously looked after").click()
    expect(page.get_by_role("heading", name="Record a virtual school flag")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Looked after", exact=True).check()
    fill_boxes(page, "When did it start?", "31", "2", str(today.year))
    page.get_by_label("Note (optional)").fill("Looked after by Wirral Council")
    page.get_by_role("button", name="Record the flag").click()
    message = "The start date must be a real date, for example 3 9 2026"
    _problem_shown(page, message)
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page)
    page.locator(".govuk-error-summary").get_by_role("link", name=message).click()
    start_group = page.get_by_role("group", name="When did it start?")
    expect(start_group.get_by_label("Day")).to_be_focused()
    expect(page.get_by_label("Looked after", exact=True)).to_be_checked()
    expect(page.get_by_label("Note (optional)")).to_have_value("Looked after by Wirral Council")

    fill_date(page, "When did it start?", started)
    page.get_by_role("button", name="Record the flag").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Recorded: Jade is looked after"
    )
    flags = page.get_by_role("table", name="Flags and their dates")
    expect(flags.get_by_role("cell", name=day(started), exact=True)).to_be_visible()
    expect(flags.get_by_role("cell", name="Not ended")).to_be_visible()
    expect(flags.locator(".govuk-tag", has_text="Now")).to_be_visible()
    assert_accessible(page)

    # The attendance target of Jade's personal education plan.
    page.get_by_role("link", name="Record the attendance target of a personal education").click()
    expect(
        page.get_by_role("heading", name="Record a personal education plan's attendance target")
    ).to_be_visible()
    assert_accessible(page)
    fill_date(page, "When was the plan agreed?", today - timedelta(days=7))
    page.get_by_label("Attendance target").fill("about 95")
    page.get_by_role("button", name="Record the target").click()
    _problem_shown(page, "Enter the attendance target as a whole percentage from 1 to 100, like 95")
    assert_accessible(page)
    page.get_by_label("Attendance target").fill("95")
    page.get_by_role("button", name="Record the target").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Recorded the attendance target of 95%"
    )
    expect(
        page.get_by_text("Attendance target in the personal education plan: 95%")
    ).to_be_visible()
    assert_accessible(page)

    # The placement has an agreed end in four weeks; first the end is typed before the start.
    page.get_by_role("link", name=f"Record the end of looked after from {day(started)}").click()
    expect(page.get_by_role("heading", name="Record the end of looked after")).to_be_visible()
    assert_accessible(page)
    fill_date(page, "When did it end?", started - timedelta(days=1))
    page.get_by_role("button", name="Record the end").click()
    _problem_shown(
        page, f"The end date must be the same as or after the start date ({day(started)})"
    )
    assert_accessible(page)
    fill_date(page, "When did it end?", ends)
    page.get_by_role("button", name="Record the end").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Recorded the end of looked after"
    )
    flags = page.get_by_role("table", name="Flags and their dates")
    expect(flags.get_by_role("cell", name=day(ends), exact=True)).to_be_visible()
    expect(flags.locator(".govuk-tag", has_text="Now")).to_be_visible()  # until that day
    expect(flags.get_by_role("link", name=re.compile("^Record the end"))).to_have_count(0)
    assert_accessible(page)

    # The virtual school head sees both looked-after pupils, then only Jade's school.
    page.get_by_role("button", name="Sign out").click()
    sign_in("virtual_school_head")
    page.get_by_role("navigation").get_by_role("link", name="Virtual school").click()
    expect(page.get_by_role("heading", name="Virtual school", level=1)).to_be_visible()
    pupils = page.get_by_role("table", name="Pupils the virtual school supports")
    expect(pupils.get_by_role("link", name="Jade Wilson")).to_be_visible()
    expect(pupils.get_by_role("link", name="Noor Haddad")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("School").select_option(label=DEFAULT_SCHOOL)
    page.get_by_role("button", name="Show pupils").click()
    expect(page.get_by_text("Showing 1 to 1 of 1 pupil.")).to_be_visible()
    expect(pupils.get_by_role("link", name="Noor Haddad")).to_have_count(0)
    row = pupils.get_by_role("row", name=re.compile("Jade Wilson"))
    expect(row).to_contain_text(f"Looked after, since {day(started)}")
    expect(row).to_contain_text("PEP target 95%")
    assert_accessible(page)

    # A filter nobody could choose from the list is explained, not a failure.
    page.goto("/virtual-school?school=nowhere")
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)

    page.goto("/virtual-school")
    page.get_by_role("link", name="Jade Wilson").click()
    expect(page.get_by_role("heading", name="Jade Wilson", level=1)).to_be_visible()
    expect(page.get_by_role("table", name="Flags and their dates")).to_contain_text(day(ends))
    expect(
        page.get_by_text("Attendance target in the personal education plan: 95%")
    ).to_be_visible()
    assert_accessible(page)
    assert page_problems.console_errors + page_problems.page_errors == []


# -- a second sign-off ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FormalCase:
    case_id: int
    ed: str  # the EWO who asks
    erin: str  # the EWO who signs off


@pytest.fixture
def formal_case(live_server: LiveServer, workflows_text: str) -> FormalCase:
    """Kai's support first tried and reviewed, and a formal route opened by Ed two days ago."""
    with database(live_server).sessions() as session:
        version = published(session, workflows_text)
        la = make_local_authority(session)
        school = home_school(session, la)
        lead = make_account(session, "attendance_lead", name="Lee Morgan", school=school)
        ed = make_account(session, "ewo", name="Ed Okoro", local_authority=la)
        erin = make_account(session, "ewo", name="Erin Walsh", local_authority=la)
        pupil = make_pupil(session, school, given_name="Kai", family_name="Brennan")
        _, case = support_history(session, version, pupil, actor_for(lead), actor_for(ed))
        session.commit()
        return FormalCase(case.id, ed.email, erin.email)


def test_a_penalty_notice_is_asked_for_refused_without_a_reason_then_signed_off(
    page: Page,
    page_problems: PageProblems,
    assert_accessible: Callable[[Page], None],
    formal_case: FormalCase,
) -> None:
    # Ed asks for the penalty notice on the formal case.
    _sign_in_as(page, formal_case.ed)
    page.get_by_role("navigation").get_by_role("link", name="Your cases").click()
    expect(page.get_by_role("heading", name="Your cases")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Statutory referral for Kai Brennan").click()
    expect(page).to_have_url(re.compile(rf"/cases/{formal_case.case_id}$"))
    expect(page.get_by_role("heading", name="Statutory referral", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Issue a penalty notice").click()
    expect(page.get_by_role("heading", name="Issue a penalty notice")).to_be_visible()
    expect(page.get_by_text("This step needs a second person's sign-off")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Ask for a second sign-off").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page)

    page.get_by_label("Why is this formal step needed now?").fill(
        "Attendance 58% this term despite intensive support"
    )
    page.get_by_label("What support has been offered, and how has the family responded?").fill(
        "Plan agreed in January; multi-agency support since March"
    )
    page.get_by_role("button", name="Ask for a second sign-off").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Issue a penalty notice: waiting for a second sign-off"
    )
    expect(page.get_by_role("heading", name="Waiting for a second sign-off")).to_be_visible()
    expect(page.get_by_text("Asked for by Ed Okoro")).to_be_visible()
    expect(page.locator(".govuk-tag", has_text="Formal route being considered")).to_be_visible()
    assert_accessible(page)

    # Erin finds it waiting for her, in her actions and among all sign-offs.
    _sign_in_as(page, formal_case.erin)
    page.get_by_role("navigation").get_by_role("link", name="Your actions").click()
    waiting = page.get_by_role("table", name="Waiting for your sign-off")
    expect(waiting.get_by_role("row", name=re.compile("Issue a penalty notice"))).to_contain_text(
        "Kai Brennan"
    )
    assert_accessible(page)
    page.get_by_role("link", name="All sign-offs").click()
    expect(page.get_by_role("heading", name="Sign-offs", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("table", name="Waiting for your sign-off").get_by_role(
        "link", name="Issue a penalty notice"
    ).click()
    expect(page.get_by_role("heading", name="Sign-off: Issue a penalty notice")).to_be_visible()
    expect(page.get_by_text("Attendance 58% this term despite intensive support")).to_be_visible()
    assert_accessible(page)

    # A refusal needs a reason.
    page.get_by_role("button", name="Refuse to sign off").click()
    message = "Say why you are refusing to sign it off"
    _problem_shown(page, message)
    assert_accessible(page)
    page.locator(".govuk-error-summary").get_by_role("link", name=message).click()
    expect(page.get_by_label("Why are you refusing to sign it off?")).to_be_focused()

    page.get_by_role("button", name="Sign off: Issue a penalty notice").click()
    expect(page).to_have_url(re.compile(rf"/cases/{formal_case.case_id}$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Issue a penalty notice: signed off, and the step is taken"
    )
    expect(page.locator(".govuk-tag", has_text="Penalty notice issued")).to_be_visible()
    expect(page.get_by_role("heading", name="Sign-offs decided")).to_be_visible()
    decided = page.locator("h2:has-text('Sign-offs decided') ~ dl").first
    expect(decided).to_contain_text("Ed Okoro")
    expect(decided.locator(".govuk-summary-list__row", has_text="Signed off by")).to_contain_text(
        "Erin Walsh"
    )
    assert_accessible(page)
    assert page_problems.console_errors + page_problems.page_errors == []


# -- your cases, and agreeing an action ----------------------------------------------------------


@pytest.fixture
def consultation(live_server: LiveServer, workflows_text: str) -> int:
    """Mia's support first at targeted support, an EWO working with the family, consent to
    share with educational psychology, and an EWO consultation the EWO asked for."""
    with database(live_server).sessions() as session:
        version = published(session, workflows_text)
        la = make_local_authority(session)
        school = home_school(session, la)
        lead = actor_for(make_account(session, "attendance_lead", school=school))
        ewo = actor_for(make_account(session, "ewo", name="Ed Okoro", local_authority=la))
        pupil = make_pupil(session, school, given_name="Mia", family_name="Clarke")
        now = utcnow()
        support = open_case(session, pupil, "support_first", lead, now=now - timedelta(days=60))
        for trigger, days in (
            ("review_held", 59),
            ("step_up_to_targeted", 58),
            ("plan_agreed", 57),
        ):
            when = now - timedelta(days=days)
            taken = fire(support, trigger, lead, filled_in(version, trigger, when), now=when)
            assert isinstance(taken, Fired), taken
        assert support.state == "targeted_support"
        # The lead asked the attendance service to join the support; an EWO now works on it.
        create_action(
            session,
            support,
            lead,
            title="Join the support around Mia",
            agency="attendance_service",
            role="ewo",
        )
        record_basis(
            session,
            SETUP,
            pupil.id,
            BasisDetails(
                agency="educational_psychology",
                basis="consent",
                purpose="A consultation about attendance",
                given_by="Jo Clarke, mother",
                given_on=today_in_england() - timedelta(days=3),
            ),
        )
        asked = fire(
            support,
            "request_ewo_consultation",
            ewo,
            {"stuck_summary": "Plan agreed; attendance still falling; mum feels blamed"},
        )
        assert isinstance(asked, Fired)
        [opened] = asked.opened
        assert isinstance(opened, Case) and opened.workflow_key == "ewo_consultation"
        session.commit()
        return opened.id


def test_an_educational_psychologist_books_a_consultation_and_agrees_an_action(
    page: Page,
    page_problems: PageProblems,
    assert_accessible: Callable[[Page], None],
    sign_in: Callable[..., None],
    consultation: int,
) -> None:
    in_two_weeks = (today_in_england() + timedelta(weeks=2)).isoformat()
    sign_in("educational_psychologist")
    page.get_by_role("navigation").get_by_role("link", name="Your cases").click()
    expect(page.get_by_role("heading", name="Your cases")).to_be_visible()
    cases = page.get_by_role("table", name=re.compile("^Cases 1 to 1 of 1"))
    expect(cases.get_by_role("row", name=re.compile("Mia Clarke"))).to_contain_text(
        "Consultation requested"
    )
    assert_accessible(page)

    cases.get_by_role("link", name="EWO consultation for Mia Clarke").click()
    expect(page).to_have_url(re.compile(rf"/cases/{consultation}$"))
    assert_accessible(page)
    page.get_by_role("link", name="Book the consultation").click()
    assert_accessible(page)
    page.get_by_label("Date of the consultation").fill(in_two_weeks)
    page.get_by_role("button", name="Book the consultation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Book the consultation: done"
    )
    expect(page.locator(".govuk-tag", has_text="Consultation booked")).to_be_visible()
    assert_accessible(page)

    # The action plan's first action, first sent without saying who will do it.
    page.get_by_role("link", name="Agree an action").click()
    expect(page).to_have_url(re.compile(rf"/cases/{consultation}/actions/new$"))
    expect(page.get_by_role("heading", name="Agree an action")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What will be done").fill("Draw up a phased return timetable")
    page.get_by_role("button", name="Agree this action").click()
    _problem_shown(page, "Choose who will do this")
    expect(page.get_by_label("What will be done")).to_have_value(
        "Draw up a phased return timetable"
    )
    assert_accessible(page)

    page.get_by_label("Who will do it").select_option(label="Any school attendance lead (School)")
    page.get_by_role("button", name="Agree this action").click()
    expect(page).to_have_url(re.compile(rf"/cases/{consultation}#actions$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Action agreed: “Draw up a phased return timetable”"
    )
    action = page.get_by_role("row", name=re.compile("Draw up a phased return timetable"))
    expect(action).to_contain_text("Open")
    assert_accessible(page)
    assert page_problems.console_errors + page_problems.page_errors == []
