"""Agreeing an action: what will be done, for whom, and by when.

One path serves a panel meeting (where actions are sent when the meeting closes) and a case
page between meetings (an EWO consultation's action plan, a support plan's next steps), where
the action goes to its owner's inbox at once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy.orm import Session

from panelflow.actions.models import Action
from panelflow.actions.operations import ActionError, create_action
from panelflow.cases.models import Case
from panelflow.db import utcnow
from panelflow.presentation import LONDON
from panelflow.roles import Actor
from panelflow.roles.policy import SCHOOL_AGENCY
from panelflow.sharing.operations import sharing_stopped
from panelflow.terms.operations import calendar_for_pupil
from panelflow.workflows.definitions import WorkflowDef, WorkflowSet
from panelflow.workflows.durations import parse_duration

DEFAULT_DUE = "4 school weeks"
TITLE_LIMIT = 300
# Agencies whose people never own actions on a pupil (they change workflows, budgets, audit).
NOT_OWNERS = ("local_authority",)


@dataclass(frozen=True)
class Owner:
    """Who an action is for: a named person, a role within its agency, or a whole agency."""

    key: str  # user:12 | role:camhs_practitioner | agency:camhs
    label: str
    agency: str
    role: str | None = None
    user_id: int | None = None


def role_owners(definitions: WorkflowSet) -> list[Owner]:
    """An owner for each role the workflow file declares, in the words people see."""
    found = []
    for name, role in sorted(definitions.roles.items(), key=lambda r: r[1].label):
        if role.agency in NOT_OWNERS:
            continue
        agency = definitions.agencies.get(role.agency, role.agency)
        words = role.label
        if words[1:2].islower():  # "Panel chair" reads "any panel chair"; "CAMHS ..." stays
            words = words[:1].lower() + words[1:]
        found.append(Owner(f"role:{name}", f"Any {words} ({agency})", role.agency, role=name))
    return found


def due_at(session: Session, case: Case, due: date | None, now: datetime) -> datetime:
    """The moment an action is due: 5pm UK time on the day given, or by default four school
    weeks from now on the pupil's school calendar."""
    if due is None:
        duration = parse_duration(DEFAULT_DUE)
        assert duration is not None
        return calendar_for_pupil(session, case.pupil_id).add(now, duration)
    return datetime.combine(due, time(17), LONDON)


def agree_action(
    session: Session,
    actor: Actor,
    case: Case,
    *,
    title: str,
    owner_key: str,
    due: date | None,
    owners: Sequence[Owner],
    meeting_id: int | None = None,
    now: datetime | None = None,
) -> Action:
    """Check what was typed and create the action; ``ActionError`` names the field at fault.

    The caller has checked that the actor may agree actions on this case. An agency whose
    basis for sharing was withdrawn or has ended is not asked again until a new one is
    recorded: the action would give them back what the family took away.
    """
    now = now or utcnow()
    title = " ".join(title.split())
    if not title:
        raise ActionError("Write what will be done", "title")
    if len(title) > TITLE_LIMIT:
        raise ActionError(f"Keep the action under {TITLE_LIMIT} characters", "title")
    owner = next((o for o in owners if o.key == owner_key), None)
    if owner is None:
        raise ActionError("Choose who will do this", "owner")
    if due is not None and due < now.astimezone(LONDON).date():
        raise ActionError("The due date must be today or later", "due")
    if owner.agency != SCHOOL_AGENCY and sharing_stopped(session, case.pupil_id, owner.agency, now):
        raise ActionError(
            "The family's consent to share with this agency was withdrawn or has ended: "
            "record a new basis for sharing on the pupil's page before asking them",
            "owner",
        )
    return create_action(
        session,
        case,
        actor,
        title=title,
        agency=owner.agency,
        role=owner.role,
        assigned_user_id=owner.user_id,
        due_at=due_at(session, case, due, now),
        meeting_id=meeting_id,
        now=now,
    )


def runs_state(wf: WorkflowDef, state: str, roles: Collection[str]) -> bool:
    """Does someone holding ``roles`` run a case of ``wf`` at ``state``: may they take a step
    that moves it on?

    Steps that leave the case where it is (asking an agency) and safeguarding steps (open to
    everyone working with the pupil) do not count, so an agency asked to help does not
    thereby set other people's work.
    """
    found = wf.states.get(state)
    return (
        found is not None
        and not found.final
        and any(
            not t.internal and not t.safeguarding and any(role in roles for role in t.allowed)
            for t in wf.transitions_from(state)
        )
    )


def runs_case(definitions: WorkflowSet, case: Case, roles: Collection[str]) -> bool:
    """May someone holding ``roles`` move this case on now? They may then agree actions on
    it between meetings."""
    wf = definitions.workflows.get(case.workflow_key)
    return wf is not None and not case.is_final and runs_state(wf, case.state, roles)
