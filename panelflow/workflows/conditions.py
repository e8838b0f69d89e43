"""The condition library: the only conditions a workflow file may use.

A condition is written in YAML as a name, optionally with arguments and a comparison::

    has_recorded(reason)
    happened_within(review_held, 12 school weeks)
    count_of(review_held) >= 2
    time_in_state >= 6 school weeks
    looked_after
    attendance_at_least(90%, 6 school weeks)

There are no Python expressions: the text is parsed by a small grammar and every name must be
in ``LIBRARY``. Each condition can say in words what is missing when it is not met (and, for
``unless:``, what stands in the way when it is).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import TYPE_CHECKING

from panelflow.workflows.durations import DURATION_HELP, Duration, parse_duration
from panelflow.workflows.facts import Sessions, percent

if TYPE_CHECKING:
    from panelflow.workflows.definitions import WorkflowSet
    from panelflow.workflows.facts import CaseFacts

OPERATORS: dict[str, Callable[[int, int], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}
OPERATOR_WORDS = {
    ">=": "at least",
    ">": "more than",
    "<=": "at most",
    "<": "fewer than",
    "==": "exactly",
}

_CONDITION = re.compile(
    r"""^\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*
        (?:\((?P<args>[^()]*)\))?\s*
        (?:(?P<op>>=|<=|==|>|<)\s*(?P<value>.+?))?\s*$""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class ConditionSpec:
    """A parsed condition, as written in the file."""

    text: str
    name: str
    args: tuple[str, ...] = ()
    op: str | None = None
    number: int | None = None
    duration: Duration | None = None
    alternatives: tuple[ConditionSpec, ...] = ()  # for "a or b": met when any is met
    share: Fraction | None = None  # a percentage argument, as a share (90% is 9/10)

    def __str__(self) -> str:
        return self.text

    def parts(self) -> tuple[ConditionSpec, ...]:
        """The library conditions this is made of (itself, or each side of an 'or')."""
        return self.alternatives or (self,)


@dataclass(frozen=True)
class Outcome:
    met: bool
    unmet_message: str
    met_message: str


@dataclass(frozen=True)
class ConditionType:
    """A condition the library offers: its parameters, how to compare, and its documentation."""

    name: str
    params: tuple[str, ...]  # kinds: field, trigger, state, agency, duration, percentage
    compare: str | None  # None, "number" or "duration"
    summary: str
    example: str
    evaluate: Callable[[ConditionSpec, CaseFacts, WorkflowSet], Outcome]


def _day(moment: datetime | date) -> str:
    return f"{moment.day} {moment:%B %Y}"


def _trigger_label(names: WorkflowSet, trigger: str) -> str:
    workflow, _, bare = trigger.rpartition(".")
    for key, wf in names.workflows.items():
        if workflow and key != workflow:
            continue
        if any(t.trigger == bare for t in wf.transitions):
            return wf.trigger_label(bare)
    return bare.replace("_", " ")


def _matches(entry_workflow: str, entry_trigger: str, trigger: str) -> bool:
    workflow, _, bare = trigger.rpartition(".")
    return entry_trigger == bare and (not workflow or workflow == entry_workflow)


def _has_recorded(spec: ConditionSpec, facts: CaseFacts, names: WorkflowSet) -> Outcome:
    field = spec.args[0]
    label = names.field_label(field)
    met = any(e.fields.get(field) not in (None, "", []) for e in facts.history())
    return Outcome(
        met, f"nothing has been recorded for '{label}' yet", f"'{label}' has been recorded"
    )


def _happened(spec: ConditionSpec, facts: CaseFacts, names: WorkflowSet) -> Outcome:
    trigger = spec.args[0]
    label = _trigger_label(names, trigger)
    met = any(_matches(e.workflow, e.trigger, trigger) for e in facts.history())
    return Outcome(met, f"'{label}' has not happened yet", f"'{label}' has already happened")


def _happened_within(spec: ConditionSpec, facts: CaseFacts, names: WorkflowSet) -> Outcome:
    trigger, window = spec.args[0], spec.duration
    assert window is not None
    label = _trigger_label(names, trigger)
    since = facts.calendar.subtract(facts.now, window)
    met = any(_matches(e.workflow, e.trigger, trigger) and e.at >= since for e in facts.history())
    return Outcome(
        met,
        f"no '{label}' in the last {window} (since {_day(since)})",
        f"'{label}' happened in the last {window}",
    )


