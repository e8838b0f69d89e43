"""Opening cases and firing triggers on them: the engine's one write path.

``fire(case, trigger, actor, data)`` asks the pure engine for a decision, then, in the
caller's transaction: moves the case (only if nobody else moved it first), records the
transition, restarts the state's timers, applies the effects and appends the audit record.
The caller commits once; a refusal writes nothing.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import set_committed_value

from panelflow.actions.models import Action
from panelflow.actions.operations import create_action
from panelflow.audit.operations import log
from panelflow.cases.models import Case, CaseEvent, CaseFlag, CaseTimer, Consent
from panelflow.catalogue.operations import Pinned, live_version, pinned
from panelflow.db import rowcount, utcnow
from panelflow.organisations.models import Pupil
from panelflow.roles import SYSTEM, Actor
from panelflow.roles.policy import Permission, can, can_on_case
from panelflow.sharing.operations import sync_involvements
from panelflow.terms.operations import calendar_for_pupil
from panelflow.virtual_school.operations import tell as tell_virtual_school
from panelflow.workflows.conditions import suggested
from panelflow.workflows.durations import WEEKDAYS, Duration, SchoolCalendar
from panelflow.workflows.engine import Allowed, Engine, Option, Reason, Refused
from panelflow.workflows.facts import HistoryEntry, Sessions

logger = logging.getLogger(__name__)

CONFLICT = Reason(
    "conflict",
    "this case was changed by someone else after you opened it; reload the page to see the "
    "change, then try again",
)


NOT_PERMITTED = Reason(
    "not_permitted",
    "you cannot work on this pupil's case: it is outside what your role and agency need to know",
)


def within_need_to_know(
    session: Session, actor: Actor, pupil_id: int, case_id: int | None = None
) -> bool:
    """May this actor work on this pupil's cases?

    People acting through their account are held to need-to-know (``can``). Actors without
    an account act for the service itself: the timer, and commands an officer runs on the
    server, who holds the database anyway.
    """
    if actor.user_id is None:
        return True
    if case_id is not None:
        return can_on_case(actor, Permission.WORK_ON_CASES, case_id, session)
    return can(actor, Permission.WORK_ON_CASES, pupil_id, session)


class CaseError(Exception):
    """An operation could not start (e.g. nothing is published yet); the message says why."""


class DbFacts:
    """``CaseFacts`` read from the database, each part only when a condition asks for it."""

    def __init__(
        self, session: Session, case: Case, now: datetime, calendar: SchoolCalendar = WEEKDAYS
    ) -> None:
        self.session = session
        self.case = case
        self.workflow = case.workflow_key
        self.state = case.state
        self.entered_at = case.state_entered_at
        self.now = now
        self.calendar = calendar
        self._history: list[HistoryEntry] | None = None
        self._consents: frozenset[str] | None = None
        self._attendance: dict[Duration | None, Sessions | None] = {}

    def history(self) -> Sequence[HistoryEntry]:
        if self._history is None:
            rows = self.session.execute(
                select(
                    CaseEvent.workflow_key,
                    CaseEvent.trigger,
                    CaseEvent.at,
                    CaseEvent.from_state,
                    CaseEvent.to_state,
                    CaseEvent.fields,
                )
                .where(CaseEvent.group_id == self.case.group_id)
                .order_by(CaseEvent.at, CaseEvent.id)
            ).all()
            self._history = [HistoryEntry(*row) for row in rows]
        return self._history

    def consents(self) -> frozenset[str]:
        if self._consents is None:
            rows = self.session.scalars(
                select(Consent.agency).where(
                    Consent.pupil_id == self.case.pupil_id,
                    Consent.withdrawn_at.is_(None),
                    (Consent.expires_at.is_(None)) | (Consent.expires_at > self.now),
                )
            ).all()
            self._consents = frozenset(rows)
        return self._consents

    def attribute(self, name: str) -> bool:
        pupil = self.session.get(Pupil, self.case.pupil_id)
        return bool(pupil and getattr(pupil, name, False))

    def attendance(self, span: Duration | None) -> Sessions | None:
        """The pupil's imported attendance over a span, read once per span asked for."""
        from panelflow.attendance.figures import sessions_over

        if span not in self._attendance:
            self._attendance[span] = sessions_over(
                self.session, self.case.pupil_id, span, self.calendar
            )
        return self._attendance[span]


