"""Hostile usernames, passwords and tickets get the protocol's answers and change nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from qwc_service.audit.models import AuditEvent
from qwc_service.db import unit_of_work
from qwc_service.simulator import wire
from tests.factories import customer_response, enqueue, request_id_of
from tests.hostile.harness import Tally, Target, judge, row_counts, soap_headers
from tests.soap_client import SoapClient

ATTACKER = "203.0.113.9"
SQL = [
    "' OR '1'='1",
    "' OR 1=1 --",
    "admin'--",
    '"; DROP TABLE machines; --',
    "1; SELECT pg_sleep(5)",
    "') UNION SELECT password_hash FROM machines --",
    "%",
    "_",
    "*",
    "\\",
    "\\' OR 1=1 #",
]
ODD = ["", " ", "x" * 10_000, "é" * 5_000, "\u202eevil", "a\tb\r\nc", "🧾" * 100]


def _call(target: Target, method: str, *values: Any, address: str = "127.0.0.1") -> Any:
    names = [name for name, _ in wire.PARAMETERS[method]]
    body = wire.envelope(method, list(zip(names, values, strict=True)))
    reply = target.post(body, soap_headers(method), remote_addr=address)
    assert judge(reply) == "ok", reply
    return wire.parse_reply(method, reply.status, reply.content_type, reply.body)


def test_hostile_usernames_and_passwords_get_nvu(target: Target) -> None:
    """Injection, wildcards, 10 KB and empty credentials get nvu; only login audit is stored."""
    enqueue(target.app, target.machine.connection_id)
    before = row_counts(target.app)
    with unit_of_work(target.app.session_factory) as db:
        last_event = db.scalar(select(func.max(AuditEvent.id))) or 0
    real_user, real_password = target.machine.username, target.machine.password
    attempts = [(name, real_password) for name in [*SQL, *ODD]]
    attempts += [(real_user + "'", real_password), (real_user + "%", real_password)]
    attempts += [(real_user[:-1] + "_", real_password), (real_user, "' OR '1'='1")]
    attempts += [(real_user, "%"), (real_user, "x" * 10_000), (real_user, "")]
    tally = Tally("hostile logins")
    tickets = set()
    for username, password in attempts:
        answer = _call(target, "authenticate", username, password, address=ATTACKER)
        assert answer[1] == "nvu", (username[:40], answer)
        tickets.add(answer[0])
        tally.add("nvu")
    assert len(tickets) == len(attempts), "every rejection carries its own random ticket"
    after = row_counts(target.app)
    changed = {t for t in after if after[t] != before[t]}
    assert changed <= {"audit_events", "login_throttles"}, changed
    with unit_of_work(target.app.session_factory) as db:
        kinds = set(db.scalars(select(AuditEvent.kind).where(AuditEvent.id > last_event)))
    assert kinds <= {"login_failed", "lockout"}, kinds
    target.assert_healthy()
    print(
        tally.report(0).replace(" 0 stored,", f" only {sorted(changed)} grew,")
        + f"; {after['audit_events'] - before['audit_events']} audit events"
    )


def test_hostile_tickets_get_protocol_answers_and_spare_the_live_session(
    target: Target,
) -> None:
    """Forged tickets, near misses of a live one, and injections never reach its session."""
    job_id = enqueue(target.app, target.machine.connection_id)
    client = SoapClient(target.app)
    live = client.authenticate(target.machine.username, target.machine.password)[0]
    near = [live[:-1], live + "%", live[:8] + "%", live.upper(), " " + live, live + "' --"]
    target.before = row_counts(target.app)
    tally = Tally("hostile tickets to 5 methods")
    for ticket in [*SQL, *ODD, *near]:
        assert _call(target, "sendRequestXML", ticket, "", "C:\\A.QBW", "US", 13, 0) == ""
        assert _call(target, "receiveResponseXML", ticket, customer_response("1-1"), "", "") < 0
        assert _call(target, "connectionError", ticket, "0x80040408", "x") == "done"
        assert _call(target, "getLastError", ticket)
        assert _call(target, "closeConnection", ticket)
        for _ in range(5):
            tally.add("protocol answer")
    stored = target.stored()
    assert stored == 0
    request = client.send_request(live)
    assert request_id_of(request) == f"{job_id}-1"
    assert client.receive_response(live, customer_response(request_id_of(request))) == 100
    assert client.call("closeConnection", live)
    target.assert_healthy()
    print(tally.report(stored) + "; the live session was untouched and completed its job")
