"""Decide whether an actor may fire a trigger on a case, and if not, say why in words.

``Engine`` is built from one validated ``WorkflowSet`` (one published version) and is
stateless between decisions: the case's state and history come in as ``CaseFacts``, the
decision goes out as ``Allowed`` (what to write) or ``Refused`` (every reason, in plain
English). Persisting an ``Allowed`` is the operations layer's job.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from panelflow.workflows.definitions import (
    Effect,
    FieldDef,
    StateDef,
    TransitionDef,
    WorkflowDef,
    WorkflowSet,
)
from panelflow.workflows.facts import CaseFacts
from panelflow.workflows.machine import Subject, WorkflowMachine
from panelflow.workflows.money import MoneyError, parse_money
from panelflow.workflows.structured import STRUCTURED_TYPES, is_blank
from panelflow.workflows.structured import clean as clean_structured

TIMER_ROLE = "system"


@dataclass(frozen=True)
class Reason:
    """Why a step was refused.

    ``kind`` is one of: unknown_workflow, unknown_state, unknown_trigger, wrong_state, final,
    not_allowed, missing_field, invalid_field, condition, unless, conflict, not_permitted.
    ``field`` names the field a missing_field or invalid_field reason is about, so a form can
    show the message beside it.
    """

    kind: str
    message: str
    field: str | None = None


@dataclass(frozen=True)
class Refused:
    trigger: str
    reasons: tuple[Reason, ...]

    @property
    def message(self) -> str:
        return "; ".join(r.message for r in self.reasons)

    def __bool__(self) -> bool:
        return False


@dataclass(frozen=True)
class Allowed:
    transition: TransitionDef
    role: str
    source: str
    dest: StateDef
    fields: Mapping[str, Any]

    @property
    def effects(self) -> tuple[Effect, ...]:
        return self.transition.effects

    def __bool__(self) -> bool:
        return True


@dataclass(frozen=True)
class Option:
    """A step that leaves the case's current state, and whether this actor could take it now."""

    transition: TransitionDef
    permitted: bool
    blockers: tuple[Reason, ...]

    @property
    def available(self) -> bool:
        return self.permitted and not self.blockers


def _words(labels: list[str]) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " or " + labels[-1]


