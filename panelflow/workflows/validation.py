"""Validate a workflow file into a ``WorkflowSet``, explaining every problem in plain words.

The validator never stops at the first problem and never raises: whatever bytes it is given,
it returns a ``ValidationResult`` whose problems each carry a line, a column and a message an
LA officer can act on. Unknown keys are errors, because a typo must not silently change a
procedure.
"""

from __future__ import annotations

import difflib
import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from panelflow.workflows.conditions import (
    LIBRARY,
    ConditionSpec,
    ConditionSyntaxError,
    parse_condition,
    parse_percentage,
)
from panelflow.workflows.definitions import (
    REFLEXIVE,
    VIRTUAL_SCHOOL_FLAGS,
    WILDCARD,
    ApprovalBand,
    AttendanceRules,
    Effect,
    FieldDef,
    FundingRules,
    RoleDef,
    StateDef,
    TimerDef,
    TransitionDef,
    VirtualSchoolRule,
    WorkflowDef,
    WorkflowSet,
)
from panelflow.workflows.durations import DURATION_HELP, parse_duration
from panelflow.workflows.loader import BOOL_TAG, NULL_TAG, STR_TAG, Located, Problem, load
from panelflow.workflows.money import MoneyError, format_money, parse_money

__all__ = ["Problem", "ValidationResult", "validate_text"]

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
FIELD_TYPES = (
    "text",
    "long_text",
    "date",
    "number",
    "money",
    "yes_no",
    "choice",
    "support_plan",
    "plan_review",
)

TOP_KEYS = {
    "agencies": False,
    "roles": True,
    "fields": False,
    "barriers": False,
    "workflows": True,
    "funding": False,
    "virtual_school": False,
    "attendance": False,
}
ROLE_KEYS = {"agency": True, "label": True}
FIELD_KEYS = {"label": True, "type": False, "options": False, "hint": False}
WORKFLOW_KEYS = {
    "title": True,
    "description": False,
    "initial": True,
    "states": True,
    "transitions": True,
    "involves": False,
}
STATE_KEYS = {
    "name": True,
    "label": False,
    "description": False,
    "final": False,
    "agenda": False,
    "timers": False,
}
TIMER_KEYS = {"after": True, "fire": False, "flag": False}
TRANSITION_KEYS = {
    "trigger": True,
    "label": False,
    "description": False,
    "source": True,
    "dest": True,
    "allowed": True,
    "requires": False,
    "optional": False,
    "conditions": False,
    "unless": False,
    "effects": False,
    "sign_off": False,
    "safeguarding": False,
    "suggested_when": False,
}
KEY_HINTS = {
    "trigger": "add 'trigger:' with a name for this step, like 'escalate'",
    "source": "add 'source:' with the state it starts from (a list for several, or \"*\" "
    "for any state that is not final)",
    "dest": "add 'dest:' with the state it goes to",
    "allowed": "add 'allowed:' with the roles who may take this step, like [panel_chair]",
    "title": "add 'title:' with a plain-English name",
    "initial": "add 'initial:' naming the state every new case starts in",
    "states": "add 'states:' listing the stages a case can be in",
    "transitions": "add 'transitions:' listing the steps between states",
    "agency": "add 'agency:' naming one of the agencies",
    "label": "add 'label:' with the words people will see",
    "name": "add 'name:' with the state's name",
    "after": "add 'after:' with a duration, like '6 school weeks'",
    "role": "add 'role:' naming who the action is for",
    "workflow": "add 'workflow:' naming the workflow to open a case in",
    "items": "add 'items:' listing what panels can fund, like 'transport: Transport (bus pass)'",
    "approval": "add 'approval:' listing who approves how much, smallest amount first",
    "approved_by": "add 'approved_by:' with the roles who may approve, like [panel_chair]",
    "pupils": "add 'pupils:' with the flags of the pupils the virtual school head sees, like "
    "'looked_after or previously_looked_after or has_social_worker'",
}
EFFECT_KEYS = {
    "create_action": {"role": False, "agency": False, "title": True, "due": False},
    "open_case": {"workflow": True},
}
FUNDING_KEYS = {"items": True, "approval": True}
BAND_KEYS = {"up_to": False, "approved_by": True, "second_approval_by": False}
VIRTUAL_SCHOOL_KEYS = {"pupils": True, "tell_when": False}
ATTENDANCE_KEYS = {"persistent_absence": False, "severe_absence": False, "falling_fast": False}
FALLING_FAST = re.compile(
    r"^\s*(?P<points>[0-9]+(?:\.[0-9]+)?)\s+(?:percentage\s+)?points?\s+over\s+(?P<span>.+?)\s*$",
    re.IGNORECASE,
)
FALLING_FAST_HELP = (
    "write how many percentage points attendance falls by, and over how long, like "
    "'10 points over 4 school weeks'"
)


@dataclass
class ValidationResult:
    problems: list[Problem]
    definitions: WorkflowSet | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and self.definitions is not None

    def lines(self, filename: str) -> list[str]:
        return [p.format(filename) for p in self.problems]

    def summary(self) -> str:
        """A short description of a valid file."""
        assert self.definitions is not None
        d = self.definitions
        parts = [
            f"{len(d.workflows)} workflow{'s' if len(d.workflows) != 1 else ''}",
            f"{len(d.roles)} roles",
            f"{len(d.fields)} fields",
        ]
        lines = [f"valid: {', '.join(parts)}"]
        for wf in d.workflows.values():
            lines.append(
                f"  {wf.key}: {wf.title} ({len(wf.states)} states, "
                f"{len(wf.transitions)} transitions)"
            )
        return "\n".join(lines)


# Words editors reach for that difflib would not match to the vocabulary's key.
SYNONYMS = {
    "destination": "dest",
    "to": "dest",
    "target": "dest",
    "from": "source",
    "sources": "source",
    "allow": "allowed",
    "roles": "allowed",
    "who": "allowed",
    "required": "requires",
    "require": "requires",
    "condition": "conditions",
    "effect": "effects",
    "timer": "timers",
    "state": "states",
    "transition": "transitions",
    "workflow": "workflows",
    "role": "roles",
    "field": "fields",
    "agency": "agencies",
    "start": "initial",
    "event": "trigger",
    "name": "trigger",
}


def _closest(word: str, choices: Iterable[str]) -> str | None:
    options = list(choices)
    synonym = SYNONYMS.get(word.lower())
    if synonym in options:
        return synonym
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return close[0] if close else None


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = _closest(word, choices)
    return f"; did you mean '{close}'?" if close else ""


def _listing(names: Iterable[str], limit: int = 12) -> str:
    names = sorted(names)
    if not names:
        return "none are declared"
    shown = ", ".join(names[:limit])
    return shown + (", ..." if len(names) > limit else "")