def _count_of(spec: ConditionSpec, facts: CaseFacts, names: WorkflowSet) -> Outcome:
    trigger = spec.args[0]
    assert spec.op is not None and spec.number is not None
    label = _trigger_label(names, trigger)
    count = sum(1 for e in facts.history() if _matches(e.workflow, e.trigger, trigger))
    times = "once" if count == 1 else f"{count} times"
    wanted = f"{OPERATOR_WORDS[spec.op]} {spec.number}"
    return Outcome(
        OPERATORS[spec.op](count, spec.number),
        f"'{label}' has happened {times}; this needs {wanted}",
        f"'{label}' has happened {times}",
    )


def _visited(spec: ConditionSpec, facts: CaseFacts, names: WorkflowSet) -> Outcome:
    workflow, _, state = spec.args[0].rpartition(".")
    label = state.replace("_", " ")
    for key, wf in names.workflows.items():
        if state in wf.states and (not workflow or key == workflow):
            label = wf.state_label(state)
            break

    def here(entry_workflow: str, entry_state: str) -> bool:
        return entry_state == state and (not workflow or entry_workflow == workflow)

    met = here(facts.workflow, facts.state) or any(
        here(e.workflow, e.to_state) for e in facts.history()
    )
    return Outcome(met, f"the case has never been at '{label}'", f"the case has been at '{label}'")


def _time_in_state(spec: ConditionSpec, facts: CaseFacts, names: WorkflowSet) -> Outcome:
    assert spec.op is not None and spec.duration is not None
    due = facts.calendar.add(facts.entered_at, spec.duration)
    elapsed = facts.now >= due
    met = elapsed if spec.op in (">=", ">") else not elapsed
    words = OPERATOR_WORDS[spec.op]
    return Outcome(
        met,
        f"the case reached its current stage on {_day(facts.entered_at)}; it must stay "
        f"there {words} {spec.duration}" + (f" (until {_day(due)})" if not elapsed else ""),
        f"the case has been at its current stage for {words} {spec.duration}",
    )


def _consent_recorded(spec: ConditionSpec, facts: CaseFacts, names: WorkflowSet) -> Outcome:
    agency = names.agency_label(spec.args[0])
    met = spec.args[0] in facts.consents()
    return Outcome(
        met,
        f"consent or a lawful basis to share with {agency} is not recorded",
        f"consent to share with {agency} is recorded",
    )


def _attribute(attribute: str, described: str) -> Callable[..., Outcome]:
    def evaluate(spec: ConditionSpec, facts: CaseFacts, names: WorkflowSet) -> Outcome:
        return Outcome(
            facts.attribute(attribute),
            f"the pupil is not recorded as {described}",
            f"the pupil is recorded as {described}",
        )

    return evaluate


def _no_attendance(span: Duration | None, found: Sessions | None) -> str:
    over = f"the last {span}" if span is not None else "this academic year"
    if found is None:
        return f"no attendance has been imported for {over}"
    return f"no possible sessions were recorded in {over} (to {_day(found.end)})"


def _attendance_rate(below: bool) -> Callable[..., Outcome]:
    def evaluate(spec: ConditionSpec, facts: CaseFacts, names: WorkflowSet) -> Outcome:
        assert spec.share is not None and spec.duration is not None
        found = facts.attendance(spec.duration)
        if found is None or found.rate is None:
            return Outcome(False, _no_attendance(spec.duration, found), "")
        wanted, got = percent(spec.share), percent(found.rate)
        over = f"over the last {spec.duration}"
        to = f"to {_day(found.end)}"
        if below:
            return Outcome(
                found.rate < spec.share,
                f"attendance {over} was {got} ({to}); this needs below {wanted}",
                f"attendance {over} has been below {wanted} ({got}, {to})",
            )
        return Outcome(
            found.rate >= spec.share,
            f"attendance {over} was {got} ({to}); this needs at least {wanted}",
            f"attendance has been at least {wanted} {over} ({got}, {to})",
        )

    return evaluate


def _absent(severe: bool) -> Callable[..., Outcome]:
    words = "severely absent" if severe else "persistently absent"

    def evaluate(spec: ConditionSpec, facts: CaseFacts, names: WorkflowSet) -> Outcome:
        rules = names.attendance
        threshold = rules.severe if severe else rules.persistent
        found = facts.attendance(None)
        if found is None or found.missed is None:
            return Outcome(False, _no_attendance(None, found), "")
        missed = f"{percent(found.missed)} of possible sessions missed, to {_day(found.end)}"
        return Outcome(
            found.missed >= threshold,
            f"the pupil is not {words} this year ({missed}); {words} is "
            f"{percent(threshold)} or more missed",
            f"the pupil is {words} this year ({missed})",
        )

    return evaluate


