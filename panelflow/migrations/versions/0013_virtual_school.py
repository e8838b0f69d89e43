"""virtual school: dated pupil flags, personal education plan targets, notices to the VSH

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pupil_statuses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_name", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_by_name", sa.String(length=200), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('looked_after', 'previously_looked_after', 'has_social_worker')",
            name=op.f("ck_pupil_statuses_kind_known"),
        ),
        sa.CheckConstraint(
            "ended_on IS NULL OR ended_on >= started_on",
            name=op.f("ck_pupil_statuses_ends_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["pupils.id"], name=op.f("fk_pupil_statuses_pupil_id_pupils")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_pupil_statuses_recorded_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pupil_statuses")),
    )
    op.create_index("ix_pupil_statuses_pupil_kind", "pupil_statuses", ["pupil_id", "kind"])

    op.create_table(
        "education_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("plan_date", sa.Date(), nullable=False),
        sa.Column("attendance_target", sa.Integer(), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_name", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "attendance_target BETWEEN 1 AND 100",
            name=op.f("ck_education_plans_target_is_percentage"),
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["pupils.id"], name=op.f("fk_education_plans_pupil_id_pupils")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_education_plans_recorded_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_education_plans")),
    )
    op.create_index("ix_education_plans_pupil_date", "education_plans", ["pupil_id", "plan_date"])

    op.create_table(
        "virtual_school_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("case_event_id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=100), nullable=False),
        sa.Column("step", sa.String(length=200), nullable=False),
        sa.Column("workflow", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("emailed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["pupils.id"], name=op.f("fk_virtual_school_notices_pupil_id_pupils")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_virtual_school_notices_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["case_event_id"],
            ["case_events.id"],
            name=op.f("fk_virtual_school_notices_case_event_id_case_events"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_virtual_school_notices")),
        sa.UniqueConstraint("case_event_id", name=op.f("uq_virtual_school_notices_case_event_id")),
    )
    op.create_index(
        "ix_virtual_school_notices_pupil_at", "virtual_school_notices", ["pupil_id", "at"]
    )
    op.create_index(
        op.f("ix_virtual_school_notices_case_id"), "virtual_school_notices", ["case_id"]
    )


def downgrade() -> None:
    op.drop_table("virtual_school_notices")
    op.drop_table("education_plans")
    op.drop_table("pupil_statuses")
