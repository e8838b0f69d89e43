"""Emails about actions: a new action to the people who will find it in their inbox, a
declined action to the panel chair, and reminders while an action is overdue.

Who: ``recipients`` is the SQL twin of ``actions.operations.addressed_to``: the people whose
inbox shows the action, with an active account. What: plain text from
``templates/email/``, carrying the action's title, dates, the school's name and the names of
the professionals involved, never the pupil's name, date of birth or case notes; the link
leads to the page they read after signing in. When: each email has a dedupe key in the
outbox, so announcing or reminding twice (or two ticks at once) queues it once:

- ``action-new:{action}:{user}``: once per person per action;
- ``action-declined:{update}:{user}``: once per person per decline;
- ``action-overdue:{action}:{user}``: the first reminder, at the first tick after the due
  date; then ``action-overdue:{action}:{user}:{ISO week}``: a follow-up once at least
  ``FOLLOW_UP_AFTER`` has passed since the last reminder, so at most one a week.

Everything is queued in the caller's transaction and leaves only if it commits.
``docs/notifications.md`` tells users the same rules.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from panelflow.accounts.models import RoleAssignment, User
from panelflow.actions.models import Action, ActionUpdate
from panelflow.cases.models import Case
from panelflow.catalogue.operations import engine_for, live_version
from panelflow.db import utcnow
from panelflow.notify.compose import base_url, render, send, subject_line
from panelflow.notify.models import OutgoingEmail
from panelflow.organisations.models import Pupil, School
from panelflow.panels.models import PanelMember, PanelSchool
from panelflow.presentation import LONDON
from panelflow.roles.policy import MATRIX, SCHOOL_AGENCY, Permission

logger = logging.getLogger(__name__)

# Roles whose holders work on actions (``allowed(actor, WORK_ON_CASES)`` in ``addressed_to``).
WORKING_ROLES = tuple(sorted(r for r, held in MATRIX.items() if Permission.WORK_ON_CASES in held))
STILL_TO_DO = ("open", "accepted")
FOLLOW_UP_AFTER = timedelta(days=7)


# --- who -----------------------------------------------------------------------------------


def receives() -> ColumnElement[bool]:
    """SQL on ``User`` and ``Action``: the user's inbox shows the action, and their account
    is active.

    The same rules as ``addressed_to(actor_for(user))``, written for every user at once:
    named to them; or, when named to nobody, to their agency (and to a role they hold, if
    the action names one) for a pupil at a school in their local authority, and for school
    staff at their own school. Either way they hold a role that works on actions.
    """
    works = exists(
        select(RoleAssignment.id).where(
            RoleAssignment.user_id == User.id, RoleAssignment.role.in_(WORKING_ROLES)
        )
    ).correlate(User)
    holds_role = exists(
        select(RoleAssignment.id).where(
            RoleAssignment.user_id == User.id, RoleAssignment.role == Action.role
        )
    ).correlate(User, Action)
    at_their_place = exists(
        select(School.id).where(
            School.id == Pupil.school_id,
            Pupil.id == Case.pupil_id,
            Case.id == Action.case_id,
            or_(
                and_(User.agency == SCHOOL_AGENCY, School.id == User.school_id),
                and_(
                    User.agency != SCHOOL_AGENCY,
                    School.local_authority_id == User.local_authority_id,
                ),
            ),
        )
    ).correlate(User, Action)
    named = Action.assigned_user_id == User.id
    for_their_agency = and_(
        Action.assigned_user_id.is_(None),
        Action.agency == User.agency,
        or_(Action.role.is_(None), holds_role),
        at_their_place,
    )
    return and_(User.active.is_(True), works, or_(named, for_their_agency))


def recipients(session: Session, action: Action) -> list[User]:
    """The people an action goes to: whoever finds it in their inbox (by name, by role
    within their agency, or agency-wide), with an active account; ordered by id."""
    return list(
        session.scalars(
            select(User).join(Action, receives()).where(Action.id == action.id).order_by(User.id)
        )
    )


def _chairs(session: Session, school_id: int) -> list[User]:
    """The active chairs of the panel the school sits on."""
    return list(
        session.scalars(
            select(User)
            .join(PanelMember, PanelMember.user_id == User.id)
            .join(PanelSchool, PanelSchool.panel_id == PanelMember.panel_id)
            .where(
                PanelSchool.school_id == school_id,
                PanelMember.is_chair.is_(True),
                User.active.is_(True),
            )
            .order_by(User.id)
        )
    )


# --- what ----------------------------------------------------------------------------------


def _school(session: Session, action: Action) -> School:
    school = session.scalar(
        select(School)
        .join(Pupil, Pupil.school_id == School.id)
        .join(Case, Case.pupil_id == Pupil.id)
        .where(Case.id == action.case_id)
    )
    assert school is not None  # every case has a pupil, every pupil a school
    return school


def _for_whom(session: Session, action: Action, *, named: str) -> str:
    """Who an action is addressed to, in the live workflow file's words (``named`` when it
    is addressed to a person)."""
    if action.assigned_user_id is not None:
        return named
    live = live_version(session)
    definitions = engine_for(live).definitions if live is not None else None
    if action.role:
        role = definitions.roles.get(action.role) if definitions else None
        return f"{role.label if role else action.role.replace('_', ' ')} (anyone in that role)"
    agency = definitions.agencies.get(action.agency) if definitions else None
    return f"anyone in {agency or action.agency.replace('_', ' ')}"


# --- when ----------------------------------------------------------------------------------


def announce_new(
    session: Session, actions: Iterable[Action], *, now: datetime | None = None
) -> int:
    """Email each still-open action to its recipients; returns how many emails were queued.

    Called by ``create_action`` for an action agreed outside a meeting, and when a meeting
    closes for the actions agreed in it. Announcing again queues nothing new.
    """
    now = now or utcnow()
    count = 0
    for action in actions:
        if action.status != "open":
            continue  # already taken up, or no longer wanted: nothing new to tell
        people = recipients(session, action)
        if not people:
            continue
        subject = subject_line("New action for you", action.title)
        body = render(
            "action_new.txt",
            action=action,
            for_whom=_for_whom(session, action, named="you, by name"),
            school=_school(session, action).name,
            link=f"{base_url()}/actions/{action.id}",
        )
        for user in people:
            count += send(session, user, subject, body, f"action-new:{action.id}:{user.id}", now)
    return count


def announce_declined(session: Session, action: Action, *, now: datetime | None = None) -> int:
    """Tell the chair(s) of the pupil's school panel, and the person who created the action,
    that it was declined and why; returns how many emails were queued.

    The person who declined is not told. Once per recipient per decline.
    """
    declined = session.scalar(
        select(ActionUpdate)
        .where(ActionUpdate.action_id == action.id, ActionUpdate.kind == "declined")
        .order_by(ActionUpdate.id.desc())
        .limit(1)
    )
    if declined is None:
        return 0
    now = now or utcnow()
    school = _school(session, action)
    people = {u.id: u for u in _chairs(session, school.id)}
    created_by = session.scalar(
        select(ActionUpdate.by_user_id)
        .where(ActionUpdate.action_id == action.id, ActionUpdate.kind == "created")
        .limit(1)
    )
    if created_by is not None and created_by not in people:
        creator = session.get(User, created_by)
        if creator is not None and creator.active:
            people[creator.id] = creator
    people.pop(declined.by_user_id or 0, None)
    if not people:
        return 0
    subject = subject_line("Action declined", action.title)
    body = render(
        "action_declined.txt",
        action=action,
        decliner=declined.by_name,
        reason=declined.text,
        for_whom=_for_whom(
            session, action, named=action.assignee.name if action.assignee else "one person"
        ),
        school=school.name,
        # The chair reads the case (the action page belongs to whoever it is addressed to).
        link=f"{base_url()}/cases/{action.case_id}",
    )
    return sum(
        send(session, user, subject, body, f"action-declined:{declined.id}:{user.id}", now)
        for user in sorted(people.values(), key=lambda u: u.id)
    )


def announce_withdrawn(
    session: Session, actions: Iterable[Action], agency: str, what: str, now: datetime
) -> int:
    """Tell the recipients of each action ended because sharing with their agency stopped
    (``what``: "consent was withdrawn", say); returns how many emails were queued.

    There is no link to follow: the agency no longer sees the pupil.
    """
    live = live_version(session)
    definitions = engine_for(live).definitions if live is not None else None
    agency_name = (definitions.agencies.get(agency) if definitions else None) or agency.replace(
        "_", " "
    )
    count = 0
    for action in actions:
        body = render(
            "action_withdrawn.txt",
            action=action,
            for_whom=_for_whom(session, action, named="you, by name"),
            school=_school(session, action).name,
            agency=agency_name,
            what=what,
        )
        subject = subject_line("Action ended", action.title)
        for user in recipients(session, action):
            count += send(
                session, user, subject, body, f"action-withdrawn:{action.id}:{user.id}", now
            )
    return count


def iso_week(moment: datetime) -> str:
    """'2026-W10': the ISO week of a moment in London."""
    year, week, _ = moment.astimezone(LONDON).isocalendar()
    return f"{year}-W{week:02d}"


def remind_overdue(session: Session, *, now: datetime | None = None) -> int:
    """Remind the recipients of every open or accepted action past its due date; returns
    how many emails were queued. Run by ``panelflow tick``.

    Each person gets a first reminder once, then a follow-up when ``FOLLOW_UP_AFTER`` has
    passed since their last one (the ISO week in its key: at most one a week). Safe to run
    several at once: the outbox takes each key once.
    """
    now = now or utcnow()
    pairs = session.execute(
        select(Action, User)
        .join(User, receives())
        .where(
            Action.status.in_(STILL_TO_DO),
            Action.due_at.is_not(None),
            Action.due_at < now,
        )
        .order_by(Action.id, User.id)
    ).all()
    count = 0
    bodies: dict[tuple[int, bool], str] = {}
    schools: dict[int, str] = {}
    for action, user in pairs:
        first = f"action-overdue:{action.id}:{user.id}"
        last = session.scalar(
            select(func.max(OutgoingEmail.created_at)).where(
                or_(OutgoingEmail.dedupe_key == first, OutgoingEmail.dedupe_key.like(first + ":%"))
            )
        )
        if last is None:
            key, follow_up = first, False
        elif now - last >= FOLLOW_UP_AFTER:
            key, follow_up = f"{first}:{iso_week(now)}", True
        else:
            continue
        if action.id not in schools:
            schools[action.id] = _school(session, action).name
        if (action.id, follow_up) not in bodies:
            bodies[action.id, follow_up] = render(
                "action_overdue.txt",
                action=action,
                follow_up=follow_up,
                school=schools[action.id],
                link=f"{base_url()}/actions/{action.id}",
            )
        prefix = "Action still overdue" if follow_up else "Action overdue"
        subject = subject_line(prefix, action.title)
        count += send(session, user, subject, bodies[action.id, follow_up], key, now)
    if count:
        logger.info("queued %d overdue action reminder(s)", count)
    return count