_TYPES = [
    ConditionType(
        "has_recorded",
        ("field",),
        None,
        "Something has been recorded for this field on the case (or a linked case).",
        "has_recorded(reason)",
        _has_recorded,
    ),
    ConditionType(
        "happened",
        ("trigger",),
        None,
        "This transition has been taken at least once on the case or a linked case.",
        "happened(plan_agreed)",
        _happened,
    ),
    ConditionType(
        "happened_within",
        ("trigger", "duration"),
        None,
        "This transition has been taken within the given time before now.",
        "happened_within(review_held, 12 school weeks)",
        _happened_within,
    ),
    ConditionType(
        "count_of",
        ("trigger",),
        "number",
        "How many times this transition has been taken, compared with a number.",
        "count_of(review_held) >= 2",
        _count_of,
    ),
    ConditionType(
        "visited",
        ("state",),
        None,
        "The case is, or has at some time been, in this state.",
        "visited(targeted_support)",
        _visited,
    ),
    ConditionType(
        "time_in_state",
        (),
        "duration",
        "How long the case has been in its current state, compared with a duration.",
        "time_in_state >= 6 school weeks",
        _time_in_state,
    ),
    ConditionType(
        "consent_recorded",
        ("agency",),
        None,
        "Consent or a lawful basis for sharing with this agency is recorded and in force.",
        "consent_recorded(camhs)",
        _consent_recorded,
    ),
    ConditionType(
        "attendance_at_least",
        ("percentage", "duration"),
        None,
        "The pupil's imported attendance over the given last span of time is at least this "
        "percentage.",
        "attendance_at_least(90%, 6 school weeks)",
        _attendance_rate(below=False),
    ),
    ConditionType(
        "attendance_below",
        ("percentage", "duration"),
        None,
        "The pupil's imported attendance over the given last span of time is below this "
        "percentage.",
        "attendance_below(90%, 6 school weeks)",
        _attendance_rate(below=True),
    ),
    ConditionType(
        "persistently_absent",
        (),
        None,
        "The pupil has missed the persistent absence share of possible sessions (10% unless "
        "'attendance:' says otherwise) or more this academic year.",
        "persistently_absent",
        _absent(severe=False),
    ),
    ConditionType(
        "severely_absent",
        (),
        None,
        "The pupil has missed the severe absence share of possible sessions (50% unless "
        "'attendance:' says otherwise) or more this academic year.",
        "severely_absent",
        _absent(severe=True),
    ),
]
for _name, _words in [
    ("looked_after", "looked after"),
    ("previously_looked_after", "previously looked after"),
    ("has_social_worker", "having a social worker"),
    ("has_ehcp", "having an education, health and care plan"),
    ("has_send", "having special educational needs"),
    ("free_school_meals", "eligible for free school meals"),
]:
    _TYPES.append(
        ConditionType(
            _name, (), None, f"The pupil is recorded as {_words}.", _name, _attribute(_name, _words)
        )
    )

LIBRARY: dict[str, ConditionType] = {t.name: t for t in _TYPES}


class ConditionSyntaxError(ValueError):
    """The text is not a condition; the message says why in plain words."""


PERCENTAGE_HELP = "write a percentage from 1% to 100%, like 90%"


def parse_percentage(text: str) -> Fraction | None:
    """'90%' (or '90', '92.5%') as a share of one; None unless it is from 1% to 100%."""
    written = text.strip()
    if written.endswith("%"):
        written = written[:-1].strip()
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", written):
        return None
    try:
        value = Fraction(Decimal(written))
    except (InvalidOperation, ValueError):
        return None
    if not 1 <= value <= 100:
        return None
    return value / 100


_OR = re.compile(r"\s+or\s+")


def parse_condition(text: str) -> ConditionSpec:
    """Parse condition text into a spec, checking it against the library.

    Alternatives may be joined with ``or``: ``visited(penalty_notice) or
    visited(attendance_contract)`` is met when either is. Raises ``ConditionSyntaxError``
    with a plain-English message; references to fields, triggers, states and agencies are
    checked later by the validator, which knows the file.
    """
    written = text.strip()
    for sign, ascii_sign in (("≥", ">="), ("≤", "<="), ("=>", ">="), ("=<", "<=")):
        if sign in written:
            raise ConditionSyntaxError(
                f"'{written}' uses '{sign}', which panelflow cannot read; write "
                f"'{ascii_sign}' instead, like '{written.replace(sign, ascii_sign)}'"
            )
    if "≠" in written or "!=" in written:
        raise ConditionSyntaxError(
            f"'{written}' uses 'not equal', which panelflow cannot read; to require that "
            "something is not the case, put the condition under 'unless:'"
        )
    if re.search(r"\s+and\s+", text.strip()):
        raise ConditionSyntaxError(
            f"'{text.strip()}' joins conditions with 'and'; put each condition on its own "
            "line under 'conditions:' instead (all of them must be met)"
        )
    pieces = _OR.split(text.strip())
    if len(pieces) > 1:
        if any(not piece.strip() for piece in pieces):
            raise ConditionSyntaxError(f"'{text}' has an 'or' with nothing on one side")
        alternatives = tuple(_parse_one(piece) for piece in pieces)
        return ConditionSpec(text.strip(), "any_of", alternatives=alternatives)
    return _parse_one(text)


