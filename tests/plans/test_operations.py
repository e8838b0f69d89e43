"""Opening support first straight from a pupil's page, and reading plans back from the
history."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from panelflow.accounts.operations import actor_for
from panelflow.audit.models import AuditRecord
from panelflow.cases.models import Case
from panelflow.cases.operations import CaseError, fire, open_case
from panelflow.catalogue.models import WorkflowVersion
from panelflow.plans.operations import open_support_first, story
from tests.factories import make_account, make_local_authority, make_pupil, make_school
from tests.features.workflows.world import example_plan, example_review, on


@pytest.fixture
def setting(session: Session, published: WorkflowVersion) -> dict[str, object]:
    la = make_local_authority(session)
    school = make_school(session, local_authority=la)
    pupil = make_pupil(session, school)
    lead = actor_for(make_account(session, "attendance_lead", school=school, local_authority=la))
    session.commit()
    return {"pupil": pupil, "lead": lead, "la": la, "school": school}


def test_an_attendance_lead_opens_support_first_and_it_is_audited(
    session: Session, setting: dict[str, object]
) -> None:
    case = open_support_first(session, setting["lead"], setting["pupil"])
    session.commit()

    assert (case.workflow_key, case.state, case.linked_from_id) == (
        "support_first",
        "universal_support",
        None,
    )
    audit = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "case.open", AuditRecord.case_id == case.id)
    ).one()
    assert audit.actor_id == setting["lead"].id


def test_a_second_open_support_first_case_is_refused(
    session: Session, setting: dict[str, object]
) -> None:
    lead, pupil = setting["lead"], setting["pupil"]
    open_support_first(session, lead, pupil)
    session.commit()

    with pytest.raises(CaseError, match="Alex already has an open support-first case"):
        open_support_first(session, lead, pupil)
    session.rollback()
    count = session.scalar(
        select(func.count()).select_from(Case).where(Case.workflow_key == "support_first")
    )
    assert count == 1


def test_once_the_case_is_closed_a_new_one_can_be_opened(
    session: Session, setting: dict[str, object]
) -> None:
    lead, pupil = setting["lead"], setting["pupil"]
    first = open_support_first(session, lead, pupil)
    session.commit()
    assert fire(first, "close", lead, {"closure_reason": "Moved away"})
    session.commit()

    second = open_support_first(session, lead, pupil)

    assert second.id != first.id


def test_a_panel_chair_cannot_open_support_first_directly(
    session: Session, setting: dict[str, object]
) -> None:
    chair = actor_for(make_account(session, "panel_chair", school=setting["school"]))

    with pytest.raises(CaseError, match="only a school attendance lead or an education welfare"):
        open_support_first(session, chair, setting["pupil"])


def test_an_ewo_needs_to_know_the_pupil_first(session: Session, setting: dict[str, object]) -> None:
    ewo = actor_for(make_account(session, "ewo", local_authority=setting["la"]))

    with pytest.raises(CaseError, match="outside what your role and agency need to know"):
        open_support_first(session, ewo, setting["pupil"])


def test_the_story_holds_every_plan_and_review_in_order(
    session: Session, setting: dict[str, object]
) -> None:
    lead, pupil = setting["lead"], setting["pupil"]
    case = open_case(session, pupil, "support_first", lead, now=on("5 January 2026"))
    session.commit()
    steps = [
        ("review_held", "2 February 2026"),
        ("step_up_to_targeted", "9 February 2026"),
        ("plan_agreed", "16 February 2026"),
        ("review_held", "2 March 2026"),
        ("update_plan", "9 March 2026"),
    ]
    for trigger, day in steps:
        data: dict[str, object] = {
            "review_notes": "Notes",
            "attendance_rate": "80",
            "step_up_reason": "No change",
            "plan_review": example_review(on(day)),
            "support_plan": example_plan(case_definitions(session, case), on(day)),
        }
        assert fire(case, trigger, lead, data, now=on(day)), trigger
        session.commit()

    found = story(session, case)

    assert [p.number for p in found.plans] == [1, 2]
    assert [r.event.trigger for r in found.reviews] == ["review_held", "review_held"]
    assert found.reviews[0].value["progress"] == []  # before the plan: nothing to rate
    assert len(found.reviews[1].value["progress"]) == 1
    assert found.plan_before(found.reviews[1]) is found.plans[0]
    assert found.plan_before(found.reviews[0]) is None
    assert found.plan is found.plans[1]


def case_definitions(session: Session, case: Case):
    from panelflow.catalogue.operations import pinned

    return pinned(session, case.workflow_version_id).engine.definitions
