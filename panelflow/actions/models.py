"""Actions: small concrete things agreed for a pupil, each owned by an agency.

An action is addressed to a role within an agency, to anyone in the agency, or to a named
person. Its owner accepts or declines it (with a reason, which the panel chair is told),
records progress, and completes it with an outcome. Every change is kept as an
``ActionUpdate`` so the case timeline shows the action's whole story.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panelflow.db import Base, utcnow

if TYPE_CHECKING:
    from panelflow.accounts.models import User
    from panelflow.cases.models import Case

# "withdrawn": ended because consent to share with its agency was withdrawn or expired.
ACTION_STATUSES = ("open", "accepted", "declined", "completed", "withdrawn")
UPDATE_KINDS = ("created", "accepted", "declined", "progress", "completed", "withdrawn")


class Action(Base):
    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint(
            "status IN ('open', 'accepted', 'declined', 'completed', 'withdrawn')",
            name="status_known",
        ),
        Index("ix_actions_role_status", "role", "status"),
        Index("ix_actions_agency_status", "agency", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    case_event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    role: Mapped[str | None] = mapped_column(String(100))  # None: anyone in the agency
    agency: Mapped[str] = mapped_column(String(100))
    assigned_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default="open")
    due_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    status_changed_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)

    assignee: Mapped[User | None] = relationship()
    case: Mapped[Case] = relationship()
    updates: Mapped[list[ActionUpdate]] = relationship(
        order_by="ActionUpdate.id", back_populates="action"
    )

    def is_overdue(self, now: datetime) -> bool:
        return self.status in ("open", "accepted") and self.due_at is not None and self.due_at < now


class ActionUpdate(Base):
    """One thing that happened to an action, by whom and when."""

    __tablename__ = "action_updates"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('created', 'accepted', 'declined', 'progress', 'completed', 'withdrawn')",
            name="kind_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    by_name: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    action: Mapped[Action] = relationship(back_populates="updates")