def _parse_one(text: str) -> ConditionSpec:
    match = _CONDITION.match(text)
    if not match:
        raise ConditionSyntaxError(
            f"'{text}' is not a condition: write a condition name from the library, "
            "with any arguments in brackets, e.g. 'has_recorded(reason)'"
        )
    name = match.group("name")
    ctype = LIBRARY.get(name)
    if ctype is None:
        raise ConditionSyntaxError(f"unknown condition '{name}'")
    raw_args = match.group("args")
    args = tuple(a.strip() for a in raw_args.split(",")) if raw_args and raw_args.strip() else ()
    if len(args) != len(ctype.params):
        wanted = len(ctype.params)
        raise ConditionSyntaxError(
            f"condition '{name}' takes {wanted} argument{'s' if wanted != 1 else ''} "
            f"({', '.join(ctype.params) or 'none'}), but {len(args)} "
            f"{'was' if len(args) == 1 else 'were'} given; for example '{ctype.example}'"
        )
    if raw_args is not None and not ctype.params:
        raise ConditionSyntaxError(
            f"condition '{name}' takes no brackets; write it as '{ctype.example}'"
        )
    duration = None
    share = None
    for kind, arg in zip(ctype.params, args, strict=True):
        if kind == "percentage":
            share = parse_percentage(arg)
            if share is None:
                raise ConditionSyntaxError(
                    f"'{arg}' in '{text.strip()}' is not a percentage: {PERCENTAGE_HELP}; for "
                    f"example '{ctype.example}'"
                )
        elif kind == "duration":
            duration = parse_duration(arg)
            if duration is None:
                raise ConditionSyntaxError(
                    f"'{arg}' in '{text}' is not a duration: {DURATION_HELP}"
                )
        elif not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?", arg):
            raise ConditionSyntaxError(f"'{arg}' in '{text}' is not a {kind} name")
    op, value = match.group("op"), match.group("value")
    number = None
    if ctype.compare is None and op:
        raise ConditionSyntaxError(
            f"condition '{name}' cannot be compared with '{op}'; write it as '{ctype.example}'"
        )
    if ctype.compare is not None and not op:
        raise ConditionSyntaxError(
            f"condition '{name}' needs a comparison, for example '{ctype.example}'"
        )
    if ctype.compare == "number":
        assert value is not None
        if not re.fullmatch(r"[0-9]+", value.strip()):
            raise ConditionSyntaxError(
                f"'{value}' in '{text}' must be a whole number, for example '{ctype.example}'"
            )
        number = int(value)
    elif ctype.compare == "duration":
        assert value is not None
        if op not in (">=", "<"):
            raise ConditionSyntaxError(
                f"'{text.strip()}' compares with '{op}'; a time can only be compared with "
                f"'>=' (at least) or '<' (less than), for example '{ctype.example}'"
            )
        duration = parse_duration(value)
        if duration is None:
            raise ConditionSyntaxError(f"'{value}' in '{text}' is not a duration: {DURATION_HELP}")
    return ConditionSpec(text.strip(), name, args, op, number, duration, share=share)


def describe_condition(spec: ConditionSpec) -> str:
    """What a condition means, from the library's documentation ("or" for alternatives)."""
    summaries = [LIBRARY[part.name].summary.rstrip(".") for part in spec.parts()]
    return " Or: ".join(summaries) + "."


def evaluate(spec: ConditionSpec, facts: CaseFacts, names: WorkflowSet) -> Outcome:
    """Test one condition (or a set of alternatives) on a case's facts."""
    if not spec.alternatives:
        return LIBRARY[spec.name].evaluate(spec, facts, names)
    outcomes = [evaluate(alternative, facts, names) for alternative in spec.alternatives]
    met = [o for o in outcomes if o.met]
    return Outcome(
        bool(met),
        "none of these is the case: " + "; ".join(o.unmet_message for o in outcomes),
        met[0].met_message if met else "",
    )


def suggested(specs: Sequence[ConditionSpec], facts: CaseFacts, names: WorkflowSet) -> list[str]:
    """What each of a step's ``suggested_when`` conditions found, when every one holds; an
    empty list when any does not (or there are none). A suggestion never allows or refuses
    anything."""
    found = []
    for spec in specs:
        outcome = evaluate(spec, facts, names)
        if not outcome.met:
            return []
        found.append(outcome.met_message)
    return found
