"""Running a panel meeting: the agenda held, one pupil at a time, and the meeting closed.

The chair starts the meeting (the agenda computed so far is held as rows, in order), records
who is there, and takes each pupil in turn: the discussion, the barriers from the workflow
file's taxonomy, the actions agreed (what, for whom, by when) and the outcome, which is a
workflow step fired through the engine like any other. Closing the meeting marks the items
not reached as deferred (they come back next time while their case still waits) and sends
each action agreed at the meeting to its owners.

Every function works in the caller's transaction, checks that the actor may run this panel,
and writes an audit record for what it changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, delete, or_, select
from sqlalchemy.orm import Session

from panelflow.accounts.models import User
from panelflow.actions.agreeing import Owner, role_owners
from panelflow.actions.agreeing import agree_action as agree
from panelflow.actions.models import Action
from panelflow.actions.operations import ActionError
from panelflow.audit.operations import log
from panelflow.cases.models import Case
from panelflow.cases.operations import fire
from panelflow.catalogue.operations import pinned
from panelflow.db import utcnow
from panelflow.organisations.models import Pupil
from panelflow.panels.models import (
    AgendaItem,
    CaseBarrier,
    Meeting,
    MeetingAttendance,
    PanelMember,
    PanelSchool,
)
from panelflow.panels.operations import agenda
from panelflow.presentation import LONDON
from panelflow.roles import Actor
from panelflow.roles.policy import Permission, allowed
from panelflow.workflows.definitions import TransitionDef, WorkflowSet
from panelflow.workflows.engine import Refused

DISCUSSION_LIMIT = 20_000


class MeetingError(Exception):
    """The chair asked for something the meeting cannot do; the message says why."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# -- who may run a meeting --------------------------------------------------------------------


def may_run(session: Session, actor: Actor, meeting: Meeting) -> bool:
    """Panel work is for those who run panels, and only for a panel they belong to.

    A standing member of the panel, or a member of staff at one of its schools, who holds a
    role that runs panels. Commands run on the server act for the service.
    """
    if not allowed(actor, Permission.RUN_PANELS):
        return False
    if actor.user_id is None:
        return True
    member = session.scalar(
        select(PanelMember.id).where(
            PanelMember.panel_id == meeting.panel_id, PanelMember.user_id == actor.user_id
        )
    )
    at_school = actor.school_id is not None and session.scalar(
        select(PanelSchool.panel_id).where(
            PanelSchool.panel_id == meeting.panel_id, PanelSchool.school_id == actor.school_id
        )
    )
    return bool(member or at_school)


def _check(session: Session, actor: Actor, meeting: Meeting, *, open_only: bool = True) -> None:
    if not may_run(session, actor, meeting):
        raise MeetingError("Only the panel's chair or its school's attendance lead can do this")
    if open_only and meeting.status not in ("scheduled", "in_progress"):
        raise MeetingError(f"This meeting is {meeting.status.replace('_', ' ')}; it cannot change")


# -- the agenda, held -------------------------------------------------------------------------


def hold(session: Session, meeting: Meeting, *, now: datetime | None = None) -> list[AgendaItem]:
    """Keep the agenda as it is computed now as rows, so the chair can order and defer it."""
    entries = agenda(session, meeting, now=now)
    items = [e.item for e in entries if e.item is not None]
    position = max((i.position for i in items), default=0)
    for entry in entries:
        if entry.item is None:
            position += 1
            item = AgendaItem(
                meeting_id=meeting.id,
                case_id=entry.case.id,
                position=position,
                kind=entry.kind,
                added_at=now or utcnow(),
            )
            session.add(item)
            items.append(item)
    session.flush()
    return items


def items_of(session: Session, meeting: Meeting) -> list[AgendaItem]:
    return list(
        session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )


def item_of(session: Session, meeting: Meeting, item_id: int) -> AgendaItem:
    item = session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        raise LookupError(item_id)
    return item


def start(session: Session, actor: Actor, meeting: Meeting, *, now: datetime | None = None) -> None:
    _check(session, actor, meeting)
    if meeting.status == "in_progress":
        return
    now = now or utcnow()
    hold(session, meeting, now=now)
    meeting.status = "in_progress"
    meeting.started_at = now
    log(
        session,
        actor,
        "meeting.start",
        "started a panel meeting",
        details={"meeting": meeting.id},
        at=now,
    )


