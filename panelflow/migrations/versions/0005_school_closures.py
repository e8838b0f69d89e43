"""school closures: each local authority's holidays and training days

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "school_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("local_authority_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "kind IN ('holiday', 'training_day', 'bank_holiday', 'closure')",
            name=op.f("ck_school_closures_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["local_authority_id"],
            ["local_authorities.id"],
            name=op.f("fk_school_closures_local_authority_id_local_authorities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school_closures")),
        sa.UniqueConstraint(
            "local_authority_id", "day", name="uq_school_closures_local_authority_day"
        ),
    )


def downgrade() -> None:
    op.drop_table("school_closures")
