"""Database engine, sessions and the declarative base.

SQLite (a file under ``instance/``) is the embedded default; PostgreSQL is used when
``DATABASE_URL`` says so. Operations receive a ``Session`` and never commit: the web request or
the CLI command that called them commits once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar, cast

from sqlalchemy import DateTime, MetaData, TypeDecorator, create_engine, event
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

# Rows sampled per index by SQLite's ANALYZE: enough for the planner, cheap at any size.
SQLITE_ANALYSIS_LIMIT = 400

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC datetime is needed")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


def rowcount(result: Result[Any]) -> int:
    """Rows matched by an UPDATE or DELETE (``Session.execute`` types them as a plain Result)."""
    return cast(CursorResult[Any], result).rowcount


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and write-serialising transactions."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        _serialise_sqlite_writes(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _serialise_sqlite_writes(engine: Engine) -> None:
    # pysqlite's own transaction handling starts transactions lazily and cannot take the
    # write lock up front. Taking it at BEGIN (IMMEDIATE) means two writers queue on the
    # busy timeout instead of one failing half-way, and the audit chain head is read and
    # extended under the same lock.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """An engine and its session factory, created once per app or CLI invocation."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on error."""
        with self.sessions() as session, session.begin():
            yield session

    def refresh_statistics(self) -> None:
        """Update the query planner's statistics about the tables (ANALYZE).

        Without them SQLite cannot choose between indexes: with 10,000 cases an agency's
        inbox took seconds instead of milliseconds. On SQLite the sample is capped
        (``analysis_limit``), so this takes milliseconds at any size and is run by
        ``panelflow db upgrade``, ``demo seed`` and every ``tick``. PostgreSQL's autovacuum
        keeps its own statistics; an explicit ANALYZE there is harmless and quick.
        """
        with self.engine.connect() as connection:
            if self.engine.dialect.name == "sqlite":
                connection.exec_driver_sql(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
            connection.exec_driver_sql("ANALYZE")
            connection.commit()

    def dispose(self) -> None:
        self.engine.dispose()
