"""Timers: started when a case enters a state, acted on by `tick` when due, never twice."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from panelflow.audit.models import AuditRecord
from panelflow.cases.models import Case, CaseEvent, CaseFlag, CaseTimer
from panelflow.cases.operations import fire, open_case, tick
from panelflow.catalogue.operations import publish
from panelflow.db import Database
from panelflow.organisations.models import Pupil
from tests.factories import make_pupil, person

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LEAD = person("Lee Lead", "lead")

TIMED = """
agencies:
  school: School
roles:
  lead: {agency: school, label: Attendance lead}
fields:
  note: {label: Note}
workflows:
  plan:
    title: Support plan
    initial: agreed
    states:
      - name: agreed
        timers:
          - after: 2 school weeks
            flag: Review due
          - after: 3 school weeks
            fire: review_overdue
      - name: overdue
      - name: closed
        final: true
    transitions:
      - trigger: review_overdue
        source: agreed
        dest: overdue
        allowed: [lead]
      - trigger: review
        source: [agreed, overdue]
        dest: agreed
        allowed: [lead]
        requires: [note]
      - trigger: note_progress
        source: agreed
        dest: null
        allowed: [lead]
        requires: [note]
      - trigger: close
        source: "*"
        dest: closed
        allowed: [lead]
"""


@pytest.fixture
def pupil(session: Session) -> Pupil:
    assert publish(session, TIMED, "timed.yaml", LEAD).ok
    pupil = make_pupil(session)
    session.commit()
    return pupil


def timers(session: Session, case: Case) -> list[tuple[str, str | None, str | None, datetime]]:
    rows = session.scalars(
        select(CaseTimer).where(CaseTimer.case_id == case.id).order_by(CaseTimer.id)
    ).all()
    return [(t.status, t.flag, t.fire_trigger, t.due_at) for t in rows]


def test_entering_a_state_starts_its_timers_counted_in_school_days(
    session: Session, pupil: Pupil
) -> None:
    case = open_case(session, pupil, "plan", LEAD, now=MONDAY)

    assert timers(session, case) == [
        ("pending", "Review due", None, MONDAY + timedelta(weeks=2)),
        ("pending", None, "review_overdue", MONDAY + timedelta(weeks=3)),
    ]


def test_nothing_happens_before_a_timer_is_due(session: Session, pupil: Pupil) -> None:
    open_case(session, pupil, "plan", LEAD, now=MONDAY)

    report = tick(session, now=MONDAY + timedelta(days=13))

    assert (report.flagged, report.fired) == (0, 0)
    assert session.scalar(select(func.count()).select_from(CaseFlag)) == 0


def test_a_due_flag_is_raised_once_and_audited(session: Session, pupil: Pupil) -> None:
    case = open_case(session, pupil, "plan", LEAD, now=MONDAY)
    due = MONDAY + timedelta(weeks=2, hours=1)

    first = tick(session, now=due)
    again = tick(session, now=due + timedelta(hours=1))
    session.commit()

    assert (first.flagged, again.flagged) == (1, 0)
    flag = session.scalars(select(CaseFlag)).one()
    assert (flag.case_id, flag.text, flag.cleared_at) == (case.id, "Review due", None)
    assert session.scalars(
        select(AuditRecord.summary).where(AuditRecord.action == "case.flag")
    ).all() == ["flagged: Review due"]


def test_a_due_trigger_is_fired_by_the_timer_as_the_system(session: Session, pupil: Pupil) -> None:
    case = open_case(session, pupil, "plan", LEAD, now=MONDAY)

    report = tick(session, now=MONDAY + timedelta(weeks=4))
    session.commit()

    assert (report.flagged, report.fired) == (1, 1)
    assert session.get(Case, case.id, populate_existing=True).state == "overdue"  # type: ignore[union-attr]
    event = session.scalars(select(CaseEvent)).one()
    assert (event.trigger, event.role, event.actor_id) == (
        "review_overdue",
        "system",
        "system:timer",
    )


def test_leaving_the_state_cancels_its_timers_and_clears_its_flags(
    session: Session, pupil: Pupil
) -> None:
    case = open_case(session, pupil, "plan", LEAD, now=MONDAY)
    tick(session, now=MONDAY + timedelta(weeks=2, hours=1))

    later = MONDAY + timedelta(weeks=2, days=1)
    assert fire(case, "review", LEAD, {"note": "Reviewed with mum"}, now=later)
    session.commit()

    assert [t[0] for t in timers(session, case)] == ["done", "cancelled", "pending", "pending"]
    assert session.scalars(select(CaseFlag)).one().cleared_at == later
    assert tick(session, now=MONDAY + timedelta(weeks=3, hours=1)).fired == 0


def test_an_internal_step_keeps_the_timers_running(session: Session, pupil: Pupil) -> None:
    case = open_case(session, pupil, "plan", LEAD, now=MONDAY)

    assert fire(
        case, "note_progress", LEAD, {"note": "Came in on time"}, now=MONDAY + timedelta(days=3)
    )
    session.commit()

    assert [t[0] for t in timers(session, case)] == ["pending", "pending"]
    assert case.state_entered_at == MONDAY
    assert tick(session, now=MONDAY + timedelta(weeks=3, hours=1)).fired == 1


def test_a_tick_after_downtime_catches_up_without_acting_twice(
    session: Session, pupil: Pupil
) -> None:
    cases = [open_case(session, pupil, "plan", LEAD, now=MONDAY) for _ in range(3)]
    session.commit()

    report = tick(session, now=MONDAY + timedelta(weeks=10))
    session.commit()

    assert (report.flagged, report.fired) == (3, 3)
    assert {session.get(Case, c.id).state for c in cases} == {"overdue"}  # type: ignore[union-attr]
    assert tick(session, now=MONDAY + timedelta(weeks=11)).fired == 0


def test_two_ticks_at_once_act_on_each_timer_once(
    db: Database, session: Session, pupil: Pupil
) -> None:
    for _ in range(6):
        open_case(session, pupil, "plan", LEAD, now=MONDAY)
    session.commit()
    start = threading.Barrier(2)
    reports = []

    def run() -> None:
        with db.sessions() as own:
            start.wait(timeout=30)
            reports.append(tick(own, now=MONDAY + timedelta(weeks=10)))
            own.commit()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(r.fired for r in reports) == 6
    assert sum(r.flagged for r in reports) == 6
    assert session.scalar(select(func.count()).select_from(CaseEvent)) == 6
    assert session.scalar(select(func.count()).select_from(CaseFlag)) == 6
