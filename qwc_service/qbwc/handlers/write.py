"""The write job: one write per request set, under QuickBooks' message-set error recovery.

A write job moves through phases, kept in its payload:

* ``send`` hands the write out with a ``newMessageSetID`` of its own, stored with the
  write before the set leaves. A write found ``sent`` when its job is claimed again was
  handed out and never answered: its outcome is unknown, and it is recovered, never sent
  blindly again.
* ``probe`` is that recovery from the machine that sent it: a status check
  (``oldMessageSetID`` = ``newMessageSetID`` = the lost ID, no requests). QuickBooks
  returns the stored answer, which settles the write, or says it holds no record of it.
* ``lookup`` is the recovery when QuickBooks has no record, or when another machine
  logs in first: the record is looked for by the key the server wrote into it. Found, the
  write is done; not found, it was never applied and goes out again under a new ID.
  A write that cannot be looked up (a Mod) ends ``outcome_unknown`` for an operator.
* ``fetch`` reads the record by its id, for an answer that said "done" without a Ret, an
  operator's "it is done, here is its TxnID", or a Mod whose EditSequence went stale.

While the write is in doubt its job has the highest priority, so the status check is the
first request set of the connection's next session.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from qwc_service.qbwc.handlers.write_results import store_result
from qwc_service.qbwc.jobs import JobContext
from qwc_service.qbxml.errors import InvalidQbxml, QbxmlError
from qwc_service.qbxml.explain import explain_hresult, explain_status, format_for_person
from qwc_service.qbxml.requests import build_request, serialize_request
from qwc_service.qbxml.xmlsafe import parse_document
from qwc_service.queue.models import Job, JobStatus
from qwc_service.queue.payload import load_payload, store_payload
from qwc_service.sessions.models import WcSession
from qwc_service.writes.answers import WriteAnswer, read_rets, read_write_answer, record_id
from qwc_service.writes.lookups import (
    can_look_up,
    fetch_request,
    is_ours,
    lookup_request,
    query_rs_name,
)
from qwc_service.writes.merge import stale_outcome
from qwc_service.writes.message_sets import (
    new_message_set_id,
    read_set_answer,
    status_check_request,
)
from qwc_service.writes.models import Write, WriteStatus
from qwc_service.writes.service import sent_fields
from qwc_service.writes.shapes import WriteKind, build_request_element, kind_of

__all__ = ["MAX_SENDS", "RECOVERY_PRIORITY", "WriteHandler"]

SEND, PROBE, LOOKUP, FETCH = "send", "probe", "lookup", "fetch"
#: Above anything a caller may queue (queue.service.MAX_PRIORITY): a write in doubt goes first.
RECOVERY_PRIORITY = 2_000_000
MAX_SENDS = 4
MAX_PROBES = 3
MAX_LOOKUPS = 3
#: Record in use or locked (3170, 3175, 3176, 3180): sent again after a delay, this often.
MAX_BUSY_RETRIES = 3
BUSY_DELAY = timedelta(seconds=30)
PARSE_ERROR = "0X80040400"
STALE_EDIT_SEQUENCE = 3200


class WriteHandler:
    """Writes one :class:`Write` to QuickBooks at most once (``JobKind.WRITE``)."""

    def request_for(self, ctx: JobContext, job: Job) -> str:
        """The request set for the write's phase, or "" when the job ended without one."""
        write = _write_of(ctx, job)
        if write is None:
            raise InvalidQbxml(f"write job {job.id} has no write to send")
        payload = load_payload(job)
        phase: str | None = payload.get("phase", SEND)
        if (phase == SEND and write.status == WriteStatus.SENT) or phase == PROBE:
            # Handed out before and never answered: what QuickBooks did is unknown.
            phase = _recovery_phase(ctx, write)
        elif phase == LOOKUP and write.lookups >= MAX_LOOKUPS:
            phase = None
        if phase is None:
            _end(ctx, job, write, WriteStatus.OUTCOME_UNKNOWN, _unknown_text(write))
            return ""
        payload["phase"] = phase
        store_payload(job, payload)
        job.priority = RECOVERY_PRIORITY
        fields = sent_fields(write)
        if phase == SEND:
            text = self._send(ctx, job, write, fields)
        elif phase == PROBE:
            write.probes += 1
            job.request_names = "status check"
            assert write.message_set_id is not None
            text = status_check_request(write.message_set_id, ctx.qbxml_version)
        elif phase == LOOKUP:
            write.lookups += 1
            text = lookup_request(write, fields, ctx.qbxml_version)
            job.request_names = query_rs_name(write)[:-2] + "Rq"
        else:
            id_name, qb_id = payload["id_name"], payload["qb_id"]
            text = fetch_request(write, id_name, qb_id, ctx.qbxml_version)
            job.request_names = query_rs_name(write)[:-2] + "Rq"
        if phase != SEND:
            write.status = WriteStatus.SENT
        job.qbxml = text
        return text

    def _send(self, ctx: JobContext, job: Job, write: Write, fields: dict[str, Any]) -> str:
        write.sends += 1
        write.message_set_id = new_message_set_id(write.id, write.sends)
        wc = ctx.db.get(WcSession, ctx.session_id)
        write.message_set_session_id = ctx.session_id
        write.message_set_machine_id = wc.machine_id if wc is not None else None
        write.status = WriteStatus.SENT
        write.sent_at = ctx.now
        job.request_names = write.request + "Rq"
        built = build_request(build_request_element(write.request, fields))
        root = parse_document(built)
        root.find("QBXMLMsgsRq").set("newMessageSetID", write.message_set_id)
        return serialize_request(root, ctx.qbxml_version)

    def on_response(
        self, ctx: JobContext, job: Job, response: str, hresult: str, message: str
    ) -> None:
        """Settle the write from QuickBooks' answer, or queue its next step."""
        job.completed_at = ctx.now
        job.leased_until = None
        job.response = response or None
        job.hresult = hresult[:32] or None
        job.status_code = job.status_severity = job.status_message = None
        write = _write_of(ctx, job)
        if write is None:
            job.status = JobStatus.ERROR
            job.error = "the write of this job no longer exists"
            return
        phase = load_payload(job).get("phase", SEND)
        if phase == SEND:
            _after_send(ctx, job, write, response, hresult, message)
        elif phase == PROBE:
            _after_probe(ctx, job, write, response, hresult, message)
        elif phase == LOOKUP:
            _after_lookup(ctx, job, write, response, hresult, message)
        else:
            _after_fetch(ctx, job, write, response, hresult, message)


