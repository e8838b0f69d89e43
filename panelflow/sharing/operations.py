"""Consent and other lawful bases for sharing a pupil's cases with an agency, and what ends it.

Recording a basis, withdrawing it and acting on its expiry are operations with an explicit
actor, run in the caller's transaction and audited. When consent to share with an agency is
withdrawn or expires, and no other basis for that agency still stands, the agency's access
ends at once:

- its open and accepted actions on the pupil's cases become ``withdrawn``, each with an
  update saying why (so need-to-know, which follows open and accepted actions, drops them);
- its open involvements in the pupil's cases (``involves:`` in the workflow file) end.

Involvements start when a case of an involving workflow opens and end when it reaches a
final state (``sync_involvements``, called by ``cases.operations``), unless sharing with the
agency was stopped; recording a basis again resumes them on cases still open. Actions that
ended stay ended: the panel agrees new ones if it still needs the agency.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.actions.models import Action, ActionUpdate
from panelflow.audit.operations import log
from panelflow.cases.models import Case, Consent
from panelflow.db import utcnow
from panelflow.notify.actions import announce_withdrawn
from panelflow.presentation import LONDON, day
from panelflow.roles import SYSTEM, Actor
from panelflow.roles.policy import INVOLVED_STATUSES, Permission, allowed, can
from panelflow.sharing.models import Involvement
from panelflow.workflows.definitions import WorkflowDef, WorkflowSet

logger = logging.getLogger(__name__)

BASES = {
    "consent": "Consent",
    "lawful_basis": "Another lawful basis",
}
SHORT = 200  # the longest a name may be (the columns' size)


class SharingError(Exception):
    """What is wrong with what was typed: field name -> a plain-English message."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = dict(problems)


# -- dates ------------------------------------------------------------------------------------


def today(now: datetime) -> date:
    """The day it is in England."""
    return now.astimezone(LONDON).date()


def end_of(last_day: date) -> datetime:
    """The moment a basis covering up to and including ``last_day`` (London) stops."""
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=LONDON)


def last_day(consent: Consent) -> date | None:
    """The last day an expiring basis covers, as it was entered."""
    if consent.expires_at is None:
        return None
    return (consent.expires_at.astimezone(LONDON) - timedelta(microseconds=1)).date()


def current(session: Session, pupil_id: int, agency: str, now: datetime) -> list[Consent]:
    """The bases for sharing with the agency that still stand: not withdrawn, not expired."""
    return list(
        session.scalars(
            select(Consent).where(
                Consent.pupil_id == pupil_id,
                Consent.agency == agency,
                Consent.withdrawn_at.is_(None),
                (Consent.expires_at.is_(None)) | (Consent.expires_at > now),
            )
        )
    )


def sharing_stopped(session: Session, pupil_id: int, agency: str, now: datetime) -> bool:
    """Was sharing with the agency withdrawn or did it expire, with nothing recorded since?"""
    ended = session.scalar(
        select(Consent.id)
        .where(
            Consent.pupil_id == pupil_id,
            Consent.agency == agency,
            (Consent.withdrawn_at.is_not(None))
            | (Consent.expires_at.is_not(None) & (Consent.expires_at <= now)),
        )
        .limit(1)
    )
    return ended is not None and not current(session, pupil_id, agency, now)


# -- who may ----------------------------------------------------------------------------------


def may_record(session: Session, actor: Actor, pupil_id: int) -> bool:
    """People record and withdraw bases for pupils whose cases they may work on.

    Actors without an account act for the service itself (the timer, an officer's command).
    """
    if actor.user_id is None:
        return True
    return can(actor, Permission.RECORD_SHARING, pupil_id, session) and can(
        actor, Permission.WORK_ON_CASES, pupil_id, session
    )


def agencies_to_share_with(definitions: WorkflowSet | None) -> dict[str, str]:
    """The agencies of the workflow file a pupil's cases may be shared with (not the school,
    whose staff see the pupils on their roll)."""
    if definitions is None:
        return {}
    return {name: label for name, label in definitions.agencies.items() if name != "school"}


def _live_definitions(session: Session) -> WorkflowSet | None:
    from panelflow.catalogue.operations import engine_for, live_version

    live = live_version(session)
    return engine_for(live).definitions if live is not None else None


def _label(session: Session, agency: str) -> str:
    definitions = _live_definitions(session)
    return definitions.agency_label(agency) if definitions else agency.replace("_", " ")


# -- recording --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BasisDetails:
    """What a person typed to record a basis; dates already read from their boxes."""

    agency: str
    basis: str
    purpose: str
    given_by: str
    given_on: date | None
    lawful_basis: str = ""
    expires_on: date | None = None


