"""Every record type end to end: ``sync add --all`` over real HTTP, then an incremental run.

A company holding a few records of every type syncs through gunicorn with the shipped Web
Connector simulator and fake QuickBooks (which refuses any request the XSD refuses); every
stored document must equal the fake's own record. Then records of several types of each kind
change or go, and the next run must fetch only those (and the overlap) and mark the deletions.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import click
import pytest
from click.testing import CliRunner
from lxml import etree
from sqlalchemy import select

from qwc_service.app import QwcApp
from qwc_service.cli import sync as sync_cli
from qwc_service.cli.common import CliContext
from qwc_service.db import unit_of_work
from qwc_service.qbxml.objects.specs import Category
from qwc_service.queue.models import Job, JobKind
from qwc_service.queue.payload import load_payload
from qwc_service.records.models import StoredRecord
from qwc_service.records.registry import RecordType
from qwc_service.serving import ServerProcess
from qwc_service.simulator.connector import SessionResult, WebConnector
from qwc_service.simulator.dataset import EVERY_TYPE, Company, generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.qwcfile import read_qwc
from qwc_service.sync import schedule
from qwc_service.sync.requests import overlap_from, parse_qb_datetime
from qwc_service.sync.state import SyncState
from tests.factories import make_connection, make_machine
from tests.records.compare import expected_documents

pytestmark = pytest.mark.gunicorn

# Records changed (touched, made inactive) and deleted, of several types of each kind.
TOUCHED = ("Account", "Vendor", "ItemDiscount", "ItemService", "Bill", "Transfer", "CreditMemo")
INACTIVE = ("Class", "ItemOtherCharge")
DELETED = ("PaymentMethod", "Employee", "ItemSubtotal", "Check", "JournalEntry", "Estimate")
MAX_SESSIONS = 20


class RecordingQuickBooks(FakeQuickBooks):
    """The fake QuickBooks, keeping every answer it gave."""

    def __init__(self, company: Company, **kwargs: Any) -> None:
        super().__init__(company, **kwargs)
        self.responses: list[str] = []

    def process(self, request_xml: str) -> str:
        """Answer as QuickBooks does, and remember the answer."""
        answer = super().process(request_xml)
        self.responses.append(answer)
        return answer


def _sessions_until_idle(connector: WebConnector) -> list[SessionResult]:
    """Run sessions until the server has nothing more for this machine."""
    results = []
    for _ in range(MAX_SESSIONS):
        result = connector.run_session()
        results.append(result)
        if result.outcome == "none":
            return results
        assert result.outcome == "completed", result.last_error
    raise AssertionError(f"still busy after {MAX_SESSIONS} sessions")


def _fetched(responses: list[str]) -> dict[str, set[str]]:
    """The ListIDs and TxnIDs each query's answers returned, by ``…QueryRs``."""
    found: dict[str, set[str]] = {}
    for text in responses:
        for rs in etree.fromstring(text.encode()).iter("*"):
            if not str(rs.tag).endswith("QueryRs"):
                continue
            ids = found.setdefault(str(rs.tag), set())
            for ret in rs:
                ids.add(ret.findtext("ListID") or ret.findtext("TxnID") or str(ret.tag))
    return found


def _stored_type(kind: RecordType) -> tuple[str, str | None]:
    """The record_type column a type's records go under, and the object_name to match."""
    spec = kind.object_spec
    if spec.read_through is not None:
        return spec.read_through, spec.name
    return spec.name, None


def _live_documents(db: Any, connection_id: str, kind: RecordType) -> dict[str, StoredRecord]:
    record_type, object_name = _stored_type(kind)
    query = select(StoredRecord).where(
        StoredRecord.connection_id == connection_id,
        StoredRecord.record_type == record_type,
        StoredRecord.deleted_at.is_(None),
    )
    if object_name is not None:
        query = query.where(StoredRecord.object_name == object_name)
    return {row.qb_id: row for row in db.scalars(query)}


def _differences(app: QwcApp, connection_id: str, company: Company) -> list[str]:
    """Every difference between the stored documents and the fake's records, all types."""
    problems: list[str] = []
    with unit_of_work(app.session_factory) as db:
        for kind in RecordType:
            expected = expected_documents(company, kind.value)
            stored = _live_documents(db, connection_id, kind)
            if kind.object_spec.category is not Category.SINGLETON:
                assert expected, f"the company holds no {kind.value}"
            if set(stored) != set(expected):
                problems.append(
                    f"{kind.value}: stored {sorted(stored)}, QuickBooks has {sorted(expected)}"
                )
            for qb_id in set(stored) & set(expected):
                _, want = expected[qb_id]
                row = stored[qb_id]
                if row.document != want:
                    problems.append(f"{kind.value} {qb_id}: {row.document!r} != {want!r}")
                if row.time_modified_raw != want.get("TimeModified"):
                    problems.append(f"{kind.value} {qb_id}: time_modified_raw")
    return problems


