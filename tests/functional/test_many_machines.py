"""Many machines of one connection, and two servers on one database, over real HTTP."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from qwc_service.app import QwcApp, create_app
from qwc_service.config import Settings
from qwc_service.db import unit_of_work
from qwc_service.queue import service as queue
from qwc_service.serving import ServerProcess, free_port
from qwc_service.simulator.connector import WebConnector
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.qwcfile import read_qwc
from qwc_service.sync import schedule
from tests.factories import (
    MachineCredentials,
    customer_query,
    enqueue,
    make_connection,
    make_machine,
    make_test_settings,
)
from tests.functional.balancer import RandomServerTransport
from tests.records.compare import assert_customers_match, assert_invoices_match

pytestmark = pytest.mark.gunicorn


@pytest.fixture
def pg_settings(pg_url: str, tmp_path: Path) -> Settings:
    """Settings on a fresh PostgreSQL database, with .qwc files pointing at a free port."""
    port = free_port()
    return make_test_settings(pg_url, tmp_path / "files").with_overrides(
        public_url=f"http://localhost:{port}"
    )


@pytest.fixture
def pg_server(pg_settings: Settings, tmp_path: Path) -> Iterator[ServerProcess]:
    """gunicorn on the PostgreSQL database."""
    port = int(pg_settings.public_url.rsplit(":", 1)[1])
    with ServerProcess(pg_settings, port=port, log_path=tmp_path / "gunicorn.log") as server:
        yield server


def _connector(
    machine: MachineCredentials, quickbooks: FakeQuickBooks, **kwargs: object
) -> WebConnector:
    assert machine.qwc_path is not None
    return WebConnector(
        read_qwc(machine.qwc_path),
        machine.password,
        quickbooks,
        machine_name=machine.username[-8:].upper(),
        noop_wait_seconds=0,
        **kwargs,  # type: ignore[arg-type]
    )


def _delivered(quickbooks: FakeQuickBooks) -> Counter[int]:
    return Counter(int(rid.split("-")[0]) for rid in quickbooks.request_log if rid)


def test_machines_of_one_connection_never_share_the_queue(
    pg_server: ServerProcess, pg_settings: Settings
) -> None:
    """Six machines hammer one connection as jobs arrive: each job runs once, in order."""
    app = create_app(pg_settings)
    connection_id = make_connection(app)
    machines = [make_machine(app, connection_id, f"PC {n}") for n in range(6)]
    quickbooks = FakeQuickBooks(generate_company(customers=30))
    rng = random.Random(7)
    initial = [
        enqueue(app, connection_id, customer_query(5), priority=rng.randrange(4)) for _ in range(40)
    ]
    produced: list[int] = list(initial)
    stop = threading.Event()
    outcomes: Counter[str] = Counter()
    winners: set[str] = set()
    errors: list[BaseException] = []
    lock = threading.Lock()

    def drained() -> bool:
        with unit_of_work(app.session_factory) as db:
            return all(j.status == "done" for j in queue.list_jobs(db, connection_id))

    def produce() -> None:
        # Bursts, each after the queue drained, so sessions end and other machines get a turn.
        for _ in range(6):
            while not drained() and not stop.is_set():
                stop.wait(0.05)
            for _ in range(10):
                job = enqueue(app, connection_id, customer_query(3), priority=rng.randrange(4))
                with lock:
                    produced.append(job)

    def machine_loop(machine: MachineCredentials) -> None:
        connector = _connector(machine, quickbooks)
        connector.add_application()
        try:
            for _ in range(300):
                if stop.is_set():
                    return
                result = connector.run_session()
                with lock:
                    outcomes[result.outcome] += 1
                    if result.outcome == "completed":
                        winners.add(machine.username)
                # The real Web Connector waits for its next scheduled run; a machine that just
                # finished waits longest, as its schedule restarts.
                stop.wait(0.5 if result.outcome == "completed" else 0.05)
        except BaseException as exc:  # surfaced below; a thread must not die silently
            errors.append(exc)

    producer = threading.Thread(target=produce)
    threads = [threading.Thread(target=machine_loop, args=(m,)) for m in machines]
    producer.start()
    for thread in threads:
        thread.start()
    producer.join()
    for _ in range(600):
        if drained():
            break
        stop.wait(0.1)
    stop.set()
    for thread in threads:
        thread.join()
    assert not errors, errors

    delivered = _delivered(quickbooks)
    with unit_of_work(app.session_factory) as db:
        jobs = queue.list_jobs(db, connection_id)
    lost = [j.id for j in jobs if j.status != "done"]
    duplicated = [job for job, n in delivered.items() if n > 1]
    print(
        f"6 machines, {sum(outcomes.values())} sessions {dict(outcomes)}, "
        f"{len(winners)} machines did work; "
        f"{len(produced)} jobs: lost {len(lost)}, duplicated {len(duplicated)}"
    )
    assert lost == [] and duplicated == []
    assert len(winners) >= 2
    assert sorted(delivered) == sorted(produced)
    assert all(j.attempts == 1 for j in jobs)
    # The jobs queued before any machine started were handed out in priority/FIFO order.
    order = {
        job_id: n
        for n, job_id in enumerate(int(rid.split("-")[0]) for rid in quickbooks.request_log if rid)
    }
    by_claim = sorted((j for j in jobs if j.id in set(initial)), key=lambda j: order[j.id])
    assert [j.id for j in by_claim] == [
        j.id for j in sorted(by_claim, key=lambda j: (-j.priority, j.id))
    ]
    app.engine.dispose()


def test_two_servers_behave_as_one(pg_settings: Settings, tmp_path: Path) -> None:
    """Calls alternate at random between two servers, mid-iterator too: nothing lost or repeated.

    The stored records equal the company's field by field, which is what a run against a
    single server stores.
    """
    port = int(pg_settings.public_url.rsplit(":", 1)[1])
    first = ServerProcess(pg_settings, port=port, log_path=tmp_path / "a.log")
    second = ServerProcess(pg_settings, log_path=tmp_path / "b.log")
    with first, second:
        app: QwcApp = create_app(pg_settings)
        connections = [make_connection(app, f"Customer {n}") for n in range(3)]
        machines = [make_machine(app, cid) for cid in connections]
        jobs = {
            cid: [enqueue(app, cid, customer_query(4)) for _ in range(10)] for cid in connections
        }
        with unit_of_work(app.session_factory) as db:
            for cid in connections:
                for record_type in ("customers", "invoices"):
                    schedule.add_sync(db, cid, record_type, 15, max_returned=20)
        companies = [
            generate_company(name=f"Company {n}", customers=90, invoices=70, seed=n)
            for n in range(3)
        ]
        fakes = [FakeQuickBooks(company) for company in companies]
        balancer = RandomServerTransport([first.url, second.url], seed=3)
        for machine, quickbooks in zip(machines, fakes, strict=True):
            connector = _connector(machine, quickbooks, http=balancer)
            connector.add_application()
            result = connector.run_session()
            assert result.outcome == "completed", result
        with unit_of_work(app.session_factory) as db:
            for cid, company in zip(connections, companies, strict=True):
                raw = {j.id: j.status for j in queue.list_jobs(db, cid) if j.kind == "raw"}
                assert raw == {job_id: "done" for job_id in jobs[cid]}
                assert_customers_match(db, cid, company)
                assert_invoices_match(db, cid, company)
        for quickbooks, cid in zip(fakes, connections, strict=True):
            raw_delivered = Counter(
                rid for rid in quickbooks.request_log if rid and int(rid.split("-")[0]) in jobs[cid]
            )
            assert sorted(int(r.split("-")[0]) for r in raw_delivered) == sorted(jobs[cid])
            assert all(n == 1 for n in raw_delivered.values())
        print(
            f"calls per server: {balancer.calls_per_server}; 30 jobs and 6 iterator syncs: "
            "lost 0, duplicated 0, records equal to the companies'"
        )
        assert min(balancer.calls_per_server) > 20
        app.engine.dispose()
