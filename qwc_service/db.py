"""Database plumbing: the declarative base, engines, units of work and the schema check."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from json import JSONEncoder
from pathlib import Path
from time import monotonic
from typing import Any

from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    ColumnElement,
    DateTime,
    Engine,
    MetaData,
    any_,
    bindparam,
    create_engine,
    event,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The one declarative base; its naming convention keeps Alembic batch mode working."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class SchemaOutOfDate(RuntimeError):
    """The database schema is not at the revision this code needs."""


# JSON columns written without the spaces json.dumps puts after separators (stored records'
# documents are most of what a big sync writes), and with text as UTF-8 rather than escapes.
_compact_json = JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

#: The PostgreSQL driver: psycopg 3, which prepares the statements a connection runs often.
POSTGRESQL_DRIVER = "psycopg"


def make_engine(url: str, *, pool_size: int = 5, ping_after_idle_seconds: float = 10.0) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL and write-locking transactions.

    A PostgreSQL URL names any driver or none (``postgresql://``, ``postgresql+psycopg2://``);
    the engine always uses psycopg 3.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            json_serializer=_compact_json,
            connect_args={"timeout": 30, "check_same_thread": False},
            poolclass=NullPool if parsed.database in (None, "", ":memory:") else None,
        )
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        parsed = parsed.set(drivername=f"postgresql+{POSTGRESQL_DRIVER}")
    engine = create_engine(
        parsed,
        json_serializer=_compact_json,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_recycle=1800,
    )
    _ping_when_idle(engine, ping_after_idle_seconds)
    _plan_for_values_when_asked(engine)
    return engine


#: Execution options for a statement whose best plan depends on its values, such as a lookup
#: of an array of keys: it runs unprepared, so PostgreSQL plans it for the array it is given.
#: (psycopg prepares a statement run five times; the generic plan that follows searches the
#: array row by row, not through a hash, and costs twenty times more at 500 keys.)
PLAN_FOR_VALUES: dict[str, Any] = {"plan_for_values": True}


def _plan_for_values_when_asked(engine: Engine) -> None:
    @event.listens_for(engine, "do_execute")
    def _do_execute(cursor: Any, statement: str, parameters: Any, context: Any) -> bool | None:
        if not context.execution_options.get("plan_for_values"):
            return None
        cursor.execute(statement, parameters, prepare=False)
        return True


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Test a pooled connection before use only when it sat idle for ``idle_seconds``.

    A connection used moments ago is alive; one that waited may have been cut (a database
    restart, a firewall's idle timeout). Pinging only those keeps the protection of
    ``pool_pre_ping`` without its round trip on every unit of work of a busy sync. A
    connection that fails the test is replaced, and the checkout retried, transparently.
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["checked_in"] = monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("checked_in")
        if since is not None and monotonic() - since < idle_seconds:
            return
        try:
            cursor = dbapi_conn.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(str(exc)) from exc


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take over transaction control from pysqlite so that BEGIN IMMEDIATE can be used.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Every unit of work may write; taking the write lock up front avoids the
        # upgrade deadlock of deferred transactions between processes.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def one_of(db: Session, column: Any, values: list[Any]) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL as ``= ANY`` of one array parameter.

    An IN list binds one parameter per value and so makes a new statement for every length.
    Run a statement using this with :data:`PLAN_FOR_VALUES`.
    """
    if db.get_bind().dialect.name == "postgresql":
        condition: ColumnElement[bool] = column == any_(
            bindparam(None, values, type_=ARRAY(column.type))
        )
        return condition
    listed: ColumnElement[bool] = column.in_(values)
    return listed


SessionFactory = Callable[[], Session]


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit, so services can return them."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def unit_of_work(factory: SessionFactory) -> Iterator[Session]:
    """One database session for one unit of work: commit on success, roll back on any error."""
    db = factory()
    try:
        yield db
        db.commit()
    except BaseException:
        db.rollback()
        raise
    finally:
        db.close()


def alembic_config(database_url: str) -> AlembicConfig:
    """An Alembic configuration for ``database_url`` built from code, not from an ini file."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


@dataclass(frozen=True)
class SchemaUpgrade:
    """What one upgrade did: the revision before and after it, and the migrations it applied."""

    from_revision: str | None
    to_revision: str | None
    #: Revision ids in the order they were applied (empty when the schema was already there).
    applied: tuple[str, ...]


def upgrade(database_url: str, revision: str = "head") -> SchemaUpgrade:
    """Apply migrations up to ``revision``, and say which ones were applied."""
    from alembic import command

    before = _revision_of(database_url)
    command.upgrade(alembic_config(database_url), revision)
    after = _revision_of(database_url)
    return SchemaUpgrade(before, after, _revisions_between(database_url, before, after))


def _revision_of(database_url: str) -> str | None:
    engine = make_engine(database_url)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


def _revisions_between(database_url: str, lower: str | None, upper: str | None) -> tuple[str, ...]:
    """The revisions after ``lower`` up to and including ``upper``, oldest first."""
    if upper is None or upper == lower:
        return ()
    script = ScriptDirectory.from_config(alembic_config(database_url))
    newest_first = [step.revision for step in script.iterate_revisions(upper, lower or "base")]
    return tuple(reversed(newest_first))


def head_revision(database_url: str) -> str | None:
    """The newest revision the code knows."""
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check_schema(engine: Engine) -> None:
    """Raise SchemaOutOfDate unless the database is at the newest revision."""
    head = head_revision(engine.url.render_as_string(hide_password=False))
    current = current_revision(engine)
    if current != head:
        where = "empty" if current is None else f"at revision {current}"
        raise SchemaOutOfDate(
            f"the database schema is {where}, this server needs revision {head}: "
            "run `qwc-service db upgrade` first"
        )
