"""Nominating pupils, and the agenda of a panel's next meeting.

Nomination takes one sentence: the pupil's school panel case is opened and moved on to the
agenda through the workflow engine (the step from the workflow's first state into a state
marked ``agenda: true``). A pupil who already has an open panel case is not nominated twice:
the new nomination joins the existing case, and the panel sees both sentences.

The agenda of a panel's next meeting is built when it is read: every open case of a pupil at
the panel's schools that waits in an ``agenda: true`` state, and every case with actions
still open from the last meeting. Rows in ``agenda_items`` keep the chair's decisions about
it (order, deferrals, cases added by hand).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select, true
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session, joinedload

from panelflow.actions.models import Action
from panelflow.audit.operations import log
from panelflow.cases.models import Case, CaseEvent
from panelflow.cases.operations import CaseError, fire, open_case
from panelflow.catalogue.models import WorkflowVersion
from panelflow.catalogue.operations import engine_for, pinned
from panelflow.db import utcnow
from panelflow.organisations.models import Pupil
from panelflow.panels.models import AgendaItem, Meeting, Nomination, Panel, PanelSchool
from panelflow.presentation import LONDON
from panelflow.roles import Actor
from panelflow.roles.policy import Permission, can
from panelflow.workflows.engine import Refused

PANEL_WORKFLOW = "school_panel"
REASON_LIMIT = 2000


class NominationError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Nominated:
    case: Case
    joined: bool
    meeting: Meeting | None


def panel_for_school(session: Session, school_id: int) -> Panel | None:
    return session.scalar(
        select(Panel)
        .join(PanelSchool, PanelSchool.panel_id == Panel.id)
        .where(PanelSchool.school_id == school_id)
    )


def next_meeting(session: Session, panel_id: int, now: datetime | None = None) -> Meeting | None:
    """The meeting under way, or else the first one still to come (from today on)."""
    now = now or utcnow()
    today = datetime.combine(now.astimezone(LONDON).date(), time(), LONDON)
    return session.scalar(
        select(Meeting)
        .where(
            Meeting.panel_id == panel_id,
            or_(
                Meeting.status == "in_progress",
                and_(Meeting.status == "scheduled", Meeting.starts_at >= today),
            ),
        )
        .order_by((Meeting.status == "in_progress").desc(), Meeting.starts_at)
        .limit(1)
    )


def open_panel_case(session: Session, pupil_id: int) -> Case | None:
    return session.scalar(
        select(Case)
        .where(
            Case.pupil_id == pupil_id,
            Case.workflow_key == PANEL_WORKFLOW,
            Case.is_final.is_(False),
        )
        .order_by(Case.opened_at.desc())
        .limit(1)
    )


def nominate(
    session: Session, actor: Actor, pupil: Pupil, reason: str, *, now: datetime | None = None
) -> Nominated:
    """Put a pupil forward for their school's panel, in the caller's transaction."""
    reason = " ".join(reason.split())
    if not reason:
        raise NominationError("Write a sentence about why you are nominating this pupil", "reason")
    if len(reason) > REASON_LIMIT:
        raise NominationError(
            f"Keep it short: at most {REASON_LIMIT} characters (you wrote {len(reason)})",
            "reason",
        )
    if not can(actor, Permission.NOMINATE) or (
        actor.user_id is not None and pupil.school_id != actor.school_id
    ):
        raise NominationError("You can nominate pupils on your own school's roll only")
    now = now or utcnow()
    panel = panel_for_school(session, pupil.school_id)
    meeting = next_meeting(session, panel.id, now) if panel else None
    existing = open_panel_case(session, pupil.id)
    if existing is not None:
        session.add(
            Nomination(
                case_id=existing.id,
                nominated_by_user_id=actor.user_id,
                nominated_by_name=actor.name,
                reason=reason,
                at=now,
            )
        )
        log(
            session,
            actor,
            "nomination.joined",
            "nominated a pupil who already has a panel case; the nomination joined it",
            case_id=existing.id,
            pupil_id=pupil.id,
            at=now,
        )
        return Nominated(existing, True, meeting)

    try:
        case = open_case(session, pupil, PANEL_WORKFLOW, actor, now=now)
    except CaseError as error:
        raise NominationError(str(error)) from error
    definitions = pinned(session, case.workflow_version_id).engine.definitions
    workflow = definitions.workflows[PANEL_WORKFLOW]
    step = next(
        (
            t
            for t in workflow.transitions_from(workflow.initial)
            if t.dest in workflow.states and workflow.states[t.dest].agenda and t.allowed
        ),
        None,
    )
    if step is None or len(step.requires) > 1:
        raise NominationError(
            "The school panel workflow has no one-sentence step onto the agenda; "
            "ask your LA workflow editor to check config/workflows.yaml"
        )
    result = fire(case, step.trigger, actor, {name: reason for name in step.requires}, now=now)
    if isinstance(result, Refused):
        raise NominationError(result.message)
    session.add(
        Nomination(
            case_id=case.id,
            nominated_by_user_id=actor.user_id,
            nominated_by_name=actor.name,
            reason=reason,
            at=now,
        )
    )
    return Nominated(case, False, meeting)


# -- the agenda -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaEntry:
    case: Case
    kind: str  # nomination | review | open_actions | added
    item: AgendaItem | None

    @property
    def status(self) -> str:
        return self.item.status if self.item else "waiting"


def agenda_states(session: Session) -> set[tuple[str, str]]:
    """(workflow, state) pairs marked ``agenda: true`` in any published version."""
    pairs: set[tuple[str, str]] = set()
    for version in session.scalars(select(WorkflowVersion)):
        for key, workflow in engine_for(version).definitions.workflows.items():
            pairs |= {(key, name) for name, state in workflow.states.items() if state.agenda}
    return pairs


def previous_meeting(session: Session, meeting: Meeting) -> Meeting | None:
    return session.scalar(
        select(Meeting)
        .where(
            Meeting.panel_id == meeting.panel_id,
            Meeting.status == "closed",
            Meeting.starts_at < meeting.starts_at,
        )
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )


class Agenda:
    """A meeting's agenda in order: the chair's rows, then what is waiting.

    Only the next meeting gathers waiting cases; a later one holds only what was put on it by
    hand. A closed meeting's agenda is what was discussed there. Waiting cases come new
    nominations first, then reviews, then cases with actions open from last time.

    The agenda is two queries (the rows, then the waiting cases), so a page of it is read
    with LIMIT and OFFSET and counting it reads no rows; ``within`` (e.g. ``case_scope``)
    limits it to the cases a reader may see.
    """

    KINDS = ("nomination", "review", "open_actions")

    def __init__(
        self,
        session: Session,
        meeting: Meeting,
        *,
        now: datetime | None = None,
        within: ColumnElement[bool] | None = None,
    ) -> None:
        self.session = session
        self.meeting = meeting
        self.within = true() if within is None else within
        upcoming = next_meeting(session, meeting.panel_id, now)
        self.gathers = upcoming is not None and upcoming.id == meeting.id

    def _held(self) -> Select[AgendaItem, Case]:
        return (
            select(AgendaItem, Case)
            .join(Case, Case.id == AgendaItem.case_id)
            .where(AgendaItem.meeting_id == self.meeting.id, self.within)
        )

    def _waiting(self) -> Select[Case, int]:
        pairs = agenda_states(self.session)
        in_agenda_state = (
            or_(*(and_(Case.workflow_key == k, Case.state == s) for k, s in sorted(pairs)))
            if pairs
            else false()
        )
        last = previous_meeting(self.session, self.meeting)
        open_from_last = (
            Case.id.in_(
                select(Action.case_id).where(
                    Action.meeting_id == last.id, Action.status.in_(("open", "accepted"))
                )
            )
            if last is not None
            else false()
        )
        # A case that has left its agenda state before is back for a review.
        discussed_before = exists(
            select(CaseEvent.id).where(
                CaseEvent.case_id == Case.id,
                CaseEvent.from_state == Case.state,
                CaseEvent.to_state != Case.state,
            )
        )
        kind = sql_case((~in_agenda_state, 2), (discussed_before, 1), else_=0)
        placed = select(AgendaItem.case_id).where(AgendaItem.meeting_id == self.meeting.id)
        schools = select(PanelSchool.school_id).where(PanelSchool.panel_id == self.meeting.panel_id)
        return (
            select(Case, kind.label("kind"))
            .join(Pupil, Pupil.id == Case.pupil_id)
            .where(
                Pupil.school_id.in_(schools),
                Case.is_final.is_(False),
                or_(in_agenda_state, open_from_last),
                Case.id.not_in(placed),
                self.within,
            )
        )

    def held_count(self) -> int:
        return self.session.scalar(self._held().with_only_columns(func.count())) or 0

    def count(self) -> int:
        held = self.held_count()
        if not self.gathers:
            return held
        waiting = self.session.scalar(select(func.count()).select_from(self._waiting().subquery()))
        return held + (waiting or 0)

    def index_of(self, case_id: int) -> int | None:
        """Where a case held on the agenda stands in it (0-based), or None if it is not held."""
        item = self.session.scalar(
            select(AgendaItem).where(
                AgendaItem.meeting_id == self.meeting.id, AgendaItem.case_id == case_id
            )
        )
        if item is None:
            return None
        before = or_(
            AgendaItem.position < item.position,
            and_(AgendaItem.position == item.position, AgendaItem.id < item.id),
        )
        return self.session.scalar(self._held().where(before).with_only_columns(func.count()))

    def held(self, offset: int = 0, limit: int | None = None) -> list[tuple[AgendaItem, Case]]:
        """The chair's rows from position ``offset`` (0-based), with their cases and pupils."""
        rows = self.session.execute(
            self._held()
            .options(joinedload(Case.pupil).joinedload(Pupil.school))
            .order_by(AgendaItem.position, AgendaItem.id)
            .offset(offset)
            .limit(limit)
        ).all()
        return [(item, case) for item, case in rows]

    def next_waiting(self) -> AgendaItem | None:
        """The first row not yet discussed or deferred."""
        return self.session.scalar(
            self._held()
            .with_only_columns(AgendaItem)
            .where(AgendaItem.status == "waiting")
            .order_by(AgendaItem.position, AgendaItem.id)
            .limit(1)
        )

    def entries(self, offset: int = 0, limit: int | None = None) -> list[AgendaEntry]:
        """The agenda from position ``offset`` (0-based), at most ``limit`` entries."""
        entries = [AgendaEntry(case, item.kind, item) for item, case in self.held(offset, limit)]
        if not self.gathers or (limit is not None and len(entries) >= limit):
            return entries
        if entries or offset == 0:
            offset = 0
        else:  # the page starts among the waiting cases
            offset -= self.held_count()
        waiting = self._waiting()
        rows = self.session.execute(
            waiting.options(joinedload(Case.pupil).joinedload(Pupil.school))
            .order_by(waiting.selected_columns.kind, Case.state_entered_at, Case.id)
            .offset(offset)
            .limit(None if limit is None else limit - len(entries))
        ).all()
        entries += [AgendaEntry(case, self.KINDS[kind], None) for case, kind in rows]
        return entries


def agenda(session: Session, meeting: Meeting, *, now: datetime | None = None) -> list[AgendaEntry]:
    """The whole agenda of a meeting, in order (see ``Agenda``)."""
    return Agenda(session, meeting, now=now).entries()


def meetings_of(session: Session, panel_id: int) -> Sequence[Meeting]:
    return session.scalars(
        select(Meeting).where(Meeting.panel_id == panel_id).order_by(Meeting.starts_at)
    ).all()


def nominations_for(session: Session, case_ids: Sequence[int]) -> dict[int, list[Nomination]]:
    found: dict[int, list[Nomination]] = {}
    for nomination in session.scalars(
        select(Nomination).where(Nomination.case_id.in_(case_ids)).order_by(Nomination.at)
    ):
        found.setdefault(nomination.case_id, []).append(nomination)
    return found