@dataclass
class _Checker:
    problems: list[Problem] = field(default_factory=list)

    def add(self, where: Located | tuple[int, int], message: str) -> None:
        if isinstance(where, Located):
            self.problems.append(Problem(where.line, where.column, message))
        else:
            self.problems.append(Problem(where[0], where[1], message))

    # -- shapes -------------------------------------------------------------------------
    def mapping(self, node: Located, what: str) -> bool:
        if node.is_map:
            return True
        self.add(
            node, f"{what} must be a section of 'key: value' lines, but it is {node.describe()}"
        )
        return False

    def keys(self, node: Located, allowed: Mapping[str, bool], what: str) -> None:
        meant = set()
        for key in node.value:
            if key not in allowed:
                meant.add(_closest(key, allowed))
                self.add(
                    node.key_at(key),
                    f"unknown key '{key}' in {what}{_suggest(key, allowed)} "
                    f"(allowed here: {', '.join(allowed)})",
                )
        for key, required in allowed.items():
            if required and key not in node.value and key not in meant:
                hint = KEY_HINTS.get(key)
                self.add(node, f"{what} has no '{key}'" + (f": {hint}" if hint else ""))

    def text(self, node: Located | None, what: str, *, allow_empty: bool = False) -> str | None:
        if node is None:
            return None
        if node.is_scalar and node.tag != NULL_TAG:
            value = node.text if node.tag != STR_TAG else str(node.value)
            if value.strip() or allow_empty:
                return value.strip()
        if node.is_scalar and node.tag == NULL_TAG:
            self.add(node, f"{what} is empty; write a value after the ':'")
            return None
        if node.is_scalar:
            self.add(node, f"{what} is empty; write a value after the ':'")
            return None
        self.add(node, f"{what} must be a single value, but it is {node.describe()}")
        return None

    def name(self, node: Located | None, what: str, *, noun: str = "names") -> str | None:
        """A name (lower_snake_case). ``what`` may hold ``{value}`` where the name goes."""
        value = self.text(node, what.replace(" '{value}'", ""))
        if value is None or node is None:
            return None
        if not NAME.match(value):
            self.bad_name(node, what, value, noun)
            return None
        return value

    def bad_name(self, node: Located, what: str, value: str, noun: str = "names") -> None:
        example = re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_") or "a_name"
        if example[0].isdigit():
            example = "n_" + example
        rule = f"must be lower-case words joined by underscores, like '{example}'"
        if "{value}" in what:
            self.add(node, f"{what.replace('{value}', value)} {rule}")
        else:
            self.add(node, f"{what} is '{value}', but {noun} {rule}")

    def names(self, node: Located | None, what: str) -> list[tuple[str, Located]]:
        """A name or a list of names (the transitions library accepts both)."""
        if node is None:
            return []
        items = node.value if node.is_list else [node]
        if node.is_map:
            self.add(
                node,
                f"{what} must be a name or a list of names, like [a, b], "
                f"but it is {node.describe()}",
            )
            return []
        out = []
        for item in items:
            if item.is_scalar and item.tag != NULL_TAG:
                out.append((_plain(item), item))
            else:
                self.add(
                    item,
                    f"each entry of {what} must be a single name, but this is {item.describe()}",
                )
        return out

    def boolean(self, node: Located | None, what: str) -> bool:
        if node is None:
            return False
        if node.is_scalar and node.tag == BOOL_TAG:
            return bool(node.value)
        self.add(node, f"{what} must be true or false, but it is {node.describe()}")
        return False


def _plain(node: Located) -> str:
    """A scalar's text as the editor meant it: quotes removed, spaces trimmed."""
    return (str(node.value) if node.tag == STR_TAG else node.text).strip()


VOCABULARY_KEYS = frozenset(
    [
        *TOP_KEYS,
        *ROLE_KEYS,
        *FIELD_KEYS,
        *WORKFLOW_KEYS,
        *STATE_KEYS,
        *TIMER_KEYS,
        *TRANSITION_KEYS,
        *EFFECT_KEYS,
        *(k for keys in EFFECT_KEYS.values() for k in keys),
        *FUNDING_KEYS,
        *BAND_KEYS,
        *VIRTUAL_SCHOOL_KEYS,
        *ATTENDANCE_KEYS,
    ]
)


def validate_text(data: bytes | str) -> ValidationResult:
    """Validate a workflow file's contents; never raises."""
    root, problems = load(data, VOCABULARY_KEYS)
    if root is None:
        return ValidationResult(problems)
    checker = _Checker(list(problems))
    definitions = _validate(root, checker)
    checker.problems.sort(key=lambda p: (p.line, p.column))
    unique: list[Problem] = []
    for p in checker.problems:
        if p not in unique:
            unique.append(p)
    if unique:
        return ValidationResult(unique)
    return ValidationResult([], definitions)


def _validate(root: Located, c: _Checker) -> WorkflowSet | None:
    if not root.is_map:
        c.add(
            root,
            "the file must start with sections such as 'roles:' and 'workflows:', "
            f"but it holds {root.describe()}",
        )
        return None
    meant = set()
    for key in root.value:
        if key not in TOP_KEYS:
            meant.add(_closest(key, TOP_KEYS))
            c.add(
                root.key_at(key),
                f"unknown section '{key}'{_suggest(key, TOP_KEYS)} "
                f"(the file may have: {', '.join(TOP_KEYS)})",
            )
    for key in ("roles", "workflows"):
        if key not in root.value and key not in meant:
            c.add(
                (1, 1),
                f"the file has no '{key}:' section; add one (see docs/workflow-reference.md)",
            )

    agencies = _agencies(root.value.get("agencies"), c)
    declared_agencies = _declared(root.value.get("agencies"))
    roles = _roles(root.value.get("roles"), declared_agencies, c)
    fields = _fields(root.value.get("fields"), c)
    barriers = _barriers(root.value.get("barriers"), c)
    funding = _funding(root.value.get("funding"), _declared(root.value.get("roles")), c)

    raw_workflows = root.value.get("workflows")
    workflow_nodes: dict[str, Located] = {}
    if raw_workflows is not None and c.mapping(raw_workflows, "'workflows'"):
        if not raw_workflows.value:
            c.add(raw_workflows, "'workflows' is empty; define at least one workflow")
        for key, node in raw_workflows.value.items():
            key_node = raw_workflows.key_node(key)
            if c.name(key_node, "the workflow name '{value}'") is not None and c.mapping(
                node, f"workflow '{key}'"
            ):
                workflow_nodes[key] = node

    # First pass: states and triggers of every workflow, so conditions and effects in one
    # workflow can refer to another.
    shapes = {key: _collect_shape(key, node, c) for key, node in workflow_nodes.items()}
    states_of = {key: set(shape.states) for key, shape in shapes.items()}
    triggers_of = {key: set(shape.triggers) for key, shape in shapes.items()}
    context = _Context(
        declared_agencies,
        _declared(root.value.get("roles")),
        _declared(root.value.get("fields")),
        states_of,
        triggers_of,
    )

    workflows = {}
    for key, node in workflow_nodes.items():
        wf = _workflow(key, node, shapes[key], context, c)
        if wf is not None:
            workflows[key] = wf
    virtual_school = _virtual_school(root.value.get("virtual_school"), triggers_of, c)
    attendance = _attendance(root.value.get("attendance"), c)
    if c.problems:
        return None
    return WorkflowSet(
        agencies, roles, fields, workflows, barriers, funding, virtual_school, attendance
    )


