"""Reading or queuing a job with ``wait``: its bounds, its answers and the limit on waits."""

from __future__ import annotations

import threading
import time
from typing import Any

from qwc_service.api.app import ApiApp
from qwc_service.app import QwcApp
from qwc_service.config import Settings
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from tests.api.client import ApiClient, Reply
from tests.api.helpers import add_computer, create_connection, run_session
from tests.factories import customer_query


def _jobs(connection_id: str) -> str:
    return f"/api/connections/{connection_id}/jobs"


def _enqueue(client: ApiClient, connection_id: str, wait: Any = None, **body: Any) -> Reply:
    body.setdefault("qbxml", customer_query())
    query = {} if wait is None else {"wait": wait}
    return client.request("POST", _jobs(connection_id), query=query, json_body=body)


def test_wait_out_of_bounds_is_a_400_naming_it(client: ApiClient) -> None:
    """wait above 60, below 0 or not a number is refused, naming wait; nothing is queued."""
    cid = create_connection(client)
    job_id = _enqueue(client, cid).data["job"]["job_id"]
    for wait, message in ((61, "at most 60"), (-1, "at least 0"), ("soon", "integer")):
        for reply in (
            _enqueue(client, cid, wait=wait),
            client.get(f"{_jobs(cid)}/{job_id}", wait=wait),
        ):
            assert reply.status == 400
            assert reply.error["field"] == "wait" and message in reply.error["message"]
    assert [j["job_id"] for j in client.get(_jobs(cid)).data["data"]] == [job_id]


def test_no_wait_and_wait_zero_answer_at_once(client: ApiClient) -> None:
    """Without wait, or with 0, the queued job is the answer, as before wait existed."""
    cid = create_connection(client)
    started = time.monotonic()
    queued = _enqueue(client, cid)
    zero = _enqueue(client, cid, wait=0)
    read = client.get(f"{_jobs(cid)}/{queued.data['job']['job_id']}", wait=0)
    assert time.monotonic() - started < 10
    assert (queued.status, zero.status, read.status) == (201, 201, 200)
    assert queued.data["job"]["status"] == zero.data["job"]["status"] == "queued"
    assert read.data["status"] == "queued"


def test_a_wait_that_runs_out_answers_with_the_queued_job(client: ApiClient) -> None:
    """Nothing runs the job: after about the wait, the job comes back still queued."""
    cid = create_connection(client)
    job_id = _enqueue(client, cid).data["job"]["job_id"]
    started = time.monotonic()
    reply = client.get(f"{_jobs(cid)}/{job_id}", wait=1)
    elapsed = time.monotonic() - started
    assert reply.status == 200 and reply.data["status"] == "queued"
    assert elapsed >= 1.0


def test_a_deduplicated_enqueue_waits_for_the_queued_job(client: ApiClient) -> None:
    """An enqueue answered by the queued job with its dedup_key waits for that job."""
    cid = create_connection(client)
    first = _enqueue(client, cid, dedup_key="nightly").data["job"]
    started = time.monotonic()
    again = _enqueue(client, cid, wait=1, dedup_key="nightly")
    assert time.monotonic() - started >= 1.0
    assert again.status == 200 and again.data["deduplicated"] is True
    assert again.data["job"]["job_id"] == first["job_id"]


def test_a_finished_job_is_answered_without_waiting(client: ApiClient) -> None:
    """A cancelled job read with wait=60 comes back at once."""
    cid = create_connection(client)
    job_id = _enqueue(client, cid).data["job"]["job_id"]
    assert client.post(f"{_jobs(cid)}/{job_id}/cancel").status == 200
    started = time.monotonic()
    reply = client.get(f"{_jobs(cid)}/{job_id}", wait=60)
    # Far less than the 60 s asked for: the finished job is not waited on.
    assert time.monotonic() - started < 30
    assert reply.data["status"] == "cancelled"


def test_an_enqueue_with_wait_answers_when_the_web_connector_is_done(
    client: ApiClient, server: Any
) -> None:
    """The reply to an enqueue with wait carries the done job and QuickBooks' response."""
    cid = create_connection(client)
    computer = add_computer(client, cid, "Front office PC")
    quickbooks = FakeQuickBooks(generate_company(customers=5))
    session = threading.Timer(0.3, run_session, (server, computer, quickbooks))
    session.start()
    reply = _enqueue(client, cid, wait=30)
    session.join()
    assert reply.status == 201
    job = reply.data["job"]
    assert job["status"] == "done" and "<CustomerRet>" in job["response"]


def test_every_slot_taken_is_a_429_that_queues_nothing(client: ApiClient, api_app: ApiApp) -> None:
    """With every wait slot held, wait gets 429 with Retry-After; a plain read still works."""
    cid = create_connection(client)
    job_id = _enqueue(client, cid).data["job"]["job_id"]
    assert api_app.waits.capacity == 1
    with api_app.waits.hold(30):
        refused = [
            _enqueue(client, cid, wait=5),
            client.get(f"{_jobs(cid)}/{job_id}", wait=5),
        ]
        plain = client.get(f"{_jobs(cid)}/{job_id}")
    for reply in refused:
        assert reply.status == 429
        assert reply.error["code"] == "too_many_waits" and reply.error["field"] == "wait"
        assert 29 <= int(reply.headers["retry-after"]) <= 30
    assert plain.status == 200
    assert [j["job_id"] for j in client.get(_jobs(cid)).data["data"]] == [job_id]
    assert api_app.waits.held == 0
    assert client.get(f"{_jobs(cid)}/{job_id}", wait=1).status == 200


def test_the_document_declares_wait_and_the_429(anonymous: ApiClient) -> None:
    """Both job operations take wait (0 to 60) and may answer 429 with Retry-After."""
    paths = anonymous.get("/api/openapi.json").data["paths"]
    jobs = "/api/connections/{connection_id}/jobs"
    for operation in (paths[jobs]["post"], paths[jobs + "/{job_id}"]["get"]):
        wait = next(p for p in operation["parameters"] if p["name"] == "wait")
        assert wait["in"] == "query" and not wait["required"]
        assert {k: wait["schema"][k] for k in ("type", "minimum", "maximum", "default")} == {
            "type": "integer",
            "minimum": 0,
            "maximum": 60,
            "default": 0,
        }
        too_many = operation["responses"]["429"]
        assert too_many["headers"]["Retry-After"]["schema"]["type"] == "integer"


def test_waits_per_worker_are_a_quarter_of_the_threads_unless_set(app: QwcApp) -> None:
    """By default a quarter of the threads (at least 1) may wait; the setting overrides."""
    assert [Settings().waits_per_worker(t) for t in (1, 2, 4, 7, 8, 16)] == [1, 1, 1, 1, 2, 4]
    assert Settings(max_waits_per_worker=3).waits_per_worker(16) == 3
    app.fit_to_threads(16)
    api = app.mounted("/api")
    assert isinstance(api, ApiApp) and api.waits.capacity == 4
