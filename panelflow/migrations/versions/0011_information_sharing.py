"""information sharing: consents in full, withdrawn actions, agencies' involvement in cases

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22

The consent columns are added in place (as in 0010), so SQLite never copies ``consents``;
records made before them keep empty details, so the operations, not checks, require them.
``actions`` and ``action_updates`` are rebuilt in batch to widen their status and kind
checks with ``withdrawn``: the migration runs with SQLite's foreign keys off and checks them
before committing (``migrations/env.py``). Going down, a withdrawn action becomes declined,
with the withdrawal as its reason, so no row is lost.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

STATUSES = "'open', 'accepted', 'declined', 'completed'"
KINDS = "'created', 'accepted', 'declined', 'progress', 'completed'"


def _checks(statuses: str, kinds: str) -> None:
    with op.batch_alter_table("actions") as batch:
        batch.drop_constraint(op.f("ck_actions_status_known"), type_="check")
        batch.create_check_constraint(op.f("ck_actions_status_known"), f"status IN ({statuses})")
    with op.batch_alter_table("action_updates") as batch:
        batch.drop_constraint(op.f("ck_action_updates_kind_known"), type_="check")
        batch.create_check_constraint(op.f("ck_action_updates_kind_known"), f"kind IN ({kinds})")


def upgrade() -> None:
    op.add_column(
        "consents", sa.Column("lawful_basis", sa.Text(), nullable=False, server_default="")
    )
    op.add_column("consents", sa.Column("given_on", sa.Date(), nullable=True))
    op.add_column("consents", sa.Column("withdrawn_on", sa.Date(), nullable=True))
    op.add_column(
        "consents",
        sa.Column("withdrawn_by", sa.String(length=200), nullable=False, server_default=""),
    )
    op.add_column(
        "consents", sa.Column("withdrawal_how", sa.Text(), nullable=False, server_default="")
    )
    op.add_column(
        "consents",
        sa.Column(
            "withdrawal_recorded_by", sa.String(length=200), nullable=False, server_default=""
        ),
    )
    op.add_column("consents", sa.Column("lapsed_at", sa.DateTime(timezone=True), nullable=True))

    _checks(f"{STATUSES}, 'withdrawn'", f"{KINDS}, 'withdrawn'")

    op.create_table(
        "involvements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.String(length=32), nullable=False),
        sa.Column("agency", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_involvements_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["pupils.id"], name=op.f("fk_involvements_pupil_id_pupils")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_involvements")),
    )
    op.create_index(op.f("ix_involvements_case_id"), "involvements", ["case_id"])
    op.create_index(op.f("ix_involvements_pupil_id"), "involvements", ["pupil_id"])
    op.create_index(op.f("ix_involvements_group_id"), "involvements", ["group_id"])
    op.create_index("ix_involvements_agency_ended", "involvements", ["agency", "ended_at"])


def downgrade() -> None:
    op.drop_index("ix_involvements_agency_ended", table_name="involvements")
    op.drop_index(op.f("ix_involvements_group_id"), table_name="involvements")
    op.drop_index(op.f("ix_involvements_pupil_id"), table_name="involvements")
    op.drop_index(op.f("ix_involvements_case_id"), table_name="involvements")
    op.drop_table("involvements")

    op.execute(
        "UPDATE actions SET status = 'declined', decline_reason = "
        "'Consent to share was withdrawn' WHERE status = 'withdrawn'"
    )
    op.execute("UPDATE action_updates SET kind = 'declined' WHERE kind = 'withdrawn'")
    _checks(STATUSES, KINDS)

    op.drop_column("consents", "lapsed_at")
    op.drop_column("consents", "withdrawal_recorded_by")
    op.drop_column("consents", "withdrawal_how")
    op.drop_column("consents", "withdrawn_by")
    op.drop_column("consents", "withdrawn_on")
    op.drop_column("consents", "given_on")
    op.drop_column("consents", "lawful_basis")
