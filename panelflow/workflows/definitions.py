"""Typed, immutable definitions of a validated workflow file.

Validation (``validation.py``) is the only producer of these objects; everything downstream
(the engine, diagrams, the catalogue, diffs) reads them and never the raw YAML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from panelflow.workflows.conditions import ConditionSpec
from panelflow.workflows.durations import Duration

WILDCARD = "*"
REFLEXIVE = "="  # ``dest: "="``: stay in the same state, entering it again (timers restart)


@dataclass(frozen=True)
class RoleDef:
    name: str
    agency: str
    label: str


@dataclass(frozen=True)
class FieldDef:
    """Something a person records when firing a transition (a reason, an outcome...)."""

    name: str
    label: str
    type: str = "text"
    options: tuple[str, ...] = ()
    hint: str = ""


@dataclass(frozen=True)
class TimerDef:
    """``after`` entering the state, either ``fire`` a trigger or raise a ``flag``."""

    after: Duration
    fire: str | None = None
    flag: str | None = None


@dataclass(frozen=True)
class StateDef:
    name: str
    label: str
    description: str = ""
    final: bool = False
    timers: tuple[TimerDef, ...] = ()
    # Cases in this state go on the agenda of their school's next panel meeting.
    agenda: bool = False


@dataclass(frozen=True)
class Effect:
    """Something that happens when a transition is taken.

    ``kind`` is ``create_action`` (``role`` or ``agency``, ``title``, optional ``due``) or
    ``open_case`` (``workflow``).
    """

    kind: str
    role: str | None = None
    agency: str | None = None
    title: str | None = None
    due: Duration | None = None
    workflow: str | None = None


@dataclass(frozen=True)
class TransitionDef:
    trigger: str
    label: str
    sources: tuple[str, ...]
    dest: str | None  # a state; REFLEXIVE; or None for an internal step (state and timers stay)
    allowed: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    conditions: tuple[ConditionSpec, ...] = ()
    unless: tuple[ConditionSpec, ...] = ()
    effects: tuple[Effect, ...] = ()
    description: str = ""
    # Roles who may give the second sign-off; empty: the step is taken by one person alone.
    sign_off: tuple[str, ...] = ()
    # A safeguarding step: from any open state, with no conditions and no sign-off, so that
    # nothing in the record can ever hold it back (the validator makes sure of it).
    safeguarding: bool = False
    # Conditions that, when all hold, make the case page suggest this step (never required).
    suggested_when: tuple[ConditionSpec, ...] = ()

    def leaves(self, state: str) -> bool:
        return WILDCARD in self.sources or state in self.sources

    @property
    def internal(self) -> bool:
        """The case stays where it is and its timers carry on."""
        return self.dest is None

    def target(self, state: str) -> str:
        """The state a case at ``state`` is in after this step."""
        return state if self.dest in (None, REFLEXIVE) else str(self.dest)

    @property
    def records(self) -> tuple[str, ...]:
        """Every field a person records with this step: required first, then optional."""
        return self.requires + tuple(f for f in self.optional if f not in self.requires)


@dataclass(frozen=True)
class WorkflowDef:
    key: str
    title: str
    initial: str
    states: Mapping[str, StateDef]
    transitions: tuple[TransitionDef, ...]
    description: str = ""
    # Agencies involved while a case of this workflow is open (not final): need-to-know lets
    # them see the pupil and the case's linked cases until it closes.
    involves: tuple[str, ...] = ()

    def transitions_from(self, state: str) -> list[TransitionDef]:
        return [t for t in self.transitions if t.leaves(state)]

    def transition(self, trigger: str, state: str) -> TransitionDef | None:
        for t in self.transitions:
            if t.trigger == trigger and t.leaves(state):
                return t
        return None

    def trigger_label(self, trigger: str) -> str:
        for t in self.transitions:
            if t.trigger == trigger:
                return t.label
        return trigger.replace("_", " ")

    def state_label(self, state: str) -> str:
        found = self.states.get(state)
        return found.label if found else state.replace("_", " ")


@dataclass(frozen=True)
class ApprovalBand:
    """Who approves a funding decision of up to ``up_to`` pence (None: no upper limit).

    Someone holding a role in ``approved_by`` gives the first approval (the proposer may give
    it themselves). Where ``second_approval_by`` is set, someone in one of those roles who is
    neither the proposer nor the first approver must approve it too.
    """

    up_to: int | None
    approved_by: tuple[str, ...]
    second_approval_by: tuple[str, ...] = ()

    @property
    def needs_second(self) -> bool:
        return bool(self.second_approval_by)


@dataclass(frozen=True)
class FundingRules:
    """The ``funding:`` section: what panels can fund, and the approval ladder."""

    items: Mapping[str, str]  # name -> the words people see
    approval: tuple[ApprovalBand, ...]

    def band_for(self, pence: int) -> ApprovalBand | None:
        """The first band whose limit is at least ``pence``; None above the top limit."""
        for band in self.approval:
            if band.up_to is None or pence <= band.up_to:
                return band
        return None

    @property
    def limit(self) -> int | None:
        """The most any band approves, or None when the last band has no limit."""
        return self.approval[-1].up_to if self.approval else None

    def item_label(self, name: str) -> str:
        return self.items.get(name, name.replace("_", " "))


# The pupil flags the virtual school follows: looked-after and previously looked-after
# children, and children with a social worker.
VIRTUAL_SCHOOL_FLAGS = ("looked_after", "previously_looked_after", "has_social_worker")


@dataclass(frozen=True)
class VirtualSchoolRule:
    """The ``virtual_school:`` section: which pupils the virtual school head sees across the
    local authority (any of the ``pupils`` flags), and the steps they are told about."""

    pupils: tuple[str, ...]
    tell_when: tuple[str, ...] = ()


# A file without a 'virtual_school:' section: every flag, and no emails.
DEFAULT_VIRTUAL_SCHOOL = VirtualSchoolRule(VIRTUAL_SCHOOL_FLAGS)


FALLING_OVER = Duration(4, "school_weeks")


@dataclass(frozen=True)
class AttendanceRules:
    """The ``attendance:`` section: when a pupil counts as persistently or severely absent
    (the share of possible sessions missed this academic year), and what "falling fast" is
    (a drop of ``falling_points`` percentage points between the last ``falling_over`` and the
    same span before it)."""

    persistent: Fraction = Fraction(10, 100)
    severe: Fraction = Fraction(50, 100)
    falling_points: Fraction = Fraction(10)
    falling_over: Duration = FALLING_OVER


# A file without an 'attendance:' section: the national definitions (10% and 50% of
# sessions missed) and a fall of 10 points over 4 school weeks.
DEFAULT_ATTENDANCE = AttendanceRules()


@dataclass(frozen=True)
class WorkflowSet:
    """Everything one workflow file declares: agencies, roles, fields, workflows, funding."""

    agencies: Mapping[str, str]
    roles: Mapping[str, RoleDef]
    fields: Mapping[str, FieldDef]
    workflows: Mapping[str, WorkflowDef]
    barriers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    funding: FundingRules | None = None  # None: the file has no 'funding:' section
    # None: the file has no 'virtual_school:' section (``DEFAULT_VIRTUAL_SCHOOL`` applies)
    virtual_school: VirtualSchoolRule | None = None
    attendance: AttendanceRules = DEFAULT_ATTENDANCE

    def field_label(self, name: str) -> str:
        found = self.fields.get(name)
        return found.label if found else name.replace("_", " ")

    def role_label(self, name: str) -> str:
        found = self.roles.get(name)
        return found.label if found else name.replace("_", " ")

    def agency_label(self, name: str) -> str:
        return self.agencies.get(name, name.replace("_", " "))
