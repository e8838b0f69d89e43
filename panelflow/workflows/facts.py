"""What the engine may know about a case when it decides: the facts conditions are tested on.

The core only reads facts through ``CaseFacts``; the operations layer supplies a database-backed
implementation that loads history lazily, and tests use ``StaticFacts``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from panelflow.workflows.durations import WEEKDAYS, SchoolCalendar


@dataclass(frozen=True)
class HistoryEntry:
    """One transition taken on a case (or on a case linked to it)."""

    workflow: str
    trigger: str
    at: datetime
    from_state: str
    to_state: str
    fields: Mapping[str, Any] = field(default_factory=dict)


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

    def history(self) -> Sequence[HistoryEntry]:
        return self.entries

    def consents(self) -> frozenset[str]:
        return self.consented

    def attribute(self, name: str) -> bool:
        return bool(self.attributes.get(name, False))
