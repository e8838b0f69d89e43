"""A pupil with a row in every table the subject access export covers, written directly.

``everything_about(session, ...)`` returns, for each table, the ids it created about the
pupil, so a test can check the export holds exactly those. Two pupils built on the same
panel, meeting and cohort show that the export of one holds nothing of the other.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from panelflow.accounts.models import User
from panelflow.actions.models import Action, ActionUpdate
from panelflow.attendance.models import AttendanceImport, AttendanceRecord
from panelflow.audit.operations import log
from panelflow.cases.models import Case, CaseEvent, CaseFlag, CaseTimer, Consent
from panelflow.catalogue.models import WorkflowVersion
from panelflow.db import utcnow
from panelflow.funding.models import (
    Budget,
    Cohort,
    CohortPlace,
    CohortSession,
    FundingApproval,
    FundingDecision,
    Programme,
    RegisterMark,
    SpendEntry,
)
from panelflow.organisations.models import Pupil, School
from panelflow.panels.models import (
    AgendaItem,
    CaseBarrier,
    Meeting,
    MeetingAttendance,
    Nomination,
    Panel,
    PanelSchool,
)
from panelflow.roles import Actor
from panelflow.sharing.models import Involvement
from panelflow.signoffs.models import SignOffRequest
from panelflow.virtual_school.models import EducationPlan, PupilStatus, VirtualSchoolNotice


@dataclass
class Shared:
    """What two pupils of one school share: the panel, a meeting, a budget, a cohort."""

    school: School
    user: User
    version: WorkflowVersion
    panel: Panel
    meeting: Meeting
    budget: Budget
    cohort: Cohort
    session_one: CohortSession
    attendance_import: AttendanceImport


def shared(session: Session, school: School, user: User, version: WorkflowVersion) -> Shared:
    now = utcnow()
    panel = Panel(name="Park attendance panel", local_authority_id=school.local_authority_id)
    session.add(panel)
    session.flush()
    session.add(PanelSchool(panel_id=panel.id, school_id=school.id))
    meeting = Meeting(panel_id=panel.id, starts_at=now - timedelta(days=20), status="closed")
    budget = Budget(
        panel_id=panel.id,
        label="This term",
        starts_on=now.date() - timedelta(days=60),
        ends_on=now.date() + timedelta(days=60),
        amount_pence=100_000,
        set_by_name="Ade Okafor",
    )
    programme = Programme(
        local_authority_id=school.local_authority_id,
        name="Inspiring Futures",
        provider="The Hive Youth Zone",
        created_by_name="Ade Okafor",
    )
    attendance_import = AttendanceImport(
        school_id=school.id,
        imported_by_name="Lee Morgan",
        file_name="export.csv",
        status="imported",
    )
    session.add_all([meeting, budget, programme, attendance_import])
    session.flush()
    session.add(MeetingAttendance(meeting_id=meeting.id, name="Priya Shah", agency="school"))
    cohort = Cohort(
        programme_id=programme.id,
        panel_id=panel.id,
        label="Spring group",
        starts_on=now.date() - timedelta(days=14),
        session_count=6,
        places=8,
        created_by_name="Lee Morgan",
    )
    session.add(cohort)
    session.flush()
    one = CohortSession(
        cohort_id=cohort.id, number=1, held_on=cohort.starts_on, topic="Getting to know you"
    )
    session.add(one)
    session.flush()
    return Shared(school, user, version, panel, meeting, budget, cohort, one, attendance_import)


def everything_about(
    session: Session, where: Shared, given_name: str, family_name: str, actor: Actor
) -> tuple[Pupil, dict[str, set[int]]]:
    """A pupil with rows in every exported table; returns the pupil and the ids by table."""
    now = utcnow()
    today = now.date()
    pupil = Pupil(
        school_id=where.school.id,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date(2014, 2, 3),
        year_group=6,
        upn=f"A{uuid.uuid4().int % 10**12:012d}",
        looked_after=True,
    )
    session.add(pupil)
    session.flush()
    ids: dict[str, set[int]] = {"pupils": {pupil.id}}

    def add(table: str, *rows: object) -> None:
        session.add_all(rows)
        session.flush()
        ids.setdefault(table, set()).update(r.id for r in rows)  # type: ignore[attr-defined]

    case = Case(
        pupil_id=pupil.id,
        workflow_key="school_panel",
        workflow_version_id=where.version.id,
        state="nominated",
        group_id=uuid.uuid4().hex,
    )
    add("cases", case)
    linked = Case(
        pupil_id=pupil.id,
        workflow_key="support_first",
        workflow_version_id=where.version.id,
        state="targeted",
        group_id=case.group_id,
        linked_from_id=case.id,
    )
    add("cases", linked)
    event = CaseEvent(
        case_id=case.id,
        number=2,
        group_id=case.group_id,
        workflow_key="school_panel",
        workflow_version_id=where.version.id,
        trigger="escalate_to_support_first",
        from_state="discussed",
        to_state="escalated",
        actor_id=actor.id,
        actor_name=actor.name,
        role="panel_chair",
        agency="school",
        fields={"escalation_reason": f"{given_name} needs a plan"},
    )
    add("case_events", event)
    add(
        "case_timers",
        CaseTimer(
            case_id=linked.id,
            state="targeted",
            entered_at=now,
            due_at=now + timedelta(days=42),
            flag="Review the plan",
        ),
    )
    add("case_flags", CaseFlag(case_id=case.id, text="Review overdue"))
    add(
        "consents",
        Consent(
            pupil_id=pupil.id,
            agency="camhs",
            purpose="Help with anxiety",
            given_by="Parent",
            recorded_by="Lee Morgan",
        ),
    )
    add(
        "involvements",
        Involvement(
            case_id=linked.id,
            pupil_id=pupil.id,
            group_id=case.group_id,
            agency="attendance_service",
            reason="while support first is open",
        ),
    )
    add(
        "nominations",
        Nomination(
            case_id=case.id, nominated_by_name="Sam Teacher", reason=f"{given_name} is often late"
        ),
    )
    add(
        "agenda_items",
        AgendaItem(
            meeting_id=where.meeting.id,
            case_id=case.id,
            position=len(ids.get("agenda_items", ())) + 1,
            kind="nomination",
            status="discussed",
            discussion=f"Talked about {given_name}'s mornings",
            outcome="escalate_to_support_first",
            discussed_at=now - timedelta(days=20),
        ),
    )
    add(
        "case_barriers",
        CaseBarrier(
            case_id=case.id,
            meeting_id=where.meeting.id,
            category="family",
            barrier="Young carer",
            recorded_by_name="Priya Shah",
        ),
    )
    action = Action(
        case_id=case.id,
        meeting_id=where.meeting.id,
        role="ewo",
        agency="attendance_service",
        title=f"Home visit for {given_name}",
        status="completed",
        outcome="Visited; alarm clock agreed",
    )
    add("actions", action)
    add(
        "action_updates",
        ActionUpdate(action_id=action.id, kind="created", by_name="Priya Shah"),
        ActionUpdate(action_id=action.id, kind="completed", text="Done", by_name="Eve Ewo"),
    )
    decision = FundingDecision(
        panel_id=where.panel.id,
        budget_id=where.budget.id,
        case_id=case.id,
        pupil_id=pupil.id,
        workflow_version_id=where.version.id,
        item="group_programme",
        amount_pence=40_000,
        provider="The Hive Youth Zone",
        starts_on=today,
        ends_on=today + timedelta(days=42),
        status="approved",
        proposed_by_id=actor.id,
        proposed_by_name=actor.name,
    )
    add("funding_decisions", decision)
    add(
        "funding_approvals",
        FundingApproval(
            decision_id=decision.id, step=1, actor_id=actor.id, name=actor.name, role="panel_chair"
        ),
    )
    add(
        "funding_spend",
        SpendEntry(decision_id=decision.id, amount_pence=40_000, spent_on=today, by_name="Lee"),
    )
    add(
        "sign_off_requests",
        SignOffRequest(
            case_id=linked.id,
            workflow_version_id=where.version.id,
            trigger="step_up_to_intensive",
            case_version=1,
            asked_by_id=actor.id,
            asked_by_user_id=where.user.id,
            asked_by_name=actor.name,
            asked_role="attendance_lead",
        ),
    )
    place = CohortPlace(
        cohort_id=where.cohort.id,
        case_id=case.id,
        pupil_id=pupil.id,
        decision_id=decision.id,
        added_by_name="Lee Morgan",
    )
    add("cohort_places", place)
    add(
        "register_marks",
        RegisterMark(
            session_id=where.session_one.id, place_id=place.id, mark="present", by_name="Lee"
        ),
    )
    add(
        "attendance_records",
        *(
            AttendanceRecord(
                pupil_id=pupil.id,
                import_id=where.attendance_import.id,
                period_kind="week",
                period_start=date(2025, 9, 1) + timedelta(weeks=n),
                period_end=date(2025, 9, 5) + timedelta(weeks=n),
                possible_sessions=10,
                attended_sessions=10 - n,
                authorised_absence=n,
                unauthorised_absence=0,
                absence_codes={"I": n} if n else None,
            )
            for n in range(3)
        ),
    )
    add(
        "pupil_statuses",
        PupilStatus(
            pupil_id=pupil.id,
            kind="looked_after",
            started_on=date(2024, 3, 3),
            recorded_by_name="Vic Head",
        ),
    )
    add(
        "education_plans",
        EducationPlan(
            pupil_id=pupil.id,
            plan_date=date(2025, 10, 1),
            attendance_target=95,
            recorded_by_name="Vic Head",
        ),
    )
    add(
        "virtual_school_notices",
        VirtualSchoolNotice(
            pupil_id=pupil.id,
            case_id=case.id,
            case_event_id=event.id,
            trigger=event.trigger,
            step="Escalate to support first",
            workflow="School attendance panel",
            at=now,
            emailed=1,
        ),
    )
    audited = [
        log(session, actor, "pupil.view", "opened a pupil's page", pupil_id=pupil.id),
        log(session, actor, "case.view", "opened a case", case_id=linked.id),
    ]
    session.flush()
    ids["audit_records"] = {r.seq for r in audited}
    return pupil, ids