def _attendance(node: Located | None, c: _Checker) -> AttendanceRules:
    """The optional 'attendance:' section: the persistent and severe absence thresholds (a
    share of possible sessions missed) and what counts as attendance falling fast. What it
    leaves out keeps the national definitions (10% and 50%) and 10 points over 4 school
    weeks."""
    rules = AttendanceRules()
    if node is None or not c.mapping(node, "'attendance'"):
        return rules
    c.keys(node, ATTENDANCE_KEYS, "'attendance'")
    found: dict[str, Fraction] = {}
    for key, default in (("persistent_absence", 10), ("severe_absence", 50)):
        what = f"'{key}' of 'attendance'"
        text = c.text(node.value.get(key), what)
        if text is None:
            continue
        share = parse_percentage(text)
        if share is None or share == 1:
            c.add(
                node.value[key],
                f"{what} is '{text}', which is not a share of sessions missed: write a "
                f"percentage from 1% to 99%, like {default}%",
            )
            continue
        found[key] = share
    persistent = found.get("persistent_absence", rules.persistent)
    severe = found.get("severe_absence", rules.severe)
    if severe <= persistent and ("persistent_absence" in found or "severe_absence" in found):
        where = node.value.get("severe_absence") or node.value["persistent_absence"]
        c.add(
            where,
            f"'severe_absence' of 'attendance' ({_share(severe)}) must be more than "
            f"'persistent_absence' ({_share(persistent)}): severe absence is the larger "
            "share of sessions missed",
        )
    points, over = rules.falling_points, rules.falling_over
    text = c.text(node.value.get("falling_fast"), "'falling_fast' of 'attendance'")
    if text is not None:
        where = node.value["falling_fast"]
        match = FALLING_FAST.match(text)
        span = parse_duration(match.group("span")) if match else None
        if match is None:
            c.add(where, f"'falling_fast' of 'attendance' is '{text}'; {FALLING_FAST_HELP}")
        elif span is None:
            c.add(
                where,
                f"'{match.group('span')}' in 'falling_fast' of 'attendance' is not a "
                f"duration: {DURATION_HELP}",
            )
        elif not 1 <= Fraction(match.group("points")) <= 100:
            c.add(
                where,
                f"'falling_fast' of 'attendance' falls by {match.group('points')} points; "
                "write a number of points from 1 to 100, like '10 points over 4 school weeks'",
            )
        elif span.amount == 0:
            c.add(
                where,
                f"'falling_fast' of 'attendance' is over {span}; write a span of at least one "
                "day, like '4 school weeks'",
            )
        else:
            points, over = Fraction(match.group("points")), span
    return AttendanceRules(persistent, severe, points, over)


def _share(share: Fraction) -> str:
    value = share * 100
    return f"{int(value)}%" if value.denominator == 1 else f"{float(value):g}%"


def _virtual_school(
    node: Located | None, triggers_of: dict[str, set[str]], c: _Checker
) -> VirtualSchoolRule | None:
    """The optional 'virtual_school:' section: the pupils the virtual school head sees across
    the local authority (pupil flags joined by 'or'), and the steps they are told about."""
    if node is None or not c.mapping(node, "'virtual_school'"):
        return None
    c.keys(node, VIRTUAL_SCHOOL_KEYS, "'virtual_school'")
    flags = _virtual_school_pupils(node.value.get("pupils"), c)
    steps: list[str] = []
    known = set().union(*triggers_of.values()) if triggers_of else set()
    tell_when = node.value.get("tell_when")
    if tell_when is not None and not (tell_when.is_scalar and tell_when.tag == NULL_TAG):
        for name, item in c.names(tell_when, "'tell_when' of 'virtual_school'"):
            if name not in known:
                c.add(
                    item,
                    f"step '{name}' in 'tell_when' of 'virtual_school' is not a trigger of any "
                    f"workflow{_suggest(name, known)}",
                )
            elif name not in steps:
                steps.append(name)
    return VirtualSchoolRule(tuple(flags), tuple(steps)) if flags else None


def _virtual_school_pupils(node: Located | None, c: _Checker) -> list[str]:
    text = c.text(node, "'pupils' of 'virtual_school'")
    if text is None or node is None:
        return []
    allowed = ", ".join(VIRTUAL_SCHOOL_FLAGS)
    if re.search(r"\s+and\s+", text):
        c.add(
            node,
            "'pupils' of 'virtual_school' joins flags with 'and'; the virtual school head sees "
            "a pupil with any one of the flags, so join them with 'or', like "
            f"'{' or '.join(VIRTUAL_SCHOOL_FLAGS)}'",
        )
        return []
    flags: list[str] = []
    for piece in re.split(r"(?:^|\s+)or(?:\s+|$)", text):
        flag = piece.strip()
        if not flag or flag == "or":
            c.add(node, "'pupils' of 'virtual_school' has an 'or' with nothing on one side")
            return []
        if flag not in VIRTUAL_SCHOOL_FLAGS:
            c.add(
                node,
                f"'{flag}' in 'pupils' of 'virtual_school' is not a flag the virtual school "
                f"follows{_suggest(flag, VIRTUAL_SCHOOL_FLAGS)} (flags: {allowed}, joined by "
                "'or')",
            )
            return []
        if flag in flags:
            c.add(node, f"'pupils' of 'virtual_school' names '{flag}' twice")
            return []
        flags.append(flag)
    return flags


def _declared(node: Located | None) -> set[str]:
    """The names a section declares, even those whose details have problems: a reference
    to them is not a second mistake."""
    return set(node.value) if node is not None and node.is_map else set()


@dataclass
class _Context:
    """What the file declares, for checking references: names only."""

    agencies: set[str]
    roles: set[str]
    fields: set[str]
    states_of: dict[str, set[str]]  # workflow -> its states
    triggers_of: dict[str, set[str]]  # workflow -> its triggers

    @property
    def workflows(self) -> set[str]:
        return set(self.states_of)


def _agencies(node: Located | None, c: _Checker) -> dict[str, str]:
    if node is None:
        return {}
    if not c.mapping(node, "'agencies'"):
        return {}
    agencies = {}
    for key, value in node.value.items():
        name_node = node.key_node(key)
        name = c.name(name_node, "the agency name '{value}'")
        label = c.text(value, f"the label of agency '{key}'")
        if name and label:
            agencies[name] = label
    return agencies


