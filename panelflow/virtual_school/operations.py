"""Recording the virtual school's flags and plan targets, keeping the pupil's flags true to
their dates, the virtual school head's list, and telling the head about steps on a case.

Everything runs in the caller's transaction and is audited here; the caller commits once.

- ``record_status`` and ``end_status``: a dated period of a flag (looked after, previously
  looked after, with a social worker), by the pupil's school (attendance lead or panel chair)
  or the local authority's virtual school head. The flag on ``Pupil`` then follows the dates.
- ``record_plan``: the attendance target of the pupil's personal education plan (PEP).
- ``sync_flags``: sets each pupil's flags to what their dated periods say today; run after
  each recording and by ``panelflow tick`` (``tick``) for periods that start or end later.
- ``Caseload``: the virtual school head's page, a constant number of queries per page.
- ``tell``: called at the end of every step taken on a case (``cases.operations._apply``);
  when the live file's ``tell_when`` names the step and the pupil is one the virtual school
  follows, each virtual school head of the local authority is emailed (once per step and
  person) and the step joins the page's recent list.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any

from sqlalchemy import and_, exists, false, func, or_, select, update
from sqlalchemy.orm import Session

from panelflow.accounts.models import RoleAssignment, User
from panelflow.attendance.figures import PupilFigures, figures_for, rules_in_force
from panelflow.audit.operations import log
from panelflow.cases.models import Case, CaseEvent
from panelflow.cases.rows import OpenCase, open_cases
from panelflow.catalogue.operations import pinned
from panelflow.db import utcnow
from panelflow.organisations.models import Pupil, School
from panelflow.paging import Paging
from panelflow.presentation import LONDON, PUPIL_FLAG_WORDS, day
from panelflow.roles import SYSTEM, Actor
from panelflow.roles.policy import VIRTUAL_SCHOOL_ROLE, Permission, allowed, can, pupil_scope
from panelflow.virtual_school.models import EducationPlan, PupilStatus, VirtualSchoolNotice
from panelflow.virtual_school.scope import condition, live_rule
from panelflow.workflows.definitions import VIRTUAL_SCHOOL_FLAGS, VirtualSchoolRule

logger = logging.getLogger(__name__)

# Who records flags and plan targets: the pupil's school's attendance lead or panel chair,
# and the virtual school head of the school's local authority.
SCHOOL_RECORDERS = ("attendance_lead", "panel_chair")
# How far ahead a flag may start or end: a placement agreed for next month, not next year.
AHEAD = timedelta(days=92)
NOTE_LIMIT = 500
PAGE_SIZE = 50
RECENT = 3  # notices shown per pupil on the virtual school head's page


class VirtualSchoolError(Exception):
    """A recording that cannot be made; ``field`` names the form field to fix, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def today_in_england(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(LONDON).date()


def flag_words(kind: str) -> str:
    return PUPIL_FLAG_WORDS.get(kind, kind.replace("_", " "))


# --- who may record -----------------------------------------------------------------------


def may_record(session: Session, actor: Actor, pupil: Pupil) -> bool:
    """The pupil's school's attendance lead or panel chair, or a virtual school head of the
    school's local authority; within need-to-know either way. A command run on the server
    (no account) acts for the service."""
    if actor.user_id is None:
        return True
    at_school = actor.school_id == pupil.school_id and any(
        role in actor.roles for role in SCHOOL_RECORDERS
    )
    head = False
    if VIRTUAL_SCHOOL_ROLE in actor.roles and actor.local_authority_id is not None:
        authority = session.scalar(
            select(School.local_authority_id).where(School.id == pupil.school_id)
        )
        head = authority == actor.local_authority_id
    return (at_school or head) and can(actor, Permission.VIEW_PUPILS, pupil.id, session)


def _check_may_record(session: Session, actor: Actor, pupil: Pupil) -> None:
    if not may_record(session, actor, pupil):
        raise VirtualSchoolError(
            "Only the school's attendance lead or panel chair, or the local authority's "
            "virtual school head, can record this"
        )


# --- dated flags ---------------------------------------------------------------------------


def _period(start: date, end: date | None) -> str:
    return f"from {day(start)}" + (f" until {day(end)}" if end else " (not ended)")


def _overlaps(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    """Do two periods [start, end) share a day? An open end runs for ever."""
    return (b_end is None or a_start < b_end) and (a_end is None or b_start < a_end)


def _check_dates(pupil: Pupil, started_on: date, ended_on: date | None, today: date) -> None:
    latest = today + AHEAD
    if started_on < pupil.date_of_birth:
        raise VirtualSchoolError(
            "The start date must be on or after the pupil's date of birth "
            f"({day(pupil.date_of_birth)})",
            "started_on",
        )
    if started_on > latest:
        raise VirtualSchoolError(
            f"The start date must be no more than 3 months ahead (on or before {day(latest)})",
            "started_on",
        )
    if ended_on is not None and ended_on < started_on:
        raise VirtualSchoolError(
            f"The end date must be the same as or after the start date ({day(started_on)})",
            "ended_on",
        )
    if ended_on is not None and ended_on > latest:
        raise VirtualSchoolError(
            f"The end date must be no more than 3 months ahead (on or before {day(latest)})",
            "ended_on",
        )


def _check_overlaps(
    session: Session, pupil: Pupil, kind: str, started_on: date, ended_on: date | None
) -> None:
    others = session.scalars(
        select(PupilStatus)
        .where(PupilStatus.pupil_id == pupil.id)
        .order_by(PupilStatus.started_on, PupilStatus.id)
    ).all()
    exclusive = {
        "looked_after": "previously_looked_after",
        "previously_looked_after": "looked_after",
    }
    for other in others:
        if not _overlaps(started_on, ended_on, other.started_on, other.ended_on):
            continue
        if other.kind == kind:
            raise VirtualSchoolError(
                f"{pupil.given_name} is already recorded as {flag_words(kind)} "
                f"{_period(other.started_on, other.ended_on)}; end that record first, or "
                "choose dates that do not overlap it",
                "started_on",
            )
        if exclusive.get(kind) == other.kind:
            raise VirtualSchoolError(
                f"A pupil cannot be looked after and previously looked after at the same "
                f"time: {pupil.given_name} is recorded as {flag_words(other.kind)} "
                f"{_period(other.started_on, other.ended_on)}",
                "started_on",
            )


def record_status(
    session: Session,
    actor: Actor,
    pupil: Pupil,
    kind: str,
    started_on: date | None,
    *,
    ended_on: date | None = None,
    note: str = "",
    now: datetime | None = None,
) -> PupilStatus:
    """Record a period of a flag (``ended_on`` for one already over), then bring the pupil's
    flags up to date."""
    _check_may_record(session, actor, pupil)
    if kind not in VIRTUAL_SCHOOL_FLAGS:
        raise VirtualSchoolError(
            "Choose looked after, previously looked after, or has a social worker", "kind"
        )
    if started_on is None:
        raise VirtualSchoolError("Enter the date it started, for example 3 3 2026", "started_on")
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        raise VirtualSchoolError(
            f"Keep the note to {NOTE_LIMIT} characters or fewer (it has {len(note)})", "note"
        )
    now = now or utcnow()
    today = today_in_england(now)
    _check_dates(pupil, started_on, ended_on, today)
    _check_overlaps(session, pupil, kind, started_on, ended_on)
    status = PupilStatus(
        pupil_id=pupil.id,
        kind=kind,
        started_on=started_on,
        ended_on=ended_on,
        note=note,
        recorded_by_user_id=actor.user_id,
        recorded_by_name=actor.name,
        recorded_at=now,
        ended_by_name=actor.name if ended_on else None,
        ended_at=now if ended_on else None,
    )
    session.add(status)
    session.flush()
    sync_flags(session, today, pupil_ids=[pupil.id])
    log(
        session,
        actor,
        "pupil.flag_recorded",
        f"recorded {flag_words(kind)} {_period(started_on, ended_on)}",
        pupil_id=pupil.id,
        details={
            "status": status.id,
            "kind": kind,
            "started_on": started_on.isoformat(),
            "ended_on": ended_on.isoformat() if ended_on else None,
            "note": note,
            "flag_now": bool(getattr(pupil, kind)),
        },
        at=now,
    )
    return status


def end_status(
    session: Session,
    actor: Actor,
    status: PupilStatus,
    ended_on: date | None,
    *,
    now: datetime | None = None,
) -> PupilStatus:
    """Record the date a flag's period ended (or will end), then update the pupil's flags."""
    pupil = session.get(Pupil, status.pupil_id)
    assert pupil is not None
    _check_may_record(session, actor, pupil)
    if status.ended_on is not None:
        raise VirtualSchoolError(f"This record already ended on {day(status.ended_on)}")
    if ended_on is None:
        raise VirtualSchoolError("Enter the date it ended, for example 3 3 2026", "ended_on")
    now = now or utcnow()
    today = today_in_england(now)
    _check_dates(pupil, status.started_on, ended_on, today)
    status.ended_on = ended_on
    status.ended_by_name = actor.name
    status.ended_at = now
    session.flush()
    sync_flags(session, today, pupil_ids=[pupil.id])
    log(
        session,
        actor,
        "pupil.flag_ended",
        f"ended {flag_words(status.kind)} on {day(ended_on)}",
        pupil_id=pupil.id,
        details={
            "status": status.id,
            "kind": status.kind,
            "started_on": status.started_on.isoformat(),
            "ended_on": ended_on.isoformat(),
            "flag_now": bool(getattr(pupil, status.kind)),
        },
        at=now,
    )
    return status


@dataclass(frozen=True)
class FlagChange:
    pupil_id: int
    kind: str
    now_set: bool


def sync_flags(
    session: Session, today: date, *, pupil_ids: Sequence[int] | None = None
) -> list[FlagChange]:
    """Set each pupil's flags to what their dated periods say ``today``; returns what changed.

    A flag with no dated period at all is left as it was set (an import, say): there is
    nothing to say when it started or ends.
    """
    changes: list[FlagChange] = []
    for kind in VIRTUAL_SCHOOL_FLAGS:
        column = getattr(Pupil, kind)
        of_kind = and_(PupilStatus.pupil_id == Pupil.id, PupilStatus.kind == kind)
        active = exists(
            select(PupilStatus.id).where(
                of_kind,
                PupilStatus.started_on <= today,
                or_(PupilStatus.ended_on.is_(None), PupilStatus.ended_on > today),
            )
        )
        query = select(Pupil.id, active).where(
            exists(select(PupilStatus.id).where(of_kind)), column != active
        )
        if pupil_ids is not None:
            query = query.where(Pupil.id.in_(pupil_ids))
        rows = session.execute(query.order_by(Pupil.id)).all()
        for now_set in (True, False):
            ids = [pupil_id for pupil_id, value in rows if bool(value) is now_set]
            if ids:
                session.execute(
                    update(Pupil)
                    .where(Pupil.id.in_(ids))
                    .values({kind: now_set})
                    .execution_options(synchronize_session="fetch")
                )
                changes += [FlagChange(pupil_id, kind, now_set) for pupil_id in ids]
    return changes


def tick(session: Session, *, now: datetime | None = None) -> list[FlagChange]:
    """``panelflow tick``: flags whose periods started or ended since the last run follow
    their dates; each change is audited (it changes who may see the pupil)."""
    now = now or utcnow()
    changes = sync_flags(session, today_in_england(now))
    for change in changes:
        verb = "started" if change.now_set else "ended"
        log(
            session,
            SYSTEM,
            "pupil.flag_dated",
            f"{flag_words(change.kind)} {verb}, as recorded",
            pupil_id=change.pupil_id,
            details={"kind": change.kind, "set": change.now_set},
            at=now,
        )
    if changes:
        logger.info("virtual school: %d pupil flag(s) followed their dates", len(changes))
    return changes


# --- the personal education plan's attendance target ---------------------------------------


def record_plan(
    session: Session,
    actor: Actor,
    pupil: Pupil,
    plan_date: date | None,
    target: int | None,
    *,
    now: datetime | None = None,
) -> EducationPlan:
    """Record the attendance target agreed in the pupil's personal education plan."""
    _check_may_record(session, actor, pupil)
    if not (pupil.looked_after or pupil.previously_looked_after):
        raise VirtualSchoolError(
            "A personal education plan is for a looked-after or previously looked-after "
            "pupil; record that first"
        )
    now = now or utcnow()
    today = today_in_england(now)
    if plan_date is None:
        raise VirtualSchoolError(
            "Enter the date of the personal education plan, for example 3 3 2026", "plan_date"
        )
    if plan_date > today:
        raise VirtualSchoolError(
            "The date of the personal education plan must be today or in the past", "plan_date"
        )
    if plan_date < pupil.date_of_birth:
        raise VirtualSchoolError(
            "The date of the personal education plan must be after the pupil's date of birth",
            "plan_date",
        )
    if target is None or not 1 <= target <= 100:
        raise VirtualSchoolError(
            "Enter the attendance target as a whole percentage from 1 to 100, like 95", "target"
        )
    plan = EducationPlan(
        pupil_id=pupil.id,
        plan_date=plan_date,
        attendance_target=target,
        recorded_by_user_id=actor.user_id,
        recorded_by_name=actor.name,
        recorded_at=now,
    )
    session.add(plan)
    session.flush()
    log(
        session,
        actor,
        "pupil.pep_target",
        f"recorded a personal education plan attendance target of {target}%",
        pupil_id=pupil.id,
        details={"plan": plan.id, "plan_date": plan_date.isoformat(), "target": target},
        at=now,
    )
    return plan


# --- what the pupil's page shows -----------------------------------------------------------


@dataclass(frozen=True)
class PupilRecord:
    """The virtual school section of a pupil's page."""

    statuses: Sequence[PupilStatus]
    plan: EducationPlan | None
    may_record: bool
    today: date

    @property
    def current(self) -> list[PupilStatus]:
        return [s for s in self.statuses if s.active_on(self.today)]


def pupil_record(session: Session, actor: Actor, pupil: Pupil) -> PupilRecord:
    statuses = session.scalars(
        select(PupilStatus)
        .where(PupilStatus.pupil_id == pupil.id)
        .order_by(PupilStatus.started_on.desc(), PupilStatus.id.desc())
    ).all()
    plan = session.scalar(
        select(EducationPlan)
        .where(EducationPlan.pupil_id == pupil.id)
        .order_by(EducationPlan.plan_date.desc(), EducationPlan.id.desc())
        .limit(1)
    )
    return PupilRecord(statuses, plan, may_record(session, actor, pupil), today_in_england())


# --- the virtual school head's page --------------------------------------------------------


@dataclass
class Flag:
    kind: str
    since: date | None  # None: set without a dated record

    @property
    def words(self) -> str:
        return flag_words(self.kind)


@dataclass
class Row:
    pupil: Pupil
    school: School
    flags: list[Flag] = field(default_factory=list)
    attendance: float | None = None  # the latest figure recorded at a review
    attendance_on: datetime | None = None
    target: int | None = None
    plan_date: date | None = None
    cases: list[OpenCase] = field(default_factory=list)
    notices: list[VirtualSchoolNotice] = field(default_factory=list)
    imported: PupilFigures | None = None  # the school's imported attendance, if any

    @property
    def imported_rate(self) -> Fraction | None:
        """The imported attendance over the last 6 school weeks (or, without any in those
        weeks, this school year): what the PEP target is compared with."""
        if self.imported is None:
            return None
        for sessions in (self.imported.recent, self.imported.year):
            if sessions is not None and sessions.rate is not None:
                return sessions.rate
        return None

    @property
    def below_target(self) -> bool | None:
        """Below the PEP target: on the imported attendance, or, when none is imported, on
        the latest figure recorded at a review."""
        if self.target is None:
            return None
        if self.imported_rate is not None:
            return self.imported_rate * 100 < self.target
        if self.attendance is None:
            return None
        return self.attendance < self.target


@dataclass
class Caseload:
    rule: VirtualSchoolRule
    schools: Sequence[School]
    rows: list[Row]
    paging: Paging
    school_id: int | None = None  # the filters applied
    flag: str | None = None
    problems: dict[str, str] = field(default_factory=dict)  # filters that were not applied


def _number(value: Any) -> float | None:
    try:
        return float(str(value).strip().rstrip("%"))
    except ValueError:
        return None


def caseload(
    session: Session,
    actor: Actor,
    *,
    school_id: int | None = None,
    flag: str | None = None,
    page: int | None = None,
    now: datetime | None = None,
) -> Caseload:
    """Every pupil the live rule covers at the head's local authority's schools, a page at a
    time in SQL, with their flags, attendance (imported, or else as recorded at a review),
    PEP target, open cases and recent notices.

    The same number of queries whatever the page holds (plus the definitions of each workflow
    version the open cases are on, read once per version).
    """
    today = today_in_england(now)
    rule = live_rule(session)
    schools = session.scalars(
        select(School)
        .where(School.local_authority_id == actor.local_authority_id)
        .order_by(School.name, School.id)
    ).all()
    problems: dict[str, str] = {}
    if school_id is not None and school_id not in {school.id for school in schools}:
        problems["school"] = "Choose a school from the list"
        school_id = None
    if flag is not None and flag not in rule.pupils:
        problems["flag"] = "Choose a flag from the list"
        flag = None
    in_authority = select(School.id).where(School.local_authority_id == actor.local_authority_id)
    if school_id is not None:
        in_authority = in_authority.where(School.id == school_id)
    conditions = [pupil_scope(actor), condition(rule), Pupil.school_id.in_(in_authority)]
    if flag is not None:
        conditions.append(getattr(Pupil, flag).is_(True))
    if not allowed(actor, Permission.VIEW_PUPILS) or actor.local_authority_id is None:
        conditions.append(false())
    total = session.scalar(select(func.count(Pupil.id)).where(*conditions)) or 0
    paging = Paging.at(total, page, PAGE_SIZE)
    found = session.scalars(
        select(Pupil)
        .where(*conditions)
        .order_by(Pupil.family_name, Pupil.given_name, Pupil.id)
        .limit(paging.per_page)
        .offset(paging.offset)
    ).all()
    by_id = {school.id: school for school in schools}
    rows = {pupil.id: Row(pupil, by_id[pupil.school_id]) for pupil in found}
    if rows:
        _add_flags(session, rows, rule, today)
        _add_imported(session, rows)
        _add_attendance(session, rows)
        _add_plans(session, rows)
        _add_cases(session, rows)
        _add_notices(session, rows)
    return Caseload(rule, schools, list(rows.values()), paging, school_id, flag, problems)


def _add_flags(
    session: Session, rows: dict[int, Row], rule: VirtualSchoolRule, today: date
) -> None:
    since: dict[tuple[int, str], date] = {}
    for status in session.scalars(
        select(PupilStatus).where(
            PupilStatus.pupil_id.in_(rows),
            PupilStatus.started_on <= today,
            or_(PupilStatus.ended_on.is_(None), PupilStatus.ended_on > today),
        )
    ):
        key = (status.pupil_id, status.kind)
        since[key] = min(since.get(key, status.started_on), status.started_on)
    for pupil_id, row in rows.items():
        row.flags = [
            Flag(kind, since.get((pupil_id, kind)))
            for kind in VIRTUAL_SCHOOL_FLAGS
            if kind in rule.pupils and getattr(row.pupil, kind)
        ]


def _latest(partition: Any, *order: Any) -> Any:
    return func.row_number().over(partition_by=partition, order_by=order).label("n")


def _add_imported(session: Session, rows: dict[int, Row]) -> None:
    """The attendance the schools imported: the last 6 school weeks and this school year, to
    each school's latest period (four statements, whatever the page holds)."""
    found = figures_for(session, Pupil.id.in_(rows), rules_in_force(session))
    for pupil_id, figures in found.items():
        rows[pupil_id].imported = figures


def _add_attendance(session: Session, rows: dict[int, Row]) -> None:
    """The latest attendance recorded at a review on any of the pupil's cases."""
    rate = CaseEvent.fields["attendance_rate"].as_string()
    ranked = (
        select(
            Case.pupil_id,
            rate.label("rate"),
            CaseEvent.at,
            _latest(Case.pupil_id, CaseEvent.at.desc(), CaseEvent.id.desc()),
        )
        .join(Case, Case.id == CaseEvent.case_id)
        .where(Case.pupil_id.in_(rows), rate.is_not(None), rate != "")
        .subquery()
    )
    for pupil_id, value, at in session.execute(
        select(ranked.c.pupil_id, ranked.c.rate, ranked.c.at).where(ranked.c.n == 1)
    ):
        rows[pupil_id].attendance = _number(value)
        rows[pupil_id].attendance_on = at


def _add_plans(session: Session, rows: dict[int, Row]) -> None:
    ranked = (
        select(
            EducationPlan.pupil_id,
            EducationPlan.attendance_target,
            EducationPlan.plan_date,
            _latest(
                EducationPlan.pupil_id, EducationPlan.plan_date.desc(), EducationPlan.id.desc()
            ),
        )
        .where(EducationPlan.pupil_id.in_(rows))
        .subquery()
    )
    for pupil_id, target, plan_date in session.execute(
        select(ranked.c.pupil_id, ranked.c.attendance_target, ranked.c.plan_date).where(
            ranked.c.n == 1
        )
    ):
        rows[pupil_id].target = target
        rows[pupil_id].plan_date = plan_date


def _add_cases(session: Session, rows: dict[int, Row]) -> None:
    for pupil_id, cases in open_cases(session, rows).items():
        rows[pupil_id].cases = cases


def _add_notices(session: Session, rows: dict[int, Row]) -> None:
    ranked = (
        select(
            VirtualSchoolNotice.id,
            _latest(
                VirtualSchoolNotice.pupil_id,
                VirtualSchoolNotice.at.desc(),
                VirtualSchoolNotice.id.desc(),
            ),
        )
        .where(VirtualSchoolNotice.pupil_id.in_(rows))
        .subquery()
    )
    for notice in session.scalars(
        select(VirtualSchoolNotice)
        .join(ranked, ranked.c.id == VirtualSchoolNotice.id)
        .where(ranked.c.n <= RECENT)
        .order_by(VirtualSchoolNotice.at.desc(), VirtualSchoolNotice.id.desc())
    ):
        rows[notice.pupil_id].notices.append(notice)


# --- telling the virtual school head --------------------------------------------------------


def heads_of(session: Session, local_authority_id: int) -> list[User]:
    """The active virtual school heads of a local authority, by account id."""
    return list(
        session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.local_authority_id == local_authority_id,
                exists(
                    select(RoleAssignment.id).where(
                        RoleAssignment.user_id == User.id,
                        RoleAssignment.role == VIRTUAL_SCHOOL_ROLE,
                    )
                ),
            )
            .order_by(User.id)
        )
    )


