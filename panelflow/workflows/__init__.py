"""The workflow engine core.

Loads the YAML that local authorities edit, validates it into typed definitions, builds
``transitions`` state machines from them and decides whether an actor may fire a trigger on a
case. It imports neither Flask nor a database session, so it can be tested and benchmarked on
its own; the operations layer (``panelflow.cases.operations``) persists what it decides.
"""

from panelflow.workflows.definitions import (
    Effect,
    FieldDef,
    RoleDef,
    StateDef,
    TimerDef,
    TransitionDef,
    WorkflowDef,
    WorkflowSet,
)
from panelflow.workflows.engine import Allowed, Engine, Option, Reason, Refused
from panelflow.workflows.facts import CaseFacts, HistoryEntry, StaticFacts
from panelflow.workflows.validation import Problem, ValidationResult, validate_text

__all__ = [
    "Allowed",
    "CaseFacts",
    "Effect",
    "Engine",
    "FieldDef",
    "HistoryEntry",
    "Option",
    "Problem",
    "Reason",
    "Refused",
    "RoleDef",
    "StateDef",
    "StaticFacts",
    "TimerDef",
    "TransitionDef",
    "ValidationResult",
    "WorkflowDef",
    "WorkflowSet",
    "validate_text",
]
