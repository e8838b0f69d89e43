"""Everything held about one pupil, read for a subject access request.

``EXPORTED`` names every table whose rows about the pupil are in the export, and where in the
JSON they appear; ``LEFT_OUT`` names the tables linked to a pupil that are deliberately not,
with the reason. A test reads the database schema and fails if a table linked to a pupil (a
``pupil_id`` or ``case_id`` column, or a foreign key to such a table) is in neither, so a new
table cannot be forgotten silently.

Only this pupil's rows are read: a meeting shows only the item about this pupil, a group
programme only this pupil's place and register marks. Each kind of record is one query
(filtered by the pupil's cases in SQL); attendance and the audit trail, which grow for years,
are read a batch at a time (keyset on the primary key) and never held whole.

Values are kept as Python dates and datetimes (UTC); ``render`` writes them as ISO 8601 in
the JSON and in words in the document. Every record carries ``id``: its number in panelflow
(for an audit entry, its place in the chain).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from panelflow.actions.models import Action, ActionUpdate
from panelflow.attendance.models import AttendanceRecord
from panelflow.audit.models import AuditRecord
from panelflow.cases.models import Case, CaseEvent, CaseFlag, CaseTimer, Consent
from panelflow.catalogue.models import WorkflowVersion
from panelflow.catalogue.operations import pinned
from panelflow.funding.models import (
    Cohort,
    CohortPlace,
    CohortSession,
    FundingApproval,
    FundingDecision,
    Programme,
    RegisterMark,
    SpendEntry,
)
from panelflow.organisations.models import Pupil
from panelflow.panels.models import (
    AgendaItem,
    CaseBarrier,
    Meeting,
    MeetingAttendance,
    Nomination,
    Panel,
)
from panelflow.sharing.models import Involvement
from panelflow.signoffs.models import SignOffRequest
from panelflow.virtual_school.models import EducationPlan, PupilStatus, VirtualSchoolNotice
from panelflow.workflows.definitions import WorkflowSet

SCHEMA = "panelflow-subject-access"
SCHEMA_VERSION = 1
BATCH = 500

# Table -> where its rows are in the JSON: a path of keys, lists walked through on the way.
EXPORTED: dict[str, tuple[str, ...]] = {
    "pupils": ("pupil",),
    "pupil_statuses": ("virtual_school", "flag_periods"),
    "education_plans": ("virtual_school", "education_plans"),
    "virtual_school_notices": ("virtual_school", "notices"),
    "consents": ("sharing", "bases"),
    "involvements": ("sharing", "involvements"),
    "cases": ("cases",),
    "case_events": ("cases", "history"),
    "case_timers": ("cases", "timers"),
    "case_flags": ("cases", "flags"),
    "nominations": ("cases", "nominations"),
    "agenda_items": ("cases", "meetings"),
    "case_barriers": ("cases", "barriers"),
    "actions": ("cases", "actions"),
    "action_updates": ("cases", "actions", "updates"),
    "funding_decisions": ("cases", "funding"),
    "funding_approvals": ("cases", "funding", "approvals"),
    "funding_spend": ("cases", "funding", "spend"),
    "sign_off_requests": ("cases", "sign_off_requests"),
    "cohort_places": ("programme_places",),
    "register_marks": ("programme_places", "register"),
    "attendance_records": ("attendance",),
    "audit_records": ("audit",),
}

# Tables linked to a pupil that the export leaves out on purpose, with the reason.
LEFT_OUT: dict[str, str] = {}

# What each part of the export is, in the words the document and docs/subject-access.md use.
SECTIONS: dict[str, tuple[str, str]] = {
    "pupil": (
        "The pupil",
        "Who the pupil is, as the school's records hold them, and the flags held today "
        "(looked after, SEND and so on) that decide which services may see the records.",
    ),
    "virtual_school": (
        "Virtual school",
        "Dated periods of being looked after, previously looked after or having a social "
        "worker; attendance targets agreed in personal education plans; and the steps on the "
        "pupil's cases that the virtual school was told about.",
    ),
    "sharing": (
        "Information sharing",
        "Consent, or another lawful basis, for sharing the pupil's cases with each agency, "
        "and when it was withdrawn or ended; and the periods when an agency could see the "
        "pupil's cases because a case involved it.",
    ),
    "cases": (
        "Cases",
        "Every case about the pupil, in every workflow (school panel, support first, "
        "consultations, formal steps and referrals), each with its history of steps and what "
        "was recorded at each (plans and reviews among them), nominations, what panel "
        "meetings discussed and the barriers they recorded, actions agreed and what became "
        "of them, funding decided and spent, steps waiting for or given a second person's "
        "sign-off, and reviews and deadlines set by the workflow.",
    ),
    "programme_places": (
        "Group programmes",
        "Places on group programmes (such as a six-week course) and the pupil's own marks "
        "on each session's register.",
    ),
    "attendance": (
        "School attendance",
        "The attendance figures the school imported from its management information "
        "system, for each week or half-term: possible sessions, sessions attended, and "
        "authorised and unauthorised absence (a session is a morning or an afternoon).",
    ),
    "audit": (
        "Who did what with the records",
        "The entries of panelflow's audit trail about the pupil or their cases: each time "
        "someone opened, changed, decided or exported something, with their name, role and "
        "agency.",
    ),
}


def _wf(definitions: WorkflowSet | None, key: str) -> Any:
    return definitions.workflows.get(key) if definitions else None


def _state(definitions: WorkflowSet | None, workflow: str, state: str) -> str:
    wf = _wf(definitions, workflow)
    return str(wf.state_label(state)) if wf else state


def _step(definitions: WorkflowSet | None, workflow: str, trigger: str) -> str:
    wf = _wf(definitions, workflow)
    for transition in wf.transitions if wf else ():
        if transition.trigger == trigger:
            return str(transition.label)
    return trigger.replace("_", " ")


def _field_labels(definitions: WorkflowSet | None, values: dict[str, Any]) -> dict[str, Any]:
    """For the document: each recorded value under its label (money in pounds)."""
    shown: dict[str, Any] = {}
    for name, value in values.items():
        found = definitions.fields.get(name) if definitions else None
        label = found.label if found else name.replace("_", " ")
        if isinstance(value, bool):
            value = "Yes" if value else "No"
        elif found is not None and found.type == "money" and isinstance(value, int):
            value = f"£{value / 100:,.2f}"
        shown[label] = value
    return shown


@dataclass
class Held:
    """What is held about one pupil. The small parts are read whole; attendance and the audit
    trail are read in batches by ``attendance()`` and ``audit()``."""

    session: Session
    pupil_id: int
    upto_seq: int  # the newest audit record when the export began
    pupil: dict[str, Any]
    virtual_school: dict[str, list[dict[str, Any]]]
    sharing: dict[str, list[dict[str, Any]]]
    cases: list[dict[str, Any]]
    programme_places: list[dict[str, Any]]
    definitions: dict[int, WorkflowSet] = field(default_factory=dict)

    def attendance(self, batch: int = BATCH) -> Iterator[list[dict[str, Any]]]:
        """The pupil's attendance, oldest period first, a batch at a time."""
        after: tuple[Any, int] | None = None
        while True:
            query = select(AttendanceRecord).where(AttendanceRecord.pupil_id == self.pupil_id)
            if after is not None:
                start, last_id = after
                query = query.where(
                    or_(
                        AttendanceRecord.period_start > start,
                        and_(AttendanceRecord.period_start == start, AttendanceRecord.id > last_id),
                    )
                )
            rows = self.session.scalars(
                query.order_by(AttendanceRecord.period_start, AttendanceRecord.id).limit(batch)
            ).all()
            if not rows:
                return
            yield [
                {
                    "id": r.id,
                    "period_kind": r.period_kind,
                    "period_start": r.period_start,
                    "period_end": r.period_end,
                    "possible_sessions": r.possible_sessions,
                    "attended_sessions": r.attended_sessions,
                    "authorised_absence": r.authorised_absence,
                    "unauthorised_absence": r.unauthorised_absence,
                    "absence_codes": dict(r.absence_codes or {}),
                }
                for r in rows
            ]
            after = (rows[-1].period_start, rows[-1].id)
            for row in rows:
                self.session.expunge(row)

    def audit(self, batch: int = BATCH) -> Iterator[list[dict[str, Any]]]:
        """The audit entries about the pupil or their cases, oldest first, a batch at a time,
        up to the newest record when the export began (its own record is not in it)."""
        cases = select(Case.id).where(Case.pupil_id == self.pupil_id)
        columns = (
            AuditRecord.seq,
            AuditRecord.at,
            AuditRecord.action,
            AuditRecord.summary,
            AuditRecord.actor_name,
            AuditRecord.role,
            AuditRecord.agency,
            AuditRecord.case_id,
            AuditRecord.workflow_version,
        )
        last = 0
        while True:
            rows = self.session.execute(
                select(*columns)
                .where(
                    or_(AuditRecord.pupil_id == self.pupil_id, AuditRecord.case_id.in_(cases)),
                    AuditRecord.seq > last,
                    AuditRecord.seq <= self.upto_seq,
                )
                .order_by(AuditRecord.seq)
                .limit(batch)
            ).all()
            if not rows:
                return
            yield [
                {
                    "id": r.seq,
                    "at": r.at,
                    "action": r.action,
                    "summary": r.summary,
                    "by": r.actor_name,
                    "role": r.role,
                    "agency": r.agency,
                    "case_id": r.case_id,
                    "workflow_version": r.workflow_version,
                }
                for r in rows
            ]
            last = rows[-1].seq


