"""Asking for, giving, refusing and withdrawing a second person's sign-off on a step.

A transition with ``sign_off:`` in the workflow file is never taken by one person alone. The
first person takes it as any step (``take``): their role, what they record and the
conditions are checked by the engine as usual, and if all is well a ``SignOffRequest`` is
stored instead of moving the case. Someone else, holding one of the ``sign_off:`` roles and
within need-to-know, then signs it off (``sign_off``): the conditions are checked again at
that moment and the step is taken through ``cases.operations.fire`` in the asker's name, so
timers, effects and the audit record happen once, and the event and the audit record name
both people. Or they refuse it with a reason (``refuse``), or the asker withdraws it
(``withdraw``).

A request is for the case as the asker saw it: once the case has moved on (its
``lock_version`` changed), the request is out of date and can only be withdrawn or asked
again. Of two people acting on one request at once exactly one succeeds: the request row is
locked (``FOR UPDATE``) and claimed with a conditional ``UPDATE ... WHERE status =
'waiting'``, and ``fire`` itself applies only to the case version the asker saw.

Like every operation these take an explicit session and actor and never commit. A request
outside the actor's need-to-know raises ``LookupError`` (views answer 404); a rule broken
raises ``SignOffError`` with a message to show.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from panelflow.accounts.models import RoleAssignment, User
from panelflow.accounts.operations import actor_for
from panelflow.audit.operations import log
from panelflow.cases.models import Case
from panelflow.cases.operations import (
    CONFLICT,
    NOT_PERMITTED,
    DbFacts,
    Fired,
    fire,
    within_need_to_know,
)
from panelflow.catalogue.operations import pinned
from panelflow.db import rowcount, utcnow
from panelflow.organisations.models import Pupil, School
from panelflow.presentation import day
from panelflow.roles import Actor
from panelflow.roles.policy import Permission, can_on_case, case_scope
from panelflow.signoffs.models import SignOffRequest
from panelflow.terms.operations import calendar_for_pupil
from panelflow.workflows.definitions import TransitionDef, WorkflowSet
from panelflow.workflows.engine import Option, Reason, Refused

logger = logging.getLogger(__name__)

REASON_LIMIT = 2000
STATUS_WORDS = {
    "waiting": "waiting for a sign-off",
    "signed_off": "signed off",
    "refused": "refused",
    "withdrawn": "withdrawn",
    "stale": "out of date",
}
STALE = (
    "the case has changed since this step was asked for, so it can no longer be signed off; "
    "the person who asked can look at the case again and ask afresh"
)


class SignOffError(Exception):
    """A sign-off rule was broken; the message says which, in words."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def role_words(definitions: WorkflowSet, roles: Sequence[str]) -> str:
    """'Education welfare officer (EWO)', or 'A or B' for several roles."""
    labels = [definitions.role_label(r) for r in roles]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


def _definitions(session: Session, version_id: int) -> WorkflowSet:
    return pinned(session, version_id).engine.definitions


def transition_of(session: Session, request: SignOffRequest, case: Case) -> TransitionDef:
    """The step a request is for, as the version it was asked under defines it."""
    wf = _definitions(session, request.workflow_version_id).workflows[case.workflow_key]
    found = wf.transition(request.trigger, case.state) or next(
        t for t in wf.transitions if t.trigger == request.trigger
    )
    return found


# -- asking ----------------------------------------------------------------------------------


