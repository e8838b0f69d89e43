"""The Alembic migrations build exactly the schema the models describe, and go back down."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from panelflow.audit.operations import verify
from panelflow.db import Base, Database
from panelflow.demo import seed
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


def _counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as connection:
        return {
            name: connection.execute(
                select(func.count()).select_from(Base.metadata.tables[name])
            ).scalar_one()
            for name in ("pupils", "cases", "case_events", "actions", "audit_records", "meetings")
        }


def test_a_database_with_data_in_it_goes_down_and_up_again_without_losing_any(
    db: Database, workflows_text: str
) -> None:
    """Migrations that rebuild a table (SQLite cannot alter most columns in place) must not
    trip over the rows that point at it, in either direction."""
    with db.transaction() as session:
        seed(session, workflows_text, "config/workflows.yaml")
    before = _counts(db)
    assert before["meetings"] > 0 and before["actions"] > 0

    downgrade(db.url, "0006")  # below every migration that rebuilds a table holding rows
    upgrade(db.url, "head")

    assert _counts(db) == before
    with db.sessions() as session:
        assert verify(session).intact
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
