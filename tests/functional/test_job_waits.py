"""Waiting for a job over real HTTP to gunicorn, while the simulated Web Connector runs it."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from qwc_service.app import QwcApp, create_app
from qwc_service.config import Settings
from qwc_service.db import unit_of_work
from qwc_service.serving import ServerProcess
from qwc_service.simulator.connector import SessionResult, WebConnector
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.qwcfile import read_qwc
from qwc_service.tokens.service import create_token
from tests.factories import customer_query, enqueue, make_connection, make_machine

pytestmark = pytest.mark.gunicorn


@dataclass(frozen=True)
class Answer:
    """One API reply: status, headers and the JSON body, and when it was read."""

    status: int
    headers: dict[str, str]
    data: Any
    at: datetime


class Api:
    """A bearer-token client of one server's JSON API over HTTP."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token

    def call(self, method: str, path: str, body: Any = None) -> Answer:
        """Send one request and read the whole reply."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        request = urllib.request.Request(self.url + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=90) as reply:
                status, raw, head = reply.status, reply.read(), dict(reply.headers)
        except urllib.error.HTTPError as error:
            status, raw, head = error.code, error.read(), dict(error.headers)
        return Answer(status, {k.lower(): v for k, v in head.items()}, json.loads(raw), _now())


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Site:
    """A running server, the app on its settings (for setting up data) and an API client."""

    server: ServerProcess
    app: QwcApp
    api: Api

    def machine_session(self, connection_id: str) -> Callable[[], SessionResult]:
        """A simulated Web Connector, added to a new machine, ready to run one session."""
        machine = make_machine(self.app, connection_id)
        assert machine.qwc_path is not None
        quickbooks = FakeQuickBooks(generate_company(customers=5))
        connector = WebConnector(read_qwc(machine.qwc_path), machine.password, quickbooks)
        connector.add_application()
        return connector.run_session


@contextmanager
def _site(settings: Settings, tmp_path: Path, *, workers: int, threads: int) -> Iterator[Site]:
    process = ServerProcess(
        settings, workers=workers, threads=threads, log_path=tmp_path / "gunicorn.log"
    )
    process.settings = settings.with_overrides(public_url=f"http://localhost:{process.port}")
    with process:
        app = create_app(process.settings)
        with unit_of_work(app.session_factory) as db:
            token = create_token(db, "waits").secret
        try:
            yield Site(process, app, Api(process.url, token))
        finally:
            app.engine.dispose()


@pytest.fixture
def site(settings: Settings, tmp_path: Path) -> Iterator[Site]:
    """gunicorn as the other functional tests run it: 2 workers of 4 threads (1 wait each)."""
    with _site(settings, tmp_path, workers=2, threads=4) as running:
        yield running


def _jobs(connection_id: str) -> str:
    return f"/api/connections/{connection_id}/jobs"


def _in_background(delay: float, work: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run ``work`` after ``delay`` seconds in a thread; its result lands in the list."""
    results: list[Any] = []

    def run() -> None:
        time.sleep(delay)
        results.append(work())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, results


def _finished_within(answer: Answer, job: dict[str, Any], bound: timedelta) -> None:
    completed = datetime.fromisoformat(job["completed_at"])
    assert timedelta(0) <= answer.at - completed < bound, (answer.at, completed)


def test_an_enqueue_with_wait_answers_soon_after_the_response(site: Site) -> None:
    """The enqueue's reply is the done job, read within a second and a half of its response."""
    cid = make_connection(site.app)
    session, outcomes = _in_background(1.0, site.machine_session(cid))
    started = time.monotonic()
    answer = site.api.call("POST", _jobs(cid) + "?wait=30", {"qbxml": customer_query()})
    session.join()
    assert [o.outcome for o in outcomes] == ["completed"]
    assert answer.status == 201 and answer.data["deduplicated"] is False
    job = answer.data["job"]
    assert job["status"] == "done" and "<CustomerRet>" in job["response"]
    assert time.monotonic() - started >= 1.0
    _finished_within(answer, job, timedelta(seconds=1.5))


