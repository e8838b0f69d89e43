"""Attendance figures per pupil, from the imported records, computed in SQL a school at a time.

For every pupil asked about: the attendance rate (sessions attended over possible sessions)
this academic year and over the last few school weeks, whether they are persistently or
severely absent (the share of possible sessions missed this year, at the thresholds of the
workflow file's ``attendance:`` section), the two spans that say whether attendance is falling
fast, and the recent periods with their direction.

Every span ends at the latest period the pupil's school has imported (its "as of" date), not
today: a school that imports each Monday has last week's figures, and "the last 6 school
weeks" means the six weeks it has imported. School weeks are counted on the local authority's
term dates. A period counts in a span when it ends inside it, so a half-term's figures count
whole.

A whole school's list costs four statements: the schools' latest periods, their term-date
closures, one ``GROUP BY`` pupil for the sums, and one windowed query for the recent periods.
A pupil with no records has no figures at all, never 0% or 100%; a span with records but no
possible sessions has no rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import Any

from sqlalchemy import Date, Integer, and_, case, func, literal, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery

from panelflow.attendance.models import AttendanceRecord
from panelflow.catalogue.models import WorkflowVersion
from panelflow.catalogue.operations import pinned
from panelflow.organisations.models import Pupil, School
from panelflow.presentation import day
from panelflow.terms.models import SchoolClosure
from panelflow.workflows.definitions import DEFAULT_ATTENDANCE, AttendanceRules
from panelflow.workflows.durations import WEEKDAYS, Duration, SchoolCalendar
from panelflow.workflows.facts import Sessions, percent

RECENT = Duration(6, "school_weeks")  # "the last 6 school weeks" on the pages
TREND_WEEKS = 6  # recent periods shown: six weeks,
TREND_HALF_TERMS = 3  # or three half-terms
STEADY = Fraction(5, 100)  # a change of less than 5 points between halves is steady
TREND_DAYS = 200  # how far back the recent periods are looked for

R = AttendanceRecord


@dataclass(frozen=True)
class Period:
    """One imported period of one pupil."""

    kind: str  # week | half_term
    start: date
    end: date
    possible: int
    attended: int

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.attended, self.possible) if self.possible else None

    @property
    def words(self) -> str:
        if self.kind == "week":
            return f"the week of {day(self.start)}"
        return f"the half-term from {day(self.start)} to {day(self.end)}"

    @property
    def label(self) -> str:
        """For a table's row: 'Week of 9 March 2026'."""
        return self.words[4:5].upper() + self.words[5:]


@dataclass
class PupilFigures:
    """One pupil's figures, up to ``as_of`` (the latest period their school has imported)."""

    pupil_id: int
    as_of: date
    rules: AttendanceRules
    recent_span: Duration
    year: Sessions | None = None
    recent: Sessions | None = None
    last: Sessions | None = None  # the falling-fast span ending at as_of
    before: Sessions | None = None  # the same span before it
    periods: list[Period] = field(default_factory=list)  # latest first

    @property
    def rate(self) -> Fraction | None:
        """This academic year's attendance rate, if there were possible sessions."""
        return self.year.rate if self.year else None

    @property
    def persistent(self) -> bool:
        return missed_at_least(self.year, self.rules.persistent)

    @property
    def severe(self) -> bool:
        return missed_at_least(self.year, self.rules.severe)

    @property
    def latest(self) -> Period | None:
        return self.periods[0] if self.periods else None

    @property
    def before_latest(self) -> Sessions | None:
        """This year's figures without the latest period: what they were before it came."""
        latest, year = self.latest, self.year
        if latest is None or year is None or latest.end < year.start or year.periods < 2:
            return None
        return Sessions(
            year.possible - latest.possible,
            year.attended - latest.attended,
            year.start,
            latest.start - timedelta(days=1),
            year.periods - 1,
        )

    @property
    def trend(self) -> list[Period]:
        """The recent periods, oldest first."""
        return list(reversed(self.periods))

    @property
    def direction(self) -> str | None:
        """'rising', 'falling' or 'steady': the later half of the recent periods against the
        earlier half (a change of 5 points or more counts); None with fewer than two."""
        shown = [p for p in self.trend if p.possible]
        if len(shown) < 2:
            return None
        half = len(shown) // 2
        earlier, later = shown[: len(shown) - half], shown[len(shown) - half :]
        change = _rate(later) - _rate(earlier)
        if change >= STEADY:
            return "rising"
        if change <= -STEADY:
            return "falling"
        return "steady"

    @property
    def fall(self) -> Fraction | None:
        """How far attendance fell (in points, as a share) from the span before to the last
        one; None without both rates."""
        if self.last is None or self.before is None:
            return None
        if self.last.rate is None or self.before.rate is None:
            return None
        return self.before.rate - self.last.rate

    @property
    def falling_fast(self) -> bool:
        fall = self.fall
        return fall is not None and fall * 100 >= self.rules.falling_points