def held_about(session: Session, pupil_id: int) -> Held:
    """Read everything held about the pupil (who may ask is the caller's business)."""
    pupil = session.get(Pupil, pupil_id)
    if pupil is None:
        raise LookupError(pupil_id)
    upto = session.scalar(select(func.max(AuditRecord.seq))) or 0
    held = Held(
        session=session,
        pupil_id=pupil.id,
        upto_seq=upto,
        pupil=_pupil(pupil),
        virtual_school=_virtual_school(session, pupil.id),
        sharing=_sharing(session, pupil.id),
        cases=[],
        programme_places=_places(session, pupil.id),
    )
    held.cases = _cases(session, held)
    return held


def _pupil(pupil: Pupil) -> dict[str, Any]:
    return {
        "id": pupil.id,
        "given_name": pupil.given_name,
        "family_name": pupil.family_name,
        "date_of_birth": pupil.date_of_birth,
        "year_group": pupil.year_group,
        "upn": pupil.upn,
        "school": pupil.school.name,
        "flags": pupil.attributes(),
        "recorded_at": pupil.created_at,
    }


_Row = TypeVar("_Row")


def _rows_of(
    session: Session, model: type[_Row], pupil_id: int, when: InstrumentedAttribute[Any]
) -> list[_Row]:
    """The pupil's rows of one table, oldest first (ties in the order they were added)."""
    return list(
        session.scalars(
            select(model)
            .where(model.pupil_id == pupil_id)  # type: ignore[attr-defined]
            .order_by(when, model.id)  # type: ignore[attr-defined]
        )
    )


