"""The ``virtual_school:`` section of a workflow file: every mistake at its LINE:COLUMN with a
plain message; the rule carried on the definitions; and need-to-know following the live
version's rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow import web
from panelflow.accounts.operations import actor_for
from panelflow.catalogue.models import WorkflowVersion
from panelflow.catalogue.operations import publish
from panelflow.organisations.models import Pupil
from panelflow.roles import Actor
from panelflow.roles.policy import pupil_scope
from panelflow.virtual_school.scope import live_rule
from panelflow.workflows.definitions import DEFAULT_VIRTUAL_SCHOOL, VirtualSchoolRule
from panelflow.workflows.validation import validate_text
from tests.factories import make_account, make_local_authority, make_pupil, make_school

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = (ROOT / "config" / "workflows.yaml").read_text(encoding="utf-8")
BASE = """\
roles:
  panel_chair:
    agency: school
    label: Panel chair
workflows:
  w:
    title: W
    initial: a
    states:
      - a
      - name: z
        final: true
    transitions:
      - trigger: escalate
        source: a
        dest: z
        allowed: [panel_chair]
"""
FIRST = BASE.count("\n") + 1  # the line 'virtual_school:' is written on


def problems(section: str) -> list[str]:
    result = validate_text(BASE + section)
    assert result.definitions is None
    return [f"{p.line}:{p.column}: {p.message}" for p in result.problems]


def test_the_shipped_file_follows_every_flag_and_names_the_steps_to_tell() -> None:
    result = validate_text(SHIPPED)

    assert result.ok, result.problems
    assert result.definitions is not None
    rule = result.definitions.virtual_school
    assert rule is not None
    assert rule.pupils == ("looked_after", "previously_looked_after", "has_social_worker")
    assert {"add_to_agenda", "escalate_to_support_first", "refer_to_social_care"} <= set(
        rule.tell_when
    )


def test_a_valid_section_becomes_the_rule() -> None:
    result = validate_text(
        BASE + "virtual_school:\n  pupils: looked_after or has_social_worker\n"
        "  tell_when: [escalate, escalate]\n"
    )

    assert result.definitions is not None
    assert result.definitions.virtual_school == VirtualSchoolRule(
        ("looked_after", "has_social_worker"), ("escalate",)
    )


def test_without_the_section_there_is_no_rule_and_the_default_applies() -> None:
    result = validate_text(BASE)

    assert result.definitions is not None and result.definitions.virtual_school is None
    assert DEFAULT_VIRTUAL_SCHOOL.pupils == (
        "looked_after",
        "previously_looked_after",
        "has_social_worker",
    )
    assert DEFAULT_VIRTUAL_SCHOOL.tell_when == ()


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (
            "virtual_school:\n  pupils: looked_after and has_social_worker\n",
            f"{FIRST + 1}:11: 'pupils' of 'virtual_school' joins flags with 'and'; the virtual "
            "school head sees a pupil with any one of the flags, so join them with 'or', like "
            "'looked_after or previously_looked_after or has_social_worker'",
        ),
        (
            "virtual_school:\n  pupils: looked_after or prevously_looked_after\n",
            f"{FIRST + 1}:11: 'prevously_looked_after' in 'pupils' of 'virtual_school' is not "
            "a flag the virtual school follows; did you mean 'previously_looked_after'? "
            "(flags: looked_after, previously_looked_after, has_social_worker, joined by 'or')",
        ),
        (
            "virtual_school:\n  pupils: has_ehcp\n",
            f"{FIRST + 1}:11: 'has_ehcp' in 'pupils' of 'virtual_school' is not a flag the "
            "virtual school follows (flags: looked_after, previously_looked_after, "
            "has_social_worker, joined by 'or')",
        ),
        (
            "virtual_school:\n  pupils: looked_after or\n",
            f"{FIRST + 1}:11: 'pupils' of 'virtual_school' has an 'or' with nothing on one side",
        ),
        (
            "virtual_school:\n  pupils: looked_after or looked_after\n",
            f"{FIRST + 1}:11: 'pupils' of 'virtual_school' names 'looked_after' twice",
        ),
        (
            "virtual_school:\n  pupils:\n",
            f"{FIRST + 1}:10: 'pupils' of 'virtual_school' is empty; write a value after the ':'",
        ),
        (
            "virtual_school:\n  tell_when: [escalate]\n",
            f"{FIRST + 1}:3: 'virtual_school' has no 'pupils': add 'pupils:' with the flags of the "
            "pupils the virtual school head sees, like 'looked_after or "
            "previously_looked_after or has_social_worker'",
        ),
        (
            "virtual_school:\n  pupils: looked_after\n  tell_when:\n    - escalat\n",
            f"{FIRST + 3}:7: step 'escalat' in 'tell_when' of 'virtual_school' is not a "
            "trigger of any workflow; did you mean 'escalate'?",
        ),
        (
            "virtual_school:\n  pupils: looked_after\n  tel_when: [escalate]\n",
            f"{FIRST + 2}:3: unknown key 'tel_when' in 'virtual_school'; did you mean "
            "'tell_when'? (allowed here: pupils, tell_when)",
        ),
        (
            "virtual_school:\n  - looked_after\n",
            f"{FIRST + 1}:3: 'virtual_school' must be a section of 'key: value' lines, but it "
            "is a list",
        ),
    ],
    ids=[
        "and",
        "typo",
        "not-a-virtual-school-flag",
        "dangling-or",
        "twice",
        "empty",
        "no-pupils",
        "unknown-step",
        "unknown-key",
        "list",
    ],
)
def test_mistakes_are_explained_at_their_line(section: str, expected: str) -> None:
    assert problems(section) == [expected]


def test_a_mistake_in_the_section_is_reported_with_the_file_s_other_problems() -> None:
    broken = BASE.replace("allowed: [panel_chair]", "allowed: [panel_chiar]")

    result = validate_text(broken + "virtual_school:\n  pupils: looked_after and has_send\n")

    messages = [p.message for p in result.problems]
    assert any("panel_chiar" in m for m in messages)
    assert any("joins flags with 'and'" in m for m in messages)


# --- need-to-know follows the live version's rule ------------------------------------------


def _visible(session: Session, actor: Actor) -> set[str]:
    return set(session.scalars(select(Pupil.given_name).where(pupil_scope(actor))))


def test_the_virtual_school_head_sees_what_the_live_rule_says(
    app: Flask, session: Session, published: WorkflowVersion, editor: Actor
) -> None:
    wirral = make_local_authority(session, "Wirral Council")
    school = make_school(session, "Rock Ferry High", local_authority=wirral)
    make_pupil(session, school, given_name="Chloe", looked_after=True)
    make_pupil(session, school, given_name="Ella", has_social_worker=True)
    make_pupil(session, school, given_name="Ben")
    head = actor_for(make_account(session, "virtual_school_head", local_authority=wirral))
    session.commit()

    with app.test_request_context():  # as a page would: the request's session reads it all
        assert _visible(web.session(), head) == {"Chloe", "Ella"}

    narrower = SHIPPED.replace(
        "pupils: looked_after or previously_looked_after or has_social_worker",
        "pupils: looked_after or previously_looked_after",
    )
    assert narrower != SHIPPED
    assert publish(session, narrower, "config/workflows.yaml", editor).ok
    session.commit()

    assert live_rule(session).pupils == ("looked_after", "previously_looked_after")
    session.commit()
    with app.test_request_context():
        assert _visible(web.session(), head) == {"Chloe"}
