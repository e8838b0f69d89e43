"""The funding pages through the Flask test client, signed in for real: forms with their
CSRF tokens, problems shown beside their fields, need-to-know answered with 404, and LA
administrators who see money but never a pupil."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from panelflow.cases.operations import open_case
from panelflow.db import Database
from panelflow.funding.models import Budget, CohortSession, FundingDecision, RegisterMark
from panelflow.funding.operations import (
    add_place,
    approve,
    propose,
)
from panelflow.panels.models import PanelSchool
from tests.factories import (
    Auth,
    csrf_token,
    make_account,
    make_local_authority,
    make_pupil,
    make_school,
)
from tests.funding.conftest import Place


def text(response: TestResponse) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def entered(value: object) -> str:
    return f"{value.day}/{value.month}/{value.year}"  # type: ignore[attr-defined]


def count(db: Database, model: type) -> int:
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def sign_in(client: FlaskClient, place: Place, who: str) -> None:
    Auth(client).sign_in_as(place.users[who])


def proposal(place: Place, **values: str) -> dict[str, str]:
    return {
        "item": "transport",
        "amount": "£45",
        "provider": "Merseytravel",
        "starts_on": entered(place.today),
        "ends_on": entered(place.today + timedelta(days=30)),
        "description": "A bus pass for the 437",
        **values,
    }


def post_form(
    client: FlaskClient, path: str, data: dict[str, str], **kwargs: object
) -> TestResponse:
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    return client.post(path, data={"csrf_token": csrf_token(page), **data}, **kwargs)  # type: ignore[arg-type]


# -- proposing ---------------------------------------------------------------------------------


def test_a_chair_proposes_a_bus_pass_and_it_is_approved_at_once(
    client: FlaskClient, db: Database, place: Place
) -> None:
    sign_in(client, place, "chair")
    path = f"/cases/{place.case.id}/funding/new"
    page = client.get(path)
    assert "This term: £1,000.00 left of £1,000.00" in text(page).replace(" :", ":")
    assert "Who approves how much" in text(page)

    response = post_form(client, path, proposal(place), follow_redirects=True)

    assert response.status_code == 200
    assert "Approved: Transport (a bus pass, a taxi, fuel), £45.00" in text(response)
    assert "First approval Priya Shah (Panel chair)" in text(response)
    assert response.request.path.startswith("/funding/")


def test_problems_are_shown_beside_their_fields_and_nothing_is_saved(
    client: FlaskClient, db: Database, place: Place
) -> None:
    sign_in(client, place, "chair")
    response = post_form(
        client,
        f"/cases/{place.case.id}/funding/new",
        proposal(place, item="", amount="12.345", starts_on="next tuesday", provider=""),
    )

    page = text(response)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "Choose what the money is for" in page
    assert "'12.345' has more than two figures of pence" in page
    assert "Enter the start date as day/month/year, like 27/3/2026" in page
    assert 'href="#amount"' in response.get_data(as_text=True)
    assert count(db, FundingDecision) == 0


def test_the_form_names_the_budget_problem_and_the_panel(
    client: FlaskClient, db: Database, place: Place
) -> None:
    sign_in(client, place, "chair")
    later = place.today + timedelta(days=120)
    response = post_form(
        client,
        f"/cases/{place.case.id}/funding/new",
        proposal(place, starts_on=entered(later), ends_on=entered(later)),
    )

    assert response.status_code == 400
    assert "No budget is set for Birkenhead Park panel on" in text(response)
    assert "ask your LA administrator" in text(response)


def test_an_overspend_asks_for_a_reason_and_then_goes_ahead(
    client: FlaskClient, db: Database, place: Place
) -> None:
    sign_in(client, place, "chair")
    path = f"/cases/{place.case.id}/funding/new"
    for _ in range(7):
        assert post_form(client, path, proposal(place, amount="140")).status_code == 302

    refused = post_form(client, path, proposal(place, amount="45"))
    assert refused.status_code == 400
    assert "This would overspend This term: £20.00 is left and £45.00 is asked for" in text(refused)
    assert 'name="override_reason"' in refused.get_data(as_text=True)

    agreed = post_form(
        client, path, proposal(place, amount="45", override_reason="Needed before half-term")
    )

    assert agreed.status_code == 302
    with db.sessions() as s:
        latest = s.scalars(select(FundingDecision).order_by(FundingDecision.id.desc())).first()
        assert latest is not None and latest.override_reason == "Needed before half-term"


def test_next_returns_to_a_local_page_only(client: FlaskClient, place: Place) -> None:
    sign_in(client, place, "chair")
    base = f"/cases/{place.case.id}/funding/new"

    back = post_form(client, base + "?next=/panels", proposal(place))
    away = post_form(client, base + "?next=https://evil.example/", proposal(place))

    assert back.headers["Location"] == "/panels"
    assert away.headers["Location"].startswith("/funding/")


def test_a_form_without_its_csrf_token_is_refused(
    client: FlaskClient, db: Database, place: Place
) -> None:
    sign_in(client, place, "chair")

    response = client.post(f"/cases/{place.case.id}/funding/new", data=proposal(place))

    assert response.status_code == 400
    assert count(db, FundingDecision) == 0


# -- need-to-know ----------------------------------------------------------------------------


def test_pages_outside_need_to_know_answer_404_and_without_the_permission_403(
    client: FlaskClient, session: Session, place: Place
) -> None:
    decision = propose(
        session,
        place.actor("chair"),
        case=place.case,
        item="transport",
        amount_pence=4500,
        provider="Merseytravel",
        starts_on=place.today,
        ends_on=place.today,
    )
    session.commit()
    paths = [
        f"/cases/{place.case.id}/funding/new",
        f"/funding/{decision.id}",
        f"/panels/{place.panel.id}/funding",
        f"/panels/{place.panel.id}/funding?budget=999999",
    ]
    sign_in(client, place, "rockferry")
    assert [client.get(p).status_code for p in paths] == [404, 404, 404, 404]
    assert client.get("/funding/budgets").status_code == 403
    Auth(client).sign_out()
    sign_in(client, place, "teacher")
    assert [client.get(p).status_code for p in paths] == [403, 403, 403, 403]
    Auth(client).sign_out()
    sign_in(client, place, "admin")
    assert [client.get(p).status_code for p in paths] == [403, 403, 403, 403]


def test_the_ledger_names_only_pupils_the_chair_may_see(
    client: FlaskClient, session: Session, place: Place
) -> None:
    # A second school on the same panel, with its own chair and pupil.
    la = make_local_authority(session)
    bidston = make_school(session, "Bidston Avenue Primary", la)
    session.add(PanelSchool(panel_id=place.panel.id, school_id=bidston.id))
    owen = make_account(
        session, "panel_chair", name="Owen Hale", school=bidston, local_authority=la
    )
    from panelflow.accounts.operations import actor_for

    pupil = make_pupil(session, bidston, given_name="Zebedee", family_name="Quixote")
    case = open_case(session, pupil, "school_panel", actor_for(owen))
    for who, on in ((actor_for(owen), case), (place.actor("chair"), place.case)):
        propose(
            session,
            who,
            case=on,
            item="uniform",
            amount_pence=3000,
            provider="Uniform shop",
            starts_on=place.today,
            ends_on=place.today,
        )
    session.commit()
    sign_in(client, place, "chair")

    page = text(client.get(f"/panels/{place.panel.id}/funding"))

    assert "Amara Hughes" in page
    assert "Zebedee" not in page
    assert "A pupil at another school" in page
    assert "Allocated £1,000.00 Committed £60.00 Spent £0.00 Remaining £940.00" in page


# -- a decision's page -------------------------------------------------------------------------


def test_approve_decline_and_spend_on_the_decision_page(
    client: FlaskClient, db: Database, session: Session, place: Place
) -> None:
    decision = propose(
        session,
        place.actor("chair"),
        case=place.case,
        item="group_programme",
        amount_pence=40000,
        provider="The Hive Youth Zone",
        starts_on=place.today,
        ends_on=place.today + timedelta(weeks=8),
    )
    session.commit()
    path = f"/funding/{decision.id}"
    sign_in(client, place, "chair")
    page = client.get(path)
    assert "Waiting for a second approval" in text(page)
    assert (
        "The second approval must come from someone other than the person who proposed it"
        in text(page)
    )
    Auth(client).sign_out()

    sign_in(client, place, "lead")
    page = client.get(path)
    empty = client.post(f"{path}/decline", data={"csrf_token": csrf_token(page), "text": ""})
    assert empty.status_code == 400
    assert "Say why you are declining it" in text(empty)
    approved = client.post(
        f"{path}/approve", data={"csrf_token": csrf_token(page)}, follow_redirects=True
    )
    assert "Approval recorded" in text(approved)
    assert "Approved" in text(approved)

    too_much = client.post(
        f"{path}/spend",
        data={"csrf_token": csrf_token(approved), "amount": "401", "on": entered(place.today)},
    )
    assert too_much.status_code == 400
    assert "more than the £400.00 approved" in text(too_much)
    spent = client.post(
        f"{path}/spend",
        data={
            "csrf_token": csrf_token(approved),
            "amount": "150",
            "on": entered(place.today),
            "text": "Invoice 118",
        },
        follow_redirects=True,
    )
    assert "Spend recorded" in text(spent)
    assert "£150.00 (£250.00 still to spend)" in text(spent)
    assert (
        client.post(f"{path}/nonsense", data={"csrf_token": csrf_token(spent)}).status_code == 404
    )


# -- budgets -----------------------------------------------------------------------------------


def test_an_la_administrator_sets_budgets_and_sees_totals_but_no_pupils(
    client: FlaskClient, db: Database, session: Session, place: Place
) -> None:
    propose(
        session,
        place.actor("chair"),
        case=place.case,
        item="transport",
        amount_pence=4500,
        provider="Merseytravel",
        starts_on=place.today,
        ends_on=place.today,
    )
    session.commit()
    sign_in(client, place, "admin")

    page = client.get("/funding/budgets")
    assert page.status_code == 200
    assert "Birkenhead Park panel" in text(page) and "Rock Ferry panel" in text(page)
    assert "£45.00" in text(page)
    assert "Amara" not in page.get_data(as_text=True)

    start = place.budget.ends_on + timedelta(days=1)
    overlapping = post_form(
        client,
        "/funding/budgets",
        {
            "panel_id": str(place.panel.id),
            "label": "Next term",
            "starts_on": entered(place.budget.ends_on),
            "ends_on": entered(start + timedelta(days=80)),
            "amount": "800",
        },
    )
    assert overlapping.status_code == 400
    assert "These dates overlap This term" in text(overlapping)
    saved = post_form(
        client,
        "/funding/budgets",
        {
            "panel_id": str(place.panel.id),
            "label": "Next term",
            "starts_on": entered(start),
            "ends_on": entered(start + timedelta(days=80)),
            "amount": "£800",
        },
        follow_redirects=True,
    )
    assert "Budget set: Next term, £800.00" in text(saved)

    changed = post_form(
        client,
        f"/funding/budgets/{place.budget.id}",
        {
            "label": "This term",
            "starts_on": entered(place.budget.starts_on),
            "ends_on": entered(place.budget.ends_on),
            "amount": "1,250",
        },
    )
    assert changed.status_code == 302
    with db.sessions() as s:
        assert s.get(Budget, place.budget.id).amount_pence == 125_000  # type: ignore[union-attr]


def test_budgets_of_another_authority_are_not_found(
    client: FlaskClient, session: Session, place: Place
) -> None:
    sefton = make_local_authority(session, "Sefton Council")
    far_admin = make_account(session, "la_admin", name="Sam Far", local_authority=sefton)
    session.commit()
    Auth(client).sign_in_as(far_admin)

    assert client.get(f"/funding/budgets/{place.budget.id}").status_code == 404
    assert "Birkenhead" not in text(client.get("/funding/budgets"))


# -- programmes, cohorts and registers -------------------------------------------------------


def test_programme_cohort_place_and_register_through_the_pages(
    client: FlaskClient, db: Database, session: Session, place: Place
) -> None:
    sign_in(client, place, "admin")
    added = post_form(
        client,
        "/funding/programmes",
        {"name": "Inspiring Futures", "provider": "The Hive Youth Zone", "description": ""},
        follow_redirects=True,
    )
    assert "Inspiring Futures is on offer to every panel" in text(added)
    Auth(client).sign_out()

    sign_in(client, place, "chair")
    listing = client.get("/programmes")
    assert "Inspiring Futures" in text(listing)
    programme_id = re.search(
        r'<option value="(\d+)"[^>]*>Inspiring Futures', listing.get_data(as_text=True)
    )
    assert programme_id
    started = post_form(
        client,
        "/programmes",
        {
            "programme_id": programme_id.group(1),
            "panel_id": str(place.panel.id),
            "label": "Autumn, Tuesdays",
            "starts_on": entered(place.today),
            "session_count": "6",
            "places": "8",
        },
    )
    assert started.status_code == 302
    cohort_path = started.headers["Location"]
    cohort_page = client.get(cohort_path)
    assert "0 of 8 places taken" in text(cohort_page)
    assert "Amara Hughes: not funded" in text(cohort_page)

    placed = post_form(
        client, cohort_path, {"source": f"case:{place.case.id}"}, follow_redirects=True
    )
    assert "Place given" in text(placed)
    assert "1 of 8 places taken" in text(placed)

    with db.sessions() as s:
        first = s.scalars(select(CohortSession).order_by(CohortSession.number)).first()
        assert first is not None
        from panelflow.funding.models import CohortPlace

        seat = s.scalars(select(CohortPlace)).one()
    register_path = f"{cohort_path}/sessions/{first.id}"
    saved = post_form(
        client,
        register_path,
        {"what": "register", f"place-{seat.id}": "late"},
        follow_redirects=True,
    )
    assert "Register saved" in text(saved)
    assert 'value="late" checked' in saved.get_data(as_text=True)
    wrong = post_form(client, register_path, {"what": "register", f"place-{seat.id}": "asleep"})
    assert wrong.status_code == 400
    assert "Mark each pupil as one of: present, late, absent, excused" in text(wrong)
    with db.sessions() as s:
        assert [m.mark for m in s.scalars(select(RegisterMark))] == ["late"]

    sign_in_other = Auth(client)
    sign_in_other.sign_out()
    sign_in(client, place, "rockferry")
    assert client.get(cohort_path).status_code == 404
    assert client.get(register_path).status_code == 404


def test_only_pupils_funded_for_a_place_come_first_on_the_cohort_page(
    client: FlaskClient, session: Session, place: Place
) -> None:
    cohort = place.cohort(
        session,
        label="Spring",
        starts_on=place.today,
        session_count=6,
        places=2,
    )
    paid = propose(
        session,
        place.actor("chair"),
        case=place.case,
        item="group_programme",
        amount_pence=40000,
        provider="The Hive",
        starts_on=place.today,
        ends_on=place.today + timedelta(weeks=6),
    )
    approve(session, place.actor("lead"), paid.id)
    session.commit()
    sign_in(client, place, "chair")

    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)

    options = re.findall(r'<option value="([^"]*)"', page)
    assert options[:2] == ["", f"decision:{paid.id}"]
    assert f"case:{place.case.id}" not in options  # the same pupil is offered once
    add_place(session, place.actor("chair"), cohort.id, case_id=place.case.id, decision_id=paid.id)
    session.commit()
    assert "No pupil with an open case" in text(client.get(f"/cohorts/{cohort.id}"))


def test_a_proposal_from_a_meeting_remembers_it_and_returns_there(
    client: FlaskClient, db: Database, session: Session, place: Place
) -> None:
    from panelflow.db import utcnow
    from panelflow.panels.models import Meeting

    meeting = Meeting(panel_id=place.panel.id, starts_at=utcnow(), status="in_progress")
    session.add(meeting)
    session.commit()
    sign_in(client, place, "chair")
    path = f"/cases/{place.case.id}/funding/new?meeting={meeting.id}&next=/meetings/{meeting.id}"

    response = post_form(client, path, proposal(place))

    assert response.headers["Location"] == f"/meetings/{meeting.id}"
    with db.sessions() as s:
        assert s.scalars(select(FundingDecision.meeting_id)).one() == meeting.id


def test_the_case_funding_partial_lists_decisions_with_links(
    app: object, session: Session, place: Place
) -> None:
    from flask import Flask, render_template_string

    from panelflow import web
    from panelflow.funding.operations import decisions_for_cases

    propose(
        session,
        place.actor("chair"),
        case=place.case,
        item="equipment",
        amount_pence=1299,
        provider="Argos",
        starts_on=place.today,
        ends_on=place.today,
    )
    waiting = propose(
        session,
        place.actor("lead"),
        case=place.case,
        item="mentoring",
        amount_pence=30000,
        provider="Wirral Mentors",
        starts_on=place.today,
        ends_on=place.today + timedelta(weeks=10),
    )
    session.commit()
    assert isinstance(app, Flask)
    template = '{% include "funding/_case_funding.html" %}'
    with app.test_request_context("/"):
        # The app's own session reads, so no transaction of the test holds SQLite's lock.
        found = decisions_for_cases(web.session(), [place.case.id])[place.case.id]
        page = render_template_string(template, decisions=found)
        empty = render_template_string(template, decisions=[])

    words = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Equipment (an alarm clock, a school bag) £12.99 Approved Argos" in words
    assert "Mentoring sessions £300.00 Waiting for approval Wirral Mentors" in words
    assert f'href="/funding/{waiting.id}"' in page
    assert "No funding has been agreed for this case." in empty


# -- funding on the case page ----------------------------------------------------------------


def _bus_pass(session: Session, place: Place, who: str = "chair") -> FundingDecision:
    return propose(
        session,
        place.actor(who),
        case=place.case,
        item="transport",
        amount_pence=4500,
        provider="Merseytravel",
        starts_on=place.today,
        ends_on=place.today,
    )


def test_the_case_page_shows_funding_and_offers_to_propose_only_to_those_who_may(
    client: FlaskClient, session: Session, place: Place
) -> None:
    from panelflow.cases.operations import Fired, fire

    decision = _bus_pass(session, place)
    session.commit()
    case_path = f"/cases/{place.case.id}"
    propose_link = f'href="/cases/{place.case.id}/funding/new"'
    decision_link = f'href="/funding/{decision.id}"'

    for who in ("chair", "lead"):
        sign_in(client, place, who)
        page = client.get(case_path)
        body = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "Transport (a bus pass, a taxi, fuel) £45.00 Approved Merseytravel" in text(page)
        assert propose_link in body and decision_link in body
        assert client.get(f"/cases/{place.case.id}/funding/new").status_code == 200
        assert client.get(f"/funding/{decision.id}").status_code == 200
        Auth(client).sign_out()

    # A teacher sees what was decided for the pupil, but funding pages are not theirs: no
    # link that would answer 403.
    sign_in(client, place, "teacher")
    page = client.get(case_path)
    assert page.status_code == 200
    assert "Transport (a bus pass, a taxi, fuel) £45.00 Approved Merseytravel" in text(page)
    assert "Propose funding" not in text(page)
    assert "/funding" not in page.get_data(as_text=True)
    Auth(client).sign_out()

    closed = fire(place.case, "withdraw", place.actor("chair"), {"closure_reason": "Moved away"})
    assert isinstance(closed, Fired)
    session.commit()
    sign_in(client, place, "chair")
    page = client.get(case_path)
    assert decision_link in page.get_data(as_text=True)  # the history stays
    assert propose_link not in page.get_data(as_text=True)  # but nothing new on a closed case


def test_a_decision_of_a_panel_the_viewer_does_not_run_is_listed_without_a_link(
    client: FlaskClient, session: Session, place: Place
) -> None:
    decision = _bus_pass(session, place)
    # The school moves to the Rock Ferry panel: Dev, a chair at the school who is not a
    # member of the old panel, runs the new one only.
    school_id = place.pupil.school_id
    old = session.scalars(
        select(PanelSchool).where(
            PanelSchool.panel_id == place.panel.id, PanelSchool.school_id == school_id
        )
    ).one()
    session.delete(old)
    session.flush()
    session.add(PanelSchool(panel_id=place.other_panel.id, school_id=school_id))
    session.commit()
    sign_in(client, place, "deputy")

    page = client.get(f"/cases/{place.case.id}")

    body = page.get_data(as_text=True)
    assert "Transport (a bus pass, a taxi, fuel) £45.00 Approved" in text(page)
    assert f'href="/funding/{decision.id}"' not in body
    assert client.get(f"/funding/{decision.id}").status_code == 404
    assert f'href="/cases/{place.case.id}/funding/new"' in body  # the new panel's budget


def test_the_case_page_reads_funding_in_the_same_statements_however_many_decisions(
    app: object, client: FlaskClient, session: Session, place: Place
) -> None:
    from flask import Flask
    from sqlalchemy import event

    assert isinstance(app, Flask)
    engine = app.extensions["panelflow.db"].engine
    statements: list[str] = []

    def counted(*args: object) -> None:
        statements.append(str(args[2]))

    _bus_pass(session, place)
    session.commit()
    sign_in(client, place, "chair")
    event.listen(engine, "before_cursor_execute", counted)
    try:
        assert client.get(f"/cases/{place.case.id}").status_code == 200
        one = len(statements)
        for _ in range(4):
            _bus_pass(session, place, "lead")
        session.commit()
        statements.clear()
        page = client.get(f"/cases/{place.case.id}")
        many = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", counted)

    assert page.get_data(as_text=True).count('href="/funding/') == 5
    assert many == one  # the decisions, their approvals and spend: a query each, not per row


# -- a pupil's place: leaving, or removed ----------------------------------------------------


def _cohort_with_amara(session: Session, place: Place) -> tuple[int, int, list[int]]:
    """A cohort that started two weeks ago (session 3 is today), Amara on it, present at
    session 1; its id, her place's id and the session ids in order."""
    cohort = place.cohort(
        session,
        label="Autumn, Tuesdays",
        starts_on=place.today - timedelta(weeks=2),
        session_count=6,
        places=4,
    )
    seat = add_place(session, place.actor("chair"), cohort.id, case_id=place.case.id)
    sessions = list(
        session.scalars(
            select(CohortSession.id)
            .where(CohortSession.cohort_id == cohort.id)
            .order_by(CohortSession.number)
        )
    )
    session.commit()
    return cohort.id, seat.id, sessions