def test_a_read_with_wait_answers_soon_after_the_response(site: Site) -> None:
    """A job read with wait comes back done within a second and a half of its response."""
    cid = make_connection(site.app)
    job_id = enqueue(site.app, cid)
    session, outcomes = _in_background(1.0, site.machine_session(cid))
    answer = site.api.call("GET", f"{_jobs(cid)}/{job_id}?wait=30")
    session.join()
    assert [o.outcome for o in outcomes] == ["completed"]
    assert answer.status == 200 and answer.data["status"] == "done"
    _finished_within(answer, answer.data, timedelta(seconds=1.5))


def test_without_wait_at_once_and_a_wait_that_runs_out(site: Site) -> None:
    """No wait and wait=0 answer at once; wait=2 answers the queued job after about 2 s."""
    cid = make_connection(site.app)
    started = time.monotonic()
    plain = site.api.call("POST", _jobs(cid), {"qbxml": customer_query()})
    job_id = plain.data["job"]["job_id"]
    zero = site.api.call("GET", f"{_jobs(cid)}/{job_id}?wait=0")
    assert time.monotonic() - started < 1.0
    assert (plain.status, zero.status) == (201, 200)
    assert plain.data["job"]["status"] == zero.data["status"] == "queued"
    started = time.monotonic()
    waited = site.api.call("GET", f"{_jobs(cid)}/{job_id}?wait=2")
    assert 2.0 <= time.monotonic() - started < 3.5
    assert waited.status == 200 and waited.data["status"] == "queued"
    too_long = site.api.call("POST", _jobs(cid) + "?wait=61", {"qbxml": customer_query()})
    assert too_long.status == 400 and too_long.data["error"]["field"] == "wait"
    assert len(site.api.call("GET", _jobs(cid)).data["data"]) == 1


def _hold_waits(site: Site, path: str, count: int) -> list[tuple[threading.Thread, list[Any]]]:
    """``count`` requests waiting on ``path``, each retrying until a slot takes it."""

    def wait() -> Answer:
        deadline = time.monotonic() + 15
        while True:
            answer = site.api.call("GET", path)
            if answer.status != 429 or time.monotonic() > deadline:
                return answer
            time.sleep(0.1)

    return [_in_background(0, wait) for _ in range(count)]


def _refused(site: Site, path: str) -> Answer:
    """The first 429 a probe (a short wait) gets once every slot is held."""
    time.sleep(0.3)  # the holders' requests go first
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        answer = site.api.call("GET", path)
        if answer.status == 429:
            return answer
    raise AssertionError("every wait was accepted")


def test_over_the_limit_is_a_429_and_the_web_connector_still_runs(
    settings: Settings, tmp_path: Path
) -> None:
    """With 3 of 4 threads waiting, the next wait gets 429 and a whole session still runs."""
    limited = settings.with_overrides(max_waits_per_worker=3)
    with _site(limited, tmp_path, workers=1, threads=4) as site:
        cid = make_connection(site.app)
        job = f"{_jobs(cid)}/{enqueue(site.app, cid)}"
        run_session = site.machine_session(cid)
        holders = _hold_waits(site, job + "?wait=30", 3)
        refused = _refused(site, job + "?wait=1")
        assert refused.data["error"]["code"] == "too_many_waits"
        assert refused.data["error"]["field"] == "wait"
        assert 1 <= int(refused.headers["retry-after"]) <= 30
        started = time.monotonic()
        assert run_session().outcome == "completed"
        assert time.monotonic() - started < 10
        for thread, answers in holders:
            thread.join(30)
            assert [(a.status, a.data["status"]) for a in answers] == [(200, "done")]


def test_by_default_a_quarter_of_the_worker_threads_may_wait(
    settings: Settings, tmp_path: Path
) -> None:
    """A worker of 8 threads (gunicorn's --threads) lets 2 requests wait, not the default 1."""
    with _site(settings, tmp_path, workers=1, threads=8) as site:
        cid = make_connection(site.app)
        job = f"{_jobs(cid)}/{enqueue(site.app, cid)}"
        holders = _hold_waits(site, job + "?wait=4", 2)
        assert _refused(site, job + "?wait=1").status == 429
        for thread, answers in holders:
            thread.join(30)
            assert [(a.status, a.data["status"]) for a in answers] == [(200, "queued")]
