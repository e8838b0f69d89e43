"""Build ``transitions`` state machines from validated definitions.

One machine is built per workflow of a published version and shared by every request; it holds
no case. A decision runs the machine on a throwaway ``Subject`` that carries the case's current
state and facts, so the case's state stays a plain database column and no methods are added to
any model. Conditions are configured by their YAML text (data, not lambdas), and this machine
resolves each text to the condition library.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from transitions import EventData, Machine

from panelflow.workflows.conditions import ConditionSpec, Outcome, evaluate
from panelflow.workflows.definitions import WILDCARD, WorkflowDef, WorkflowSet
from panelflow.workflows.facts import CaseFacts


@dataclass
class Subject:
    """What the machine moves: a case's state and facts, for the length of one decision."""

    state: str
    facts: CaseFacts
    outcomes: dict[str, Outcome] = field(default_factory=dict)


def machine_config(workflow: WorkflowDef) -> dict[str, Any]:
    """The ``transitions`` configuration of a workflow, as plain data."""
    non_final = [name for name, s in workflow.states.items() if not s.final]
    return {
        "states": [
            {"name": s.name, "final": s.final} if s.final else s.name
            for s in workflow.states.values()
        ],
        "transitions": [
            {
                "trigger": t.trigger,
                "source": non_final if WILDCARD in t.sources else list(t.sources),
                "dest": t.dest,
                "conditions": [c.text for c in t.conditions],
                "unless": [c.text for c in t.unless],
            }
            for t in workflow.transitions
        ],
        "initial": workflow.initial,
        "auto_transitions": False,
        "send_event": True,
        "ignore_invalid_triggers": True,
    }


class WorkflowMachine(Machine):
    """A ``transitions`` machine whose condition names are resolved to the library."""

    def __init__(self, workflow: WorkflowDef, names: WorkflowSet) -> None:
        self.workflow = workflow
        self.names = names
        self.specs: dict[str, ConditionSpec] = {
            spec.text: spec for t in workflow.transitions for spec in (*t.conditions, *t.unless)
        }
        super().__init__(model=None, name=workflow.key, **machine_config(workflow))

    @staticmethod
    def resolve_callable(
        func: str | Callable[..., bool | None], event_data: EventData
    ) -> Callable[..., bool | None]:
        """Resolve a condition's YAML text to the library; anything else as transitions does."""
        machine = event_data.machine
        if isinstance(func, str) and isinstance(machine, WorkflowMachine) and func in machine.specs:
            spec = machine.specs[func]
            return lambda data: machine.check(spec, data.model).met
        return Machine.resolve_callable(func, event_data)

    def check(self, spec: ConditionSpec, subject: Subject) -> Outcome:
        """Evaluate a condition once per decision, remembering the outcome."""
        outcome = subject.outcomes.get(spec.text)
        if outcome is None:
            outcome = evaluate(spec, subject.facts, self.names)
            subject.outcomes[spec.text] = outcome
        return outcome

    def run(self, trigger: str, subject: Subject) -> bool:
        """Fire ``trigger`` on the subject; True when the state changed."""
        event = self.events.get(trigger)
        if event is None:
            return False
        return bool(event.trigger(subject))
