"""Budgets, funding decisions, approvals and spend; group programmes, cohorts and registers.

A panel has a budget for each period (a term, say), and periods of one panel never overlap.
A funding decision names what is paid for, for which pupil, how much, by whom, from when to
when; it is charged to the period its start date falls in. It is ``proposed`` until the
approvals its amount needs (the ``funding:`` bands of the workflow version it was made under)
are given, then ``approved``; or it is ``declined`` or ``withdrawn``. Spend is recorded
against an approved decision and never exceeds it. Money is whole pence throughout.

Group programmes (a 6-9 week course run by a youth centre) are offered in a local authority;
a panel runs cohorts of them, each with places for pupils (paid for by a funding decision, or
not), dated sessions and a register of who came.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panelflow.db import Base, utcnow

if TYPE_CHECKING:
    from panelflow.cases.models import Case
    from panelflow.organisations.models import Pupil
    from panelflow.panels.models import Panel

DECISION_STATUSES = ("proposed", "approved", "declined", "withdrawn")
MARKS = ("present", "late", "absent", "excused")


class Budget(Base):
    """What a panel may spend in one period, set by an LA administrator."""

    __tablename__ = "funding_budgets"
    __table_args__ = (
        CheckConstraint("amount_pence >= 0", name="amount_not_negative"),
        CheckConstraint("starts_on <= ends_on", name="dates_in_order"),
        UniqueConstraint("panel_id", "starts_on", name="uq_funding_budgets_panel_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), index=True)
    label: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    amount_pence: Mapped[int]
    set_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_by_name: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)

    panel: Mapped[Panel] = relationship()


class FundingDecision(Base):
    __tablename__ = "funding_decisions"
    __table_args__ = (
        CheckConstraint(
            "status IN ('proposed', 'approved', 'declined', 'withdrawn')", name="status_known"
        ),
        CheckConstraint("amount_pence > 0", name="amount_positive"),
        CheckConstraint("starts_on <= ends_on", name="dates_in_order"),
        Index("ix_funding_decisions_budget_status", "budget_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), index=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("funding_budgets.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    # The published version whose approval bands this decision follows.
    workflow_version_id: Mapped[int] = mapped_column(ForeignKey("workflow_versions.id"))
    item: Mapped[str] = mapped_column(String(50))
    description: Mapped[str] = mapped_column(Text, default="")
    amount_pence: Mapped[int]
    provider: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    proposed_by_id: Mapped[str] = mapped_column(String(100))  # the Actor's id
    proposed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_by_name: Mapped[str] = mapped_column(String(200))
    override_reason: Mapped[str] = mapped_column(Text, default="")  # why it may overspend
    approved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]  # declined or withdrawn
    closed_by_name: Mapped[str] = mapped_column(String(200), default="")
    closed_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship()
    pupil: Mapped[Pupil] = relationship()
    budget: Mapped[Budget] = relationship()
    approvals: Mapped[list[FundingApproval]] = relationship(order_by="FundingApproval.step")
    spends: Mapped[list[SpendEntry]] = relationship(order_by="SpendEntry.id")

    @property
    def spent_pence(self) -> int:
        return sum(s.amount_pence for s in self.spends)


class FundingApproval(Base):
    """One approval of a decision: the first (step 1) or the second (step 2)."""

    __tablename__ = "funding_approvals"
    __table_args__ = (
        CheckConstraint("step IN (1, 2)", name="step_known"),
        UniqueConstraint("decision_id", "step", name="uq_funding_approvals_decision_step"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("funding_decisions.id"), index=True)
    step: Mapped[int]
    actor_id: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class SpendEntry(Base):
    """Money actually paid out against an approved decision."""

    __tablename__ = "funding_spend"
    __table_args__ = (CheckConstraint("amount_pence > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("funding_decisions.id"), index=True)
    amount_pence: Mapped[int]
    spent_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    by_name: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Programme(Base):
    """A group programme on offer in a local authority (a 6-9 week course, say)."""

    __tablename__ = "programmes"
    __table_args__ = (
        UniqueConstraint("local_authority_id", "name", name="uq_programmes_authority_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    local_authority_id: Mapped[int] = mapped_column(ForeignKey("local_authorities.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_by_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Cohort(Base):
    """One run of a programme for a panel's pupils: its places and its weekly sessions."""

    __tablename__ = "cohorts"
    __table_args__ = (
        CheckConstraint("session_count BETWEEN 1 AND 52", name="session_count_range"),
        CheckConstraint("places >= 1", name="places_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    session_count: Mapped[int]
    places: Mapped[int]
    created_by_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    programme: Mapped[Programme] = relationship()
    panel: Mapped[Panel] = relationship()


class CohortPlace(Base):
    """A pupil's place on a cohort, paid for by one funding decision (or not funded).

    A pupil who leaves the cohort keeps their place, with the date and the reason
    (``left_on``, ``left_reason``): their register marks stay, they are not expected at
    sessions held after that date, and the place no longer counts as taken.
    """

    __tablename__ = "cohort_places"
    __table_args__ = (
        UniqueConstraint("cohort_id", "pupil_id", name="uq_cohort_places_cohort_pupil"),
        CheckConstraint("left_on IS NULL OR left_reason <> ''", name="left_with_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("funding_decisions.id"), unique=True)
    added_by_name: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_on: Mapped[date | None]
    left_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    left_recorded_by_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    left_recorded_at: Mapped[datetime | None]

    pupil: Mapped[Pupil] = relationship()

    def expected_at(self, held_on: date) -> bool:
        """Whether the pupil is expected at a session held on that day (not once they left)."""
        return self.left_on is None or held_on <= self.left_on


class CohortSession(Base):
    """One dated session of a cohort (called a "session" by the people running it)."""

    __tablename__ = "cohort_sessions"
    __table_args__ = (
        UniqueConstraint("cohort_id", "number", name="uq_cohort_sessions_cohort_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), index=True)
    number: Mapped[int]
    held_on: Mapped[date]
    topic: Mapped[str] = mapped_column(String(200), default="")


class RegisterMark(Base):
    """Whether a pupil with a place came to a session."""

    __tablename__ = "register_marks"
    __table_args__ = (
        CheckConstraint("mark IN ('present', 'late', 'absent', 'excused')", name="mark_known"),
        UniqueConstraint("session_id", "place_id", name="uq_register_marks_session_place"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("cohort_sessions.id"), index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("cohort_places.id"), index=True)
    mark: Mapped[str] = mapped_column(String(10))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    by_name: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow)
