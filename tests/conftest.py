"""Shared fixtures: a real database (SQLite file, or PostgreSQL when
``PANELFLOW_TEST_DATABASE_URL`` is set), created by the Alembic migrations and emptied after
each test; the Flask app and client on it; the shipped workflow file; and small factories.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import Session

import panelflow.models  # noqa: F401 - every table on Base.metadata
from panelflow import create_app
from panelflow.catalogue.models import WorkflowVersion
from panelflow.catalogue.operations import publish
from panelflow.db import Base, Database
from panelflow.migrate import downgrade, upgrade
from panelflow.roles import Actor, cli_actor
from tests.factories import Auth

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS_FILE = ROOT / "config" / "workflows.yaml"
POSTGRES_URL = os.environ.get("PANELFLOW_TEST_DATABASE_URL")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if POSTGRES_URL:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set PANELFLOW_TEST_DATABASE_URL)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if POSTGRES_URL:
        return POSTGRES_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'panelflow-test.db'}"


@pytest.fixture(scope="session")
def migrated(database_url: str) -> Iterator[str]:
    """The test database, with the schema built by the migrations (as production is)."""
    downgrade(database_url, "base")
    upgrade(database_url, "head")
    yield database_url


@pytest.fixture(scope="session")
def database(migrated: str) -> Iterator[Database]:
    db = Database(migrated)
    yield db
    db.dispose()


def empty_database(db: Database) -> None:
    tables = list(reversed(Base.metadata.sorted_tables))
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())
            # Forget the planner's statistics too, as a new database has none: figures taken
            # while a table held one row would make the next test's thousand rows crawl.
            analysed = "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
            if connection.execute(text(analysed)).first() is not None:
                connection.execute(text("DELETE FROM sqlite_stat1"))
                connection.execute(text("ANALYZE sqlite_schema"))


@pytest.fixture
def db(database: Database) -> Iterator[Database]:
    """The database, emptied after the test (every commit in the test was real)."""
    yield database
    empty_database(database)


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.sessions() as s:
        yield s
        s.rollback()


@pytest.fixture
def app(db: Database) -> Iterator[Flask]:
    app = create_app({"DATABASE_URL": db.url, "TESTING": True})
    yield app
    app.extensions["panelflow.db"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


@pytest.fixture(scope="session")
def workflows_text() -> str:
    return WORKFLOWS_FILE.read_text(encoding="utf-8")


@pytest.fixture
def editor() -> Actor:
    return cli_actor("Wendy Editor")


@pytest.fixture
def published(session: Session, workflows_text: str, editor: Actor) -> WorkflowVersion:
    """The shipped workflow file, published as version 1 and committed."""
    result = publish(session, workflows_text, "config/workflows.yaml", editor)
    assert result.ok, result.problems
    session.commit()
    assert result.version is not None
    return result.version
