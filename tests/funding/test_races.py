"""Approvals and the budget under real concurrency: two processes act at the same moment.

(a) Two eligible people give the last approval of the same decision at once: one approval is
recorded, the other is refused in words, the decision is approved once and the audit chain
verifies. (b) Two proposals, or two last approvals, that together would overspend a budget
period, committed at once without an override: one goes ahead, the other is refused for
overspending, and committed + spent never exceeds allocated.

Each process waits at a barrier, then runs the operation in a transaction of its own, as a
web request does (on SQLite every transaction takes the write lock as it begins, so they
queue; on PostgreSQL they really overlap and the row locks decide). On PostgreSQL the race
is also run with both processes having read the decision and the ledger earlier in the same
transaction, as a page that shows the totals before acting would: what they read must not
be trusted after the lock is taken.
"""

from __future__ import annotations

import multiprocessing
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from panelflow.audit.models import AuditRecord
from panelflow.audit.operations import verify
from panelflow.db import Database
from panelflow.funding.models import FundingApproval, FundingDecision
from panelflow.funding.operations import (
    FundingError,
    approve,
    ledger,
    propose,
    set_budget,
    visible_decision,
)
from panelflow.roles import Actor
from tests.funding.conftest import Place

ROUNDS = 6
# Each race is run as two web requests would run it, and on PostgreSQL also with both
# processes having read the decision and the ledger earlier in the same transaction.
READ_FIRST = pytest.mark.parametrize(
    "read_first",
    [
        pytest.param(False, id="acting-at-once"),
        pytest.param(True, id="after-reading-the-page", marks=pytest.mark.postgres_only),
    ],
)
COURSE = 40_000  # £400: a chair's proposal that needs a second approval
BUS_PASS = 14_000  # £140: approved at once by the chair or the attendance lead


def _contender(
    url: str,
    who: str,
    actor: Actor,
    work: list[dict[str, Any]],
    read_first: bool,
    barrier: Any,
    results: Any,
) -> None:
    """One process: for each round, (perhaps read the page's figures,) wait, then act."""
    db = Database(url)
    try:
        for job in work:
            with db.sessions() as session:
                # What the page showed, read in this same transaction and still held (the
                # session forgets objects nobody holds, and would read them afresh).
                shown: list[object] = []
                if read_first:
                    if "decision" in job:
                        shown.append(visible_decision(session, actor, job["decision"]))
                    shown.append(ledger(session, job["panel"], job["budget"]))
                barrier.wait(timeout=60)
                try:
                    if "decision" in job:
                        approve(session, actor, job["decision"])
                    else:
                        propose(
                            session,
                            actor,
                            case=_case(session, job["case"]),
                            item="transport",
                            amount_pence=BUS_PASS,
                            provider="Merseytravel",
                            starts_on=job["on"],
                            ends_on=job["on"],
                        )
                except FundingError as refused:
                    session.rollback()
                    results.put((job["round"], who, "refused", refused.field or "", str(refused)))
                else:
                    session.commit()
                    results.put((job["round"], who, "done", "", ""))
    except Exception as error:  # reported, so the test fails with it instead of waiting
        results.put((-1, who, "error", "", repr(error)))
        raise
    finally:
        db.dispose()


def _case(session: Session, case_id: int) -> Any:
    from panelflow.cases.models import Case

    found = session.get(Case, case_id)
    assert found is not None
    return found


def _race(
    db: Database,
    session: Session,
    jobs: dict[str, tuple[Actor, list[dict[str, Any]]]],
    read_first: bool,
) -> list[tuple[Any, ...]]:
    # Building the actors read their roles: end that transaction, or on SQLite it would hold
    # the write lock the contenders wait for.
    session.commit()
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(jobs))
    results = context.Queue()
    processes = [
        context.Process(
            target=_contender,
            args=(db.url, who, actor, work, read_first, barrier, results),
        )
        for who, (actor, work) in jobs.items()
    ]
    for p in processes:
        p.start()
    expected = sum(len(work) for _, work in jobs.values())
    outcomes = []
    for _ in range(expected):
        outcome = results.get(timeout=180)
        assert outcome[2] != "error", outcome
        outcomes.append(outcome)
    for p in processes:
        p.join(timeout=60)
        assert p.exitcode == 0
    results.close()
    results.join_thread()
    return outcomes


