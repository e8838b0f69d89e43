"""A case as a row of a list: its workflow's title and its state's label, in the words of the
version the case is pinned to (the key and the state's name if that version lacks them)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from panelflow.cases.models import Case
from panelflow.catalogue.operations import pinned
from panelflow.workflows.definitions import WorkflowDef


@dataclass(frozen=True)
class CaseRow:
    case: Case
    workflow: WorkflowDef | None

    @property
    def title(self) -> str:
        return self.workflow.title if self.workflow else self.case.workflow_key

    @property
    def state(self) -> str:
        return self.workflow.state_label(self.case.state) if self.workflow else self.case.state


@dataclass(frozen=True)
class OpenCase:
    case_id: int
    title: str
    state: str
    on_agenda: bool  # at a stage that puts it on the panel's next agenda


def open_cases(
    session: Session, pupil_ids: Collection[int], *where: ColumnElement[bool]
) -> dict[int, list[OpenCase]]:
    """Each pupil's open cases, oldest first (``where``: more conditions, such as the
    person's need-to-know), in two statements whatever the number of pupils."""
    found = session.execute(
        select(Case.id, Case.pupil_id, Case.workflow_key, Case.workflow_version_id, Case.state)
        .where(Case.pupil_id.in_(pupil_ids), Case.is_final.is_(False), *where)
        .order_by(Case.opened_at, Case.id)
    ).all()
    definitions = {
        version_id: pinned(session, version_id).engine.definitions
        for version_id in {c.workflow_version_id for c in found}
    }
    cases: dict[int, list[OpenCase]] = {pupil_id: [] for pupil_id in pupil_ids}
    for case_id, pupil_id, key, version_id, state in found:
        workflow = definitions[version_id].workflows.get(key)
        stage = workflow.states.get(state) if workflow else None
        cases[pupil_id].append(
            OpenCase(
                case_id,
                workflow.title if workflow else key.replace("_", " "),
                workflow.state_label(state) if workflow else state.replace("_", " "),
                bool(stage and stage.agenda),
            )
        )
    return cases
