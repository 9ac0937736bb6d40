"""Let a sync schedule name any record type: the longest plurals run past 16 characters.

Every object of the registry can now be synced, and a schedule stores the type's plural
(``bill_payment_credit_cards`` has 25 characters). Widening a VARCHAR keeps every row as it
is; SQLite does not enforce the length, and its batch mode rebuilds the table the same way.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sync_definitions", schema=None) as batch_op:
        batch_op.alter_column(
            "record_type",
            existing_type=sa.String(length=16),
            type_=sa.String(length=40),
            existing_nullable=False,
        )


def downgrade() -> None:
    # The release before this one knows four record types only; a schedule of any other
    # would stop its sync from loading, so those schedules go (their jobs keep their rows).
    op.execute(
        "DELETE FROM sync_definitions "
        "WHERE record_type NOT IN ('customers', 'items', 'invoices', 'payments')"
    )
    with op.batch_alter_table("sync_definitions", schema=None) as batch_op:
        batch_op.alter_column(
            "record_type",
            existing_type=sa.String(length=40),
            type_=sa.String(length=16),
            existing_nullable=False,
        )
