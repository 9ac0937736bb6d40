"""Index the few pinned jobs, so ending a session does not scan the queue.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHERE = sa.text("pinned_session_id IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_jobs_pinned_session_id",
        "jobs",
        ["pinned_session_id"],
        postgresql_where=_WHERE,
        sqlite_where=_WHERE,
    )


def downgrade() -> None:
    op.drop_index("ix_jobs_pinned_session_id", table_name="jobs")
