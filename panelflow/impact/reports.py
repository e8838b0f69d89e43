"""The impact report: the measures grouped into breakdowns, small groups withheld.

Each row counts interventions (a funding decision or a programme place, each for one pupil):
how many were measured, how many of those improved (attendance after higher than before),
the mean and median change in percentage points, the mean attendance before and after, how
many cannot be measured yet, what was spent on those measured, and the cost per pupil who
improved. A pupil who had two interventions of one kind counts twice in that row, but a
row is withheld when it holds fewer than five different pupils (``suppression``).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from panelflow.impact.measures import MEASURED, NO_ATTENDANCE, WAITING, Filters, Measure
from panelflow.impact.scope import Scope
from panelflow.impact.suppression import small, withheld
from panelflow.presentation import year_group


@dataclass(frozen=True)
class Row:
    label: str
    pupils: int  # different pupils measured
    measured: int  # interventions measured
    improved: int
    mean_change: float | None
    median_change: float | None
    mean_before: float | None  # percent
    mean_after: float | None
    not_measurable: int
    spend_pence: int
    withheld: bool = False

    @property
    def cost_per_improved_pence(self) -> int | None:
        if not self.improved:
            return None
        return round(self.spend_pence / self.improved)


@dataclass(frozen=True)
class Breakdown:
    key: str  # names the table in addresses: /impact/export/<key>.csv
    title: str
    heading: str  # the first column's header
    rows: list[Row]

    @property
    def any_withheld(self) -> bool:
        return any(row.withheld for row in self.rows)


@dataclass(frozen=True)
class Report:
    scope: Scope
    filters: Filters
    total: Row
    waiting: int  # after window not over yet
    no_attendance: int  # a window over with no attendance recorded
    breakdowns: list[Breakdown] = field(default_factory=list)

    def breakdown(self, key: str) -> Breakdown | None:
        return next((b for b in self.breakdowns if b.key == key), None)


def row_of(label: str, measures: Sequence[Measure]) -> Row:
    measured = [m for m in measures if m.status == MEASURED]
    changes = [m.change for m in measured]
    return Row(
        label=label,
        pupils=len({m.pupil_id for m in measured}),
        measured=len(measured),
        improved=sum(1 for m in measured if m.improved),
        mean_change=statistics.fmean(changes) if changes else None,
        median_change=statistics.median(changes) if changes else None,
        mean_before=statistics.fmean(m.before * 100 for m in measured if m.before is not None)
        if measured
        else None,
        mean_after=statistics.fmean(m.after * 100 for m in measured if m.after is not None)
        if measured
        else None,
        not_measurable=len(measures) - len(measured),
        spend_pence=sum(m.spend_pence for m in measured),
    )


def _withhold(row: Row) -> Row:
    return Row(row.label, 0, 0, 0, None, None, None, None, 0, 0, withheld=True)


def breakdown(
    key: str,
    title: str,
    heading: str,
    measures: Sequence[Measure],
    group: Callable[[Measure], Hashable],
    label: Callable[[Hashable], str],
    order: Callable[[Hashable], Any],
    total: Row,
) -> Breakdown:
    """Rows per group of ``measures``, in ``order``, small ones (and their neighbours)
    withheld."""
    groups: dict[Hashable, list[Measure]] = defaultdict(list)
    for m in measures:
        groups[group(m)].append(m)
    keys = sorted(groups, key=order)
    rows = [row_of(label(k), groups[k]) for k in keys]
    hidden = withheld([r.pupils for r in rows], total.pupils)
    return Breakdown(
        key,
        title,
        heading,
        [_withhold(r) if h else r for r, h in zip(rows, hidden, strict=True)],
    )


def build(
    scope: Scope,
    filters: Filters,
    measures: Sequence[Measure],
    *,
    type_label: Callable[[str, str], str],
    panel_names: dict[int, str],
    school_names: dict[int, str],
) -> Report:
    """The report: the total and every breakdown, suppressed."""
    total = row_of(f"All interventions at {scope.name}", measures)
    if small(total.pupils):
        total = _withhold(total)

    def yes_no(yes: str, no: str) -> Callable[[Hashable], str]:
        return lambda flag: yes if flag else no

    def flag_first(flag: Hashable) -> Any:
        return not flag

    parts = [
        breakdown(
            "types",
            "By intervention",
            "Intervention",
            measures,
            lambda m: (m.kind, m.type_key),
            lambda k: type_label(*k),  # type: ignore[misc]
            lambda k: type_label(*k).casefold(),  # type: ignore[misc]
            total,
        ),
        breakdown(
            "panels",
            "By panel",
            "Panel",
            measures,
            lambda m: m.panel_id,
            lambda k: panel_names.get(k, "A panel"),  # type: ignore[call-overload]
            lambda k: panel_names.get(k, "").casefold(),  # type: ignore[call-overload]
            total,
        ),
    ]
    if scope.whole_authority:
        parts.append(
            breakdown(
                "schools",
                "By school",
                "School",
                measures,
                lambda m: m.school_id,
                lambda k: school_names.get(k, "A school"),  # type: ignore[call-overload]
                lambda k: school_names.get(k, "").casefold(),  # type: ignore[call-overload]
                total,
            )
        )
    parts += [
        breakdown(
            "send",
            "By special educational needs (SEND)",
            "Pupils",
            measures,
            lambda m: m.has_send,
            yes_no("With SEND", "Without SEND"),
            flag_first,
            total,
        ),
        breakdown(
            "free_school_meals",
            "By free school meals",
            "Pupils",
            measures,
            lambda m: m.free_school_meals,
            yes_no("Eligible for free school meals", "Not eligible for free school meals"),
            flag_first,
            total,
        ),
        breakdown(
            "looked_after",
            "By looked-after status",
            "Pupils",
            measures,
            lambda m: m.looked_after,
            yes_no("Looked after", "Not looked after"),
            flag_first,
            total,
        ),
        breakdown(
            "year_groups",
            "By year group",
            "Year group",
            measures,
            lambda m: m.year_group,
            lambda k: year_group(k),  # type: ignore[arg-type]
            lambda k: k,
            total,
        ),
    ]
    return Report(
        scope=scope,
        filters=filters,
        total=total,
        waiting=sum(1 for m in measures if m.status == WAITING),
        no_attendance=sum(1 for m in measures if m.status == NO_ATTENDANCE),
        breakdowns=parts,
    )
