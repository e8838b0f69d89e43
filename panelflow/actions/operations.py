"""Creating actions and working on them: accept, decline, record progress, complete.

An action is addressed to a named person, to a role within an agency, or to anyone in an
agency, always within the pupil's local authority. ``addressed_to(actor)`` is the SQL for
"actions that are mine to work on"; every operation checks it before changing anything,
and every change is an ``ActionUpdate`` plus an audit record, in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import Session

from panelflow.actions.models import Action, ActionUpdate
from panelflow.audit.operations import log
from panelflow.cases.models import Case
from panelflow.db import utcnow
from panelflow.organisations.models import Pupil, School
from panelflow.roles import Actor
from panelflow.roles.policy import Permission, allowed

# What each step needs the action's status to be, and what it becomes.
STEPS = {
    "accept": (("open",), "accepted"),
    "decline": (("open", "accepted"), "declined"),
    "progress": (("open", "accepted"), None),
    "complete": (("open", "accepted"), "completed"),
}
UPDATE_KIND = {
    "accept": "accepted",
    "decline": "declined",
    "progress": "progress",
    "complete": "completed",
}
NEEDS_TEXT = {
    "decline": "Say why you are declining this action, so the panel chair can find someone else",
    "progress": "Write what has happened so far",
    "complete": "Write the outcome: what was done and what difference it made",
}


class ActionError(Exception):
    """A step on an action could not be taken; the message says why, in plain words."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def addressed_to(actor: Actor) -> ColumnElement[bool]:
    """SQL on ``Action``: the actions this person may work on.

    Named to them; or to a role they hold in their agency (or to their whole agency) for a
    pupil at a school in their local authority, and for school staff at their own school.
    """
    if not allowed(actor, Permission.WORK_ON_CASES) or actor.user_id is None:
        return false()
    mine = Action.assigned_user_id == actor.user_id
    place = [School.id == Pupil.school_id, Pupil.id == Case.pupil_id, Case.id == Action.case_id]
    if actor.agency == "school":
        place.append(School.id == actor.school_id)
    else:
        place.append(School.local_authority_id == actor.local_authority_id)
    for_my_agency = and_(
        Action.assigned_user_id.is_(None),
        Action.agency == actor.agency,
        or_(Action.role.is_(None), Action.role.in_(sorted(actor.roles))),
        exists(select(School.id).where(*place)),
    )
    return or_(mine, for_my_agency)


def create_action(
    session: Session,
    case: Case,
    actor: Actor,
    *,
    title: str,
    agency: str,
    role: str | None = None,
    assigned_user_id: int | None = None,
    due_at: datetime | None = None,
    meeting_id: int | None = None,
    case_event_id: int | None = None,
    now: datetime | None = None,
) -> Action:
    now = now or utcnow()
    action = Action(
        case_id=case.id,
        case_event_id=case_event_id,
        meeting_id=meeting_id,
        role=role,
        agency=agency,
        assigned_user_id=assigned_user_id,
        title=title,
        due_at=due_at,
        created_at=now,
        created_by_name=actor.name,
        status="open",
    )
    session.add(action)
    session.flush()
    session.add(
        ActionUpdate(
            action_id=action.id,
            kind="created",
            by_user_id=actor.user_id,
            by_name=actor.name,
            at=now,
        )
    )
    log(
        session,
        actor,
        "action.create",
        f"agreed an action for {role or agency}",
        case_id=case.id,
        pupil_id=case.pupil_id,
        details={
            "action": action.id,
            "agency": agency,
            "role": role,
            "assigned_user": assigned_user_id,
        },
        at=now,
    )
    if meeting_id is None:  # a meeting's actions are announced when it closes
        from panelflow.notify.actions import announce_new

        announce_new(session, [action], now=now)
    return action


@dataclass(frozen=True)
class Worked:
    action: Action
    update: ActionUpdate


def work_on(
    session: Session,
    action_id: int,
    actor: Actor,
    step: str,
    text: str = "",
    *,
    expected_status: str | None = None,
    now: datetime | None = None,
) -> Worked:
    """Take ``step`` (accept, decline, progress, complete) on an action addressed to ``actor``.

    Raises ``LookupError`` when the action is not theirs (the view answers 404), and
    ``ActionError`` when the step does not fit the action's status or lacks its words.
    """
    if step not in STEPS:
        raise ActionError(f"'{step}' is not something you can do to an action")
    action = session.scalar(
        select(Action).where(Action.id == action_id, addressed_to(actor)).with_for_update()
    )
    if action is None:
        raise LookupError(action_id)
    if expected_status is not None and action.status != expected_status:
        raise ActionError(
            f"this action was {action.status} by someone else after you opened it; "
            "reload the page to see it"
        )
    sources, target = STEPS[step]
    if action.status not in sources:
        raise ActionError(
            f"this action is {action.status}, so it cannot be {UPDATE_KIND[step]} now"
        )
    text = text.strip()
    if step in NEEDS_TEXT and not text:
        raise ActionError(NEEDS_TEXT[step], field="text")
    now = now or utcnow()
    if target is not None:
        action.status = target
        action.status_changed_at = now
    if step == "decline":
        action.decline_reason = text
    if step == "complete":
        action.outcome = text
    if step == "accept" and action.assigned_user_id is None:
        action.assigned_user_id = actor.user_id  # accepted by a person: it is theirs now
    update = ActionUpdate(
        action_id=action.id,
        kind=UPDATE_KIND[step],
        text=text,
        by_user_id=actor.user_id,
        by_name=actor.name,
        at=now,
    )
    session.add(update)
    case = session.get(Case, action.case_id)
    assert case is not None
    log(
        session,
        actor,
        f"action.{UPDATE_KIND[step]}",
        f"{UPDATE_KIND[step]} an action",
        case_id=case.id,
        pupil_id=case.pupil_id,
        details={"action": action.id, "status": action.status},
        at=now,
    )
    session.flush()
    if step == "decline":  # the panel chair is told, so they can find someone else
        from panelflow.notify.actions import announce_declined

        announce_declined(session, action, now=now)
    return Worked(action, update)
