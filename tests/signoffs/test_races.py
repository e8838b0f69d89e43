"""Two people sign off the same request at the same moment, in two processes: exactly one of
them takes the step; the other is told, in words, that it was decided already. The step is
recorded once, the request names one signer, and the audit chain verifies.

Each process waits at a barrier, then acts in a transaction of its own, as a web request does
(on SQLite every transaction takes the write lock as it begins, so they queue; on PostgreSQL
they really overlap, and the request's row lock decides).
"""

from __future__ import annotations

import multiprocessing
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from panelflow.accounts.operations import actor_for
from panelflow.audit.models import AuditRecord
from panelflow.audit.operations import verify
from panelflow.cases.models import CaseEvent
from panelflow.db import Database
from panelflow.roles import Actor
from panelflow.signoffs.models import SignOffRequest
from panelflow.signoffs.operations import SignOffError, sign_off, take
from tests.factories import make_account, make_local_authority, make_pupil
from tests.signoffs.conftest import PENALTY, Formal, support_history

ROUNDS = 4


def _contender(
    url: str, who: str, actor: Actor, requests: list[int], barrier: Any, results: Any
) -> None:
    db = Database(url)
    try:
        for number, request_id in enumerate(requests):
            with db.sessions() as session:
                barrier.wait(timeout=60)
                try:
                    result = sign_off(session, actor, request_id)
                except SignOffError as refused:
                    session.rollback()
                    results.put((number, who, "refused", refused.message))
                    continue
                if hasattr(result, "reasons"):
                    session.rollback()
                    results.put((number, who, "refused", result.message))  # type: ignore[union-attr]
                else:
                    session.commit()
                    results.put((number, who, "done", ""))
    except Exception as error:  # reported, so the test fails with it instead of waiting
        results.put((-1, who, "error", repr(error)))
        raise
    finally:
        db.dispose()


def test_two_people_signing_off_at_once_take_the_step_once(
    db: Database, session: Session, formal: Formal
) -> None:
    eve = make_account(
        session, "ewo", name="Eve Marsh", local_authority=make_local_authority(session)
    )
    requests = []
    for n in range(ROUNDS):
        case = formal.case
        if n:
            pupil = make_pupil(
                session, formal.pupil.school, given_name=f"Pupil{n}", family_name="Race"
            )
            _, case = support_history(
                session, formal.version, pupil, formal.actor("lead"), formal.actor("ed")
            )
        asked = take(session, case, "issue_penalty_notice", formal.actor("ed"), PENALTY)
        assert isinstance(asked, SignOffRequest)
        requests.append(asked.id)
    session.commit()
    signers = {"erin": formal.actor("erin"), "eve": actor_for(eve)}

    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(signers))
    results = context.Queue()
    processes = [
        context.Process(target=_contender, args=(db.url, who, actor, requests, barrier, results))
        for who, actor in signers.items()
    ]
    for p in processes:
        p.start()
    outcomes = [results.get(timeout=180) for _ in range(ROUNDS * len(signers))]
    for p in processes:
        p.join(timeout=60)
        assert p.exitcode == 0
    results.close()
    results.join_thread()

    assert all(o[2] != "error" for o in outcomes), outcomes
    for number in range(ROUNDS):
        verdicts = sorted((o[2], o[3]) for o in outcomes if o[0] == number)
        assert [v[0] for v in verdicts] == ["done", "refused"], verdicts
        assert verdicts[1][1] in (
            "This request has been signed off already",
            "Someone else has just decided this request",
        )
    session.expire_all()
    for request_id in requests:
        request = session.get(SignOffRequest, request_id)
        assert request is not None and request.status == "signed_off"
        assert request.decided_by_name in ("Erin Walsh", "Eve Marsh")
        event = session.get(CaseEvent, request.event_id)
        assert event is not None and event.signed_off_by_name == request.decided_by_name
    taken = session.scalar(
        select(func.count())
        .select_from(CaseEvent)
        .where(CaseEvent.trigger == "issue_penalty_notice")
    )
    assert taken == ROUNDS
    given = session.scalar(
        select(func.count()).select_from(AuditRecord).where(AuditRecord.action == "signoff.give")
    )
    assert given == ROUNDS
    assert verify(session).intact
