"""The vocabulary the workflow features are written in, and ``World``: what a scenario has set
up and what its last step did. The steps themselves are in conftest.py (shared) and in the
test modules (feature-specific).

The steps speak the words people see: step labels ("Discuss at the panel"), field labels
("Why are you nominating this pupil?", or for the SPIRAL questions the words before the
colon), state labels and role labels, all looked up in the published version, so a feature
breaks when the file stops saying what the feature says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from panelflow.actions.models import Action
from panelflow.audit.models import AuditRecord
from panelflow.cases.models import Case, CaseEvent, CaseFlag, CaseTimer
from panelflow.cases.operations import Fired, fire
from panelflow.catalogue.models import WorkflowVersion
from panelflow.catalogue.operations import engine_for
from panelflow.organisations.models import Pupil, School
from panelflow.roles import Actor
from panelflow.workflows.definitions import TransitionDef, WorkflowSet
from panelflow.workflows.durations import SCHOOL_TIME
from panelflow.workflows.engine import Refused
from panelflow.workflows.structured import MAX_ROWS

# -- words used in the steps -------------------------------------------------------------------
DATE = r"(?P<date>\d{1,2} [A-Z][a-z]+ \d{4})"
WHO = r"(?P<who>[A-Z][a-z]+)"
PUPIL = r"(?P<pupil>[A-Z][a-z]+)"
STEP = r'"(?P<step>[^"]+)"'
KINDS = {
    "panel case": "school_panel",
    "support-first case": "support_first",
    "consultation": "ewo_consultation",
    "formal case": "statutory_referral",
}
KIND_WORDS = "panel case|support-first case|consultation|formal case"
CASE = rf"(?:the |(?P<owner>[A-Z][a-z]+)'s )(?P<kind>{KIND_WORDS})"
LINKED = rf"(?:the |(?P<link_owner>[A-Z][a-z]+)'s )(?P<link_kind>{KIND_WORDS})"
TIMER_ACTOR = "panelflow timer"
ATTRIBUTES = {
    "looked after": "looked_after",
    "previously looked after": "previously_looked_after",
    "having a social worker": "has_social_worker",
}
COUNTED = (Case, CaseEvent, AuditRecord, Action, CaseTimer, CaseFlag)


def on(text: str) -> datetime:
    """'2 March 2026' as 9 o'clock that morning in the UK (in UTC, as moments are stored)."""
    return datetime.strptime(text, "%d %B %Y").replace(hour=9, tzinfo=SCHOOL_TIME).astimezone(UTC)


def day(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment.day} {moment:%B %Y}"


def example_plan(definitions: WorkflowSet, when: datetime) -> dict[str, Any]:
    """A small attendance support plan, as someone would fill in the form."""
    category, barriers = next(iter(definitions.barriers.items()))
    review = (when + timedelta(weeks=6)).date().isoformat()
    return {
        "barriers": [f"{category}: {barriers[0]}"],
        "barrier_notes": "",
        "commitments": [
            {"who": "school", "what": "A quiet start in the library each morning", "by": ""},
            {"who": "family", "what": "An alarm at 7:15 on school days", "by": ""},
        ],
        "targets": [{"target": "In school by 8:50 on four days a week", "by": review}],
        "review_date": review,
        "pupil_views": f"Written up on {day(when)}",
        "family_views": f"Written up on {day(when)}",
    }


def example_review(when: datetime, rating: str = "partly_met") -> dict[str, Any]:
    """A review that rates every target of the current plan the same, and carries on."""
    return {
        "progress": [{"rating": rating, "notes": ""} for _ in range(MAX_ROWS)],
        "decision": "continue",
        "pupil_views": "",
        "family_views": "",
    }


def _same(a: str, b: str) -> bool:
    return " ".join(a.lower().split()) == " ".join(b.lower().split())