def _rate(periods: Sequence[Period]) -> Fraction:
    return Fraction(sum(p.attended for p in periods), sum(p.possible for p in periods))


def missed_at_least(sessions: Sessions | None, threshold: Fraction) -> bool:
    """Were ``threshold`` (a share) or more of the possible sessions missed? False without
    possible sessions: no figures is not absence."""
    missed = sessions.missed if sessions else None
    return missed is not None and missed >= threshold


def tag(figures: PupilFigures | None) -> str | None:
    """'Severe absence', 'Persistent absence' or None."""
    if figures is None:
        return None
    if figures.severe:
        return "Severe absence"
    if figures.persistent:
        return "Persistent absence"
    return None


def rate_words(sessions: Sessions | None) -> str:
    return percent(sessions.rate) if sessions is not None else "no figure"


# --- the spans ------------------------------------------------------------------------------


def academic_year_start(on: date) -> date:
    return date(on.year if on.month >= 9 else on.year - 1, 9, 1)


def span_start(end: date, span: Duration, calendar: SchoolCalendar) -> date:
    """The first day of the ``span`` that ends on ``end`` (inclusive)."""
    after = datetime.combine(end + timedelta(days=1), time())
    return calendar.subtract(after, span).date()


@dataclass(frozen=True)
class _Anchor:
    school_id: int
    as_of: date
    calendar: SchoolCalendar


def _anchors(
    session: Session, pupils: ColumnElement[bool], calendar: SchoolCalendar | None = None
) -> list[_Anchor]:
    """Each school's latest imported period end, for the schools of the pupils asked about,
    with the school's calendar (two statements; the second only with term dates to read)."""
    schools = select(Pupil.school_id).where(pupils)
    found = session.execute(
        select(Pupil.school_id, School.local_authority_id, func.max(R.period_end))
        .join(Pupil, Pupil.id == R.pupil_id)
        .join(School, School.id == Pupil.school_id)
        .where(Pupil.school_id.in_(schools))
        .group_by(Pupil.school_id, School.local_authority_id)
    ).all()
    calendars: dict[int | None, SchoolCalendar] = {}
    authorities = {la for _, la, _ in found if la is not None}
    if calendar is None and authorities:
        closures: dict[int, list[date]] = {}
        for la, closed in session.execute(
            select(SchoolClosure.local_authority_id, SchoolClosure.day).where(
                SchoolClosure.local_authority_id.in_(authorities)
            )
        ):
            closures.setdefault(la, []).append(closed)
        calendars = {la: SchoolCalendar(days) for la, days in closures.items()}
    return [
        _Anchor(school, as_of, calendar or calendars.get(la, WEEKDAYS))
        for school, la, as_of in found
        if as_of is not None
    ]


