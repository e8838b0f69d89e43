"""A case as a row of a list: its workflow's title and its state's label, in the words of the
version the case is pinned to (the key and the state's name if that version lacks them)."""

from __future__ import annotations

from dataclasses import dataclass

from panelflow.cases.models import Case
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