def _roles(node: Located | None, agencies: set[str], c: _Checker) -> dict[str, RoleDef]:
    roles: dict[str, RoleDef] = {}
    if node is None or not c.mapping(node, "'roles'"):
        return roles
    for key, value in node.value.items():
        name_node = node.key_node(key)
        name = c.name(name_node, "the role name '{value}'")
        if not c.mapping(value, f"role '{key}'"):
            continue
        c.keys(value, ROLE_KEYS, f"role '{key}'")
        agency = c.name(value.value.get("agency"), f"the agency of role '{key}'")
        label = c.text(value.value.get("label"), f"the label of role '{key}'")
        if agency and agencies and agency not in agencies:
            c.add(
                value.value["agency"],
                f"role '{key}' belongs to agency '{agency}', which is "
                f"not declared under 'agencies:'{_suggest(agency, agencies)}",
            )
        if name and agency and label:
            roles[name] = RoleDef(name, agency, label)
    return roles


def _fields(node: Located | None, c: _Checker) -> dict[str, FieldDef]:
    fields: dict[str, FieldDef] = {}
    if node is None or not c.mapping(node, "'fields'"):
        return fields
    for key, value in node.value.items():
        name_node = node.key_node(key)
        name = c.name(name_node, "the field name '{value}'")
        if not c.mapping(value, f"field '{key}'"):
            continue
        c.keys(value, FIELD_KEYS, f"field '{key}'")
        label = c.text(value.value.get("label"), f"the label of field '{key}'")
        ftype = "text"
        if "type" in value.value:
            ftype = c.text(value.value["type"], f"the type of field '{key}'") or "text"
            if ftype not in FIELD_TYPES:
                c.add(
                    value.value["type"],
                    f"field '{key}' has type '{ftype}', which is not "
                    f"a field type{_suggest(ftype, FIELD_TYPES)} (types: "
                    f"{', '.join(FIELD_TYPES)})",
                )
        options: tuple[str, ...] = ()
        if "options" in value.value:
            opts = value.value["options"]
            if ftype != "choice":
                c.add(
                    opts,
                    f"field '{key}' has options but its type is '{ftype}'; options "
                    "are only for 'type: choice'",
                )
            elif not opts.is_list or not opts.value:
                c.add(
                    opts,
                    f"the options of field '{key}' must be a list of choices, like "
                    "[improved, continue, escalate]",
                )
            else:
                options = tuple(name for name, _ in c.names(opts, f"the options of '{key}'"))
        elif ftype == "choice":
            c.add(
                value,
                f"field '{key}' is a choice but has no 'options'; list the choices, "
                "like options: [improved, continue, escalate]",
            )
        hint = c.text(value.value.get("hint"), f"the hint of field '{key}'") or ""
        if name and label:
            fields[name] = FieldDef(name, label, ftype, options, hint)
    _check_structured(node, fields, c)
    return fields


def _check_structured(node: Located, fields: Mapping[str, FieldDef], c: _Checker) -> None:
    """A plan review records progress against a plan's targets: the file needs a plan."""
    if any(f.type == "support_plan" for f in fields.values()):
        return
    for name, f in fields.items():
        if f.type == "plan_review":
            c.add(
                node.value[name].value["type"],
                f"field '{name}' is a plan_review, which records progress against the "
                "targets of an attendance support plan, but no field has 'type: "
                "support_plan'; add one, for example 'support_plan: {label: The attendance "
                "support plan, type: support_plan}'",
            )


def _barriers(node: Located | None, c: _Checker) -> dict[str, tuple[str, ...]]:
    barriers: dict[str, tuple[str, ...]] = {}
    if node is None or not c.mapping(node, "'barriers'"):
        return barriers
    for key, value in node.value.items():
        name_node = node.key_node(key)
        name = c.name(name_node, "the barrier category '{value}'")
        if not value.is_list or not value.value:
            c.add(
                value,
                f"barrier category '{key}' must be a list of barrier types, like "
                "[anxiety, bullying]",
            )
            continue
        kinds = tuple(k for k, _ in c.names(value, f"barrier category '{key}'"))
        if name:
            barriers[name] = kinds
    return barriers


def _funding(node: Located | None, roles: set[str], c: _Checker) -> FundingRules | None:
    """The optional 'funding:' section: items panels can fund, and the approval bands."""
    if node is None or not c.mapping(node, "'funding'"):
        return None
    c.keys(node, FUNDING_KEYS, "'funding'")
    items = _funding_items(node.value.get("items"), c)
    bands = _approval_bands(node.value.get("approval"), roles, c)
    return FundingRules(items, tuple(bands))


def _funding_items(node: Located | None, c: _Checker) -> dict[str, str]:
    items: dict[str, str] = {}
    if node is None:
        return items
    if node.is_list:
        c.add(
            node,
            "'items' of 'funding' must give each item a short name and the words people "
            "see, one per line, like 'transport: Transport (bus pass, taxi, fuel)'",
        )
        return items
    if not c.mapping(node, "'items' of 'funding'"):
        return items
    if not node.value:
        c.add(
            node,
            "'items' of 'funding' is empty; list what panels can fund, one per line, like "
            "'transport: Transport (bus pass, taxi, fuel)'",
        )
    for key, value in node.value.items():
        name = c.name(node.key_node(key), "the funding item name '{value}'")
        label = c.text(value, f"the label of funding item '{key}'")
        if name and label:
            items[name] = label
    return items


def _approval_bands(node: Located | None, roles: set[str], c: _Checker) -> list[ApprovalBand]:
    bands: list[ApprovalBand] = []
    if node is None:
        return bands
    if not node.is_list or not node.value:
        c.add(
            node,
            "'approval' of 'funding' must be a list of bands, smallest amount first, each "
            "starting with '- up_to:' and naming who approves it under 'approved_by:'",
        )
        return bands
    previous: tuple[int, int] | None = None  # the last limit read, and its band's number
    for number, item in enumerate(node.value, start=1):
        what = f"approval band {number} of 'funding'"
        if not c.mapping(item, what):
            continue
        c.keys(item, BAND_KEYS, what)
        up_to = None
        if "up_to" in item.value:
            up_to = _band_limit(item.value["up_to"], what, previous, c)
            if up_to is not None:
                previous = (up_to, number)
        elif number < len(node.value):
            c.add(
                item,
                f"{what} has no 'up_to', but only the last band may be without a limit; "
                "add 'up_to:' with the most this band approves, like \"£150\"",
            )
        approved_by = _band_roles(item.value.get("approved_by"), "approved_by", what, roles, c)
        second = _band_roles(
            item.value.get("second_approval_by"), "second_approval_by", what, roles, c
        )
        bands.append(ApprovalBand(up_to, approved_by, second))
    return bands


def _band_limit(
    node: Located, what: str, previous: tuple[int, int] | None, c: _Checker
) -> int | None:
    text = c.text(node, f"'up_to' of {what}")
    if text is None:
        return None
    try:
        pence = parse_money(text)
    except MoneyError as error:
        c.add(node, f"'up_to' of {what}: {error}")
        return None
    if pence == 0:
        c.add(node, f"'up_to' of {what} is £0.00; a band must approve some money, like \"£150\"")
        return None
    if previous is not None and pence <= previous[0]:
        c.add(
            node,
            f"{what} goes up to {format_money(pence)}, which is not more than band "
            f"{previous[1]} ({format_money(previous[0])}); list the bands from the smallest "
            "amount to the largest",
        )
        return None
    return pence


