"""What is due on the cases a person can act on: the raised flags and the steps a timer took
("due now"), and the timers falling due in the next two school weeks ("coming up").

Who owns a due item: the people who run the case now (``cases.worklist.run_by``, the same
people whose case list shows it): everyone who sees the case (need-to-know, ``case_scope``)
and holds a role allowed on a step that moves it on from its current state, in the workflow
version the case is pinned to. Safeguarding steps, open to everyone working with the pupil,
and steps that leave the case where it is do not count.

Need-to-know is worked out in SQL and the workflow definitions (a handful of versions) in
Python, so the statements sent do not grow with the number of cases. ``owners`` answers the
same question for many cases and all people at once, for the morning emails
(``panelflow/notify/timers.py``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, select, union_all
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session

from panelflow.actions.agreeing import runs_state
from panelflow.cases.models import Case, CaseEvent, CaseFlag, CaseTimer
from panelflow.cases.worklist import run_by
from panelflow.catalogue.operations import pinned
from panelflow.organisations.models import Pupil, School
from panelflow.roles import SYSTEM, Actor
from panelflow.roles.policy import case_scope
from panelflow.terms.operations import calendar_for
from panelflow.workflows.definitions import WorkflowSet
from panelflow.workflows.durations import SCHOOL_TIME, Duration, SchoolCalendar

STEP_KINDS = ("step", "step_timer")  # the text is a trigger, shown by its label
COMING = ("flag_timer", "step_timer")
# How far ahead "coming up" looks.
HORIZON = Duration(2, "school_weeks")
# People per statement when need-to-know is checked for many people at once (SQLite allows
# 500 parts in one compound SELECT).
PEOPLE_PER_QUERY = 100


def acting_roles(definitions: WorkflowSet, workflow_key: str, state: str) -> frozenset[str]:
    """The roles that run a case at ``state`` (``actions.agreeing.runs_state``)."""
    wf = definitions.workflows.get(workflow_key)
    if wf is None:
        return frozenset()
    return frozenset(role for role in definitions.roles if runs_state(wf, state, (role,)))


# --- one person's due items ---------------------------------------------------------------


@dataclass(frozen=True)
class DueItem:
    """One thing due on a case: a flag raised, a step a timer took, or a timer to come."""

    kind: str  # flag | step (due now) | flag_timer | step_timer (coming up)
    case: Case
    pupil: Pupil
    text: str  # the flag's words, or the step's label
    at: datetime  # due since (flag, step), or due on (timer)
    workflow: str
    state: str
    school_days: int = 0  # school days since it came due (due now only)


@dataclass(frozen=True)
class DueList:
    items: list[DueItem]
    total: int


def since_due() -> Any:
    """A flag's due moment: its timer's (not the tick that raised it, which may have been
    late after downtime), or when it was raised if no timer matches."""
    timer_due = (
        select(func.min(CaseTimer.due_at))
        .where(
            CaseTimer.case_id == CaseFlag.case_id,
            CaseTimer.flag == CaseFlag.text,
            CaseTimer.status == "done",
            CaseTimer.entered_at == Case.state_entered_at,
        )
        .correlate(CaseFlag, Case)
        .scalar_subquery()
    )
    return func.coalesce(timer_due, CaseFlag.raised_at)


def due_now_query(mine: ColumnElement[bool]) -> Select[Any]:
    """(kind, case id, flag text or trigger, since) for what is due now on cases ``mine``
    selects: uncleared flags, and the steps a timer took into the case's current state."""
    flags = (
        select(
            literal("flag").label("kind"),
            CaseFlag.case_id.label("case_id"),
            CaseFlag.text.label("text"),
            since_due().label("at"),
            CaseFlag.id.label("n"),
        )
        .join(Case, Case.id == CaseFlag.case_id)
        .where(CaseFlag.cleared_at.is_(None), mine)
    )
    steps = (
        select(
            literal("step").label("kind"),
            CaseEvent.case_id.label("case_id"),
            CaseEvent.trigger.label("text"),
            CaseEvent.at.label("at"),
            CaseEvent.id.label("n"),
        )
        .join(Case, Case.id == CaseEvent.case_id)
        .where(
            CaseEvent.actor_id == SYSTEM.id,
            CaseEvent.at == Case.state_entered_at,
            CaseEvent.to_state == Case.state,
            mine,
        )
    )
    return union_all(flags, steps)  # type: ignore[return-value]


