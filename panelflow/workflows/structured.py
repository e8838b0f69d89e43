"""Structured field values: an attendance support plan, and a review of one.

Most fields hold one piece of text, a date or a number. Two field types hold a small record
instead, kept whole in the case's history so every version of a plan stays readable:

``support_plan``
    the barriers (picked from the file's ``barriers:`` list, and in words), who will do what
    and by when (the school, the family, the pupil or an agency), the targets with the date to
    meet each by, the review date, and the pupil's and the family's views in their own words.
``plan_review``
    for each target of the current plan, whether it was met, partly met or not met, with
    notes; the decision (step down, continue, step up); and the pupil's and family's views.

The current plan of a case is the latest ``support_plan`` value recorded in its group of
linked cases (``current_plan``). Cleaning a value returns it in a fixed shape of plain JSON
types, or every problem found, each with the *path* of the part it is about
(``support_plan-targets-2-by``) so a form can show it beside that input. Rows left wholly
blank are ignored, but keep their number, so "Target 2" is the second row the person saw.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from panelflow.workflows.definitions import FieldDef, WorkflowSet
from panelflow.workflows.facts import HistoryEntry

SUPPORT_PLAN = "support_plan"
PLAN_REVIEW = "plan_review"
STRUCTURED_TYPES = (SUPPORT_PLAN, PLAN_REVIEW)

RATINGS = {"met": "Met", "partly_met": "Partly met", "not_met": "Not met"}
DECISIONS = {
    "step_down": "Step down to less support",
    "continue": "Carry on at this stage",
    "step_up": "Step up to more support",
}
# Who can make a commitment in a plan, besides the agencies of the workflow file.
PEOPLE = {"school": "The school", "family": "The family", "pupil": "The pupil"}

MAX_ROWS = 20
SHORT = 1_000  # a target, a commitment, a note on a target
LONG = 5_000  # views, barriers in words

Problems = list[tuple[str, str]]

_DAY = re.compile(r"^(\d{1,2})[ /.-](\d{1,2})[ /.-](\d{4})$")


def parties(definitions: WorkflowSet) -> dict[str, str]:
    """Who may be named in a plan's commitments: key -> the words people see."""
    named = dict(PEOPLE)
    for key, label in definitions.agencies.items():
        named.setdefault(key, label)
    return named


def party_label(definitions: WorkflowSet | None, who: str) -> str:
    if who in PEOPLE:
        return PEOPLE[who]
    if definitions is not None and who in definitions.agencies:
        return definitions.agencies[who]
    return who.replace("_", " ")


def is_plan(value: Any) -> bool:
    """A cleaned ``support_plan`` value (whatever the field is called in its version)."""
    return isinstance(value, Mapping) and "targets" in value and "commitments" in value


def is_review(value: Any) -> bool:
    """A cleaned ``plan_review`` value."""
    return isinstance(value, Mapping) and "progress" in value and "decision" in value


def current_plan(history: Sequence[HistoryEntry]) -> Mapping[str, Any] | None:
    """The latest support plan recorded in this history (oldest first), or None.

    Plans are found by their shape, not their field's name, so a plan recorded under an
    earlier version of the file still counts.
    """
    for entry in reversed(history):
        for value in (entry.fields or {}).values():
            if is_plan(value):
                return value  # type: ignore[no-any-return]
    return None