def _recovery_phase(ctx: JobContext, write: Write) -> str | None:
    """Ask QuickBooks from the machine that lost the answer; elsewhere, look the record up."""
    wc = ctx.db.get(WcSession, ctx.session_id)
    machine = wc.machine_id if wc is not None else None
    if (
        write.message_set_id
        and write.probes < MAX_PROBES
        and (write.message_set_machine_id is None or write.message_set_machine_id == machine)
    ):
        return PROBE
    if can_look_up(write) and write.lookups < MAX_LOOKUPS:
        return LOOKUP
    return None


# -- answers ----------------------------------------------------------------------------------


def _after_send(
    ctx: JobContext, job: Job, write: Write, response: str, hresult: str, message: str
) -> None:
    if hresult:
        text = format_for_person(explain_hresult(hresult), (message or "")[:500])
        if hresult.strip().upper() == PARSE_ERROR:
            # QuickBooks parsed nothing of the set, so it applied nothing.
            _end(ctx, job, write, WriteStatus.FAILED, text + " Nothing was applied.")
        else:
            _in_doubt(ctx, job, write, text)
        return
    try:
        set_answer = read_set_answer(response)
        answer = read_write_answer(response, _rs_name(write))
    except QbxmlError as exc:
        _in_doubt(ctx, job, write, f"QuickBooks' answer could not be read ({exc})")
        return
    if set_answer.nothing_run:
        text = (
            "QuickBooks refused the message set (messageSetStatusCode "
            f"{set_answer.status_code}); nothing was applied"
        )
        _end(ctx, job, write, WriteStatus.FAILED, text)
        return
    if answer is None:
        _in_doubt(ctx, job, write, f"QuickBooks' answer holds no {_rs_name(write)}")
        return
    _settle(ctx, job, write, answer)


