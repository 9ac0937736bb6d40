"""Databases built with ``alembic upgrade head`` on SQLite and PostgreSQL, and the app."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from qwc_service.app import QwcApp, create_app
from qwc_service.config import Settings
from qwc_service.db import upgrade
from tests.factories import make_test_settings

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
PG_ADMIN_URL = os.environ.get(
    "QWC_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _pg_admin() -> psycopg.Connection:
    url = make_url(PG_ADMIN_URL)
    conn = psycopg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname=url.database or "postgres",
        connect_timeout=3,
    )
    conn.autocommit = True
    return conn


def _pg_url(dbname: str) -> str:
    return make_url(PG_ADMIN_URL).set(database=dbname).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A PostgreSQL database at schema head, cloned for each test; skipped without a server."""
    try:
        admin = _pg_admin()
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but PostgreSQL is unreachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}")
    name = f"qwc_tmpl_{secrets.token_hex(4)}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    upgrade(_pg_url(name))
    yield name
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at schema head, copied for each test."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


def _sqlite_db(template: Path, tmp_path: Path) -> str:
    path = tmp_path / "qwc.db"
    path.write_bytes(template.read_bytes())
    return f"sqlite:///{path}"


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh PostgreSQL database at schema head for one test."""
    template = request.getfixturevalue("pg_template")
    name = f"qwc_test_{secrets.token_hex(6)}"
    admin = _pg_admin()
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield _pg_url(name)
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database at schema head, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return _sqlite_db(request.getfixturevalue("sqlite_template"), tmp_path)
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh SQLite database at schema head (for tests about one backend only)."""
    return _sqlite_db(sqlite_template, tmp_path)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings pointing at this test's database and file directory."""
    return make_test_settings(database_url, tmp_path / "qwc_files")


@pytest.fixture
def app(settings: Settings) -> Iterator[QwcApp]:
    """The WSGI application built by the composition root."""
    application = create_app(settings)
    yield application
    application.engine.dispose()


@pytest.fixture
def reference() -> Path:
    """The shared reference material (WSDL, captures, samples, schema)."""
    if not REFERENCE.is_dir():
        pytest.skip(f"reference material not found at {REFERENCE}")
    return REFERENCE