def is_blank(raw: Any) -> bool:
    """Nothing typed or ticked anywhere in a structured value."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, Mapping):
        return all(is_blank(v) for v in raw.values())
    if isinstance(raw, list | tuple):
        return all(is_blank(v) for v in raw)
    return False


def parse_day(text: str) -> date | None:
    """A date typed as 2026-03-27, 27/3/2026 or 27 3 2026."""
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    match = _DAY.match(text)
    if not match:
        return None
    try:
        return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:
        return None


def clean(
    field: FieldDef,
    raw: Any,
    definitions: WorkflowSet,
    *,
    history: Sequence[HistoryEntry] = (),
    today: date | None = None,
) -> tuple[dict[str, Any] | None, Problems]:
    """Check and normalise a structured value; (value, []) or (None, problems)."""
    if not isinstance(raw, Mapping):
        return None, [(field.name, f"'{field.label}' must be filled in with its form")]
    if field.type == SUPPORT_PLAN:
        return _Plan(field, raw, definitions, today).clean()
    return _Review(field, raw, current_plan(history)).clean()


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _rows(raw: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    rows = raw.get(key) or []
    if not isinstance(rows, list | tuple):
        return []
    return [row if isinstance(row, Mapping) else {} for row in rows]


class _Cleaner:
    def __init__(self, field: FieldDef, raw: Mapping[str, Any]) -> None:
        self.field = field
        self.raw = raw
        self.problems: Problems = []

    def path(self, *parts: object) -> str:
        return "-".join([self.field.name, *map(str, parts)])

    def add(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def words(self, value: Any, path: str, what: str, limit: int) -> str:
        text = _text(value)
        if len(text) > limit:
            self.add(path, f"{what}: keep it under {limit:,} characters")
        return text

    def day(self, value: Any, path: str, what: str, *, required: bool) -> str:
        text = _text(value)
        if not text:
            if required:
                self.add(path, f"{what}: give a date")
            return ""
        found = parse_day(text)
        if found is None:
            self.add(path, f"{what}: '{text}' is not a real date; write it like 27/3/2026")
            return ""
        return found.isoformat()

    def views(self) -> tuple[str, str]:
        pupil = self.words(
            self.raw.get("pupil_views"), self.path("pupil_views"), "The pupil's views", LONG
        )
        family = self.words(
            self.raw.get("family_views"), self.path("family_views"), "The family's views", LONG
        )
        return pupil, family


class _Plan(_Cleaner):
    def __init__(
        self,
        field: FieldDef,
        raw: Mapping[str, Any],
        definitions: WorkflowSet,
        today: date | None,
    ) -> None:
        super().__init__(field, raw)
        self.definitions = definitions
        self.today = today

    def clean(self) -> tuple[dict[str, Any] | None, Problems]:
        barriers = self.barriers()
        notes = self.words(
            self.raw.get("barrier_notes"),
            self.path("barrier_notes"),
            "What is getting in the way",
            LONG,
        )
        if not self.raw.get("barriers") and not notes:
            self.add(
                self.path("barriers"),
                "Barriers: tick at least one barrier, or say in words what is getting in the way",
            )
        commitments = self.commitments()
        targets = self.targets()
        review_date = self.day(
            self.raw.get("review_date"), self.path("review_date"), "Review date", required=True
        )
        if review_date and self.today and date.fromisoformat(review_date) < self.today:
            self.add(self.path("review_date"), "Review date: it must be today or later")
        pupil, family = self.views()
        if not pupil:
            self.add(
                self.path("pupil_views"),
                "The pupil's views: write what the pupil says, in their own words",
            )
        if not family:
            self.add(
                self.path("family_views"),
                "The family's views: write what the family says, in their own words",
            )
        if self.problems:
            return None, self.problems
        return {
            "barriers": barriers,
            "barrier_notes": notes,
            "commitments": commitments,
            "targets": targets,
            "review_date": review_date,
            "pupil_views": pupil,
            "family_views": family,
        }, []

    def barriers(self) -> list[dict[str, str]]:
        picked = self.raw.get("barriers") or []
        if not isinstance(picked, list | tuple):
            picked = [picked]
        known = self.definitions.barriers
        found: list[dict[str, str]] = []
        for item in picked:
            if isinstance(item, Mapping):
                category, barrier = _text(item.get("category")), _text(item.get("barrier"))
            else:
                category, _, barrier = _text(item).partition(": ")
            if category not in known or barrier not in known[category]:
                self.add(
                    self.path("barriers"),
                    f"Barriers: '{barrier or category}' is not in the list of barriers",
                )
                continue
            chosen = {"category": category, "barrier": barrier}
            if chosen not in found:
                found.append(chosen)
        return found

    def commitments(self) -> list[dict[str, str]]:
        named = parties(self.definitions)
        rows = _rows(self.raw, "commitments")
        if len(rows) > MAX_ROWS:
            self.add(self.path("commitments"), f"Who will do what: at most {MAX_ROWS} rows")
        found: list[dict[str, str]] = []
        for number, row in enumerate(rows[:MAX_ROWS], start=1):
            if is_blank(row):
                continue
            what = f"Commitment {number}"
            who = _text(row.get("who"))
            if not who:
                self.add(self.path("commitments", number, "who"), f"{what}: say who will do it")
            elif who not in named:
                self.add(
                    self.path("commitments", number, "who"),
                    f"{what}: '{who}' is not the school, the family, the pupil or an agency",
                )
            text = self.words(
                row.get("what"), self.path("commitments", number, "what"), what, SHORT
            )
            if not text:
                self.add(
                    self.path("commitments", number, "what"),
                    f"{what}: say what {self.doer(who, named)} will do",
                )
            by = self.day(
                row.get("by"), self.path("commitments", number, "by"), what, required=False
            )
            found.append({"who": who, "what": text, "by": by})
        for who in ("school", "family"):
            if not any(c["who"] == who for c in found):
                self.add(
                    self.path("commitments"),
                    f"Who will do what: say what {PEOPLE[who].lower()} will do",
                )
        return found

    def doer(self, who: str, named: Mapping[str, str]) -> str:
        if who in PEOPLE:
            return PEOPLE[who].lower()
        return named[who].split(" (")[0] if who in named else "they"

    def targets(self) -> list[dict[str, str]]:
        rows = _rows(self.raw, "targets")
        if len(rows) > MAX_ROWS:
            self.add(self.path("targets"), f"Targets: at most {MAX_ROWS} targets")
        found: list[dict[str, str]] = []
        for number, row in enumerate(rows[:MAX_ROWS], start=1):
            if is_blank(row):
                continue
            what = f"Target {number}"
            text = self.words(
                row.get("target"), self.path("targets", number, "target"), what, SHORT
            )
            if not text:
                self.add(self.path("targets", number, "target"), f"{what}: say what the target is")
            by_text = _text(row.get("by"))
            if not by_text:
                self.add(self.path("targets", number, "by"), f"{what}: give a date to meet it by")
                by = ""
            else:
                by = self.day(by_text, self.path("targets", number, "by"), what, required=True)
            found.append({"target": text, "by": by})
        if not found:
            self.add(
                self.path("targets"),
                "Targets: write at least one target, with a date to meet it by",
            )
        return found


class _Review(_Cleaner):
    def __init__(
        self, field: FieldDef, raw: Mapping[str, Any], plan: Mapping[str, Any] | None
    ) -> None:
        super().__init__(field, raw)
        self.plan = plan

    def clean(self) -> tuple[dict[str, Any] | None, Problems]:
        progress = self.progress()
        decision = _text(self.raw.get("decision"))
        if decision not in DECISIONS:
            self.add(
                self.path("decision"),
                "Decision: choose step down, carry on at this stage, or step up",
            )
        pupil, family = self.views()
        if self.problems:
            return None, self.problems
        return {
            "progress": progress,
            "decision": decision,
            "pupil_views": pupil,
            "family_views": family,
        }, []

    def progress(self) -> list[dict[str, str]]:
        targets = list(self.plan.get("targets") or []) if self.plan else []
        rows = _rows(self.raw, "progress")
        found: list[dict[str, str]] = []
        for number, target in enumerate(targets, start=1):
            row = rows[number - 1] if number <= len(rows) else {}
            text = _text(target.get("target")) if isinstance(target, Mapping) else ""
            rating = _text(row.get("rating"))
            if rating not in RATINGS:
                self.add(
                    self.path("progress", number, "rating"),
                    f"Target {number} ({_short(text)}): say whether it was met, partly met "
                    "or not met",
                )
            notes = self.words(
                row.get("notes"), self.path("progress", number, "notes"), f"Target {number}", SHORT
            )
            found.append(
                {
                    "target": text,
                    "by": _text(target.get("by")) if isinstance(target, Mapping) else "",
                    "rating": rating,
                    "notes": notes,
                }
            )
        return found


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
