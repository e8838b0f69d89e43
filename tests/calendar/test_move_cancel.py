"""Moving and cancelling a meeting: the operations, and the pages through the test client.

Emails are checked in the outbox table: one per active member, no pupil data.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.audit.models import AuditRecord
from panelflow.db import Database
from panelflow.notify.models import OutgoingEmail
from panelflow.panels.calendar_models import MeetingChange
from panelflow.panels.models import Meeting
from panelflow.panels.schedule import ScheduleError, cancel_meeting, move_meeting
from panelflow.presentation import LONDON
from tests.calendar.conftest import World, at, meetings
from tests.factories import Auth, csrf_token
from tests.features.panels.conftest import text

NOW = datetime(2030, 8, 1, tzinfo=UTC)


@pytest.fixture
def meeting(session: Session, world: World) -> int:
    found = Meeting(
        panel_id=world.panel_id,
        starts_at=at("2030-10-17T16:00+01:00"),
        location="Library",
    )
    session.add(found)
    session.commit()
    return found.id


def outbox(session: Session) -> list[OutgoingEmail]:
    return list(session.scalars(select(OutgoingEmail).order_by(OutgoingEmail.to_address)))


def test_moving_keeps_the_first_time_and_tells_each_active_member(
    session: Session, world: World, meeting: int
) -> None:
    chair = world.actor(session, world.chair)
    found = session.get(Meeting, meeting)
    assert found is not None

    move_meeting(session, chair, found, at("2030-10-22T09:30+01:00"), now=NOW, link="https://x/m/1")
    move_meeting(session, chair, found, at("2030-11-05T16:00+00:00"), now=NOW)
    session.commit()

    assert found.starts_at == at("2030-11-05T16:00+00:00")
    assert found.moved_from == at("2030-10-17T16:00+01:00")  # the first time, kept
    changes = session.scalars(
        select(MeetingChange).where(MeetingChange.meeting_id == found.id).order_by(MeetingChange.id)
    ).all()
    assert [(c.kind, c.from_starts_at, c.by_name) for c in changes] == [
        ("moved", at("2030-10-17T16:00+01:00"), "Priya Shah"),
        ("moved", at("2030-10-22T09:30+01:00"), "Priya Shah"),
    ]
    emails = outbox(session)
    assert [e.to_address for e in emails] == [
        "erin@council.example",
        "erin@council.example",
        "priya@school.example",
        "priya@school.example",
    ]  # not the disabled member, not the teacher who is no member
    first = next(e for e in emails if "https://x/m/1" in e.body)
    assert first.subject == "Panel meeting moved: Birkenhead Park attendance panel"
    assert "on 17 October 2030 at 4:00pm has moved" in first.body
    assert "New time: 22 October 2030 at 9:30am" in first.body
    assert "Where: Library" in first.body
    assert all(e.dedupe_key and e.dedupe_key.startswith(f"meeting:{found.id}:") for e in emails)
    records = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "meeting.moved")
    ).all()
    assert len(records) == 2 and records[0].details["meeting"] == found.id


@pytest.mark.parametrize(
    ("moment", "field", "message"),
    [
        ("2030-07-31T16:00+01:00", "day", "That time has passed"),
        (
            "2030-10-29T16:00+00:00",
            "day",
            "Tuesday 29 October 2030 is not a school day (Autumn half term)",
        ),
        ("2030-10-19T10:00+01:00", "day", "Saturday 19 October 2030 is a Saturday"),
        ("2030-09-02T16:00+01:00", "day", "is not a school day (Training day)"),
        ("2030-10-17T16:00+01:00", "day", "already at that time"),
        ("2030-10-18T06:00+01:00", "time", "between 7am and 9pm"),
    ],
)
def test_a_move_the_panel_cannot_make_is_refused_and_writes_nothing(
    session: Session, world: World, meeting: int, moment: str, field: str, message: str
) -> None:
    found = session.get(Meeting, meeting)
    assert found is not None

    with pytest.raises(ScheduleError) as refused:
        move_meeting(session, world.actor(session, world.chair), found, at(moment), now=NOW)

    assert refused.value.field == field
    assert message in str(refused.value)
    session.rollback()
    assert session.get(Meeting, meeting).starts_at == at("2030-10-17T16:00+01:00")  # type: ignore[union-attr]
    assert outbox(session) == []


def test_a_day_with_another_meeting_is_refused(
    session: Session, world: World, meeting: int
) -> None:
    session.add(Meeting(panel_id=world.panel_id, starts_at=at("2030-10-22T09:00+01:00")))
    found = session.get(Meeting, meeting)
    assert found is not None

    with pytest.raises(ScheduleError, match="already has a meeting that day"):
        move_meeting(
            session, world.actor(session, world.chair), found, at("2030-10-22T16:00+01:00")
        )


@pytest.mark.parametrize("status", ["in_progress", "closed", "cancelled"])
def test_only_a_scheduled_meeting_moves_or_is_cancelled(
    session: Session, world: World, meeting: int, status: str
) -> None:
    found = session.get(Meeting, meeting)
    assert found is not None
    found.status = status
    chair = world.actor(session, world.chair)

    with pytest.raises(ScheduleError, match="Only a scheduled meeting can be moved"):
        move_meeting(session, chair, found, at("2030-10-22T16:00+01:00"), now=NOW)
    with pytest.raises(ScheduleError, match="Only a scheduled meeting can be cancelled"):
        cancel_meeting(session, chair, found, "Snow", now=NOW)


def test_cancelling_needs_a_reason_and_tells_the_members(
    session: Session, world: World, meeting: int
) -> None:
    found = session.get(Meeting, meeting)
    assert found is not None
    chair = world.actor(session, world.chair)
    with pytest.raises(ScheduleError) as refused:
        cancel_meeting(session, chair, found, "   ", now=NOW)
    assert refused.value.field == "reason"

    cancel_meeting(session, chair, found, "The school is  a polling station", now=NOW)
    session.commit()

    assert found.status == "cancelled"
    change = session.scalars(select(MeetingChange)).one()
    assert (change.kind, change.reason) == ("cancelled", "The school is a polling station")
    emails = outbox(session)
    assert [e.to_address for e in emails] == ["erin@council.example", "priya@school.example"]
    assert emails[0].subject == "Panel meeting cancelled: Birkenhead Park attendance panel"
    assert "on 17 October 2030 at 4:00pm has been cancelled" in emails[0].body
    assert "Why: The school is a polling station" in emails[0].body
    record = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "meeting.cancelled")
    ).one()
    assert "polling" not in str(record.details)  # the free text stays out of the trail


def test_people_who_do_not_run_panels_cannot_move_or_cancel(
    session: Session, world: World, meeting: int
) -> None:
    found = session.get(Meeting, meeting)
    assert found is not None
    teacher = world.actor(session, world.teacher)

    with pytest.raises(ScheduleError, match="Only someone who runs panels"):
        move_meeting(session, teacher, found, at("2030-10-22T16:00+01:00"))
    with pytest.raises(ScheduleError, match="Only someone who runs panels"):
        cancel_meeting(session, teacher, found, "No reason")


# -- the pages --------------------------------------------------------------------------------


def _sign_in(client: FlaskClient, email: str) -> None:
    assert Auth(client).sign_in(email).status_code == 302


def test_the_chair_moves_a_meeting_on_the_page(
    client: FlaskClient, db: Database, world: World, meeting: int
) -> None:
    _sign_in(client, "priya@school.example")
    page = client.get(f"/meetings/{meeting}/move")
    assert page.status_code == 200
    assert "Autumn half term" in text(page)  # the closures coming up are listed
    assert 'value="16:00"' in page.get_data(as_text=True)

    refused = client.post(
        f"/meetings/{meeting}/move",
        data={
            "csrf_token": csrf_token(page),
            "day": "29",
            "month": "10",
            "year": "2030",
            "time": "4pm",
        },
    )
    assert refused.status_code == 400
    assert "There is a problem" in text(refused)
    assert "is not a school day (Autumn half term)" in text(refused)

    moved = client.post(
        f"/meetings/{meeting}/move",
        data={
            "csrf_token": csrf_token(page),
            "day": "4",
            "month": "11",
            "year": "2030",
            "time": "9:30am",
        },
    )
    assert moved.status_code == 302
    assert moved.headers["Location"].endswith(f"/meetings/{meeting}")

    [found] = meetings(db, world.panel_id)
    assert found.starts_at.astimezone(LONDON).replace(tzinfo=None) == datetime(2030, 11, 4, 9, 30)
    assert found.moved_from == at("2030-10-17T16:00+01:00")
    with db.sessions() as s:
        emails = list(s.scalars(select(OutgoingEmail)))
        assert len(emails) == 2
        assert all(f"/meetings/{meeting}" in e.body for e in emails)


def test_typing_mistakes_are_shown_beside_the_fields(
    client: FlaskClient, world: World, meeting: int
) -> None:
    _sign_in(client, "priya@school.example")
    page = client.get(f"/meetings/{meeting}/move")

    refused = client.post(
        f"/meetings/{meeting}/move",
        data={
            "csrf_token": csrf_token(page),
            "day": "31",
            "month": "11",
            "year": "2030",
            "time": "4",
        },
    )

    assert refused.status_code == 400
    words = text(refused)
    assert "Enter the new date as a real date" in words
    assert "Enter the new time like 16:00 or 4pm" in words


def test_the_chair_cancels_a_meeting_on_the_page(
    client: FlaskClient, db: Database, world: World, meeting: int
) -> None:
    _sign_in(client, "priya@school.example")
    page = client.get(f"/meetings/{meeting}/cancel")
    assert page.status_code == 200

    empty = client.post(f"/meetings/{meeting}/cancel", data={"csrf_token": csrf_token(page)})
    assert empty.status_code == 400 and "Say why the meeting is cancelled" in text(empty)
    done = client.post(
        f"/meetings/{meeting}/cancel",
        data={"csrf_token": csrf_token(page), "reason": "Snow day"},
        follow_redirects=True,
    )

    assert done.status_code == 200
    assert "The meeting is cancelled" in text(done)
    [found] = meetings(db, world.panel_id)
    assert found.status == "cancelled"
    assert "cannot be cancelled" in text(client.get(f"/meetings/{meeting}/cancel"))


def test_moving_without_the_form_token_is_refused(
    client: FlaskClient, db: Database, world: World, meeting: int
) -> None:
    _sign_in(client, "priya@school.example")

    response = client.post(
        f"/meetings/{meeting}/move", data={"day": "4", "month": "11", "year": "2030", "time": "4pm"}
    )

    assert response.status_code == 400
    [found] = meetings(db, world.panel_id)
    assert found.moved_from is None


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("tom@school.example", 403),  # sees the panel, does not run panels
        ("erin@council.example", 403),  # a member, does not run panels
        ("rhian@school.example", 404),  # runs another school's panel
    ],
)
@pytest.mark.parametrize("page", ["move", "cancel"])
def test_only_the_panels_own_chairs_reach_the_pages(
    client: FlaskClient, world: World, meeting: int, email: str, status: int, page: str
) -> None:
    _sign_in(client, email)

    assert client.get(f"/meetings/{meeting}/{page}").status_code == status
    assert client.get(f"/meetings/{meeting + 999}/{page}").status_code == (
        404 if status == 404 else status
    )


def test_not_signed_in_is_sent_to_sign_in(client: FlaskClient, meeting: int) -> None:
    response = client.get(f"/meetings/{meeting}/move")

    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_a_16_00_move_in_winter_is_16_00_in_london(
    session: Session, world: World, meeting: int
) -> None:
    found = session.get(Meeting, meeting)
    assert found is not None

    move_meeting(
        session,
        world.actor(session, world.chair),
        found,
        datetime.combine(datetime(2030, 11, 5).date(), time(16), LONDON),
        now=NOW,
    )

    assert found.starts_at.astimezone(UTC).hour == 16


@pytest.mark.parametrize(
    ("email", "shown"), [("priya@school.example", True), ("tom@school.example", False)]
)
def test_the_meeting_page_offers_moving_and_cancelling_to_the_chair_only(
    client: FlaskClient, world: World, meeting: int, email: str, shown: bool
) -> None:
    _sign_in(client, email)

    page = client.get(f"/meetings/{meeting}").get_data(as_text=True)

    assert (f'href="/meetings/{meeting}/move"' in page) is shown
    assert (f'href="/meetings/{meeting}/cancel"' in page) is shown
