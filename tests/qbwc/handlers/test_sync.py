"""Sync jobs against the fake QuickBooks: pages, progress, watermarks, deletions, failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from lxml import etree
from sqlalchemy import func, select

from qwc_service.app import QwcApp
from qwc_service.db import unit_of_work
from qwc_service.qbwc.handlers.sync import MAX_RESTARTS
from qwc_service.queue.models import JobStatus
from qwc_service.queue.payload import load_payload
from qwc_service.records.models import StoredRecord
from qwc_service.simulator.dataset import generate_company
from qwc_service.sync.requests import parse_qb_datetime
from qwc_service.sync.state import Phase, SyncState
from tests.sync.rig import Rig, make_rig


def _rq(request: str) -> etree._Element:
    return etree.fromstring(request.encode()).find("QBXMLMsgsRq")[0]


def _ret_ids(response: str, ret: str, key: str = "ListID") -> list[str]:
    root = etree.fromstring(response.encode())
    return [str(el.findtext(key)) for el in root.iter(ret)]


def _count(rig: Rig, record_type: str, *, deleted: bool | None = None) -> int:
    with unit_of_work(rig.app.session_factory) as db:
        query = select(func.count()).where(
            StoredRecord.connection_id == rig.connection_id,
            StoredRecord.record_type == record_type,
        )
        if deleted is not None:
            column = StoredRecord.deleted_at
            query = query.where(column.is_not(None) if deleted else column.is_(None))
        return int(db.scalar(query) or 0)


def _row(rig: Rig, record_type: str, qb_id: str) -> StoredRecord | None:
    with unit_of_work(rig.app.session_factory) as db:
        return db.scalar(
            select(StoredRecord).where(
                StoredRecord.connection_id == rig.connection_id,
                StoredRecord.record_type == record_type,
                StoredRecord.qb_id == qb_id,
            )
        )


@pytest.fixture
def rig(app: QwcApp) -> Rig:
    """250 customers and a few items, no transactions, customers synced 100 at a time."""
    made = make_rig(app, generate_company(customers=250, items=12, invoices=0, payments=0))
    made.add_sync("customers", max_returned=100)
    return made


def test_first_sync_reads_every_page_with_honest_progress(rig: Rig) -> None:
    """250 customers come in pages of 100, 100 and 50; progress stays below 100 until the end."""
    (job_id,) = rig.sync_now()
    run = rig.run_session()
    assert run.progress == [33, 66, 100]
    qb = rig.quickbooks
    assert [len(_ret_ids(r, "CustomerRet")) for r in qb.responses] == [100, 100, 50]
    iterators = [(_rq(r).get("iterator"), _rq(r).get("iteratorID")) for r in qb.requests]
    assert iterators[0] == ("Start", None)
    assert iterators[1][0] == iterators[2][0] == "Continue"
    assert iterators[1][1] == iterators[2][1] is not None
    assert all(_rq(r).find("FromModifiedDate") is None for r in qb.requests)
    assert _count(rig, "Customer") == 250
    job = rig.job(job_id)
    assert job.status == JobStatus.DONE and job.response is None
    state = SyncState.from_payload(load_payload(job))
    assert (state.pages, state.expected_pages, state.stored) == (3, 3, 250)
    definition = rig.definition("customers")
    newest = max(c.time_modified for c in qb.company.customers.values())
    assert definition.watermark is not None
    assert parse_qb_datetime(definition.watermark) == newest
    assert definition.deleted_watermark == definition.watermark
    assert definition.last_success_at is not None and definition.last_error is None


def test_next_sync_fetches_only_changes_and_applies_deletions(rig: Rig) -> None:
    """After edits in QuickBooks, the sync asks from the watermark and marks deletions."""
    rig.sync_now()
    rig.run_session()
    watermark = rig.definition("customers").watermark
    assert watermark is not None
    company = rig.quickbooks.company
    ids = sorted(company.customers)
    company.touch_customer(ids[0])
    company.update_customer(ids[1], email="new@example.com")
    company.delete_customer(ids[2])
    added = company.add_customer("Brand New Customer LLC")
    rig.quickbooks.requests.clear()
    rig.quickbooks.responses.clear()

    (job_id,) = rig.sync_now()
    run = rig.run_session()
    assert run.progress == [50, 100]
    query, deletions = (_rq(r) for r in rig.quickbooks.requests)
    since = parse_qb_datetime(watermark) - timedelta(hours=1)
    assert query.findtext("FromModifiedDate") == since.isoformat()
    expected = {c.list_id for c in company.customers.values() if c.time_modified >= since}
    fetched = set(_ret_ids(rig.quickbooks.responses[0], "CustomerRet"))
    assert fetched == expected
    assert {ids[0], ids[1], added.list_id} <= fetched and len(fetched) < 10
    assert deletions.tag == "ListDeletedQueryRq"
    assert deletions.findtext("ListDelType") == "Customer"
    assert deletions.findtext("DeletedDateRangeFilter/FromDeletedDate") == since.isoformat()

    assert _count(rig, "Customer") == 251
    assert _count(rig, "Customer", deleted=True) == 1
    row = _row(rig, "Customer", ids[1])
    assert row is not None and row.document["Email"] == "new@example.com"
    state = SyncState.from_payload(load_payload(rig.job(job_id)))
    assert state.deleted == 1 and state.phase == Phase.DELETED
    definition = rig.definition("customers")
    assert definition.watermark is not None and definition.deleted_watermark is not None
    assert parse_qb_datetime(definition.watermark) == company.customers[added.list_id].time_modified
    gone = company.deleted_list_elements[-1]
    assert parse_qb_datetime(definition.deleted_watermark) >= gone.time_deleted


def test_invoices_and_payments_arrive_with_lines_and_applications(app: QwcApp) -> None:
    """Transaction syncs store every invoice with its lines and every payment."""
    made = make_rig(app, generate_company(customers=10, items=5, invoices=30, payments=8))
    made.add_sync("invoices", max_returned=7)
    made.add_sync("payments", max_returned=50)
    made.sync_now()
    run = made.run_session()
    assert run.progress[-1] == 100 and all(p < 100 for p in run.progress[:-1])
    company = made.quickbooks.company
    assert _count(made, "Invoice") == len(company.invoices) == 30
    assert _count(made, "ReceivePayment") == len(company.payments) > 0
    with unit_of_work(made.app.session_factory) as db:
        invoices = db.scalars(select(StoredRecord).where(StoredRecord.record_type == "Invoice"))
        lines = sum(len(row.document.get("InvoiceLineRet", [])) for row in invoices)
    assert lines == sum(len(i.lines) for i in company.invoices.values())
    first = _rq(made.quickbooks.requests[0])
    assert first.tag == "InvoiceQueryRq" and first.findtext("IncludeLineItems") == "true"


def test_item_deletions_cover_every_item_kind(app: QwcApp) -> None:
    """A deleted service item is found through ListDeletedQuery and marked deleted."""
    made = make_rig(app, generate_company(customers=3, items=12, invoices=0, payments=0))
    made.add_sync("items")
    made.sync_now()
    made.run_session()
    company = made.quickbooks.company
    victim = sorted(company.items)[0]
    company.delete_item(victim)
    made.sync_now()
    made.run_session()
    assert _count(made, "Item", deleted=True) == 1
    row = _row(made, "Item", victim)
    assert row is not None and row.deleted_at is not None


def test_nothing_to_find_is_a_success(app: QwcApp) -> None:
    """Status 1 (no match) ends the sync done, with nothing stored and no watermark."""
    made = make_rig(app, generate_company(customers=3, items=2, invoices=0, payments=0))
    made.add_sync("payments")
    (job_id,) = made.sync_now()
    run = made.run_session()
    assert run.progress == [100]
    job = made.job(job_id)
    assert job.status == JobStatus.DONE and job.status_code == 1
    definition = made.definition("payments")
    assert definition.last_success_at is not None and definition.watermark is None


def test_expired_iterator_restarts_from_the_watermark(rig: Rig) -> None:
    """3391 between pages: the read starts again with Start and still stores 250 customers."""

    def drop_iterators(number: int, request: str) -> None:
        if number == 2:
            rig.quickbooks.end_session()
            rig.quickbooks.begin_session("SYNC-PC")

    (job_id,) = rig.sync_now()
    run = rig.run_session(before_answer=drop_iterators)
    assert run.progress[-1] == 100
    kinds = [_rq(r).get("iterator") for r in run.requests]
    assert kinds == ["Start", "Continue", "Start", "Continue", "Continue"]
    assert 'statusCode="3391"' in rig.quickbooks.responses[1]
    state = SyncState.from_payload(load_payload(rig.job(job_id)))
    assert state.restarts == 1 and state.pages == 3
    assert rig.job(job_id).status == JobStatus.DONE
    assert _count(rig, "Customer") == 250


def test_iterator_that_keeps_expiring_ends_in_error(rig: Rig) -> None:
    """More than three restarts: the job fails with 3391 explained, no watermark is set."""

    def drop_iterators(number: int, request: str) -> None:
        if _rq(request).get("iterator") == "Continue":
            rig.quickbooks.end_session()
            rig.quickbooks.begin_session("SYNC-PC")

    (job_id,) = rig.sync_now()
    run = rig.run_session(before_answer=drop_iterators)
    assert run.progress[-1] == 100
    job = rig.job(job_id)
    assert job.status == JobStatus.ERROR
    assert job.error is not None and job.error.startswith("3391")
    assert SyncState.from_payload(load_payload(job)).restarts == MAX_RESTARTS + 1
    definition = rig.definition("customers")
    assert definition.watermark is None and definition.last_error == job.error


def test_session_dying_mid_iterator_restarts_in_the_next_session(rig: Rig) -> None:
    """A session lost after page 1 (page 2 unanswered): the next session starts over and ends."""
    (job_id,) = rig.sync_now()
    lost = rig.run_session(stop_after=2, close=False)
    assert [_rq(r).get("iterator") for r in lost.requests] == ["Start", "Continue"]
    assert rig.definition("customers").watermark is None
    run = rig.run_session()
    assert [_rq(r).get("iterator") for r in run.requests] == ["Start", "Continue", "Continue"]
    assert run.progress == [33, 66, 100]
    assert rig.job(job_id).status == JobStatus.DONE
    assert _count(rig, "Customer") == 250


def test_continuation_left_for_a_dead_session_starts_over(rig: Rig) -> None:
    """A session that answered page 1 and vanished: its continuation restarts elsewhere."""
    (job_id,) = rig.sync_now()
    lost = rig.run_session(leave_after=1, close=False)
    assert lost.progress == [33]
    run = rig.run_session()
    assert [_rq(r).get("iterator") for r in run.requests] == ["Start", "Continue", "Continue"]
    assert 'statusCode="3391"' not in "".join(rig.quickbooks.responses)
    assert rig.job(job_id).status == JobStatus.DONE
    assert SyncState.from_payload(load_payload(rig.job(job_id))).restarts == 0


def test_failed_sync_leaves_the_watermark_alone(rig: Rig) -> None:
    """A QuickBooks error on an incremental sync: job error, last_error set, watermark kept."""
    rig.sync_now()
    rig.run_session()
    before = rig.definition("customers")
    rig.quickbooks.company.touch_customer(sorted(rig.quickbooks.company.customers)[0])
    (job_id,) = rig.sync_now()
    run = rig.run_session(answer=lambda request: ("", "0x80040400", "QuickBooks found an error"))
    assert run.progress == [100]
    job = rig.job(job_id)
    assert job.status == JobStatus.ERROR and job.error and job.error.startswith("0x80040400")
    after = rig.definition("customers")
    assert (after.watermark, after.deleted_watermark) == (
        before.watermark,
        before.deleted_watermark,
    )
    assert after.last_success_at == before.last_success_at
    assert after.last_error == job.error


def test_passing_failure_is_retried_later(rig: Rig) -> None:
    """A retryable HRESULT puts the sync back with a delay, from Start."""
    (job_id,) = rig.sync_now()
    run = rig.run_session(answer=lambda request: ("", "0x80040422", "file in use"))
    assert run.progress == [100]
    job = rig.job(job_id)
    assert job.status == JobStatus.QUEUED and job.not_before is not None
    assert job.pinned_session_id is None
    state = SyncState.from_payload(load_payload(job))
    assert state.retries == 1 and state.iterator_id is None
    assert rig.definition("customers").last_error is not None


def test_unreadable_records_are_reported_not_fatal(rig: Rig) -> None:
    """A customer without a ListID is named on the job; the others are stored."""
    broken = (
        '<?xml version="1.0" ?><QBXML><QBXMLMsgsRs>'
        '<CustomerQueryRs statusCode="0" statusSeverity="Info" statusMessage="Status OK" '
        'iteratorRemainingCount="0" iteratorID="{1}">'
        "<CustomerRet><ListID>80000001-1</ListID><TimeModified>2014-02-01T10:00:00-08:00"
        "</TimeModified><Name>Ann</Name></CustomerRet>"
        "<CustomerRet><Name>No Identity</Name></CustomerRet>"
        "</CustomerQueryRs></QBXMLMsgsRs></QBXML>"
    )
    (job_id,) = rig.sync_now()
    rig.run_session(answer=lambda request: (broken, "", ""))
    job = rig.job(job_id)
    assert job.status == JobStatus.DONE
    assert job.status_message is not None
    assert "1 record(s) could not be read" in job.status_message
    assert "CustomerRet" in job.status_message
    assert _count(rig, "Customer") == 1
    assert rig.definition("customers").watermark == "2014-02-01T10:00:00-08:00"


def test_runaway_iterator_is_cut_off(rig: Rig) -> None:
    """An iterator that never runs out ends in error a few pages past what it announced."""
    page = (
        '<?xml version="1.0" ?><QBXML><QBXMLMsgsRs>'
        '<CustomerQueryRs statusCode="0" statusSeverity="Info" statusMessage="Status OK" '
        'iteratorRemainingCount="1000" iteratorID="{77}">'
        "<CustomerRet><ListID>80000001-1</ListID><TimeModified>2014-02-01T10:00:00-08:00"
        "</TimeModified></CustomerRet>"
        "</CustomerQueryRs></QBXMLMsgsRs></QBXML>"
    )
    (job_id,) = rig.sync_now()
    run = rig.run_session(answer=lambda request: (page, "", ""))
    job = rig.job(job_id)
    assert job.status == JobStatus.ERROR
    assert job.error is not None and "kept returning pages" in job.error
    assert len(run.requests) == 11 + 3
    assert all(p < 100 for p in run.progress[:-1]) and run.progress[-1] == 100
    assert rig.definition("customers").watermark is None


def test_removing_a_sync_mid_iterator_cancels_it(rig: Rig) -> None:
    """A page answered after its sync was removed ends the job cancelled."""
    from qwc_service.sync import schedule

    def remove(number: int, request: str) -> None:
        if number == 2:
            with unit_of_work(rig.app.session_factory) as db:
                schedule.remove_sync(db, rig.connection_id, "customers")

    (job_id,) = rig.sync_now()
    run = rig.run_session(before_answer=remove)
    assert run.progress[-1] == 100 and len(run.requests) == 2
    job = rig.job(job_id)
    assert job.status == JobStatus.CANCELLED and job.error == "the sync was removed"
