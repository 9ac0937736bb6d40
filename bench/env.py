"""Databases, settings and tenants (connections with one machine each) for the benchmarks."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from qwc_service import models
from qwc_service.config import Settings
from qwc_service.connections import service as connections
from qwc_service.connections.credentials import PasswordHashing
from qwc_service.db import make_engine, make_session_factory, unit_of_work, upgrade
from qwc_service.simulator.qwcfile import QwcFile, read_qwc

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get(
    "QWC_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
#: Every benchmark machine logs in with this password (hashed once at the configured cost).
BENCH_PASSWORD = "bench-Password-2345-abcdefgh"
#: application_name of the benchmark's own database sessions (left out of server CPU figures).
SETUP_APPLICATION = "qwc-bench-setup"


def _admin() -> psycopg.Connection:
    url = make_url(PG_ADMIN_URL)
    conn = psycopg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname=url.database or "postgres",
        connect_timeout=5,
    )
    conn.autocommit = True
    return conn


def _drop(admin: psycopg.Connection, name: str) -> None:
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _url_of(name: str) -> str:
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@contextmanager
def postgres_template() -> Iterator[str]:
    """A PostgreSQL database at schema head to copy benchmark databases from; dropped after."""
    name = f"qwc_bench_template_{secrets.token_hex(4)}"
    admin = _admin()
    try:
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        upgrade(_url_of(name))
        yield name
    finally:
        _drop(admin, name)
        admin.close()


@contextmanager
def postgres_database(
    tag: str, template: str | None = None, *, migrate: bool = True
) -> Iterator[str]:
    """A new PostgreSQL database at schema head for one benchmark; dropped afterwards.

    With ``template`` (from :func:`postgres_template`) it is a copy of that database, which
    is much faster than running every migration again. With ``migrate=False`` it is left
    empty (for another checkout's server, which migrates it itself).
    """
    name = f"qwc_bench_{tag}_{secrets.token_hex(4)}"
    admin = _admin()
    try:
        with admin.cursor() as cur:
            copy = f' TEMPLATE "{template}"' if template else ""
            cur.execute(f'CREATE DATABASE "{name}"{copy}')
        # A copy of the template needs no migrations, unless the code moved on meanwhile.
        if migrate:
            upgrade(_url_of(name))
        yield _url_of(name)
    finally:
        _drop(admin, name)
        admin.close()


def postgres_version() -> str:
    """The PostgreSQL server's version."""
    admin = _admin()
    try:
        with admin.cursor() as cur:
            cur.execute("SHOW server_version")
            row = cur.fetchone()
            return str(row[0]) if row else "?"
    finally:
        admin.close()


def sqlite_database(workdir: Path, tag: str) -> str:
    """A new SQLite database file at schema head under ``workdir``."""
    url = f"sqlite:///{workdir / f'{tag}.db'}"
    upgrade(url)
    return url


def backend_of(url: str) -> str:
    """``postgresql`` or ``sqlite``."""
    return make_url(url).get_backend_name()


def tagged_url(url: str) -> str:
    """``url`` with the benchmark's application_name, on PostgreSQL."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return url
    tagged = parsed.update_query_dict({"application_name": SETUP_APPLICATION})
    return tagged.render_as_string(hide_password=False)


def bench_settings(database_url: str, workdir: Path, port: int, **overrides: object) -> Settings:
    """The default settings, pointed at a benchmark database and port."""
    return Settings().with_overrides(
        database_url=database_url,
        public_url=f"http://localhost:{port}",
        files_dir=workdir / "qwc_files",
        log_format="json",
        **overrides,
    )


@dataclass(frozen=True)
class Tenant:
    """A connection with one machine, as its Web Connector sees it."""

    connection_id: str
    username: str
    password: str
    qwc: QwcFile


class Database:
    """An engine and session factory on a benchmark database, used for setting up data."""

    def __init__(self, settings: Settings) -> None:
        models.register()
        self.settings = settings
        self.engine: Engine = make_engine(tagged_url(settings.database_url))
        self.factory: sessionmaker[Session] = make_session_factory(engine=self.engine)
        # Every machine is given the one hash of BENCH_PASSWORD, made once.
        self._hashing = PasswordHashing(settings)
        self._login_hash: str | None = None

    @property
    def login_hash(self) -> str:
        """The hash of BENCH_PASSWORD under the server's credential key."""
        if self._login_hash is None:
            self._login_hash = self._hashing.hash(BENCH_PASSWORD)
        return self._login_hash

    def add_tenants(self, count: int, prefix: str = "bench") -> list[Tenant]:
        """Create ``count`` connections, each with one machine that logs in with BENCH_PASSWORD."""
        tenants: list[Tenant] = []
        with unit_of_work(self.factory) as db:
            for index in range(count):
                connection = connections.create_connection(db, name=f"{prefix} {index}")
                created = connections.add_machine(
                    db,
                    self.settings,
                    self._hashing,
                    connection.id,
                    label=f"{prefix} machine {index}",
                    write_file=False,
                )
                created.machine.password_hash = self.login_hash
                document = connections.qwc_document(self.settings, connection, created.machine)
                tenants.append(
                    Tenant(
                        connection.id,
                        created.machine.username,
                        BENCH_PASSWORD,
                        read_qwc(document.encode("utf-8")),
                    )
                )
        return tenants

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()
