"""The weekdays on which a local authority's schools are closed to pupils.

Only weekdays are stored (weekends are never school days), one row per day: a day is closed
for one reason, and loading the same academic year again replaces its rows.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from panelflow.db import Base

CLOSURE_KINDS = ("holiday", "training_day", "bank_holiday", "closure")


class SchoolClosure(Base):
    """One weekday the schools of a local authority are closed, and why."""

    __tablename__ = "school_closures"
    __table_args__ = (
        UniqueConstraint(
            "local_authority_id", "day", name="uq_school_closures_local_authority_day"
        ),
        CheckConstraint(
            "kind IN ('holiday', 'training_day', 'bank_holiday', 'closure')", name="kind_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    local_authority_id: Mapped[int] = mapped_column(ForeignKey("local_authorities.id"))
    day: Mapped[date]
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
