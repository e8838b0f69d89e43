"""Setting up and editing a monthly series, on a real database with 2030-31 term dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from panelflow.audit.models import AuditRecord
from panelflow.audit.operations import verify
from panelflow.cases.operations import open_case
from panelflow.catalogue.models import WorkflowVersion
from panelflow.notify.models import OutgoingEmail
from panelflow.panels.calendar_models import MeetingChange, MeetingSeries
from panelflow.panels.models import AgendaItem, Meeting
from panelflow.panels.schedule import (
    Pattern,
    ScheduleError,
    cancel_meeting,
    create_series,
    move_meeting,
    preview,
    update_series,
)
from panelflow.presentation import LONDON
from tests.calendar.conftest import World
from tests.factories import make_pupil

MON, TUE, WED, THU, FRI = range(5)
AUTUMN_AND_SPRING = (date(2030, 9, 1), date(2031, 3, 31))
NOW = datetime(2030, 8, 1, 9, 0, tzinfo=UTC)


def third_monday(at: time = time(16), until: date = AUTUMN_AND_SPRING[1]) -> Pattern:
    return Pattern(3, MON, at, 90, "Library", AUTUMN_AND_SPRING[0], until)


def panel_meetings(session: Session, panel_id: int) -> list[Meeting]:
    return list(
        session.scalars(
            select(Meeting).where(Meeting.panel_id == panel_id).order_by(Meeting.starts_at)
        )
    )


def wall_clock(meeting: Meeting) -> tuple[date, time]:
    local = meeting.starts_at.astimezone(LONDON)
    return local.date(), local.time()


def test_a_series_creates_a_scheduled_meeting_each_month_on_school_days(
    session: Session, world: World
) -> None:
    chair = world.actor(session, world.chair)

    series, outcome = create_series(session, chair, world.panel(session), third_monday(), now=NOW)
    session.commit()

    found = panel_meetings(session, world.panel_id)
    assert [wall_clock(m) for m in found] == [
        (date(2030, 9, 16), time(16)),
        (date(2030, 10, 21), time(16)),
        (date(2030, 11, 18), time(16)),
        (date(2030, 12, 16), time(16)),
        (date(2031, 1, 20), time(16)),
        (date(2031, 2, 24), time(16)),  # 17 February is in half term
        (date(2031, 3, 17), time(16)),
    ]
    assert {(m.status, m.series_id, m.location) for m in found} == {
        ("scheduled", series.id, "Library")
    }
    # 16:00 London is 15:00 UTC in October (BST) and 16:00 UTC in November (GMT).
    assert found[1].starts_at.hour == 15 and found[2].starts_at.hour == 16
    moved = next(s for s in outcome.steps if s.note)
    assert (moved.kind, moved.note) == (
        "new",
        "Moved from Monday 17 February (Spring half term)",
    )
    record = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "meeting_series.create")
    ).one()
    assert record.actor_id == f"user:{world.chair}"
    assert record.details["series"] == series.id
    assert record.details["steps"] == {"new": 7}
    assert "the third Monday of each month at 4pm" in record.summary
    assert verify(session).intact


def test_the_preview_writes_nothing(session: Session, world: World) -> None:
    outcome = preview(session, world.panel(session), third_monday(), now=NOW)

    assert outcome.count("new") == 7
    assert session.scalar(select(func.count()).select_from(Meeting)) == 0
    assert session.scalar(select(func.count()).select_from(MeetingSeries)) == 0


def test_a_day_that_already_has_a_meeting_gets_no_second_one(
    session: Session, world: World
) -> None:
    existing = Meeting(
        panel_id=world.panel_id,
        starts_at=datetime(2030, 10, 21, 9, 30, tzinfo=LONDON),
        location="Hall",
    )
    session.add(existing)
    session.flush()

    _, outcome = create_series(
        session, world.actor(session, world.chair), world.panel(session), third_monday(), now=NOW
    )

    october = [m for m in panel_meetings(session, world.panel_id) if m.starts_at.month == 10]
    assert [m.id for m in october] == [existing.id]
    taken = next(s for s in outcome.steps if s.kind == "taken")
    assert taken.meeting_id == existing.id
    assert outcome.count("new") == 6


def test_a_cancelled_meeting_does_not_hold_its_day(session: Session, world: World) -> None:
    session.add(
        Meeting(
            panel_id=world.panel_id,
            starts_at=datetime(2030, 10, 21, 9, 30, tzinfo=LONDON),
            status="cancelled",
        )
    )
    session.flush()

    _, outcome = create_series(
        session, world.actor(session, world.chair), world.panel(session), third_monday(), now=NOW
    )

    assert outcome.count("new") == 7


def test_months_already_past_are_not_planned(session: Session, world: World) -> None:
    now = datetime(2030, 12, 1, tzinfo=UTC)

    _, outcome = create_series(
        session, world.actor(session, world.chair), world.panel(session), third_monday(), now=now
    )

    assert [wall_clock(m)[0] for m in panel_meetings(session, world.panel_id)] == [
        date(2030, 12, 16),
        date(2031, 1, 20),
        date(2031, 2, 24),
        date(2031, 3, 17),
    ]
    assert outcome.count("new") == 4


def test_only_people_who_run_panels_set_up_a_series(session: Session, world: World) -> None:
    with pytest.raises(ScheduleError, match="Only someone who runs panels"):
        create_series(
            session,
            world.actor(session, world.teacher),
            world.panel(session),
            third_monday(),
            now=NOW,
        )


def test_a_series_that_cannot_be_planned_writes_nothing(session: Session, world: World) -> None:
    with pytest.raises(ScheduleError) as refused:
        create_series(
            session,
            world.actor(session, world.chair),
            world.panel(session),
            Pattern(3, MON, time(16), 90, "", date(2031, 3, 1), date(2030, 9, 1)),
            now=NOW,
        )

    assert refused.value.field == "until"
    assert session.scalar(select(func.count()).select_from(MeetingSeries)) == 0


@pytest.fixture
def planned(session: Session, world: World, published: WorkflowVersion) -> MeetingSeries:
    """The third-Monday series, with November's agenda held (a case on it) and December's
    meeting cancelled by the chair."""
    chair = world.actor(session, world.chair)
    series, _ = create_series(session, chair, world.panel(session), third_monday(), now=NOW)
    by_month = {
        m.starts_at.astimezone(LONDON).month: m for m in panel_meetings(session, world.panel_id)
    }
    school = world.panel(session).schools[0]
    pupil = make_pupil(session, school, given_name="Zebedee", family_name="Quixote")
    case = open_case(session, pupil, "school_panel", chair)
    session.add(AgendaItem(meeting_id=by_month[11].id, case_id=case.id, position=1, kind="added"))
    cancel_meeting(session, chair, by_month[12], "The school is a polling station", now=NOW)
    session.commit()
    return series


def test_editing_re_plans_only_scheduled_meetings_still_to_come_with_nothing_held(
    session: Session, world: World, planned: MeetingSeries
) -> None:
    before = {m.id: (m.starts_at, m.status) for m in panel_meetings(session, world.panel_id)}
    now = datetime(2030, 10, 1, tzinfo=UTC)  # September's meeting has been held
    second_thursday = Pattern(
        2, THU, time(9, 30), 60, "Room 2", AUTUMN_AND_SPRING[0], AUTUMN_AND_SPRING[1]
    )

    outcome = update_series(
        session, world.actor(session, world.chair), planned, second_thursday, now=now
    )
    session.commit()

    found = panel_meetings(session, world.panel_id)
    assert [(wall_clock(m), m.status) for m in found] == [
        ((date(2030, 9, 16), time(16)), "scheduled"),  # in the past: never changed
        ((date(2030, 10, 10), time(9, 30)), "scheduled"),
        ((date(2030, 11, 18), time(16)), "scheduled"),  # kept: a case is on its agenda
        ((date(2030, 12, 16), time(16)), "cancelled"),  # kept: the chair cancelled it
        ((date(2031, 1, 9), time(9, 30)), "scheduled"),
        ((date(2031, 2, 13), time(9, 30)), "scheduled"),
        ((date(2031, 3, 13), time(9, 30)), "scheduled"),
    ]
    assert {m.id for m in found} == set(before)  # the same meetings, re-planned: no new ones
    kept = {s.note for s in outcome.steps if s.kind == "kept"}
    assert kept == {
        "Kept as it is: it has 1 item on its agenda",
        "Kept as it is: it was cancelled",
    }
    assert outcome.count("changed") == 4
    assert planned.week == 2 and planned.location == "Room 2" and planned.updated_at == now
    replanned = session.scalars(
        select(MeetingChange).where(MeetingChange.kind == "replanned")
    ).all()
    assert len(replanned) == 4
    assert found[1].location == "Room 2" and found[2].location == "Library"
    record = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "meeting_series.update")
    ).one()
    assert record.details["steps"]["changed"] == 4 and record.details["steps"]["kept"] == 2


def test_editing_tells_the_active_members_what_changed(
    session: Session, world: World, planned: MeetingSeries
) -> None:
    session.execute(OutgoingEmail.__table__.delete())  # the cancellation's emails
    shorter = third_monday(at=time(15, 30), until=date(2031, 1, 31))

    outcome = update_series(
        session,
        world.actor(session, world.chair),
        planned,
        shorter,
        now=NOW,
        link="https://panelflow.example/panels/1/calendar",
    )
    session.commit()

    assert outcome.count("dropped") == 2  # February and March are no longer in the series
    statuses = [m.status for m in panel_meetings(session, world.panel_id)]
    assert (
        statuses
        == ["scheduled", "scheduled", "scheduled", "cancelled", "scheduled"] + ["cancelled"] * 2
    )
    emails = session.scalars(select(OutgoingEmail).order_by(OutgoingEmail.to_address)).all()
    assert [e.to_address for e in emails] == ["erin@council.example", "priya@school.example"]
    body = emails[0].body
    assert emails[0].subject == "Panel meetings changed: Birkenhead Park attendance panel"
    assert "16 September 2030 at 4:00pm: moved to 16 September 2030 at 3:30pm" in body
    assert "24 February 2031 at 4:00pm: cancelled" in body
    assert "https://panelflow.example/panels/1/calendar" in body
    assert "Zebedee" not in body and "Quixote" not in body


def test_editing_again_with_nothing_changed_changes_nothing(
    session: Session, world: World, planned: MeetingSeries
) -> None:
    outcome = update_series(
        session, world.actor(session, world.chair), planned, third_monday(), now=NOW
    )

    assert outcome.count("changed") == outcome.count("new") == outcome.count("dropped") == 0
    assert outcome.count("same") == 5
    assert outcome.summary() == "2 meetings kept as they are"


def test_a_meeting_moved_past_its_months_rule_day_is_kept_by_an_edit(
    session: Session, world: World
) -> None:
    chair = world.actor(session, world.chair)
    series, _ = create_series(session, chair, world.panel(session), third_monday(), now=NOW)
    october = next(m for m in panel_meetings(session, world.panel_id) if m.starts_at.month == 10)
    move_meeting(session, chair, october, datetime(2030, 10, 24, 16, tzinfo=LONDON), now=NOW)
    now = datetime(2030, 10, 22, tzinfo=UTC)  # 21 October, the rule day, has passed

    outcome = update_series(session, chair, series, third_monday(at=time(15)), now=now)

    assert october.status == "scheduled"
    assert october.starts_at == datetime(2030, 10, 24, 16, tzinfo=LONDON)
    step = next(s for s in outcome.steps if s.meeting_id == october.id)
    assert (step.kind, step.note) == ("kept", "Kept as it is: this month's day has passed")
