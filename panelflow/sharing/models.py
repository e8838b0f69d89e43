"""An agency's involvement in a case while it is open, as the workflow file's ``involves:`` says.

Need-to-know reads these rows in SQL (``roles.policy``): while one is open (``ended_at`` is
empty) the agency sees the pupil and the case's group of linked cases. A row starts when a
case of an involving workflow opens, and ends when the case reaches a final state or when
consent to share with the agency is withdrawn or expires; the rows stay as the record of who
could see what, and when.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from panelflow.db import Base, utcnow


class Involvement(Base):
    __tablename__ = "involvements"
    __table_args__ = (Index("ix_involvements_agency_ended", "agency", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    group_id: Mapped[str] = mapped_column(String(32), index=True)
    agency: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)  # why, in words: "while the EWO consultation is open"
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
