"""The series pages: preview, save, edit, and who may reach them."""

from __future__ import annotations

from datetime import date, time

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from panelflow.db import Database
from panelflow.panels.calendar_models import MeetingSeries
from panelflow.presentation import LONDON
from tests.calendar.conftest import World, meetings
from tests.factories import Auth, csrf_token
from tests.features.panels.conftest import text

SPRING = {
    "week": "3",
    "weekday": "0",
    "start_time": "4pm",
    "duration": "90",
    "location": "Library",
    "from_day": "1",
    "from_month": "1",
    "from_year": "2031",
    "until_day": "31",
    "until_month": "3",
    "until_year": "2031",
}


def sign_in(client: FlaskClient, email: str = "priya@school.example") -> None:
    assert Auth(client).sign_in(email).status_code == 302


def post(client: FlaskClient, path: str, action: str, **changes: str) -> object:
    page = client.get(path)
    assert page.status_code == 200
    return client.post(
        path, data={"csrf_token": csrf_token(page), **SPRING, **changes, "action": action}
    )


def test_the_chair_previews_then_saves_a_series(
    client: FlaskClient, db: Database, world: World
) -> None:
    sign_in(client)
    path = f"/panels/{world.panel_id}/series/new"
    blank = client.get(path)
    assert 'value="16:00"' in blank.get_data(as_text=True)  # a sensible default

    shown = post(client, path, "preview")

    words = text(shown)  # type: ignore[arg-type]
    assert shown.status_code == 200  # type: ignore[attr-defined]
    assert "The meetings this gives" in words
    assert "24 February 2031 at 4:00pm New meeting Moved from Monday 17 February" in words
    assert "Nothing is saved yet" in words
    assert meetings(db, world.panel_id) == []

    saved = post(client, path, "save")

    assert saved.status_code == 302  # type: ignore[attr-defined]
    found = meetings(db, world.panel_id)
    assert [m.starts_at.astimezone(LONDON).date() for m in found] == [
        date(2031, 1, 20),
        date(2031, 2, 24),
        date(2031, 3, 17),
    ]
    assert {m.starts_at.astimezone(LONDON).time() for m in found} == {time(16)}
    page = client.get(f"/panels/{world.panel_id}/calendar")
    assert "Meeting series saved: 3 new meetings" in text(page)


def test_mistakes_are_shown_beside_their_fields_and_nothing_is_saved(
    client: FlaskClient, db: Database, world: World
) -> None:
    sign_in(client)

    refused = post(
        client,
        f"/panels/{world.panel_id}/series/new",
        "save",
        week="",
        start_time="teatime",
        until_day="31",
        until_month="2",
    )

    assert refused.status_code == 400  # type: ignore[attr-defined]
    words = text(refused)  # type: ignore[arg-type]
    assert "There is a problem" in words
    assert "Choose which week of the month the panel meets" in words
    assert "Enter the start time like 16:00 or 4pm" in words
    assert "Enter the last date as a real date" in words
    assert meetings(db, world.panel_id) == []


def test_a_rule_the_operation_refuses_is_shown_too(
    client: FlaskClient, db: Database, world: World
) -> None:
    sign_in(client)

    refused = post(
        client, f"/panels/{world.panel_id}/series/new", "save", start_time="6am", duration="5"
    )

    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "Choose a start time between 7am and 9pm" in text(refused)  # type: ignore[arg-type]
    with db.sessions() as s:
        assert s.scalars(select(MeetingSeries)).all() == []


def test_the_chair_edits_the_series(client: FlaskClient, db: Database, world: World) -> None:
    sign_in(client)
    post(client, f"/panels/{world.panel_id}/series/new", "save")
    with db.sessions() as s:
        series_id = s.scalars(select(MeetingSeries.id)).one()
    path = f"/series/{series_id}"
    assert 'value="16:00"' in client.get(path).get_data(as_text=True)

    shown = post(client, path, "preview", start_time="9:30am")
    assert "Re-planned" in text(shown)  # type: ignore[arg-type]
    saved = post(client, path, "save", start_time="9:30am")

    assert saved.status_code == 302  # type: ignore[attr-defined]
    found = meetings(db, world.panel_id)
    assert len(found) == 3
    assert {m.starts_at.astimezone(LONDON).time() for m in found} == {time(9, 30)}


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("tom@school.example", 403),
        ("erin@council.example", 403),
        ("rhian@school.example", 404),
    ],
)
def test_only_the_panels_own_chairs_plan_its_meetings(
    client: FlaskClient, world: World, email: str, status: int
) -> None:
    sign_in(client, email)

    assert client.get(f"/panels/{world.panel_id}/series/new").status_code == status


def test_an_unknown_series_is_not_found(client: FlaskClient, world: World) -> None:
    sign_in(client)

    assert client.get("/series/999").status_code == 404


def test_the_panel_page_links_to_the_calendar(client: FlaskClient, world: World) -> None:
    sign_in(client)

    page = client.get(f"/panels/{world.panel_id}").get_data(as_text=True)

    assert f'href="/panels/{world.panel_id}/calendar"' in page
