"""Waiting for a job to finish: notified on PostgreSQL, polled on SQLite, never pinned."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import psycopg
import pytest
from psycopg import sql

from qwc_service.app import QwcApp
from qwc_service.db import unit_of_work
from qwc_service.queue import service as queue
from qwc_service.queue.models import JobStatus
from qwc_service.queue.notify import WAIT_LOCKS, channel
from qwc_service.queue.service import JobNotFound
from qwc_service.queue.waiting import wait_for_job
from tests.factories import enqueue, make_connection


def _later(delay: float, action: Callable[[], object]) -> threading.Thread:
    def run() -> None:
        time.sleep(delay)
        action()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _cancel(app: QwcApp, connection_id: str, job_id: int) -> Callable[[], object]:
    def cancel() -> None:
        with unit_of_work(app.session_factory) as db:
            queue.cancel_job(db, connection_id, job_id)

    return cancel


def _listener(app: QwcApp) -> psycopg.Connection[tuple[object, ...]]:
    args, kwargs = app.engine.dialect.create_connect_args(app.engine.url)
    return psycopg.connect(*args, **kwargs, autocommit=True)


@pytest.fixture
def pg_only(app: QwcApp) -> None:
    """Skip on SQLite: the test is about PostgreSQL's notifications."""
    if app.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")


def test_a_wait_ends_soon_after_the_job_finishes(app: QwcApp) -> None:
    """The finished job comes back well before the wait would end (and before a re-check)."""
    connection_id = make_connection(app)
    job_id = enqueue(app, connection_id)
    worker = _later(0.3, _cancel(app, connection_id, job_id))
    started = time.monotonic()
    job = wait_for_job(app.session_factory, connection_id, job_id, 20)
    elapsed = time.monotonic() - started
    worker.join()
    assert job.status == JobStatus.CANCELLED and job.completed_at is not None
    # Woken by the job, not by the end of the wait: far less than the 20 s asked for.
    assert 0.3 <= elapsed < 10


def test_a_wait_that_runs_out_returns_the_job_as_it_is(app: QwcApp) -> None:
    """Nothing finishes the job: after the wait it comes back queued."""
    connection_id = make_connection(app)
    job_id = enqueue(app, connection_id)
    started = time.monotonic()
    job = wait_for_job(app.session_factory, connection_id, job_id, 0.6)
    elapsed = time.monotonic() - started
    assert job.status == JobStatus.QUEUED
    assert elapsed >= 0.6


def test_a_finished_job_comes_back_at_once(app: QwcApp) -> None:
    """A job that already finished is returned without waiting."""
    connection_id = make_connection(app)
    job_id = enqueue(app, connection_id)
    _cancel(app, connection_id, job_id)()
    started = time.monotonic()
    assert wait_for_job(app.session_factory, connection_id, job_id, 20).status == "cancelled"
    assert time.monotonic() - started < 10


def test_waiting_for_a_job_of_another_connection_is_not_found(app: QwcApp) -> None:
    """The job must belong to the connection named."""
    mine, theirs = make_connection(app, "Mine"), make_connection(app, "Theirs")
    job_id = enqueue(app, theirs)
    with pytest.raises(JobNotFound):
        wait_for_job(app.session_factory, mine, job_id, 5)


def test_a_wait_holds_no_pooled_connection(app: QwcApp, pg_only: None) -> None:
    """Between checks every pooled connection is back in the pool."""
    connection_id = make_connection(app)
    job_id = enqueue(app, connection_id)
    samples: list[int] = []

    def sample() -> None:
        for _ in range(5):
            time.sleep(0.15)
            samples.append(app.engine.pool.checkedout())  # type: ignore[attr-defined]

    sampler = threading.Thread(target=sample)
    sampler.start()
    wait_for_job(app.session_factory, connection_id, job_id, 1.2)
    sampler.join()
    assert samples == [0] * 5


def test_only_a_waiting_job_is_announced(app: QwcApp, pg_only: None) -> None:
    """NOTIFY is sent for a job someone waits for (holding its lock), for no other."""
    connection_id = make_connection(app)
    unwatched, watched = enqueue(app, connection_id), enqueue(app, connection_id)
    with _listener(app) as bystander, _listener(app) as waiter:
        for job_id in (unwatched, watched):
            bystander.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel(job_id))))
        waiter.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel(watched))))
        waiter.execute("SELECT pg_advisory_lock_shared(%s, %s)", (WAIT_LOCKS, watched))
        _cancel(app, connection_id, unwatched)()
        _cancel(app, connection_id, watched)()
        heard = [n.channel for n in bystander.notifies(timeout=0.5)]
        told = [(n.channel, n.payload) for n in waiter.notifies(timeout=0.5, stop_after=1)]
    assert heard == [channel(watched)]
    assert told == [(channel(watched), "cancelled")]


def test_a_wait_begun_while_the_job_is_finishing_sees_the_commit(
    app: QwcApp, pg_only: None
) -> None:
    """A waiter arriving between the finishing flush and its commit learns of the commit."""
    connection_id = make_connection(app)
    job_id = enqueue(app, connection_id)
    result: list[str] = []
    with unit_of_work(app.session_factory) as db:
        queue.cancel_job(db, connection_id, job_id)  # flushed: the job's lock is taken
        waiter = threading.Thread(
            target=lambda: result.append(
                wait_for_job(app.session_factory, connection_id, job_id, 20).status
            )
        )
        waiter.start()
        time.sleep(0.5)
        assert waiter.is_alive()
    started = time.monotonic()
    waiter.join(10)
    assert result == ["cancelled"]
    assert time.monotonic() - started < 10


def test_a_lost_listener_falls_back_to_polling(app: QwcApp, pg_only: None) -> None:
    """When the database cuts the listening connection, the wait still ends on the job."""
    connection_id = make_connection(app)
    job_id = enqueue(app, connection_id)
    cut: list[object] = []

    def cut_listener_then_finish() -> None:
        with _listener(app) as admin:
            cut.extend(
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> "
                    "pg_backend_pid() AND query LIKE 'SELECT pg_advisory_lock_shared%'"
                ).fetchall()
            )
        time.sleep(0.2)
        _cancel(app, connection_id, job_id)()

    worker = _later(0.3, cut_listener_then_finish)
    started = time.monotonic()
    job = wait_for_job(app.session_factory, connection_id, job_id, 20)
    worker.join()
    assert cut == [(True,)]
    assert job.status == JobStatus.CANCELLED
    assert time.monotonic() - started < 10
