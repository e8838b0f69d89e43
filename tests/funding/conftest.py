"""A panel with a budget, its people and a pupil with a panel case, for the funding tests.

Everything is committed, so the app's own sessions (in view tests) see it; operations under
test run in the ``session`` fixture and commit when a test needs the app to read the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from panelflow.accounts.models import User
from panelflow.accounts.operations import actor_for
from panelflow.cases.models import Case
from panelflow.cases.operations import open_case
from panelflow.catalogue.models import WorkflowVersion
from panelflow.funding.models import Budget, Cohort
from panelflow.funding.operations import add_programme, set_budget, start_cohort, today
from panelflow.organisations.models import Pupil
from panelflow.panels.models import Panel, PanelMember, PanelSchool
from panelflow.roles import Actor
from tests.factories import make_account, make_local_authority, make_pupil, make_school


@dataclass
class Place:
    """The people and records of one panel; ``actor(name)`` acts as one of the people."""

    panel: Panel
    other_panel: Panel
    users: dict[str, User]
    pupil: Pupil
    case: Case
    far_pupil: Pupil
    far_case: Case
    budget: Budget
    today: date

    def actor(self, key: str) -> Actor:
        return actor_for(self.users[key])

    def cohort(
        self, session: Session, *, label: str, starts_on: date, session_count: int, places: int
    ) -> Cohort:
        """A cohort of Inspiring Futures (added by the administrator), started by the chair."""
        programme = add_programme(
            session, self.actor("admin"), name="Inspiring Futures", provider="The Hive"
        )
        return start_cohort(
            session,
            self.actor("chair"),
            programme_id=programme.id,
            panel_id=self.panel.id,
            label=label,
            starts_on=starts_on,
            session_count=session_count,
            places=places,
        )


def _panel(session: Session, name: str, *schools: object) -> Panel:
    panel = Panel(name=name, local_authority_id=schools[0].local_authority_id)  # type: ignore[attr-defined]
    session.add(panel)
    session.flush()
    for school in schools:
        session.add(PanelSchool(panel_id=panel.id, school_id=school.id))  # type: ignore[attr-defined]
    session.flush()
    return panel


@pytest.fixture
def place(session: Session, published: WorkflowVersion) -> Place:
    la = make_local_authority(session)
    school = make_school(session, "Birkenhead Park Primary", la)
    other = make_school(session, "Rock Ferry High", la)
    panel = _panel(session, "Birkenhead Park panel", school)
    other_panel = _panel(session, "Rock Ferry panel", other)
    users = {
        "chair": make_account(
            session, "panel_chair", name="Priya Shah", school=school, local_authority=la
        ),
        "lead": make_account(
            session, "attendance_lead", name="Lee Morgan", school=school, local_authority=la
        ),
        "deputy": make_account(
            session, "panel_chair", name="Dev Patel", school=school, local_authority=la
        ),
        "teacher": make_account(
            session, "school_staff", name="Tom Birch", school=school, local_authority=la
        ),
        "ewo": make_account(session, "ewo", name="Erin Walsh", local_authority=la),
        "rockferry": make_account(
            session, "panel_chair", name="Rhian Evans", school=other, local_authority=la
        ),
        "admin": make_account(session, "la_admin", name="Ade Okafor", local_authority=la),
    }
    session.add(PanelMember(panel_id=panel.id, user_id=users["ewo"].id))
    session.add(PanelMember(panel_id=panel.id, user_id=users["chair"].id, is_chair=True))
    pupil = make_pupil(session, school, given_name="Amara", family_name="Hughes")
    case = open_case(session, pupil, "school_panel", actor_for(users["teacher"]))
    far_pupil = make_pupil(session, other, given_name="Zoe", family_name="Quinn")
    far_case = open_case(session, far_pupil, "school_panel", actor_for(users["rockferry"]))
    now = today()
    budget = set_budget(
        session,
        actor_for(users["admin"]),
        panel_id=panel.id,
        label="This term",
        starts_on=now - timedelta(days=30),
        ends_on=now + timedelta(days=60),
        amount_pence=100_000,
    )
    session.commit()
    return Place(panel, other_panel, users, pupil, case, far_pupil, far_case, budget, now)
