"""The Alembic migrations build exactly the schema the models describe, and go back down."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from panelflow.db import Base, Database
from panelflow.migrate import downgrade, upgrade


def test_the_migrated_schema_matches_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)

    assert differences == []


def test_downgrade_removes_every_table_and_upgrade_restores_them(db: Database) -> None:
    downgrade(db.url, "base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}

    upgrade(db.url, "head")
    assert set(inspect(db.engine).get_table_names()) >= set(Base.metadata.tables)
