"""Actions addressed to a role (and so an agency), created by workflow effects."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from panelflow.db import Base, utcnow

ACTION_STATUSES = ("open", "accepted", "declined", "completed")


class Action(Base):
    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint(
            "status IN ('open', 'accepted', 'declined', 'completed')", name="status_known"
        ),
        Index("ix_actions_role_status", "role", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    case_event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"))
    role: Mapped[str | None] = mapped_column(String(100))  # None: anyone in the agency
    agency: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default="open")
    due_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