def move(session: Session, actor: Actor, meeting: Meeting, case_id: int, direction: str) -> None:
    """Move a pupil one place up or down the agenda."""
    _check(session, actor, meeting)
    items = hold(session, meeting)
    items.sort(key=lambda i: (i.position, i.id))
    index = next((n for n, i in enumerate(items) if i.case_id == case_id), None)
    if index is None:
        raise LookupError(case_id)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for position, item in enumerate(items, start=1):
        item.position = position
    log(
        session,
        actor,
        "agenda.reorder",
        f"moved an item {direction} the agenda",
        case_id=items[other].case_id,
        details={"meeting": meeting.id},
    )


def _held(session: Session, meeting: Meeting, case_id: int) -> AgendaItem:
    item = next((i for i in hold(session, meeting) if i.case_id == case_id), None)
    if item is None:
        raise LookupError(case_id)
    return item


def defer(session: Session, actor: Actor, meeting: Meeting, case_id: int, reason: str) -> None:
    """Leave a pupil for the next meeting: the case keeps waiting where it is."""
    _check(session, actor, meeting)
    item = _held(session, meeting, case_id)
    if item.status == "discussed":
        raise MeetingError("This pupil has already been discussed at this meeting")
    item.status = "deferred"
    item.deferred_reason = " ".join(reason.split())[:500]
    log(
        session,
        actor,
        "agenda.defer",
        "deferred an agenda item to the next meeting",
        case_id=item.case_id,
        details={"meeting": meeting.id},
    )


def restore(session: Session, actor: Actor, meeting: Meeting, case_id: int) -> None:
    """Bring a deferred pupil back onto this meeting's agenda."""
    _check(session, actor, meeting)
    item = _held(session, meeting, case_id)
    if item.status == "deferred":
        item.status = "waiting"
        item.deferred_reason = ""
        log(
            session,
            actor,
            "agenda.restore",
            "brought a deferred item back onto the agenda",
            case_id=item.case_id,
            details={"meeting": meeting.id},
        )


def addable(meeting: Meeting) -> Select[Case]:
    """Open cases at the panel's schools that are not on this meeting's agenda, by name."""
    schools = select(PanelSchool.school_id).where(PanelSchool.panel_id == meeting.panel_id)
    on_agenda = select(AgendaItem.case_id).where(AgendaItem.meeting_id == meeting.id)
    return (
        select(Case)
        .join(Pupil, Pupil.id == Case.pupil_id)
        .where(
            Pupil.school_id.in_(schools),
            Case.is_final.is_(False),
            Case.id.not_in(on_agenda),
        )
        .order_by(Pupil.family_name, Pupil.given_name, Case.id)
    )


def add(session: Session, actor: Actor, meeting: Meeting, case_id: int) -> AgendaItem:
    """Put an open case of a pupil at the panel's schools on the agenda by hand."""
    _check(session, actor, meeting)
    items = hold(session, meeting)
    if any(i.case_id == case_id for i in items):
        raise MeetingError("That pupil is already on this meeting's agenda", "case")
    if session.scalar(addable(meeting).where(Case.id == case_id)) is None:
        raise MeetingError("Choose a pupil with an open case at this panel's schools", "case")
    item = AgendaItem(
        meeting_id=meeting.id,
        case_id=case_id,
        position=max((i.position for i in items), default=0) + 1,
        kind="added",
    )
    session.add(item)
    session.flush()
    log(
        session,
        actor,
        "agenda.add",
        "added a pupil to the agenda",
        case_id=case_id,
        details={"meeting": meeting.id},
    )
    return item


# -- who is there -----------------------------------------------------------------------------


