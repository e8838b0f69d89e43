"""Barrier themes: which barriers panels record most, by school and month by month.

Counts are of different pupils (a pupil whose panel recorded "bullying" at three meetings
counts once in a table, and once in each month it was recorded), taken from the barriers
recorded at panels (``CaseBarrier``) from ``date_from`` to ``date_to``, by the day they were
recorded (UTC). Each is counted in SQL (``COUNT(DISTINCT ...) ... GROUP BY``); small counts
are withheld as in the impact report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, distinct, func, select
from sqlalchemy.orm import Session

from panelflow.cases.models import Case
from panelflow.impact.exports import Cell, Table
from panelflow.impact.scope import Scope
from panelflow.impact.suppression import FEWER, small, withheld
from panelflow.organisations.models import Pupil, School
from panelflow.panels.models import CaseBarrier


@dataclass(frozen=True)
class BarrierFilters:
    date_from: date
    date_to: date

    def described(self) -> dict[str, str]:
        return {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}


@dataclass(frozen=True)
class Series:
    """Month by month, per category, for the chart: None where a count is withheld."""

    months: list[str]  # "2026-03"
    categories: list[str]
    counts: dict[str, list[int | None]]


@dataclass(frozen=True)
class BarrierReport:
    scope: Scope
    filters: BarrierFilters
    pupils: int  # different pupils with any barrier recorded
    tables: list[Table]
    series: Series

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)


def month_words(month: str) -> str:
    """'2026-03' -> 'March 2026'."""
    year, number = month.split("-")
    return f"{date(int(year), int(number), 1):%B %Y}"


def category_words(category: str) -> str:
    return category.replace("_", " ").capitalize()


def _month(session: Session) -> ColumnElement[str]:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", CaseBarrier.at), "YYYY-MM")
    return func.strftime("%Y-%m", CaseBarrier.at)


def barrier_report(
    session: Session, scope: Scope, filters: BarrierFilters, categories: list[str]
) -> BarrierReport:
    """The barrier tables for ``scope``; ``categories`` in the order the workflow file
    lists them (others found in the records follow, alphabetically)."""
    pupils = distinct(Case.pupil_id)
    starts = datetime.combine(filters.date_from, time(), UTC)
    ends = datetime.combine(filters.date_to + timedelta(days=1), time(), UTC)

    def counted(*columns: Any) -> Select[Any]:
        return (
            select(*columns, func.count(pupils))
            .select_from(CaseBarrier)
            .join(Case, Case.id == CaseBarrier.case_id)
            .join(Pupil, Pupil.id == Case.pupil_id)
            .join(School, School.id == Pupil.school_id)
            .where(scope.schools(), CaseBarrier.at >= starts, CaseBarrier.at < ends)
        )

    total = session.scalar(counted()) or 0
    by_barrier = session.execute(
        counted(CaseBarrier.category, CaseBarrier.barrier).group_by(
            CaseBarrier.category, CaseBarrier.barrier
        )
    ).all()
    month = _month(session).label("month")
    by_month = session.execute(
        counted(month, CaseBarrier.category).group_by(month, CaseBarrier.category)
    ).all()
    seen = {row[0] for row in by_barrier}
    order = [c for c in categories if c in seen] + sorted(seen - set(categories))

    tables = [_most_recorded(by_barrier, total)]
    if scope.whole_authority:
        by_school = session.execute(
            counted(School.name, School.id, CaseBarrier.category).group_by(
                School.name, School.id, CaseBarrier.category
            )
        ).all()
        school_totals = session.execute(counted(School.id).group_by(School.id)).all()
        tables.append(_by_school(by_school, dict(school_totals), order))
    months_table, series = _by_month(by_month, order)
    tables.append(months_table)
    return BarrierReport(scope, filters, total, tables, series)


def _most_recorded(rows: Sequence[Any], total: int) -> Table:
    ranked = sorted(rows, key=lambda r: (-r[2], r[0], r[1]))
    hidden = withheld([r[2] for r in ranked], total)
    cells: list[list[Cell]] = [
        [barrier, category_words(category), FEWER if h else count]
        for (category, barrier, count), h in zip(ranked, hidden, strict=True)
    ]
    return Table("barriers", "Barriers recorded most", ["Barrier", "Category", "Pupils"], cells)


def _cross_row(label: str, counts: list[int], total: int | None) -> list[Cell]:
    hidden = withheld(counts, total, zero_shown=True)
    row: list[Cell] = [label]
    row += [FEWER if h else c for c, h in zip(counts, hidden, strict=True)]
    if total is not None:
        row.append(FEWER if small(total, zero_shown=True) else total)
    return row


def _by_school(rows: Sequence[Any], totals: dict[int, int], order: list[str]) -> Table:
    cells: dict[tuple[str, int], dict[str, int]] = defaultdict(dict)
    for name, school_id, category, count in rows:
        cells[(name, school_id)][category] = count
    out = [
        _cross_row(name, [found.get(c, 0) for c in order], totals.get(school_id, 0))
        for (name, school_id), found in sorted(cells.items(), key=lambda i: i[0][0].casefold())
    ]
    return Table(
        "schools",
        "Barriers by school",
        ["School", *(category_words(c) for c in order), "Any barrier"],
        out,
    )


def _by_month(rows: Sequence[Any], order: list[str]) -> tuple[Table, Series]:
    cells: dict[str, dict[str, int]] = defaultdict(dict)
    for month, category, count in rows:
        cells[str(month)][category] = count
    months = sorted(cells)
    out: list[list[Cell]] = []
    counts: dict[str, list[int | None]] = {c: [] for c in order}
    for month in months:
        row = _cross_row(month_words(month), [cells[month].get(c, 0) for c in order], None)
        out.append(row)
        for category, value in zip(order, row[1:], strict=True):
            counts[category].append(value if isinstance(value, int) else None)
    table = Table(
        "months",
        "Barriers month by month",
        ["Month", *(category_words(c) for c in order)],
        out,
    )
    return table, Series(months, order, counts)
