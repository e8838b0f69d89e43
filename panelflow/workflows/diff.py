"""Human-readable differences between two versions of the workflow file.

``describe_changes`` lists what changed in the procedure ("transition 'step_up' of
support_first: allowed roles changed from ewo to ewo, attendance_lead"); ``text_diff`` is the
line-by-line diff of the files, for those who want to see exactly what was typed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from panelflow.workflows.definitions import (
    DEFAULT_VIRTUAL_SCHOOL,
    ApprovalBand,
    AttendanceRules,
    FundingRules,
    TransitionDef,
    VirtualSchoolRule,
    WorkflowDef,
    WorkflowSet,
)
from panelflow.workflows.facts import percent
from panelflow.workflows.money import format_money


def _names(values: Iterable[object]) -> str:
    items = [str(v) for v in values]
    return ", ".join(items) if items else "none"


def _transition_key(t: TransitionDef) -> tuple[str, tuple[str, ...]]:
    return (t.trigger, t.sources)


def _compare_transition(where: str, old: TransitionDef, new: TransitionDef) -> list[str]:
    changes = []
    for attribute, words in [
        ("dest", "now goes to"),
        ("allowed", "allowed roles"),
        ("requires", "required fields"),
        ("conditions", "conditions"),
        ("unless", "'unless' conditions"),
        ("effects", "effects"),
        ("label", "label"),
        ("sign_off", "second sign-off roles"),
        ("suggested_when", "conditions it is suggested when"),
    ]:
        before, after = getattr(old, attribute), getattr(new, attribute)
        if before == after:
            continue
        if attribute == "effects":
            changes.append(f"{where}: effects changed")
        elif attribute in ("dest", "label"):
            changes.append(f"{where}: {words} changed from '{before}' to '{after}'")
        else:
            changes.append(f"{where}: {words} changed from {_names(before)} to {_names(after)}")
    if old.safeguarding != new.safeguarding:
        changes.append(
            f"{where}: {'now' if new.safeguarding else 'no longer'} marked as a safeguarding step"
        )
    return changes


def _compare_workflow(old: WorkflowDef, new: WorkflowDef) -> list[str]:
    key = new.key
    changes = []
    if old.title != new.title:
        changes.append(f"workflow '{key}': title changed from '{old.title}' to '{new.title}'")
    if old.initial != new.initial:
        changes.append(
            f"workflow '{key}': new cases now start at '{new.initial}' (was '{old.initial}')"
        )
    if old.involves != new.involves:
        changes.append(
            f"workflow '{key}': agencies involved while a case is open changed from "
            f"{_names(old.involves)} to {_names(new.involves)}"
        )
    for name in new.states.keys() - old.states.keys():
        changes.append(f"workflow '{key}': state '{name}' added")
    for name in old.states.keys() - new.states.keys():
        changes.append(
            f"workflow '{key}': state '{name}' removed (cases there cannot move to this version)"
        )
    for name in sorted(old.states.keys() & new.states.keys()):
        before, after = old.states[name], new.states[name]
        if before.final != after.final:
            changes.append(
                f"workflow '{key}': state '{name}' is {'now' if after.final else 'no longer'} final"
            )
        if before.agenda != after.agenda:
            changes.append(
                f"workflow '{key}': cases in state '{name}' "
                f"{'now go' if after.agenda else 'no longer go'} on the panel agenda"
            )
        if before.timers != after.timers:
            changes.append(f"workflow '{key}': timers of state '{name}' changed")
        if before.label != after.label:
            changes.append(
                f"workflow '{key}': state '{name}' renamed from '{before.label}' to '{after.label}'"
            )
    old_t = {_transition_key(t): t for t in old.transitions}
    new_t = {_transition_key(t): t for t in new.transitions}
    for k in sorted(new_t.keys() - old_t.keys()):
        changes.append(f"workflow '{key}': transition '{k[0]}' from {_names(k[1])} added")
    for k in sorted(old_t.keys() - new_t.keys()):
        changes.append(f"workflow '{key}': transition '{k[0]}' from {_names(k[1])} removed")
    for k in sorted(old_t.keys() & new_t.keys()):
        changes.extend(
            _compare_transition(f"workflow '{key}': transition '{k[0]}'", old_t[k], new_t[k])
        )
    return changes


def describe_band(band: ApprovalBand) -> str:
    """'up to £150.00: approved by panel_chair, then a second approval by attendance_lead'."""
    amount = f"up to {format_money(band.up_to)}" if band.up_to is not None else "any amount"
    words = f"{amount}: approved by {_names(band.approved_by)}"
    if band.needs_second:
        words += f", then a second approval by {_names(band.second_approval_by)}"
    return words


def _describe_bands(rules: FundingRules) -> str:
    return "; ".join(describe_band(b) for b in rules.approval) or "none"


def _compare_funding(old: FundingRules | None, new: FundingRules | None) -> list[str]:
    if old == new:
        return []
    if old is None:
        assert new is not None
        return [
            f"funding rules added: {len(new.items)} items panels can fund; "
            f"approval {_describe_bands(new)}"
        ]
    if new is None:
        return ["funding rules removed: panels can no longer propose funding"]
    changes = []
    for name in sorted(new.items.keys() - old.items.keys()):
        changes.append(f"funding item '{name}' added ({new.items[name]})")
    for name in sorted(old.items.keys() - new.items.keys()):
        changes.append(f"funding item '{name}' removed")
    for name in sorted(old.items.keys() & new.items.keys()):
        if old.items[name] != new.items[name]:
            changes.append(
                f"funding item '{name}' renamed from '{old.items[name]}' to '{new.items[name]}'"
            )
    if old.approval != new.approval:
        changes.append(
            f"funding approval changed from {_describe_bands(old)} to {_describe_bands(new)}"
        )
    return changes


def _compare_virtual_school(
    old: VirtualSchoolRule | None, new: VirtualSchoolRule | None
) -> list[str]:
    before, after = old or DEFAULT_VIRTUAL_SCHOOL, new or DEFAULT_VIRTUAL_SCHOOL
    changes = []
    if before.pupils != after.pupils:
        changes.append(
            "the virtual school head now sees pupils who are "
            f"{' or '.join(after.pupils)} (was {' or '.join(before.pupils)})"
        )
    if before.tell_when != after.tell_when:
        changes.append(
            "the virtual school head is now told about the steps "
            f"{_names(after.tell_when)} (was {_names(before.tell_when)})"
        )
    return changes


def describe_changes(old: WorkflowSet | None, new: WorkflowSet) -> list[str]:
    """What changed in the procedures, one line per change, in plain words."""
    if old is None:
        return [f"first version: {len(new.workflows)} workflows ({', '.join(new.workflows)})"]
    changes = []
    for name in sorted(new.roles.keys() - old.roles.keys()):
        changes.append(f"role '{name}' added ({new.roles[name].label})")
    for name in sorted(old.roles.keys() - new.roles.keys()):
        changes.append(f"role '{name}' removed")
    for name in sorted(old.roles.keys() & new.roles.keys()):
        if old.roles[name] != new.roles[name]:
            changes.append(f"role '{name}' changed")
    for name in sorted(new.fields.keys() - old.fields.keys()):
        changes.append(f"field '{name}' added")
    for name in sorted(old.fields.keys() - new.fields.keys()):
        changes.append(f"field '{name}' removed")
    for name in sorted(old.fields.keys() & new.fields.keys()):
        if old.fields[name] != new.fields[name]:
            changes.append(f"field '{name}' changed")
    if old.barriers != new.barriers:
        changes.append("barrier list changed")
    changes.extend(_compare_funding(old.funding, new.funding))
    changes.extend(_compare_virtual_school(old.virtual_school, new.virtual_school))
    if old.attendance != new.attendance:
        changes.append(
            f"attendance thresholds changed from {_describe_attendance(old.attendance)} to "
            f"{_describe_attendance(new.attendance)}"
        )
    for key in sorted(new.workflows.keys() - old.workflows.keys()):
        changes.append(f"workflow '{key}' added")
    for key in sorted(old.workflows.keys() - new.workflows.keys()):
        changes.append(f"workflow '{key}' removed (its cases cannot move to this version)")
    for key in sorted(old.workflows.keys() & new.workflows.keys()):
        changes.extend(_compare_workflow(old.workflows[key], new.workflows[key]))
    return changes or ["no change to any procedure (only comments or layout changed)"]


def text_diff(old_text: str, new_text: str, old_name: str, new_name: str) -> str:
    """A unified diff of the two files."""
    return "".join(
        difflib.unified_diff(
            old_text.splitlines(keepends=True),
            new_text.splitlines(keepends=True),
            fromfile=old_name,
            tofile=new_name,
        )
    )


def _describe_attendance(rules: AttendanceRules) -> str:
    return (
        f"persistent absence {percent(rules.persistent)}, severe absence "
        f"{percent(rules.severe)}, falling fast {float(rules.falling_points):g} points over "
        f"{rules.falling_over}"
    )
