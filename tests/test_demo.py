"""The demo data the README's run command loads: it must keep working as the workflows change."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from panelflow.actions.models import ACTION_STATUSES, Action
from panelflow.audit.operations import verify
from panelflow.cases.models import Case, CaseEvent
from panelflow.demo import seed
from panelflow.funding.models import FundingDecision, SpendEntry
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