def _virtual_school(session: Session, pupil_id: int) -> dict[str, list[dict[str, Any]]]:
    periods = _rows_of(session, PupilStatus, pupil_id, PupilStatus.started_on)
    plans = _rows_of(session, EducationPlan, pupil_id, EducationPlan.plan_date)
    notices = _rows_of(session, VirtualSchoolNotice, pupil_id, VirtualSchoolNotice.at)
    return {
        "flag_periods": [
            {
                "id": p.id,
                "kind": p.kind,
                "started_on": p.started_on,
                "ended_on": p.ended_on,
                "note": p.note,
                "recorded_by": p.recorded_by_name,
                "recorded_at": p.recorded_at,
                "ended_by": p.ended_by_name,
                "ended_at": p.ended_at,
            }
            for p in periods
        ],
        "education_plans": [
            {
                "id": p.id,
                "plan_date": p.plan_date,
                "attendance_target_percent": p.attendance_target,
                "recorded_by": p.recorded_by_name,
                "recorded_at": p.recorded_at,
            }
            for p in plans
        ],
        "notices": [
            {
                "id": n.id,
                "case_id": n.case_id,
                "workflow": n.workflow,
                "step": n.step,
                "at": n.at,
                "heads_emailed": n.emailed,
            }
            for n in notices
        ],
    }


