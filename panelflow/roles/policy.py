"""The one access policy: which permissions each role holds, and need-to-know over pupils.

Every view and every operation asks ``can(actor, permission, pupil)``; list pages filter in
SQL with ``pupil_scope(actor)`` and never fetch-then-hide. A record outside someone's scope
answers 404 (its existence does not leak). Transitions keep their YAML ``allowed:`` roles on
top of this policy.

Need-to-know, as the product brief puts it:

- school staff see pupils on their own school's roll;
- an agency sees a pupil of a school in its local authority once one of their cases has an
  action addressed to the agency that is still open or accepted, or while a case of a
  workflow that ``involves:`` the agency is open (an ``Involvement`` row without an end), and
  only while it is; withdrawn or expired consent to share with the agency ends both at once
  (``sharing.operations``);
- virtual school heads see looked-after and previously looked-after children, and children
  with a social worker, in their local authority;
- workflow editors change workflows but do not read case notes by virtue of that role;
- auditors read the audit trail.

The matrix below is the documentation: ``docs/access.md`` is generated from it
(``python -m panelflow.roles.policy``) and a test checks the two agree. A role declared in
the workflow file but missing here holds no permission until it is added.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ColumnElement, and_, exists, false, or_, select

from panelflow.roles import Actor


class Permission(StrEnum):
    VIEW_WORKFLOWS = "view_workflows"
    PUBLISH_WORKFLOWS = "publish_workflows"
    VIEW_PUPILS = "view_pupils"
    NOMINATE = "nominate"
    RUN_PANELS = "run_panels"
    WORK_ON_CASES = "work_on_cases"
    MANAGE_USERS = "manage_users"
    MANAGE_BUDGETS = "manage_budgets"
    VIEW_AUDIT = "view_audit"
    EXPORT = "export"
    RECORD_SHARING = "record_sharing"
    IMPORT_ATTENDANCE = "import_attendance"
    VIEW_IMPACT = "view_impact"


DESCRIPTIONS = {
    Permission.VIEW_WORKFLOWS: "Read the published workflows, their steps and diagrams",
    Permission.PUBLISH_WORKFLOWS: "Publish a new workflow version and migrate cases to it",
    Permission.VIEW_PUPILS: "See pupils and their cases, within need-to-know",
    Permission.NOMINATE: "Nominate a pupil on their school's roll to the school's panel",
    Permission.RUN_PANELS: "Run panel meetings: agenda, discussion, actions, funding",
    Permission.WORK_ON_CASES: "Take workflow steps and work on actions, within need-to-know",
    Permission.MANAGE_USERS: "Create accounts and grant or remove roles",
    Permission.MANAGE_BUDGETS: (
        "Set panels' budgets and the group programmes on offer (totals only, no pupils)"
    ),
    Permission.VIEW_AUDIT: "Search the audit trail and verify its chain",
    Permission.EXPORT: "Export records (each export is audited)",
    Permission.RECORD_SHARING: (
        "Record consent or a lawful basis to share a pupil's cases with an agency, and its "
        "withdrawal, within need-to-know"
    ),
    Permission.IMPORT_ATTENDANCE: (
        "Import the school's attendance from its management information system's export"
    ),
    Permission.VIEW_IMPACT: (
        "See impact reports and barrier themes (counts only, small groups suppressed): "
        "the person's school, or every school for the local authority's roles"
    ),
}

P = Permission
_PRACTITIONER = frozenset({P.VIEW_WORKFLOWS, P.VIEW_PUPILS, P.WORK_ON_CASES})

MATRIX: dict[str, frozenset[Permission]] = {
    "panel_chair": _PRACTITIONER
    | {P.NOMINATE, P.RUN_PANELS, P.EXPORT, P.RECORD_SHARING}
    | {P.IMPORT_ATTENDANCE, P.VIEW_IMPACT},
    "attendance_lead": _PRACTITIONER
    | {P.NOMINATE, P.RUN_PANELS, P.EXPORT, P.RECORD_SHARING}
    | {P.IMPORT_ATTENDANCE, P.VIEW_IMPACT},
    "school_staff": _PRACTITIONER | {P.NOMINATE},
    "social_worker": _PRACTITIONER,
    "camhs_practitioner": _PRACTITIONER,
    "youth_worker": _PRACTITIONER,
    "ewo": _PRACTITIONER | {P.RECORD_SHARING, P.VIEW_IMPACT},
    "educational_psychologist": _PRACTITIONER,
    "inclusion_facilitator": _PRACTITIONER,
    "virtual_school_head": _PRACTITIONER | {P.EXPORT},
    "workflow_editor": frozenset({P.VIEW_WORKFLOWS, P.PUBLISH_WORKFLOWS}),
    "la_admin": frozenset({P.VIEW_WORKFLOWS, P.MANAGE_USERS, P.MANAGE_BUDGETS, P.VIEW_IMPACT}),
    "auditor": frozenset({P.VIEW_WORKFLOWS, P.VIEW_AUDIT, P.EXPORT}),
}

# Agencies whose staff see pupils by the school roll, or by the local authority's flags.
SCHOOL_AGENCY = "school"
VIRTUAL_SCHOOL_ROLE = "virtual_school_head"
INVOLVED_STATUSES = ("open", "accepted")


def permissions(actor: Actor) -> frozenset[Permission]:
    """Everything the actor may do, from all the roles they hold."""
    held: set[Permission] = set()
    for role in actor.roles:
        held |= MATRIX.get(role, frozenset())
    return frozenset(held)


def allowed(actor: Actor, permission: Permission) -> bool:
    return permission in permissions(actor)


def pupil_scope(actor: Actor) -> ColumnElement[bool]:
    """A SQL condition on ``Pupil`` that is true exactly for the pupils the actor may see."""
    from panelflow.actions.models import Action
    from panelflow.cases.models import Case
    from panelflow.organisations.models import Pupil, School
    from panelflow.sharing.models import Involvement

    if not allowed(actor, Permission.VIEW_PUPILS):
        return false()
    reasons: list[ColumnElement[bool]] = []
    if actor.agency == SCHOOL_AGENCY and actor.school_id is not None:
        reasons.append(Pupil.school_id == actor.school_id)
    if VIRTUAL_SCHOOL_ROLE in actor.roles and actor.local_authority_id is not None:
        in_authority = exists(
            select(School.id).where(
                School.id == Pupil.school_id,
                School.local_authority_id == actor.local_authority_id,
            )
        )
        from panelflow.virtual_school.scope import covered  # the live file's rule

        flagged = covered()
        reasons.append(and_(in_authority, flagged))
    if actor.agency != SCHOOL_AGENCY and actor.local_authority_id is not None:
        involved = exists(
            select(Action.id)
            .join(Case, Case.id == Action.case_id)
            .join(School, School.id == Pupil.school_id)
            .where(
                Case.pupil_id == Pupil.id,
                Action.agency == actor.agency,
                Action.status.in_(INVOLVED_STATUSES),
                School.local_authority_id == actor.local_authority_id,
            )
        )
        reasons.append(involved)
        # While a case of a workflow that involves the agency is open (``involves:``).
        in_open_case = exists(
            select(Involvement.id)
            .join(School, School.id == Pupil.school_id)
            .where(
                Involvement.pupil_id == Pupil.id,
                Involvement.agency == actor.agency,
                Involvement.ended_at.is_(None),
                School.local_authority_id == actor.local_authority_id,
            )
        )
        reasons.append(in_open_case)
    return or_(*reasons) if reasons else false()


def case_scope(actor: Actor) -> ColumnElement[bool]:
    """A SQL condition on ``Case`` true exactly for the cases the actor may see.

    Whoever sees a pupil by the school roll or the virtual school's flags sees all the
    pupil's cases. Another agency sees only the linked cases (one group) where it has an
    action open or accepted, or an open involvement (a case of a workflow that involves it,
    still open): a CAMHS practitioner asked to help through the panel does not read the
    statutory referral that grew out of it unless asked there too.
    """
    from sqlalchemy.orm import aliased

    from panelflow.actions.models import Action
    from panelflow.cases.models import Case
    from panelflow.organisations.models import Pupil
    from panelflow.sharing.models import Involvement

    if not allowed(actor, Permission.VIEW_PUPILS):
        return false()
    pupil_visible = Case.pupil_id.in_(select(Pupil.id).where(pupil_scope(actor)))
    if actor.agency == SCHOOL_AGENCY:
        return pupil_visible
    involving = aliased(Case)
    whole: list[ColumnElement[bool]] = [
        exists(
            select(Action.id)
            .join(involving, involving.id == Action.case_id)
            .where(
                involving.group_id == Case.group_id,
                Action.agency == actor.agency,
                Action.status.in_(INVOLVED_STATUSES),
            )
        ),
        exists(
            select(Involvement.id).where(
                Involvement.group_id == Case.group_id,
                Involvement.agency == actor.agency,
                Involvement.ended_at.is_(None),
            )
        ),
    ]
    if VIRTUAL_SCHOOL_ROLE in actor.roles:
        from panelflow.virtual_school.scope import covered  # the live file's rule

        flagged = covered()
        whole.append(Case.pupil_id.in_(select(Pupil.id).where(flagged)))
    return and_(pupil_visible, or_(*whole))


def can(
    actor: Actor, permission: Permission, pupil_id: int | None = None, session: object = None
) -> bool:
    """May ``actor`` do ``permission`` (to the pupil ``pupil_id``, if given)?

    With a pupil, need-to-know applies and is checked in the database with the same SQL as
    the list pages use, so the two can never disagree.
    """
    if not allowed(actor, permission):
        return False
    if pupil_id is None:
        return True
    from sqlalchemy.orm import Session

    from panelflow.organisations.models import Pupil

    assert isinstance(session, Session), "checking a pupil needs a database session"
    found = session.scalar(select(Pupil.id).where(Pupil.id == pupil_id, pupil_scope(actor)))
    return found is not None


def can_on_case(actor: Actor, permission: Permission, case_id: int, session: object) -> bool:
    """May ``actor`` do ``permission`` to the case ``case_id``, within need-to-know?"""
    if not allowed(actor, permission):
        return False
    from sqlalchemy.orm import Session

    from panelflow.cases.models import Case

    assert isinstance(session, Session), "checking a case needs a database session"
    return session.scalar(select(Case.id).where(Case.id == case_id, case_scope(actor))) is not None


def matrix_markdown(role_labels: dict[str, str]) -> str:
    """docs/access.md: the matrix and the need-to-know rules, generated from this module."""
    roles = list(MATRIX)
    header = "| Permission | " + " | ".join(role_labels.get(r, r) for r in roles) + " |"
    lines = [
        "# Who can do what in panelflow",
        "",
        "Generated from `panelflow/roles/policy.py` by `python -m panelflow.roles.policy`;",
        "a test fails if this page and the code disagree. Roles are those of",
        "`config/workflows.yaml`; a step in a workflow is also limited to its `allowed:` roles.",
        "",
        "## Permissions by role",
        "",
        header,
        "|---|" + "---|" * len(roles),
    ]
    for permission in Permission:
        marks = " | ".join("yes" if permission in MATRIX[r] else "" for r in roles)
        lines.append(f"| {DESCRIPTIONS[permission]} (`{permission.value}`) | {marks} |")
    lines += [
        "",
        "## Need-to-know: which pupils each person sees",
        "",
        "Seeing pupils (`view_pupils`) is further limited, in the database query itself:",
        "",
        "- **School staff** see pupils on their own school's roll.",
        "- **Other agencies** see a pupil at a school in their local authority while one of "
        "the pupil's cases has an action addressed to their agency that is open or accepted; "
        "when the action is completed or declined, the pupil drops out of their view. They "
        "see only the cases linked to the one holding that action (an escalation, a "
        "consultation or a referral that grew out of it), not the pupil's other cases.",
        "- **Agencies a workflow involves** (its `involves:` list, such as educational "
        "psychology on an EWO consultation, or the attendance service's EWOs on support "
        "first) see the pupil and the cases linked to such a case while it is open, without "
        "an action; when it closes, they no longer do.",
        "- **Withdrawn or expired consent** to share with an agency ends that agency's open "
        "and accepted actions on the pupil's cases (they show as *withdrawn*) and its "
        "involvement in them, at once; the pupil drops out of the agency's view unless "
        "another basis for sharing still stands. See `docs/information-sharing.md`.",
        "- **Virtual school heads** also see looked-after and previously looked-after "
        "children, and children with a social worker, at schools in their local authority.",
        "- **Workflow editors, administrators and auditors** see no pupils by virtue of those "
        "roles.",
        "",
        "A pupil or case outside someone's view answers *page not found*, so its existence "
        "does not leak. Every refusal is written to the audit trail.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - regenerates docs/access.md
    from pathlib import Path

    from panelflow.workflows.validation import validate_text

    root = Path(__file__).resolve().parents[2]
    result = validate_text((root / "config" / "workflows.yaml").read_bytes())
    assert result.definitions is not None
    labels = {name: role.label for name, role in result.definitions.roles.items()}
    (root / "docs" / "access.md").write_text(matrix_markdown(labels), encoding="utf-8")
    print("wrote docs/access.md")
