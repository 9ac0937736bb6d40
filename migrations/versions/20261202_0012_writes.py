"""Writes: any Add, Mod, Void or Delete request, each sent at most once under QuickBooks'
message-set error recovery.

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "writes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.String(length=32), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("request", sa.String(length=60), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("fields_digest", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("message_set_id", sa.String(length=23), nullable=True),
        sa.Column("message_set_session_id", sa.Integer(), nullable=True),
        sa.Column("message_set_machine_id", sa.Integer(), nullable=True),
        sa.Column("sends", sa.Integer(), nullable=False),
        sa.Column("probes", sa.Integer(), nullable=False),
        sa.Column("lookups", sa.Integer(), nullable=False),
        sa.Column("external_guid", sa.String(length=38), nullable=True),
        sa.Column("ref_number", sa.String(length=20), nullable=True),
        sa.Column("memo_marker", sa.String(length=40), nullable=True),
        sa.Column("based_on", sa.Text(), nullable=True),
        sa.Column("qb_id", sa.String(length=40), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("conflict", sa.Text(), nullable=True),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_writes_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_writes_job_id_jobs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_writes")),
    )
    op.create_index("ix_writes_job_id", "writes", ["job_id"])
    op.create_index(
        "uq_writes_connection_key", "writes", ["connection_id", "idempotency_key"], unique=True
    )
    op.create_index("uq_writes_message_set_id", "writes", ["message_set_id"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_writes_message_set_id", table_name="writes")
    op.drop_index("uq_writes_connection_key", table_name="writes")
    op.drop_index("ix_writes_job_id", table_name="writes")
    op.drop_table("writes")
