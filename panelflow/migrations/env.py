"""Alembic environment: panelflow's metadata and the URL given by ``panelflow.migrate``."""

from __future__ import annotations

from alembic import context

import panelflow.models  # noqa: F401 - registers every table on Base.metadata
from panelflow.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = make_engine(url)
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            # SQLite changes most columns by copying the table and dropping the old one, and
            # dropping a table other rows point at fails while foreign keys are enforced. The
            # pragma only takes effect outside a transaction, so it goes to the driver's
            # connection before the migration's transaction begins; the keys are checked
            # once the migrations are done, before committing.
            raw = connection.connection.dbapi_connection
            assert raw is not None
            raw.execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    tables = sorted({row[0] for row in broken})
                    raise RuntimeError(
                        "the migration would leave rows pointing at rows that do not exist "
                        f"in {', '.join(tables)}; nothing was changed"
                    )
        if sqlite:
            raw.execute("PRAGMA foreign_keys=ON")
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
