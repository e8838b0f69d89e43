"""Each funded intervention's attendance before and after, from a few SQL aggregates.

An *intervention* is one pupil's approved funding decision (a bus pass, mentoring) or one
pupil's place on a cohort of a group programme. A decision that pays for a place is measured
once, as the place: the programme is what the pupil did, and the decision's spend is what the
place cost. A place runs from the cohort's start to its last session, or to the day the
pupil left it.

The windows depend only on the authority's term dates and the two dates of the
intervention, so they are worked out once per distinct (authority, start, end) in Python
(``panelflow.impact.windows``), sent to the database as a ``VALUES`` list, and joined to
the interventions and their attendance records: the database sums the sessions of every
intervention's two windows in one ``GROUP BY``, reading each pupil's records through the
``(pupil_id, period_start, period_end)`` index. Python receives one row per intervention,
never an attendance record, so 50,000 pupils take a few statements.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    case,
    cast,
    column,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
    values,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Subquery

from panelflow.attendance.models import AttendanceRecord
from panelflow.funding.models import (
    Cohort,
    CohortPlace,
    CohortSession,
    FundingDecision,
    SpendEntry,
)
from panelflow.impact.scope import Scope
from panelflow.impact.windows import DEFAULT_WEEKS, Windows, windows_for
from panelflow.organisations.models import Pupil, School
from panelflow.terms.models import SchoolClosure
from panelflow.workflows.durations import WEEKDAYS, SchoolCalendar

# Windows per statement: seven values a row stays far below SQLite's and PostgreSQL's limits
# on bound parameters.
WINDOWS_PER_QUERY = 4000

MEASURED = "measured"
WAITING = "waiting"  # the after window has not ended yet
NO_ATTENDANCE = "no_attendance"  # a window that has ended holds no attendance


@dataclass(frozen=True)
class Filters:
    """What a report covers: interventions starting from ``date_from`` to ``date_to``, with
    windows of so many school weeks."""

    date_from: date
    date_to: date
    before_weeks: int = DEFAULT_WEEKS
    after_weeks: int = DEFAULT_WEEKS

    def described(self) -> dict[str, str | int]:
        return {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "before_weeks": self.before_weeks,
            "after_weeks": self.after_weeks,
        }


@dataclass(frozen=True)
class Measure:
    """One intervention: who it was for (as groups, never a name) and its attendance."""

    kind: str  # "funding" or "programme"
    type_key: str  # the funding item, or the programme's id
    pupil_id: int
    school_id: int
    panel_id: int
    has_send: bool
    free_school_meals: bool
    looked_after: bool
    year_group: int
    spend_pence: int
    before: float | None  # attendance rate, 0 to 1
    after: float | None
    status: str

    @property
    def measured(self) -> bool:
        return self.status == MEASURED

    @property
    def change(self) -> float:
        """The change in percentage points (after minus before); measured ones only."""
        assert self.before is not None and self.after is not None
        return (self.after - self.before) * 100

    @property
    def improved(self) -> bool:
        return self.measured and self.change > 0


def interventions() -> Subquery:
    """Every intervention as rows of (kind, ref, type_key, pupil_id, panel_id, starts, ends,
    decision_id): approved decisions that pay for no place, and places."""
    paid_place = exists(select(CohortPlace.id).where(CohortPlace.decision_id == FundingDecision.id))
    funded = select(
        literal("funding", String(20)).label("kind"),
        FundingDecision.id.label("ref"),
        FundingDecision.item.label("type_key"),
        FundingDecision.pupil_id.label("pupil_id"),
        FundingDecision.panel_id.label("panel_id"),
        FundingDecision.starts_on.label("starts"),
        FundingDecision.ends_on.label("ends"),
        FundingDecision.id.label("decision_id"),
    ).where(FundingDecision.status == "approved", ~paid_place)
    last_session = (
        select(CohortSession.cohort_id, func.max(CohortSession.held_on).label("last_on"))
        .group_by(CohortSession.cohort_id)
        .subquery()
    )
    places = (
        select(
            literal("programme", String(20)),
            CohortPlace.id,
            cast(Cohort.programme_id, String(50)),
            CohortPlace.pupil_id,
            Cohort.panel_id,
            Cohort.starts_on,
            func.coalesce(CohortPlace.left_on, last_session.c.last_on, Cohort.starts_on),
            CohortPlace.decision_id,
        )
        .join(Cohort, Cohort.id == CohortPlace.cohort_id)
        .outerjoin(last_session, last_session.c.cohort_id == Cohort.id)
    )
    return union_all(funded, places).subquery("interventions")


def calendars(session: Session, authority_ids: Iterable[int]) -> dict[int, SchoolCalendar]:
    """Each authority's school calendar, in one query (Monday to Friday without term dates)."""
    closed: dict[int, list[date]] = defaultdict(list)
    wanted = [a for a in set(authority_ids) if a]
    if wanted:
        for authority, day in session.execute(
            select(SchoolClosure.local_authority_id, SchoolClosure.day).where(
                SchoolClosure.local_authority_id.in_(wanted)
            )
        ):
            closed[authority].append(day)
    return {a: SchoolCalendar(closed[a]) if closed[a] else WEEKDAYS for a in wanted}


