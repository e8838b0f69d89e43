"""funding: budgets, decisions and approvals, the ledger, group programmes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programmes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("local_authority_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_by_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["local_authority_id"],
            ["local_authorities.id"],
            name=op.f("fk_programmes_local_authority_id_local_authorities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programmes")),
        sa.UniqueConstraint("local_authority_id", "name", name="uq_programmes_authority_name"),
    )
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_programmes_local_authority_id"), ["local_authority_id"], unique=False
        )

    op.create_table(
        "cohorts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("session_count", sa.Integer(), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("created_by_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("places >= 1", name=op.f("ck_cohorts_places_positive")),
        sa.CheckConstraint(
            "session_count BETWEEN 1 AND 52", name=op.f("ck_cohorts_session_count_range")
        ),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panels.id"], name=op.f("fk_cohorts_panel_id_panels")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"], name=op.f("fk_cohorts_programme_id_programmes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohorts")),
    )
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cohorts_panel_id"), ["panel_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cohorts_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "cohort_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_cohort_sessions_cohort_id_cohorts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort_sessions")),
        sa.UniqueConstraint("cohort_id", "number", name="uq_cohort_sessions_cohort_number"),
    )
    with op.batch_alter_table("cohort_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cohort_sessions_cohort_id"), ["cohort_id"], unique=False
        )

    op.create_table(
        "funding_budgets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("set_by_user_id", sa.Integer(), nullable=True),
        sa.Column("set_by_name", sa.String(length=200), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "amount_pence >= 0", name=op.f("ck_funding_budgets_amount_not_negative")
        ),
        sa.CheckConstraint("starts_on <= ends_on", name=op.f("ck_funding_budgets_dates_in_order")),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panels.id"], name=op.f("fk_funding_budgets_panel_id_panels")
        ),
        sa.ForeignKeyConstraint(
            ["set_by_user_id"], ["users.id"], name=op.f("fk_funding_budgets_set_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funding_budgets")),
        sa.UniqueConstraint("panel_id", "starts_on", name="uq_funding_budgets_panel_start"),
    )
    with op.batch_alter_table("funding_budgets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_funding_budgets_panel_id"), ["panel_id"], unique=False)

    op.create_table(
        "funding_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("workflow_version_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=50), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("proposed_by_id", sa.String(length=100), nullable=False),
        sa.Column("proposed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("proposed_by_name", sa.String(length=200), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_name", sa.String(length=200), nullable=False),
        sa.Column("closed_reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('proposed', 'approved', 'declined', 'withdrawn')",
            name=op.f("ck_funding_decisions_status_known"),
        ),
        sa.CheckConstraint("amount_pence > 0", name=op.f("ck_funding_decisions_amount_positive")),
        sa.CheckConstraint(
            "starts_on <= ends_on", name=op.f("ck_funding_decisions_dates_in_order")
        ),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["funding_budgets.id"],
            name=op.f("fk_funding_decisions_budget_id_funding_budgets"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_funding_decisions_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_funding_decisions_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panels.id"], name=op.f("fk_funding_decisions_panel_id_panels")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_user_id"],
            ["users.id"],
            name=op.f("fk_funding_decisions_proposed_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["pupils.id"], name=op.f("fk_funding_decisions_pupil_id_pupils")
        ),
        sa.ForeignKeyConstraint(
            ["workflow_version_id"],
            ["workflow_versions.id"],
            name=op.f("fk_funding_decisions_workflow_version_id_workflow_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funding_decisions")),
    )
    with op.batch_alter_table("funding_decisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_funding_decisions_budget_status", ["budget_id", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_funding_decisions_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_funding_decisions_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_funding_decisions_panel_id"), ["panel_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_funding_decisions_pupil_id"), ["pupil_id"], unique=False
        )

    op.create_table(
        "cohort_places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("added_by_name", sa.String(length=200), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_cohort_places_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_cohort_places_cohort_id_cohorts")
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["funding_decisions.id"],
            name=op.f("fk_cohort_places_decision_id_funding_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["pupils.id"], name=op.f("fk_cohort_places_pupil_id_pupils")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort_places")),
        sa.UniqueConstraint("cohort_id", "pupil_id", name="uq_cohort_places_cohort_pupil"),
        sa.UniqueConstraint("decision_id", name=op.f("uq_cohort_places_decision_id")),
    )
    with op.batch_alter_table("cohort_places", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cohort_places_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cohort_places_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cohort_places_pupil_id"), ["pupil_id"], unique=False)

    op.create_table(
        "funding_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("step IN (1, 2)", name=op.f("ck_funding_approvals_step_known")),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["funding_decisions.id"],
            name=op.f("fk_funding_approvals_decision_id_funding_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_funding_approvals_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funding_approvals")),
        sa.UniqueConstraint("decision_id", "step", name="uq_funding_approvals_decision_step"),
    )
    with op.batch_alter_table("funding_approvals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_funding_approvals_decision_id"), ["decision_id"], unique=False
        )

    op.create_table(
        "funding_spend",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("spent_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.Column("by_name", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_pence > 0", name=op.f("ck_funding_spend_amount_positive")),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_funding_spend_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["funding_decisions.id"],
            name=op.f("fk_funding_spend_decision_id_funding_decisions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funding_spend")),
    )
    with op.batch_alter_table("funding_spend", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_funding_spend_decision_id"), ["decision_id"], unique=False
        )

    op.create_table(
        "register_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("mark", sa.String(length=10), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.Column("by_name", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "mark IN ('present', 'late', 'absent', 'excused')",
            name=op.f("ck_register_marks_mark_known"),
        ),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_register_marks_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["cohort_places.id"],
            name=op.f("fk_register_marks_place_id_cohort_places"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["cohort_sessions.id"],
            name=op.f("fk_register_marks_session_id_cohort_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_marks")),
        sa.UniqueConstraint("session_id", "place_id", name="uq_register_marks_session_place"),
    )
    with op.batch_alter_table("register_marks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_register_marks_place_id"), ["place_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_register_marks_session_id"), ["session_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("register_marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_register_marks_session_id"))
        batch_op.drop_index(batch_op.f("ix_register_marks_place_id"))

    op.drop_table("register_marks")
    with op.batch_alter_table("funding_spend", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funding_spend_decision_id"))

    op.drop_table("funding_spend")
    with op.batch_alter_table("funding_approvals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funding_approvals_decision_id"))

    op.drop_table("funding_approvals")
    with op.batch_alter_table("cohort_places", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cohort_places_pupil_id"))
        batch_op.drop_index(batch_op.f("ix_cohort_places_cohort_id"))
        batch_op.drop_index(batch_op.f("ix_cohort_places_case_id"))

    op.drop_table("cohort_places")
    with op.batch_alter_table("funding_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funding_decisions_pupil_id"))
        batch_op.drop_index(batch_op.f("ix_funding_decisions_panel_id"))
        batch_op.drop_index(batch_op.f("ix_funding_decisions_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_funding_decisions_case_id"))
        batch_op.drop_index("ix_funding_decisions_budget_status")

    op.drop_table("funding_decisions")
    with op.batch_alter_table("funding_budgets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funding_budgets_panel_id"))

    op.drop_table("funding_budgets")
    with op.batch_alter_table("cohort_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cohort_sessions_cohort_id"))

    op.drop_table("cohort_sessions")
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cohorts_programme_id"))
        batch_op.drop_index(batch_op.f("ix_cohorts_panel_id"))

    op.drop_table("cohorts")
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programmes_local_authority_id"))

    op.drop_table("programmes")
