"""The PostgreSQL pool: a connection cut while it sat idle is replaced without an error."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from qwc_service.db import make_engine, make_session_factory, unit_of_work

pytestmark = pytest.mark.postgres


def _backend_pid(factory) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(factory) as db:
        return int(db.scalar(text("SELECT pg_backend_pid()")))


def _terminate(pg_url: str, pid: int) -> None:
    admin = make_engine(pg_url, pool_size=1)
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        admin.dispose()


@contextmanager
def _pool_with_a_cut_connection(
    pg_url: str, ping_after_idle_seconds: float
) -> Iterator[tuple[sessionmaker[Session], int]]:
    """A one-connection pool whose connection the server has just ended, and its old pid."""
    engine = make_engine(pg_url, pool_size=1, ping_after_idle_seconds=ping_after_idle_seconds)
    factory = make_session_factory(engine)
    try:
        first = _backend_pid(factory)
        _terminate(pg_url, first)
        time.sleep(0.2)
        yield factory, first
    finally:
        engine.dispose()


def test_idle_connection_cut_by_the_server_is_replaced(pg_url: str) -> None:
    """After the server ends a pooled connection, the next unit of work gets a new one."""
    with _pool_with_a_cut_connection(pg_url, 0.0) as (factory, first):
        assert _backend_pid(factory) != first


def test_recently_used_connection_is_not_tested(pg_url: str) -> None:
    """Within the idle limit there is no test query: a cut then fails once, then heals."""
    with _pool_with_a_cut_connection(pg_url, 60.0) as (factory, first):
        with pytest.raises(OperationalError):
            _backend_pid(factory)
        assert _backend_pid(factory) != first