@dataclass
class Fired:
    case: Case
    event: CaseEvent
    actions: list[Action] = field(default_factory=list)
    opened: list[Case] = field(default_factory=list)

    def __bool__(self) -> bool:
        return True


def open_case(
    session: Session,
    pupil: Pupil,
    workflow_key: str,
    actor: Actor,
    *,
    linked_from: Case | None = None,
    now: datetime | None = None,
) -> Case:
    """Open a case for a pupil at its workflow's initial state, on the live version.

    A case opened from another (an escalation, a referral) shares its group, so each sees the
    other's history.
    """
    if linked_from is None and not within_need_to_know(session, actor, pupil.id):
        raise CaseError(NOT_PERMITTED.message)
    now = now or utcnow()
    live = live_version(session)
    version = pinned(session, live.id) if live is not None else None
    if linked_from is not None and (
        version is None or workflow_key not in version.engine.definitions.workflows
    ):
        version = pinned(session, linked_from.workflow_version_id)
    if version is None:
        raise CaseError("no workflow version is published yet; publish config/workflows.yaml first")
    engine = version.engine
    wf = engine.workflow(workflow_key)
    if wf is None:
        raise CaseError(f"workflow version {version.number} has no workflow '{workflow_key}'")
    case = Case(
        pupil_id=pupil.id,
        workflow_key=workflow_key,
        workflow_version_id=version.id,
        state=wf.initial,
        state_entered_at=now,
        lock_version=1,
        group_id=linked_from.group_id if linked_from else uuid.uuid4().hex,
        linked_from_id=linked_from.id if linked_from else None,
        opened_at=now,
    )
    session.add(case)
    session.flush()
    restart_timers(session, case, engine, now=now)
    log(
        session,
        actor,
        "case.open",
        f"opened a {wf.title} case",
        case_id=case.id,
        pupil_id=pupil.id,
        workflow_version=version.number,
        details={
            "workflow": workflow_key,
            "state": wf.initial,
            "linked_from": linked_from.id if linked_from else None,
        },
        at=now,
    )
    sync_involvements(session, case, engine.definitions, actor, now)
    return case


def options(case: Case, actor: Actor, *, now: datetime | None = None) -> list[Option]:
    """Every step out of the case's state, and what stands in the way of each."""
    session = object_session(case)
    assert session is not None
    engine = pinned(session, case.workflow_version_id).engine
    facts = DbFacts(session, case, now or utcnow(), calendar_for_pupil(session, case.pupil_id))
    return engine.options(case.workflow_key, facts, actor.roles)


def suggestions(
    case: Case, steps: Sequence[Option], *, now: datetime | None = None
) -> dict[str, list[str]]:
    """For the case page: the steps whose ``suggested_when`` conditions all hold, each with
    what they found ("attendance has been at least 90% over the last 6 school weeks"). A
    suggestion allows and refuses nothing; the facts are read only if a step has one."""
    wanted = [option.transition for option in steps if option.transition.suggested_when]
    if not wanted:
        return {}
    session = object_session(case)
    assert session is not None
    definitions = pinned(session, case.workflow_version_id).engine.definitions
    facts = DbFacts(session, case, now or utcnow(), calendar_for_pupil(session, case.pupil_id))
    found = {t.trigger: suggested(t.suggested_when, facts, definitions) for t in wanted}
    return {trigger: words for trigger, words in found.items() if words}


def fire(
    case: Case,
    trigger: str,
    actor: Actor,
    data: Mapping[str, Any] | None = None,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
    signed_off_by: Actor | None = None,
) -> Fired | Refused:
    """Take a step on a case, or explain why it cannot be taken.

    ``expected_version`` is the case's ``lock_version`` as the person saw it; if the case has
    moved on since, the step is refused rather than applied to a case they have not seen.

    A step with ``sign_off:`` is taken by a person only with ``signed_off_by``: the second
    person (never the same one, holding a sign-off role), as ``panelflow.signoffs`` passes
    them when a waiting request is signed off. Actors without an account act for the service
    itself, as with need-to-know.
    """
    session = object_session(case)
    assert session is not None, "fire() needs a case loaded in a session"
    now = now or utcnow()
    seen = case.lock_version
    if expected_version is not None and expected_version != seen:
        return Refused(trigger, (CONFLICT,))
    if not within_need_to_know(session, actor, case.pupil_id, case.id):
        return Refused(trigger, (NOT_PERMITTED,))
    version = pinned(session, case.workflow_version_id)
    engine = version.engine
    decision = engine.decide(
        case.workflow_key,
        DbFacts(session, case, now, calendar_for_pupil(session, case.pupil_id)),
        trigger,
        actor.roles,
        data or {},
    )
    if isinstance(decision, Refused):
        return decision
    refused = _sign_off_refusal(engine, decision, actor, signed_off_by)
    if refused is not None:
        return refused
    return _apply(session, case, engine, version, decision, actor, seen, now, signed_off_by)


