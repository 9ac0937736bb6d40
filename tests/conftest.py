"""Databases built with ``alembic upgrade head`` on SQLite and PostgreSQL, the app, and
Intuit's reference material for the conformance tests."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from lxml import etree
from sqlalchemy.engine import make_url

from qwc_service.app import QwcApp, create_app
from qwc_service.config import Settings
from qwc_service.db import upgrade
from qwc_service.qbxml.requests import load_schema
from tests.factories import make_test_settings
from tests.reference_files import REFERENCE_LAYOUT, capture_payload

REPO_ROOT = Path(__file__).resolve().parents[1]
REFERENCE_ENV = "QWC_REFERENCE_DIR"
DEFAULT_REFERENCE = "../shared/reference"
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


def _reference_dir() -> tuple[Path, str]:
    """Where the reference material should be, and what said so (for the skip reason)."""
    configured = os.environ.get(REFERENCE_ENV, "")
    if not configured:
        return (REPO_ROOT / DEFAULT_REFERENCE).resolve(), f"the default, {DEFAULT_REFERENCE}"
    # A relative setting counts from the repository root, like the default.
    path = REPO_ROOT / Path(configured).expanduser()
    return path.resolve(), f"{REFERENCE_ENV}={configured}"


@pytest.fixture(scope="session")
def reference() -> Path:
    """Intuit's reference material (WSDL, captures, samples, schema); skipped without it."""
    path, source = _reference_dir()
    missing = [name for name in REFERENCE_LAYOUT if not (path / name).exists()]
    if not missing:
        return path
    found = "not found" if not path.is_dir() else f"incomplete (no {', '.join(missing)})"
    reason = (
        f"Intuit's reference material {found} at {path} ({source}). Set {REFERENCE_ENV} to "
        f"the folder holding {', '.join(REFERENCE_LAYOUT)}, e.g. "
        f"{REFERENCE_ENV}=/path/to/reference make test"
    )
    # CI must run the conformance tests: a missing folder there is a broken set-up.
    if os.environ.get("CI"):
        pytest.fail(
            f"CI is set, so the conformance tests may not be skipped. {reason}", pytrace=False
        )
    pytest.skip(reason)


@pytest.fixture(scope="session")
def qbxml_schema_dir(reference: Path) -> Path:
    """The folder of Intuit's qbXML 13.0 XSD files."""
    return reference / "qbxml-schema"


@pytest.fixture(scope="session")
def qbxml_schema(qbxml_schema_dir: Path) -> etree.XMLSchema:
    """The qbXML 13.0 schema, compiled once per test session."""
    return load_schema(qbxml_schema_dir)


@pytest.fixture(scope="session")
def qbxml_sample(reference: Path) -> Callable[[str], bytes]:
    """Read a file of qbxml-samples/ by name."""

    def read(name: str) -> bytes:
        return (reference / "qbxml-samples" / name).read_bytes()

    return read


@pytest.fixture(scope="session")
def capture(reference: Path) -> Callable[[str], bytes]:
    """Read the payload (what follows the marker line) of a file in captures/ by name."""

    def read(name: str) -> bytes:
        return capture_payload((reference / "captures" / name).read_bytes())

    return read