class Engine:
    """Decisions for every workflow of one published version."""

    def __init__(self, definitions: WorkflowSet) -> None:
        self.definitions = definitions
        self.machines = {
            key: WorkflowMachine(wf, definitions) for key, wf in definitions.workflows.items()
        }

    def workflow(self, key: str) -> WorkflowDef | None:
        return self.definitions.workflows.get(key)

    # -- deciding --------------------------------------------------------------------------
    def decide(
        self,
        workflow_key: str,
        facts: CaseFacts,
        trigger: str,
        actor_roles: Collection[str],
        data: Mapping[str, Any] | None = None,
    ) -> Allowed | Refused:
        """May someone holding ``actor_roles`` fire ``trigger``, recording ``data``?

        The timer acts with the role ``system``: it is not subject to ``allowed:``.
        """
        data = data or {}
        wf = self.definitions.workflows.get(workflow_key)
        if wf is None:
            return self._refuse(
                trigger, "unknown_workflow", f"this version has no workflow '{workflow_key}'"
            )
        state = wf.states.get(facts.state)
        if state is None:
            return self._refuse(
                trigger,
                "unknown_state",
                f"the case is at '{facts.state}', which this workflow version does not define",
            )
        if state.final:
            return self._refuse(
                trigger,
                "final",
                f"the case is closed ('{state.label}'); nothing more can happen on it",
            )
        transition = wf.transition(trigger, facts.state)
        if transition is None:
            return self._no_transition(wf, state, trigger)

        reasons: list[Reason] = []
        role = self._acting_role(transition, actor_roles)
        if role is None:
            allowed = [self.definitions.role_label(r) for r in transition.allowed]
            reasons.append(
                Reason(
                    "not_allowed",
                    f"'{transition.label}' can only be taken by "
                    f"{_words(allowed)}, and you do not hold that role",
                )
            )
        fields, field_reasons = self.clean_fields(transition, data, facts)
        reasons.extend(field_reasons)

        subject = Subject(facts.state, facts)
        if not reasons and self.machines[wf.key].run(trigger, subject):
            return Allowed(
                transition, role or TIMER_ROLE, facts.state, wf.states[subject.state], fields
            )
        reasons.extend(self.blockers(wf, transition, subject))
        if not reasons:  # the machine refused without a condition failing: never silently
            reasons.append(Reason("condition", f"'{transition.label}' cannot be taken now"))
        return Refused(trigger, tuple(reasons))

    def options(
        self, workflow_key: str, facts: CaseFacts, actor_roles: Collection[str]
    ) -> list[Option]:
        """Every step out of the case's current state, with what stands in its way."""
        wf = self.definitions.workflows.get(workflow_key)
        if wf is None or facts.state not in wf.states or wf.states[facts.state].final:
            return []
        subject = Subject(facts.state, facts)
        return [
            Option(
                t,
                self._acting_role(t, actor_roles) is not None,
                tuple(self.blockers(wf, t, subject)),
            )
            for t in wf.transitions_from(facts.state)
        ]

    def blockers(self, wf: WorkflowDef, t: TransitionDef, subject: Subject) -> list[Reason]:
        """The conditions of ``t`` that are not met (and ``unless`` ones that are)."""
        machine = self.machines[wf.key]
        reasons = []
        for spec in t.conditions:
            outcome = machine.check(spec, subject)
            if not outcome.met:
                reasons.append(Reason("condition", outcome.unmet_message))
        for spec in t.unless:
            outcome = machine.check(spec, subject)
            if outcome.met:
                reasons.append(Reason("unless", f"not while {outcome.met_message}"))
        return reasons

    # -- helpers ---------------------------------------------------------------------------
    @staticmethod
    def _acting_role(t: TransitionDef, actor_roles: Collection[str]) -> str | None:
        if TIMER_ROLE in actor_roles:
            return TIMER_ROLE
        for role in t.allowed:  # the file's order, so the role recorded is predictable
            if role in actor_roles:
                return role
        return None

    def _no_transition(self, wf: WorkflowDef, state: StateDef, trigger: str) -> Refused:
        elsewhere = [t for t in wf.transitions if t.trigger == trigger]
        if not elsewhere:
            return self._refuse(
                trigger, "unknown_trigger", f"'{trigger}' is not a step of {wf.title}"
            )
        sources = sorted({wf.state_label(s) for t in elsewhere for s in t.sources if s != "*"})
        return self._refuse(
            trigger,
            "wrong_state",
            f"'{elsewhere[0].label}' cannot be taken while the case is at '{state.label}'"
            + (f"; it can be taken from {_words([repr(s) for s in sources])}" if sources else ""),
        )

    @staticmethod
    def _refuse(trigger: str, kind: str, message: str) -> Refused:
        return Refused(trigger, (Reason(kind, message),))

    def clean_fields(
        self, t: TransitionDef, data: Mapping[str, Any], facts: CaseFacts | None = None
    ) -> tuple[dict[str, Any], list[Reason]]:
        """Check and normalise what the person recorded: the step's required fields and any
        optional ones they filled in. Anything else in ``data`` is not recorded.

        A structured value (a support plan, a plan review) is checked part by part: each
        problem is its own reason, whose ``field`` is the path of the part
        (``support_plan-targets-2-by``). A review is checked against the case's current plan,
        read from ``facts``."""
        cleaned: dict[str, Any] = {}
        reasons: list[Reason] = []
        for name in t.records:
            definition = self.definitions.fields[name]
            raw = data.get(name)
            if definition.type in STRUCTURED_TYPES:
                if is_blank(raw) and name not in t.requires:
                    continue
                value, parts = clean_structured(
                    definition,
                    raw,
                    self.definitions,
                    history=facts.history() if facts is not None else (),
                    today=facts.now.date() if facts is not None else None,
                )
                reasons.extend(Reason("invalid_field", message, path) for path, message in parts)
                if not parts:
                    cleaned[name] = value
                continue
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if name in t.requires:
                    reasons.append(
                        Reason(
                            "missing_field",
                            f"record '{definition.label}' to take this step",
                            name,
                        )
                    )
                continue
            value, problem = _clean(definition, raw)
            if problem:
                reasons.append(Reason("invalid_field", problem, name))
            else:
                cleaned[name] = value
        return cleaned, reasons


def _clean(field: FieldDef, raw: Any) -> tuple[Any, str | None]:
    label = field.label
    if field.type in ("text", "long_text"):
        return str(raw).strip(), None
    if field.type == "choice":
        value = str(raw).strip()
        if value not in field.options:
            return None, f"'{label}' must be one of: {', '.join(field.options)}"
        return value, None
    if field.type == "yes_no":
        if isinstance(raw, bool):
            return raw, None
        value = str(raw).strip().lower()
        if value in ("yes", "true", "y"):
            return True, None
        if value in ("no", "false", "n"):
            return False, None
        return None, f"'{label}' must be yes or no"
    if field.type == "number":
        try:
            return int(str(raw).strip()), None
        except ValueError:
            return None, f"'{label}' must be a whole number, like 3"
    if field.type == "money":
        try:
            return parse_money(str(raw)), None
        except MoneyError as error:
            return None, f"'{label}': {error}"
    if field.type == "date":
        if isinstance(raw, date):
            return raw.isoformat(), None
        try:
            return date.fromisoformat(str(raw).strip()).isoformat(), None
        except ValueError:
            return None, f"'{label}' must be a real date, like 2026-03-27"
    return str(raw), None