def _by_round(outcomes: list[tuple[Any, ...]]) -> dict[int, list[tuple[str, str, str]]]:
    rounds: dict[int, list[tuple[str, str, str]]] = {}
    for number, _who, verdict, field, message in outcomes:
        rounds.setdefault(number, []).append((verdict, field, message))
    assert sorted(rounds) == list(range(ROUNDS))
    return rounds


def _enough_budget(session: Session, place: Place) -> None:
    set_budget(
        session,
        place.actor("admin"),
        panel_id=place.panel.id,
        label=place.budget.label,
        starts_on=place.budget.starts_on,
        ends_on=place.budget.ends_on,
        amount_pence=ROUNDS * COURSE * 2,
        budget_id=place.budget.id,
    )


def _periods(session: Session, place: Place, pence: int) -> list[int]:
    """One budget period per round, each of ``pence``, after the fixture's period."""
    start = place.budget.ends_on + timedelta(days=1)
    ids = []
    for number in range(ROUNDS):
        first = start + timedelta(days=10 * number)
        ids.append(
            set_budget(
                session,
                place.actor("admin"),
                panel_id=place.panel.id,
                label=f"Period {number + 1}",
                starts_on=first,
                ends_on=first + timedelta(days=9),
                amount_pence=pence,
            ).id
        )
    return ids


def _course(session: Session, place: Place, on: Any = None) -> FundingDecision:
    """£400 proposed by the chair, who gives the first approval; it waits for the second."""
    on = on or place.today
    decision = propose(
        session,
        place.actor("chair"),
        case=place.case,
        item="group_programme",
        amount_pence=COURSE,
        provider="The Hive Youth Zone",
        starts_on=on,
        ends_on=on + timedelta(weeks=8),
    )
    assert decision.status == "proposed" and len(decision.approvals) == 1
    return decision


def _within_budget(session: Session, place: Place, budget_ids: list[int]) -> None:
    session.expire_all()
    for budget_id in budget_ids:
        book = ledger(session, place.panel.id, budget_id)
        assert book.committed + book.spent <= book.allocated, budget_id


# -- (a) the last approval, given twice at once ----------------------------------------------


def _last_approval_race(db: Database, session: Session, place: Place, read_first: bool) -> None:
    _enough_budget(session, place)
    decisions = [_course(session, place).id for _ in range(ROUNDS)]
    session.commit()
    work = [
        {"round": n, "decision": d, "panel": place.panel.id, "budget": place.budget.id}
        for n, d in enumerate(decisions)
    ]
    outcomes = _race(
        db,
        session,
        {"lead": (place.actor("lead"), work), "deputy": (place.actor("deputy"), work)},
        read_first,
    )

    for verdicts in _by_round(outcomes).values():
        assert sorted(v[0] for v in verdicts) == ["done", "refused"]
        refusal = next(v for v in verdicts if v[0] == "refused")
        assert refusal[2] == "This decision is approved, so it cannot be approved now"
    session.expire_all()
    for decision_id in decisions:
        decision = session.get(FundingDecision, decision_id)
        assert decision is not None and decision.status == "approved"
        approvals = session.scalars(
            select(FundingApproval)
            .where(FundingApproval.decision_id == decision_id)
            .order_by(FundingApproval.step)
        ).all()
        assert [a.step for a in approvals] == [1, 2]
        assert approvals[0].name == "Priya Shah"
        assert approvals[1].name in ("Lee Morgan", "Dev Patel")
        second_approvals = [
            r
            for r in session.scalars(
                select(AuditRecord).where(AuditRecord.action == "funding.approve")
            )
            if r.details.get("decision") == decision_id and r.details.get("step") == 2
        ]
        assert len(second_approvals) == 1
        assert second_approvals[0].details["status"] == "approved"
    _within_budget(session, place, [place.budget.id])
    assert verify(session).intact


