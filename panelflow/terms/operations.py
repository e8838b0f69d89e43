"""Storing a local authority's term dates, and the school calendar built from them.

``load_term_dates`` replaces whole academic years, so loading a corrected file again (or the
same file twice) leaves exactly what the file says. ``calendar_for`` is what timers and
conditions count school days on; an authority with no term dates counts Monday to Friday.
Like every operation, these take an explicit session and actor and never commit.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from panelflow.audit.operations import log
from panelflow.db import rowcount
from panelflow.organisations.models import LocalAuthority, Pupil, School
from panelflow.roles import Actor
from panelflow.terms.dates import Closure, TermDates, academic_year_of, parse_academic_year
from panelflow.terms.models import SchoolClosure
from panelflow.workflows.durations import WEEKDAYS, SchoolCalendar

logger = logging.getLogger(__name__)


class TermDatesError(Exception):
    """The term dates cannot be loaded or shown; the message says why in plain words."""


@dataclass(frozen=True)
class LoadReport:
    local_authority: str
    years: tuple[str, ...]
    closures: int
    replaced: int
    timers_moved: int = 0

    @property
    def message(self) -> str:
        moved = self.timers_moved
        return (
            f"loaded term dates for {self.local_authority}: {', '.join(self.years)} "
            f"({self.closures} weekdays closed; {self.replaced} stored before were replaced); "
            f"{moved} pending timer{'' if moved == 1 else 's'} counted again on the new dates"
        )


def load_term_dates(
    session: Session, local_authority_id: int, closures: TermDates, actor: Actor
) -> LoadReport:
    """Replace the authority's closures in every academic year ``closures`` covers.

    Years the file does not mention are left as they are. Runs in the caller's transaction
    and audits what was loaded (counts and years only).
    """
    authority = session.get(LocalAuthority, local_authority_id)
    if authority is None:
        raise TermDatesError(f"there is no local authority with id {local_authority_id}")
    if not closures.years:
        raise TermDatesError("the term dates hold no academic year, so there is nothing to load")
    replaced = 0
    for year in closures.years:
        replaced += rowcount(
            session.execute(
                delete(SchoolClosure)
                .where(
                    SchoolClosure.local_authority_id == local_authority_id,
                    SchoolClosure.day.between(year.first_day, year.last_day),
                )
                .execution_options(synchronize_session=False)
            )
        )
    rows = [
        {"local_authority_id": local_authority_id, "day": c.day, "kind": c.kind, "name": c.name}
        for c in closures.closures()
    ]
    if rows:
        session.execute(insert(SchoolClosure), rows)
    kinds = Counter(c.kind for c in closures.closures())
    session.flush()
    moved = reschedule_timers(session, local_authority_id)
    report = LoadReport(authority.name, tuple(closures.labels), len(rows), replaced, moved)
    log(
        session,
        actor,
        "terms.load",
        f"loaded term dates for {authority.name}: {', '.join(report.years)}",
        details={
            "local_authority_id": local_authority_id,
            "years": list(report.years),
            "closures": report.closures,
            "replaced": replaced,
            "kinds": dict(sorted(kinds.items())),
            "school_days": {y.label: y.school_days for y in closures.years},
            "timers_moved": moved,
        },
    )
    logger.info("term dates loaded for local authority %s: %s", local_authority_id, report.years)
    return report


def reschedule_timers(session: Session, local_authority_id: int) -> int:
    """Count the pending timers of the authority's cases again on its calendar as it is now.

    A timer's due moment is worked out when its case enters the state, so new or corrected
    term dates would otherwise reach only the timers started after them. Each timer is
    counted from the moment its case entered the state, by the duration its workflow version
    gives it. Returns how many moved.
    """
    from panelflow.cases.models import Case, CaseTimer
    from panelflow.catalogue.operations import pinned

    calendar = calendar_for(session, local_authority_id)
    moved = 0
    for timer, case in session.execute(
        select(CaseTimer, Case)
        .join(Case, Case.id == CaseTimer.case_id)
        .join(Pupil, Pupil.id == Case.pupil_id)
        .join(School, School.id == Pupil.school_id)
        .where(CaseTimer.status == "pending", School.local_authority_id == local_authority_id)
    ):
        workflow = pinned(session, case.workflow_version_id).engine.workflow(case.workflow_key)
        state = workflow.states.get(timer.state) if workflow else None
        after = next(
            (
                t.after
                for t in (state.timers if state else ())
                if t.fire == timer.fire_trigger and t.flag == timer.flag
            ),
            None,
        )
        if after is None:
            continue
        due = calendar.add(timer.entered_at, after)
        if due != timer.due_at:
            timer.due_at = due
            moved += 1
    return moved


def calendar_for(session: Session, local_authority_id: int | None) -> SchoolCalendar:
    """The calendar to count an authority's school days on, in one query.

    Without term dates (or without an authority) it is Monday to Friday. Callers that count
    many times in one request may keep the result for the request.
    """
    if local_authority_id is None:
        return WEEKDAYS
    days = session.scalars(
        select(SchoolClosure.day).where(SchoolClosure.local_authority_id == local_authority_id)
    ).all()
    return SchoolCalendar(days) if days else WEEKDAYS


def calendar_for_pupil(session: Session, pupil_id: int) -> SchoolCalendar:
    """The calendar of the authority of the pupil's school, in one query (a case knows its
    pupil, not its authority). Monday to Friday when there are no term dates."""
    days = session.scalars(
        select(SchoolClosure.day)
        .join(School, School.local_authority_id == SchoolClosure.local_authority_id)
        .join(Pupil, Pupil.school_id == School.id)
        .where(Pupil.id == pupil_id)
    ).all()
    return SchoolCalendar(days) if days else WEEKDAYS


def authority_named(session: Session, name: str) -> LocalAuthority:
    """The local authority called ``name`` (ignoring case), or a plain error naming those
    there are."""
    wanted = " ".join(name.split()).casefold()
    authorities = session.scalars(select(LocalAuthority).order_by(LocalAuthority.name)).all()
    for authority in authorities:
        if authority.name.casefold() == wanted:
            return authority
    known = ", ".join(f"'{a.name}'" for a in authorities) or "none yet"
    raise TermDatesError(f"there is no local authority called '{name}' (there are: {known})")


def closures_of(
    session: Session, local_authority_id: int, year: str | None = None
) -> list[Closure]:
    """The authority's stored closures, in date order, for one academic year or all."""
    query = select(SchoolClosure).where(SchoolClosure.local_authority_id == local_authority_id)
    if year is not None:
        bounds, problem = parse_academic_year(year)
        if bounds is None:
            raise TermDatesError(problem or f"'{year}' is not an academic year")
        query = query.where(SchoolClosure.day.between(bounds[1], bounds[2]))
    rows = session.scalars(query.order_by(SchoolClosure.day)).all()
    return [Closure(row.day, row.kind, row.name) for row in rows]


def covered_years(closures: list[Closure]) -> list[str]:
    """The academic years that have any closure stored, in order."""
    return sorted({academic_year_of(c.day) for c in closures})