def _sharing(session: Session, pupil_id: int) -> dict[str, list[dict[str, Any]]]:
    bases = _rows_of(session, Consent, pupil_id, Consent.recorded_at)
    involvements = _rows_of(session, Involvement, pupil_id, Involvement.started_at)
    return {
        "bases": [
            {
                "id": c.id,
                "agency": c.agency,
                "basis": c.basis,
                "lawful_basis": c.lawful_basis,
                "purpose": c.purpose,
                "given_by": c.given_by,
                "given_on": c.given_on,
                "recorded_by": c.recorded_by,
                "recorded_at": c.recorded_at,
                "expires_at": c.expires_at,
                "withdrawn_at": c.withdrawn_at,
                "withdrawn_on": c.withdrawn_on,
                "withdrawn_by": c.withdrawn_by,
                "withdrawal_how": c.withdrawal_how,
                "withdrawal_recorded_by": c.withdrawal_recorded_by,
                "lapsed_at": c.lapsed_at,
            }
            for c in bases
        ],
        "involvements": [
            {
                "id": i.id,
                "case_id": i.case_id,
                "agency": i.agency,
                "reason": i.reason,
                "started_at": i.started_at,
                "ended_at": i.ended_at,
                "end_reason": i.end_reason,
            }
            for i in involvements
        ],
    }


def _places(session: Session, pupil_id: int) -> list[dict[str, Any]]:
    places = session.execute(
        select(CohortPlace, Cohort, Programme)
        .join(Cohort, Cohort.id == CohortPlace.cohort_id)
        .join(Programme, Programme.id == Cohort.programme_id)
        .where(CohortPlace.pupil_id == pupil_id)
        .order_by(Cohort.starts_on, CohortPlace.id)
    ).all()
    marks: dict[int, list[dict[str, Any]]] = {}
    rows = session.execute(
        select(RegisterMark, CohortSession)
        .join(CohortSession, CohortSession.id == RegisterMark.session_id)
        .where(
            RegisterMark.place_id.in_(
                select(CohortPlace.id).where(CohortPlace.pupil_id == pupil_id)
            )
        )
        .order_by(CohortSession.held_on, CohortSession.number, RegisterMark.id)
    )
    for mark, held in rows:
        marks.setdefault(mark.place_id, []).append(
            {
                "id": mark.id,
                "session_number": held.number,
                "held_on": held.held_on,
                "topic": held.topic,
                "mark": mark.mark,
                "by": mark.by_name,
                "at": mark.at,
            }
        )
    return [
        {
            "id": place.id,
            "case_id": place.case_id,
            "programme": programme.name,
            "provider": programme.provider,
            "cohort": cohort.label,
            "cohort_starts_on": cohort.starts_on,
            "funding_decision_id": place.decision_id,
            "added_by": place.added_by_name,
            "added_at": place.added_at,
            "left_on": place.left_on,
            "left_reason": place.left_reason,
            "left_recorded_by": place.left_recorded_by_name,
            "left_recorded_at": place.left_recorded_at,
            "register": marks.get(place.id, []),
        }
        for place, cohort, programme in places
    ]


def _by_case(rows: Any, shape: Any) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row.case_id, []).append(shape(row))
    return grouped