def record_attendance(
    session: Session,
    actor: Actor,
    meeting: Meeting,
    present_user_ids: Iterable[int],
    others: Iterable[tuple[str, str]] = (),
) -> None:
    """Who came: standing members ticked off, and anyone else by name and agency."""
    _check(session, actor, meeting)
    members = {
        m.user_id
        for m in session.scalars(
            select(PanelMember).where(PanelMember.panel_id == meeting.panel_id)
        )
    }
    present = set(present_user_ids)
    if present - members:
        raise MeetingError("Tick only the panel's standing members", "present")
    cleaned = []
    for name, agency in others:
        name, agency = " ".join(name.split()), " ".join(agency.split())
        if not name and not agency:
            continue
        if not name or not agency:
            raise MeetingError("Write both the name and the agency of each other person", "others")
        if len(name) > 200 or len(agency) > 100:
            raise MeetingError("Keep names under 200 and agencies under 100 characters", "others")
        cleaned.append((name, agency))
    session.execute(delete(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting.id))
    users = session.scalars(select(User).where(User.id.in_(present))).all()
    seen: set[tuple[str, str]] = set()
    for user in users:
        seen.add((user.name, user.agency))
        session.add(
            MeetingAttendance(
                meeting_id=meeting.id, user_id=user.id, name=user.name, agency=user.agency
            )
        )
    for name, agency in cleaned:
        if (name, agency) not in seen:
            seen.add((name, agency))
            session.add(MeetingAttendance(meeting_id=meeting.id, name=name, agency=agency))
    log(
        session,
        actor,
        "meeting.attendance",
        f"recorded who was at a panel meeting ({len(seen)} present)",
        details={"meeting": meeting.id},
    )


def attendance_of(session: Session, meeting_id: int) -> Sequence[MeetingAttendance]:
    return session.scalars(
        select(MeetingAttendance)
        .where(MeetingAttendance.meeting_id == meeting_id)
        .order_by(MeetingAttendance.name, MeetingAttendance.agency)
    ).all()


# -- one pupil at a time ----------------------------------------------------------------------


def definitions_for(session: Session, case: Case) -> WorkflowSet:
    return pinned(session, case.workflow_version_id).engine.definitions


def record_discussion(
    session: Session,
    actor: Actor,
    meeting: Meeting,
    item: AgendaItem,
    discussion: str,
    barriers: Iterable[str],
) -> None:
    """The notes of the discussion, and the barriers ticked (``"category:barrier"``)."""
    _check(session, actor, meeting)
    if meeting.status != "in_progress":
        raise MeetingError("Start the meeting before recording the discussion")
    case = session.get_one(Case, item.case_id)
    taxonomy = definitions_for(session, case).barriers
    chosen: set[tuple[str, str]] = set()
    for value in barriers:
        category, _, barrier = value.partition(":")
        if barrier not in taxonomy.get(category, ()):
            raise MeetingError("Choose barriers from the list", "barriers")
        chosen.add((category, barrier))
    text = discussion.strip()
    if len(text) > DISCUSSION_LIMIT:
        raise MeetingError(
            f"Keep the notes under {DISCUSSION_LIMIT:,} characters (you wrote {len(text):,})",
            "discussion",
        )
    item.discussion = text
    recorded = {
        (b.category, b.barrier): b
        for b in session.scalars(
            select(CaseBarrier).where(
                CaseBarrier.case_id == case.id, CaseBarrier.meeting_id == meeting.id
            )
        )
    }
    for key, row in recorded.items():
        if key not in chosen:
            session.delete(row)
    for category, barrier in sorted(chosen - set(recorded)):
        session.add(
            CaseBarrier(
                case_id=case.id,
                meeting_id=meeting.id,
                category=category,
                barrier=barrier,
                recorded_by_name=actor.name,
            )
        )
    log(
        session,
        actor,
        "meeting.discussion",
        f"recorded the panel's discussion and {len(chosen)} barrier(s)",
        case_id=case.id,
        pupil_id=case.pupil_id,
        details={"meeting": meeting.id, "barriers": sorted(f"{c}:{b}" for c, b in chosen)},
    )


def barriers_at(session: Session, case_id: int, meeting_id: int) -> list[CaseBarrier]:
    return list(
        session.scalars(
            select(CaseBarrier)
            .where(CaseBarrier.case_id == case_id, CaseBarrier.meeting_id == meeting_id)
            .order_by(CaseBarrier.category, CaseBarrier.barrier)
        )
    )


def owners(session: Session, meeting: Meeting, definitions: WorkflowSet) -> list[Owner]:
    """Everyone an action can be addressed to: panel members and people present by name,
    then each role and each agency the workflow file declares."""
    named = session.scalars(
        select(User)
        .where(
            User.active.is_(True),
            or_(
                User.id.in_(
                    select(PanelMember.user_id).where(PanelMember.panel_id == meeting.panel_id)
                ),
                User.id.in_(
                    select(MeetingAttendance.user_id).where(
                        MeetingAttendance.meeting_id == meeting.id
                    )
                ),
            ),
        )
        .order_by(User.name)
    ).all()
    found = [
        Owner(
            f"user:{u.id}",
            f"{u.name} ({definitions.agencies.get(u.agency, u.agency)})",
            u.agency,
            user_id=u.id,
        )
        for u in named
    ]
    return found + role_owners(definitions)


