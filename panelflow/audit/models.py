"""Audit records, chained by hash so that altering, inserting or deleting one is detectable.

``AuditHead`` holds the sequence number and hash of the newest record. Appending locks it, so
records are chained in one order even when many processes write at once, and deleting records
from the end of the trail is detected by comparing the head with the last record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from panelflow.db import Base


class AuditRecord(Base):
    __tablename__ = "audit_records"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(60), index=True)
    actor_id: Mapped[str] = mapped_column(String(100), index=True)
    actor_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(Text)  # the acting role, or every role held
    agency: Mapped[str] = mapped_column(String(100))
    case_id: Mapped[int | None] = mapped_column(index=True)
    pupil_id: Mapped[int | None] = mapped_column(index=True)
    workflow_version: Mapped[int | None]
    summary: Mapped[str] = mapped_column(String(500))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