def _cases(session: Session, held: Held) -> list[dict[str, Any]]:
    cases = session.scalars(
        select(Case).where(Case.pupil_id == held.pupil_id).order_by(Case.opened_at, Case.id)
    ).all()
    if not cases:
        return []
    ids = select(Case.id).where(Case.pupil_id == held.pupil_id)
    versions = dict(
        session.execute(
            select(WorkflowVersion.id, WorkflowVersion.number).where(
                WorkflowVersion.id.in_({c.workflow_version_id for c in cases})
            )
        ).all()
    )
    for version_id in versions:
        held.definitions[version_id] = pinned(session, version_id).engine.definitions
    wf_of = {c.id: (held.definitions.get(c.workflow_version_id), c.workflow_key) for c in cases}

    def event(e: CaseEvent) -> dict[str, Any]:
        definitions, key = wf_of[e.case_id]
        fields = dict(e.fields or {})
        return {
            "id": e.id,
            "number": e.number,
            "step": e.trigger,
            "step_label": _step(definitions, key, e.trigger),
            "from_state": _state(definitions, key, e.from_state),
            "to_state": _state(definitions, key, e.to_state),
            "by": e.actor_name,
            "role": e.role,
            "agency": e.agency,
            "at": e.at,
            "fields": fields,
            "field_labels": _field_labels(definitions, fields),
            "signed_off_by": e.signed_off_by_name,
            "signed_off_role": e.signed_off_role,
        }

    history = _by_case(
        session.scalars(
            select(CaseEvent).where(CaseEvent.case_id.in_(ids)).order_by(CaseEvent.at, CaseEvent.id)
        ),
        event,
    )
    timers = _by_case(
        session.scalars(
            select(CaseTimer)
            .where(CaseTimer.case_id.in_(ids))
            .order_by(CaseTimer.due_at, CaseTimer.id)
        ),
        lambda t: {
            "id": t.id,
            "state": _state(*wf_of[t.case_id], t.state),
            "due_at": t.due_at,
            "then": (
                f"the step {_step(*wf_of[t.case_id], t.fire_trigger)!r} is taken"
                if t.fire_trigger
                else f"a flag is raised: {t.flag}"
            ),
            "status": t.status,
            "done_at": t.done_at,
        },
    )
    flags = _by_case(
        session.scalars(
            select(CaseFlag)
            .where(CaseFlag.case_id.in_(ids))
            .order_by(CaseFlag.raised_at, CaseFlag.id)
        ),
        lambda f: {
            "id": f.id,
            "text": f.text,
            "raised_at": f.raised_at,
            "cleared_at": f.cleared_at,
        },
    )
    nominations = _by_case(
        session.scalars(
            select(Nomination)
            .where(Nomination.case_id.in_(ids))
            .order_by(Nomination.at, Nomination.id)
        ),
        lambda n: {"id": n.id, "by": n.nominated_by_name, "reason": n.reason, "at": n.at},
    )
    meetings = _meetings(session, ids, wf_of)
    barriers = _by_case(
        session.scalars(
            select(CaseBarrier)
            .where(CaseBarrier.case_id.in_(ids))
            .order_by(CaseBarrier.at, CaseBarrier.id)
        ),
        lambda b: {
            "id": b.id,
            "meeting_id": b.meeting_id,
            "category": b.category,
            "barrier": b.barrier,
            "recorded_by": b.recorded_by_name,
            "at": b.at,
        },
    )
    actions = _actions(session, ids)
    funding = _funding(session, held.pupil_id)
    sign_offs = _by_case(
        session.scalars(
            select(SignOffRequest)
            .where(SignOffRequest.case_id.in_(ids))
            .order_by(SignOffRequest.asked_at, SignOffRequest.id)
        ),
        lambda s: {
            "id": s.id,
            "step": s.trigger,
            "step_label": _step(*wf_of[s.case_id], s.trigger),
            "fields": dict(s.fields or {}),
            "field_labels": _field_labels(wf_of[s.case_id][0], dict(s.fields or {})),
            "status": s.status,
            "asked_by": s.asked_by_name,
            "asked_role": s.asked_role,
            "asked_at": s.asked_at,
            "decided_by": s.decided_by_name,
            "decided_role": s.decided_role,
            "decided_at": s.decided_at,
            "reason": s.reason,
        },
    )
    shaped = []
    for case in cases:
        definitions, key = wf_of[case.id]
        wf = _wf(definitions, key)
        shaped.append(
            {
                "id": case.id,
                "workflow": key,
                "workflow_title": wf.title if wf else key,
                "workflow_version": versions.get(case.workflow_version_id),
                "state": case.state,
                "state_label": _state(definitions, key, case.state),
                "state_entered_at": case.state_entered_at,
                "is_closed": case.is_final,
                "opened_at": case.opened_at,
                "closed_at": case.closed_at,
                "opened_from_case_id": case.linked_from_id,
                "history": history.get(case.id, []),
                "timers": timers.get(case.id, []),
                "flags": flags.get(case.id, []),
                "nominations": nominations.get(case.id, []),
                "meetings": meetings.get(case.id, []),
                "barriers": barriers.get(case.id, []),
                "actions": actions.get(case.id, []),
                "funding": funding.get(case.id, []),
                "sign_off_requests": sign_offs.get(case.id, []),
            }
        )
    return shaped


