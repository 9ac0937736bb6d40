"""Sync jobs: read a record type from QuickBooks page by page, then its deletions.

One job carries a whole sync; its payload holds where the sync stands
(:class:`~qwc_service.sync.state.SyncState`).

Each page is one round trip. While the iterator has records left the job goes back in the
queue, pinned to the session whose QuickBooks holds the iterator and ahead of everything
else, with ``units_remaining`` set to the pages still expected, so the Web Connector's
progress bar tells the truth. A query without an iterator (most lists, Company, Preferences)
answers everything at once: one page. A sync that had a watermark then asks for deletions
since its deletion watermark, for the types QuickBooks reports deletions of (not Transfer,
Template or the singletons). Watermarks move only when the whole sync has completed.

Both watermarks are QuickBooks' own times (the latest TimeModified or TimeDeleted seen), never
this server's clock, so a QuickBooks computer whose clock is off cannot make a sync skip
changes. An iterator lives only inside the QuickBooks session that opened it: a page that was
never answered, a continuation arriving in another session, or status 3391 (iterator unknown)
restarts the read from ``iterator="Start"`` with the same watermark; records stored twice are
simply updated.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from math import ceil

from qwc_service.qbwc.jobs import JobContext
from qwc_service.qbxml.errors import QbxmlError
from qwc_service.qbxml.explain import (
    Explanation,
    explain_hresult,
    explain_status,
    format_for_person,
)
from qwc_service.qbxml.responses import ResponseStatus
from qwc_service.queue.models import Job, JobStatus
from qwc_service.queue.payload import load_payload, store_payload
from qwc_service.queue.service import MAX_PRIORITY
from qwc_service.records.parse import read_response
from qwc_service.records.store import ApplyResult, apply_records
from qwc_service.sync.models import SyncDefinition
from qwc_service.sync.requests import (
    DELETED_REQUEST_NAMES,
    QUERY_REQUEST_NAMES,
    deleted_request,
    later_of,
    overlap_from,
    query_request,
)
from qwc_service.sync.state import Phase, SyncState

__all__ = [
    "HARD_PAGE_LIMIT",
    "MAX_RESTARTS",
    "MAX_RETRIES",
    "SyncHandler",
]

ITERATOR_EXPIRED = 3391
MAX_RESTARTS = 3
MAX_RETRIES = 3
RETRY_DELAY = timedelta(seconds=60)
# An iterator may return a few more pages than it announced (records added meanwhile);
# far more than that means it is not converging.
PAGE_SLACK = 3
HARD_PAGE_LIMIT = 10_000
_CONTINUATION_PRIORITY = MAX_PRIORITY + 1


@dataclass(frozen=True)
class _Outcome:
    """The status QuickBooks gave our request, and what applying its records did."""

    status: ResponseStatus | None
    applied: ApplyResult


def _load(job: Job) -> SyncState:
    return SyncState.from_payload(load_payload(job))


def _store(job: Job, state: SyncState) -> None:
    store_payload(job, state.to_payload())


class SyncHandler:
    """Writes each page of a sync and stores what QuickBooks returns (``JobKind.SYNC``)."""

    def request_for(self, ctx: JobContext, job: Job) -> str:
        """The next request of the sync: a query page, or the deletions query."""
        state = _load(job)
        kind = state.type
        if state.phase == Phase.QUERY:
            if state.interrupted(ctx.session_id):
                # The last page went unanswered or its iterator died with its session.
                state = state.restarted()
            if state.started_at is None:
                state = state.started(ctx.now)
                definition = _definition(ctx, job)
                if definition is not None:
                    definition.last_started_at = ctx.now
            watermark = state.modified_from
            text = query_request(
                kind,
                version=ctx.qbxml_version,
                max_returned=state.max_returned,
                from_modified=overlap_from(watermark) if watermark else None,
                iterator_id=state.iterator_id,
            )
            job.request_names = QUERY_REQUEST_NAMES[kind]
        else:
            since = state.deleted_from
            text = deleted_request(
                kind,
                version=ctx.qbxml_version,
                from_deleted=overlap_from(since) if since else None,
            )
            job.request_names = DELETED_REQUEST_NAMES[kind]
        _store(job, state.sent())
        job.qbxml = text
        return text

    def on_response(
        self, ctx: JobContext, job: Job, response: str, hresult: str, message: str
    ) -> None:
        """Store the page's records, then continue, move to deletions, finish or fail."""
        try:
            self._answer(ctx, job, response, hresult, message)
        finally:
            # Set last: a savepoint taken while storing a big page would flush these
            # changes in an UPDATE of their own.
            job.leased_until = None
            job.response = None  # pages can be huge: the payload keeps counts instead

    def _answer(self, ctx: JobContext, job: Job, response: str, hresult: str, message: str) -> None:
        state = _load(job).answered()
        # Removing a sync sets its jobs' sync_definition_id to NULL (ON DELETE SET NULL),
        # so a page of a live sync needs no query for its definition: only the end does.
        if job.sync_definition_id is None:
            _store(job, state)
            _end(ctx, job, JobStatus.CANCELLED, error="the sync was removed")
            return
        if hresult:
            explanation = explain_hresult(hresult)
            job.hresult = hresult[:32]
            _fail(ctx, job, state, explanation, (message or "")[:500])
            return
        try:
            outcome = _read(ctx, job, response, state)
        except QbxmlError as exc:
            _store(job, state)
            _error(ctx, job, f"QuickBooks' response could not be read: {exc}")
            return
        status = outcome.status
        if status is None:
            _error(ctx, job, "QuickBooks' response answers no request", state)
            return
        job.status_code = status.status_code
        job.status_severity = status.severity
        if status.is_error:
            _on_error_status(ctx, job, state, status)
            return
        if status.is_warning:
            state = state.warned(f"{status.status_code}: {status.message}")
        applied = outcome.applied
        state = state.counted(applied.upserted, applied.deleted, applied.problems)
        if state.phase == Phase.QUERY:
            _after_page(ctx, job, state, status, applied)
        else:
            _complete(ctx, job, state.deletions_read(applied.max_time_deleted_raw))


