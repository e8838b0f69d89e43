"""Two processes firing conflicting steps on the same case at the same moment: exactly one
succeeds, the other is told the case changed; nothing is lost or written twice."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from panelflow.audit.operations import verify
from panelflow.cases.models import Case, CaseEvent
from panelflow.cases.operations import Fired, fire, open_case
from panelflow.catalogue.models import WorkflowVersion
from panelflow.db import Database
from tests.factories import make_pupil, person

ROUNDS = 8
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHAIR = person("Priya Chair", "panel_chair")
LEAD = person("Lee Lead", "attendance_lead")
# Two different steps out of 'nominated', taken by two people at once.
STEPS = {
    "chair": ("withdraw", CHAIR, {"closure_reason": "Family moved away"}),
    "lead": ("add_to_agenda", LEAD, {"reason": "Late every day this week"}),
}


def _contender(
    url: str, who: str, case_ids: list[int], same_transaction: bool, barrier: Any, results: Any
) -> None:
    """One process: for each case, load it, wait for the other, then fire."""
    db = Database(url)
    trigger, actor, data = STEPS[who]
    try:
        for case_id in case_ids:
            with db.sessions() as session:
                case = session.get(Case, case_id)
                assert case is not None
                shown = case.lock_version
                if not same_transaction:
                    session.rollback()  # the page was shown; the form comes back later
                    barrier.wait(timeout=30)
                    case = session.get(Case, case_id)
                    assert case is not None
                else:
                    barrier.wait(timeout=30)  # both hold the case they read, mid-transaction
                result = fire(case, trigger, actor, data, expected_version=shown, now=NOW)
                if isinstance(result, Fired):
                    session.commit()
                    results.put((case_id, who, "fired", ""))
                else:
                    session.rollback()
                    results.put((case_id, who, "refused", result.reasons[0].kind))
    finally:
        db.dispose()


def _race(db: Database, session: Session, same_transaction: bool) -> list[tuple[Any, ...]]:
    pupil = make_pupil(session)
    case_ids = [open_case(session, pupil, "school_panel", LEAD, now=NOW).id for _ in range(ROUNDS)]
    session.commit()
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    processes = [
        context.Process(
            target=_contender, args=(db.url, who, case_ids, same_transaction, barrier, results)
        )
        for who in STEPS
    ]
    for p in processes:
        p.start()
    outcomes = [results.get(timeout=120) for _ in range(2 * ROUNDS)]
    for p in processes:
        p.join(timeout=60)
        assert p.exitcode == 0
    results.close()
    results.join_thread()
    return outcomes


def _assert_one_winner_per_case(session: Session, outcomes: list[tuple[Any, ...]]) -> None:
    by_case: dict[int, list[tuple[str, str]]] = {}
    for case_id, _who, verdict, kind in outcomes:
        by_case.setdefault(case_id, []).append((verdict, kind))
    assert len(by_case) == ROUNDS
    for verdicts in by_case.values():
        assert sorted(verdicts) == [("fired", ""), ("refused", "conflict")]
    session.expire_all()
    for case_id in by_case:
        events = session.scalar(
            select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case_id)
        )
        case = session.get(Case, case_id)
        assert events == 1
        assert case is not None and case.lock_version == 2
        assert case.state in ("closed", "on_agenda")
    assert verify(session).intact


def test_the_second_of_two_submissions_is_told_the_case_changed(
    db: Database, session: Session, published: WorkflowVersion
) -> None:
    _assert_one_winner_per_case(session, _race(db, session, same_transaction=False))


@pytest.mark.postgres_only
def test_two_processes_racing_inside_their_transactions_cannot_both_win(
    db: Database, session: Session, published: WorkflowVersion
) -> None:
    _assert_one_winner_per_case(session, _race(db, session, same_transaction=True))
