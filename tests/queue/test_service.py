"""The queue: validation, order, de-duplication, leases and concurrent claims."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from qwc_service.app import QwcApp, create_app
from qwc_service.clock import utcnow
from qwc_service.db import unit_of_work
from qwc_service.qbxml.errors import QbxmlError
from qwc_service.queue import service as queue
from qwc_service.queue.models import Job
from tests.factories import (
    customer_query,
    enqueue,
    make_connection,
    make_test_settings,
    open_session,
)


def test_enqueue_refuses_what_is_not_qbxml(app: QwcApp) -> None:
    """Malformed XML, a non-qbXML document or a DTD is refused and nothing is stored."""
    connection_id = make_connection(app)
    bad = [
        "not xml at all",
        "<QBXML><QBXMLMsgsRq onError='stopOnError'><CustomerQueryRq>",
        "<Other/>",
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><QBXML>&e;</QBXML>',
    ]
    for text in bad:
        with pytest.raises(QbxmlError), unit_of_work(app.session_factory) as db:
            queue.enqueue(db, connection_id, text)
    with unit_of_work(app.session_factory) as db:
        assert db.query(Job).count() == 0


def test_claim_order_is_priority_then_fifo(app: QwcApp) -> None:
    """Higher priority first; within a priority, first in first out."""
    connection_id = make_connection(app)
    a = enqueue(app, connection_id, priority=0)
    b = enqueue(app, connection_id, priority=5)
    c = enqueue(app, connection_id, priority=0)
    d = enqueue(app, connection_id, priority=5)
    order = []
    until = utcnow() + timedelta(minutes=5)
    session_id = open_session(app, connection_id)
    with unit_of_work(app.session_factory) as db:
        while (job := queue.claim_next(db, connection_id, session_id, until)) is not None:
            order.append(job.id)
            db.flush()
    assert order == [b, d, a, c]


def test_dedup_key_returns_the_queued_job(app: QwcApp) -> None:
    """A second enqueue with the same key while the first is queued creates nothing."""
    connection_id = make_connection(app)
    with unit_of_work(app.session_factory) as db:
        first = queue.enqueue(db, connection_id, customer_query(), dedup_key="nightly")
        again = queue.enqueue(db, connection_id, customer_query(3), dedup_key="nightly")
        other = queue.enqueue(db, connection_id, customer_query(), dedup_key="other")
        assert again.deduplicated and again.job.id == first.job.id
        assert not other.deduplicated
        assert len(queue.list_jobs(db, connection_id)) == 2


def test_jobs_of_other_connections_are_never_claimed(app: QwcApp) -> None:
    """A claim only sees its own connection's jobs."""
    mine, theirs = make_connection(app, "Mine"), make_connection(app, "Theirs")
    enqueue(app, theirs)
    with unit_of_work(app.session_factory) as db:
        assert queue.claim_next(db, mine, open_session(app, mine), utcnow()) is None


def _handed_out(app: QwcApp, lease: timedelta) -> tuple[str, int]:
    """A connection whose one job is held by a session, its lease ending ``lease`` from now."""
    connection_id = make_connection(app)
    job_id = enqueue(app, connection_id)
    session_id = open_session(app, connection_id)
    with unit_of_work(app.session_factory) as db:
        queue.claim_next(db, connection_id, session_id, utcnow() + lease)
    return connection_id, job_id


def test_expired_lease_returns_job_to_queue(app: QwcApp) -> None:
    """A job whose lease ran out goes back to queued and keeps its attempt count."""
    connection_id, job_id = _handed_out(app, timedelta(seconds=-1))
    with unit_of_work(app.session_factory) as db:
        assert queue.release_expired(db, connection_id, utcnow()) == 1
        job = queue.get_job(db, connection_id, job_id)
        assert job.status == "queued" and job.attempts == 1


def test_take_stock_of_an_empty_queue_writes_nothing(app: QwcApp) -> None:
    """No work and no lapsed lease: no work, and no job is touched."""
    connection_id, job_id = _handed_out(app, timedelta(minutes=5))
    with unit_of_work(app.session_factory) as db:
        assert queue.take_stock(db, connection_id, utcnow()) is False
        assert queue.get_job(db, connection_id, job_id).status == "sent"