def _bounds(rows: list[dict[str, Any]]) -> Subquery:
    """The spans of each school as a derived table (one row per school)."""
    selects = [
        select(
            *(
                literal(value, Integer if name == "school_id" else Date).label(name)
                for name, value in row.items()
            )
        )
        for row in rows
    ]
    if len(selects) == 1:
        return selects[0].subquery("bounds")
    return union_all(*selects).subquery("bounds")


def _sums(
    session: Session,
    pupils: ColumnElement[bool],
    spans: Subquery,
    keys: Sequence[str],
) -> dict[int, dict[str, Sessions]]:
    """Per pupil, the sessions of each span, in one GROUP BY."""
    within = {
        key: and_(R.period_end >= spans.c[f"{key}_start"], R.period_end <= spans.c.as_of)
        if key != "before"
        else and_(R.period_end >= spans.c.before_start, R.period_end <= spans.c.before_end)
        for key in keys
    }
    columns = []
    for key in keys:
        columns += [
            func.sum(case((within[key], R.possible_sessions), else_=0)),
            func.sum(case((within[key], R.attended_sessions), else_=0)),
            func.count(case((within[key], 1))),
        ]
    rows = session.execute(
        select(
            R.pupil_id,
            spans.c.as_of,
            *(spans.c[f"{key}_start"] for key in keys),
            *([spans.c.before_end] if "before" in keys else []),
            *columns,
        )
        .join(Pupil, Pupil.id == R.pupil_id)
        .join(spans, spans.c.school_id == Pupil.school_id)
        .where(pupils, R.period_end <= spans.c.as_of, R.period_end >= spans.c.from_day)
        .group_by(
            R.pupil_id,
            spans.c.as_of,
            *(spans.c[f"{key}_start"] for key in keys),
            *([spans.c.before_end] if "before" in keys else []),
        )
    ).all()
    found: dict[int, dict[str, Sessions]] = {}
    for row in rows:
        pupil_id, as_of = row[0], row[1]
        starts = dict(zip(keys, row[2 : 2 + len(keys)], strict=True))
        offset = 2 + len(keys)
        before_end: date = as_of
        if "before" in keys:
            before_end = row[offset]
            offset += 1
        sums = row[offset:]
        spans_of: dict[str, Sessions] = {}
        for index, key in enumerate(keys):
            possible, attended, periods = sums[3 * index : 3 * index + 3]
            if periods:
                end: date = before_end if key == "before" else as_of
                spans_of[key] = Sessions(
                    int(possible), int(attended), starts[key], end, int(periods)
                )
        found[pupil_id] = spans_of
    return found


# --- what callers ask ----------------------------------------------------------------------


def rules_in_force(session: Session) -> AttendanceRules:
    """The live workflow file's ``attendance:`` thresholds (the defaults before any)."""
    version_id = session.scalar(
        select(WorkflowVersion.id).order_by(WorkflowVersion.number.desc()).limit(1)
    )
    if version_id is None:
        return DEFAULT_ATTENDANCE
    return pinned(session, version_id).engine.definitions.attendance