def _after_probe(
    ctx: JobContext, job: Job, write: Write, response: str, hresult: str, message: str
) -> None:
    if hresult:
        _in_doubt(ctx, job, write, format_for_person(explain_hresult(hresult), message[:500]))
        return
    try:
        set_answer = read_set_answer(response)
        answer = read_write_answer(response, _rs_name(write)) if set_answer.has_responses else None
    except QbxmlError as exc:
        _in_doubt(
            ctx, job, write, f"QuickBooks' answer to the status check could not be read ({exc})"
        )
        return
    if answer is not None and not set_answer.no_record:
        _settle(ctx, job, write, answer)
        return
    # QuickBooks holds no record of the set: it never saw it, or forgot it.
    reason = (
        f"QuickBooks has no record of message set {write.message_set_id} "
        f"(messageSetStatusCode {set_answer.status_code})"
    )
    if can_look_up(write) and write.lookups < MAX_LOOKUPS:
        write.error = reason
        _requeue(ctx, job, LOOKUP)
    else:
        _end(ctx, job, write, WriteStatus.OUTCOME_UNKNOWN, _unknown_text(write, reason))


def _after_lookup(
    ctx: JobContext, job: Job, write: Write, response: str, hresult: str, message: str
) -> None:
    failure = None
    rets: list[dict[str, Any]] = []
    if hresult:
        failure = format_for_person(explain_hresult(hresult), message[:500])
    else:
        try:
            code, rets = read_rets(response, query_rs_name(write))
            if code >= 1000:
                failure = format_for_person(explain_status(code, ""))
        except QbxmlError as exc:
            failure = f"QuickBooks' answer to the lookup could not be read ({exc})"
    if failure is not None:
        if write.lookups < MAX_LOOKUPS:
            write.error = failure
            _requeue(ctx, job, LOOKUP)
        else:
            _end(ctx, job, write, WriteStatus.OUTCOME_UNKNOWN, _unknown_text(write, failure))
        return
    found = next((ret for ret in rets if is_ours(write, ret)), None)
    if found is not None:
        _done(ctx, job, write, found)
    elif write.sends >= MAX_SENDS:
        _end(
            ctx,
            job,
            write,
            WriteStatus.OUTCOME_UNKNOWN,
            _unknown_text(write, f"sent {write.sends} times and never found in QuickBooks"),
        )
    else:
        # Not in QuickBooks: it was never applied, so it goes out again, under a new ID.
        write.status = WriteStatus.QUEUED
        write.error = None
        _requeue(ctx, job, SEND)


def _after_fetch(
    ctx: JobContext, job: Job, write: Write, response: str, hresult: str, message: str
) -> None:
    payload = load_payload(job)
    try:
        if hresult:
            raise QbxmlError(format_for_person(explain_hresult(hresult), message[:500]))
        code, rets = read_rets(response, query_rs_name(write))
    except QbxmlError as exc:
        if write.lookups < MAX_LOOKUPS:
            write.lookups += 1
            _requeue(ctx, job, FETCH)
        else:
            _end(ctx, job, write, WriteStatus.OUTCOME_UNKNOWN, _unknown_text(write, str(exc)))
        return
    ret = rets[0] if rets else None
    if payload.get("purpose") == "stale":
        if ret is None:
            _end(
                ctx,
                job,
                write,
                WriteStatus.FAILED,
                f"the record {payload['qb_id']} is gone from QuickBooks (status {code})",
            )
        else:
            _after_stale(ctx, job, write, ret)
        return
    if ret is None:
        write.qb_id = payload.get("qb_id")
        write.result = None
        _end(ctx, job, write, WriteStatus.DONE, None)
        write.error = f"QuickBooks answered status {code} reading {payload.get('qb_id')}"
        return
    _done(ctx, job, write, ret)


# -- settling ---------------------------------------------------------------------------------


def _settle(ctx: JobContext, job: Job, write: Write, answer: WriteAnswer) -> None:
    """Act on QuickBooks' answer to the write itself (fresh, or stored and recovered)."""
    job.status_code = answer.status_code
    job.status_severity = answer.severity
    job.status_message = answer.message[:2000]
    write.status_code = answer.status_code
    if not answer.is_error:
        if answer.ret is not None:
            _done(ctx, job, write, answer.ret)
        elif can_look_up(write):
            _requeue(ctx, job, LOOKUP)
        else:
            id_name, qb_id = _target_of(write)
            if qb_id is None:
                _end(ctx, job, write, WriteStatus.DONE, None)
            else:
                _requeue(ctx, job, FETCH, id_name=id_name, qb_id=qb_id)
        return
    if answer.status_code == STALE_EDIT_SEQUENCE and kind_of(write.request) is WriteKind.MOD:
        if answer.ret is not None:
            _after_stale(ctx, job, write, answer.ret)
        else:
            id_name, qb_id = _target_of(write)
            assert qb_id is not None
            _requeue(ctx, job, FETCH, id_name=id_name, qb_id=qb_id, purpose="stale")
        return
    explanation = explain_status(answer.status_code, answer.message)
    text = format_for_person(explanation, answer.message)
    busy = load_payload(job).get("busy", 0)
    if explanation.retryable and busy < MAX_BUSY_RETRIES:
        # Refused for a passing reason (a record in use): nothing applied, send again.
        write.status = WriteStatus.QUEUED
        write.error = text
        _requeue(ctx, job, SEND, delay=BUSY_DELAY * (busy + 1), busy=busy + 1)
        return
    _end(ctx, job, write, WriteStatus.FAILED, text)


