"""Due items on the cases a person runs, who owns them, the morning digest, and the pages.

Real database, real workflow file, term dates Monday to Friday (no term dates loaded) unless
a test loads them; moments are fixed so the school days are known.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from panelflow.accounts.models import User
from panelflow.accounts.operations import actor_for
from panelflow.actions.operations import create_action
from panelflow.cases.due import Due, owners
from panelflow.cases.models import Case, CaseFlag
from panelflow.cases.operations import fire, open_case, tick
from panelflow.catalogue.models import WorkflowVersion
from panelflow.notify.models import OutgoingEmail
from panelflow.notify.timers import came_due, cut_off, digest_day, remind_due, window_of
from panelflow.organisations.models import LocalAuthority, School
from panelflow.roles import Actor
from panelflow.workflows.durations import SCHOOL_TIME
from panelflow.workflows.engine import Refused
from tests.factories import Auth, make_account, make_local_authority, make_pupil, make_school
from tests.features.workflows.world import World

LEAD = Actor("test:lead", "Lee Lane", frozenset({"attendance_lead"}), "school")
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=SCHOOL_TIME).astimezone(UTC)  # 2 March 2026, 9am
REVIEW_DUE = datetime(2026, 4, 13, 9, 0, tzinfo=SCHOOL_TIME).astimezone(UTC)  # 30 weekdays on


def london(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SCHOOL_TIME).astimezone(UTC)


@pytest.fixture
def la(session: Session, published: WorkflowVersion) -> LocalAuthority:
    return make_local_authority(session, "Northshire County Council")


@pytest.fixture
def school(session: Session, la: LocalAuthority) -> School:
    return make_school(session, "Oakfield Primary", local_authority=la)


def support_case(session: Session, school: School, at: datetime = MONDAY, **pupil: Any) -> Case:
    case = open_case(session, make_pupil(session, school, **pupil), "support_first", LEAD, now=at)
    session.flush()
    return case


@contextmanager
def statements(session: Session) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        statement = str(args[2])
        if not statement.upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT")):
            seen.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


# --- who owns a due item ------------------------------------------------------------------


def test_the_owners_are_those_who_can_move_the_case_on_within_need_to_know(
    session: Session, la: LocalAuthority, school: School
) -> None:
    other = make_school(session, "Elsewhere Academy", local_authority=la)
    case = support_case(session, school)
    lead = make_account(session, "attendance_lead", school=school, local_authority=la)
    staff = make_account(session, "school_staff", school=school, local_authority=la)
    elsewhere = make_account(session, "attendance_lead", school=other, local_authority=la)
    gone = make_account(session, "attendance_lead", school=school, local_authority=la, active=False)
    ewo = make_account(session, "ewo", local_authority=la)
    involved = make_account(session, "ewo", local_authority=la, email="ewo2@example.org")
    camhs = make_account(session, "camhs_practitioner", local_authority=la)
    # The EWO service is asked to help, CAMHS too: only the EWOs can move a support-first
    # case on; an EWO sees it once the service has an action on it.
    create_action(session, case, LEAD, title="Home visit", agency="attendance_service", now=MONDAY)
    create_action(session, case, LEAD, title="Assessment", agency="camhs", now=MONDAY)
    session.flush()

    owned, info, users = owners(session, [case.id])

    assert sorted(owned) == sorted([lead.id, ewo.id, involved.id])
    assert all(ids == [case.id] for ids in owned.values())
    assert {staff.id, elsewhere.id, gone.id, camhs.id}.isdisjoint(owned)
    assert info[case.id].school == "Oakfield Primary"
    assert info[case.id].workflow == "Support first"
    assert info[case.id].state == "Universal support"
    assert set(owned) <= set(users)


def test_working_out_owners_sends_the_same_statements_for_many_cases_and_people(
    session: Session, la: LocalAuthority, school: School
) -> None:
    def measure(cases: int, people: int) -> int:
        ids = [support_case(session, school).id for _ in range(cases)]
        for _ in range(people):
            make_account(session, "attendance_lead", school=school, local_authority=la)
        session.flush()
        with statements(session) as seen:
            owned, _, _ = owners(session, ids)
        assert len(owned) >= people
        return len(seen)

    few = measure(2, 2)
    many = measure(40, 40)
    assert many == few


# --- one person's due items ---------------------------------------------------------------


def test_due_now_and_coming_up_for_the_lead_but_not_for_staff(
    session: Session, la: LocalAuthority, school: School
) -> None:
    flagged = support_case(session, school, given_name="Flo")
    later = support_case(session, school, at=MONDAY + timedelta(days=3), given_name="Lou")
    far = support_case(session, school, at=MONDAY + timedelta(days=28), given_name="Fay")
    lead = make_account(session, "attendance_lead", school=school, local_authority=la)
    staff = make_account(session, "school_staff", school=school, local_authority=la)
    report = tick(session, now=REVIEW_DUE + timedelta(minutes=5))
    assert report.flagged == 1
    session.flush()
    now = REVIEW_DUE + timedelta(days=1)  # Tuesday 14 April

    due = Due(session, actor_for(lead), now)
    [item] = due.due_now(10).items
    assert (item.case.id, item.text, item.at, item.school_days) == (
        flagged.id,
        "Review due",
        REVIEW_DUE,
        1,
    )
    assert (item.pupil.given_name, item.workflow, item.state) == (
        "Flo",
        "Support first",
        "Universal support",
    )
    coming = due.coming_up(10)
    assert [(i.case.id, i.text, i.kind) for i in coming.items] == [
        (later.id, "Review due", "flag_timer")
    ]
    assert far.id not in {i.case.id for i in coming.items}  # beyond 2 school weeks

    nothing = Due(session, actor_for(staff), now)
    assert nothing.due_now(10).total == 0 and nothing.coming_up(10).total == 0


def test_a_review_clears_the_flag_from_the_list(
    session: Session, published: WorkflowVersion, la: LocalAuthority, school: School
) -> None:
    case = support_case(session, school)
    lead = make_account(session, "attendance_lead", school=school, local_authority=la)
    tick(session, now=REVIEW_DUE)
    session.flush()
    assert Due(session, actor_for(lead), REVIEW_DUE).due_now(10).total == 1

    world = World(session, published)
    held = REVIEW_DUE + timedelta(hours=2)
    review = world.transition(case, "Review held")
    result = fire(case, review.trigger, LEAD, world.filled_in(case, review, held), now=held)
    assert not isinstance(result, Refused), result.message
    session.flush()

    assert Due(session, actor_for(lead), REVIEW_DUE).due_now(10).total == 0


def test_due_items_are_read_a_page_at_a_time(
    session: Session, la: LocalAuthority, school: School
) -> None:
    for n in range(7):
        support_case(session, school, at=MONDAY + timedelta(minutes=n))
    lead = make_account(session, "attendance_lead", school=school, local_authority=la)
    tick(session, now=REVIEW_DUE + timedelta(hours=1))
    session.flush()
    due = Due(session, actor_for(lead), REVIEW_DUE + timedelta(hours=2))

    first, rest = due.due_now(5), due.due_now(5, 5)

    assert (first.total, len(first.items), len(rest.items)) == (7, 5, 2)
    moments = [i.at for i in first.items + rest.items]
    assert moments == sorted(moments)  # longest waiting first


# --- the morning digest -------------------------------------------------------------------


def test_digest_days_and_their_cut_off() -> None:
    assert digest_day(london(17, 3, 6, 59)) == datetime(2026, 3, 16).date()
    assert digest_day(london(17, 3, 7, 0)) == datetime(2026, 3, 17).date()
    assert cut_off(datetime(2026, 3, 17).date()) == london(17, 3, 6, 45)
    assert window_of(london(17, 3, 6, 44)) == datetime(2026, 3, 17).date()
    assert window_of(london(17, 3, 6, 45)) == datetime(2026, 3, 18).date()
    # UK time, also in summer: 6:44am BST is 5:44 UTC.
    assert window_of(london(17, 6, 6, 44)) == datetime(2026, 6, 17).date()


def emails(session: Session) -> list[OutgoingEmail]:
    return list(
        session.scalars(
            select(OutgoingEmail)
            .where(OutgoingEmail.dedupe_key.like("timer-due:%"))
            .order_by(OutgoingEmail.id)
        )
    )


def test_one_digest_a_morning_listing_every_case_and_nothing_twice(
    session: Session, la: LocalAuthority, school: School
) -> None:
    one = support_case(session, school)
    two = support_case(session, school, at=MONDAY + timedelta(hours=3))
    lead = make_account(session, "attendance_lead", school=school, local_authority=la)
    tick(session, now=REVIEW_DUE + timedelta(hours=4))
    session.flush()

    assert remind_due(session, now=REVIEW_DUE + timedelta(hours=5)) == 0  # not before 7am
    morning = london(14, 4, 7, 5)
    assert remind_due(session, now=morning) == 1
    assert remind_due(session, now=morning + timedelta(minutes=5)) == 0
    assert remind_due(session, now=morning + timedelta(days=1)) == 0  # nothing new since

    [digest] = emails(session)
    assert digest.to_address == lead.email
    assert digest.subject == "Cases that need you: 2 items due"
    assert digest.dedupe_key == f"timer-due:{lead.id}:2026-04-14"
    for case in (one, two):
        assert f"Case {case.id} at Oakfield Primary: Support first, Universal support" in (
            digest.body
        )
        assert f"/cases/{case.id}\n" in digest.body
    assert digest.body.count("- Review due (due 13 April 2026)") == 2
    assert "Alex" not in digest.body and "Taylor" not in digest.body


def test_a_flag_raised_after_the_cut_off_goes_in_the_next_mornings_digest(
    session: Session, la: LocalAuthority, school: School
) -> None:
    early = support_case(session, school, at=london(2, 3, 6, 0))
    late = support_case(session, school, at=london(2, 3, 6, 50))
    make_account(session, "attendance_lead", school=school, local_authority=la)
    tick(session, now=london(13, 4, 6, 30))  # raises early's flag
    tick(session, now=london(13, 4, 6, 55))  # raises late's, after the 6:45 cut-off
    session.flush()

    assert remind_due(session, now=london(13, 4, 7, 0)) == 1
    assert remind_due(session, now=london(14, 4, 7, 0)) == 1

    first, second = emails(session)
    assert f"Case {early.id} " in first.body and f"Case {late.id} " not in first.body
    assert f"Case {late.id} " in second.body and f"Case {early.id} " not in second.body


def test_a_cleared_flag_or_a_closed_case_is_not_emailed(
    session: Session, la: LocalAuthority, school: School
) -> None:
    case = support_case(session, school)
    make_account(session, "attendance_lead", school=school, local_authority=la)
    tick(session, now=REVIEW_DUE)
    session.flush()
    assert [c.case_id for c in came_due(session, MONDAY, london(14, 4, 7, 0))] == [case.id]
    session.execute(
        CaseFlag.__table__.update()
        .where(CaseFlag.case_id == case.id)
        .values(cleared_at=REVIEW_DUE + timedelta(hours=1))
    )

    assert remind_due(session, now=london(14, 4, 7, 0)) == 0
    assert emails(session) == []


def test_nobody_to_tell_queues_nothing(
    session: Session, la: LocalAuthority, school: School
) -> None:
    support_case(session, school)
    make_account(session, "school_staff", school=school, local_authority=la)
    tick(session, now=REVIEW_DUE)
    session.flush()

    assert remind_due(session, now=london(14, 4, 7, 0)) == 0
    assert session.scalar(select(func.count()).select_from(OutgoingEmail)) == 0


# --- the pages ----------------------------------------------------------------------------


@pytest.fixture
def flagged_for(session: Session, la: LocalAuthority, school: School) -> dict[str, User]:
    for n in range(7):
        support_case(session, school, at=MONDAY - timedelta(weeks=60) + timedelta(minutes=n))
    people = {
        "lead": make_account(session, "attendance_lead", school=school, local_authority=la),
        "staff": make_account(session, "school_staff", school=school, local_authority=la),
        "auditor": make_account(session, "auditor", local_authority=la),
    }
    tick(session)
    session.commit()
    return people


def test_the_inbox_shows_the_first_five_and_links_to_the_rest(
    client: FlaskClient, auth: Auth, flagged_for: dict[str, User]
) -> None:
    auth.sign_in_as(flagged_for["lead"])
    page = client.get("/actions").get_data(as_text=True)

    assert "Cases that need you" in page
    # Two flags on each of 7 cases; the 5 waiting longest (the reviews due first) are shown.
    assert page.count("Review due") == 5 and "Review overdue" not in page
    assert 'href="/due"' in page and "See all 14" in page


def test_the_due_page_pages_through_what_is_due(
    client: FlaskClient, auth: Auth, flagged_for: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    from panelflow.cases import due_views

    monkeypatch.setattr(due_views, "PER_PAGE", 4)
    auth.sign_in_as(flagged_for["lead"])

    first = client.get("/due")
    last = client.get("/due?group=now&page=4")
    beyond = client.get("/due?group=now&page=99")

    assert first.status_code == 200
    assert "1 to 4 of 14" in first.get_data(as_text=True)
    assert "13 to 14 of 14" in last.get_data(as_text=True)
    assert "13 to 14 of 14" in beyond.get_data(as_text=True)


def test_only_people_who_work_on_cases_reach_the_due_page(
    client: FlaskClient, auth: Auth, flagged_for: dict[str, User]
) -> None:
    signed_out = client.get("/due")
    assert signed_out.status_code == 302 and "/sign-in" in signed_out.location

    auth.sign_in_as(flagged_for["auditor"])
    assert client.get("/due").status_code == 403
    auth.sign_out()

    auth.sign_in_as(flagged_for["staff"])
    page = client.get("/due").get_data(as_text=True)
    assert "Nothing is due now." in page


def test_the_home_page_points_people_to_what_is_due_and_keeps_the_catalogue(
    client: FlaskClient, auth: Auth, flagged_for: dict[str, User]
) -> None:
    auth.sign_in_as(flagged_for["lead"])
    lead_home = client.get("/").get_data(as_text=True)
    auth.sign_out()
    auth.sign_in_as(flagged_for["auditor"])
    auditor_home = client.get("/").get_data(as_text=True)

    assert "14 items due now on the cases you can move on" in lead_home
    assert 'href="/actions"' in lead_home
    assert "Your work" not in auditor_home
    for page in (lead_home, auditor_home):
        assert 'href="/workflows/support_first"' in page
