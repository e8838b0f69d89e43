"""attendance upload jobs: files uploaded in the browser, checked and imported in the background

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attendance_import_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_by_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_with_problems", sa.Integer(), nullable=False),
        sa.Column("problem_count", sa.Integer(), nullable=False),
        sa.Column("file_problem", sa.Boolean(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=True),
        sa.Column("columns", sa.JSON(), nullable=True),
        sa.Column("clean_rows_only", sa.Boolean(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('checking', 'needs_columns', 'checked', 'importing', 'imported', 'failed')",
            name=op.f("ck_attendance_import_jobs_status_known"),
        ),
        sa.CheckConstraint(
            "rows_done >= 0 AND rows_read >= 0 AND rows_with_problems >= 0 AND problem_count >= 0",
            name=op.f("ck_attendance_import_jobs_counts_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_attendance_import_jobs_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_attendance_import_jobs_created_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["attendance_imports.id"],
            name=op.f("fk_attendance_import_jobs_import_id_attendance_imports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_import_jobs")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_attendance_import_jobs_stored_name")),
    )
    op.create_index(
        "ix_attendance_import_jobs_school_created",
        "attendance_import_jobs",
        ["school_id", "created_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_attendance_import_jobs_school_created", table_name="attendance_import_jobs")
    op.drop_table("attendance_import_jobs")
