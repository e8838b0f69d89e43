"""Dated pupil flags, personal education plan targets, and what the virtual school was told.

A ``PupilStatus`` is one period of a flag: a pupil looked after from 3 March 2025, until
(``ended_on``) 1 September 2025, say. A period covers the days from ``started_on`` up to but
not including ``ended_on``. The booleans on ``Pupil`` are the flags as they are today, the
ones need-to-know and workflow conditions read in SQL; ``operations.sync_flags`` keeps them
true to these periods (when one is recorded or ended, and on every ``panelflow tick`` for
dates that start or end later). A flag with no dated period at all is left as it was set.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from panelflow.db import Base, utcnow
from panelflow.workflows.definitions import VIRTUAL_SCHOOL_FLAGS

_KINDS = ", ".join(f"'{kind}'" for kind in VIRTUAL_SCHOOL_FLAGS)


class PupilStatus(Base):
    """One dated period of a virtual school flag on a pupil."""

    __tablename__ = "pupil_statuses"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_KINDS})", name="kind_known"),
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ends_after_start"),
        Index("ix_pupil_statuses_pupil_kind", "pupil_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"))
    kind: Mapped[str] = mapped_column(String(40))
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_name: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_by_name: Mapped[str | None] = mapped_column(String(200))
    ended_at: Mapped[datetime | None]

    def active_on(self, day: date) -> bool:
        return self.started_on <= day and (self.ended_on is None or day < self.ended_on)


class EducationPlan(Base):
    """A personal education plan's attendance target, as agreed at the PEP meeting."""

    __tablename__ = "education_plans"
    __table_args__ = (
        CheckConstraint("attendance_target BETWEEN 1 AND 100", name="target_is_percentage"),
        Index("ix_education_plans_pupil_date", "pupil_id", "plan_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"))
    plan_date: Mapped[date]
    attendance_target: Mapped[int]  # a percentage of possible sessions
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_name: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class VirtualSchoolNotice(Base):
    """A step taken on the case of a pupil the virtual school follows, that its heads were
    emailed about: the page's "recent" list."""

    __tablename__ = "virtual_school_notices"
    __table_args__ = (Index("ix_virtual_school_notices_pupil_at", "pupil_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    case_event_id: Mapped[int] = mapped_column(ForeignKey("case_events.id"), unique=True)
    trigger: Mapped[str] = mapped_column(String(100))
    step: Mapped[str] = mapped_column(String(200))  # the step's label, as the file said then
    workflow: Mapped[str] = mapped_column(String(200))  # the workflow's title
    at: Mapped[datetime]
    emailed: Mapped[int] = mapped_column(default=0)  # how many heads an email was queued for
