"""second sign-off: steps waiting for it, and who gave it on each step taken

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22

``case_events`` gains three nullable columns, added and dropped in place (never by copying
the table, which other tables refer to; see 0010). ``sign_off_requests`` is a new table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("case_events", sa.Column("signed_off_by_id", sa.String(100), nullable=True))
    op.add_column("case_events", sa.Column("signed_off_by_name", sa.String(200), nullable=True))
    op.add_column("case_events", sa.Column("signed_off_role", sa.String(100), nullable=True))
    op.create_table(
        "sign_off_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("workflow_version_id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(100), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("case_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("asked_by_id", sa.String(100), nullable=False),
        sa.Column("asked_by_user_id", sa.Integer(), nullable=False),
        sa.Column("asked_by_name", sa.String(200), nullable=False),
        sa.Column("asked_role", sa.String(100), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.String(100), nullable=True),
        sa.Column("decided_by_name", sa.String(200), nullable=True),
        sa.Column("decided_role", sa.String(100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('waiting', 'signed_off', 'refused', 'withdrawn', 'stale')",
            name=op.f("ck_sign_off_requests_status_known"),
        ),
        sa.CheckConstraint(
            "status <> 'refused' OR reason <> ''",
            name=op.f("ck_sign_off_requests_refused_with_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_sign_off_requests_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["workflow_version_id"],
            ["workflow_versions.id"],
            name=op.f("fk_sign_off_requests_workflow_version_id_workflow_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["asked_by_user_id"],
            ["users.id"],
            name=op.f("fk_sign_off_requests_asked_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["case_events.id"], name=op.f("fk_sign_off_requests_event_id_case_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_off_requests")),
    )
    op.create_index(
        op.f("ix_sign_off_requests_case_id"), "sign_off_requests", ["case_id"], unique=False
    )
    op.create_index(
        op.f("ix_sign_off_requests_asked_by_user_id"),
        "sign_off_requests",
        ["asked_by_user_id"],
        unique=False,
    )
    op.create_index(
        "ix_sign_off_requests_status_case", "sign_off_requests", ["status", "case_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_sign_off_requests_status_case", table_name="sign_off_requests")
    op.drop_index(op.f("ix_sign_off_requests_asked_by_user_id"), table_name="sign_off_requests")
    op.drop_index(op.f("ix_sign_off_requests_case_id"), table_name="sign_off_requests")
    op.drop_table("sign_off_requests")
    op.drop_column("case_events", "signed_off_role")
    op.drop_column("case_events", "signed_off_by_name")
    op.drop_column("case_events", "signed_off_by_id")