def _meetings(
    session: Session, ids: Any, wf_of: dict[int, tuple[WorkflowSet | None, str]]
) -> dict[int, list[dict[str, Any]]]:
    """The agenda items about the pupil's cases, with their meeting and who was present;
    never the meeting's other items or its general notes."""
    items = session.execute(
        select(AgendaItem, Meeting, Panel.name)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .join(Panel, Panel.id == Meeting.panel_id)
        .where(AgendaItem.case_id.in_(ids))
        .order_by(Meeting.starts_at, AgendaItem.id)
    ).all()
    present: dict[int, list[dict[str, str]]] = {}
    if items:
        rows = session.scalars(
            select(MeetingAttendance)
            .where(MeetingAttendance.meeting_id.in_({m.id for _, m, _ in items}))
            .order_by(MeetingAttendance.name, MeetingAttendance.id)
        )
        for row in rows:
            present.setdefault(row.meeting_id, []).append({"name": row.name, "agency": row.agency})
    grouped: dict[int, list[dict[str, Any]]] = {}
    for item, meeting, panel in items:
        grouped.setdefault(item.case_id, []).append(
            {
                "id": item.id,
                "meeting_id": meeting.id,
                "meeting_at": meeting.starts_at,
                "panel": panel,
                "kind": item.kind,
                "status": item.status,
                "discussion": item.discussion,
                "outcome": item.outcome,
                "outcome_label": (
                    _step(*wf_of[item.case_id], item.outcome) if item.outcome else None
                ),
                "deferred_reason": item.deferred_reason,
                "discussed_at": item.discussed_at,
                "present": present.get(meeting.id, []) if item.status == "discussed" else [],
            }
        )
    return grouped


def _actions(session: Session, ids: Any) -> dict[int, list[dict[str, Any]]]:
    from panelflow.accounts.models import User

    updates: dict[int, list[dict[str, Any]]] = {}
    for u in session.scalars(
        select(ActionUpdate)
        .join(Action, Action.id == ActionUpdate.action_id)
        .where(Action.case_id.in_(ids))
        .order_by(ActionUpdate.at, ActionUpdate.id)
    ):
        updates.setdefault(u.action_id, []).append(
            {"id": u.id, "kind": u.kind, "text": u.text, "by": u.by_name, "at": u.at}
        )
    rows = session.execute(
        select(Action, User.name)
        .outerjoin(User, User.id == Action.assigned_user_id)
        .where(Action.case_id.in_(ids))
        .order_by(Action.created_at, Action.id)
    ).all()
    grouped: dict[int, list[dict[str, Any]]] = {}
    for action, person in rows:
        grouped.setdefault(action.case_id, []).append(
            {
                "id": action.id,
                "title": action.title,
                "owner_agency": action.agency,
                "owner_role": action.role,
                "owner_person": person,
                "status": action.status,
                "due_at": action.due_at,
                "meeting_id": action.meeting_id,
                "created_at": action.created_at,
                "created_by": action.created_by_name,
                "status_changed_at": action.status_changed_at,
                "decline_reason": action.decline_reason,
                "outcome": action.outcome,
                "updates": updates.get(action.id, []),
            }
        )
    return grouped


def _funding(session: Session, pupil_id: int) -> dict[int, list[dict[str, Any]]]:
    decisions = _rows_of(session, FundingDecision, pupil_id, FundingDecision.created_at)
    ids = select(FundingDecision.id).where(FundingDecision.pupil_id == pupil_id)
    approvals: dict[int, list[dict[str, Any]]] = {}
    for a in session.scalars(
        select(FundingApproval)
        .where(FundingApproval.decision_id.in_(ids))
        .order_by(FundingApproval.step, FundingApproval.id)
    ):
        approvals.setdefault(a.decision_id, []).append(
            {"id": a.id, "step": a.step, "by": a.name, "role": a.role, "at": a.at}
        )
    spend: dict[int, list[dict[str, Any]]] = {}
    for s in session.scalars(
        select(SpendEntry)
        .where(SpendEntry.decision_id.in_(ids))
        .order_by(SpendEntry.spent_on, SpendEntry.id)
    ):
        spend.setdefault(s.decision_id, []).append(
            {
                "id": s.id,
                "amount_pence": s.amount_pence,
                "spent_on": s.spent_on,
                "note": s.note,
                "by": s.by_name,
                "at": s.at,
            }
        )
    grouped: dict[int, list[dict[str, Any]]] = {}
    for d in decisions:
        grouped.setdefault(d.case_id, []).append(
            {
                "id": d.id,
                "item": d.item,
                "description": d.description,
                "amount_pence": d.amount_pence,
                "provider": d.provider,
                "starts_on": d.starts_on,
                "ends_on": d.ends_on,
                "status": d.status,
                "meeting_id": d.meeting_id,
                "proposed_by": d.proposed_by_name,
                "proposed_at": d.created_at,
                "override_reason": d.override_reason,
                "approved_at": d.approved_at,
                "closed_at": d.closed_at,
                "closed_by": d.closed_by_name,
                "closed_reason": d.closed_reason,
                "approvals": approvals.get(d.id, []),
                "spend": spend.get(d.id, []),
            }
        )
    return grouped
