"""The personal iCalendar feed: made on the panel's calendar page, read without signing in,
parsed with ``icalendar`` as a calendar program would, revoked, and refused when it should be."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from panelflow.accounts.models import User
from panelflow.audit.models import AuditRecord
from panelflow.cases.operations import open_case
from panelflow.catalogue.models import WorkflowVersion
from panelflow.db import Database
from panelflow.panels.calendar_models import CalendarFeed
from panelflow.panels.models import AgendaItem, Meeting, PanelMember
from panelflow.panels.schedule import Pattern, cancel_meeting, create_series, move_meeting
from tests.calendar.conftest import World, at
from tests.factories import Auth, csrf_token, make_pupil
from tests.features.panels.conftest import text

FEED_URL = re.compile(r'value="(http://localhost/calendar/([A-Za-z0-9_-]{43})\.ics)"')
NOW = datetime(2030, 8, 1, tzinfo=UTC)


@pytest.fixture
def planned(session: Session, world: World, published: WorkflowVersion) -> dict[str, int]:
    """The second Thursday at 4pm from September to December 2030; October moved twice,
    November cancelled, and a pupil on December's agenda."""
    chair = world.actor(session, world.chair)
    series, _ = create_series(
        session,
        chair,
        world.panel(session),
        Pattern(2, 3, time(16), 90, "Library", date(2030, 9, 1), date(2030, 12, 31)),
        now=NOW,
    )
    by_month = {
        m.starts_at.month: m
        for m in session.scalars(select(Meeting).where(Meeting.series_id == series.id))
    }
    move_meeting(session, chair, by_month[10], at("2030-10-15T16:00+01:00"), now=NOW)
    move_meeting(session, chair, by_month[10], at("2030-10-16T10:00+01:00"), now=NOW)
    cancel_meeting(session, chair, by_month[11], "Snow", now=NOW)
    pupil = make_pupil(
        session, world.panel(session).schools[0], given_name="Zebedee", family_name="Quixote"
    )
    case = open_case(session, pupil, "school_panel", chair)
    session.add(AgendaItem(meeting_id=by_month[12].id, case_id=case.id, position=1, kind="added"))
    session.commit()
    return {"september": by_month[9].id, "october": by_month[10].id, "november": by_month[11].id}


def sign_in(client: FlaskClient, email: str) -> None:
    assert Auth(client).sign_in(email).status_code == 302


def make_feed(client: FlaskClient, panel_id: int) -> tuple[str, str]:
    page = client.get(f"/panels/{panel_id}/calendar")
    assert page.status_code == 200
    made = client.post(f"/panels/{panel_id}/calendar/feed", data={"csrf_token": csrf_token(page)})
    assert made.status_code == 200
    assert made.headers["Cache-Control"] == "no-store"
    match = FEED_URL.search(made.get_data(as_text=True))
    assert match, "the new address is shown"
    return match.group(1), match.group(2)


def read_feed(app_client: FlaskClient, url: str) -> icalendar.Calendar:
    response = app_client.get(url.removeprefix("http://localhost"))
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/calendar"
    return icalendar.Calendar.from_ical(response.get_data())


