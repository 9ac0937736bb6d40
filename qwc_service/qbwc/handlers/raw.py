"""Raw jobs: qbXML queued as it is, the response stored on the job as it came."""

from __future__ import annotations

from datetime import timedelta

from qwc_service.qbwc.jobs import JobContext
from qwc_service.qbxml.errors import QbxmlError
from qwc_service.qbxml.explain import explain_hresult, explain_status, format_for_person
from qwc_service.qbxml.responses import summarize_response
from qwc_service.queue.models import Job, JobStatus

MAX_ATTEMPTS = 3
RETRY_DELAY = timedelta(seconds=60)


class RawHandler:
    """Hands the queued qbXML out unchanged (but for requestID and version)."""

    def request_for(self, ctx: JobContext, job: Job) -> str:
        """The queued document as it is."""
        return job.qbxml

    def on_response(
        self, ctx: JobContext, job: Job, response: str, hresult: str, message: str
    ) -> None:
        """Store the response, its first error, and retry what is worth retrying."""
        complete(ctx, job, response, hresult, message)


def complete(ctx: JobContext, job: Job, response: str, hresult: str, message: str) -> None:
    """Store a response on a job and set its status from the HRESULT or qbXML status codes.

    A transient failure (QuickBooks busy, a record locked by a user) puts the job back in
    the queue with a delay, at most MAX_ATTEMPTS times; anything else ends the job.
    """
    job.completed_at = ctx.now
    job.leased_until = None
    job.response = response or None
    if hresult:
        explanation = explain_hresult(hresult)
        job.hresult = hresult[:32]
        job.error = format_for_person(explanation, (message or "")[:500])
        _finish(ctx, job, retryable=explanation.retryable)
        return
    try:
        summary = summarize_response(response)
    except QbxmlError as exc:
        job.status = JobStatus.ERROR
        job.error = f"QuickBooks' response could not be read: {exc}"
        return
    first = summary.first_error or (summary.statuses[0] if summary.statuses else None)
    if first is not None:
        job.status_code = first.status_code
        job.status_severity = first.severity
        job.status_message = first.message[:2000]
    if summary.first_error is None:
        job.status = JobStatus.DONE
        job.error = None
        return
    explanation = explain_status(summary.first_error.status_code, summary.first_error.message)
    job.error = format_for_person(explanation)
    _finish(ctx, job, retryable=explanation.retryable)


def _finish(ctx: JobContext, job: Job, *, retryable: bool) -> None:
    if retryable and job.attempts < MAX_ATTEMPTS:
        job.status = JobStatus.QUEUED
        job.not_before = ctx.now + RETRY_DELAY * job.attempts
        job.session_id = None
        job.completed_at = None
    else:
        job.status = JobStatus.ERROR
