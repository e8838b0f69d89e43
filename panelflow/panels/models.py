"""Panels, their meetings and agendas.

A panel belongs to one school or a small group of schools (a school sits on one panel), with
standing members from the agencies around it. Meetings are held monthly. The agenda of the
next meeting builds itself from the cases waiting in an ``agenda: true`` state; the rows
here keep what the chair decided about it (the order, deferrals, items added by hand) and,
once the meeting has started, what was discussed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panelflow.db import Base, utcnow
from panelflow.organisations.models import School

MEETING_STATUSES = ("scheduled", "in_progress", "closed", "cancelled")
ITEM_KINDS = ("nomination", "review", "open_actions", "added")
ITEM_STATUSES = ("waiting", "discussed", "deferred")


class Panel(Base):
    __tablename__ = "panels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    local_authority_id: Mapped[int | None] = mapped_column(
        ForeignKey("local_authorities.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    schools: Mapped[list[School]] = relationship(secondary="panel_schools", order_by=School.name)


class PanelSchool(Base):
    """A school on a panel; each school sits on one panel."""

    __tablename__ = "panel_schools"

    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), primary_key=True, unique=True)


class PanelMember(Base):
    """A standing member of a panel: a person from one of the agencies around the schools."""

    __tablename__ = "panel_members"
    __table_args__ = (UniqueConstraint("panel_id", "user_id", name="uq_panel_members_panel_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    is_chair: Mapped[bool] = mapped_column(default=False)


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint(
            "status IN ('scheduled', 'in_progress', 'closed', 'cancelled')", name="status_known"
        ),
        Index("ix_meetings_panel_starts", "panel_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"))
    starts_at: Mapped[datetime]
    location: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    moved_from: Mapped[datetime | None]
    series_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_series.id"), index=True)
    started_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    notes: Mapped[str] = mapped_column(Text, default="")

    panel: Mapped[Panel] = relationship()


class MeetingAttendance(Base):
    """Who was at a meeting: standing members and anyone else who came."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (
        UniqueConstraint("meeting_id", "name", "agency", name="uq_meeting_attendance_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(200))
    agency: Mapped[str] = mapped_column(String(100))


class AgendaItem(Base):
    """A case on a meeting's agenda, placed there by the agenda or by the chair."""

    __tablename__ = "agenda_items"
    __table_args__ = (
        UniqueConstraint("meeting_id", "case_id", name="uq_agenda_items_meeting_case"),
        CheckConstraint(
            "kind IN ('nomination', 'review', 'open_actions', 'added')", name="kind_known"
        ),
        CheckConstraint("status IN ('waiting', 'discussed', 'deferred')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="waiting")
    discussion: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(String(100))  # the trigger the panel took
    case_event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"))
    discussed_at: Mapped[datetime | None]
    deferred_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class Nomination(Base):
    """A member of staff putting a pupil forward: one sentence, no form.

    A second nomination of a pupil already waiting for the panel joins the first one's case.
    """

    __tablename__ = "nominations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    nominated_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    nominated_by_name: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseBarrier(Base):
    """A barrier to attendance the panel recorded for a case, from the YAML taxonomy."""

    __tablename__ = "case_barriers"
    __table_args__ = (
        UniqueConstraint(
            "case_id", "meeting_id", "category", "barrier", name="uq_case_barriers_entry"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    category: Mapped[str] = mapped_column(String(50))
    barrier: Mapped[str] = mapped_column(String(200))
    recorded_by_name: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow)