# -- reading a response --------------------------------------------------------------------


def _read(ctx: JobContext, job: Job, response: str, state: SyncState) -> _Outcome:
    """Parse the response once, storing records while reading; a failure stores nothing."""
    names = QUERY_REQUEST_NAMES if state.phase == Phase.QUERY else DELETED_REQUEST_NAMES
    expected = names[state.type].removesuffix("Rq") + "Rs"
    reader = read_response(response or "")
    # The reader only parses text: the next batch is read while the last one is stored.
    applied = apply_records(ctx.db, job.connection_id, reader, now=ctx.now, write_behind=True)
    status = next((s for s in reader.statuses if s.name == expected), None)
    if status is None and reader.statuses:
        status = reader.statuses[0]
    return _Outcome(status, applied)


# -- moving the sync on --------------------------------------------------------------------


def _after_page(
    ctx: JobContext,
    job: Job,
    state: SyncState,
    status: ResponseStatus,
    applied: ApplyResult,
) -> None:
    """Ask for the next page, move on to deletions, or finish."""
    remaining = status.iterator_remaining or 0
    state = state.page_read(applied.max_time_modified_raw, remaining)
    pages = state.pages
    if remaining > 0:
        limit = min(HARD_PAGE_LIMIT, (state.expected_pages or 1) + PAGE_SLACK)
        if pages >= limit:
            _error(
                ctx,
                job,
                f"QuickBooks' iterator kept returning pages: {pages} pages read where "
                f"{state.expected_pages} were expected, and {remaining} records still "
                "reported; the sync was stopped and its watermark left unchanged",
                state,
            )
            return
        if not status.iterator_id:
            _error(
                ctx,
                job,
                f"QuickBooks reported {remaining} more records but named no iterator to "
                "continue with",
                state,
            )
            return
        state = state.continued(status.iterator_id, ctx.session_id)
        units = ceil(remaining / state.max_returned) + (1 if state.reads_deletions else 0)
        _continue(ctx, job, state, units)
        return
    state = state.pages_done()
    if state.reads_deletions:
        _continue(ctx, job, replace(state, phase=Phase.DELETED), 1)
        return
    _complete(ctx, job, state)