def test_a_chair_records_that_a_pupil_left_the_cohort(
    client: FlaskClient, db: Database, session: Session, place: Place
) -> None:
    from panelflow.funding.models import CohortPlace
    from panelflow.funding.operations import mark_register

    cohort_id, seat_id, sessions = _cohort_with_amara(session, place)
    mark_register(session, place.actor("chair"), sessions[0], {seat_id: "present"})
    session.commit()
    sign_in(client, place, "chair")
    cohort_path = f"/cohorts/{cohort_id}"
    path = f"{cohort_path}/places/{seat_id}"
    assert f'href="{path}"' in client.get(cohort_path).get_data(as_text=True)
    page = client.get(path)
    assert "Record that Amara left the cohort" in text(page)
    assert "Remove a place given by mistake" not in text(page)  # she is on a register

    nonsense = post_form(client, path, {"what": "leave", "left_on": "31/2/2026", "left_reason": ""})
    assert nonsense.status_code == 400
    assert "Enter the leaving date as day/month/year, like 27/3/2026" in text(nonsense)
    assert "Say in a few words why they left" in text(nonsense)
    assert 'href="#left_on"' in nonsense.get_data(as_text=True)
    assert 'href="#left_reason"' in nonsense.get_data(as_text=True)
    too_early = post_form(
        client,
        path,
        {
            "what": "leave",
            "left_on": entered(place.today - timedelta(weeks=3)),
            "left_reason": "Moved",
        },
    )
    assert too_early.status_code == 400
    assert "The leaving date cannot be before the cohort started, on" in text(too_early)
    unsigned = client.post(
        path, data={"what": "leave", "left_on": entered(place.today), "left_reason": "Moved"}
    )
    assert unsigned.status_code == 400
    removing = post_form(client, path, {"what": "remove"})
    assert removing.status_code == 400
    assert "already on a register, so the place cannot be removed" in text(removing)
    with db.sessions() as s:
        kept = s.get(CohortPlace, seat_id)
        assert kept is not None and kept.left_on is None

    left_on = place.today - timedelta(days=10)  # after session 1, before session 2
    saved = post_form(
        client,
        path,
        {"what": "leave", "left_on": entered(left_on), "left_reason": "Moved to Rock Ferry"},
        follow_redirects=True,
    )

    assert saved.request.path == cohort_path
    assert "Amara Hughes left the cohort on" in text(saved)
    assert "0 of 4 places taken (1 pupil left the cohort)" in text(saved)
    assert "Amara Hughes Not funded 1 of 1 marked Left on" in text(saved)
    later = client.get(f"{cohort_path}/sessions/{sessions[2]}")
    assert f'name="place-{seat_id}"' not in later.get_data(as_text=True)
    assert "Amara Hughes: left on" in text(later) and "not expected" in text(later)
    earlier = client.get(f"{cohort_path}/sessions/{sessions[0]}").get_data(as_text=True)
    assert 'value="present" checked' in earlier
    crafted = post_form(
        client,
        f"{cohort_path}/sessions/{sessions[2]}",
        {"what": "register", f"place-{seat_id}": "absent"},
    )
    assert crafted.status_code == 400  # nobody left to mark
    assert "Mark at least one pupil" in text(crafted)
    with db.sessions() as s:
        assert [m.session_id for m in s.scalars(select(RegisterMark))] == [sessions[0]]
        place_now = s.get(CohortPlace, seat_id)
        assert place_now is not None
        assert (place_now.left_on, place_now.left_reason) == (left_on, "Moved to Rock Ferry")
    again = client.get(path)
    assert "Change when or why they left" in text(again)
    assert "Moved to Rock Ferry" in text(again)