def figures_for(
    session: Session,
    pupils: ColumnElement[bool],
    rules: AttendanceRules,
    *,
    recent: Duration = RECENT,
) -> dict[int, PupilFigures]:
    """The figures of every pupil matching ``pupils`` (a SQL condition on ``Pupil``, which
    must include need-to-know) who has any record in the spans; four statements."""
    anchors = _anchors(session, pupils)
    if not anchors:
        return {}
    rows: list[dict[str, Any]] = []
    for anchor in anchors:
        year = academic_year_start(anchor.as_of)
        recent_start = span_start(anchor.as_of, recent, anchor.calendar)
        last_start = span_start(anchor.as_of, rules.falling_over, anchor.calendar)
        before_end = last_start - timedelta(days=1)
        before_start = span_start(before_end, rules.falling_over, anchor.calendar)
        trend_from = anchor.as_of - timedelta(days=TREND_DAYS)
        rows.append(
            {
                "school_id": anchor.school_id,
                "as_of": anchor.as_of,
                "year_start": year,
                "recent_start": recent_start,
                "last_start": last_start,
                "before_start": before_start,
                "before_end": before_end,
                "trend_from": trend_from,
                "from_day": min(year, recent_start, before_start, trend_from),
            }
        )
    spans = _bounds(rows)
    keys = ("year", "recent", "last", "before")
    sums = _sums(session, pupils, spans, keys)
    as_of: dict[int, date] = {row["school_id"]: row["as_of"] for row in rows}
    found: dict[int, PupilFigures] = {}
    for pupil_id, school_id, period in _periods(session, pupils, spans):
        figures = found.get(pupil_id)
        if figures is None:
            of = sums.get(pupil_id, {})
            figures = found[pupil_id] = PupilFigures(
                pupil_id,
                as_of[school_id],
                rules,
                recent,
                of.get("year"),
                of.get("recent"),
                of.get("last"),
                of.get("before"),
            )
        # The periods of the latest one's kind: six weeks, or three half-terms.
        kind = figures.periods[0].kind if figures.periods else period.kind
        wanted = TREND_HALF_TERMS if kind == "half_term" else TREND_WEEKS
        if len(figures.periods) < wanted and period.kind == kind:
            figures.periods.append(period)
    return found


def _periods(
    session: Session, pupils: ColumnElement[bool], spans: Subquery
) -> list[tuple[int, int, Period]]:
    """Each pupil's latest periods (up to six), latest first, in one windowed query."""
    number = (
        func.row_number()
        .over(partition_by=R.pupil_id, order_by=(R.period_end.desc(), R.period_start.desc()))
        .label("n")
    )
    ranked = (
        select(
            R.pupil_id,
            Pupil.school_id,
            R.period_kind,
            R.period_start,
            R.period_end,
            R.possible_sessions,
            R.attended_sessions,
            number,
        )
        .join(Pupil, Pupil.id == R.pupil_id)
        .join(spans, spans.c.school_id == Pupil.school_id)
        .where(pupils, R.period_end <= spans.c.as_of, R.period_end >= spans.c.from_day)
        .subquery()
    )
    rows = session.execute(
        select(*(c for c in ranked.c if c.name != "n"))
        .where(ranked.c.n <= TREND_WEEKS)
        .order_by(ranked.c.pupil_id, ranked.c.n)
    ).all()
    return [
        (pupil_id, school_id, Period(kind, start, end, possible, attended))
        for pupil_id, school_id, kind, start, end, possible, attended in rows
    ]


def pupil_figures(
    session: Session, pupil_id: int, rules: AttendanceRules | None = None
) -> PupilFigures | None:
    """One pupil's figures (the caller has checked need-to-know), or None without records."""
    rules = rules or rules_in_force(session)
    return figures_for(session, Pupil.id == pupil_id, rules).get(pupil_id)


def sessions_over(
    session: Session,
    pupil_id: int,
    span: Duration | None,
    calendar: SchoolCalendar | None = None,
) -> Sessions | None:
    """One pupil's sessions over the last ``span`` (None: this academic year) up to the latest
    period their school has imported; None when no period of theirs ends in it. For the
    workflow conditions (``DbFacts``): two statements, given the calendar."""
    pupils = Pupil.id == pupil_id
    anchors = _anchors(session, pupils, calendar)
    if not anchors:
        return None
    anchor = anchors[0]
    start = (
        academic_year_start(anchor.as_of)
        if span is None
        else span_start(anchor.as_of, span, anchor.calendar)
    )
    spans = _bounds(
        [
            {
                "school_id": anchor.school_id,
                "as_of": anchor.as_of,
                "span_start": start,
                "from_day": start,
            }
        ]
    )
    return _sums(session, pupils, spans, ("span",)).get(pupil_id, {}).get("span")
