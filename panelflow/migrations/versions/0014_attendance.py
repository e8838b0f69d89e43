"""attendance: imported attendance per pupil per period, the imports, each school's columns

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attendance_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("imported_by_user_id", sa.Integer(), nullable=True),
        sa.Column("imported_by_name", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_imported", sa.Integer(), nullable=False),
        sa.Column("rows_skipped", sa.Integer(), nullable=False),
        sa.Column("rows_replaced", sa.Integer(), nullable=False),
        sa.Column("problems", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "status IN ('imported', 'rejected')", name=op.f("ck_attendance_imports_status_known")
        ),
        sa.CheckConstraint(
            "rows_read >= 0 AND rows_imported >= 0 AND rows_skipped >= 0 AND rows_replaced >= 0",
            name=op.f("ck_attendance_imports_counts_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_attendance_imports_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["imported_by_user_id"],
            ["users.id"],
            name=op.f("fk_attendance_imports_imported_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_imports")),
    )
    op.create_index(
        "ix_attendance_imports_school_started", "attendance_imports", ["school_id", "started_at"]
    )

    op.create_table(
        "attendance_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("period_kind", sa.String(length=20), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("possible_sessions", sa.Integer(), nullable=False),
        sa.Column("attended_sessions", sa.Integer(), nullable=False),
        sa.Column("authorised_absence", sa.Integer(), nullable=False),
        sa.Column("unauthorised_absence", sa.Integer(), nullable=False),
        sa.Column("absence_codes", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "period_kind IN ('week', 'half_term')",
            name=op.f("ck_attendance_records_period_kind_known"),
        ),
        sa.CheckConstraint(
            "period_end >= period_start",
            name=op.f("ck_attendance_records_period_ends_after_start"),
        ),
        sa.CheckConstraint(
            "possible_sessions >= 0 AND attended_sessions >= 0 AND authorised_absence >= 0 "
            "AND unauthorised_absence >= 0",
            name=op.f("ck_attendance_records_sessions_not_negative"),
        ),
        sa.CheckConstraint(
            "attended_sessions <= possible_sessions",
            name=op.f("ck_attendance_records_attended_within_possible"),
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["pupils.id"], name=op.f("fk_attendance_records_pupil_id_pupils")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["attendance_imports.id"],
            name=op.f("fk_attendance_records_import_id_attendance_imports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_records")),
        sa.UniqueConstraint(
            "pupil_id",
            "period_start",
            "period_end",
            name=op.f("uq_attendance_records_pupil_period"),
        ),
    )
    op.create_index(
        "ix_attendance_records_period", "attendance_records", ["period_start", "period_end"]
    )
    op.create_index("ix_attendance_records_import_id", "attendance_records", ["import_id"])

    op.create_table(
        "attendance_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("updated_by_name", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_attendance_mappings_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_mappings")),
        sa.UniqueConstraint("school_id", name=op.f("uq_attendance_mappings_school_id")),
    )


def downgrade() -> None:
    op.drop_table("attendance_mappings")
    op.drop_index("ix_attendance_records_import_id", table_name="attendance_records")
    op.drop_index("ix_attendance_records_period", table_name="attendance_records")
    op.drop_table("attendance_records")
    op.drop_index("ix_attendance_imports_school_started", table_name="attendance_imports")
    op.drop_table("attendance_imports")
