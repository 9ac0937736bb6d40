"""The sync engine end to end: a real-sized company through gunicorn, then an incremental sync."""

from __future__ import annotations

from datetime import timedelta

import pytest
from lxml import etree
from sqlalchemy import select

from qwc_service.app import QwcApp
from qwc_service.db import unit_of_work
from qwc_service.queue.models import Job, JobKind
from qwc_service.queue.payload import load_payload
from qwc_service.serving import ServerProcess
from qwc_service.simulator.connector import WebConnector
from qwc_service.simulator.dataset import RecordInUse, generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.qwcfile import read_qwc
from qwc_service.sync import schedule
from qwc_service.sync.state import SyncState
from tests.factories import make_connection, make_machine
from tests.records.compare import assert_company_matches, assert_deletions_match

pytestmark = pytest.mark.gunicorn

TYPES = ("customers", "items", "invoices", "payments")


def _stored_counts(app: QwcApp, connection_id: str, after_job: int) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    with unit_of_work(app.session_factory) as db:
        jobs = db.scalars(
            select(Job).where(
                Job.connection_id == connection_id, Job.kind == JobKind.SYNC, Job.id > after_job
            )
        )
        for job in jobs:
            state = SyncState.from_payload(load_payload(job))
            entry = counts.setdefault(state.type.value, {"stored": 0, "deleted": 0, "jobs": 0})
            entry["stored"] += state.stored
            entry["deleted"] += state.deleted
            entry["jobs"] += 1
            assert job.status == "done", (job.id, job.error)
    return counts


def test_full_then_incremental_sync(
    server: ServerProcess, served_app: QwcApp, qbxml_schema: etree.XMLSchema
) -> None:
    """2,500 customers, 500 items, 5,000 invoices sync through iterators; then only changes."""
    app = served_app
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    with unit_of_work(app.session_factory) as db:
        for record_type in TYPES:
            schedule.add_sync(db, connection_id, record_type, every_minutes=15)
    company = generate_company(customers=2500, items=500, invoices=5000, payments=300)
    # With the XSD, the fake QuickBooks refuses any request that does not validate.
    quickbooks = FakeQuickBooks(company, schema=qbxml_schema)
    assert machine.qwc_path is not None
    connector = WebConnector(read_qwc(machine.qwc_path), machine.password, quickbooks)
    connector.add_application()

    first = connector.run_session()
    assert first.outcome == "completed", first.last_error
    assert first.progress[-1] == 100 and max(first.progress[:-1]) < 100
    with unit_of_work(app.session_factory) as db:
        assert_company_matches(db, connection_id, company)
        last_job = db.scalar(select(Job.id).order_by(Job.id.desc()).limit(1)) or 0
    print(f"first sync: {first.requests_processed} requests, progress {first.progress[:3]}...")

    # Change 10 invoices and delete 3 customers in QuickBooks.
    touched = list(company.invoices)[100:110]
    for txn_id in touched:
        company.touch_invoice(txn_id, memo="changed after the first sync")
    deleted = []
    for list_id in list(company.customers):
        if len(deleted) == 3:
            break
        try:
            company.delete_customer(list_id)
        except RecordInUse:
            continue
        deleted.append(list_id)
    assert len(deleted) == 3

    # Sixteen minutes later, the syncs are due again.
    with unit_of_work(app.session_factory) as db:
        earlier = timedelta(minutes=16)
        for definition in schedule.list_syncs(db, connection_id):
            assert definition.last_started_at and definition.last_success_at
            definition.last_started_at -= earlier
            definition.last_success_at -= earlier
    second = connector.run_session()
    assert second.outcome == "completed", second.last_error
    counts = _stored_counts(app, connection_id, last_job)
    print(f"incremental sync: {second.requests_processed} requests, {counts}")
    # Only what changed comes back (the overlap window may repeat a few neighbours).
    assert 10 <= counts["invoices"]["stored"] <= 20
    assert counts["customers"]["stored"] <= 20 and counts["customers"]["deleted"] == 3
    assert second.requests_processed < first.requests_processed // 5
    with unit_of_work(app.session_factory) as db:
        assert_company_matches(db, connection_id, company)
        assert_deletions_match(db, connection_id, company)
        definitions = schedule.list_syncs(db, connection_id)
        assert all(d.watermark and d.last_success_at for d in definitions)