def _band_roles(
    node: Located | None, key: str, what: str, roles: set[str], c: _Checker
) -> tuple[str, ...]:
    if node is None:
        return ()
    if (node.is_list and not node.value) or (node.is_scalar and node.tag == NULL_TAG):
        c.add(
            node, f"'{key}' of {what} is empty; name the roles who may approve, like [panel_chair]"
        )
        return ()
    found = []
    for name, item in c.names(node, f"'{key}' of {what}"):
        if name not in roles:
            c.add(
                item,
                f"role '{name}' in '{key}' of {what} is not declared under 'roles:'"
                f"{_suggest(name, roles)}",
            )
        elif name not in found:
            found.append(name)
    return tuple(found)


@dataclass
class _Shape:
    """The names a workflow declares, gathered before its details are checked, and what
    went wrong in them (so a problem is not reported again as its consequences)."""

    states: dict[str, Located] = field(default_factory=dict)
    state_nodes: list[tuple[str, Located]] = field(default_factory=list)
    triggers: dict[str, Located] = field(default_factory=dict)
    states_ok: bool = True  # 'states' is a list we could read
    broken_triggers: set[str] = field(default_factory=set)  # transitions with problems
    timers: dict[str, list[tuple[TimerDef, Located]]] = field(default_factory=dict)


def _collect_shape(key: str, node: Located, c: _Checker) -> _Shape:
    shape = _Shape()
    states = node.value.get("states")
    if states is None or not states.is_list:
        shape.states_ok = False
    if states is not None and not states.is_list:
        c.add(
            states,
            f"'states' of workflow '{key}' must be a list, each item starting "
            "with '-' (a state name, or 'name:' with its details)",
        )
    elif states is not None:
        what = f"the state name '{{value}}' in workflow '{key}'"
        for item in states.value:
            if item.is_scalar:
                name = c.name(item, what)
                where = item
            elif item.is_map:
                where = item.value.get("name", item)
                if "name" not in item.value:
                    c.add(item, f"a state in workflow '{key}' has no 'name'")
                    shape.states_ok = False
                    continue
                name = c.name(item.value["name"], what)
            else:
                c.add(
                    item,
                    f"each state of workflow '{key}' must be a name or a section "
                    f"with 'name:', but this is {item.describe()}",
                )
                shape.states_ok = False
                continue
            if name is None:
                shape.states_ok = False
                continue
            if name in shape.states:
                c.add(
                    where,
                    f"state '{name}' is defined twice in workflow '{key}' (first "
                    f"on line {shape.states[name].line}); remove one",
                )
                continue
            shape.states[name] = where
            shape.state_nodes.append((name, item))
    transitions = node.value.get("transitions")
    if transitions is not None and transitions.is_list:
        for item in transitions.value:
            if item.is_map and "trigger" in item.value:
                trigger = item.value["trigger"]
                if trigger.is_scalar and NAME.match(_plain(trigger)):
                    shape.triggers.setdefault(_plain(trigger), trigger)
    return shape


def _workflow(
    key: str, node: Located, shape: _Shape, ctx: _Context, c: _Checker
) -> WorkflowDef | None:
    where = f"workflow '{key}'"
    before = len(c.problems)
    c.keys(node, WORKFLOW_KEYS, where)
    title = c.text(node.value.get("title"), f"the title of {where}")
    description = c.text(node.value.get("description"), f"the description of {where}") or ""

    states: dict[str, StateDef] = {}
    states_before = len(c.problems)
    for name, item in shape.state_nodes:
        states[name] = _state(key, name, item, shape, c)
    states_clean = len(c.problems) == states_before

    initial_node = node.value.get("initial")
    initial = c.name(initial_node, f"the initial state of {where}", noun="state names")
    if (
        initial is not None
        and initial_node is not None
        and shape.states_ok
        and initial not in shape.states
    ):
        c.add(
            initial_node,
            f"the initial state of {where} is '{initial}', which is not one of "
            f"its states{_suggest(initial, shape.states)} (states: {_listing(shape.states)})",
        )
        initial = None
    if initial is not None and initial in states and states[initial].final:
        c.add(
            initial_node or node,
            f"the initial state of {where}, '{initial}', is final, so "
            "nothing could ever happen on a case; start from a state that is not final",
        )

    transitions: list[TransitionDef] = []
    raw = node.value.get("transitions")
    if raw is not None:
        if not raw.is_list:
            c.add(
                raw,
                f"'transitions' of {where} must be a list, each item starting with '- trigger:'",
            )
        else:
            if not raw.value:
                c.add(raw, f"{where} has no transitions; add at least one")
            for number, item in enumerate(raw.value, start=1):
                t = _transition(key, number, item, shape, states, ctx, c)
                if t is not None:
                    transitions.append(t)
    if shape.states_ok and states_clean and states and not any(s.final for s in states.values()):
        c.add(
            node.value.get("states", node),
            f"{where} has no final state; mark at least one "
            "state 'final: true' (for example 'closed')",
        )

    _check_timers(key, shape, transitions, c)
    _check_duplicates(key, raw, transitions, states, c)
    if initial and states and shape.states_ok and len(c.problems) == before:
        _check_graph(key, initial, shape, states, transitions, c)
    involves = _involves(node.value.get("involves"), where, ctx, c)
    if title is None or initial is None:
        return None
    return WorkflowDef(key, title, initial, states, tuple(transitions), description, involves)


def _involves(node: Located | None, where: str, ctx: _Context, c: _Checker) -> tuple[str, ...]:
    """``involves:``: the agencies that see a case of this workflow while it is open."""
    what = f"'involves' of {where}"
    agencies: list[str] = []
    for name, item in c.names(node, what):
        if not NAME.match(name):
            c.bad_name(item, f"the agency '{{value}}' in {what}", name, "agency names")
        elif name == "school":
            c.add(
                item,
                f"{what} names 'school', but school staff already see the pupils on their "
                "school's roll; list only other agencies",
            )
        elif name not in ctx.agencies:
            c.add(
                item,
                f"{what} names agency '{name}', which is not declared under "
                f"'agencies:'{_suggest(name, ctx.agencies)}",
            )
        elif name in agencies:
            c.add(item, f"{what} names agency '{name}' twice; list it once")
        else:
            agencies.append(name)
    return tuple(agencies)


