"""Polling an operator controls, and the last answer of each machine's check-in.

``connections.min_poll_seconds`` is sent as authenticate's fourth string
(MinimumRunEveryNSeconds); ``connections.qwc_run_seconds`` makes the connection's .qwc
files ask for RunEveryNSeconds. ``machines.last_answer`` keeps what authenticate answered
last, so an idle poll like the one before it needs no audit event.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("connections") as batch:
        batch.add_column(sa.Column("min_poll_seconds", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("qwc_run_seconds", sa.Integer(), nullable=True))
    with op.batch_alter_table("machines") as batch:
        batch.add_column(sa.Column("last_answer", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("machines") as batch:
        batch.drop_column("last_answer")
    with op.batch_alter_table("connections") as batch:
        batch.drop_column("qwc_run_seconds")
        batch.drop_column("min_poll_seconds")
