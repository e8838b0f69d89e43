"""What the engine may know about a case when it decides: the facts conditions are tested on.

The core only reads facts through ``CaseFacts``; the operations layer supplies a database-backed
implementation that loads history lazily, and tests use ``StaticFacts``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from typing import Any, Protocol

from panelflow.workflows.durations import WEEKDAYS, Duration, SchoolCalendar


@dataclass(frozen=True)
class HistoryEntry:
    """One transition taken on a case (or on a case linked to it)."""

    workflow: str
    trigger: str
    at: datetime
    from_state: str
    to_state: str
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Sessions:
    """A pupil's imported attendance over a span: possible and attended sessions (half-days),
    from the periods that end between ``start`` and ``end`` (the latest period the school has
    imported). ``periods`` is how many periods were counted."""

    possible: int
    attended: int
    start: date
    end: date
    periods: int = 1

    @property
    def rate(self) -> Fraction | None:
        """Attended over possible; None when there were no possible sessions."""
        return Fraction(self.attended, self.possible) if self.possible else None

    @property
    def missed(self) -> Fraction | None:
        """The share of possible sessions missed; None without possible sessions."""
        return 1 - self.rate if self.rate is not None else None


def percent(share: Fraction | None) -> str:
    """A share as people read it: '96%', or '89.6%' when a whole number would mislead."""
    if share is None:
        return "no figure"
    value = round(float(share) * 100, 1)
    return f"{value:.1f}".rstrip("0").rstrip(".") + "%"


class CaseFacts(Protocol):
    workflow: str
    state: str
    entered_at: datetime
    now: datetime
    calendar: SchoolCalendar

    def history(self) -> Sequence[HistoryEntry]:
        """Transitions taken on this case and the cases linked to it, oldest first."""
        ...

    def consents(self) -> frozenset[str]:
        """Agencies that consent or a lawful basis currently allows sharing with."""
        ...

    def attribute(self, name: str) -> bool:
        """A pupil attribute such as ``looked_after`` or ``has_ehcp``."""
        ...

    def attendance(self, span: Duration | None) -> Sessions | None:
        """The pupil's imported attendance over the last ``span`` (None: this academic year)
        up to the latest period their school has imported; None when nothing is imported
        for that span."""
        ...


@dataclass
class StaticFacts:
    """Facts held in memory: for tests, benchmarks and previews."""

    state: str
    entered_at: datetime
    now: datetime
    entries: Sequence[HistoryEntry] = ()
    consented: frozenset[str] = frozenset()
    attributes: Mapping[str, bool] = field(default_factory=dict)
    calendar: SchoolCalendar = WEEKDAYS
    workflow: str = ""
    # Attendance by span, as ``attendance()`` answers it (the key None: this academic year).
    attended: Mapping[Duration | None, Sessions] = field(default_factory=dict)

    def history(self) -> Sequence[HistoryEntry]:
        return self.entries

    def consents(self) -> frozenset[str]:
        return self.consented

    def attribute(self, name: str) -> bool:
        return bool(self.attributes.get(name, False))

    def attendance(self, span: Duration | None) -> Sessions | None:
        return self.attended.get(span)