@dataclass
class World:
    """What a scenario has set up, and what its last step did."""

    session: Session
    version: WorkflowVersion
    schools: dict[str, School] = field(default_factory=dict)
    pupils: dict[str, Pupil] = field(default_factory=dict)
    people: dict[str, Actor] = field(default_factory=dict)
    result: Fired | Refused | None = None
    case: Case | None = None  # the case the last step was tried on
    lock_version: int | None = None
    before: dict[str, int] = field(default_factory=dict)
    pupil: Pupil | None = None  # the pupil "the panel case" etc. refers to

    # -- the published file ----------------------------------------------------------------
    @property
    def definitions(self) -> WorkflowSet:
        return engine_for(self.version).definitions

    def definitions_of(self, case: Case) -> WorkflowSet:
        version = self.session.get(WorkflowVersion, case.workflow_version_id)
        assert version is not None
        return engine_for(version).definitions

    def role(self, words: str) -> str:
        roles = self.definitions.roles
        for key, role in roles.items():
            if _same(words, role.label) or _same(words.replace(" ", "_"), key):
                return key
        raise AssertionError(
            f"no role called {words!r}; roles: {[r.label for r in roles.values()]}"
        )

    def agency(self, words: str) -> str:
        for key, label in self.definitions.agencies.items():
            if (
                _same(words, label)
                or _same(words, label.split(" (")[0])
                or _same(words.replace(" ", "_"), key)
            ):
                return key
        raise AssertionError(f"no agency called {words!r}")

    def field_name(self, words: str, definitions: WorkflowSet | None = None) -> str:
        fields = (definitions or self.definitions).fields
        for key, definition in fields.items():
            if (
                _same(words, definition.label)
                or _same(words, key)
                or _same(words, definition.label.split(": ")[0])
            ):
                return key
        raise AssertionError(f"no field called {words!r}")

    def transition(self, case: Case, words: str) -> TransitionDef:
        wf = self.definitions_of(case).workflows[case.workflow_key]
        found = [t for t in wf.transitions if _same(words, t.label) or words == t.trigger]
        assert found, (
            f"{wf.title} has no step {words!r}: {sorted({t.label for t in wf.transitions})}"
        )
        assert len({t.trigger for t in found}) == 1, f"{words!r} is ambiguous in {wf.title}"
        here = [t for t in found if t.leaves(case.state)]
        return here[0] if here else found[0]

    def state_label(self, case: Case) -> str:
        return self.definitions_of(case).workflows[case.workflow_key].state_label(case.state)

    # -- people, pupils and cases ------------------------------------------------------------
    def person(self, name: str) -> Actor:
        assert name in self.people, f"{name} is not in the scenario's cast: {list(self.people)}"
        return self.people[name]

    def the_pupil(self, name: str | None) -> Pupil:
        if name is None:
            assert self.pupil is not None, "no pupil yet"
            return self.pupil
        assert name in self.pupils, f"no pupil called {name}"
        return self.pupils[name]

    def find(self, kind: str, owner: str | None = None) -> Case:
        """The pupil's newest case in that workflow, as the database has it now."""
        pupil = self.the_pupil(owner)
        case = self.session.scalars(
            select(Case)
            .where(Case.pupil_id == pupil.id, Case.workflow_key == KINDS[kind])
            .order_by(Case.id.desc())
            .limit(1)
            .execution_options(populate_existing=True)
        ).first()
        assert case is not None, f"{pupil.given_name} has no {kind}"
        return case

    def counts(self) -> dict[str, int]:
        self.session.flush()
        return {
            model.__name__: self.session.scalar(select(func.count()).select_from(model)) or 0
            for model in COUNTED
        }

    # -- taking steps ----------------------------------------------------------------------
    def filled_in(self, case: Case, t: TransitionDef, when: datetime) -> dict[str, Any]:
        """Something sensible for every field the step requires."""
        data: dict[str, Any] = {}
        for name in t.requires:
            definition = self.definitions_of(case).fields[name]
            if definition.type == "choice":
                data[name] = definition.options[0]
            elif definition.type == "number":
                data[name] = "80"
            elif definition.type == "date":
                data[name] = when.date().isoformat()
            elif definition.type == "money":
                data[name] = "25"
            elif definition.type == "yes_no":
                data[name] = "yes"
            elif definition.type == "support_plan":
                data[name] = example_plan(self.definitions_of(case), when)
            elif definition.type == "plan_review":
                data[name] = example_review(when)
            else:
                data[name] = f"Written up on {day(when)}"
        return data

    def recorded(self, case: Case, rows: list[list[str]]) -> dict[str, str]:
        definitions = self.definitions_of(case)
        return {self.field_name(label, definitions): value for label, value in rows}

    def attempt(
        self, who: str, step: str, case: Case, when: datetime, data: dict[str, Any] | str
    ) -> Fired | Refused:
        t = self.transition(case, step)
        if data == "filled in":
            data = self.filled_in(case, t, when)
        assert isinstance(data, dict)
        self.before = self.counts()
        self.case, self.lock_version = case, case.lock_version
        self.result = fire(case, t.trigger, self.person(who), data, now=when)
        if isinstance(self.result, Fired):
            self.session.commit()
        return self.result

    def taken(self, who: str, step: str, case: Case, when: datetime, data: Any) -> Fired:
        result = self.attempt(who, step, case, when, data)
        assert isinstance(result, Fired), f"{who} could not take {step!r}: {result.message}"
        return result

    def fired(self) -> Fired:
        assert isinstance(self.result, Fired), f"the step was refused: {self.result}"
        return self.result

    def refused(self) -> Refused:
        assert isinstance(self.result, Refused), "the step was taken, but should be refused"
        return self.result
