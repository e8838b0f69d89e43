"""A step waiting for a second person's sign-off.

The first person takes a step whose transition has ``sign_off:``; instead of moving the case,
a ``SignOffRequest`` keeps what they decided (the step, what they recorded, who, in which
role, when, and the case's version they saw). Another person signs it off, and only then is
the step taken, or refuses it with a reason; the asker may withdraw it. A request asked on a
case that has moved on since is out of date ("stale") and can no longer be signed off.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panelflow.cases.models import Case
from panelflow.db import Base, utcnow

STATUSES = ("waiting", "signed_off", "refused", "withdrawn", "stale")


class SignOffRequest(Base):
    __tablename__ = "sign_off_requests"
    __table_args__ = (
        CheckConstraint(
            "status IN ('waiting', 'signed_off', 'refused', 'withdrawn', 'stale')",
            name="status_known",
        ),
        CheckConstraint("status <> 'refused' OR reason <> ''", name="refused_with_reason"),
        Index("ix_sign_off_requests_status_case", "status", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    workflow_version_id: Mapped[int] = mapped_column(ForeignKey("workflow_versions.id"))
    trigger: Mapped[str] = mapped_column(String(100))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    case_version: Mapped[int]  # the case's lock_version when the step was asked for
    status: Mapped[str] = mapped_column(String(20), default="waiting")

    asked_by_id: Mapped[str] = mapped_column(String(100))
    asked_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    asked_by_name: Mapped[str] = mapped_column(String(200))
    asked_role: Mapped[str] = mapped_column(String(100))
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Who signed it off, refused it or withdrew it, and when; the reason for a refusal or a
    # withdrawal, or why it went out of date.
    decided_by_id: Mapped[str | None] = mapped_column(String(100))
    decided_by_name: Mapped[str | None] = mapped_column(String(200))
    decided_role: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"))

    case: Mapped[Case] = relationship()
