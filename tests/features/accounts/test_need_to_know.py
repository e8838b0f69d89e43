"""Steps for need-to-know: the policy's SQL scope, fed by real workflow steps."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.accounts.operations import actor_for
from panelflow.actions.models import Action
from panelflow.cases.models import Consent
from panelflow.cases.operations import fire, open_case
from panelflow.catalogue.models import WorkflowVersion
from panelflow.organisations.models import Pupil
from panelflow.roles.policy import pupil_scope
from tests.factories import make_account, make_local_authority, make_pupil, make_school

scenarios("accounts/need_to_know.feature")

ROLES = {
    "panel chair": "panel_chair",
    "school staff": "school_staff",
    "attendance lead": "attendance_lead",
    "CAMHS practitioner": "camhs_practitioner",
    "youth worker": "youth_worker",
    "virtual school head": "virtual_school_head",
    "LA workflow editor": "workflow_editor",
    "LA administrator": "la_admin",
    "auditor": "auditor",
}


@pytest.fixture
def world(session: Session, published: WorkflowVersion) -> dict[str, Any]:
    return {"schools": {}, "pupils": {}, "people": {}}


def _seen(session: Session, person: Any) -> str:
    names = sorted(session.scalars(select(Pupil.given_name).where(pupil_scope(person))))
    return ", ".join(names) or "nobody"


@given("Wirral Council with Birkenhead Park Primary and Rock Ferry High")
def wirral(session: Session, world: dict[str, Any]) -> None:
    la = make_local_authority(session, "Wirral Council")
    world["la"] = la
    for name in ("Birkenhead Park Primary", "Rock Ferry High"):
        school = make_school(session, name)
        school.local_authority_id = la.id
        world["schools"][name] = school
    sefton = make_local_authority(session, "Sefton Council")
    far = make_school(session, "Southport Academy")
    far.local_authority_id = sefton.id
    world["schools"]["a school in Sefton"] = far
    session.flush()


@given(
    parsers.re(
        r"(?P<name>\w+)(?P<flag>, who is looked after,)? is on the roll at "
        r"(?P<school>.+)"
    )
)
def on_roll(
    session: Session, world: dict[str, Any], name: str, flag: str | None, school: str
) -> None:
    world["pupils"][name] = make_pupil(
        session, world["schools"][school], given_name=name, looked_after=bool(flag)
    )


@given(parsers.parse("a {role} at {school}"))
def school_person(session: Session, world: dict[str, Any], role: str, school: str) -> None:
    user = make_account(
        session, ROLES[role], school=world["schools"][school], local_authority=world["la"]
    )
    world["last"] = actor_for(user)


@given(parsers.re(r"an? (?P<role>" + "|".join(ROLES) + r")(?: for Wirral Council)?$"))
def agency_person(session: Session, world: dict[str, Any], role: str) -> None:
    user = make_account(session, ROLES[role], local_authority=world["la"])
    world["last"] = world["people"][role] = actor_for(user)


@given(parsers.parse("consent to share {name}'s case with CAMHS is recorded"))
def consent(session: Session, world: dict[str, Any], name: str) -> None:
    session.add(
        Consent(
            pupil_id=world["pupils"][name].id,
            agency="camhs",
            purpose="CAMHS consultation",
            given_by="Parent",
            recorded_by="Attendance lead",
        )
    )
    session.flush()


@when(parsers.parse("Rock Ferry High's panel asks CAMHS for a consultation about {name}"))
def ask_camhs(session: Session, world: dict[str, Any], name: str) -> None:
    chair = actor_for(
        make_account(session, "panel_chair", school=world["schools"]["Rock Ferry High"])
    )
    case = open_case(session, world["pupils"][name], "school_panel", chair)
    assert fire(case, "add_to_agenda", chair, {"reason": "Late most days"})
    result = fire(case, "ask_camhs", chair, {"request_details": "Anxiety in the mornings"})
    assert result, result
    world["action"] = result.actions[0]  # type: ignore[union-attr]


@when("the CAMHS practitioner completes the action")
def complete(session: Session, world: dict[str, Any]) -> None:
    action: Action = world["action"]
    action.status = "completed"
    session.flush()


@then(parsers.parse("they see exactly {pupils}"))
def they_see(session: Session, world: dict[str, Any], pupils: str) -> None:
    assert _seen(session, world["last"]) == pupils


@then(parsers.parse("the {role} sees exactly {pupils}"))
def role_sees(session: Session, world: dict[str, Any], role: str, pupils: str) -> None:
    assert _seen(session, world["people"][role]) == pupils
