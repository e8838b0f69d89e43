"""The access policy: permissions by role, and need-to-know over pupils, in SQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.accounts.operations import actor_for
from panelflow.actions.models import Action
from panelflow.cases.models import Case
from panelflow.cases.operations import open_case
from panelflow.catalogue.models import WorkflowVersion
from panelflow.organisations.models import Pupil
from panelflow.roles import Actor
from panelflow.roles.policy import MATRIX, Permission, allowed, can, matrix_markdown, pupil_scope
from panelflow.workflows.validation import validate_text
from tests.factories import make_account, make_local_authority, make_pupil, make_school, person

ROOT = Path(__file__).resolve().parents[2]


def visible(session: Session, actor: Actor) -> set[str]:
    return set(session.scalars(select(Pupil.given_name).where(pupil_scope(actor))))


@pytest.fixture
def world(session: Session, published: WorkflowVersion) -> dict[str, object]:
    """Two local authorities; in the first, two schools; pupils with and without flags."""
    wirral = make_local_authority(session, "Wirral Council")
    sefton = make_local_authority(session, "Sefton Council")
    park = make_school(session, "Birkenhead Park Primary")
    rock = make_school(session, "Rock Ferry High")
    far = make_school(session, "Southport Academy")
    park.local_authority_id = rock.local_authority_id = wirral.id
    far.local_authority_id = sefton.id
    pupils = {
        "Amara": make_pupil(session, park, given_name="Amara"),
        "Ben": make_pupil(session, rock, given_name="Ben"),
        "Chloe": make_pupil(session, rock, given_name="Chloe", looked_after=True),
        "Dylan": make_pupil(session, far, given_name="Dylan", looked_after=True),
        "Ella": make_pupil(session, park, given_name="Ella", has_social_worker=True),
    }
    session.flush()
    return {"wirral": wirral, "sefton": sefton, "park": park, "rock": rock, **pupils}


def test_every_role_of_the_shipped_workflows_is_in_the_matrix() -> None:
    result = validate_text((ROOT / "config" / "workflows.yaml").read_bytes())
    assert result.definitions is not None

    assert set(result.definitions.roles) == set(MATRIX)


def test_docs_access_md_is_generated_from_the_matrix() -> None:
    result = validate_text((ROOT / "config" / "workflows.yaml").read_bytes())
    assert result.definitions is not None
    labels = {name: role.label for name, role in result.definitions.roles.items()}

    written = (ROOT / "docs" / "access.md").read_text(encoding="utf-8")

    assert written == matrix_markdown(labels), (
        "docs/access.md is out of date: run .venv/bin/python -m panelflow.roles.policy"
    )


@pytest.mark.parametrize(
    ("role", "permission", "expected"),
    [
        ("workflow_editor", Permission.PUBLISH_WORKFLOWS, True),
        ("workflow_editor", Permission.VIEW_PUPILS, False),  # editors do not read case notes
        ("la_admin", Permission.MANAGE_USERS, True),
        ("la_admin", Permission.VIEW_PUPILS, False),
        ("auditor", Permission.VIEW_AUDIT, True),
        ("auditor", Permission.VIEW_PUPILS, False),
        ("panel_chair", Permission.RUN_PANELS, True),
        ("school_staff", Permission.NOMINATE, True),
        ("school_staff", Permission.RUN_PANELS, False),
        ("camhs_practitioner", Permission.NOMINATE, False),
        ("camhs_practitioner", Permission.MANAGE_USERS, False),
    ],
)
def test_permissions_follow_the_matrix(role: str, permission: Permission, expected: bool) -> None:
    assert allowed(person("X", role), permission) is expected


def test_a_role_unknown_to_the_matrix_holds_nothing() -> None:
    assert not any(allowed(person("X", "made_up_role"), p) for p in Permission)


def test_school_staff_see_only_their_own_schools_roll(
    session: Session, world: dict[str, object]
) -> None:
    teacher = actor_for(make_account(session, "school_staff", school=world["park"]))  # type: ignore[arg-type]

    assert visible(session, teacher) == {"Amara", "Ella"}


def test_an_agency_sees_a_pupil_only_while_an_action_for_it_is_open(
    session: Session, world: dict[str, object]
) -> None:
    camhs = actor_for(make_account(session, "camhs_practitioner"))
    assert visible(session, camhs) == set()

    ben: Pupil = world["Ben"]  # type: ignore[assignment]
    case = open_case(session, ben, "school_panel", person("T", "school_staff"))
    action = Action(
        case_id=case.id,
        role="camhs_practitioner",
        agency="camhs",
        title="Offer a CAMHS consultation",
    )
    session.add(action)
    session.flush()
    assert visible(session, camhs) == {"Ben"}
    assert can(camhs, Permission.VIEW_PUPILS, ben.id, session)

    action.status = "accepted"
    session.flush()
    assert visible(session, camhs) == {"Ben"}

    action.status = "completed"  # involvement ended
    session.flush()
    assert visible(session, camhs) == set()
    assert not can(camhs, Permission.VIEW_PUPILS, ben.id, session)


def test_an_action_for_another_agency_does_not_open_the_case_to_everyone(
    session: Session, world: dict[str, object]
) -> None:
    ben: Pupil = world["Ben"]  # type: ignore[assignment]
    case = open_case(session, ben, "school_panel", person("T", "school_staff"))
    session.add(
        Action(
            case_id=case.id, role="youth_worker", agency="youth_service", title="Youth club place"
        )
    )
    session.flush()

    assert visible(session, actor_for(make_account(session, "youth_worker"))) == {"Ben"}
    assert visible(session, actor_for(make_account(session, "camhs_practitioner"))) == set()


def test_the_virtual_school_head_sees_flagged_pupils_in_their_authority_only(
    session: Session, world: dict[str, object]
) -> None:
    vsh = actor_for(make_account(session, "virtual_school_head", local_authority=world["wirral"]))  # type: ignore[arg-type]

    assert visible(session, vsh) == {"Chloe", "Ella"}  # not Dylan: another authority


@pytest.mark.parametrize("role", ["workflow_editor", "la_admin", "auditor"])
def test_la_roles_see_no_pupils(session: Session, world: dict[str, object], role: str) -> None:
    actor = actor_for(make_account(session, role, local_authority=world["wirral"]))  # type: ignore[arg-type]

    assert visible(session, actor) == set()
    assert not can(actor, Permission.VIEW_PUPILS, world["Amara"].id, session)  # type: ignore[attr-defined]


def test_can_without_a_pupil_asks_only_the_matrix(session: Session) -> None:
    assert can(person("C", "panel_chair"), Permission.RUN_PANELS)
    assert not can(person("E", "ewo"), Permission.RUN_PANELS)


def test_the_case_belongs_to_its_pupil_scope(session: Session, world: dict[str, object]) -> None:
    """A case is visible exactly when its pupil is (the case pages will ask through it)."""
    teacher = actor_for(make_account(session, "school_staff", school=world["rock"]))  # type: ignore[arg-type]
    case = open_case(session, world["Amara"], "school_panel", person("T", "school_staff"))  # type: ignore[arg-type]

    scoped = session.scalars(
        select(Case.id).join(Pupil, Pupil.id == Case.pupil_id).where(pupil_scope(teacher))
    ).all()

    assert case.id not in scoped
