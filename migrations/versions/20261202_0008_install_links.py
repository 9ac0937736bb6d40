"""Installation links per connection, and the one-time values of their forms.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "install_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("max_installs", sa.Integer(), nullable=True),
        sa.Column("installs", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_install_links_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_install_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_install_links_token_hash")),
    )
    op.create_index(op.f("ix_install_links_connection_id"), "install_links", ["connection_id"])
    op.create_table(
        "install_forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("value_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("machine_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["install_links.id"],
            name=op.f("fk_install_forms_link_id_install_links"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["machine_id"],
            ["machines.id"],
            name=op.f("fk_install_forms_machine_id_machines"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_install_forms")),
        sa.UniqueConstraint("value_hash", name=op.f("uq_install_forms_value_hash")),
    )
    op.create_index(op.f("ix_install_forms_link_id"), "install_forms", ["link_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_install_forms_link_id"), table_name="install_forms")
    op.drop_table("install_forms")
    op.drop_index(op.f("ix_install_links_connection_id"), table_name="install_links")
    op.drop_table("install_links")
