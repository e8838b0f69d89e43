"""fire(): one transaction that moves the case, records it, starts timers, applies effects and
appends the audit record; a refusal writes nothing and says why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from panelflow.actions.models import Action
from panelflow.audit.models import AuditRecord
from panelflow.cases.models import Case, CaseEvent, CaseTimer
from panelflow.cases.operations import CaseError, Fired, fire, open_case, options
from panelflow.catalogue.models import WorkflowVersion
from panelflow.catalogue.operations import publish
from panelflow.organisations.models import Pupil
from panelflow.roles import Actor
from panelflow.workflows.engine import Refused
from tests.factories import make_pupil, person

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
PLAN = {  # an attendance support plan, as the plan form posts it
    "barriers": ["pupil: anxiety or low mood"],
    "commitments": [
        {"who": "school", "what": "Breakfast club"},
        {"who": "family", "what": "An alarm at 7:15"},
    ],
    "targets": [{"target": "In school by 8:50", "by": "2026-04-20"}],
    "review_date": "2026-04-20",
    "pupil_views": "Keen",
    "family_views": "Keen",
}
TEACHER = person("Tess Teacher", "school_staff")
CHAIR = person("Priya Chair", "panel_chair")
EWO = person("Ed Welfare", "ewo", agency="attendance_service")

PANEL_FIELDS = {
    "barriers_discussed": "Anxiety about the bus journey",
    "actions_agreed": "Bus pass; meet at the gate",
    "funding_decision": "agreed",
}


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def pupil(session: Session, published: WorkflowVersion) -> Pupil:
    return make_pupil(session)


@pytest.fixture
def nominated(session: Session, pupil: Pupil) -> Case:
    case = open_case(session, pupil, "school_panel", TEACHER, now=NOW)
    session.commit()
    return case


def test_opening_a_case_starts_at_the_initial_state_on_the_live_version(
    session: Session, nominated: Case, published: WorkflowVersion
) -> None:
    assert nominated.state == "nominated"
    assert nominated.workflow_version_id == published.id
    assert nominated.lock_version == 1
    audit = session.scalars(select(AuditRecord).where(AuditRecord.action == "case.open")).one()
    assert audit.case_id == nominated.id and audit.actor_name == "Tess Teacher"
    timer = session.scalars(select(CaseTimer)).one()
    assert timer.state == "nominated" and timer.flag is not None
    assert timer.due_at == datetime(2026, 3, 16, 9, 0, tzinfo=UTC)  # 2 school weeks


def test_a_step_moves_the_case_and_writes_event_timers_and_audit_together(
    session: Session, nominated: Case
) -> None:
    result = fire(
        nominated, "add_to_agenda", TEACHER, {"reason": "Late most days since Christmas"}, now=NOW
    )
    session.commit()

    assert isinstance(result, Fired)
    case = session.get(Case, nominated.id, populate_existing=True)
    assert case is not None
    assert (case.state, case.lock_version, case.state_entered_at) == ("on_agenda", 2, NOW)
    event = session.scalars(select(CaseEvent)).one()
    assert (event.trigger, event.from_state, event.to_state) == (
        "add_to_agenda",
        "nominated",
        "on_agenda",
    )
    assert (event.role, event.actor_name, event.number) == ("school_staff", "Tess Teacher", 2)
    assert event.fields == {"reason": "Late most days since Christmas"}
    audit = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "case.transition")
    ).one()
    assert audit.details["trigger"] == "add_to_agenda"
    assert audit.details["from"] == "nominated" and audit.details["to"] == "on_agenda"
    assert audit.details["fields"] == {"reason": "Late most days since Christmas"}
    assert audit.workflow_version == 1 and audit.role == "school_staff"
    timers = session.scalars(select(CaseTimer).order_by(CaseTimer.id)).all()
    assert [(t.state, t.status) for t in timers] == [
        ("nominated", "cancelled"),
        ("on_agenda", "pending"),
    ]


def test_effects_create_actions_for_roles(session: Session, nominated: Case) -> None:
    fire(nominated, "add_to_agenda", TEACHER, {"reason": "Often late"}, now=NOW)
    result = fire(nominated, "discuss_at_panel", CHAIR, PANEL_FIELDS, now=NOW)
    session.commit()

    assert isinstance(result, Fired)
    action = session.scalars(select(Action)).one()
    assert action.role == "attendance_lead" and action.agency == "school"
    assert action.case_id == nominated.id and action.status == "open"


def test_a_refusal_explains_every_reason_and_writes_nothing(
    session: Session, nominated: Case
) -> None:
    before = (count(session, CaseEvent), count(session, AuditRecord))

    result = fire(nominated, "add_to_agenda", EWO, {}, now=NOW)
    session.commit()

    assert isinstance(result, Refused)
    assert [r.kind for r in result.reasons] == ["not_allowed", "missing_field"]
    assert "can only be taken by School staff" in result.message
    assert "record 'Why are you nominating this pupil?'" in result.message or (
        "record '" in result.message
    )
    assert (count(session, CaseEvent), count(session, AuditRecord)) == before
    assert session.get(Case, nominated.id, populate_existing=True).state == "nominated"  # type: ignore[union-attr]


def test_a_step_from_the_wrong_state_says_where_it_can_be_taken(
    session: Session, nominated: Case
) -> None:
    result = fire(nominated, "discuss_at_panel", CHAIR, PANEL_FIELDS, now=NOW)

    assert isinstance(result, Refused)
    assert result.reasons[0].kind == "wrong_state"
    assert "cannot be taken while the case is at 'Nominated'" in result.message


def test_a_step_on_a_case_changed_since_it_was_shown_is_refused_as_a_conflict(
    session: Session, nominated: Case
) -> None:
    shown_version = nominated.lock_version
    fire(nominated, "add_to_agenda", TEACHER, {"reason": "Often late"}, now=NOW)
    session.commit()

    result = fire(
        nominated,
        "withdraw",
        CHAIR,
        {"closure_reason": "Moved school"},
        expected_version=shown_version,
        now=NOW,
    )

    assert isinstance(result, Refused)
    assert result.reasons[0].kind == "conflict"
    assert "changed by someone else" in result.message


def test_escalating_opens_a_linked_case_in_the_other_workflow(
    session: Session, nominated: Case
) -> None:
    result = fire(
        nominated,
        "raise_safeguarding_concern",
        TEACHER,
        {"safeguarding_concern": "Unexplained bruising"},
        now=NOW,
    )
    session.commit()

    assert isinstance(result, Fired)
    [linked] = result.opened
    assert linked.workflow_key == "statutory_referral" and linked.state == "considering"
    assert linked.linked_from_id == nominated.id
    assert linked.group_id == nominated.group_id
    assert {a.action for a in session.scalars(select(AuditRecord))} >= {
        "case.open",
        "case.transition",
    }


def test_options_show_what_stands_in_the_way_before_anyone_tries(
    session: Session, nominated: Case
) -> None:
    fire(nominated, "add_to_agenda", TEACHER, {"reason": "Often late"}, now=NOW)

    by_trigger = {o.transition.trigger: o for o in options(nominated, CHAIR, now=NOW)}

    assert not by_trigger["ask_camhs"].available
    assert [r.message for r in by_trigger["ask_camhs"].blockers] == [
        "consent or a lawful basis to share with CAMHS (child and adolescent mental health "
        "services) is not recorded"
    ]
    assert by_trigger["ask_ewo"].available
    assert by_trigger["discuss_at_panel"].available


def test_a_case_keeps_its_version_when_a_new_one_is_published(
    session: Session, nominated: Case, workflows_text: str, editor: Actor, pupil: Pupil
) -> None:
    changed = workflows_text.replace("title: School attendance panel", "title: Attendance panel", 1)
    version_2 = publish(session, changed, "config/workflows.yaml", editor).version
    session.commit()
    assert version_2 is not None

    fire(nominated, "add_to_agenda", TEACHER, {"reason": "Often late"}, now=NOW)
    newer = open_case(session, pupil, "school_panel", TEACHER, now=NOW)
    session.commit()

    old_event = session.scalars(select(CaseEvent)).one()
    assert old_event.workflow_version_id == nominated.workflow_version_id != version_2.id
    assert newer.workflow_version_id == version_2.id


def test_opening_a_case_before_anything_is_published_says_so(session: Session) -> None:
    pupil = make_pupil(session)

    with pytest.raises(CaseError, match="no workflow version is published yet"):
        open_case(session, pupil, "school_panel", TEACHER, now=NOW)


def test_history_conditions_see_linked_cases(session: Session, pupil: Pupil) -> None:
    """A statutory case opened from support-first sees the support-first reviews."""
    lead = person("Lee Lead", "attendance_lead")
    start = NOW - timedelta(weeks=20)
    support = open_case(session, pupil, "support_first", lead, now=start)
    steps = [
        (
            "review_held",
            {
                "review_notes": "Universal support tried",
                "attendance_rate": "81",
                "plan_review": {"decision": "step_up"},
            },
        ),
        ("step_up_to_targeted", {"step_up_reason": "No improvement"}),
        ("plan_agreed", {"support_plan": PLAN}),
    ]
    for day, (trigger, data) in enumerate(steps, start=1):
        assert fire(support, trigger, lead, data, now=start + timedelta(days=day)), trigger
    statutory = open_case(session, pupil, "statutory_referral", lead, linked_from=support, now=NOW)
    formal = {"formal_reason": "Persistent absence", "support_offered": "Plan since autumn"}

    refused = fire(statutory, "offer_attendance_contract", lead, formal, now=NOW)

    assert isinstance(refused, Refused)
    assert [r.message for r in refused.reasons] == [
        "no 'Review held' in the last 12 school weeks (since 8 December 2025)"
    ]

    review = {
        "review_notes": "Plan followed, still 70%",
        "attendance_rate": "70",
        "plan_review": {"progress": [{"rating": "not_met"}], "decision": "step_up"},
    }
    assert fire(support, "review_held", lead, review, now=NOW - timedelta(days=3))
    assert isinstance(fire(statutory, "offer_attendance_contract", lead, formal, now=NOW), Fired)