def measure(session: Session, scope: Scope, filters: Filters, today: date) -> list[Measure]:
    """The measures of every intervention in ``scope`` starting within the filters' dates."""
    found = interventions()
    i = found.c
    authority = func.coalesce(School.local_authority_id, 0)
    covered: list[ColumnElement[bool]] = [
        scope.schools(),
        i.starts >= filters.date_from,
        i.starts <= filters.date_to,
    ]
    combos = session.execute(
        select(authority, i.starts, i.ends)
        .distinct()
        .select_from(found)
        .join(Pupil, Pupil.id == i.pupil_id)
        .join(School, School.id == Pupil.school_id)
        .where(*covered)
    ).all()
    if not combos:
        return []
    by_authority = calendars(session, (row[0] for row in combos))
    windows: list[tuple[int, date, date, Windows]] = [
        (
            la,
            starts,
            ends,
            windows_for(
                by_authority.get(la, WEEKDAYS),
                starts,
                ends,
                filters.before_weeks,
                filters.after_weeks,
            ),
        )
        for la, starts, ends in combos
    ]
    measures: list[Measure] = []
    for first in range(0, len(windows), WINDOWS_PER_QUERY):
        chunk = windows[first : first + WINDOWS_PER_QUERY]
        measures.extend(_measure_chunk(session, found, authority, covered, chunk, today))
    return measures


def _measure_chunk(
    session: Session,
    found: Subquery,
    authority: ColumnElement[int],
    covered: list[ColumnElement[bool]],
    chunk: Sequence[tuple[int, date, date, Windows]],
    today: date,
) -> list[Measure]:
    i = found.c
    w = (
        values(
            column("la", Integer),
            column("starts", Date),
            column("ends", Date),
            column("b_from", Date),
            column("b_to", Date),
            column("a_from", Date),
            column("a_to", Date),
            name="windows",
        )
        .data(
            [
                (la, s, e, x.before_from, x.before_to, x.after_from, x.after_to)
                for la, s, e, x in chunk
            ]
        )
        .cte("windows")
    )
    record = AttendanceRecord
    # A period lies wholly inside a window. The bound on period_start that period_end <= to
    # already implies lets the index on (pupil_id, period_start, ...) read just the window.
    in_before = and_(
        record.period_start.between(w.c.b_from, w.c.b_to), record.period_end <= w.c.b_to
    )
    in_after = and_(
        record.period_start.between(w.c.a_from, w.c.a_to), record.period_end <= w.c.a_to
    )
    spend = (
        select(SpendEntry.decision_id, func.sum(SpendEntry.amount_pence).label("pence"))
        .group_by(SpendEntry.decision_id)
        .subquery()
    )
    keys = (
        i.kind,
        i.ref,
        i.type_key,
        i.pupil_id,
        i.panel_id,
        Pupil.school_id,
        Pupil.has_send,
        Pupil.free_school_meals,
        Pupil.looked_after,
        Pupil.year_group,
        w.c.a_to,
        spend.c.pence,
    )
    rows = session.execute(
        select(
            *keys,
            func.sum(case((in_before, record.attended_sessions), else_=0)),
            func.sum(case((in_before, record.possible_sessions), else_=0)),
            func.sum(case((in_after, record.attended_sessions), else_=0)),
            func.sum(case((in_after, record.possible_sessions), else_=0)),
        )
        .select_from(found)
        .join(Pupil, Pupil.id == i.pupil_id)
        .join(School, School.id == Pupil.school_id)
        .join(
            w,
            and_(w.c.la == authority, w.c.starts == i.starts, w.c.ends == i.ends),
        )
        .outerjoin(spend, spend.c.decision_id == i.decision_id)
        .outerjoin(record, and_(record.pupil_id == i.pupil_id, or_(in_before, in_after)))
        .where(*covered)
        .group_by(*keys)
    ).all()
    out = []
    for row in rows:
        (kind, _ref, type_key, pupil_id, panel_id, school_id, send, fsm, lac, year) = row[:10]
        after_to, pence, b_att, b_pos, a_att, a_pos = row[10:]
        before = (b_att or 0) / b_pos if b_pos else None
        after = (a_att or 0) / a_pos if a_pos else None
        if after_to - timedelta(days=2) >= today:  # its last Friday has not passed yet
            status = WAITING
        elif before is None or after is None:
            status = NO_ATTENDANCE
        else:
            status = MEASURED
        out.append(
            Measure(
                kind=kind,
                type_key=str(type_key),
                pupil_id=pupil_id,
                school_id=school_id,
                panel_id=panel_id,
                has_send=bool(send),
                free_school_meals=bool(fsm),
                looked_after=bool(lac),
                year_group=year,
                spend_pence=int(pence or 0),
                before=before if status == MEASURED else None,
                after=after if status == MEASURED else None,
                status=status,
            )
        )
    return out