def _state(workflow: str, name: str, item: Located, shape: _Shape, c: _Checker) -> StateDef:
    label = name.replace("_", " ").capitalize()
    if item.is_scalar:
        return StateDef(name, label)
    where = f"state '{name}' of workflow '{workflow}'"
    c.keys(item, STATE_KEYS, where)
    if "label" in item.value:
        label = c.text(item.value["label"], f"the label of {where}") or label
    description = c.text(item.value.get("description"), f"the description of {where}") or ""
    final = c.boolean(item.value.get("final"), f"'final' of {where}")
    agenda = c.boolean(item.value.get("agenda"), f"'agenda' of {where}")
    if final and agenda:
        c.add(
            item.value["agenda"],
            f"{where} is final, so it cannot put cases on a panel agenda; remove 'agenda'",
        )
    timers: list[TimerDef] = []
    raw = item.value.get("timers")
    if raw is not None:
        if not raw.is_list:
            c.add(raw, f"'timers' of {where} must be a list, each item starting with '- after:'")
        else:
            for timer in raw.value:
                parsed = _timer(where, timer, c)
                if parsed is not None:
                    timers.append(parsed)
                    shape.timers.setdefault(name, []).append((parsed, timer))
        if final and raw.is_list and raw.value:
            c.add(raw, f"{where} is final, so its timers could never fire; remove them")
    return StateDef(name, label, description, final, tuple(timers), agenda and not final)


def _timer(where: str, node: Located, c: _Checker) -> TimerDef | None:
    if not c.mapping(node, f"a timer of {where}"):
        return None
    c.keys(node, TIMER_KEYS, f"a timer of {where}")
    after_text = c.text(node.value.get("after"), f"'after' of a timer of {where}")
    after = parse_duration(after_text) if after_text else None
    if after_text and after is None:
        c.add(node.value["after"], f"'{after_text}' is not a duration: {DURATION_HELP}")
    fire = c.name(node.value.get("fire"), f"the trigger a timer of {where} fires")
    flag = c.text(node.value.get("flag"), f"the flag a timer of {where} raises")
    if ("fire" in node.value) == ("flag" in node.value):
        c.add(
            node,
            f"a timer of {where} must have either 'fire:' (a trigger to take) or "
            "'flag:' (a flag to raise on the case), not both or neither",
        )
        return None
    if after is None:
        return None
    return TimerDef(after, fire, flag)


def _transition(
    workflow: str,
    number: int,
    node: Located,
    shape: _Shape,
    states: Mapping[str, StateDef],
    ctx: _Context,
    c: _Checker,
) -> TransitionDef | None:
    if not c.mapping(node, f"transition {number} of workflow '{workflow}'"):
        return None
    before = len(c.problems)
    trigger = c.name(
        node.value.get("trigger"), f"the trigger of transition {number} of workflow '{workflow}'"
    )
    where = f"transition '{trigger}'" if trigger else f"transition {number}"
    where = f"{where} of workflow '{workflow}'"
    c.keys(node, TRANSITION_KEYS, where)
    result = _transition_body(trigger, where, node, shape, states, ctx, c, workflow)
    if trigger and len(c.problems) > before:
        shape.broken_triggers.add(trigger)
    return result


def _transition_body(
    trigger: str | None,
    where: str,
    node: Located,
    shape: _Shape,
    states: Mapping[str, StateDef],
    ctx: _Context,
    c: _Checker,
    workflow: str,
) -> TransitionDef | None:
    label = trigger.replace("_", " ").capitalize() if trigger else ""
    if "label" in node.value:
        label = c.text(node.value["label"], f"the label of {where}") or label
    description = c.text(node.value.get("description"), f"the description of {where}") or ""

    sources: list[str] = []
    for name, item in c.names(node.value.get("source"), f"'source' of {where}"):
        if name == WILDCARD:
            sources.append(name)
        elif not NAME.match(name):
            c.bad_name(item, f"the 'source' of {where}", name, "state names")
        elif not shape.states_ok:
            continue  # 'states' itself has a problem, already reported
        elif name not in shape.states:
            c.add(
                item,
                f"{where} starts from state '{name}', which is not defined"
                f"{_suggest(name, shape.states)} (states: {_listing(shape.states)})",
            )
        elif name in states and states[name].final:
            c.add(
                item,
                f"{where} starts from state '{name}', which is final; nothing can "
                "leave a final state",
            )
        else:
            sources.append(name)
    if "source" in node.value and node.value["source"].is_list and not node.value["source"].value:
        c.add(
            node.value["source"],
            f"'source' of {where} is an empty list; name at least one "
            'state, or "*" for any state that is not final',
        )

    dest_node = node.value.get("dest")
    dest: str | None = None
    dest_ok = dest_node is not None
    if dest_node is not None and dest_node.is_scalar and dest_node.tag == NULL_TAG:
        if not dest_node.text.strip():
            c.add(
                dest_node,
                f"the 'dest' of {where} is empty; write the state it goes to, \"=\" to stay "
                "and enter this state again (its timers restart), or null to stay where it "
                "is (its timers carry on)",
            )
            dest_ok = False
        dest = None  # an internal step: the case stays where it is, timers carry on
    elif dest_node is not None and dest_node.is_scalar and dest_node.text.strip() == REFLEXIVE:
        dest = REFLEXIVE
    else:
        dest = c.name(dest_node, f"the 'dest' of {where}", noun="state names")
        if dest is None or not shape.states_ok:
            dest_ok = False
        elif dest_node is not None and dest in ("null", "none") and dest not in shape.states:
            c.add(
                dest_node,
                f"the 'dest' of {where} is the text '{dest}'; to keep the case where it is, "
                "write null without quotes",
            )
            dest_ok = False
        elif dest_node is not None and dest not in shape.states:
            c.add(
                dest_node,
                f"{where} goes to state '{dest}', which is not defined"
                f"{_suggest(dest, shape.states)}",
            )
            dest_ok = False

    allowed = []
    allowed_node = node.value.get("allowed")
    for name, item in c.names(allowed_node, f"'allowed' of {where}"):
        if name not in ctx.roles:
            c.add(
                item,
                f"role '{name}' in {where} is not declared under 'roles:'"
                f"{_suggest(name, ctx.roles)}",
            )
        else:
            allowed.append(name)
    if allowed_node is not None and allowed_node.is_list and not allowed_node.value:
        c.add(allowed_node, f"'allowed' of {where} is empty; name the roles who may take this step")

    requires = _field_names(node.value.get("requires"), "requires", where, ctx, c)
    optional = _field_names(node.value.get("optional"), "optional", where, ctx, c)
    for name in set(requires) & set(optional):
        c.add(
            node.value["optional"],
            f"field '{name}' of {where} is both required and "
            "optional; keep it in one of the two lists",
        )

    conditions = _conditions(
        node.value.get("conditions"), f"'conditions' of {where}", workflow, ctx, c
    )
    unless = _conditions(node.value.get("unless"), f"'unless' of {where}", workflow, ctx, c)
    effects = _effects(node.value.get("effects"), where, workflow, ctx, c)
    sign_off = _sign_off(node.value.get("sign_off"), where, ctx, c)
    suggested_node = node.value.get("suggested_when")
    suggested_when: list[ConditionSpec] = []
    if suggested_node is not None and (
        (suggested_node.is_list and not suggested_node.value)
        or (suggested_node.is_scalar and suggested_node.tag == NULL_TAG)
    ):
        c.add(
            suggested_node,
            f"'suggested_when' of {where} is empty; list the conditions under which the case "
            "page suggests this step, like [attendance_at_least(95%, 6 school weeks)], or "
            "remove 'suggested_when'",
        )
    else:
        suggested_when = _conditions(
            suggested_node, f"'suggested_when' of {where}", workflow, ctx, c
        )
    safeguarding = c.boolean(node.value.get("safeguarding"), f"'safeguarding' of {where}")
    if safeguarding:
        _check_safeguarding(node, where, c)

    if trigger is None or not dest_ok or not sources:
        return None
    return TransitionDef(
        trigger=trigger,
        label=label,
        sources=tuple(sources),
        dest=dest,
        allowed=tuple(allowed),
        requires=tuple(requires),
        optional=tuple(optional),
        conditions=tuple(conditions),
        unless=tuple(unless),
        effects=tuple(effects),
        description=description,
        sign_off=tuple(sign_off),
        safeguarding=safeguarding,
        suggested_when=tuple(suggested_when),
    )


