"""The schema comes only from migrations, and the migrations match the models."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from qwc_service import models
from qwc_service.connections.service import create_connection
from qwc_service.db import (
    alembic_config,
    make_engine,
    make_session_factory,
    unit_of_work,
    upgrade,
)
from qwc_service.queue.service import enqueue

CUSTOMER_QUERY = (
    '<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="13.0"?>\n'
    '<QBXML><QBXMLMsgsRq onError="stopOnError"><CustomerQueryRq/></QBXMLMsgsRq></QBXML>'
)


def _differences(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, models.Base.metadata)
    finally:
        engine.dispose()
    # The claim index orders by "priority DESC"; SQLite cannot reflect expression indexes.
    return [d for d in diff if "ix_jobs_claim" not in repr(d)]


def test_migrations_match_the_models(database_url: str) -> None:
    """`alembic upgrade head` builds exactly the tables, columns and indexes the models declare."""
    assert _differences(database_url) == []


def test_downgrade_to_base_and_up_again(database_url: str) -> None:
    """Every migration can be undone and applied again."""
    command.downgrade(alembic_config(database_url), "base")
    upgrade(database_url)
    assert _differences(database_url) == []


#: The text columns that hold qbXML documents of many kilobytes.
LARGE_TEXT = (("jobs", "qbxml"), ("jobs", "response"), ("sessions", "hcp_response"))


def _compression(url: str) -> tuple[bool, dict[str, str]]:
    """Whether the server has lz4, and each large text column's compression setting."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            lz4 = conn.scalar(
                text(
                    "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                    "WHERE name = 'default_toast_compression'"
                )
            )
            settings = {
                f"{table}.{column}": conn.scalar(
                    text(
                        "SELECT attcompression FROM pg_attribute "
                        "WHERE attrelid = CAST(:table AS regclass) AND attname = :column"
                    ),
                    {"table": table, "column": column},
                )
                for table, column in LARGE_TEXT
            }
    finally:
        engine.dispose()
    return bool(lz4), settings


@pytest.mark.postgres
def test_large_text_columns_use_lz4_on_postgresql(pg_url: str) -> None:
    """Requests, responses and HCP responses are compressed with lz4 where the server has it."""
    lz4, settings = _compression(pg_url)
    assert settings == {name: "l" if lz4 else "" for name in settings}
    command.downgrade(alembic_config(pg_url), "0005")
    assert _compression(pg_url)[1] == {name: "" for name in settings}


@pytest.mark.postgres
def test_a_large_response_is_stored_compressed_and_read_back_whole(pg_url: str) -> None:
    """A response of hundreds of kilobytes comes back exactly as stored, compressed by lz4."""
    engine = make_engine(pg_url)
    factory = make_session_factory(engine)
    lines = "".join(
        f"<CustomerRet><ListID>{n:08X}-1390130023</ListID><Name>Customer {n}</Name></CustomerRet>\n"
        for n in range(4000)
    )
    response = (
        f"<QBXML><QBXMLMsgsRs><CustomerQueryRs>{lines}</CustomerQueryRs></QBXMLMsgsRs></QBXML>"
    )
    try:
        with unit_of_work(factory) as db:
            connection = create_connection(db, name="Compression")
            job = enqueue(db, connection.id, CUSTOMER_QUERY).job
            job.response = response
        with engine.connect() as conn:
            stored, method = conn.execute(
                text("SELECT response, pg_column_compression(response) FROM jobs WHERE id = :id"),
                {"id": job.id},
            ).one()
            lz4 = _compression(pg_url)[0]
    finally:
        engine.dispose()
    assert stored == response
    assert method == ("lz4" if lz4 else "pglz")


def test_payment_writes_are_carried_over_as_writes(database_url: str) -> None:
    """0013 turns each payment write into a ReceivePaymentAdd write, and its job a write job."""
    command.downgrade(alembic_config(database_url), "0012")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO connections (id, name, owner_id, file_id, created_at, timezone) "
                    "VALUES ('c1', 'Acme', '{A}', '{B}', CURRENT_TIMESTAMP, 'UTC')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO jobs (connection_id, status, priority, qbxml, request_names, "
                    "kind, payload, units_remaining, attempts, created_at) VALUES ('c1', "
                    "'queued', 0, 'x', 'ReceivePaymentAddRq', 'payment', '{}', 1, 0, "
                    "CURRENT_TIMESTAMP)"
                )
            )
            job_id = conn.execute(text("SELECT max(id) FROM jobs")).scalar()
            conn.execute(
                text(
                    "INSERT INTO payment_writes (connection_id, idempotency_key, invoice_txn_id,"
                    " customer_list_id, amount, txn_date, ref_number, memo, status, job_id, "
                    "sends, checks, created_at) VALUES ('c1', 'k1', 'INV-1', 'CUST-1', 12.5, "
                    "'2026-12-01', 'QWCREF', 'Recorded [qwc:x]', 'sent', :job, 1, 0, "
                    "CURRENT_TIMESTAMP)"
                ),
                {"job": job_id},
            )
        upgrade(database_url)
        with engine.connect() as conn:
            write = conn.execute(text("SELECT * FROM writes")).one()
            job = conn.execute(text("SELECT kind, payload FROM jobs")).one()
    finally:
        engine.dispose()
    assert (write.request, write.status, write.ref_number) == (
        "ReceivePaymentAdd",
        "sent",
        "QWCREF",
    )
    fields = __import__("json").loads(write.fields)
    assert fields["AppliedToTxnAdd"] == [{"TxnID": "INV-1", "PaymentAmount": "12.50"}]
    assert job.kind == "write" and f'"write_id":{write.id}' in job.payload