def _after_stale(ctx: JobContext, job: Job, write: Write, current: dict[str, Any]) -> None:
    """Re-apply the caller's fields on the record as it is now, once, unless they collide."""
    fields = sent_fields(write)
    based_on = json.loads(write.based_on) if write.based_on else None
    retried = load_payload(job).get("stale", 0)
    outcome = stale_outcome(fields, current, based_on)
    if outcome.conflict:
        write.conflict = json.dumps(outcome.conflict, separators=(",", ":"))
        names = ", ".join(sorted(outcome.conflict))
        _end(
            ctx,
            job,
            write,
            WriteStatus.CONFLICT,
            f"{names} changed in QuickBooks too since the write was queued; nothing was "
            "overwritten",
        )
        return
    if retried >= 1:
        _end(
            ctx,
            job,
            write,
            WriteStatus.FAILED,
            "the record changed again while retrying (3200 twice)",
        )
        return
    write.fields = json.dumps(outcome.fields, separators=(",", ":"))
    write.status = WriteStatus.QUEUED
    _requeue(ctx, job, SEND, stale=retried + 1)


def _done(ctx: JobContext, job: Job, write: Write, ret: dict[str, Any]) -> None:
    write.result = json.dumps(ret, separators=(",", ":"))
    write.qb_id = record_id(ret)
    _end(ctx, job, write, WriteStatus.DONE, None)
    store_result(ctx, write, job.response or "", ret)


def _in_doubt(ctx: JobContext, job: Job, write: Write, reason: str) -> None:
    """The write may or may not be applied: the next claim recovers it."""
    write.status = WriteStatus.SENT
    write.error = reason
    _requeue(ctx, job, SEND)


def _end(ctx: JobContext, job: Job, write: Write, status: WriteStatus, text: str | None) -> None:
    write.status = status
    write.error = text
    write.completed_at = ctx.now
    job.status = JobStatus.DONE if status == WriteStatus.DONE else JobStatus.ERROR
    job.error = text
    job.completed_at = ctx.now
    job.leased_until = None


def _requeue(
    ctx: JobContext, job: Job, phase: str, *, delay: timedelta | None = None, **extra: Any
) -> None:
    payload = load_payload(job)
    payload["phase"] = phase
    for name in ("id_name", "qb_id", "purpose"):
        payload.pop(name, None)
    payload.update(extra)
    store_payload(job, payload)
    job.status = JobStatus.QUEUED
    job.session_id = None
    job.pinned_session_id = None
    job.leased_until = None
    job.completed_at = None
    job.not_before = ctx.now + delay if delay else None
    job.units_remaining = 1


def _target_of(write: Write) -> tuple[str, str | None]:
    fields = sent_fields(write)
    for name in ("TxnID", "ListID"):
        value = fields.get(name)
        if isinstance(value, str) and value:
            return name, value
    return "TxnID", None


def _rs_name(write: Write) -> str:
    return write.request + "Rs"


def _unknown_text(write: Write, reason: str | None = None) -> str:
    head = f"{reason}. " if reason else ""
    return (
        f"{head}Whether QuickBooks applied {write.request} (message set "
        f"{write.message_set_id}) is unknown, and it cannot be looked up: check QuickBooks, "
        "then mark the write done (with its TxnID or ListID) or send it again."
    )


def _write_of(ctx: JobContext, job: Job) -> Write | None:
    write_id = load_payload(job).get("write_id")
    if not isinstance(write_id, int):
        return None
    write = ctx.db.scalar(select(Write).where(Write.id == write_id))
    if write is None or write.connection_id != job.connection_id:
        return None
    return write