def _check_basis(
    details: BasisDetails, agencies: Mapping[str, str], on: date, problems: dict[str, str]
) -> None:
    if details.agency not in agencies:
        problems["agency"] = "Choose the agency the pupil's cases may be shared with"
    if details.basis not in BASES:
        problems["basis"] = "Choose whether this is consent or another lawful basis"
    if details.basis == "lawful_basis" and not details.lawful_basis.strip():
        problems["lawful_basis"] = (
            "Describe the lawful basis, for example 'Public task: the local authority's "
            "duties under the Education Act 1996'"
        )
    if not details.purpose.strip():
        problems["purpose"] = "Write what the information will be shared for"
    if not details.given_by.strip():
        problems["given_by"] = (
            "Write who gave consent (for example 'Jo Taylor, mother') or who decided the "
            "lawful basis applies"
        )
    elif len(details.given_by.strip()) > SHORT:
        problems["given_by"] = f"Who gave it must be {SHORT} characters or fewer"
    if "given_on" not in problems:
        if details.given_on is None:
            problems["given_on"] = "Enter the date it was given, for example 3 9 2026"
        elif details.given_on > on:
            problems["given_on"] = "The date it was given must be today or in the past"
    if details.expires_on is not None and "expires_on" not in problems:
        if details.expires_on < on:
            problems["expires_on"] = (
                "The last day it covers must be today or in the future; to stop sharing now, "
                "record a withdrawal instead"
            )
        elif details.given_on is not None and details.expires_on < details.given_on:
            problems["expires_on"] = (
                "The last day it covers must be on or after the date it was given"
            )


