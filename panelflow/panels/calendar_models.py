"""Meeting series, the changes made to meetings, and people's calendar feeds.

A ``MeetingSeries`` is the chair's rule for a panel's monthly meetings ("the 2nd Thursday,
4pm, for 90 minutes, in the library, from September to July"); ``panelflow.panels.schedule``
turns it into dates on the local authority's term dates and keeps the ``Meeting`` rows
(``meetings.series_id``) in step with it.

A ``MeetingChange`` is kept each time a meeting's time or status changes after it was
planned (moved, re-planned by an edited series, cancelled): its count is the iCalendar
``SEQUENCE``, so calendar programs replace the event they hold, and a cancellation keeps its
reason.

A ``CalendarFeed`` is one person's secret address for one panel's meetings. Only the
SHA-256 of the token is stored, so the address cannot be read back from the database.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from panelflow.db import Base, utcnow

LAST_WEEK = -1  # "the last Thursday of the month"
CHANGE_KINDS = ("moved", "replanned", "cancelled")


class MeetingSeries(Base):
    """A panel's monthly meetings: which week and weekday, the London wall-clock time."""

    __tablename__ = "meeting_series"
    __table_args__ = (
        CheckConstraint("week IN (1, 2, 3, 4, -1)", name="week_known"),
        CheckConstraint("weekday BETWEEN 0 AND 4", name="weekday_known"),
        CheckConstraint("duration_minutes BETWEEN 15 AND 480", name="duration_sensible"),
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), index=True)
    week: Mapped[int]  # 1 to 4, or LAST_WEEK
    weekday: Mapped[int]  # 0 Monday to 4 Friday
    start_time: Mapped[time]  # Europe/London wall clock
    duration_minutes: Mapped[int]
    location: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime | None]


class MeetingChange(Base):
    """A meeting moved, re-planned or cancelled after it was first planned."""

    __tablename__ = "meeting_changes"
    __table_args__ = (
        CheckConstraint("kind IN ('moved', 'replanned', 'cancelled')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    from_starts_at: Mapped[datetime | None]
    to_starts_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    by_name: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarFeed(Base):
    """One person's secret iCalendar address for one panel; revoked ones are kept."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (Index("ix_calendar_feeds_user_panel", "user_id", "panel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