def _sign_off(node: Located | None, where: str, ctx: _Context, c: _Checker) -> list[str]:
    """``sign_off:``: the roles who may give a step's second sign-off."""
    if node is None:
        return []
    if (node.is_list and not node.value) or (node.is_scalar and node.tag == NULL_TAG):
        c.add(
            node,
            f"'sign_off' of {where} is empty; name the roles who may give the second "
            "sign-off, like [ewo], or remove 'sign_off' if one person may take this step alone",
        )
        return []
    roles: list[str] = []
    for name, item in c.names(node, f"'sign_off' of {where}"):
        if name not in ctx.roles:
            c.add(
                item,
                f"role '{name}' in 'sign_off' of {where} is not declared under 'roles:'"
                f"{_suggest(name, ctx.roles)}",
            )
        elif name not in roles:
            roles.append(name)
    return roles


def _check_safeguarding(node: Located, where: str, c: _Checker) -> None:
    """A safeguarding step must never be held back by anything in the record."""
    why = "a safeguarding step must never be held back"
    for key, remove in (
        ("conditions", "remove its 'conditions'"),
        ("unless", "remove its 'unless'"),
        ("sign_off", "remove its 'sign_off', so one person can act at once"),
    ):
        if key in node.value:
            c.add(
                node.key_at(key),
                f"{where} is marked 'safeguarding: true', but has '{key}:'; {why}, so {remove}",
            )
    source = node.value.get("source")
    items = [] if source is None or source.is_map else source.value if source.is_list else [source]
    if source is not None and not any(i.is_scalar and _plain(i) == WILDCARD for i in items):
        c.add(
            source,
            f"{where} is marked 'safeguarding: true', but can only be taken from some "
            f"states; {why}, so write 'source: \"*\"' (any state that is not final)",
        )


def _field_names(
    node: Located | None, key: str, where: str, ctx: _Context, c: _Checker
) -> list[str]:
    names = []
    for name, item in c.names(node, f"'{key}' of {where}"):
        if name not in ctx.fields:
            verb = "requires" if key == "requires" else "may record"
            c.add(
                item,
                f"{where} {verb} field '{name}', which is not declared under "
                f"'fields:'{_suggest(name, ctx.fields)}",
            )
        else:
            names.append(name)
    return names


def _conditions(
    node: Located | None, what: str, workflow: str, ctx: _Context, c: _Checker
) -> list[ConditionSpec]:
    specs = []
    for text, item in _rejoin_brackets(c.names(node, what)):
        try:
            spec = parse_condition(text)
        except ConditionSyntaxError as error:
            message = str(error)
            if message.startswith("unknown condition"):
                name = message.split("'")[1]
                message += (
                    f" in {what}{_suggest(name, LIBRARY)} (conditions: {_listing(LIBRARY, 20)})"
                )
            c.add(item, message)
            continue
        if _check_references(spec, item, what, workflow, ctx, c):
            specs.append(spec)
    return specs


def _rejoin_brackets(items: list[tuple[str, Located]]) -> list[tuple[str, Located]]:
    """Undo YAML's split of ``[happened_within(review_held, 12 school weeks)]`` at the comma.

    In a bracketed YAML list a comma separates items, so a condition with two arguments
    arrives in pieces; joining pieces until the brackets balance lets editors write it the
    natural way.
    """
    joined: list[tuple[str, Located]] = []
    pending: tuple[str, Located] | None = None
    for text, item in items:
        pending = (f"{pending[0]}, {text}", pending[1]) if pending is not None else (text, item)
        if pending[0].count("(") <= pending[0].count(")"):
            joined.append(pending)
            pending = None
    if pending is not None:
        joined.append(pending)
    return joined


def _check_references(
    spec: ConditionSpec, item: Located, what: str, workflow: str, ctx: _Context, c: _Checker
) -> bool:
    ok = True
    for part in spec.parts():
        ok = _check_part(part, item, what, ctx, c) and ok
    return ok


def _check_part(spec: ConditionSpec, item: Located, what: str, ctx: _Context, c: _Checker) -> bool:
    ok = True
    for kind, arg in zip(LIBRARY[spec.name].params, spec.args, strict=True):
        if kind == "field" and arg not in ctx.fields:
            c.add(
                item,
                f"'{spec.text}' in {what} names field '{arg}', which is not declared "
                f"under 'fields:'{_suggest(arg, ctx.fields)}",
            )
            ok = False
        elif kind == "agency" and arg not in ctx.agencies:
            c.add(
                item,
                f"'{spec.text}' in {what} names agency '{arg}', which is not declared "
                f"under 'agencies:'{_suggest(arg, ctx.agencies)}",
            )
            ok = False
        elif kind == "state":
            ok = _check_qualified(spec, item, what, arg, "state", ctx.states_of, c) and ok
        elif kind == "trigger":
            ok = _check_qualified(spec, item, what, arg, "trigger", ctx.triggers_of, c) and ok
    return ok


def _check_qualified(
    spec: ConditionSpec,
    item: Located,
    what: str,
    arg: str,
    kind: str,
    names_of: Mapping[str, set[str]],
    c: _Checker,
) -> bool:
    """A state or trigger argument, bare or qualified as ``workflow.name``."""
    wf, _, bare = arg.rpartition(".")
    if wf and wf not in names_of:
        c.add(
            item,
            f"'{spec.text}' in {what} names workflow '{wf}', which is not "
            f"defined{_suggest(wf, names_of)}",
        )
        return False
    known = names_of[wf] if wf else set().union(*names_of.values())
    if bare in known:
        return True
    owner = f"workflow '{wf}' does not have" if wf else "no workflow defines"
    c.add(
        item,
        f"'{spec.text}' in {what} names {kind} '{bare}', which {owner}{_suggest(bare, known)}",
    )
    return False


