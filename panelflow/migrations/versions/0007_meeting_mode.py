"""meeting mode: the step each agenda item ended in, when, and why an item was deferred

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agenda_items") as batch:
        batch.add_column(sa.Column("case_event_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("discussed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("deferred_reason", sa.Text(), nullable=False, server_default=""))
        batch.create_foreign_key(
            op.f("fk_agenda_items_case_event_id_case_events"),
            "case_events",
            ["case_event_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("agenda_items") as batch:
        batch.drop_constraint(op.f("fk_agenda_items_case_event_id_case_events"), type_="foreignkey")
        batch.drop_column("deferred_reason")
        batch.drop_column("discussed_at")
        batch.drop_column("case_event_id")
