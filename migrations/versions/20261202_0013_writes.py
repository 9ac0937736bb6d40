"""Writes: any Add, Mod, Void or Delete request, each sent at most once under QuickBooks'
message-set error recovery.

Payment writes become writes of a ReceivePaymentAdd (their fields rebuilt from the row,
their RefNumber and memo marker kept as the key to find them again), and their jobs
write jobs; the payment_writes table goes.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

import hashlib
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
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
    _carry_payment_writes()
    op.drop_index("uq_payment_writes_connection_ref", table_name="payment_writes")
    op.drop_index("uq_payment_writes_connection_key", table_name="payment_writes")
    op.drop_table("payment_writes")


_STATUS = {"pending": "queued", "sent": "sent", "recorded": "done", "failed": "failed"}


def _fields(row: Any) -> dict[str, Any]:
    amount = format(Decimal(row.amount).quantize(Decimal("0.01")), "f")
    fields: dict[str, Any] = {
        "CustomerRef": {"ListID": row.customer_list_id},
        "TxnDate": row.txn_date.isoformat() if hasattr(row.txn_date, "isoformat") else str(row.txn_date),
        "RefNumber": row.ref_number,
        "TotalAmount": amount,
    }
    if row.payment_method:
        fields["PaymentMethodRef"] = {"FullName": row.payment_method}
    if row.memo:
        fields["Memo"] = row.memo
    if row.deposit_to_account:
        fields["DepositToAccountRef"] = {"FullName": row.deposit_to_account}
    fields["AppliedToTxnAdd"] = [{"TxnID": row.invoice_txn_id, "PaymentAmount": amount}]
    return fields


def _carry_payment_writes() -> None:
    bind = op.get_bind()
    writes = sa.table(
        "writes",
        *(
            sa.column(name)
            for name in (
                "connection_id idempotency_key request fields fields_digest status job_id "
                "sends probes lookups ref_number memo_marker qb_id status_code error "
                "created_at sent_at completed_at"
            ).split()
        ),
    )
    jobs = sa.table("jobs", sa.column("id"), sa.column("kind"), sa.column("payload"), sa.column("status"))
    rows = bind.execute(sa.text("SELECT * FROM payment_writes ORDER BY id")).fetchall()
    for row in rows:
        fields = _fields(row)
        text = json.dumps(["ReceivePaymentAdd", fields], sort_keys=True, separators=(",", ":"))
        job_status = None
        if row.job_id is not None:
            job_status = bind.execute(
                sa.select(jobs.c.status).where(jobs.c.id == row.job_id)
            ).scalar()
        status = _STATUS.get(row.status)
        if status is None:  # unknown: still being checked, or given up on
            status = "outcome_unknown" if job_status == "error" else "sent"
        bind.execute(
            writes.insert().values(
                connection_id=row.connection_id,
                idempotency_key=row.idempotency_key,
                request="ReceivePaymentAdd",
                fields=json.dumps(fields, separators=(",", ":")),
                fields_digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                status=status,
                job_id=row.job_id,
                sends=row.sends,
                probes=0,
                lookups=row.checks,
                ref_number=row.ref_number,
                memo_marker="qwc:"
                + hashlib.sha256(row.idempotency_key.encode("utf-8")).hexdigest()[:16],
                qb_id=row.txn_id,
                status_code=row.status_code,
                error=row.error,
                created_at=row.created_at,
                sent_at=None,
                completed_at=row.completed_at,
            )
        )
        write_id = bind.execute(
            sa.text(
                "SELECT id FROM writes WHERE connection_id = :c AND idempotency_key = :k"
            ),
            {"c": row.connection_id, "k": row.idempotency_key},
        ).scalar()
        if row.job_id is not None:
            payload = json.dumps({"phase": "send", "write_id": write_id}, sort_keys=True, separators=(",", ":"))
            bind.execute(
                jobs.update().where(jobs.c.id == row.job_id).values(kind="write", payload=payload)
            )
    # A payment job whose write row is gone has nothing left to send.
    bind.execute(
        jobs.update().where(jobs.c.kind == "payment").values(kind="raw", payload=None)
    )


def downgrade() -> None:
    op.create_table(
        "payment_writes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.String(length=32), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("invoice_txn_id", sa.String(length=40), nullable=False),
        sa.Column("customer_list_id", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("txn_date", sa.Date(), nullable=False),
        sa.Column("payment_method", sa.String(length=31), nullable=True),
        sa.Column("deposit_to_account", sa.String(length=159), nullable=True),
        sa.Column("ref_number", sa.String(length=20), nullable=False),
        sa.Column("memo", sa.String(length=4095), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("txn_id", sa.String(length=40), nullable=True),
        sa.Column("sends", sa.Integer(), nullable=False),
        sa.Column("checks", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_payment_writes_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_payment_writes_job_id_jobs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_writes")),
    )
    op.create_index(
        "uq_payment_writes_connection_key",
        "payment_writes",
        ["connection_id", "idempotency_key"],
        unique=True,
    )
    op.create_index(
        "uq_payment_writes_connection_ref",
        "payment_writes",
        ["connection_id", "ref_number"],
        unique=True,
    )
    # Writes have no place in the older schema: their jobs keep their request as raw qbXML.
    op.execute("UPDATE jobs SET kind = 'raw', payload = NULL WHERE kind = 'write'")
    op.drop_index("uq_writes_message_set_id", table_name="writes")
    op.drop_index("uq_writes_connection_key", table_name="writes")
    op.drop_index("ix_writes_job_id", table_name="writes")
    op.drop_table("writes")
