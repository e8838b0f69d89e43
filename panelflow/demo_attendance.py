"""The demonstration's attendance: weekly figures for every pupil since the summer term,
imported through the same import a school uses, and interventions far enough back for their
impact to be measured.

Each school's figures are written as its management information system would export them
(one row per pupil per week) and imported by the school's own attendance lead or chair, so
the import history, the figures on each pupil's page, the "may need a conversation" list and
the impact reports all read real imported data. The weeks are the authority's school weeks
(its term dates and closures), counted back from the last whole week before today, so the
stories read the same whatever day the demonstration is set up.

The stories:

- most pupils attend steadily (93 to 99%); pupils with an open case attend less (80 to 90%);
- at the first school, eight pupils took a place on an early-autumn Inspiring Futures group
  and five had a bus pass, ten school weeks ago: most of them attend better since;
- some pupils have just crossed a threshold or are falling fast, for the suggestion list.
"""

from __future__ import annotations

import csv
import random
import tempfile
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.attendance.operations import import_attendance
from panelflow.cases.models import Case
from panelflow.organisations.models import Pupil, School
from panelflow.roles import Actor
from panelflow.terms.models import SchoolClosure

WEEKS_BACK = timedelta(days=200)
# How many school weeks ago the measured interventions started, and how long they ran.
INTERVENTION_WEEKS_AGO = 10
INTERVENTION_WEEKS = 4

Rate = Callable[[int, int], float]  # (index of the school week, number of weeks) -> rate


def school_weeks(session: Session, authority_id: int, today: date) -> list[tuple[date, int]]:
    """Each school week (its Monday, and how many school days it has) from about the summer
    term to the last week that ended before ``today``."""
    last_monday = today - timedelta(days=today.weekday())
    if today.weekday() < 5:  # this week has not ended yet
        last_monday -= timedelta(weeks=1)
    first_monday = today - WEEKS_BACK
    first_monday -= timedelta(days=first_monday.weekday())
    closed = set(
        session.scalars(
            select(SchoolClosure.day).where(
                SchoolClosure.local_authority_id == authority_id,
                SchoolClosure.day >= first_monday,
                SchoolClosure.day <= last_monday + timedelta(days=4),
            )
        )
    )
    weeks = []
    monday = first_monday
    while monday <= last_monday:
        days = sum(1 for n in range(5) if monday + timedelta(days=n) not in closed)
        if days:
            weeks.append((monday, days))
        monday += timedelta(weeks=1)
    return weeks


def intervention_dates(weeks: Sequence[tuple[date, int]]) -> tuple[date, date]:
    """When the measured interventions ran: from the Monday ten school weeks ago, for four
    school weeks."""
    start = weeks[-INTERVENTION_WEEKS_AGO][0]
    end = weeks[-INTERVENTION_WEEKS_AGO + INTERVENTION_WEEKS - 1][0] + timedelta(days=4)
    return start, end


def _steady(level: float) -> Rate:
    return lambda week, count: level


def _improves(before: float, after: float) -> Rate:
    start = -INTERVENTION_WEEKS_AGO

    def rate(week: int, count: int) -> float:
        return before if week - count < start else after

    return rate


def _falls(level: float, to: float, weeks: int) -> Rate:
    """Steady, then falling over the last ``weeks`` school weeks to ``to``."""

    def rate(week: int, count: int) -> float:
        left = count - week  # 1 for the last week
        if left > weeks:
            return level
        return to + (level - to) * (left - 1) / weeks

    return rate


def _last_week(level: float, last: float) -> Rate:
    return lambda week, count: last if week == count - 1 else level


def _rows(
    pupils: Sequence[Pupil],
    weeks: Sequence[tuple[date, int]],
    rates: Mapping[int, Rate],
    rng: random.Random,
) -> list[list[str | int]]:
    rows: list[list[str | int]] = []
    count = len(weeks)
    for pupil in pupils:
        rate = rates[pupil.id]
        for index, (monday, days) in enumerate(weeks):
            possible = 2 * days
            wobble = rng.uniform(-0.04, 0.04) if rate(index, count) not in (0.0, 1.0) else 0
            share = min(1.0, max(0.0, rate(index, count) + wobble))
            attended = round(possible * share)
            missed = possible - attended
            unauthorised = round(missed * rng.choice((0, 0.25, 0.5)))
            rows.append(
                [
                    pupil.upn or "",
                    monday.strftime("%d/%m/%Y"),
                    possible,
                    attended,
                    missed - unauthorised,
                    unauthorised,
                ]
            )
    return rows


def _import(
    session: Session, school: School, rows: list[list[str | int]], by: Actor, weeks: int
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"attendance-{weeks}-weeks.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(
                ["UPN", "Week Commencing", "Possible", "Attended", "Authorised", "Unauthorised"]
            )
            writer.writerows(rows)
        result = import_attendance(session, by, school, path)
    if result.status != "imported":
        problems = "; ".join(p.format(path.name) for p in result.problems[:3])
        raise RuntimeError(f"the demo attendance of {school.name} did not import: {problems}")


def attendance_stories(
    session: Session,
    schools: Sequence[School],
    pupils: Sequence[Pupil],
    importers: Sequence[Actor],
    measured: Mapping[str, Sequence[int]],
    today: date,
) -> None:
    """Import every school's weekly attendance.

    ``measured`` names the pupils of the interventions whose impact the demo shows:
    ``improved`` and ``not_improved`` pupil ids.
    """
    rng = random.Random(6)
    weeks = school_weeks(session, schools[0].local_authority_id or 0, today)
    with_case = set(session.scalars(select(Case.pupil_id).where(Case.is_final.is_(False))))
    rates: dict[int, Rate] = {}
    for pupil in pupils:
        if pupil.id in with_case:
            rates[pupil.id] = _steady(rng.uniform(0.80, 0.90))
        else:
            rates[pupil.id] = _steady(rng.uniform(0.93, 0.99))
    for pupil_id in measured["improved"]:
        rates[pupil_id] = _improves(rng.uniform(0.74, 0.82), rng.uniform(0.90, 0.97))
    for pupil_id in measured["not_improved"]:
        rates[pupil_id] = _improves(0.84, 0.80)
    # At targeted support and attending well for weeks: stepping down is suggested.
    rates[pupils[15].id] = _improves(0.78, 0.985)
    # For the suggestion list: falling fast, or crossing a threshold in the last week.
    rates[pupils[36].id] = _falls(0.97, 0.55, 4)
    rates[pupils[37].id] = _last_week(0.93, 0.0)
    rates[pupils[52].id] = _last_week(0.53, 0.0)
    rates[pupils[53].id] = _falls(0.96, 0.60, 4)
    rates[pupils[3].id] = _last_week(0.92, 0.1)
    for school, importer in zip(schools, importers, strict=True):
        own = [p for p in pupils if p.school_id == school.id]
        _import(session, school, _rows(own, weeks, rates, rng), importer, len(weeks))