def _sync_states(app: QwcApp, connection_id: str, after_job: int) -> dict[str, SyncState]:
    states = {}
    with unit_of_work(app.session_factory) as db:
        jobs = db.scalars(
            select(Job).where(
                Job.connection_id == connection_id, Job.kind == JobKind.SYNC, Job.id > after_job
            )
        )
        for job in jobs:
            assert job.status == "done", (job.id, job.error)
            state = SyncState.from_payload(load_payload(job))
            assert state.problems == 0, state.summary()
            states[state.type.value] = state
    return states


@pytest.fixture
def cli(server: ServerProcess) -> Iterator[Any]:
    """Run ``qwc-service sync`` commands on the server's database."""

    @click.group()
    @click.pass_context
    def root(ctx: click.Context) -> None:
        ctx.obj = CliContext(server.settings)

    sync_cli.register(root)
    runner = CliRunner()

    def invoke(*args: str) -> str:
        result = runner.invoke(root, ["sync", *args])
        assert result.exit_code == 0, (result.output, result.stderr)
        return result.stdout

    yield invoke


def test_every_type_syncs_whole_then_only_changes(
    server: ServerProcess, served_app: QwcApp, cli: Any, qbxml_schema: etree.XMLSchema
) -> None:
    """sync add --all stores every document as QuickBooks has it; a later run reads changes."""
    app = served_app
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    company = generate_company(
        customers=4, items=4, invoices=6, payments=3, counts={**EVERY_TYPE, "ItemInventory": 2}
    )
    added = cli("add", connection_id, "--all", "--every", "30")
    assert f"added {len(RecordType)} sync(s)" in added
    quickbooks = RecordingQuickBooks(company, schema=qbxml_schema)
    assert machine.qwc_path is not None
    connector = WebConnector(read_qwc(machine.qwc_path), machine.password, quickbooks)
    connector.add_application()

    sessions = _sessions_until_idle(connector)
    first = _sync_states(app, connection_id, 0)
    print(
        f"first sync of {len(first)} types: {len(sessions)} session(s), "
        f"{sum(s.requests_processed for s in sessions)} requests, "
        f"{sum(s.stored for s in first.values())} records"
    )
    assert sorted(first) == sorted(t.value for t in RecordType)
    assert _differences(app, connection_id, company) == []
    with unit_of_work(app.session_factory) as db:
        last_job = db.scalar(select(Job.id).order_by(Job.id.desc()).limit(1)) or 0
        marks = {d.record_type: d.watermark for d in schedule.list_syncs(db, connection_id)}

    # Change and delete records of several types of each kind in QuickBooks.
    changed: dict[str, set[str]] = {}
    for name in TOUCHED:
        record_id = next(iter(company.records_of(name)))
        company.touch(name, record_id)
        changed.setdefault(name, set()).add(record_id)
    for name in INACTIVE:
        record_id = next(iter(company.records_of(name)))
        company.set_active(name, record_id, False)
        changed.setdefault(name, set()).add(record_id)
    deleted: dict[str, str] = {}
    for name in DELETED:
        record_id = list(company.records_of(name))[-1]
        company.delete(name, record_id)
        deleted[name] = record_id

    # Forty minutes later, every sync is due again.
    with unit_of_work(app.session_factory) as db:
        for definition in schedule.list_syncs(db, connection_id):
            assert definition.last_started_at is not None
            definition.last_started_at -= timedelta(minutes=40)
    quickbooks.responses.clear()
    sessions = _sessions_until_idle(connector)
    second = _sync_states(app, connection_id, last_job)
    print(
        f"incremental sync: {sum(s.requests_processed for s in sessions)} requests, "
        f"{sum(s.stored for s in second.values())} records, "
        f"{sum(s.deleted for s in second.values())} deletions"
    )
    assert sorted(second) == sorted(t.value for t in RecordType)
    assert _differences(app, connection_id, company) == []

    # Only changes come back: the records changed, and those within the overlap before a
    # type's watermark. Types without a modified filter are read whole.
    fetched = _fetched(quickbooks.responses)
    with unit_of_work(app.session_factory) as db:
        stored = {
            row.qb_id: row
            for row in db.scalars(
                select(StoredRecord).where(StoredRecord.connection_id == connection_id)
            )
        }
        for kind in RecordType:
            ids = fetched.get(kind.query.response, set())
            if not kind.reads_changes:
                assert len(ids) == len(expected_documents(company, kind.value)), kind
                continue
            mark = marks[kind.value]
            assert mark is not None, kind
            since = parse_qb_datetime(overlap_from(mark))
            for qb_id in ids - changed.get(kind.qbxml_name, set()):
                row = stored[qb_id]
                assert row.time_modified_raw is not None
                assert parse_qb_datetime(row.time_modified_raw) >= since, (kind, qb_id)
            assert changed.get(kind.qbxml_name, set()) <= ids, kind
        # Deletions are marked, and only those.
        gone = {
            (row.object_name, row.qb_id)
            for row in db.scalars(
                select(StoredRecord).where(
                    StoredRecord.connection_id == connection_id,
                    StoredRecord.deleted_at.is_not(None),
                )
            )
        }
    assert gone == {(name, record_id) for name, record_id in deleted.items()}
    for name in DELETED:
        # Item kinds are marked by the items sync or the kind's own, whichever runs first.
        if RecordType(name).category is not Category.ITEM_KIND:
            assert second[RecordType(name).value].deleted == 1, second[RecordType(name).value]