def agree_action(
    session: Session,
    actor: Actor,
    meeting: Meeting,
    item: AgendaItem,
    *,
    title: str,
    owner_key: str,
    due: date | None,
    now: datetime | None = None,
) -> Action:
    """An action the panel agreed for this pupil: what, for whom and by when.

    It is sent to its owners when the meeting closes, with every other action agreed there.
    """
    _check(session, actor, meeting)
    if meeting.status != "in_progress":
        raise MeetingError("Start the meeting before agreeing actions")
    case = session.get_one(Case, item.case_id)
    try:
        return agree(
            session,
            actor,
            case,
            title=title,
            owner_key=owner_key,
            due=due,
            owners=owners(session, meeting, definitions_for(session, case)),
            meeting_id=meeting.id,
            now=now,
        )
    except ActionError as error:
        raise MeetingError(str(error), error.field) from None


def actions_at(
    session: Session, meeting_id: int, case_ids: Sequence[int] | None = None
) -> list[Action]:
    query = select(Action).where(Action.meeting_id == meeting_id)
    if case_ids is not None:
        query = query.where(Action.case_id.in_(case_ids))
    return list(session.scalars(query.order_by(Action.created_at, Action.id)))


def withdraw_action(
    session: Session, actor: Actor, meeting: Meeting, item: AgendaItem, action_id: int
) -> None:
    """Take back an action agreed by mistake, before the meeting closes and it is sent."""
    _check(session, actor, meeting)
    action = session.get(Action, action_id)
    if action is None or action.meeting_id != meeting.id or action.case_id != item.case_id:
        raise LookupError(action_id)
    if meeting.status != "in_progress" or action.status != "open":
        raise MeetingError("Only an action agreed at this meeting, not yet sent, can be taken back")
    from panelflow.actions.models import ActionUpdate

    session.execute(delete(ActionUpdate).where(ActionUpdate.action_id == action.id))
    session.delete(action)
    log(
        session,
        actor,
        "action.withdraw",
        "took back an action agreed by mistake at the meeting",
        case_id=item.case_id,
        details={"meeting": meeting.id, "action": action_id},
    )


@dataclass(frozen=True)
class Outcome:
    """A step the panel can take to end this item, with what stands in its way."""

    transition: TransitionDef
    permitted: bool
    blockers: tuple[str, ...]

    @property
    def available(self) -> bool:
        return self.permitted and not self.blockers


def outcomes(session: Session, actor: Actor, case: Case) -> list[Outcome]:
    """The steps out of the case's state that the panel takes (ones that move the case on or
    set its timers again), and for each, whether it can be taken now and if not, why."""
    from panelflow.cases.operations import options

    found = []
    for option in options(case, actor):
        transition = option.transition
        if not transition.allowed or transition.dest is None:
            continue
        found.append(
            Outcome(
                transition,
                option.permitted,
                tuple(r.message for r in option.blockers if r.field is None),
            )
        )
    return found


def _written_actions(session: Session, actions: Sequence[Action], definitions: WorkflowSet) -> str:
    names = {
        u.id: u.name
        for u in session.scalars(
            select(User).where(
                User.id.in_([a.assigned_user_id for a in actions if a.assigned_user_id])
            )
        )
    }
    lines = []
    for number, action in enumerate(actions, start=1):
        if action.assigned_user_id:
            who = names.get(action.assigned_user_id, "a named person")
        elif action.role:
            who = (
                definitions.roles[action.role].label
                if action.role in definitions.roles
                else action.role
            )
        else:
            who = definitions.agencies.get(action.agency, action.agency)
        due = f", by {action.due_at.astimezone(LONDON):%-d %B %Y}" if action.due_at else ""
        lines.append(f"{number}. {action.title} ({who}{due})")
    return "\n".join(lines)


