"""Sync schedules and jobs through the admin pages: add, pause, run now; filter, cancel, retry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qwc_service.admin import pages_jobs
from qwc_service.app import QwcApp
from qwc_service.clock import utcnow
from qwc_service.db import unit_of_work
from qwc_service.qbwc.handlers.raw import complete
from qwc_service.qbwc.jobs import JobContext
from qwc_service.qbwc.kinds import JOB_KINDS
from qwc_service.queue import service as queue
from qwc_service.queue.models import JobKind, JobStatus
from qwc_service.sync import schedule
from tests.admin.browser import Browser, Page
from tests.admin.helpers import create_connection
from tests.factories import customer_response, enqueue, open_session


def _schedule_row(page: Page, record_type: str) -> list[str]:
    rows = page.element("schedule-list").xpath(f".//tr[@data-type='{record_type}']")
    return [" ".join(td.text_content().split()) for td in rows[0].findall("td")]


def _job_rows(page: Page) -> dict[int, list[str]]:
    rows = page.element("jobs").xpath(".//tbody/tr")
    return {
        int(row.get("data-job-id")): [
            " ".join(td.text_content().split()) for td in row.findall("td")
        ]
        for row in rows
    }


def _fail_job(app: QwcApp, connection_id: str, job_id: int) -> None:
    """Hand the connection's next job to a session and answer it with statusCode 3100."""
    session_id = open_session(app, connection_id)
    with unit_of_work(app.session_factory) as db:
        now = utcnow()
        job = queue.claim_next(db, connection_id, session_id, now + timedelta(minutes=5))
        assert job is not None and job.id == job_id
        ctx = JobContext(db, session_id, "13.0", now)
        complete(ctx, job, customer_response(job.request_id, status=3100), "", "")
        assert job.status == JobStatus.ERROR


def test_add_pause_and_resume_a_schedule(app: QwcApp, signed_in: Browser) -> None:
    """A schedule added through the form is listed; pausing shows until when, resuming clears it."""
    connection_id = create_connection(signed_in)
    base = f"/admin/connections/{connection_id}"
    signed_in.get(base)
    added = signed_in.post(
        base + "/schedules", {"type": "invoices", "every_minutes": "30", "window": "19:00-07:00"}
    )
    assert added.location == base + "#schedules"
    row = _schedule_row(signed_in.follow(added), "invoices")
    assert row[1] == "30 min" and row[2].startswith("19:00-07:00") and row[3] == "—"

    paused = signed_in.follow(
        signed_in.post(base + "/schedules/pause", {"type": "invoices", "hours": "24"})
    )
    assert _schedule_row(paused, "invoices")[3].endswith("UTC")
    with unit_of_work(app.session_factory) as db:
        until = schedule.get_sync(db, connection_id, "invoices").paused_until
        assert until is not None and until > utcnow() + timedelta(hours=23)

    resumed = signed_in.follow(signed_in.post(base + "/schedules/resume", {"type": "invoices"}))
    with unit_of_work(app.session_factory) as db:
        until = schedule.get_sync(db, connection_id, "invoices").paused_until
        assert until is not None and until <= utcnow()
    assert _schedule_row(resumed, "invoices")[3].endswith("UTC")

    removed = signed_in.follow(signed_in.post(base + "/schedules/remove", {"type": "invoices"}))
    assert "No syncs" in removed.text


def test_the_form_offers_every_record_type(signed_in: Browser) -> None:
    """Every type is offered, grouped; a credit memo schedule added by form is listed."""
    from qwc_service.records.registry import RecordType

    connection_id = create_connection(signed_in)
    base = f"/admin/connections/{connection_id}"
    page = signed_in.get(base)
    for kind in RecordType:
        assert f'<option value="{kind.value}">' in page.text, kind
    assert '<optgroup label="Transactions">' in page.text
    added = signed_in.post(base + "/schedules", {"type": "CreditMemo", "every_minutes": "15"})
    row = _schedule_row(signed_in.follow(added), "credit_memos")
    assert row[1] == "15 min"


def test_schedule_input_is_checked(signed_in: Browser) -> None:
    """A bad interval, window or record type is a 400 page that names the problem."""
    connection_id = create_connection(signed_in)
    base = f"/admin/connections/{connection_id}"
    signed_in.get(base)
    for form, words in [
        ({"type": "customers", "every_minutes": "0"}, "interval"),
        ({"type": "customers", "every_minutes": "ten"}, "interval"),
        ({"type": "customers", "every_minutes": "15", "window": "7pm-7am"}, "window"),
        ({"type": "vendor_bills", "every_minutes": "15"}, "record type"),
    ]:
        page = signed_in.post(base + "/schedules", form)
        assert page.status == 400, form
        assert words in page.text_of("error-message").lower(), form
    assert signed_in.post(base + "/schedules/pause", {"hours": "99999"}).status == 400