def tell(session: Session, case: Case, event: CaseEvent, actor: Actor, now: datetime) -> int:
    """After a step on a case: if the live file's ``tell_when`` names it and the virtual
    school follows the pupil, note it for the head's page and email each head of the
    local authority (not the one who took the step); returns how many emails were queued."""
    rule = live_rule(session)
    if event.trigger not in rule.tell_when:
        return 0
    told = select(VirtualSchoolNotice.id).where(VirtualSchoolNotice.case_event_id == event.id)
    if session.scalar(told) is not None:
        return 0  # already told of this step
    found = session.execute(
        select(Pupil, School)
        .join(School, School.id == Pupil.school_id)
        .where(Pupil.id == case.pupil_id, condition(rule))
    ).first()
    if found is None:
        return 0
    pupil, school = found
    if school.local_authority_id is None:
        return 0
    definitions = pinned(session, event.workflow_version_id).engine.definitions
    workflow = definitions.workflows.get(case.workflow_key)
    step = workflow.trigger_label(event.trigger) if workflow else event.trigger
    title = workflow.title if workflow else case.workflow_key
    heads = [u for u in heads_of(session, school.local_authority_id) if u.id != actor.user_id]
    from panelflow.notify.compose import base_url, render, send, subject_line

    subject = subject_line("A pupil you support", f"{step} ({title})")
    body = render(
        "virtual_school_step.txt",
        step=step,
        workflow=title,
        school=school.name,
        by=event.actor_name,
        role=definitions.role_label(event.role),
        at=now,
        flags=[flag_words(kind) for kind in rule.pupils if getattr(pupil, kind)],
        link=f"{base_url()}/cases/{case.id}",
        page=f"{base_url()}/virtual-school",
    )
    emailed = sum(
        send(session, head, subject, body, f"virtual-school:{event.id}:{head.id}", now)
        for head in heads
    )
    session.add(
        VirtualSchoolNotice(
            pupil_id=pupil.id,
            case_id=case.id,
            case_event_id=event.id,
            trigger=event.trigger,
            step=step[:200],
            workflow=title[:200],
            at=now,
            emailed=emailed,
        )
    )
    session.flush()
    logger.info("virtual school: case %s event %s, %d email(s)", case.id, event.id, emailed)
    return emailed