def _written_barriers(barriers: Sequence[CaseBarrier], definitions: WorkflowSet) -> str:
    grouped: dict[str, list[str]] = {}
    for barrier in barriers:
        grouped.setdefault(barrier.category, []).append(barrier.barrier.replace("_", " "))
    return "; ".join(
        f"{category.replace('_', ' ').capitalize()}: {', '.join(names)}"
        for category, names in grouped.items()
    )


def drafted(
    session: Session, meeting: Meeting, item: AgendaItem, transition: TransitionDef
) -> dict[str, str]:
    """What the meeting has recorded so far, written into the step's fields as a draft.

    The agreed actions, the barriers ticked and the discussion fill the fields the workflow
    file asks for, so the chair checks and sends rather than types everything twice.
    """
    case = session.get_one(Case, item.case_id)
    definitions = definitions_for(session, case)
    barriers = _written_barriers(barriers_at(session, case.id, meeting.id), definitions)
    actions = _written_actions(session, actions_at(session, meeting.id, [case.id]), definitions)
    discussion = item.discussion.strip()
    draft = {
        "barriers_discussed": "\n\n".join(p for p in (barriers, discussion) if p),
        "actions_agreed": actions,
        "review_notes": discussion,
    }
    if "funding_decision" in transition.records:
        draft["funding_decision"] = _funding_words(session, case.id, meeting.id)
    return {name: draft[name] for name in transition.records if draft.get(name)}


def _funding_words(session: Session, case_id: int, meeting_id: int) -> str:
    """ "agreed" when the meeting proposed funding that still stands, "declined" when all it
    proposed was declined, and nothing when it proposed none."""
    from panelflow.funding.models import FundingDecision

    statuses = set(
        session.scalars(
            select(FundingDecision.status).where(
                FundingDecision.case_id == case_id, FundingDecision.meeting_id == meeting_id
            )
        )
    )
    if statuses & {"proposed", "approved"}:
        return "agreed"
    return "declined" if "declined" in statuses else ""


def decide(
    session: Session,
    actor: Actor,
    meeting: Meeting,
    item: AgendaItem,
    trigger: str,
    values: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Refused | None:
    """Record the panel's outcome for the item: a workflow step through the engine."""
    _check(session, actor, meeting)
    if meeting.status != "in_progress":
        raise MeetingError("Start the meeting before recording outcomes")
    if item.status == "discussed":
        raise MeetingError("The panel has already recorded an outcome for this pupil")
    now = now or utcnow()
    case = session.get_one(Case, item.case_id)
    result = fire(case, trigger, actor, values, expected_version=expected_version, now=now)
    if isinstance(result, Refused):
        return result
    item.status = "discussed"
    item.outcome = trigger
    item.case_event_id = result.event.id
    item.discussed_at = now
    item.deferred_reason = ""
    return None


def next_item(
    session: Session, meeting: Meeting, after: AgendaItem | None = None
) -> AgendaItem | None:
    """The next item still waiting, after ``after`` in agenda order (or the first)."""
    items = items_of(session, meeting)
    if after is not None:
        index = next((n for n, i in enumerate(items) if i.id == after.id), -1)
        items = items[index + 1 :] + items[: index + 1]
    return next((i for i in items if i.status == "waiting"), None)


# -- closing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Closed:
    discussed: int
    deferred: int
    actions: int
    emails: int


def close(
    session: Session, actor: Actor, meeting: Meeting, *, now: datetime | None = None
) -> Closed:
    """Close the meeting: items not reached are deferred, and new actions go to their owners."""
    from panelflow.notify.actions import announce_new

    _check(session, actor, meeting)
    if meeting.status != "in_progress":
        raise MeetingError("Start the meeting before closing it")
    now = now or utcnow()
    items = items_of(session, meeting)
    for item in items:
        if item.status == "waiting":
            item.status = "deferred"
            item.deferred_reason = item.deferred_reason or "Not reached at the meeting"
    meeting.status = "closed"
    meeting.closed_at = now
    meeting.closed_by_user_id = actor.user_id
    agreed = actions_at(session, meeting.id)
    emails = announce_new(session, agreed, now=now)
    discussed = sum(1 for i in items if i.status == "discussed")
    log(
        session,
        actor,
        "meeting.close",
        f"closed a panel meeting: {discussed} discussed, {len(agreed)} action(s) sent",
        details={"meeting": meeting.id, "emails": emails},
        at=now,
    )
    return Closed(discussed, len(items) - discussed, len(agreed), emails)
