"""A pupil whose support-first record allows a penalty notice, and the people around them.

The support-first history is built through the operations (``fire``) at dates before today:
a review, targeted support, a plan agreed with the family, a review, intensive support, a
recent review, and a formal route opened by an EWO, which opens the linked statutory case.
Everything is committed, so the app's own sessions (in web tests) see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from panelflow.accounts.models import User
from panelflow.accounts.operations import actor_for
from panelflow.cases.models import Case
from panelflow.cases.operations import Fired, fire, open_case
from panelflow.catalogue.models import WorkflowVersion
from panelflow.catalogue.operations import engine_for
from panelflow.db import utcnow
from panelflow.organisations.models import Pupil
from panelflow.roles import Actor
from tests.factories import make_account, make_local_authority, make_pupil, make_school
from tests.features.workflows.world import example_plan, example_review

PENALTY = {
    "formal_reason": "Attendance 58% this term despite intensive support",
    "support_offered": "Plan agreed in January; multi-agency support since March",
}
CONCERN = {"safeguarding_concern": "Alex said an adult at home hurts them"}


def filled_in(version: WorkflowVersion, trigger: str, when: datetime) -> dict[str, Any]:
    """Something sensible for every field a step requires, as the forms would send it."""
    definitions = engine_for(version).definitions
    steps = [t for wf in definitions.workflows.values() for t in wf.transitions]
    t = next(t for t in steps if t.trigger == trigger)
    data: dict[str, Any] = {}
    for name in t.requires:
        kind = definitions.fields[name].type
        if kind == "number":
            data[name] = "80"
        elif kind == "choice":
            data[name] = definitions.fields[name].options[0]
        elif kind == "support_plan":
            data[name] = example_plan(definitions, when)
        elif kind == "plan_review":
            data[name] = example_review(when)
        else:
            data[name] = f"Written up {when.date().isoformat()}"
    return data


@dataclass
class Formal:
    """The people, the pupil and the two linked cases; ``actor(name)`` acts as one person."""

    version: WorkflowVersion
    users: dict[str, User]
    pupil: Pupil
    support: Case
    case: Case  # the statutory case, at "Formal route being considered"

    def actor(self, key: str) -> Actor:
        return actor_for(self.users[key])


def _step(case: Case, trigger: str, who: Actor, version: WorkflowVersion, when: datetime) -> Fired:
    result = fire(case, trigger, who, filled_in(version, trigger, when), now=when)
    assert isinstance(result, Fired), (trigger, result)
    return result


def support_history(
    session: Session, version: WorkflowVersion, pupil: Pupil, lead: Actor, ewo: Actor
) -> tuple[Case, Case]:
    """Support first tried and reviewed, up to a formal route opened two days ago."""
    now = utcnow()
    ago = lambda days: now - timedelta(days=days)  # noqa: E731
    support = open_case(session, pupil, "support_first", lead, now=ago(140))
    _step(support, "review_held", lead, version, ago(139))
    _step(support, "step_up_to_targeted", lead, version, ago(138))
    _step(support, "plan_agreed", lead, version, ago(137))
    _step(support, "review_held", lead, version, ago(70))
    _step(support, "step_up_to_intensive", lead, version, ago(69))  # involves the EWOs
    _step(support, "review_held", lead, version, ago(3))
    opened = _step(support, "refer_for_formal_action", ewo, version, ago(2)).opened
    assert [c.workflow_key for c in opened] == ["statutory_referral"]
    return support, opened[0]


@pytest.fixture
def formal(session: Session, published: WorkflowVersion) -> Formal:
    la = make_local_authority(session)
    school = make_school(session, "Birkenhead Park Primary", la)
    elsewhere = make_local_authority(session, "Sefton Council")
    users = {
        "lead": make_account(
            session, "attendance_lead", name="Lee Morgan", school=school, local_authority=la
        ),
        "ed": make_account(session, "ewo", name="Ed Okoro", local_authority=la),
        "erin": make_account(session, "ewo", name="Erin Walsh", local_authority=la),
        "tess": make_account(
            session, "school_staff", name="Tess Birch", school=school, local_authority=la
        ),
        "cara": make_account(session, "camhs_practitioner", name="Cara Lin", local_authority=la),
        "far": make_account(session, "ewo", name="Fran Hale", local_authority=elsewhere),
    }
    pupil = make_pupil(session, school, given_name="Alex", family_name="Taylor")
    support, case = support_history(
        session, published, pupil, actor_for(users["lead"]), actor_for(users["ed"])
    )
    session.commit()
    return Formal(published, users, pupil, support, case)
