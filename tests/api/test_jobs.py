"""Jobs through the API: enqueue, read, list with filters and cursor, cancel, retry."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from tests.api.client import ApiClient
from tests.api.helpers import add_computer, create_connection, run_session
from tests.factories import customer_query


def customer_add(name: str) -> str:
    """A CustomerAddRq request set."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="13.0"?>\n'
        '<QBXML><QBXMLMsgsRq onError="stopOnError"><CustomerAddRq><CustomerAdd>'
        f"<Name>{escape(name)}</Name></CustomerAdd></CustomerAddRq></QBXMLMsgsRq></QBXML>"
    )


def _enqueue(client: ApiClient, connection_id: str, **body: Any) -> Any:
    body.setdefault("qbxml", customer_query())
    return client.post(f"/api/connections/{connection_id}/jobs", body)


def test_enqueue_get_and_deduplicate(client: ApiClient) -> None:
    """A queued job reads back with its request; the same dedup_key returns it with 200."""
    cid = create_connection(client)
    reply = _enqueue(client, cid, priority=5, dedup_key="nightly")
    assert reply.status == 201
    job = reply.data["job"]
    assert reply.data["deduplicated"] is False
    assert (job["status"], job["kind"], job["priority"]) == ("queued", "raw", 5)
    assert job["requests"] == ["CustomerQueryRq"] and job["response"] is None

    again = _enqueue(client, cid, dedup_key="nightly")
    assert again.status == 200 and again.data["deduplicated"] is True
    assert again.data["job"]["job_id"] == job["job_id"]

    read = client.get(f"/api/connections/{cid}/jobs/{job['job_id']}")
    assert read.status == 200 and read.data["request"] == customer_query()
    assert client.get(f"/api/connections/{cid}/jobs/999999").error["code"] == "job_not_found"


def test_jobs_of_another_connection_are_not_found(client: ApiClient) -> None:
    """A job id of one connection read through another connection is a 404."""
    one, two = create_connection(client, "One"), create_connection(client, "Two")
    job_id = _enqueue(client, one).data["job"]["job_id"]
    for path in (f"/jobs/{job_id}", f"/jobs/{job_id}/cancel"):
        method = "GET" if path.endswith(str(job_id)) else "POST"
        reply = client.request(method, f"/api/connections/{two}{path}")
        assert reply.status == 404 and reply.error["code"] == "job_not_found"
    assert client.get(f"/api/connections/{one}/jobs/{job_id}").data["status"] == "queued"


def test_list_filters_and_pages_with_a_cursor(client: ApiClient) -> None:
    """limit and after page through jobs in id order; status and kind filter them."""
    cid = create_connection(client)
    ids = [_enqueue(client, cid).data["job"]["job_id"] for _ in range(5)]
    client.post(f"/api/connections/{cid}/jobs/{ids[1]}/cancel")

    seen: list[int] = []
    after = None
    while True:
        page = client.get(f"/api/connections/{cid}/jobs", limit=2, after=after).data
        assert len(page["data"]) <= 2 and all("response" not in j for j in page["data"])
        seen += [j["job_id"] for j in page["data"]]
        after = page["next_after"]
        if after is None:
            break
    assert seen == ids

    cancelled = client.get(f"/api/connections/{cid}/jobs", status="cancelled").data["data"]
    assert [j["job_id"] for j in cancelled] == [ids[1]]
    assert client.get(f"/api/connections/{cid}/jobs", kind="sync").data["data"] == []
    assert len(client.get(f"/api/connections/{cid}/jobs", kind="raw").data["data"]) == 5
    later = client.get(f"/api/connections/{cid}/jobs", after=ids[2]).data
    assert [j["job_id"] for j in later["data"]] == ids[3:] and later["next_after"] is None


def test_cancel_fails_dependants_and_only_queued_jobs(client: ApiClient) -> None:
    """Cancelling a queued job fails the job that depends on it; a second cancel is a 409."""
    cid = create_connection(client)
    first = _enqueue(client, cid).data["job"]["job_id"]
    second = _enqueue(client, cid, depends_on=first).data["job"]
    assert second["depends_on"] == first

    reply = client.post(f"/api/connections/{cid}/jobs/{first}/cancel")
    assert reply.status == 200 and reply.data["status"] == "cancelled"
    dependant = client.get(f"/api/connections/{cid}/jobs/{second['job_id']}").data
    assert dependant["status"] == "error" and str(first) in dependant["error"]

    again = client.post(f"/api/connections/{cid}/jobs/{first}/cancel")
    assert again.status == 409 and again.error["code"] == "job_not_cancellable"


def test_depends_on_must_name_a_job_of_the_connection(client: ApiClient) -> None:
    """An unknown depends_on is a 400 naming the field."""
    cid = create_connection(client)
    reply = _enqueue(client, cid, depends_on=424242)
    assert reply.status == 400 and reply.error["field"] == "depends_on"


def test_jobs_run_by_the_web_connector_and_retried(client: ApiClient, server: Any) -> None:
    """One job is answered, one fails with an explanation; the failed one is retried as a copy."""
    cid = create_connection(client)
    computer = add_computer(client, cid, "PC")
    company = generate_company(customers=3, invoices=0, payments=0)
    taken = next(iter(company.customers.values())).name
    ok = _enqueue(client, cid).data["job"]["job_id"]
    bad = _enqueue(client, cid, qbxml=customer_add(taken), priority=-1).data["job"]["job_id"]

    result = run_session(server, computer, FakeQuickBooks(company))
    assert result.outcome == "completed", result.last_error

    done = client.get(f"/api/connections/{cid}/jobs/{ok}").data
    assert done["status"] == "done" and "<CustomerRet>" in done["response"]
    assert done["status_code"] == 0 and done["error"] is None
    failed = client.get(f"/api/connections/{cid}/jobs/{bad}").data
    assert failed["status"] == "error" and failed["status_code"] == 3100
    assert "already in use" in failed["error"] and failed["response"]

    not_again = client.post(f"/api/connections/{cid}/jobs/{ok}/retry")
    assert not_again.status == 409 and not_again.error["code"] == "job_not_retryable"
    retried = client.post(f"/api/connections/{cid}/jobs/{bad}/retry")
    assert retried.status == 201
    copy = retried.data["job"]
    assert copy["job_id"] not in (ok, bad) and copy["status"] == "queued"
    assert (copy["request"], copy["priority"]) == (failed["request"], failed["priority"])
    assert client.get(f"/api/connections/{cid}/jobs/{bad}").data["status"] == "error"


def test_retry_of_a_cancelled_job_with_a_new_dependency(client: ApiClient) -> None:
    """A cancelled job's copy may wait for another job; an unknown one is a 400."""
    cid = create_connection(client)
    first = _enqueue(client, cid).data["job"]["job_id"]
    second = _enqueue(client, cid).data["job"]["job_id"]
    client.post(f"/api/connections/{cid}/jobs/{second}/cancel")
    reply = client.post(f"/api/connections/{cid}/jobs/{second}/retry", {"depends_on": first})
    assert reply.status == 201 and reply.data["job"]["depends_on"] == first
    unknown = client.post(f"/api/connections/{cid}/jobs/{second}/retry", {"depends_on": 99999})
    assert unknown.status == 400 and unknown.error["field"] == "depends_on"
    missing = client.post(f"/api/connections/{cid}/jobs/99999/retry", {"depends_on": first})
    assert missing.status == 404 and missing.error["code"] == "job_not_found"
