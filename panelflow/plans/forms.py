"""The plan and review forms: reading what was typed, and showing it again.

A structured field is posted as plain inputs named by their part, the same paths the engine
uses for its messages (``support_plan-targets-2-by``), so every problem lands beside its
input. No JavaScript: the plan form has a fixed number of rows for commitments and targets
(and two spare rows beyond a plan that already has more); rows left blank are ignored.

``structured_inputs`` gives the step page a ``StructuredInput`` for each structured field
of the step: a dict (the raw value the engine checks) that also carries what the form needs
to show it again (the barrier list, who can be named, the current plan's targets) and,
after a refusal, the problems by path (``attach``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from sqlalchemy.orm import Session

from panelflow.cases.models import Case
from panelflow.plans.operations import story
from panelflow.workflows.definitions import FieldDef, TransitionDef, WorkflowSet
from panelflow.workflows.structured import (
    DECISIONS,
    MAX_ROWS,
    RATINGS,
    STRUCTURED_TYPES,
    SUPPORT_PLAN,
    parties,
)

COMMITMENT_ROWS = 6
TARGET_ROWS = 4
SPARE_ROWS = 2


class FormData(Protocol):
    def get(self, key: str, default: str = "") -> str: ...
    def getlist(self, key: str) -> list[str]: ...
    def __iter__(self) -> Iterator[str]: ...


class StructuredInput(dict[str, Any]):
    """What was typed in a structured field's form (a dict the engine reads as the raw value),
    with what the form needs to show it again."""

    def __init__(self, field: FieldDef, raw: Mapping[str, Any], context: Mapping[str, Any]) -> None:
        super().__init__(raw)
        self.field = field
        self.context = dict(context)
        self.problems: dict[str, str] = {}

    def problem(self, *parts: object) -> str | None:
        return self.problems.get("-".join([self.field.name, *map(str, parts)]))

    def rows(self, key: str) -> list[Mapping[str, Any]]:
        rows = list(self.get(key) or [])
        wanted = {"commitments": COMMITMENT_ROWS, "targets": TARGET_ROWS}.get(key, 0)
        filled = sum(1 for row in rows if any(str(v).strip() for v in row.values()))
        size = min(max(wanted, len(rows), filled + SPARE_ROWS), MAX_ROWS)
        return (rows + [{}] * size)[:size]


_ROW = re.compile(r"^(?P<name>[a-z][a-z0-9_]*)-(?P<part>commitments|targets|progress)-(?P<n>\d+)-")


def _row_count(form: FormData, name: str, part: str) -> int:
    highest = 0
    for key in form:
        match = _ROW.match(str(key))
        if match and match["name"] == name and match["part"] == part:
            highest = max(highest, int(match["n"]))
    return min(highest, MAX_ROWS)


def read(form: FormData, field: FieldDef, targets: int) -> dict[str, Any]:
    """The raw value of a structured field from the posted form."""
    n = field.name

    def rows(part: str, keys: tuple[str, ...], count: int) -> list[dict[str, str]]:
        return [
            {key: form.get(f"{n}-{part}-{i}-{key}", "") for key in keys}
            for i in range(1, count + 1)
        ]

    views = {
        "pupil_views": form.get(f"{n}-pupil_views", ""),
        "family_views": form.get(f"{n}-family_views", ""),
    }
    if field.type == SUPPORT_PLAN:
        return {
            "barriers": form.getlist(f"{n}-barriers"),
            "barrier_notes": form.get(f"{n}-barrier_notes", ""),
            "commitments": rows(
                "commitments", ("who", "what", "by"), _row_count(form, n, "commitments")
            ),
            "targets": rows("targets", ("target", "by"), _row_count(form, n, "targets")),
            "review_date": form.get(f"{n}-review_date", ""),
            **views,
        }
    return {
        "progress": rows("progress", ("rating", "notes"), targets),
        "decision": form.get(f"{n}-decision", ""),
        **views,
    }


def from_plan(plan: Mapping[str, Any] | None) -> dict[str, Any]:
    """The plan form filled in with the current plan, to change it."""
    if not plan:
        return {}
    return {
        "barriers": [f"{b['category']}: {b['barrier']}" for b in plan.get("barriers", [])],
        "barrier_notes": plan.get("barrier_notes", ""),
        "commitments": [dict(c) for c in plan.get("commitments", [])],
        "targets": [dict(t) for t in plan.get("targets", [])],
        "review_date": plan.get("review_date", ""),
        "pupil_views": plan.get("pupil_views", ""),
        "family_views": plan.get("family_views", ""),
    }


def context(
    definitions: WorkflowSet, field: FieldDef, plan: Mapping[str, Any] | None
) -> dict[str, Any]:
    """What a structured field's form shows besides what was typed."""
    if field.type == SUPPORT_PLAN:
        return {
            "barriers": [
                (category.replace("_", " ").capitalize(), category, kinds)
                for category, kinds in definitions.barriers.items()
            ],
            "parties": list(parties(definitions).items()),
        }
    return {
        "targets": list(plan.get("targets", [])) if plan else [],
        "ratings": list(RATINGS.items()),
        "decisions": list(DECISIONS.items()),
    }


def structured_inputs(
    definitions: WorkflowSet,
    transition: TransitionDef,
    plan: Mapping[str, Any] | None,
    form: FormData | None,
) -> dict[str, StructuredInput]:
    """A ``StructuredInput`` for each structured field of the step: what was posted, or on
    first showing, the current plan to change (a review starts blank)."""
    found: dict[str, StructuredInput] = {}
    targets = len(plan.get("targets", [])) if plan else 0
    for name in transition.records:
        field = definitions.fields[name]
        if field.type not in STRUCTURED_TYPES:
            continue
        if form is not None:
            raw = read(form, field, targets)
        elif field.type == SUPPORT_PLAN:
            raw = from_plan(plan)
        else:
            raw = {}
        found[name] = StructuredInput(field, raw, context(definitions, field, plan))
    return found


def attach(values: Mapping[str, Any], problems: Mapping[str, str]) -> None:
    """Give each structured input the problems about its parts."""
    for value in values.values():
        if isinstance(value, StructuredInput):
            prefix = value.field.name
            value.problems = {
                path: message
                for path, message in problems.items()
                if path == prefix or path.startswith(prefix + "-")
            }


def plan_inputs(
    session: Session,
    case: Case,
    definitions: WorkflowSet,
    transition: TransitionDef,
    form: FormData | None,
) -> dict[str, StructuredInput]:
    """The step page's hook: structured inputs for the step's fields, read against the
    case's current plan (only looked up when the step has a structured field)."""
    if not any(definitions.fields[n].type in STRUCTURED_TYPES for n in transition.records):
        return {}
    current = story(session, case).plan
    return structured_inputs(definitions, transition, current.value if current else None, form)
