"""Sync schedules: windows, due times, pauses, and queueing due work at authenticate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from qwc_service.app import QwcApp
from qwc_service.connections.models import Connection
from qwc_service.db import unit_of_work
from qwc_service.queue.models import Job, JobKind, JobStatus
from qwc_service.queue.payload import load_payload
from qwc_service.sync import schedule
from qwc_service.sync.models import SyncDefinition
from qwc_service.sync.schedule import SyncNotFound
from qwc_service.sync.state import SyncState
from tests.factories import make_connection

UTC_ZONE = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")
NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _definition(**values: object) -> SyncDefinition:
    defaults: dict[str, object] = {
        "connection_id": "c",
        "record_type": "customers",
        "every_minutes": 60,
        "max_returned": 100,
    }
    return SyncDefinition(**{**defaults, **values})


# -- due times -------------------------------------------------------------------------------


def test_never_run_definition_is_due_at_once() -> None:
    """Without a start or request yet, a sync is due now."""
    assert schedule.is_due(_definition(), UTC_ZONE, NOON)


def test_interval_counts_from_the_last_start() -> None:
    """Every 60 minutes: not due 59 minutes after the start, due at 60."""
    definition = _definition(last_started_at=NOON - timedelta(minutes=59))
    assert not schedule.is_due(definition, UTC_ZONE, NOON)
    assert schedule.next_due_at(definition, UTC_ZONE, NOON) == NOON + timedelta(minutes=1)
    definition.last_started_at = NOON - timedelta(minutes=60)
    assert schedule.is_due(definition, UTC_ZONE, NOON)


def test_a_request_to_sync_now_restarts_the_interval() -> None:
    """requested_at counts like a start."""
    definition = _definition(
        last_started_at=NOON - timedelta(hours=5), requested_at=NOON - timedelta(minutes=10)
    )
    assert schedule.next_due_at(definition, UTC_ZONE, NOON) == NOON + timedelta(minutes=50)


def test_pause_holds_until_its_end() -> None:
    """A paused sync is due only once the pause is over."""
    definition = _definition(paused_until=NOON + timedelta(hours=2))
    assert not schedule.is_due(definition, UTC_ZONE, NOON)
    assert schedule.next_due_at(definition, UTC_ZONE, NOON) == NOON + timedelta(hours=2)
    assert schedule.is_due(definition, UTC_ZONE, NOON + timedelta(hours=2))


def test_window_defers_a_due_sync_to_its_opening() -> None:
    """Due by interval at 07:00 New York time, but the 19:00-07:00 window just closed."""
    definition = _definition(window_start="19:00", window_end="07:00")
    assert not schedule.is_due(definition, NEW_YORK, NOON)
    assert schedule.next_due_at(definition, NEW_YORK, NOON) == datetime(
        2026, 3, 3, 0, 0, tzinfo=UTC
    )
    assert schedule.is_due(definition, NEW_YORK, NOON - timedelta(hours=1))


# -- definitions in the database -------------------------------------------------------------


def _connection(app: QwcApp, timezone: str = "UTC") -> str:
    connection_id = make_connection(app)
    with unit_of_work(app.session_factory) as db:
        connection = db.get(Connection, connection_id)
        assert connection is not None
        connection.timezone = timezone
    return connection_id


def _enqueue_due(app: QwcApp, connection_id: str, now: datetime) -> list[int]:
    with unit_of_work(app.session_factory) as db:
        connection = db.get(Connection, connection_id)
        assert connection is not None
        return [job.id for job in schedule.enqueue_due(db, connection, now)]


def _finish(app: QwcApp, job_ids: list[int], status: str = JobStatus.DONE) -> None:
    with unit_of_work(app.session_factory) as db:
        for job_id in job_ids:
            job = db.get(Job, job_id)
            assert job is not None
            job.status = status


def test_add_sync_creates_then_updates(app: QwcApp) -> None:
    """Re-adding a type changes its schedule and keeps its watermark."""
    connection_id = _connection(app)
    with unit_of_work(app.session_factory) as db:
        first = schedule.add_sync(db, connection_id, "customers", 30, window="19:00-07:00")
        first.watermark = "2014-01-01T00:00:00-08:00"
    with unit_of_work(app.session_factory) as db:
        again = schedule.add_sync(db, connection_id, "customers", 15, max_returned=250)
        assert again.id == first.id
        assert (again.every_minutes, again.max_returned) == (15, 250)
        assert again.window_start is None and again.window_end is None
        assert again.watermark == "2014-01-01T00:00:00-08:00"
        schedule.add_sync(db, connection_id, "payments", 60)
        schedule.add_sync(db, connection_id, "items", 60)
        types = [d.record_type for d in schedule.list_syncs(db, connection_id)]
    assert types == ["customers", "items", "payments"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("vendor_bills", 10), "unknown record type"),
        (("customers", 0), "interval"),
        (("customers", 10, "25:00-01:00"), "outside"),
    ],
)
def test_add_sync_refuses_bad_settings(app: QwcApp, args: tuple[object, ...], message: str) -> None:
    """Unknown types, zero intervals and bad windows are refused with a reason."""
    connection_id = _connection(app)
    with unit_of_work(app.session_factory) as db, pytest.raises(ValueError, match=message):
        schedule.add_sync(db, connection_id, *args)  # type: ignore[arg-type]


def test_enqueue_due_queues_each_due_sync_once(app: QwcApp) -> None:
    """Two authenticates in a row queue one job per due sync, in type order."""
    connection_id = _connection(app)
    with unit_of_work(app.session_factory) as db:
        schedule.add_sync(db, connection_id, "invoices", 60)
        schedule.add_sync(db, connection_id, "customers", 60)
    first = _enqueue_due(app, connection_id, NOON)
    assert len(first) == 2
    assert _enqueue_due(app, connection_id, NOON + timedelta(minutes=1)) == []
    with unit_of_work(app.session_factory) as db:
        jobs = [db.get(Job, job_id) for job_id in first]
        assert [load_payload(j)["type"] for j in jobs if j] == ["customers", "invoices"]
        assert all(j is not None and j.kind == JobKind.SYNC for j in jobs)
        assert all(j is not None and j.status == JobStatus.QUEUED for j in jobs)


def test_a_sent_sync_is_still_pending(app: QwcApp) -> None:
    """A sync whose page is with QuickBooks is not queued again."""
    connection_id = _connection(app)
    with unit_of_work(app.session_factory) as db:
        schedule.add_sync(db, connection_id, "customers", 1)
    job_ids = _enqueue_due(app, connection_id, NOON)
    _finish(app, job_ids, JobStatus.SENT)
    assert _enqueue_due(app, connection_id, NOON + timedelta(hours=3)) == []


def test_finished_sync_comes_due_after_its_interval(app: QwcApp) -> None:
    """After a sync started and finished, the next one is queued one interval later."""
    connection_id = _connection(app)
    with unit_of_work(app.session_factory) as db:
        schedule.add_sync(db, connection_id, "customers", 30)
    job_ids = _enqueue_due(app, connection_id, NOON)
    with unit_of_work(app.session_factory) as db:
        schedule.get_sync(db, connection_id, "customers").last_started_at = NOON
    _finish(app, job_ids)
    assert _enqueue_due(app, connection_id, NOON + timedelta(minutes=29)) == []
    assert len(_enqueue_due(app, connection_id, NOON + timedelta(minutes=30))) == 1


def test_paused_and_out_of_window_syncs_are_not_queued(app: QwcApp) -> None:
    """A pause and a closed window both keep a due sync out of the queue."""
    connection_id = _connection(app, "America/New_York")
    with unit_of_work(app.session_factory) as db:
        schedule.add_sync(db, connection_id, "customers", 10, window="19:00-07:00")
        schedule.add_sync(db, connection_id, "items", 10)
        schedule.pause_syncs(db, connection_id, NOON + timedelta(hours=1), "items")
    assert _enqueue_due(app, connection_id, NOON) == []
    # 20:00 New York time: the window is open and the pause is over.
    evening = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)
    assert len(_enqueue_due(app, connection_id, evening)) == 2


def test_disabled_connection_queues_nothing(app: QwcApp) -> None:
    """A disabled connection gets no scheduled work."""
    connection_id = _connection(app)
    with unit_of_work(app.session_factory) as db:
        schedule.add_sync(db, connection_id, "customers", 10)
        connection = db.get(Connection, connection_id)
        assert connection is not None
        connection.disabled_at = NOON
    assert _enqueue_due(app, connection_id, NOON) == []


def test_sync_now_ignores_schedule_but_never_queues_twice(app: QwcApp) -> None:
    """sync now queues paused and out-of-window syncs, once; then nothing while pending."""
    connection_id = _connection(app)
    with unit_of_work(app.session_factory) as db:
        schedule.add_sync(db, connection_id, "customers", 600, window="01:00-02:00")
        schedule.add_sync(db, connection_id, "items", 600)
        schedule.pause_syncs(db, connection_id, datetime(2099, 1, 1, tzinfo=UTC))
        jobs = schedule.sync_now(db, connection_id)
        assert sorted(load_payload(j)["type"] for j in jobs) == ["customers", "items"]
        assert all(j.not_before is None for j in jobs)
        assert schedule.sync_now(db, connection_id) == []
        assert schedule.sync_now(db, connection_id, "items") == []
        assert schedule.get_sync(db, connection_id, "items").requested_at is not None


def test_sync_now_names_a_missing_type(app: QwcApp) -> None:
    """Asking for a type the connection does not sync is SyncNotFound."""
    connection_id = _connection(app)
    with unit_of_work(app.session_factory) as db, pytest.raises(SyncNotFound):
        schedule.sync_now(db, connection_id, "payments")


def test_pause_holds_queued_work_too(app: QwcApp) -> None:
    """Pausing makes a queued, unstarted sync wait until the pause ends."""
    connection_id = _connection(app)
    until = datetime(2099, 1, 1, tzinfo=UTC)
    with unit_of_work(app.session_factory) as db:
        schedule.add_sync(db, connection_id, "customers", 10)
        (job,) = schedule.sync_now(db, connection_id)
        schedule.pause_syncs(db, connection_id, until)
        assert job.not_before == until


def test_remove_sync_cancels_its_queued_work(app: QwcApp) -> None:
    """Removing a sync cancels its queued job and forgets the definition."""
    connection_id = _connection(app)
    with unit_of_work(app.session_factory) as db:
        schedule.add_sync(db, connection_id, "customers", 10)
        (job,) = schedule.sync_now(db, connection_id)
        assert schedule.remove_sync(db, connection_id, "customers") == 1
        assert job.status == JobStatus.CANCELLED
        assert schedule.list_syncs(db, connection_id) == []
        with pytest.raises(SyncNotFound):
            schedule.remove_sync(db, connection_id, "customers")


def test_seconds_until_next_due(app: QwcApp) -> None:
    """None without syncs; else the wait for the soonest sync, 0 when one is due."""
    connection_id = _connection(app)

    def wait(now: datetime) -> int | None:
        with unit_of_work(app.session_factory) as db:
            connection = db.get(Connection, connection_id)
            assert connection is not None
            return schedule.seconds_until_next_due(db, connection, now)

    assert wait(NOON) is None
    with unit_of_work(app.session_factory) as db:
        schedule.add_sync(db, connection_id, "customers", 30)
        schedule.add_sync(db, connection_id, "items", 90)
        for definition in schedule.list_syncs(db, connection_id):
            definition.last_started_at = NOON
    assert wait(NOON + timedelta(minutes=10)) == 20 * 60
    assert wait(NOON + timedelta(minutes=31)) == 0
    # Queued work waiting for a retry delay counts from its delay.
    with unit_of_work(app.session_factory) as db:
        (job,) = schedule.sync_now(db, connection_id, "customers")
        job.not_before = NOON + timedelta(minutes=12)
        schedule.get_sync(db, connection_id, "items").requested_at = NOON
    assert wait(NOON + timedelta(minutes=10)) == 2 * 60


def test_a_later_sync_asks_only_what_its_type_can_tell(app: QwcApp) -> None:
    """Invoices: changes then deletions; transfers: changes only; templates: everything."""
    connection_id = _connection(app)
    mark = "2014-05-18T15:20:20-08:00"
    with unit_of_work(app.session_factory) as db:
        for name in ("invoices", "transfers", "templates", "bill_payment_credit_cards"):
            definition = schedule.add_sync(db, connection_id, name, 10)
            definition.watermark = definition.deleted_watermark = mark
        jobs = {load_payload(j)["type"]: j for j in schedule.sync_now(db, connection_id)}
        states = {name: SyncState.from_payload(load_payload(j)) for name, j in jobs.items()}
        units = {name: j.units_remaining for name, j in jobs.items()}
    assert (states["invoices"].modified_from, states["invoices"].deleted_from) == (mark, mark)
    assert states["invoices"].reads_deletions and units["invoices"] == 2
    assert (states["transfers"].modified_from, states["transfers"].deleted_from) == (mark, None)
    assert not states["transfers"].reads_deletions and units["transfers"] == 1
    assert (states["templates"].modified_from, states["templates"].deleted_from) == (None, None)
    assert units["templates"] == 1
    # The longest plurals fit the schedule's column on PostgreSQL too.
    assert states["bill_payment_credit_cards"].type.value == "bill_payment_credit_cards"
