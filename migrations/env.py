"""Alembic environment: the URL comes from the caller's config or from QWC_DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from qwc_service.config import Settings
from qwc_service.db import make_engine
from qwc_service.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    return url or Settings.from_env().database_url


def _configure(connection: Connection | None = None, url: str | None = None) -> None:
    is_sqlite = (
        url or (connection.engine.url.get_backend_name() if connection else "")
    ).startswith("sqlite")
    context.configure(
        connection=connection,
        url=url,
        target_metadata=target_metadata,
        render_as_batch=is_sqlite,
        compare_type=True,
        literal_binds=connection is None,
    )


def run_offline() -> None:
    """Emit SQL without a database connection (``alembic upgrade --sql``)."""
    _configure(url=_url())
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Apply migrations to the database."""
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                # SQLite's batch mode rebuilds a table by dropping it; with foreign keys on,
                # dropping a parent such as connections would cascade to every row that
                # belongs to it. The pragma only takes effect outside a transaction.
                connection.connection.driver_connection.execute(  # type: ignore[union-attr]
                    "PRAGMA foreign_keys=OFF"
                )
            _configure(connection=connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