def coming_up_query(mine: ColumnElement[bool], now: datetime, until: datetime) -> Select[Any]:
    """(kind, case id, flag text or trigger, due) for timers falling due in (now, until]."""
    return (
        select(
            sql_case((CaseTimer.flag.is_(None), "step_timer"), else_="flag_timer").label("kind"),
            CaseTimer.case_id.label("case_id"),
            func.coalesce(CaseTimer.flag, CaseTimer.fire_trigger).label("text"),
            CaseTimer.due_at.label("at"),
            CaseTimer.id.label("n"),
        )
        .join(Case, Case.id == CaseTimer.case_id)
        .where(
            CaseTimer.status == "pending",
            CaseTimer.due_at > now,
            CaseTimer.due_at <= until,
            CaseTimer.state == Case.state,
            CaseTimer.entered_at == Case.state_entered_at,
            mine,
        )
    )


def school_days_between(calendar: SchoolCalendar, start: datetime, end: datetime) -> int:
    """School days after ``start``'s day up to and including ``end``'s day (UK dates)."""
    first = start.astimezone(SCHOOL_TIME).date()
    last = end.astimezone(SCHOOL_TIME).date()
    count, day = 0, first + timedelta(days=1)
    while day <= last:
        count += calendar.is_school_day(day)
        day += timedelta(days=1)
    return count


class Due:
    """What is due for one person, read a page at a time."""

    def __init__(self, session: Session, actor: Actor, now: datetime) -> None:
        self.session = session
        self.actor = actor
        self.now = now
        self.calendar = calendar_for(session, actor.local_authority_id)
        self.until = self.calendar.add(now, HORIZON)
        self._mine = run_by(session, actor)
        self._workflows: dict[tuple[int, str], Any] = {}

    def _workflow(self, case: Case) -> Any:
        """The case's workflow in its pinned version, read once per version and workflow."""
        found = (case.workflow_version_id, case.workflow_key)
        if found not in self._workflows:
            engine = pinned(self.session, case.workflow_version_id).engine
            self._workflows[found] = engine.workflow(case.workflow_key)
        return self._workflows[found]

    def _page(self, rows: Select[Any], limit: int, offset: int) -> DueList:
        listed = rows.subquery()
        total = self.session.scalar(select(func.count()).select_from(listed)) or 0
        if not total:
            return DueList([], 0)
        page = self.session.execute(
            select(listed.c.kind, listed.c.case_id, listed.c.text, listed.c.at)
            .order_by(listed.c.at, listed.c.n)
            .limit(limit)
            .offset(offset)
        ).all()
        cases = {
            case.id: (case, pupil)
            for case, pupil in self.session.execute(
                select(Case, Pupil)
                .join(Pupil, Pupil.id == Case.pupil_id)
                .where(Case.id.in_({row.case_id for row in page}))
            )
        }
        items = []
        for kind, case_id, text, at in page:
            case, pupil = cases[case_id]
            wf = self._workflow(case)
            items.append(
                DueItem(
                    kind=kind,
                    case=case,
                    pupil=pupil,
                    text=wf.trigger_label(text) if wf and kind in STEP_KINDS else text,
                    at=at,
                    workflow=wf.title if wf else case.workflow_key,
                    state=wf.state_label(case.state) if wf else case.state,
                    school_days=0
                    if kind in COMING
                    else school_days_between(self.calendar, at, self.now),
                )
            )
        return DueList(items, total)

    def totals(self) -> tuple[int, int]:
        """How many items are due now, and how many come due in the next 2 school weeks."""
        return (
            self._count(due_now_query(self._mine)),
            self._count(coming_up_query(self._mine, self.now, self.until)),
        )

    def _count(self, rows: Select[Any]) -> int:
        return self.session.scalar(select(func.count()).select_from(rows.subquery())) or 0

    def due_now(self, limit: int, offset: int = 0) -> DueList:
        """Flags raised and steps a timer took, longest waiting first."""
        return self._page(due_now_query(self._mine), limit, offset)

    def coming_up(self, limit: int, offset: int = 0) -> DueList:
        """Timers falling due in the next two school weeks, soonest first."""
        return self._page(coming_up_query(self._mine, self.now, self.until), limit, offset)