def take(
    session: Session,
    case: Case,
    trigger: str,
    actor: Actor,
    data: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Fired | SignOffRequest | Refused:
    """A person takes a step: at once, or, for a step with ``sign_off:``, by asking for the
    second sign-off (nothing moves until it is given)."""
    now = now or utcnow()
    wf = _definitions(session, case.workflow_version_id).workflows.get(case.workflow_key)
    t = wf.transition(trigger, case.state) if wf else None
    if t is None or not t.sign_off or actor.user_id is None:
        return fire(case, trigger, actor, data, expected_version=expected_version, now=now)
    return ask(session, case, trigger, actor, data, expected_version=expected_version, now=now)


def ask(
    session: Session,
    case: Case,
    trigger: str,
    actor: Actor,
    data: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> SignOffRequest | Refused:
    """Ask for a step that needs a second sign-off, after the checks taking it would make."""
    now = now or utcnow()
    if expected_version is not None and expected_version != case.lock_version:
        return Refused(trigger, (CONFLICT,))
    if actor.user_id is None or not within_need_to_know(session, actor, case.pupil_id, case.id):
        return Refused(trigger, (NOT_PERMITTED,))
    version = pinned(session, case.workflow_version_id)
    engine = version.engine
    facts = DbFacts(session, case, now, calendar_for_pupil(session, case.pupil_id))
    decision = engine.decide(case.workflow_key, facts, trigger, actor.roles, data)
    if isinstance(decision, Refused):
        return decision
    t = decision.transition
    if not t.sign_off:
        raise ValueError(f"'{trigger}' needs no sign-off; take it with fire()")
    for waiting in _waiting_on(session, case.id, lock=True):
        if waiting.case_version != case.lock_version:
            _close(waiting, "stale", None, None, STALE, now)
            continue
        label = engine.definitions.workflows[case.workflow_key].trigger_label(waiting.trigger)
        return Refused(
            trigger,
            (
                Reason(
                    "conflict",
                    f"'{label}', asked for by {waiting.asked_by_name} on {day(waiting.asked_at)}, "
                    "is already waiting for a sign-off on this case; it must be signed off, "
                    "refused or withdrawn before another formal step is asked for",
                ),
            ),
        )
    request = SignOffRequest(
        case_id=case.id,
        workflow_version_id=version.id,
        trigger=t.trigger,
        fields=dict(decision.fields),
        case_version=case.lock_version,
        status="waiting",
        asked_by_id=actor.id,
        asked_by_user_id=actor.user_id,
        asked_by_name=actor.name,
        asked_role=decision.role,
        asked_at=now,
        reason="",
    )
    session.add(request)
    session.flush()
    log(
        session,
        actor,
        "signoff.ask",
        f"asked for a second sign-off: {t.label}",
        role=decision.role,
        case_id=case.id,
        pupil_id=case.pupil_id,
        workflow_version=version.number,
        details={
            "request": request.id,
            "trigger": t.trigger,
            "fields": dict(decision.fields),
            "case_version": case.lock_version,
            "sign_off_roles": list(t.sign_off),
        },
        at=now,
    )
    _announce(session, request, case, t, engine.definitions, now)
    logger.debug("case %s: sign-off request %s", case.id, request.id)
    return request


def _waiting_on(session: Session, case_id: int, *, lock: bool = False) -> list[SignOffRequest]:
    query = (
        select(SignOffRequest)
        .where(SignOffRequest.case_id == case_id, SignOffRequest.status == "waiting")
        .order_by(SignOffRequest.asked_at, SignOffRequest.id)
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return list(session.scalars(query).all())


def _announce(
    session: Session,
    request: SignOffRequest,
    case: Case,
    t: TransitionDef,
    definitions: WorkflowSet,
    now: datetime,
) -> int:
    """Email the people who could sign the request off; never the pupil's name."""
    from panelflow.notify.compose import base_url, render, send, subject_line

    school = _school_of(session, case)
    people = session.scalars(
        select(User)
        .where(
            User.active,
            User.id != request.asked_by_user_id,
            User.local_authority_id == school.local_authority_id,
            User.id.in_(select(RoleAssignment.user_id).where(RoleAssignment.role.in_(t.sign_off))),
        )
        .order_by(User.id)
    ).all()
    body = render(
        "sign_off_waiting.txt",
        asker=request.asked_by_name,
        role=definitions.role_label(request.asked_role),
        step=t.label,
        school=school.name,
        link=f"{base_url()}/sign-offs/{request.id}",
    )
    subject = subject_line("Waiting for your sign-off", t.label)
    return sum(
        send(session, user, subject, body, f"sign-off:{request.id}:{user.id}", now)
        for user in people
        if can_on_case(actor_for(user), Permission.WORK_ON_CASES, case.id, session)
    )


def _school_of(session: Session, case: Case) -> School:
    school = session.scalar(
        select(School).join(Pupil, Pupil.school_id == School.id).where(Pupil.id == case.pupil_id)
    )
    assert school is not None
    return school


def _tell_asker(
    session: Session,
    request: SignOffRequest,
    case: Case,
    t: TransitionDef,
    decider: Actor,
    role: str | None,
    verb: str,
    now: datetime,
) -> int:
    """Email the person who asked that their request was signed off or refused; never the
    pupil's name, nor the reason (it is free text, and is read on the request itself)."""
    from panelflow.notify.compose import base_url, render, send, subject_line

    asker = session.get(User, request.asked_by_user_id)
    if asker is None or not asker.active:
        return 0
    definitions = _definitions(session, request.workflow_version_id)
    body = render(
        "sign_off_decided.txt",
        decider=decider.name,
        role=definitions.role_label(role) if role else "",
        verb=verb,
        step=t.label,
        school=_school_of(session, case).name,
        link=f"{base_url()}/sign-offs/{request.id}",
    )
    subject = subject_line(f"Sign-off {verb}", t.label)
    return send(session, asker, subject, body, f"sign-off-decided:{request.id}", now)


# -- deciding --------------------------------------------------------------------------------


def _locked(session: Session, actor: Actor, request_id: int) -> tuple[SignOffRequest, Case]:
    """The request, locked, if the actor may work on its case; LookupError otherwise."""
    found = session.execute(
        select(SignOffRequest, Case)
        .join(Case, Case.id == SignOffRequest.case_id)
        .where(SignOffRequest.id == request_id, case_scope(actor))
        .with_for_update(of=SignOffRequest)
        .execution_options(populate_existing=True)
    ).first()
    if found is None or not within_need_to_know(session, actor, found[1].pupil_id, found[1].id):
        raise LookupError(request_id)
    return found[0], found[1]


def _still_waiting(request: SignOffRequest, case: Case) -> None:
    if request.status != "waiting":
        raise SignOffError(f"This request has been {STATUS_WORDS[request.status]} already")
    if case.lock_version != request.case_version:
        raise SignOffError(STALE[0].upper() + STALE[1:])


def _second_person(
    session: Session, actor: Actor, request: SignOffRequest, case: Case, *, verb: str
) -> tuple[TransitionDef, str]:
    t = transition_of(session, request, case)
    if actor.id == request.asked_by_id:
        instead = "withdraw it instead" if verb == "refuse" else "someone else must sign it off"
        doing = "sign it off" if verb == "sign off" else "refuse it"
        raise SignOffError(f"You asked for this step, so you cannot {doing}; {instead}")
    role = actor.acting_role(t.sign_off)
    if role is None:
        words = role_words(_definitions(session, request.workflow_version_id), t.sign_off)
        raise SignOffError(f"'{t.label}' can only be signed off or refused by {words}")
    return t, role


def _close(
    request: SignOffRequest,
    status: str,
    actor: Actor | None,
    role: str | None,
    reason: str,
    now: datetime,
) -> None:
    request.status = status
    request.decided_by_id = actor.id if actor else None
    request.decided_by_name = actor.name if actor else None
    request.decided_role = role
    request.decided_at = now
    request.reason = reason


def sign_off(
    session: Session, actor: Actor, request_id: int, *, now: datetime | None = None
) -> Fired | Refused:
    """Give the second sign-off, and so take the step, in the asker's name.

    The conditions are checked again now. A request whose case has moved on is marked out of
    date and refused with reason kind ``stale`` (the caller commits that mark); any other
    refusal writes nothing.
    """
    now = now or utcnow()
    request, case = _locked(session, actor, request_id)
    if request.status != "waiting":
        raise SignOffError(f"This request has been {STATUS_WORDS[request.status]} already")
    t, role = _second_person(session, actor, request, case, verb="sign off")
    if case.lock_version != request.case_version:
        return _stale(session, actor, request, case, now)
    asker = session.get(User, request.asked_by_user_id)
    if asker is None or not asker.active:
        raise SignOffError(
            f"{request.asked_by_name}'s account is no longer active, so the step cannot be "
            "taken in their name; refuse it, and ask someone else to take the step"
        )
    claimed = rowcount(
        session.execute(
            update(SignOffRequest)
            .where(SignOffRequest.id == request.id, SignOffRequest.status == "waiting")
            .values(
                status="signed_off",
                decided_by_id=actor.id,
                decided_by_name=actor.name,
                decided_role=role,
                decided_at=now,
            )
            .execution_options(synchronize_session=False)
        )
    )
    if claimed != 1:
        raise SignOffError("Someone else has just decided this request")
    result = fire(
        case,
        request.trigger,
        actor_for(asker),
        request.fields,
        expected_version=request.case_version,
        now=now,
        signed_off_by=actor,
    )
    if isinstance(result, Refused):
        if any(r.kind == "conflict" for r in result.reasons):
            return _stale(session, actor, request, case, now)
        return result
    session.execute(
        update(SignOffRequest)
        .where(SignOffRequest.id == request.id)
        .values(event_id=result.event.id)
        .execution_options(synchronize_session=False)
    )
    session.expire(request)
    log(
        session,
        actor,
        "signoff.give",
        f"signed off: {t.label}, asked for by {request.asked_by_name}",
        role=role,
        case_id=case.id,
        pupil_id=case.pupil_id,
        details={"request": request.id, "event": result.event.id, "asked_by": request.asked_by_id},
        at=now,
    )
    _tell_asker(session, request, case, t, actor, role, "signed off", now)
    return result


def _stale(
    session: Session, actor: Actor, request: SignOffRequest, case: Case, now: datetime
) -> Refused:
    session.execute(
        update(SignOffRequest)
        .where(SignOffRequest.id == request.id)
        .values(status="stale", decided_at=now, reason=STALE)
        .execution_options(synchronize_session=False)
    )
    session.expire(request)
    log(
        session,
        actor,
        "signoff.stale",
        "a sign-off request was out of date: the case had changed since it was asked for",
        case_id=case.id,
        pupil_id=case.pupil_id,
        details={"request": request.id},
        at=now,
    )
    return Refused(request.trigger, (Reason("stale", STALE),))


def refuse(
    session: Session, actor: Actor, request_id: int, reason: str, *, now: datetime | None = None
) -> SignOffRequest:
    """Refuse the sign-off, with a reason the asker will read. The case stays where it is."""
    now = now or utcnow()
    request, case = _locked(session, actor, request_id)
    _still_waiting(request, case)
    t, role = _second_person(session, actor, request, case, verb="refuse")
    reason = _reason(reason, "Say why you are refusing to sign it off")
    _close(request, "refused", actor, role, reason, now)
    log(
        session,
        actor,
        "signoff.refuse",
        f"refused to sign off: {t.label}, asked for by {request.asked_by_name}",
        role=role,
        case_id=case.id,
        pupil_id=case.pupil_id,
        details={"request": request.id, "reason": reason},
        at=now,
    )
    _tell_asker(session, request, case, t, actor, role, "refused", now)
    session.flush()
    return request


def withdraw(
    session: Session,
    actor: Actor,
    request_id: int,
    reason: str = "",
    *,
    now: datetime | None = None,
) -> SignOffRequest:
    """The asker withdraws their request (it may be out of date by now)."""
    now = now or utcnow()
    request, case = _locked(session, actor, request_id)
    if request.status != "waiting":
        raise SignOffError(f"This request has been {STATUS_WORDS[request.status]} already")
    if actor.id != request.asked_by_id:
        raise SignOffError("Only the person who asked for this step can withdraw it")
    t = transition_of(session, request, case)
    reason = _reason(reason, "", required=False)
    _close(request, "withdrawn", actor, request.asked_role, reason, now)
    log(
        session,
        actor,
        "signoff.withdraw",
        f"withdrew a request for a second sign-off: {t.label}",
        role=request.asked_role,
        case_id=case.id,
        pupil_id=case.pupil_id,
        details={"request": request.id, "reason": reason},
        at=now,
    )
    session.flush()
    return request


def _reason(text: str, missing: str, *, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise SignOffError(missing, "reason")
    if len(text) > REASON_LIMIT:
        raise SignOffError(
            f"The reason must be {REASON_LIMIT} characters or fewer; it is {len(text)}", "reason"
        )
    return text


# -- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    """A request as a page shows it, in the words of its workflow version."""

    request: SignOffRequest
    case: Case
    label: str
    asked_role: str
    sign_off_roles: str
    recorded: list[tuple[str, str]]
    out_of_date: bool
    may_decide: bool
    may_withdraw: bool


def describe(session: Session, actor: Actor, request: SignOffRequest, case: Case) -> Pending:
    definitions = _definitions(session, request.workflow_version_id)
    t = transition_of(session, request, case)
    out_of_date = request.status == "waiting" and case.lock_version != request.case_version
    waiting = request.status == "waiting"
    return Pending(
        request=request,
        case=case,
        label=t.label,
        asked_role=definitions.role_label(request.asked_role),
        sign_off_roles=role_words(definitions, t.sign_off),
        recorded=[
            (definitions.field_label(name), str(value)) for name, value in request.fields.items()
        ],
        out_of_date=out_of_date,
        may_decide=waiting
        and not out_of_date
        and actor.id != request.asked_by_id
        and actor.acting_role(t.sign_off) is not None,
        may_withdraw=waiting and actor.id == request.asked_by_id,
    )


def visible_request(session: Session, actor: Actor, request_id: int) -> Pending | None:
    """The request as the actor may read it (within need-to-know), or None."""
    found = session.execute(
        select(SignOffRequest, Case)
        .join(Case, Case.id == SignOffRequest.case_id)
        .where(SignOffRequest.id == request_id, case_scope(actor))
    ).first()
    return None if found is None else describe(session, actor, found[0], found[1])


def waiting_for(session: Session, actor: Actor, *, limit: int = 100) -> list[Pending]:
    """Requests this person could sign off now: within need-to-know, asked by someone else,
    still current, and for a step whose ``sign_off:`` names a role they hold."""
    rows = session.execute(
        select(SignOffRequest, Case)
        .join(Case, Case.id == SignOffRequest.case_id)
        .where(
            SignOffRequest.status == "waiting",
            SignOffRequest.asked_by_id != actor.id,
            SignOffRequest.case_version == Case.lock_version,
            case_scope(actor),
        )
        .order_by(SignOffRequest.asked_at, SignOffRequest.id)
        .limit(limit)
    ).all()
    shown = [describe(session, actor, request, case) for request, case in rows]
    return [p for p in shown if p.may_decide]


def asked_by(session: Session, actor: Actor) -> list[Pending]:
    """This person's own requests still waiting (some perhaps out of date)."""
    rows = session.execute(
        select(SignOffRequest, Case)
        .join(Case, Case.id == SignOffRequest.case_id)
        .where(
            SignOffRequest.status == "waiting",
            SignOffRequest.asked_by_id == actor.id,
            case_scope(actor),
        )
        .order_by(SignOffRequest.asked_at, SignOffRequest.id)
    ).all()
    return [describe(session, actor, request, case) for request, case in rows]


@dataclass(frozen=True)
class OtherStep:
    """A step of the case's state the viewer cannot take: who takes it, and what is missing."""

    option: Option
    taken_by: str
    sign_off: str


@dataclass
class CasePanel:
    """The case page's formal steps and sign-off section."""

    waiting: list[Pending] = field(default_factory=list)
    decided: list[Pending] = field(default_factory=list)
    others: list[OtherStep] = field(default_factory=list)
    needs_sign_off: list[tuple[str, str]] = field(default_factory=list)  # (step, by whom)
    sign_off_steps: set[str] = field(default_factory=set)  # triggers that need a sign-off

    def held(self, trigger: str) -> bool:
        """Is this step held back because a request is waiting? One request waits at a
        time, so every step needing a sign-off is, while one does."""
        return bool(self.waiting) and trigger in self.sign_off_steps


def case_panel(
    session: Session, actor: Actor, case: Case, options: Sequence[Option], *, recent: int = 5
) -> CasePanel:
    """What the case page shows about formal steps: requests waiting for a sign-off, the
    last few decided, the steps other people take here (with who, and what is missing), and
    which of the viewer's own steps need a second sign-off."""
    definitions = _definitions(session, case.workflow_version_id)
    panel = CasePanel()
    requests = session.scalars(
        select(SignOffRequest)
        .where(SignOffRequest.case_id == case.id)
        .order_by(SignOffRequest.asked_at.desc(), SignOffRequest.id.desc())
        .limit(recent + 10)
    ).all()
    for request in requests:
        shown = describe(session, actor, request, case)
        if request.status == "waiting":
            panel.waiting.append(shown)
        elif len(panel.decided) < recent:
            panel.decided.append(shown)
    for option in options:
        t = option.transition
        if not t.allowed:
            continue  # a step only the timer takes
        words = role_words(definitions, t.sign_off) if t.sign_off else ""
        if t.sign_off:
            panel.sign_off_steps.add(t.trigger)
        if option.permitted:
            if t.sign_off:
                panel.needs_sign_off.append((t.label, words))
        else:
            panel.others.append(OtherStep(option, role_words(definitions, t.allowed), words))
    return panel