def test_a_member_subscribes_and_reads_the_meetings_as_a_calendar_program_would(
    client: FlaskClient, app: Flask, db: Database, world: World, planned: dict[str, int]
) -> None:
    sign_in(client, "erin@council.example")
    url, token = make_feed(client, world.panel_id)

    calendar = read_feed(app.test_client(), url)  # a calendar program: nobody signed in

    assert str(calendar["X-WR-CALNAME"]) == "Birkenhead Park attendance panel meetings"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == 4
    october = events[f"panelflow-meeting-{planned['october']}@panelflow"]
    assert october.start == datetime(2030, 10, 16, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    assert october["DTSTART"].params["TZID"] == "Europe/London"
    assert october.end == datetime(2030, 10, 16, 11, 30, tzinfo=ZoneInfo("Europe/London"))
    assert october["SEQUENCE"] == 2  # moved twice
    assert str(october["STATUS"]) == "CONFIRMED"
    assert str(october["SUMMARY"]) == "Birkenhead Park attendance panel meeting"
    assert str(october["LOCATION"]) == "Library"
    assert str(october["URL"]) == f"http://localhost/meetings/{planned['october']}"
    november = events[f"panelflow-meeting-{planned['november']}@panelflow"]
    assert str(november["STATUS"]) == "CANCELLED" and november["SEQUENCE"] == 1
    september = events[f"panelflow-meeting-{planned['september']}@panelflow"]
    assert september["SEQUENCE"] == 0
    # 4pm in London whether British Summer Time or not.
    assert september.start.astimezone(UTC).hour == 15
    december = next(e for e in events.values() if e.start.month == 12)
    assert december.start.astimezone(UTC).hour == 16
    assert december.start.hour == september.start.hour == 16
    body = calendar.to_ical().decode()
    assert "Zebedee" not in body and "Quixote" not in body
    with db.sessions() as s:
        feed = s.scalars(select(CalendarFeed)).one()
        assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert feed.last_used_at is not None
        assert token not in str(s.execute(select(CalendarFeed.__table__)).all())


def test_the_feed_carries_the_security_headers_and_is_not_cached(
    client: FlaskClient, app: Flask, world: World, planned: dict[str, int]
) -> None:
    sign_in(client, "priya@school.example")
    url, _ = make_feed(client, world.panel_id)

    response = app.test_client().get(url.removeprefix("http://localhost"))

    assert response.headers["Content-Type"].startswith("text/calendar")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_address_is_shown_once_and_never_logged_or_audited(
    client: FlaskClient,
    app: Flask,
    db: Database,
    world: World,
    planned: dict[str, int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    sign_in(client, "erin@council.example")
    caplog.set_level(logging.DEBUG)
    url, token = make_feed(client, world.panel_id)
    app.test_client().get(url.removeprefix("http://localhost"))
    app.test_client().get("/calendar/not-a-token.ics")

    again = client.get(f"/panels/{world.panel_id}/calendar")
    assert token not in again.get_data(as_text=True)
    assert "You made a calendar address on" in text(again)
    assert all(token not in record.getMessage() for record in caplog.records)
    with db.sessions() as s:
        trail = s.scalars(select(AuditRecord)).all()
        assert any(r.action == "calendar_feed.create" for r in trail)
        assert all(token not in f"{r.summary} {r.details}" for r in trail)


def test_a_revoked_address_answers_not_found(
    client: FlaskClient, app: Flask, world: World, planned: dict[str, int]
) -> None:
    sign_in(client, "erin@council.example")
    url, _ = make_feed(client, world.panel_id)
    page = client.get(f"/panels/{world.panel_id}/calendar")

    stopped = client.post(
        f"/panels/{world.panel_id}/calendar/feed/revoke",
        data={"csrf_token": csrf_token(page)},
        follow_redirects=True,
    )

    assert "Your calendar address no longer works" in text(stopped)
    assert app.test_client().get(url.removeprefix("http://localhost")).status_code == 404
    assert "Make my calendar address" in text(stopped)


def test_a_new_address_revokes_the_old_one(
    client: FlaskClient, app: Flask, db: Database, world: World, planned: dict[str, int]
) -> None:
    sign_in(client, "erin@council.example")
    old, _ = make_feed(client, world.panel_id)
    new, _ = make_feed(client, world.panel_id)
    reader = app.test_client()

    assert old != new
    assert reader.get(old.removeprefix("http://localhost")).status_code == 404
    assert reader.get(new.removeprefix("http://localhost")).status_code == 200
    with db.sessions() as s:
        feeds = s.scalars(select(CalendarFeed).order_by(CalendarFeed.id)).all()
        assert [f.revoked_at is not None for f in feeds] == [True, False]


@pytest.mark.parametrize("token", ["x" * 43, "not-a-token", "", "a" * 500])
def test_an_unknown_address_answers_not_found(
    client: FlaskClient, world: World, token: str
) -> None:
    response = client.get(f"/calendar/{token}.ics")

    assert response.status_code == 404


def test_a_disabled_account_or_one_that_no_longer_sees_the_panel_answers_not_found(
    client: FlaskClient, app: Flask, db: Database, world: World, planned: dict[str, int]
) -> None:
    sign_in(client, "erin@council.example")
    url, _ = make_feed(client, world.panel_id)
    path = url.removeprefix("http://localhost")
    reader = app.test_client()

    with db.sessions() as s:
        s.execute(update(User).where(User.id == world.ewo).values(active=False))
        s.commit()
    assert reader.get(path).status_code == 404

    with db.sessions() as s:
        s.execute(update(User).where(User.id == world.ewo).values(active=True))
        s.commit()
    assert reader.get(path).status_code == 200

    with db.sessions() as s:  # Erin leaves the panel
        s.execute(delete(PanelMember).where(PanelMember.user_id == world.ewo))
        s.commit()
    assert reader.get(path).status_code == 404


def test_school_staff_who_see_the_panel_may_subscribe(
    client: FlaskClient, app: Flask, world: World, planned: dict[str, int]
) -> None:
    sign_in(client, "tom@school.example")
    page = client.get(f"/panels/{world.panel_id}/calendar")
    assert "Set up a monthly series" not in text(page)  # not someone who runs panels

    url, _ = make_feed(client, world.panel_id)

    assert len(read_feed(app.test_client(), url).walk("VEVENT")) == 4


def test_someone_who_does_not_see_the_panel_gets_not_found(
    client: FlaskClient, world: World, planned: dict[str, int]
) -> None:
    sign_in(client, "rhian@school.example")

    assert client.get(f"/panels/{world.panel_id}/calendar").status_code == 404
    page = client.get("/account")
    made = client.post(
        f"/panels/{world.panel_id}/calendar/feed", data={"csrf_token": csrf_token(page)}
    )
    assert made.status_code == 404


def test_making_an_address_needs_the_form_token(
    client: FlaskClient, db: Database, world: World
) -> None:
    sign_in(client, "erin@council.example")

    assert client.post(f"/panels/{world.panel_id}/calendar/feed").status_code == 400
    with db.sessions() as s:
        assert s.scalars(select(CalendarFeed)).all() == []


def test_the_calendar_page_shows_moves_and_cancellations(
    client: FlaskClient, world: World, planned: dict[str, int]
) -> None:
    sign_in(client, "priya@school.example")

    words = text(client.get(f"/panels/{world.panel_id}/calendar"))

    assert "16 October 2030 at 10:00am Moved from 10 October 2030 at 4:00pm" in words
    assert "Why: Snow" in words
    assert "Meets the second Thursday of each month at 4pm for 90 minutes, Library" in words


def test_an_idle_signed_in_browser_reads_the_feed_and_the_secret_stays_out_of_any_query(
    client: FlaskClient, world: World, planned: dict[str, int]
) -> None:
    sign_in(client, "priya@school.example")
    url, token = make_feed(client, world.panel_id)
    with client.session_transaction() as browser:
        browser["seen_at"] = "2000-01-01T00:00:00+00:00"  # idle for years

    response = client.get(url.removeprefix("http://localhost"))

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert token not in response.headers.get("Location", "")