@READ_FIRST
def test_two_people_giving_the_last_approval_at_once_record_it_once(
    db: Database, session: Session, place: Place, read_first: bool
) -> None:
    _last_approval_race(db, session, place, read_first)


# -- (b) the last of the budget, taken twice at once ------------------------------------------


def _assert_one_overspend_refused(outcomes: list[tuple[Any, ...]]) -> None:
    for verdicts in _by_round(outcomes).values():
        assert sorted(v[0] for v in verdicts) == ["done", "refused"], verdicts
        refusal = next(v for v in verdicts if v[0] == "refused")
        assert refusal[1] == "override_reason"
        assert refusal[2].startswith("This would overspend Period ")


def _proposals_race(db: Database, session: Session, place: Place, read_first: bool) -> None:
    periods = _periods(session, place, 25_000)  # £250 each: one £140 bus pass fits, not two
    session.commit()
    work = [
        {
            "round": n,
            "case": place.case.id,
            "on": place.budget.ends_on + timedelta(days=1 + 10 * n),
            "panel": place.panel.id,
            "budget": budget_id,
        }
        for n, budget_id in enumerate(periods)
    ]
    outcomes = _race(
        db,
        session,
        {"chair": (place.actor("chair"), work), "lead": (place.actor("lead"), work)},
        read_first,
    )

    _assert_one_overspend_refused(outcomes)
    session.expire_all()
    for budget_id in periods:
        approved = session.scalar(
            select(func.count())
            .select_from(FundingDecision)
            .where(FundingDecision.budget_id == budget_id, FundingDecision.status == "approved")
        )
        assert approved == 1
        assert ledger(session, place.panel.id, budget_id).committed == BUS_PASS
    _within_budget(session, place, periods)
    assert verify(session).intact


@READ_FIRST
def test_two_proposals_that_together_overspend_cannot_both_go_ahead(
    db: Database, session: Session, place: Place, read_first: bool
) -> None:
    _proposals_race(db, session, place, read_first)


def _approvals_race(db: Database, session: Session, place: Place, read_first: bool) -> None:
    periods = _periods(session, place, 50_000)  # £500 each: one £400 course fits, not two
    pairs = []
    for n, _budget_id in enumerate(periods):
        on = place.budget.ends_on + timedelta(days=1 + 10 * n)
        pairs.append((_course(session, place, on).id, _course(session, place, on).id))
    session.commit()

    def jobs(which: int) -> list[dict[str, Any]]:
        return [
            {"round": n, "decision": pair[which], "panel": place.panel.id, "budget": periods[n]}
            for n, pair in enumerate(pairs)
        ]

    outcomes = _race(
        db,
        session,
        {"lead": (place.actor("lead"), jobs(0)), "deputy": (place.actor("deputy"), jobs(1))},
        read_first,
    )

    _assert_one_overspend_refused(outcomes)
    session.expire_all()
    for first, second in pairs:
        statuses = sorted(
            session.scalars(
                select(FundingDecision.status).where(FundingDecision.id.in_((first, second)))
            )
        )
        assert statuses == ["approved", "proposed"]
    for budget_id in periods:
        assert ledger(session, place.panel.id, budget_id).committed == COURSE
    _within_budget(session, place, periods)
    overrides = session.scalar(
        select(func.count())
        .select_from(AuditRecord)
        .where(AuditRecord.action == "funding.override")
    )
    assert overrides == 0
    assert verify(session).intact


@READ_FIRST
def test_two_last_approvals_that_together_overspend_cannot_both_go_ahead(
    db: Database, session: Session, place: Place, read_first: bool
) -> None:
    _approvals_race(db, session, place, read_first)