def _effects(
    node: Located | None, where: str, workflow: str, ctx: _Context, c: _Checker
) -> list[Effect]:
    effects: list[Effect] = []
    if node is None:
        return effects
    if not node.is_list:
        c.add(
            node,
            f"'effects' of {where} must be a list, each item starting with '- "
            "create_action:' or '- open_case:'",
        )
        return effects
    for item in node.value:
        if not item.is_map or len(item.value) != 1:
            c.add(
                item,
                f"each effect of {where} must be one of 'create_action:' or "
                "'open_case:' with its details indented below it",
            )
            continue
        kind, body = next(iter(item.value.items()))
        if kind not in EFFECT_KEYS:
            c.add(
                item.key_at(kind),
                f"unknown effect '{kind}' in {where}"
                f"{_suggest(kind, EFFECT_KEYS)} (effects: {', '.join(EFFECT_KEYS)})",
            )
            continue
        what = f"the {kind} effect of {where}"
        if not c.mapping(body, what):
            continue
        c.keys(body, EFFECT_KEYS[kind], what)
        if kind == "create_action":
            if ("role" in body.value) == ("agency" in body.value):
                c.add(
                    body,
                    f"{what} must name either 'role:' (the action goes to people in that role) "
                    "or 'agency:' (to anyone in that agency), not both or neither",
                )
                continue
            role = c.name(body.value.get("role"), f"the role of {what}")
            if role is not None and role not in ctx.roles:
                c.add(
                    body.value["role"],
                    f"{what} addresses role '{role}', which is not "
                    f"declared under 'roles:'{_suggest(role, ctx.roles)}",
                )
                continue
            agency = c.name(body.value.get("agency"), f"the agency of {what}")
            if agency is not None and agency not in ctx.agencies:
                c.add(
                    body.value["agency"],
                    f"{what} addresses agency '{agency}', which is not "
                    f"declared under 'agencies:'{_suggest(agency, ctx.agencies)}",
                )
                continue
            title = c.text(body.value.get("title"), f"the title of {what}")
            due = None
            if "due" in body.value:
                due_text = c.text(body.value["due"], f"'due' of {what}")
                due = parse_duration(due_text) if due_text else None
                if due_text and due is None:
                    c.add(body.value["due"], f"'{due_text}' is not a duration: {DURATION_HELP}")
            if (role or agency) and title:
                effects.append(
                    Effect("create_action", role=role, agency=agency, title=title, due=due)
                )
        else:
            target = c.name(body.value.get("workflow"), f"the workflow of {what}")
            if target is not None and target not in ctx.workflows:
                c.add(
                    body.value["workflow"],
                    f"{what} opens a case in workflow '{target}', "
                    f"which does not exist{_suggest(target, ctx.workflows)} (workflows: "
                    f"{_listing(ctx.workflows)})",
                )
            elif target == workflow:
                c.add(
                    body.value["workflow"],
                    f"{what} opens a case in its own workflow "
                    f"'{workflow}'; a linked case must be in another workflow",
                )
            elif target is not None:
                effects.append(Effect("open_case", workflow=target))
    return effects


def _check_timers(
    workflow: str, shape: _Shape, transitions: list[TransitionDef], c: _Checker
) -> None:
    for name, timers in shape.timers.items():
        for timer, node in timers:
            if timer.fire is None or timer.fire in shape.broken_triggers:
                continue
            t = next((t for t in transitions if t.trigger == timer.fire and t.leaves(name)), None)
            where = node.value.get("fire", node)
            if t is None:
                others = {t.trigger for t in transitions if t.leaves(name)}
                c.add(
                    where,
                    f"a timer of state '{name}' fires '{timer.fire}', but no transition "
                    f"'{timer.fire}' leaves '{name}' in workflow '{workflow}'"
                    f"{_suggest(timer.fire, others)}",
                )
            elif t.requires:
                c.add(
                    where,
                    f"a timer of state '{name}' fires '{timer.fire}', which requires "
                    f"{', '.join(t.requires)}; a timer cannot record anything, so fire a "
                    "transition without 'requires:'",
                )
            elif t.sign_off:
                c.add(
                    where,
                    f"a timer of state '{name}' fires '{timer.fire}', which needs a second "
                    f"sign-off ('sign_off:'); a timer acts alone and nobody could sign it "
                    "off, so fire a transition without 'sign_off:'",
                )


def _check_duplicates(
    workflow: str,
    raw: Located | None,
    transitions: list[TransitionDef],
    states: Mapping[str, StateDef],
    c: _Checker,
) -> None:
    if raw is None or not raw.is_list:
        return
    nodes: dict[str, list[Located]] = {}
    for item in raw.value:
        if item.is_map and "trigger" in item.value and item.value["trigger"].is_scalar:
            nodes.setdefault(_plain(item.value["trigger"]), []).append(item)
    seen: dict[tuple[str, str], int] = {}
    by_trigger: dict[str, int] = {}
    for t in transitions:
        index = by_trigger.get(t.trigger, 0)
        by_trigger[t.trigger] = index + 1
        candidates = nodes.get(t.trigger, [])
        if index >= len(candidates):
            continue
        node = candidates[index]
        sources = [s for s in states if not states[s].final] if WILDCARD in t.sources else t.sources
        for source in sources:
            first = seen.get((t.trigger, source))
            if first is not None:
                c.add(
                    node.value["trigger"],
                    f"trigger '{t.trigger}' leaves state '{source}' more "
                    f"than once in workflow '{workflow}' (also on line {first}); a person "
                    "could not tell which is meant: give one of them another trigger name",
                )
                break
            seen[(t.trigger, source)] = node.value["trigger"].line


def _check_graph(
    workflow: str,
    initial: str,
    shape: _Shape,
    states: Mapping[str, StateDef],
    transitions: list[TransitionDef],
    c: _Checker,
) -> None:
    edges: dict[str, set[str]] = {name: set() for name in states}
    for t in transitions:
        sources = [s for s in states if not states[s].final] if WILDCARD in t.sources else t.sources
        for source in sources:
            edges[source].add(t.target(source))

    reached = {initial}
    queue = deque([initial])
    while queue:
        for nxt in edges[queue.popleft()]:
            if nxt not in reached:
                reached.add(nxt)
                queue.append(nxt)
    for name in states:
        if name not in reached:
            c.add(
                shape.states[name],
                f"state '{name}' of workflow '{workflow}' can never be "
                f"reached: no chain of transitions leads to it from the initial state "
                f"'{initial}'; add a transition to it, or remove it",
            )

    reverse: dict[str, set[str]] = {name: set() for name in states}
    for source, dests in edges.items():
        for dest in dests:
            reverse[dest].add(source)
    finishing = {name for name, s in states.items() if s.final}
    queue = deque(finishing)
    while queue:
        for prev in reverse[queue.popleft()]:
            if prev not in finishing:
                finishing.add(prev)
                queue.append(prev)
    if not any(s.final for s in states.values()):
        return
    for name in states:
        if name in reached and name not in finishing:
            c.add(
                shape.states[name],
                f"state '{name}' of workflow '{workflow}' has no way to a "
                "final state: a case there could never be closed; add a transition out of "
                "it, or mark it 'final: true'",
            )