def test_a_place_given_by_mistake_is_removed(
    client: FlaskClient, db: Database, session: Session, place: Place
) -> None:
    from panelflow.funding.models import CohortPlace

    cohort_id, seat_id, _ = _cohort_with_amara(session, place)
    sign_in(client, place, "lead")
    path = f"/cohorts/{cohort_id}/places/{seat_id}"
    assert "Remove a place given by mistake" in text(client.get(path))

    removed = post_form(client, path, {"what": "remove"}, follow_redirects=True)

    assert "Amara Hughes's place is removed" in text(removed)
    assert "0 of 4 places taken" in text(removed)
    assert count(db, CohortPlace) == 0
    assert client.get(path).status_code == 404


def test_a_place_outside_someones_reach_is_not_found(
    client: FlaskClient, session: Session, place: Place
) -> None:
    cohort_id, seat_id, _ = _cohort_with_amara(session, place)
    path = f"/cohorts/{cohort_id}/places/{seat_id}"
    sign_in(client, place, "rockferry")
    assert client.get(path).status_code == 404
    assert client.post(path, data={"what": "remove"}).status_code in (400, 404)
    Auth(client).sign_out()
    for who in ("teacher", "admin", "ewo"):
        sign_in(client, place, who)
        assert client.get(path).status_code == 403
        Auth(client).sign_out()
    sign_in(client, place, "chair")
    assert client.get(f"/cohorts/{cohort_id}/places/999999").status_code == 404
    assert client.get(f"/cohorts/999999/places/{seat_id}").status_code == 404