def _sign_off_refusal(
    engine: Engine, decision: Allowed, actor: Actor, second: Actor | None
) -> Refused | None:
    t = decision.transition
    if not t.sign_off or (second is None and actor.user_id is None):
        return None
    who = engine.definitions.role_label
    if second is None:
        words = " or ".join(who(r) for r in t.sign_off)
        message = f"'{t.label}' needs a second person's sign-off ({words}) before it is taken"
    elif second.id == actor.id:
        message = f"'{t.label}' must be signed off by someone other than the person who asked"
    elif second.acting_role(t.sign_off) is None:
        words = " or ".join(who(r) for r in t.sign_off)
        message = f"'{t.label}' can only be signed off by {words}"
    else:
        return None
    return Refused(t.trigger, (Reason("sign_off", message),))


def _apply(
    session: Session,
    case: Case,
    engine: Engine,
    version: Pinned,
    decision: Allowed,
    actor: Actor,
    seen: int,
    now: datetime,
    signed_off_by: Actor | None = None,
) -> Fired | Refused:
    dest = decision.dest
    new_version = seen + 1
    values: dict[str, Any] = {"lock_version": new_version}
    if not decision.transition.internal:
        values.update(
            state=dest.name,
            state_entered_at=now,
            is_final=dest.final,
            closed_at=now if dest.final else None,
        )
    moved = rowcount(
        session.execute(
            update(Case)
            .where(Case.id == case.id, Case.lock_version == seen)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    )
    if moved != 1:
        return Refused(decision.transition.trigger, (CONFLICT,))
    for key, value in values.items():
        set_committed_value(case, key, value)

    event = CaseEvent(
        case_id=case.id,
        number=new_version,
        group_id=case.group_id,
        workflow_key=case.workflow_key,
        workflow_version_id=version.id,
        trigger=decision.transition.trigger,
        from_state=decision.source,
        to_state=dest.name,
        actor_id=actor.id,
        actor_name=actor.name,
        role=decision.role,
        agency=actor.agency,
        at=now,
        fields=dict(decision.fields),
    )
    second_role = None
    if signed_off_by is not None and decision.transition.sign_off:
        second_role = signed_off_by.acting_role(decision.transition.sign_off)
        event.signed_off_by_id = signed_off_by.id
        event.signed_off_by_name = signed_off_by.name
        event.signed_off_role = second_role
    session.add(event)
    session.flush()
    if not decision.transition.internal:
        restart_timers(session, case, engine, now=now)
    fired = Fired(case, event)
    _apply_effects(session, case, engine, decision, actor, event, fired, now)
    log(
        session,
        actor,
        "case.transition",
        f"{decision.transition.label}: {decision.source} → {dest.name}"
        + (f"; signed off by {event.signed_off_by_name}" if second_role else ""),
        role=decision.role,
        case_id=case.id,
        pupil_id=case.pupil_id,
        workflow_version=version.number,
        details={
            "trigger": decision.transition.trigger,
            "from": decision.source,
            "to": dest.name,
            "fields": dict(decision.fields),
            "event": event.id,
            "actions": [a.id for a in fired.actions],
            "opened_cases": [c.id for c in fired.opened],
        }
        | (
            {
                "signed_off_by": signed_off_by.id,
                "signed_off_by_name": signed_off_by.name,
                "signed_off_role": second_role,
            }
            if second_role is not None and signed_off_by is not None
            else {}
        ),
        at=now,
    )
    sync_involvements(session, case, engine.definitions, actor, now)
    logger.debug("case %s: %s -> %s", case.id, decision.source, dest.name)
    tell_virtual_school(session, case, event, actor, now)  # if its 'tell_when' names the step
    return fired


def _apply_effects(
    session: Session,
    case: Case,
    engine: Engine,
    decision: Allowed,
    actor: Actor,
    event: CaseEvent,
    fired: Fired,
    now: datetime,
) -> None:
    calendar = calendar_for_pupil(session, case.pupil_id)
    for effect in decision.effects:
        if effect.kind == "create_action":
            assert effect.title is not None
            agency = effect.agency or engine.definitions.roles[str(effect.role)].agency
            action = create_action(
                session,
                case,
                actor,
                title=effect.title,
                agency=agency,
                role=effect.role,
                due_at=calendar.add(now, effect.due) if effect.due else None,
                case_event_id=event.id,
                now=now,
            )
            fired.actions.append(action)
        elif effect.kind == "open_case":
            assert effect.workflow is not None
            pupil = session.get(Pupil, case.pupil_id)
            assert pupil is not None
            fired.opened.append(
                open_case(session, pupil, effect.workflow, actor, linked_from=case, now=now)
            )
    if fired.actions:
        session.flush()


def restart_timers(
    session: Session, case: Case, engine: Engine, *, now: datetime | None = None
) -> list[CaseTimer]:
    """Cancel the case's pending timers and flags and start those of its current state."""
    now = now or utcnow()
    session.execute(
        update(CaseTimer)
        .where(CaseTimer.case_id == case.id, CaseTimer.status == "pending")
        .values(status="cancelled", done_at=now)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(CaseFlag)
        .where(CaseFlag.case_id == case.id, CaseFlag.cleared_at.is_(None))
        .values(cleared_at=now)
        .execution_options(synchronize_session=False)
    )
    wf = engine.workflow(case.workflow_key)
    state = wf.states.get(case.state) if wf else None
    timers = []
    calendar = calendar_for_pupil(session, case.pupil_id) if state and state.timers else WEEKDAYS
    for timer in state.timers if state else ():
        row = CaseTimer(
            case_id=case.id,
            state=case.state,
            entered_at=case.state_entered_at,
            due_at=calendar.add(case.state_entered_at, timer.after),
            fire_trigger=timer.fire,
            flag=timer.flag,
        )
        session.add(row)
        timers.append(row)
    return timers


@dataclass
class TickReport:
    fired: int = 0
    flagged: int = 0
    refused: int = 0
    stale: int = 0


def tick(session: Session, *, now: datetime | None = None, limit: int = 500) -> TickReport:
    """Act on due timers: fire their trigger (as the timer) or raise their flag.

    Rows are locked as they are taken (skipping rows another tick holds, on PostgreSQL), and a
    timer whose case has left (or re-entered) its state since it was started is cancelled, so
    running two ticks at once or catching up after downtime never acts twice.
    """
    now = now or utcnow()
    report = TickReport()
    query = (
        select(CaseTimer)
        .where(CaseTimer.status == "pending", CaseTimer.due_at <= now)
        .order_by(CaseTimer.due_at, CaseTimer.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    for timer in session.scalars(query).all():
        case = session.get(Case, timer.case_id)
        if (
            case is None
            or case.is_final
            or case.state != timer.state
            or case.state_entered_at != timer.entered_at
        ):
            timer.status, timer.done_at = "cancelled", now
            report.stale += 1
            continue
        timer.status, timer.done_at = "done", now
        session.flush()
        if timer.flag is not None:
            session.add(CaseFlag(case_id=case.id, text=timer.flag, raised_at=now))
            log(
                session,
                SYSTEM,
                "case.flag",
                f"flagged: {timer.flag}",
                case_id=case.id,
                pupil_id=case.pupil_id,
                details={"flag": timer.flag, "state": case.state},
                at=now,
            )
            report.flagged += 1
            continue
        assert timer.fire_trigger is not None
        result = fire(case, timer.fire_trigger, SYSTEM, now=now)
        if isinstance(result, Refused):
            text = f"{timer.fire_trigger} is due but cannot happen: {result.message}"
            session.add(CaseFlag(case_id=case.id, text=text[:200], raised_at=now))
            log(
                session,
                SYSTEM,
                "case.timer_refused",
                text,
                case_id=case.id,
                pupil_id=case.pupil_id,
                details={"trigger": timer.fire_trigger},
                at=now,
            )
            report.refused += 1
        else:
            report.fired += 1
    session.flush()
    return report
