"""The schema comes only from migrations, and the migrations match the models."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from qwc_service import models
from qwc_service.db import alembic_config, make_engine, upgrade


def _differences(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, models.Base.metadata)
    finally:
        engine.dispose()
    # The claim index orders by "priority DESC"; SQLite cannot reflect expression indexes.
    return [d for d in diff if "ix_jobs_claim" not in repr(d)]


def test_migrations_match_the_models(database_url: str) -> None:
    """`alembic upgrade head` builds exactly the tables, columns and indexes the models declare."""
    assert _differences(database_url) == []


def test_downgrade_to_base_and_up_again(database_url: str) -> None:
    """Every migration can be undone and applied again."""
    command.downgrade(alembic_config(database_url), "base")
    upgrade(database_url)
    assert _differences(database_url) == []
