"""Cases, the transitions taken on them, their timers, flags and consents.

The state is a plain column. ``lock_version`` increases with every transition; a transition
only applies if the version it read is still current, so of two conflicting decisions made at
the same moment exactly one wins.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panelflow.catalogue.models import WorkflowVersion
from panelflow.db import Base, utcnow
from panelflow.organisations.models import Pupil


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint("lock_version >= 1", name="lock_version_positive"),
        Index("ix_cases_workflow_state", "workflow_key", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    workflow_key: Mapped[str] = mapped_column(String(100))
    workflow_version_id: Mapped[int] = mapped_column(ForeignKey("workflow_versions.id"), index=True)
    state: Mapped[str] = mapped_column(String(100))
    state_entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_final: Mapped[bool] = mapped_column(default=False)
    lock_version: Mapped[int] = mapped_column(default=1)
    # Cases opened from one another share a group; history conditions read the whole group.
    group_id: Mapped[str] = mapped_column(String(32), index=True)
    linked_from_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    pupil: Mapped[Pupil] = relationship()
    workflow_version: Mapped[WorkflowVersion] = relationship()
    linked_from: Mapped[Case | None] = relationship(remote_side=[id])


class CaseEvent(Base):
    """One transition taken on a case: the durable record the engine writes."""

    __tablename__ = "case_events"
    __table_args__ = (UniqueConstraint("case_id", "number", name="uq_case_events_case_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    number: Mapped[int]  # the case's lock_version after this transition
    group_id: Mapped[str] = mapped_column(String(32), index=True)
    workflow_key: Mapped[str] = mapped_column(String(100))
    workflow_version_id: Mapped[int] = mapped_column(ForeignKey("workflow_versions.id"))
    trigger: Mapped[str] = mapped_column(String(100))
    from_state: Mapped[str] = mapped_column(String(100))
    to_state: Mapped[str] = mapped_column(String(100))
    actor_id: Mapped[str] = mapped_column(String(100))
    actor_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(100))
    agency: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # A step that needs a second person's sign-off (``sign_off:``) records who gave it; the
    # person above (actor_id, role) is the one who decided to take the step.
    signed_off_by_id: Mapped[str | None] = mapped_column(String(100))
    signed_off_by_name: Mapped[str | None] = mapped_column(String(200))
    signed_off_role: Mapped[str | None] = mapped_column(String(100))


class CaseTimer(Base):
    """A timer started when a case entered a state; ``panelflow tick`` acts on it when due."""

    __tablename__ = "case_timers"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'done', 'cancelled')", name="status_known"),
        CheckConstraint("(fire_trigger IS NULL) <> (flag IS NULL)", name="fires_or_flags"),
        Index("ix_case_timers_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    state: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[datetime]  # when the case entered the state this timer belongs to
    due_at: Mapped[datetime]
    fire_trigger: Mapped[str | None] = mapped_column(String(100))
    flag: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    done_at: Mapped[datetime | None]


class CaseFlag(Base):
    """A flag raised on a case (by a timer), shown until the case leaves the state."""

    __tablename__ = "case_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    text: Mapped[str] = mapped_column(String(200))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    cleared_at: Mapped[datetime | None]


class Consent(Base):
    """Consent, or another lawful basis, for sharing a pupil's case with an agency.

    ``withdrawn_at`` is when the withdrawal was recorded (sharing ends at once); the family
    may say it was ``withdrawn_on`` an earlier day. ``lapsed_at`` is when the service acted on
    the expiry (``expires_at``, the start of the day after the last day it covers).
    """

    __tablename__ = "consents"
    # Records made before the details below were asked for may lack them, so the operations
    # (``sharing.operations``), not checks, insist on them for every new record.
    __table_args__ = (CheckConstraint("basis IN ('consent', 'lawful_basis')", name="basis_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    agency: Mapped[str] = mapped_column(String(100))
    basis: Mapped[str] = mapped_column(String(20), default="consent")
    # For a lawful basis other than consent, which one and why, in words.
    lawful_basis: Mapped[str] = mapped_column(Text, default="", server_default="")
    purpose: Mapped[str] = mapped_column(Text)
    given_by: Mapped[str] = mapped_column(String(200))
    given_on: Mapped[date | None]
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    withdrawn_on: Mapped[date | None]
    withdrawn_by: Mapped[str] = mapped_column(String(200), default="", server_default="")
    withdrawal_how: Mapped[str] = mapped_column(Text, default="", server_default="")
    withdrawal_recorded_by: Mapped[str] = mapped_column(String(200), default="", server_default="")
    lapsed_at: Mapped[datetime | None]