# --- owners of many cases at once ---------------------------------------------------------


@dataclass(frozen=True)
class CaseInfo:
    """What an email may say about a case: no pupil's name, only the school's."""

    id: int
    school: str
    workflow: str
    state: str


def owners(
    session: Session, case_ids: Iterable[int]
) -> tuple[dict[int, list[int]], dict[int, CaseInfo], dict[int, Any]]:
    """Who can act on each case now: ``{user id: [case ids]}``, what may be said of each case,
    and the users by id. A fixed number of statements, whatever the number of cases: the
    people are narrowed by role and authority first, then need-to-know is asked for up to
    ``PEOPLE_PER_QUERY`` people per statement with the policy's own ``case_scope``."""
    from panelflow.accounts.models import RoleAssignment, User

    ids = sorted(set(case_ids))
    if not ids:
        return {}, {}, {}
    rows = session.execute(
        select(Case, School.name, School.local_authority_id)
        .join(Pupil, Pupil.id == Case.pupil_id)
        .join(School, School.id == Pupil.school_id)
        .where(Case.id.in_(ids), Case.is_final.is_(False))
    ).all()
    roles_of: dict[int, frozenset[str]] = {}
    info: dict[int, CaseInfo] = {}
    authorities: set[int] = set()
    versions: dict[int, WorkflowSet] = {}
    for case, school, authority in rows:
        if case.workflow_version_id not in versions:
            pinned_version = pinned(session, case.workflow_version_id)
            versions[case.workflow_version_id] = pinned_version.engine.definitions
        definitions = versions[case.workflow_version_id]
        roles_of[case.id] = acting_roles(definitions, case.workflow_key, case.state)
        wf = definitions.workflows.get(case.workflow_key)
        info[case.id] = CaseInfo(
            case.id,
            school,
            wf.title if wf else case.workflow_key,
            wf.state_label(case.state) if wf else case.state,
        )
        if authority is not None:
            authorities.add(authority)
    wanted = set().union(*roles_of.values()) if roles_of else set()
    if not wanted or not authorities:
        return {}, info, {}
    users = {
        user.id: user
        for user in session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.local_authority_id.in_(authorities),
                User.id.in_(select(RoleAssignment.user_id).where(RoleAssignment.role.in_(wanted))),
            )
            .order_by(User.id)
        )
    }
    candidates: list[tuple[Any, list[int]]] = []
    held: dict[int, set[str]] = defaultdict(set)
    if users:
        for user_id, role in session.execute(
            select(RoleAssignment.user_id, RoleAssignment.role).where(
                RoleAssignment.user_id.in_(list(users))
            )
        ):
            held[user_id].add(role)
        for user in users.values():
            theirs = [case_id for case_id, roles in roles_of.items() if roles & held[user.id]]
            if theirs:
                candidates.append((user, theirs))
    found: dict[int, list[int]] = defaultdict(list)
    for start in range(0, len(candidates), PEOPLE_PER_QUERY):
        chunk = candidates[start : start + PEOPLE_PER_QUERY]
        parts = []
        for user, theirs in chunk:
            # As accounts.operations.actor_for, with the roles already read.
            actor = Actor(
                id=f"user:{user.id}",
                name=user.name,
                roles=frozenset(held[user.id]),
                agency=user.agency,
                user_id=user.id,
                school_id=user.school_id,
                local_authority_id=user.local_authority_id,
            )
            parts.append(
                select(literal(user.id).label("user_id"), Case.id.label("case_id")).where(
                    Case.id.in_(theirs), case_scope(actor)
                )
            )
        statement = parts[0] if len(parts) == 1 else union_all(*parts)
        for user_id, case_id in session.execute(statement):
            found[user_id].append(case_id)
    return {u: sorted(c) for u, c in found.items()}, info, users


@dataclass(frozen=True)
class DueSummary:
    """The first few of each list, for a dashboard."""

    now: DueList
    soon: DueList


def due_summary(session: Session, actor: Actor, now: datetime, limit: int) -> DueSummary:
    due = Due(session, actor, now)
    return DueSummary(due.due_now(limit), due.coming_up(limit))
