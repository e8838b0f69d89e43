"""cohort places: a pupil who left the cohort, when and why

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22

The columns are added and dropped in place (``ALTER TABLE ... ADD/DROP COLUMN``), never by
copying the table as a batch migration would on SQLite: ``register_marks`` refers to
``cohort_places``, and with SQLite's foreign keys on, dropping the old copy of a table that
has marks fails. The check that a leaver has a reason travels with the ``left_reason``
column, so SQLite can add it and drop it with the column.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

CHECK = "ck_cohort_places_left_with_reason"


def upgrade() -> None:
    op.add_column("cohort_places", sa.Column("left_on", sa.Date(), nullable=True))
    op.add_column(
        "cohort_places",
        sa.Column(
            "left_reason",
            sa.Text(),
            sa.CheckConstraint("left_on IS NULL OR left_reason <> ''", name=op.f(CHECK)),
            nullable=False,
            server_default="",
        ),
    )
    op.add_column(
        "cohort_places",
        sa.Column(
            "left_recorded_by_name", sa.String(length=200), nullable=False, server_default=""
        ),
    )
    op.add_column(
        "cohort_places", sa.Column("left_recorded_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f(CHECK), "cohort_places", type_="check")
    op.drop_column("cohort_places", "left_recorded_at")
    op.drop_column("cohort_places", "left_recorded_by_name")
    op.drop_column("cohort_places", "left_reason")  # on SQLite, with its check
    op.drop_column("cohort_places", "left_on")
