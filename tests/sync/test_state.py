"""A sync job's state: its stored JSON reads and writes back exactly, and its transitions."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from qwc_service.app import QwcApp
from qwc_service.queue.models import Job
from qwc_service.queue.payload import load_payload, store_payload
from qwc_service.records.registry import RecordType
from qwc_service.simulator.dataset import generate_company
from qwc_service.sync.state import Phase, SyncState
from tests.sync.rig import make_rig

# Payloads as the sync handler stored them before SyncState existed, copied from real syncs
# against the fake QuickBooks: just queued; a page read with its iterator open; a restart
# after status 3391; a retried failure; an incremental sync done with its deletions; records
# that could not be read.
STORED = [
    '{"deleted_from":null,"expected_pages":null,"from":null,"iterator_id":null,'
    '"max_returned":250,"max_seen_raw":null,"pages":0,"phase":"query","restarts":0,'
    '"started_at":null,"type":"invoices"}',
    '{"awaiting":false,"deleted":0,"deleted_from":null,"expected_pages":3,"from":null,'
    '"iterator_id":"{335b73f0-134c-48c2-8241-39db654e8588}","iterator_session":1,'
    '"max_returned":100,"max_seen_raw":"2014-05-05T10:12:49-08:00","pages":1,"phase":"query",'
    '"restarts":0,"started_at":"2026-12-02T17:16:39+00:00","stored":100,"type":"customers"}',
    '{"awaiting":false,"deleted":0,"deleted_from":null,"expected_pages":null,"from":null,'
    '"iterator_id":null,"iterator_session":null,"max_returned":100,"max_seen_raw":null,'
    '"pages":0,"phase":"query","restarts":1,"started_at":"2026-12-02T17:16:47+00:00",'
    '"type":"customers"}',
    '{"awaiting":false,"deleted_from":null,"expected_pages":null,"from":null,"iterator_id":null,'
    '"iterator_session":null,"max_returned":100,"max_seen_raw":null,"pages":0,"phase":"query",'
    '"restarts":0,"retries":1,"started_at":"2026-12-02T17:16:56+00:00","type":"customers"}',
    '{"awaiting":false,"deleted":1,"deleted_from":"2014-10-01T16:22:24-08:00",'
    '"expected_pages":1,"from":"2014-10-01T16:22:24-08:00","iterator_id":null,'
    '"iterator_session":null,"max_deleted_raw":"2014-10-04T11:58:03-08:00","max_returned":100,'
    '"max_seen_raw":"2014-10-04T11:58:04-08:00","pages":1,"phase":"deleted","restarts":0,'
    '"started_at":"2026-12-02T17:16:42+00:00","stored":4,"type":"customers"}',
    '{"awaiting":false,"deleted":0,"deleted_from":null,"expected_pages":1,"from":null,'
    '"iterator_id":null,"iterator_session":null,"max_returned":100,'
    '"max_seen_raw":"2014-02-01T10:00:00-08:00","pages":1,"phase":"query",'
    '"problem_samples":["CustomerRet CustomerQueryRs #2: it has no ListID"],"problems":1,'
    '"restarts":0,"started_at":"2026-12-02T17:16:59+00:00","stored":1,"type":"customers"}',
]


def _rewritten(stored: str) -> str | None:
    """The JSON a job holds after its payload is read as a SyncState and stored again."""
    job = Job(payload=stored)
    store_payload(job, SyncState.from_payload(load_payload(job)).to_payload())
    return job.payload


@pytest.mark.parametrize("stored", STORED)
def test_stored_payload_is_written_back_byte_for_byte(stored: str) -> None:
    """A payload written before SyncState reads and writes back exactly: no migration."""
    assert _rewritten(stored) == stored


@pytest.mark.parametrize("stored", STORED)
def test_state_survives_its_own_payload(stored: str) -> None:
    """from_payload(to_payload()) gives the same state back."""
    state = SyncState.from_payload(json.loads(stored))
    assert SyncState.from_payload(state.to_payload()) == state


def test_missing_keys_read_as_the_handler_treated_them() -> None:
    """A just-queued payload has no counts, retries or iterator session: they read as none."""
    state = SyncState.from_payload(json.loads(STORED[0]))
    assert state == SyncState(type=RecordType.INVOICES, max_returned=250)
    assert (state.stored, state.deleted, state.problems, state.retries) == (0, 0, 0, 0)
    assert state.awaiting is False and state.iterator_session is None
    assert state.problem_samples == () and state.warning is None
    assert state.started_at is None and not state.incremental


def test_a_full_state_round_trips() -> None:
    """Every member set, warning and deletion times included, survives to_payload."""
    state = (
        SyncState(type=RecordType.ITEMS, max_returned=50, modified_from="2014-01-01T00:00:00")
        .started(datetime(2026, 12, 2, 17, 16, 39, 123456, tzinfo=UTC))
        .sent()
        .answered()
        .warned("530: some items were skipped")
        .counted(40, 2, ["ItemRet #3: it has no ListID"])
        .page_read("2014-02-01T10:00:00-08:00", remaining=80)
        .continued("{iterator}", 7)
        .deletions_read("2014-02-02T10:00:00-08:00")
        .retried()
    )
    payload = state.to_payload()
    assert payload["started_at"] == "2026-12-02T17:16:39+00:00"
    assert payload["problem_samples"] == ["ItemRet #3: it has no ListID"]
    assert payload["expected_pages"] == 3 and payload["warning"].startswith("530")
    assert SyncState.from_payload(payload) == state
    assert SyncState.from_payload(json.loads(json.dumps(payload))).to_payload() == payload


def test_restart_forgets_the_iterator_and_the_counts() -> None:
    """A restart drops stored, problems and warning from the JSON and keeps deletions."""
    state = SyncState.from_payload(json.loads(STORED[1])).warned("530: skipped")
    state = state.counted(5, 1, ["bad record"]).restarted()
    payload = state.to_payload()
    assert not {"stored", "problems", "problem_samples", "warning"} & payload.keys()
    assert (payload["iterator_id"], payload["iterator_session"]) == (None, None)
    assert (payload["pages"], payload["expected_pages"], payload["max_seen_raw"]) == (0, None, None)
    assert payload["deleted"] == 1 and payload["phase"] == Phase.QUERY


def test_a_set_member_is_written_even_at_its_default() -> None:
    """Counting an empty page writes stored and deleted as 0, as the handler always did."""
    state = SyncState(type=RecordType.CUSTOMERS, max_returned=100)
    assert "stored" not in state.to_payload()
    payload = state.counted(0, 0, []).pages_done().to_payload()
    assert (payload["stored"], payload["deleted"], payload["iterator_session"]) == (0, 0, None)
    assert "problems" not in payload


def test_summary_names_pages_deletions_warnings_and_problems() -> None:
    """The status message of a sync tells what it read, what QuickBooks warned, what failed."""
    state = SyncState(type=RecordType.CUSTOMERS, max_returned=100, phase=Phase.DELETED)
    state = state.page_read(None, remaining=150).warned("530: warned").counted(9, 2, ["x", "y"])
    assert state.summary() == (
        "customers: 9 stored in 1 page(s) of 3 expected; 2 marked deleted; "
        "QuickBooks warned 530: warned; 2 record(s) could not be read: x; y"
    )


def test_every_payload_a_real_sync_stores_writes_back_exactly(app: QwcApp) -> None:
    """Each page of a paged sync leaves a payload that SyncState writes back byte for byte."""
    rig = make_rig(app, generate_company(customers=250, items=0, invoices=0, payments=0))
    rig.add_sync("customers", max_returned=100)
    (job_id,) = rig.sync_now()
    seen = [rig.job(job_id).payload]
    rig.run_session(before_answer=lambda number, request: seen.append(rig.job(job_id).payload))
    seen.append(rig.job(job_id).payload)
    assert len(seen) == 5
    for stored in seen:
        assert stored is not None and _rewritten(stored) == stored
    final = SyncState.from_payload(json.loads(str(seen[-1])))
    assert (final.pages, final.expected_pages, final.stored) == (3, 3, 250)
