"""The outbox: one row per email, kept after sending so deliveries can be checked.

A row is due when ``sent_at`` is empty and ``next_attempt_at`` has passed. ``attempts`` counts
deliveries started (a row is claimed before it is sent), so a message that keeps failing, or
keeps crashing the sender, is given up after ``MAX_ATTEMPTS`` and stays here with its last
error (never personal data).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from panelflow.db import Base, utcnow

MAX_ATTEMPTS = 10


class OutgoingEmail(Base):
    __tablename__ = "outgoing_emails"
    __table_args__ = (Index("ix_outgoing_emails_pending", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # Set by callers that must not send the same notice twice, e.g. "overdue:action:12:2026-11-23".
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    # When the next delivery may start; while a sender holds the row, the end of its lease.
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))

    @property
    def given_up(self) -> bool:
        """No further delivery will be tried."""
        return self.sent_at is None and self.attempts >= MAX_ATTEMPTS
