"""Index delivered webhook events, so /metrics counts them from a narrow index alone.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHERE = sa.text("status = 'delivered'")


def upgrade() -> None:
    op.create_index(
        "ix_webhook_events_delivered",
        "webhook_events",
        ["id"],
        postgresql_where=_WHERE,
        sqlite_where=_WHERE,
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_events_delivered", table_name="webhook_events")
