"""The demo data the README's run command loads: it must keep working as the workflows change."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from panelflow.actions.models import ACTION_STATUSES, Action
from panelflow.attendance.models import AttendanceImport, AttendanceRecord
from panelflow.audit.operations import verify
from panelflow.cases.models import Case, CaseEvent
from panelflow.demo import seed
from panelflow.funding.models import Cohort, CohortPlace, FundingDecision, SpendEntry
from panelflow.organisations.models import Pupil, School


def test_the_demo_seeds_schools_pupils_and_cases_through_the_engine(
    session: Session, workflows_text: str
) -> None:
    message = seed(session, workflows_text, "config/workflows.yaml")
    session.commit()

    assert message.startswith("demo data added: 3 schools, 60 pupils")
    assert session.scalar(select(func.count()).select_from(School)) == 3
    assert session.scalar(select(func.count()).select_from(Pupil)) == 60
    workflows = set(session.scalars(select(Case.workflow_key).distinct()))
    assert {"school_panel", "support_first"} <= workflows
    states = set(session.scalars(select(Case.state).distinct()))
    assert len(states) >= 5, states  # cases at many different points of their journeys
    assert session.scalar(select(func.count()).select_from(CaseEvent)) > 40
    assert verify(session).intact
    # The "actions in every state, spend": every state an action and a funding
    # decision can be in, and money spent.
    assert set(session.scalars(select(Action.status).distinct())) == set(ACTION_STATUSES)
    assert set(session.scalars(select(FundingDecision.status).distinct())) == {
        "proposed",
        "approved",
        "declined",
        "withdrawn",
    }
    assert (session.scalar(select(func.sum(SpendEntry.amount_pence))) or 0) > 0


def test_seeding_twice_adds_nothing_the_second_time(session: Session, workflows_text: str) -> None:
    seed(session, workflows_text, "config/workflows.yaml")
    session.commit()

    assert seed(session, workflows_text, "config/workflows.yaml") == (
        "demo data is already there; nothing added"
    )
    assert session.scalar(select(func.count()).select_from(Pupil)) == 60


def test_the_demo_imports_weekly_attendance_for_every_pupil_of_every_school(
    session: Session, workflows_text: str
) -> None:
    seed(session, workflows_text, "config/workflows.yaml")
    session.commit()

    imports = session.scalars(select(AttendanceImport)).all()
    assert sorted(i.status for i in imports) == ["imported"] * 3
    assert len({i.school_id for i in imports}) == 3
    weeks = dict(
        session.execute(
            select(AttendanceRecord.pupil_id, func.count()).group_by(AttendanceRecord.pupil_id)
        ).all()
    )
    assert len(weeks) == 60
    assert min(weeks.values()) >= 20  # since the summer term
    # The interventions measured in the impact reports: a cohort of eight, each place paid.
    places = session.scalar(
        select(func.count())
        .select_from(CohortPlace)
        .join(Cohort, Cohort.id == CohortPlace.cohort_id)
        .where(Cohort.label == "Early autumn, Thursdays", CohortPlace.decision_id.is_not(None))
    )
    assert places == 8
