"""panels meetings and action inbox

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "panels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("local_authority_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["local_authority_id"],
            ["local_authorities.id"],
            name=op.f("fk_panels_local_authority_id_local_authorities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panels")),
    )
    with op.batch_alter_table("panels", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_panels_local_authority_id"), ["local_authority_id"], unique=False
        )

    op.create_table(
        "panel_schools",
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panels.id"], name=op.f("fk_panel_schools_panel_id_panels")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_panel_schools_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("panel_id", "school_id", name=op.f("pk_panel_schools")),
        sa.UniqueConstraint("school_id", name=op.f("uq_panel_schools_school_id")),
    )
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("moved_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "status IN ('scheduled', 'in_progress', 'closed', 'cancelled')",
            name=op.f("ck_meetings_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_user_id"], ["users.id"], name=op.f("fk_meetings_closed_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panels.id"], name=op.f("fk_meetings_panel_id_panels")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index("ix_meetings_panel_starts", ["panel_id", "starts_at"], unique=False)

    op.create_table(
        "panel_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("is_chair", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panels.id"], name=op.f("fk_panel_members_panel_id_panels")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_panel_members_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_members")),
        sa.UniqueConstraint("panel_id", "user_id", name="uq_panel_members_panel_user"),
    )
    with op.batch_alter_table("panel_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_panel_members_panel_id"), ["panel_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_panel_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "agenda_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("discussion", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=100), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('nomination', 'review', 'open_actions', 'added')",
            name=op.f("ck_agenda_items_kind_known"),
        ),
        sa.CheckConstraint(
            "status IN ('waiting', 'discussed', 'deferred')",
            name=op.f("ck_agenda_items_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_agenda_items_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_agenda_items_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_items")),
        sa.UniqueConstraint("meeting_id", "case_id", name="uq_agenda_items_meeting_case"),
    )
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agenda_items_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_agenda_items_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "case_barriers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("barrier", sa.String(length=200), nullable=False),
        sa.Column("recorded_by_name", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_barriers_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_case_barriers_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_barriers")),
        sa.UniqueConstraint(
            "case_id", "meeting_id", "category", "barrier", name="uq_case_barriers_entry"
        ),
    )
    with op.batch_alter_table("case_barriers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_barriers_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_case_barriers_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "meeting_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("agency", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_attendance_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_meeting_attendance_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_attendance")),
        sa.UniqueConstraint("meeting_id", "name", "agency", name="uq_meeting_attendance_person"),
    )
    with op.batch_alter_table("meeting_attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_attendance_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "nominations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("nominated_by_user_id", sa.Integer(), nullable=True),
        sa.Column("nominated_by_name", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_nominations_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["nominated_by_user_id"],
            ["users.id"],
            name=op.f("fk_nominations_nominated_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nominations")),
    )
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nominations_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_nominations_nominated_by_user_id"),
            ["nominated_by_user_id"],
            unique=False,
        )

    op.create_table(
        "action_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.Column("by_name", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('created', 'accepted', 'declined', 'progress', 'completed')",
            name=op.f("ck_action_updates_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_action_updates_action_id_actions")
        ),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_action_updates_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_updates")),
    )
    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_updates_action_id"), ["action_id"], unique=False
        )

    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("meeting_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("assigned_user_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("created_by_name", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("decline_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("outcome", sa.Text(), nullable=True))
        batch_op.create_index("ix_actions_agency_status", ["agency", "status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_actions_assigned_user_id"), ["assigned_user_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_actions_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_actions_meeting_id_meetings"), "meetings", ["meeting_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_actions_assigned_user_id_users"), "users", ["assigned_user_id"], ["id"]
        )


def downgrade() -> None:

    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_actions_assigned_user_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_actions_meeting_id_meetings"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_actions_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_actions_assigned_user_id"))
        batch_op.drop_index("ix_actions_agency_status")
        batch_op.drop_column("outcome")
        batch_op.drop_column("decline_reason")
        batch_op.drop_column("status_changed_at")
        batch_op.drop_column("created_by_name")
        batch_op.drop_column("assigned_user_id")
        batch_op.drop_column("meeting_id")

    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_updates_action_id"))

    op.drop_table("action_updates")
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nominations_nominated_by_user_id"))
        batch_op.drop_index(batch_op.f("ix_nominations_case_id"))

    op.drop_table("nominations")
    with op.batch_alter_table("meeting_attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_attendance_meeting_id"))

    op.drop_table("meeting_attendance")
    with op.batch_alter_table("case_barriers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_barriers_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_case_barriers_case_id"))

    op.drop_table("case_barriers")
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_items_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_agenda_items_case_id"))

    op.drop_table("agenda_items")
    with op.batch_alter_table("panel_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panel_members_user_id"))
        batch_op.drop_index(batch_op.f("ix_panel_members_panel_id"))

    op.drop_table("panel_members")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index("ix_meetings_panel_starts")

    op.drop_table("meetings")
    op.drop_table("panel_schools")
    with op.batch_alter_table("panels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panels_local_authority_id"))

    op.drop_table("panels")
