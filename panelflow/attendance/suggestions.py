"""Who may need a conversation: pupils of one school whose attendance has just crossed a
threshold or is falling fast, each with the reason in words.

It only suggests. Nobody is nominated, flagged or told: the list links to the pupil and to the
nomination page, and a person decides (nomination has no criteria). A pupil is listed when,
with the latest period their school has imported:

- they became severely absent (50% or more of this year's possible sessions missed), or
  persistently absent (10% or more), having been under that share before the latest period
  (their first period of the year alone is too little to go on); the thresholds are the
  workflow file's ``attendance:`` section;
- or their attendance fell fast: by 10 points or more from one span (4 school weeks) to the
  next, as that section says.

Only pupils within need-to-know (``pupil_scope``) are ever looked at, one school at a time:
school staff see their own school, and someone whose pupils are at several schools picks one.
A school's whole roll costs the four statements of ``figures.figures_for``, then three more
for the page shown (the pupils, their open cases and the definitions of their versions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from panelflow.attendance.figures import (
    PupilFigures,
    figures_for,
    missed_at_least,
    rules_in_force,
)
from panelflow.cases.rows import OpenCase, open_cases
from panelflow.organisations.models import Pupil, School
from panelflow.paging import Paging
from panelflow.roles import Actor
from panelflow.roles.policy import Permission, allowed, case_scope, pupil_scope
from panelflow.workflows.definitions import DEFAULT_ATTENDANCE, AttendanceRules
from panelflow.workflows.facts import percent

PAGE_SIZE = 50
# The latest period counts as "just now" when it ends within a week of the school's latest.
JUST_NOW = timedelta(days=7)
ORDER = {"severe": 0, "persistent": 1, "falling": 2}


@dataclass(frozen=True)
class Reason:
    kind: str  # severe | persistent | falling
    words: str


@dataclass
class Row:
    pupil: Pupil
    figures: PupilFigures
    reasons: list[Reason]
    cases: list[OpenCase] = field(default_factory=list)

    @property
    def on_agenda(self) -> bool:
        return any(case.on_agenda for case in self.cases)


@dataclass
class Conversations:
    schools: Sequence[School]  # the schools whose pupils the person sees
    school: School | None  # the one shown
    rows: list[Row]
    paging: Paging
    looked_at: int = 0  # pupils with figures at the school
    as_of: date | None = None  # the latest period the school has imported
    problems: dict[str, str] = field(default_factory=dict)
    rules: AttendanceRules = DEFAULT_ATTENDANCE


def reasons(figures: PupilFigures) -> list[Reason]:
    """Why a pupil may need a conversation now, in words; empty when nothing has changed."""
    found: list[Reason] = []
    rules, year, latest = figures.rules, figures.year, figures.latest
    before = figures.before_latest
    just_now = latest is not None and latest.end > figures.as_of - JUST_NOW
    if just_now and year is not None and before is not None and before.possible:
        assert latest is not None
        for kind, words, threshold in (
            ("severe", "severely absent", rules.severe),
            ("persistent", "persistently absent", rules.persistent),
        ):
            noun = f"{kind} absence"
            if missed_at_least(year, threshold) and not missed_at_least(before, threshold):
                found.append(
                    Reason(
                        kind,
                        f"Became {words} with {latest.words}: {percent(year.rate)} attendance "
                        f"this year, {percent(year.missed)} of sessions missed ({noun} is "
                        f"{percent(threshold)} or more missed)",
                    )
                )
                break  # severe says it all; persistent only when severe was not crossed
    if figures.falling_fast:
        assert figures.before is not None and figures.last is not None
        found.append(
            Reason(
                "falling",
                f"Attendance fell from {percent(figures.before.rate)} to "
                f"{percent(figures.last.rate)} over the last {rules.falling_over}",
            )
        )
    return found


def schools_seen(session: Session, actor: Actor) -> Sequence[School]:
    """The schools with at least one pupil the person may see, by name."""
    if not allowed(actor, Permission.VIEW_PUPILS):
        return []
    return session.scalars(
        select(School)
        .where(School.id.in_(select(Pupil.school_id).where(pupil_scope(actor))))
        .order_by(School.name, School.id)
    ).all()


def conversations(
    session: Session, actor: Actor, *, school_id: int | None = None, page: int | None = None
) -> Conversations:
    """The "may need a conversation" list of one school the person sees: the one asked for,
    or the only one there is."""
    schools = schools_seen(session, actor)
    rules = rules_in_force(session)
    problems: dict[str, str] = {}
    chosen = None
    if school_id is not None:
        chosen = next((s for s in schools if s.id == school_id), None)
        if chosen is None:
            problems["school"] = "Choose a school from the list"
    elif len(schools) == 1:
        chosen = schools[0]
    if chosen is None:
        return Conversations(
            schools, None, [], Paging.at(0, 1, PAGE_SIZE), problems=problems, rules=rules
        )
    scope = and_(pupil_scope(actor), Pupil.school_id == chosen.id)
    found = figures_for(session, scope, rules)
    listed = [(figures, why) for figures in found.values() if (why := reasons(figures))]
    paging = Paging.at(len(listed), page, PAGE_SIZE)
    ids = {figures.pupil_id for figures, _ in listed}
    pupils = (
        {
            p.id: p
            for p in session.scalars(
                select(Pupil).where(Pupil.id.in_(ids), pupil_scope(actor))
            ).all()
        }
        if ids
        else {}
    )
    ordered = sorted(
        ((figures, why) for figures, why in listed if figures.pupil_id in pupils),
        key=lambda item: (
            min(ORDER[r.kind] for r in item[1]),
            -(item[0].fall or 0),
            pupils[item[0].pupil_id].family_name,
            pupils[item[0].pupil_id].given_name,
            item[0].pupil_id,
        ),
    )
    rows = [Row(pupils[f.pupil_id], f, why) for f, why in paging.of(ordered)]
    _add_cases(session, actor, rows)
    as_of = max((figures.as_of for figures in found.values()), default=None)
    return Conversations(schools, chosen, rows, paging, len(found), as_of, problems, rules)


def _add_cases(session: Session, actor: Actor, rows: list[Row]) -> None:
    """Each pupil's open cases the person may see, and whether one is on the agenda."""
    if not rows:
        return
    cases = open_cases(session, [row.pupil.id for row in rows], case_scope(actor))
    for row in rows:
        row.cases = cases[row.pupil.id]
