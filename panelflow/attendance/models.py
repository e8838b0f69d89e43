"""Attendance per pupil per period, the imports it came from, and each school's columns.

An ``AttendanceRecord`` is one pupil's figures for one period (a week or a half-term), as the
school's management information system (MIS) exported them. A pupil has at most one record
for a given period (start and end dates), so importing a period again replaces its records
instead of adding to them. Reports filter by pupil and by period, and both are indexed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from panelflow.db import Base, utcnow

PERIOD_KINDS = ("week", "half_term")
IMPORT_STATUSES = ("imported", "rejected")


class AttendanceImport(Base):
    """One file imported (or refused) for one school: who, when, and what came of it."""

    __tablename__ = "attendance_imports"
    __table_args__ = (
        CheckConstraint("status IN ('imported', 'rejected')", name="status_known"),
        CheckConstraint(
            "rows_read >= 0 AND rows_imported >= 0 AND rows_skipped >= 0 AND rows_replaced >= 0",
            name="counts_not_negative",
        ),
        Index("ix_attendance_imports_school_started", "school_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    imported_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_by_name: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    file_name: Mapped[str] = mapped_column(String(255))
    rows_read: Mapped[int] = mapped_column(default=0)
    rows_imported: Mapped[int] = mapped_column(default=0)
    rows_skipped: Mapped[int] = mapped_column(default=0)
    rows_replaced: Mapped[int] = mapped_column(default=0)
    problems: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20))


class AttendanceRecord(Base):
    """One pupil's attendance for one period.

    Sessions are half-days (a morning or an afternoon registration). ``absence_codes`` holds
    counts by DfE absence code (``{"I": 2, "M": 1}``) when the school's export has them.
    """

    __tablename__ = "attendance_records"
    __table_args__ = (
        UniqueConstraint(
            "pupil_id", "period_start", "period_end", name="uq_attendance_records_pupil_period"
        ),
        CheckConstraint("period_kind IN ('week', 'half_term')", name="period_kind_known"),
        CheckConstraint("period_end >= period_start", name="period_ends_after_start"),
        CheckConstraint(
            "possible_sessions >= 0 AND attended_sessions >= 0 AND authorised_absence >= 0 "
            "AND unauthorised_absence >= 0",
            name="sessions_not_negative",
        ),
        CheckConstraint("attended_sessions <= possible_sessions", name="attended_within_possible"),
        Index("ix_attendance_records_period", "period_start", "period_end"),
        Index("ix_attendance_records_import_id", "import_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"))
    import_id: Mapped[int] = mapped_column(ForeignKey("attendance_imports.id"))
    period_kind: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[date]
    period_end: Mapped[date]
    possible_sessions: Mapped[int]
    attended_sessions: Mapped[int]
    authorised_absence: Mapped[int]
    unauthorised_absence: Mapped[int]
    absence_codes: Mapped[dict[str, int] | None] = mapped_column(JSON)


class AttendanceMapping(Base):
    """Which column of a school's MIS export holds which value, as last imported.

    ``columns`` maps a value's key (``upn``, ``possible``, ``code_I``...) to a header.
    """

    __tablename__ = "attendance_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), unique=True)
    columns: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by_name: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


JOB_STATUSES = ("checking", "needs_columns", "checked", "importing", "imported", "failed")


class AttendanceImportJob(Base):
    """A file uploaded in the browser, checked and imported in the background.

    The file is kept under the instance folder by a random name (``stored_name``), never the
    name it had on the person's computer (``file_name``, shown on the pages). A worker thread
    checks it (``checking``), and then either needs the person to say which column holds
    which value (``needs_columns``) or shows what it found (``checked``). Imported on request
    (``importing``), it ends ``imported`` (``import_id``: the record of the import) or
    ``failed`` (``message`` says why). While the worker runs it moves ``heartbeat_at`` on; a
    job whose heartbeat is old has stopped (the server restarted) and stored nothing.
    """

    __tablename__ = "attendance_import_jobs"
    __table_args__ = (
        CheckConstraint(
            "status IN ('checking', 'needs_columns', 'checked', 'importing', 'imported', 'failed')",
            name="status_known",
        ),
        CheckConstraint(
            "rows_done >= 0 AND rows_read >= 0 AND rows_with_problems >= 0 AND problem_count >= 0",
            name="counts_not_negative",
        ),
        Index("ix_attendance_import_jobs_school_created", "school_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    file_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="checking")
    rows_done: Mapped[int] = mapped_column(default=0)
    rows_total: Mapped[int | None]  # an estimate while checking; exact while importing
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    rows_read: Mapped[int] = mapped_column(default=0)
    rows_with_problems: Mapped[int] = mapped_column(default=0)
    problem_count: Mapped[int] = mapped_column(default=0)
    file_problem: Mapped[bool] = mapped_column(default=False)
    # The first problems found, as [row, column letter, message]; all are counted above.
    problems: Mapped[list[Any] | None] = mapped_column(JSON)
    headers: Mapped[list[str] | None] = mapped_column(JSON)
    columns: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    clean_rows_only: Mapped[bool] = mapped_column(default=False)
    message: Mapped[str | None] = mapped_column(Text)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("attendance_imports.id"))