def test_take_stock_puts_lapsed_leases_back_and_finds_them(app: QwcApp) -> None:
    """A job whose lease ran out is queued again, and is work for the next session."""
    connection_id, job_id = _handed_out(app, timedelta(seconds=-1))
    with unit_of_work(app.session_factory) as db:
        assert queue.take_stock(db, connection_id, utcnow()) is True
        assert queue.get_job(db, connection_id, job_id).status == "queued"


def test_concurrent_claims_never_share_a_job(pg_url: str, tmp_path: object) -> None:
    """On PostgreSQL, eight threads claiming at once each get different jobs."""
    settings = make_test_settings(pg_url, tmp_path).with_overrides(db_pool_size=8)  # type: ignore[arg-type]
    app = create_app(settings)
    connection_id = make_connection(app)
    jobs = {enqueue(app, connection_id) for _ in range(200)}
    session_id = open_session(app, connection_id)
    claimed: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        while True:
            with unit_of_work(app.session_factory) as db:
                until = utcnow() + timedelta(minutes=5)
                job = queue.claim_next(db, connection_id, session_id, until)
                if job is None:
                    return
                with lock:
                    claimed.append(job.id)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    app.engine.dispose()
    print(f"claimed {len(claimed)} of {len(jobs)} jobs with 8 threads")
    assert sorted(claimed) == sorted(jobs)


def test_pinned_job_belongs_to_its_session_until_that_session_ends(app: QwcApp) -> None:
    """An iterator's next page goes only to the session that opened it, while it lives."""
    from qwc_service.qbwc.operations import end_session
    from qwc_service.sessions.models import WcSession

    connection_id = make_connection(app)
    job_id = enqueue(app, connection_id)
    owner, other = open_session(app, connection_id), open_session(app, connection_id)
    until = utcnow() + timedelta(minutes=5)
    with unit_of_work(app.session_factory) as db:
        queue.get_job(db, connection_id, job_id).pinned_session_id = owner
    with unit_of_work(app.session_factory) as db:
        assert queue.claim_next(db, connection_id, other, until) is None
        job = queue.claim_next(db, connection_id, owner, until)
        assert job is not None and job.id == job_id
        # Handed out and not answered: back to its owner, still pinned.
        queue.release_session_jobs(db, owner, ended=False)
    with unit_of_work(app.session_factory) as db:
        assert queue.claim_next(db, connection_id, other, until) is None
        wc = db.get(WcSession, owner)
        assert wc is not None
        end_session(db, wc, now=utcnow(), reason="closed")
    with unit_of_work(app.session_factory) as db:
        job = queue.claim_next(db, connection_id, other, until)
        assert job is not None and job.id == job_id


def test_units_remaining_counts_this_unit_of_works_unflushed_changes(app: QwcApp) -> None:
    """The answered job, its failed dependants and jobs just added count as they now stand."""
    connection_id = make_connection(app)
    first = enqueue(app, connection_id)
    enqueue(app, connection_id, depends_on=first)
    enqueue(app, connection_id)
    until = utcnow() + timedelta(minutes=5)
    session_id = open_session(app, connection_id)
    now = utcnow()
    with unit_of_work(app.session_factory) as db:
        job = queue.claim_next(db, connection_id, session_id, until, now)
        assert job is not None and job.id == first
        db.flush()
        # The answered job continues in this session with three round trips to go.
        job.status, job.session_id, job.pinned_session_id = "queued", None, session_id
        job.units_remaining = 3
        assert queue.units_remaining(db, connection_id, session_id, now) == 4
        # The job fails instead: its dependant fails with it, unflushed.
        job.status, job.units_remaining, job.pinned_session_id = "error", 0, None
        assert queue.fail_dependants(db, job, now) == 1
        assert queue.units_remaining(db, connection_id, session_id, now) == 1
        # A job added in the same unit of work, not yet flushed, is counted too.
        db.add(
            Job(
                connection_id=connection_id,
                qbxml=customer_query(),
                priority=0,
                request_names="CustomerQueryRq",
                status="queued",
                kind="raw",
            )
        )
        assert queue.units_remaining(db, connection_id, session_id, now) == 2
