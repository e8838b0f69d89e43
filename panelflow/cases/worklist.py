"""The cases a person runs: open cases within their need-to-know where they may take a step
that moves the case on (``runs_case``). An educational psychologist finds the consultations
waiting to be booked here; an EWO, the support-first cases at a stage they review.

Which (workflow, state) pairs a person runs depends on the workflow version each case is
pinned to, so the condition is built per version in use, in SQL, and the list pages in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, func, or_, select, tuple_
from sqlalchemy.orm import Session, selectinload

from panelflow.actions.agreeing import runs_state
from panelflow.cases.models import Case, CaseFlag
from panelflow.cases.rows import CaseRow
from panelflow.catalogue.operations import engine_for, live_version, pinned
from panelflow.organisations.models import Pupil
from panelflow.paging import Paging
from panelflow.roles import Actor
from panelflow.roles.policy import Permission, allowed, case_scope
from panelflow.workflows.definitions import WorkflowSet


def _runs(definitions: WorkflowSet, roles: frozenset[str]) -> list[tuple[str, str]]:
    return [
        (key, state)
        for key, wf in definitions.workflows.items()
        for state in wf.states
        if runs_state(wf, state, roles)
    ]


def run_by(session: Session, actor: Actor) -> ColumnElement[bool]:
    """SQL on ``Case``: the open cases this person runs, within their need-to-know."""
    if not allowed(actor, Permission.WORK_ON_CASES):
        return false()
    roles = frozenset(actor.roles)
    versions = session.scalars(
        select(Case.workflow_version_id).where(Case.is_final.is_(False)).distinct()
    ).all()
    per_version = []
    for version_id in versions:
        pairs = _runs(pinned(session, version_id).engine.definitions, roles)
        if pairs:
            per_version.append(
                and_(
                    Case.workflow_version_id == version_id,
                    tuple_(Case.workflow_key, Case.state).in_(pairs),
                )
            )
    if not per_version:
        return false()
    return and_(Case.is_final.is_(False), or_(*per_version), case_scope(actor))


@dataclass(frozen=True)
class Row(CaseRow):
    flags: int = 0  # flags raised on the case and not yet cleared


@dataclass(frozen=True)
class Worklist:
    rows: list[Row]
    paging: Paging
    workflows: dict[str, str]  # the workflows the person runs cases of: key -> title
    counts: dict[str, int]  # cases per workflow key


def worklist(
    session: Session, actor: Actor, *, workflow: str = "", page: int = 1, per_page: int = 50
) -> Worklist:
    """A page of the cases this person runs, longest waiting at their stage first."""
    mine = run_by(session, actor)
    counts = dict(
        session.execute(
            select(Case.workflow_key, func.count()).where(mine).group_by(Case.workflow_key)
        ).all()
    )
    chosen = [mine] + ([Case.workflow_key == workflow] if workflow else [])
    total = session.scalar(select(func.count()).select_from(Case).where(*chosen)) or 0
    paging = Paging.at(total, page, per_page)
    cases = session.scalars(
        select(Case)
        .options(selectinload(Case.pupil).selectinload(Pupil.school))
        .where(*chosen)
        .order_by(Case.state_entered_at, Case.id)
        .offset(paging.offset)
        .limit(per_page)
    ).all()
    flags = dict(
        session.execute(
            select(CaseFlag.case_id, func.count())
            .where(CaseFlag.case_id.in_([c.id for c in cases]), CaseFlag.cleared_at.is_(None))
            .group_by(CaseFlag.case_id)
        ).all()
    )
    versions = {v: pinned(session, v).engine for v in {c.workflow_version_id for c in cases}}
    rows = [
        Row(
            case,
            versions[case.workflow_version_id].workflow(case.workflow_key),
            flags.get(case.id, 0),
        )
        for case in cases
    ]
    live = live_version(session)
    known = engine_for(live).definitions.workflows if live else {}
    titles = {k: known[k].title if k in known else k.replace("_", " ") for k in sorted(counts)}
    return Worklist(rows, paging, titles, counts)