def record_basis(
    session: Session,
    actor: Actor,
    pupil_id: int,
    details: BasisDetails,
    *,
    problems: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> Consent:
    """Record consent or another lawful basis to share the pupil's cases with an agency.

    ``problems`` carries what the form could not read (dates that are not real dates), so
    every problem is reported at once. Raises ``LookupError`` outside need-to-know and
    ``SharingError`` for anything wrong with the details.
    """
    now = now or utcnow()
    if not may_record(session, actor, pupil_id):
        raise LookupError(pupil_id)
    definitions = _live_definitions(session)
    agencies = agencies_to_share_with(definitions)
    found = dict(problems or {})
    _check_basis(details, agencies, today(now), found)
    if found:
        raise SharingError(found)
    consent = Consent(
        pupil_id=pupil_id,
        agency=details.agency,
        basis=details.basis,
        lawful_basis=details.lawful_basis.strip() if details.basis == "lawful_basis" else "",
        purpose=details.purpose.strip(),
        given_by=details.given_by.strip(),
        given_on=details.given_on,
        recorded_by=actor.name,
        recorded_at=now,
        expires_at=end_of(details.expires_on) if details.expires_on else None,
    )
    session.add(consent)
    session.flush()
    label = agencies[details.agency]
    resumed = _resume_involvements(session, actor, pupil_id, details.agency, label, now)
    log(
        session,
        actor,
        "consent.record",
        f"recorded {'consent' if details.basis == 'consent' else 'a lawful basis'} "
        f"to share with {label}",
        pupil_id=pupil_id,
        details={
            "consent": consent.id,
            "agency": details.agency,
            "basis": details.basis,
            "given_on": details.given_on.isoformat() if details.given_on else None,
            "last_day": details.expires_on.isoformat() if details.expires_on else None,
            "involvements_resumed": resumed,
        },
        at=now,
    )
    return consent


# -- ending -----------------------------------------------------------------------------------


@dataclass
class Ended:
    """What stopping sharing with an agency ended."""

    agency: str
    actions: list[int] = field(default_factory=list)
    involvements: list[int] = field(default_factory=list)
    still_shared: bool = False  # another basis for the agency still stands: nothing ended


def end_sharing(
    session: Session, actor: Actor, pupil_id: int, agency: str, why: str, now: datetime
) -> Ended:
    """End the agency's open and accepted actions and its open involvements on the pupil's
    cases, saying ``why`` on each action ("Consent to share ... was withdrawn on ...")."""
    ended = Ended(agency)
    actions = session.scalars(
        select(Action)
        .where(
            Action.case_id.in_(select(Case.id).where(Case.pupil_id == pupil_id)),
            Action.agency == agency,
            Action.status.in_(INVOLVED_STATUSES),
        )
        .order_by(Action.id)
    ).all()
    for action in actions:
        action.status = "withdrawn"
        action.status_changed_at = now
        session.add(
            ActionUpdate(
                action_id=action.id,
                kind="withdrawn",
                text=f"{why}, so this action has ended.",
                by_user_id=actor.user_id,
                by_name=actor.name,
                at=now,
            )
        )
        ended.actions.append(action.id)
    involvements = session.scalars(
        select(Involvement).where(
            Involvement.pupil_id == pupil_id,
            Involvement.agency == agency,
            Involvement.ended_at.is_(None),
        )
    ).all()
    for involvement in involvements:
        involvement.ended_at = now
        involvement.end_reason = why
        ended.involvements.append(involvement.id)
    session.flush()
    return ended


@dataclass(frozen=True)
class Withdrawal:
    """What a person typed to record a withdrawal."""

    withdrawn_by: str
    how: str
    withdrawn_on: date | None


def withdraw(
    session: Session,
    actor: Actor,
    consent_id: int,
    withdrawal: Withdrawal,
    *,
    problems: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> Ended:
    """Record that consent (or a lawful basis) was withdrawn, and end the agency's access to
    the pupil's cases unless another basis for that agency still stands."""
    now = now or utcnow()
    consent = session.get(Consent, consent_id)
    if consent is None or not may_record(session, actor, consent.pupil_id):
        raise LookupError(consent_id)
    found = dict(problems or {})
    if consent.withdrawn_at is not None:
        found["withdrawn_by"] = f"This was already withdrawn on {day(consent.withdrawn_on)}"
        raise SharingError(found)
    if not withdrawal.withdrawn_by.strip():
        found["withdrawn_by"] = "Write who withdrew it, for example 'Jo Taylor, mother'"
    elif len(withdrawal.withdrawn_by.strip()) > SHORT:
        found["withdrawn_by"] = f"Who withdrew it must be {SHORT} characters or fewer"
    if not withdrawal.how.strip():
        found["how"] = "Write how they told us, for example 'by phone to the school office'"
    if "withdrawn_on" not in found:
        on = withdrawal.withdrawn_on
        if on is None:
            found["withdrawn_on"] = "Enter the date it was withdrawn, for example 3 9 2026"
        elif on > today(now):
            found["withdrawn_on"] = "The date it was withdrawn must be today or in the past"
        elif consent.given_on is not None and on < consent.given_on:
            found["withdrawn_on"] = (
                f"The date it was withdrawn cannot be before it was given ({day(consent.given_on)})"
            )
    if found:
        raise SharingError(found)
    assert withdrawal.withdrawn_on is not None
    consent.withdrawn_at = now
    consent.withdrawn_on = withdrawal.withdrawn_on
    consent.withdrawn_by = withdrawal.withdrawn_by.strip()
    consent.withdrawal_how = withdrawal.how.strip()
    consent.withdrawal_recorded_by = actor.name
    return _end_access(
        session,
        actor,
        consent,
        "consent.withdraw",
        how=f"was withdrawn on {day(withdrawal.withdrawn_on)}",
        summary="recorded that {what} to share with {agency} was withdrawn",
        details={"withdrawn_on": withdrawal.withdrawn_on.isoformat()},
        now=now,
    )


def _end_access(
    session: Session,
    actor: Actor,
    consent: Consent,
    event: str,
    *,
    how: str,
    summary: str,
    now: datetime,
    details: Mapping[str, Any] | None = None,
) -> Ended:
    """End the agency's actions and involvements under a basis that no longer stands, and
    audit it: ``how`` ends the words each action is given ("Consent to share with CAMHS
    ..."), ``summary`` is the audit record's, with ``{what}`` and ``{agency}`` filled in."""
    session.flush()
    label = _label(session, consent.agency)
    what = "Consent" if consent.basis == "consent" else "The lawful basis"
    ended = _stop(session, actor, consent, f"{what} to share with {label} {how}", now)
    if ended.actions:
        announce_withdrawn(
            session,
            session.scalars(select(Action).where(Action.id.in_(ended.actions))).all(),
            consent.agency,
            f"{what.lower()} to share the pupil's information with {label} {how}",
            now,
        )
    log(
        session,
        actor,
        event,
        summary.format(what=what.lower(), agency=label) + ": " + _ended_words(ended),
        pupil_id=consent.pupil_id,
        details=_ended_details(consent, ended) | dict(details or {}),
        at=now,
    )
    return ended


def expire(session: Session, *, now: datetime | None = None, limit: int = 500) -> int:
    """Act on bases whose last day has passed (``panelflow tick``): end the agency's access
    as a withdrawal does, once per basis. Returns how many expired."""
    now = now or utcnow()
    due = session.scalars(
        select(Consent)
        .where(
            Consent.withdrawn_at.is_(None),
            Consent.lapsed_at.is_(None),
            Consent.expires_at.is_not(None),
            Consent.expires_at <= now,
        )
        .order_by(Consent.expires_at, Consent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for consent in due:
        consent.lapsed_at = now
        _end_access(
            session,
            SYSTEM,
            consent,
            "consent.expire",
            how=f"ended on {day(last_day(consent))}",
            summary="{what} to share with {agency} expired",
            now=now,
        )
    if due:
        logger.info("%d consent record(s) expired", len(due))
    return len(due)


def _stop(session: Session, actor: Actor, consent: Consent, why: str, now: datetime) -> Ended:
    if current(session, consent.pupil_id, consent.agency, now):
        return Ended(consent.agency, still_shared=True)
    return end_sharing(session, actor, consent.pupil_id, consent.agency, why, now)


def _ended_words(ended: Ended) -> str:
    if ended.still_shared:
        return "another basis for sharing with them still stands, so nothing ended"
    n = len(ended.actions)
    words = f"{n} action{'' if n == 1 else 's'} ended"
    if ended.involvements:
        m = len(ended.involvements)
        words += f", and their involvement in {m} case{'' if m == 1 else 's'}"
    return words


def _ended_details(consent: Consent, ended: Ended) -> dict[str, object]:
    return {
        "consent": consent.id,
        "agency": consent.agency,
        "actions_ended": len(ended.actions),
        "action_ids": ended.actions,
        "involvements_ended": ended.involvements,
        "another_basis_stands": ended.still_shared,
    }


# -- involvement while a case is open ----------------------------------------------------------


def _start(
    session: Session,
    actor: Actor,
    case: Case,
    workflow: WorkflowDef,
    agency: str,
    label: str,
    now: datetime,
    *,
    again: bool = False,
) -> Involvement:
    involvement = Involvement(
        case_id=case.id,
        pupil_id=case.pupil_id,
        group_id=case.group_id,
        agency=agency,
        reason=f"while the {workflow.title} case is open",
        started_at=now,
    )
    session.add(involvement)
    session.flush()
    log(
        session,
        actor,
        "sharing.involvement_start",
        f"{label} involved while the {workflow.title} case is open"
        + (" (sharing recorded again)" if again else ""),
        case_id=case.id,
        pupil_id=case.pupil_id,
        details={"agency": agency, "involvement": involvement.id},
        at=now,
    )
    return involvement


def sync_involvements(
    session: Session, case: Case, definitions: WorkflowSet, actor: Actor, now: datetime
) -> None:
    """Bring the case's involvements in line with its workflow's ``involves:`` and its state.

    Called when a case opens and whenever it enters a state: a final state ends every open
    involvement; otherwise each involved agency gets one, unless it already had one on this
    case (an ended involvement stays ended) or sharing with it was stopped.
    """
    open_rows = session.scalars(
        select(Involvement).where(Involvement.case_id == case.id, Involvement.ended_at.is_(None))
    ).all()
    workflow = definitions.workflows.get(case.workflow_key)
    if case.is_final:
        title = workflow.title if workflow else case.workflow_key
        for row in open_rows:
            row.ended_at = now
            row.end_reason = f"the {title} case closed"
            log(
                session,
                actor,
                "sharing.involvement_end",
                f"{definitions.agency_label(row.agency)} no longer involved: the {title} "
                "case closed",
                case_id=case.id,
                pupil_id=case.pupil_id,
                details={"agency": row.agency, "involvement": row.id},
                at=now,
            )
        session.flush()
        return
    if workflow is None or not workflow.involves:
        return
    had = set(session.scalars(select(Involvement.agency).where(Involvement.case_id == case.id)))
    for agency in workflow.involves:
        if agency in had or sharing_stopped(session, case.pupil_id, agency, now):
            continue
        _start(session, actor, case, workflow, agency, definitions.agency_label(agency), now)


def _resume_involvements(
    session: Session, actor: Actor, pupil_id: int, agency: str, label: str, now: datetime
) -> list[int]:
    """After a basis is recorded: involve the agency again in the pupil's open cases whose
    workflow involves it and where it is not involved now."""
    from panelflow.catalogue.operations import pinned

    involved_now = select(Involvement.case_id).where(
        Involvement.agency == agency, Involvement.ended_at.is_(None)
    )
    cases = session.scalars(
        select(Case)
        .where(
            Case.pupil_id == pupil_id,
            Case.is_final.is_(False),
            Case.id.not_in(involved_now),
        )
        .order_by(Case.id)
    ).all()
    started = []
    for case in cases:
        workflow = pinned(session, case.workflow_version_id).engine.workflow(case.workflow_key)
        if workflow is not None and agency in workflow.involves:
            started.append(
                _start(session, actor, case, workflow, agency, label, now, again=True).id
            )
    return started


def allowed_to_record(actor: Actor) -> bool:
    """Whether the actor's roles let them record bases at all (need-to-know aside)."""
    return allowed(actor, Permission.RECORD_SHARING)
