"""Large text values (qbXML requests and responses, HCP responses) compressed with lz4.

PostgreSQL compresses a text value over about 2 kB before storing it out of line, with pglz
unless told otherwise. A raw job's stored response is often tens of kilobytes and is
written on every round trip, and lz4 compresses it several times faster. Only new values
are affected; values already stored stay readable as they are. Servers built without lz4
(or older than PostgreSQL 14) keep pglz, and SQLite has nothing to change.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, column) of every text column that regularly holds values of many kilobytes.
LARGE_TEXT = (
    ("jobs", "qbxml"),
    ("jobs", "response"),
    ("sessions", "hcp_response"),
)


def _lz4_available() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    # default_toast_compression exists from PostgreSQL 14 and lists lz4 only when built in.
    found = bind.execute(
        sa.text(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
            "WHERE name = 'default_toast_compression'"
        )
    ).scalar()
    return bool(found)


def _set_compression(method: str) -> None:
    for table, column in LARGE_TEXT:
        op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET COMPRESSION {method}')


def upgrade() -> None:
    if _lz4_available():
        _set_compression("lz4")


def downgrade() -> None:
    if _lz4_available():
        _set_compression("default")
