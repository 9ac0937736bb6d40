"""Index sessions by connection and id, so a connection's latest session is one index step.

The admin list reads the latest session of every connection in error, and each connection
page and health report its newest sessions; with the index on connection_id alone each of
those reads and sorts every session the connection ever had. The new index starts with
connection_id, so it also serves everything the old one did, which it replaces.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_sessions_connection_id_id", "sessions", ["connection_id", "id"])
    op.drop_index("ix_sessions_connection_id", table_name="sessions")


def downgrade() -> None:
    op.create_index("ix_sessions_connection_id", "sessions", ["connection_id"])
    op.drop_index("ix_sessions_connection_id_id", table_name="sessions")
