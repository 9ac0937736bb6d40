"""Syncs of types that read differently: no iterator, no modified filter, no deletions."""

from __future__ import annotations

from lxml import etree
from sqlalchemy import func, select

from qwc_service.app import QwcApp
from qwc_service.db import unit_of_work
from qwc_service.qbxml.requests import schema_errors
from qwc_service.queue.payload import load_payload
from qwc_service.records.models import StoredRecord
from qwc_service.simulator.dataset import generate_company
from qwc_service.sync.state import SyncState
from tests.records.compare import assert_type_matches
from tests.sync.rig import Rig, make_rig

TYPES = ("accounts", "templates", "transfers", "inventory_items", "company")


def _queries(requests: list[str]) -> list[etree._Element]:
    found = []
    for text in requests:
        root = etree.fromstring(text.encode())
        found.extend(root.find("QBXMLMsgsRq"))
    return found


def _rig(app: QwcApp) -> Rig:
    company = generate_company(
        customers=2,
        items=0,
        invoices=0,
        payments=0,
        counts={"Account": 5, "Template": 3, "Transfer": 3, "ItemInventory": 3},
    )
    rig = make_rig(app, company)
    for name in TYPES:
        rig.add_sync(name, max_returned=2)
    return rig


def test_each_type_is_read_as_its_query_allows(app: QwcApp, qbxml_schema: etree.XMLSchema) -> None:
    """Accounts and templates in one answer, transfers and inventory items page by page."""
    rig = _rig(app)
    jobs = rig.sync_now()
    run = rig.run_session()
    assert all(rig.job(job).status == "done" for job in jobs), [rig.job(j).error for j in jobs]
    assert all(schema_errors(text, qbxml_schema) == [] for text in run.requests)
    queries = _queries(run.requests)
    by_tag: dict[str, list[etree._Element]] = {}
    for rq in queries:
        by_tag.setdefault(rq.tag, []).append(rq)
    # Three transfers a page of two: Start and one Continue; the same for inventory items.
    assert [rq.get("iterator") for rq in by_tag["TransferQueryRq"]] == ["Start", "Continue"]
    assert [rq.get("iterator") for rq in by_tag["ItemInventoryQueryRq"]] == ["Start", "Continue"]
    (accounts,) = by_tag["AccountQueryRq"]
    assert accounts.get("iterator") is None and accounts.find("MaxReturned") is None
    assert [child.tag for child in by_tag["TemplateQueryRq"][0]] == []
    assert [child.tag for child in by_tag["CompanyQueryRq"][0]] == ["OwnerID"]
    assert "ListDeletedQueryRq" not in by_tag and "TxnDeletedQueryRq" not in by_tag
    # Watermarks only where a later sync asks from them.
    assert rig.definition("accounts").watermark is not None
    assert rig.definition("transfers").watermark is not None
    assert rig.definition("transfers").deleted_watermark is None
    for name in ("templates", "company"):
        definition = rig.definition(name)
        assert definition.last_success_at is not None
        assert (definition.watermark, definition.deleted_watermark) == (None, None)
    with unit_of_work(rig.app.session_factory) as db:
        for name in ("accounts", "templates", "transfers", "company"):
            assert_type_matches(db, rig.connection_id, rig.quickbooks.company, name)


def test_a_later_sync_asks_for_what_each_type_can_tell(
    app: QwcApp, qbxml_schema: etree.XMLSchema
) -> None:
    """Changes since the watermark where the query filters; deletions where QuickBooks has them."""
    rig = _rig(app)
    rig.sync_now()
    rig.run_session()
    watermark = rig.definition("accounts").watermark
    company = rig.quickbooks.company
    account = next(iter(company.records_of("Account")))
    company.touch("Account", account)
    rig.quickbooks.requests.clear()
    jobs = rig.sync_now()
    run = rig.run_session()
    assert all(rig.job(job).status == "done" for job in jobs), [rig.job(j).error for j in jobs]
    assert all(schema_errors(text, qbxml_schema) == [] for text in run.requests)
    tags = [rq.tag for rq in _queries(run.requests)]
    accounts = next(rq for rq in _queries(run.requests) if rq.tag == "AccountQueryRq")
    assert watermark is not None and accounts.findtext("FromModifiedDate") is not None
    assert accounts.findtext("FromModifiedDate") < watermark
    deletions = [rq for rq in _queries(run.requests) if rq.tag.endswith("DeletedQueryRq")]
    named = sorted(d.findtext("ListDelType") or d.findtext("TxnDelType") or "" for d in deletions)
    # Transfer has no deletions query; templates and the company file are read whole.
    assert named == ["Account", "ItemInventory"]
    transfers = next(rq for rq in _queries(run.requests) if rq.tag == "TransferQueryRq")
    assert transfers.findtext("ModifiedDateRangeFilter/FromModifiedDate") is not None
    assert tags.count("TemplateQueryRq") == 1 and tags.count("CompanyQueryRq") == 1
    template = next(rq for rq in _queries(run.requests) if rq.tag == "TemplateQueryRq")
    assert len(template) == 0


def test_an_expired_iterator_restarts_any_type(app: QwcApp) -> None:
    """3391 between pages of bills: the read starts again and stores every bill once."""
    company = generate_company(customers=2, items=0, invoices=0, payments=0, counts={"Bill": 5})
    rig = make_rig(app, company)
    rig.add_sync("Bill", max_returned=2)

    def drop_iterators(number: int, request: str) -> None:
        if number == 2:
            rig.quickbooks.end_session()
            rig.quickbooks.begin_session("SYNC-PC")

    (job_id,) = rig.sync_now()
    run = rig.run_session(before_answer=drop_iterators)
    pages = [rq.get("iterator") for rq in _queries(run.requests)]
    assert pages == ["Start", "Continue", "Start", "Continue", "Continue"]
    assert 'statusCode="3391"' in rig.quickbooks.responses[1]
    job = rig.job(job_id)
    assert job.status == "done", job.error
    state = SyncState.from_payload(load_payload(job))
    assert (state.restarts, state.pages, state.stored) == (1, 3, 5)
    with unit_of_work(rig.app.session_factory) as db:
        stored = db.scalar(
            select(func.count())
            .select_from(StoredRecord)
            .where(StoredRecord.connection_id == rig.connection_id)
            .where(StoredRecord.record_type == "Bill")
        )
        assert stored == 5
        assert_type_matches(db, rig.connection_id, company, "bills")
    assert rig.definition("bills").watermark is not None
