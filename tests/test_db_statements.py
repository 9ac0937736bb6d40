"""How statements reach the database: the PostgreSQL driver, key lookups and prepared plans."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from qwc_service.app import QwcApp
from qwc_service.connections.models import Connection
from qwc_service.db import PLAN_FOR_VALUES, make_engine, make_session_factory, one_of, unit_of_work
from tests.factories import make_connection

# psycopg prepares a statement the fifth time a connection runs it.
OFTEN = 7


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://postgres@127.0.0.1:1/none",
        "postgresql+psycopg2://postgres@127.0.0.1:1/none",
        "postgresql+psycopg://postgres@127.0.0.1:1/none",
    ],
)
def test_every_postgresql_url_uses_psycopg_3(url: str) -> None:
    """Whatever driver a PostgreSQL URL names, the engine talks through psycopg 3."""
    engine = make_engine(url)
    try:
        assert engine.dialect.driver == "psycopg"
    finally:
        engine.dispose()


def test_one_of_finds_exactly_the_listed_keys(app: QwcApp) -> None:
    """A lookup by a list of keys returns the rows with those keys and no others."""
    ids = [make_connection(app, name=f"Company {n}") for n in range(5)]
    wanted = [ids[0], ids[3], "no-such-connection"]
    with unit_of_work(app.session_factory) as db:
        found = db.scalars(
            select(Connection.id).where(one_of(db, Connection.id, wanted)),
            execution_options=PLAN_FOR_VALUES,
        )
        assert sorted(found) == sorted([ids[0], ids[3]])
        empty = db.scalars(select(Connection.id).where(one_of(db, Connection.id, [])))
        assert list(empty) == []


@pytest.mark.postgres
def test_lookups_planned_for_their_values_are_never_prepared(pg_url: str) -> None:
    """Statements run often are prepared, except those run with PLAN_FOR_VALUES."""
    engine = make_engine(pg_url, pool_size=1)
    factory = make_session_factory(engine)
    try:
        with unit_of_work(factory) as db:
            for n in range(OFTEN):
                keys = [f"key-{n}-{k}" for k in range(50)]
                db.execute(
                    select(Connection.id).where(one_of(db, Connection.id, keys)),
                    execution_options=PLAN_FOR_VALUES,
                ).all()
                db.execute(select(Connection.id).where(Connection.name == f"n{n}")).all()
            prepared = list(db.scalars(text("SELECT statement FROM pg_prepared_statements")))
        assert any("connections.name = $1" in statement for statement in prepared)
        assert not any("ANY" in statement for statement in prepared)
    finally:
        engine.dispose()