def test_sync_now_queues_a_sync_job(signed_in: Browser) -> None:
    """Sync now queues the sync; the jobs page filtered to sync jobs shows it."""
    connection_id = create_connection(signed_in)
    base = f"/admin/connections/{connection_id}"
    signed_in.get(base)
    signed_in.post(base + "/schedules", {"type": "customers", "every_minutes": "15"})
    page = signed_in.follow(signed_in.post(base + "/schedules/run", {"type": "customers"}))
    assert "running: job" in " ".join(_schedule_row(page, "customers"))
    jobs = _job_rows(signed_in.get(base + "/jobs?kind=sync"))
    assert len(jobs) == 1 and next(iter(jobs.values()))[1:3] == ["sync", "queued"]
    assert "no-jobs" in signed_in.get(base + "/jobs?kind=payment").text


def test_kind_filter_offers_every_kind_by_name(signed_in: Browser) -> None:
    """The jobs page's kind filter offers each job kind with its name and description."""
    connection_id = create_connection(signed_in)
    page = signed_in.get(f"/admin/connections/{connection_id}/jobs?kind=sync")
    options = page.element("kind-filter").findall("option")[1:]
    assert [o.get("value") for o in options] == [k.value for k in JobKind]
    for option, spec in zip(options, JOB_KINDS.values(), strict=True):
        assert option.text_content() == f"{spec.kind}: {spec.name}"
        assert option.get("title") == spec.description
    assert [o.get("value") for o in options if o.get("selected") is not None] == ["sync"]


def test_failed_job_shows_its_code_and_explanation(app: QwcApp, signed_in: Browser) -> None:
    """Filtering on errors lists the failed job with its statusCode and what to do about it."""
    connection_id = create_connection(signed_in)
    good = enqueue(app, connection_id, priority=-1)
    bad = enqueue(app, connection_id)
    _fail_job(app, connection_id, bad)

    page = signed_in.get(f"/admin/connections/{connection_id}/jobs?status=error")
    rows = _job_rows(page)
    assert list(rows) == [bad]
    assert rows[bad][8] == "3100"
    assert "name is already in use" in rows[bad][9] and "Fix:" in rows[bad][9]
    assert good in _job_rows(signed_in.get(f"/admin/connections/{connection_id}/jobs"))
    assert signed_in.get(f"/admin/connections/{connection_id}/jobs?status=nonsense").status == 400


def test_cancel_and_retry_jobs(app: QwcApp, signed_in: Browser) -> None:
    """A queued job can be cancelled; a failed raw job is retried as a new queued copy."""
    connection_id = create_connection(signed_in)
    base = f"/admin/connections/{connection_id}/jobs"
    failed = enqueue(app, connection_id)
    _fail_job(app, connection_id, failed)
    waiting = enqueue(app, connection_id)
    signed_in.get(base)

    cancelled = signed_in.post(f"{base}/{waiting}/cancel", {"status": "queued"})
    assert cancelled.location == base + "?status=queued"
    assert signed_in.post(f"{base}/{waiting}/cancel").status == 409
    signed_in.post(f"{base}/{failed}/retry")
    rows = _job_rows(signed_in.get(base))
    assert rows[waiting][2] == "cancelled" and rows[failed][2] == "error"
    copies = [job for job in rows if job not in (waiting, failed)]
    assert len(copies) == 1 and rows[copies[0]][2] == "queued"
    assert signed_in.post(f"{base}/{waiting + 1000}/retry").status == 404
    assert signed_in.post(f"{base}/99999999999/cancel").status == 404


def test_jobs_page_by_page(
    app: QwcApp, signed_in: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Next-page links walk through every job once, keeping the filters."""
    monkeypatch.setattr(pages_jobs, "PAGE_SIZE", 2)
    connection_id = create_connection(signed_in)
    ids = [enqueue(app, connection_id) for _ in range(5)]
    seen: list[int] = []
    page = signed_in.get(f"/admin/connections/{connection_id}/jobs?status=queued")
    while True:
        seen += list(_job_rows(page))
        links = page.reply.body.decode()
        if 'id="next-page"' not in links:
            break
        href = page.element("next-page").get("href")
        assert "status=queued" in href
        page = signed_in.get(href)
    assert seen == ids
    assert page.element("first-page") is not None