def _continue(ctx: JobContext, job: Job, state: SyncState, units: int) -> None:
    """Put the job back at the head of this session's queue for its next round trip."""
    _store(job, state)
    job.status = JobStatus.QUEUED
    job.session_id = None
    job.completed_at = None
    job.not_before = None
    job.pinned_session_id = ctx.session_id
    job.priority = _CONTINUATION_PRIORITY
    job.units_remaining = max(1, units)
    job.status_message = state.summary()


def _complete(ctx: JobContext, job: Job, state: SyncState) -> None:
    """The whole sync is done: advance the watermarks and record the success."""
    definition = _definition(ctx, job)
    if definition is not None:
        seen = state.max_seen_raw
        # A watermark only for what a later sync can ask from: a type read whole each time
        # (Template, Company) keeps none, and one without deletions keeps no deletion mark.
        if state.type.reads_changes:
            definition.watermark = later_of(definition.watermark, seen)
        if state.type.reads_deletions:
            # Every deletion up to the latest change just read happened before the deletions
            # query ran (or, on a first sync, will be asked for next time): QuickBooks' clock
            # throughout.
            deleted_mark = later_of(definition.deleted_watermark, state.max_deleted_raw)
            definition.deleted_watermark = later_of(deleted_mark, seen)
        definition.last_success_at = ctx.now
        definition.last_error = None
    _store(job, state)
    job.error = None
    _end(ctx, job, JobStatus.DONE)
    job.status_message = state.summary()


def _on_error_status(
    ctx: JobContext,
    job: Job,
    state: SyncState,
    status: ResponseStatus,
) -> None:
    if status.status_code == ITERATOR_EXPIRED and state.phase == Phase.QUERY:
        state = replace(state, restarts=state.restarts + 1)
        if state.restarts > MAX_RESTARTS:
            explanation = explain_status(status.status_code, status.message)
            detail = f"restarted {MAX_RESTARTS} times, still {status.message}"
            _error(ctx, job, format_for_person(explanation, detail), state)
            return
        state = state.restarted()
        _continue(ctx, job, state, 2 if state.reads_deletions else 1)
        return
    job.status_message = status.message[:2000] or None
    _fail(ctx, job, state, explain_status(status.status_code, status.message))


def _fail(
    ctx: JobContext,
    job: Job,
    state: SyncState,
    explanation: Explanation,
    detail: str = "",
) -> None:
    """An error: try again later if it is the passing kind, else end the sync in error."""
    text = format_for_person(explanation, detail)
    if explanation.retryable and state.retries < MAX_RETRIES:
        state = state.retried()
        if state.phase == Phase.QUERY:
            state = state.restarted()
        _store(job, state)
        job.status = JobStatus.QUEUED
        job.session_id = None
        job.pinned_session_id = None
        job.completed_at = None
        job.not_before = ctx.now + RETRY_DELAY * state.retries
        job.error = text
        _note_error(ctx, job, text)
        return
    _error(ctx, job, text, state)


def _error(
    ctx: JobContext,
    job: Job,
    text: str,
    state: SyncState | None = None,
) -> None:
    """End the sync in error; the watermarks stay where the last completed sync left them."""
    if state is not None:
        _store(job, state)
    _note_error(ctx, job, text)
    _end(ctx, job, JobStatus.ERROR, error=text)


def _end(ctx: JobContext, job: Job, status: JobStatus, error: str | None = None) -> None:
    job.status = status
    job.completed_at = ctx.now
    job.units_remaining = 0
    job.pinned_session_id = None
    if error is not None:
        job.error = error


def _note_error(ctx: JobContext, job: Job, text: str) -> None:
    definition = _definition(ctx, job)
    if definition is not None:
        definition.last_error = text


def _definition(ctx: JobContext, job: Job) -> SyncDefinition | None:
    if job.sync_definition_id is None:
        return None
    return ctx.db.get(SyncDefinition, job.sync_definition_id)
