"""The agenda builds itself: new nominations, then cases back for review, then cases with
actions still open from the last meeting; the chair's held rows come first. Read whole or a
page at a time, it is the same list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from panelflow.actions.operations import create_action
from panelflow.cases.models import Case
from panelflow.cases.operations import Fired, fire, open_case
from panelflow.organisations.models import School
from panelflow.panels import meeting as ops
from panelflow.panels.models import Meeting, Panel
from panelflow.panels.operations import Agenda, agenda, nominate
from tests.factories import make_pupil, make_school, person

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
CHAIR = person("Priya Chair", "panel_chair")
STAFF = person("Tom Staff", "school_staff")


def _meeting(session: Session, panel: Panel, starts: datetime, status: str) -> Meeting:
    found = Meeting(panel_id=panel.id, starts_at=starts, status=status)
    session.add(found)
    session.flush()
    return found


def _nominate(session: Session, school: School, name: str, hours_ago: int) -> Case:
    pupil = make_pupil(session, school, given_name=name, family_name="Pupil")
    return nominate(session, STAFF, pupil, "Late.", now=NOW - timedelta(hours=hours_ago)).case


def _step(case: Case, trigger: str, data: dict[str, str], at: datetime) -> None:
    assert isinstance(fire(case, trigger, CHAIR, data, now=at), Fired)


def _discussed(case: Case, at: datetime) -> None:
    _step(case, "discuss_at_panel", {"barriers_discussed": "x", "actions_agreed": "y"}, at)


def test_the_agenda_gathers_nominations_reviews_and_open_actions_in_that_order(
    session: Session, school: School, panel: Panel
) -> None:
    last = _meeting(session, panel, NOW - timedelta(days=28), "closed")
    upcoming = _meeting(session, panel, NOW + timedelta(days=1), "scheduled")
    # Discussed last month, now back for its review.
    review = _nominate(session, school, "Rhea", 900)
    _discussed(review, last.starts_at)
    _step(review, "review_due", {}, NOW - timedelta(days=1))
    # Discussed last month and not due yet, but CAMHS still has its action open.
    followed = _nominate(session, school, "Ola", 800)
    _discussed(followed, last.starts_at)
    create_action(
        session,
        followed,
        CHAIR,
        title="Assess",
        agency="camhs",
        meeting_id=last.id,
        now=last.starts_at,
    )
    # Discussed, with every action done: nothing to say this month.
    settled = _nominate(session, school, "Sam", 700)
    _discussed(settled, last.starts_at)
    # New this month, oldest first.
    older = _nominate(session, school, "Nia", 20)
    newer = _nominate(session, school, "Abe", 10)
    # Not this panel's: another school's pupil, a closed case, a case not yet on the agenda.
    _nominate(session, make_school(session, "Rock Ferry High"), "Zed", 5)
    gone = _nominate(session, school, "Gus", 30)
    _step(gone, "withdraw", {"closure_reason": "Moved away"}, NOW - timedelta(hours=1))
    open_case(session, make_pupil(session, school, given_name="Ivy"), "school_panel", STAFF)

    entries = agenda(session, upcoming, now=NOW)

    assert [(e.case.id, e.kind) for e in entries] == [
        (older.id, "nomination"),
        (newer.id, "nomination"),
        (review.id, "review"),
        (followed.id, "open_actions"),
    ]
    assert settled.id not in {e.case.id for e in entries}
    # A meeting after the next one gathers nothing by itself.
    later = _meeting(session, panel, NOW + timedelta(days=29), "scheduled")
    assert agenda(session, later, now=NOW) == []


def test_held_rows_come_first_and_pages_make_up_the_whole_agenda(
    session: Session, school: School, panel: Panel
) -> None:
    upcoming = _meeting(session, panel, NOW + timedelta(days=1), "scheduled")
    first = [_nominate(session, school, f"Held{n}", 100 - n) for n in range(3)]
    ops.hold(session, upcoming, now=NOW)
    ops.move(session, CHAIR, upcoming, first[2].id, "up")
    later = [_nominate(session, school, f"Late{n}", 50 - n) for n in range(4)]

    whole = agenda(session, upcoming, now=NOW)
    assert [e.case.id for e in whole] == [first[0].id, first[2].id, first[1].id] + [
        c.id for c in later
    ]
    assert [e.status for e in whole] == ["waiting"] * 7
    reading = Agenda(session, upcoming, now=NOW)
    assert reading.count() == 7
    for size in (1, 2, 3, 5):
        pages = [reading.entries(offset, size) for offset in range(0, 7, size)]
        assert [e.case.id for page in pages for e in page] == [e.case.id for e in whole], size
        assert all(len(page) == size for page in pages[:-1])
    assert reading.entries(7, 3) == []


def test_a_reader_sees_only_the_cases_within_their_scope(
    session: Session, school: School, panel: Panel
) -> None:
    upcoming = _meeting(session, panel, NOW + timedelta(days=1), "scheduled")
    cases = [_nominate(session, school, f"P{n}", 10 - n) for n in range(4)]
    ops.hold(session, upcoming, now=NOW)
    extra = _nominate(session, school, "Waiting", 1)
    wanted = {cases[1].id, extra.id}

    seen = Agenda(session, upcoming, now=NOW, within=Case.id.in_(wanted))

    assert seen.count() == 2
    assert [e.case.id for e in seen.entries()] == [cases[1].id, extra.id]
    assert [e.case.id for e in seen.entries(1, 5)] == [extra.id]
