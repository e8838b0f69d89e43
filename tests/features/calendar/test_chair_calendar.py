"""Steps for the chair's calendar journey: the real pages, forms, CSRF tokens and feed.

The term dates are 2030-31's (``tests/calendar/conftest.py``), so every date is still to come
whenever the tests run. Reads go through short-lived sessions, so that on SQLite no
transaction of the test holds the write lock while the app writes.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskClient
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.accounts.models import User
from panelflow.accounts.operations import actor_for
from panelflow.db import Database
from panelflow.notify.models import OutgoingEmail
from panelflow.panels.models import Meeting, Panel, PanelMember, PanelSchool
from panelflow.panels.schedule import Pattern, create_series
from panelflow.presentation import LONDON
from tests.calendar.conftest import load_test_term_dates
from tests.factories import Auth, csrf_token, make_account, make_local_authority, make_school
from tests.features.panels.conftest import text

scenarios("calendar/chair_calendar.feature")

WEEKS = {"first": "1", "second": "2", "third": "3", "fourth": "4", "last": "last"}
WEEKDAYS = {"Monday": "0", "Tuesday": "1", "Wednesday": "2", "Thursday": "3", "Friday": "4"}
SERIES = (
    r"meetings on the (?P<week>\w+) (?P<weekday>\w+) of each month at (?P<at>\S+) "
    r"from (?P<start>[\d/]+) to (?P<end>[\d/]+)"
)
FEED_URL = re.compile(r'value="http://localhost(/calendar/[A-Za-z0-9_-]{43}\.ics)"')


@pytest.fixture
def ctx() -> dict[str, Any]:
    return {"users": {}}


def _day(typed: str) -> date:
    d, m, y = (int(p) for p in typed.split("/"))
    return date(y, m, d)


def _london(words: str) -> date:
    return datetime.strptime(words, "%d %B %Y").date()


def _series_form(week: str, weekday: str, at: str, first: str, last: str) -> dict[str, str]:
    start, end = _day(first), _day(last)
    return {
        "week": WEEKS[week],
        "weekday": WEEKDAYS[weekday],
        "start_time": at,
        "duration": "90",
        "location": "Library",
        "from_day": str(start.day),
        "from_month": str(start.month),
        "from_year": str(start.year),
        "until_day": str(end.day),
        "until_month": str(end.month),
        "until_year": str(end.year),
    }


def _meetings(db: Database, panel_id: int) -> list[Meeting]:
    with db.sessions() as s:
        found = list(
            s.scalars(
                select(Meeting).where(Meeting.panel_id == panel_id).order_by(Meeting.starts_at)
            )
        )
        s.expunge_all()
        return found


# -- given --------------------------------------------------------------------------------


@given(parsers.re(r"the local authority's term dates for 2030-31 are loaded.*"))
def _term_dates(session: Session, ctx: dict[str, Any]) -> None:
    authority = make_local_authority(session)
    load_test_term_dates(session, authority.id)
    session.commit()
    ctx["authority"] = authority.id


@given(parsers.parse("{name} chairs the {panel_name}"))
def _chair(session: Session, ctx: dict[str, Any], name: str, panel_name: str) -> None:
    authority = make_local_authority(session)
    school = make_school(session, "Birkenhead Park Primary", local_authority=authority)
    panel = Panel(name=panel_name, local_authority_id=authority.id)
    session.add(panel)
    session.flush()
    session.add(PanelSchool(panel_id=panel.id, school_id=school.id))
    first = name.split()[0]
    user = make_account(
        session, "panel_chair", email=f"{first.lower()}@school.example", name=name, school=school
    )
    session.add(PanelMember(panel_id=panel.id, user_id=user.id, is_chair=True))
    session.commit()
    ctx["panel"] = panel.id
    ctx["users"][first] = user.id


@given(parsers.parse("{name}, an education welfare officer, is a member of the panel"))
def _member(session: Session, ctx: dict[str, Any], name: str) -> None:
    first = name.split()[0]
    user = make_account(session, "ewo", email=f"{first.lower()}@council.example", name=name)
    session.add(PanelMember(panel_id=ctx["panel"], user_id=user.id))
    session.commit()
    ctx["users"][first] = user.id


@given(parsers.parse("{first} is signed in"))
def _signed_in(client: FlaskClient, db: Database, ctx: dict[str, Any], first: str) -> None:
    with db.sessions() as s:
        email = s.scalar(select(User.email).where(User.id == ctx["users"][first]))
    assert email and Auth(client).sign_in(email).status_code == 302


@given(parsers.re(rf"(?P<who>\w+) has set up {SERIES}$"))
def _set_up(
    session: Session,
    ctx: dict[str, Any],
    who: str,
    week: str,
    weekday: str,
    at: str,
    start: str,
    end: str,
) -> None:
    chair = session.get(User, ctx["users"][who])
    panel = session.get(Panel, ctx["panel"])
    assert chair is not None and panel is not None
    form = _series_form(week, weekday, at, start, end)
    pattern = Pattern(
        int(form["week"]) if form["week"] != "last" else -1,
        int(form["weekday"]),
        time(16) if at == "4pm" else datetime.strptime(at, "%H:%M").time(),
        90,
        "Library",
        _day(start),
        _day(end),
    )
    create_series(session, actor_for(chair), panel, pattern)
    session.commit()


# -- when ---------------------------------------------------------------------------------


def _post_series(client: FlaskClient, ctx: dict[str, Any], action: str) -> None:
    path = f"/panels/{ctx['panel']}/series/new"
    page = client.get(path)
    assert page.status_code == 200
    ctx["response"] = client.post(
        path, data={"csrf_token": csrf_token(page), **ctx["series"], "action": action}
    )


@when(parsers.re(rf"(?P<who>\w+) previews {SERIES}$"))
def _previews(
    client: FlaskClient,
    ctx: dict[str, Any],
    who: str,
    week: str,
    weekday: str,
    at: str,
    start: str,
    end: str,
) -> None:
    ctx["series"] = _series_form(week, weekday, at, start, end)
    _post_series(client, ctx, "preview")
    assert ctx["response"].status_code == 200, text(ctx["response"])


@when(parsers.parse("{who} saves the series"))
def _saves(client: FlaskClient, ctx: dict[str, Any], who: str) -> None:
    _post_series(client, ctx, "save")
    assert ctx["response"].status_code == 302, text(ctx["response"])


@when(
    parsers.re(
        r"(?P<who>\w+) moves the meeting of (?P<was>\d+ \w+ \d{4}) to (?P<day>[\d/]+) "
        r'at "(?P<at>[^"]*)"'
    )
)
def _moves(
    client: FlaskClient, db: Database, ctx: dict[str, Any], who: str, was: str, day: str, at: str
) -> None:
    meeting = next(
        m
        for m in _meetings(db, ctx["panel"])
        if m.starts_at.astimezone(LONDON).date() == _london(was)
    )
    path = f"/meetings/{meeting.id}/move"
    page = client.get(path)
    assert page.status_code == 200
    d, m, y = day.split("/")
    ctx["meeting"] = meeting.id
    ctx["response"] = client.post(
        path,
        data={"csrf_token": csrf_token(page), "day": d, "month": m, "year": y, "time": at},
        follow_redirects=True,
    )


@when(parsers.parse("{who} makes her calendar address"))
def _makes_feed(client: FlaskClient, ctx: dict[str, Any], who: str) -> None:
    page = client.get(f"/panels/{ctx['panel']}/calendar")
    made = client.post(
        f"/panels/{ctx['panel']}/calendar/feed", data={"csrf_token": csrf_token(page)}
    )
    assert made.status_code == 200
    match = FEED_URL.search(made.get_data(as_text=True))
    assert match, "the address is shown once, on the page"
    ctx["feed"] = match.group(1)


@when(parsers.parse("{who} stops her calendar address working"))
def _stops_feed(client: FlaskClient, ctx: dict[str, Any], who: str) -> None:
    page = client.get(f"/panels/{ctx['panel']}/calendar")
    stopped = client.post(
        f"/panels/{ctx['panel']}/calendar/feed/revoke", data={"csrf_token": csrf_token(page)}
    )
    assert stopped.status_code == 302


# -- then ---------------------------------------------------------------------------------


@then(parsers.re(r'the preview shows a new meeting on (?P<moment>.+?), "(?P<note>[^"]*)"'))
def _preview_shows(ctx: dict[str, Any], moment: str, note: str) -> None:
    words = text(ctx["response"])
    assert "The meetings this gives" in words
    assert f"{moment} New meeting {note}" in words


@then("no meeting is saved yet")
def _nothing_saved(db: Database, ctx: dict[str, Any]) -> None:
    assert _meetings(db, ctx["panel"]) == []


@then(parsers.re(r"the panel meets on (?P<days>.+), each at (?P<at>\S+) London time"))
def _panel_meets(db: Database, ctx: dict[str, Any], days: str, at: str) -> None:
    expected = [_london(d.strip()) for d in re.split(r",| and ", days) if d.strip()]
    found = _meetings(db, ctx["panel"])
    assert [m.starts_at.astimezone(LONDON).date() for m in found] == expected
    assert {m.starts_at.astimezone(LONDON).time() for m in found} == {time(16)}
    assert {m.status for m in found} == {"scheduled"}


@then(parsers.parse('{who} sees the problem "{message}"'))
def _problem(ctx: dict[str, Any], who: str, message: str) -> None:
    response = ctx["response"]
    assert response.status_code == 400
    assert "There is a problem" in text(response)
    assert message in text(response)


@then(parsers.re(r"the meeting page says it moved from (?P<was>.+) to (?P<now>.+)$"))
def _moved(ctx: dict[str, Any], was: str, now: str) -> None:
    response = ctx["response"]
    assert response.status_code == 200
    assert response.request.path == f"/meetings/{ctx['meeting']}"
    words = text(response)
    assert f"Panel meeting, {now}" in words
    assert f"Moved from {was}" in words


@then(parsers.parse('{who} is emailed "{subject}"'))
def _emailed(db: Database, ctx: dict[str, Any], who: str, subject: str) -> None:
    with db.sessions() as s:
        email = s.scalar(select(User.email).where(User.id == ctx["users"][who]))
        subjects = s.scalars(
            select(OutgoingEmail.subject).where(OutgoingEmail.to_address == email)
        ).all()
    assert subjects == [subject]


@then(
    parsers.re(
        r'her calendar program reads (?P<count>\d+) meetings called "(?P<summary>[^"]*)", '
        r"in (?P<zone>\S+) time"
    )
)
def _reads_feed(app: Flask, ctx: dict[str, Any], count: str, summary: str, zone: str) -> None:
    response = app.test_client().get(ctx["feed"])  # nobody signed in
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    events = icalendar.Calendar.from_ical(response.get_data()).walk("VEVENT")
    assert len(events) == int(count)
    assert {str(e["SUMMARY"]) for e in events} == {summary}
    assert {e["DTSTART"].params["TZID"] for e in events} == {zone}
    assert {e.start.hour for e in events} == {16}


@then(parsers.parse('her calendar program is told "not found"'))
def _not_found(app: Flask, ctx: dict[str, Any]) -> None:
    assert app.test_client().get(ctx["feed"]).status_code == 404
