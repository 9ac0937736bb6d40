"""Every Web Connector method over the real SOAP wire, through the WSGI application."""

from __future__ import annotations

import pytest
from lxml import etree

from qwc_service.app import QwcApp, create_app
from qwc_service.db import unit_of_work
from qwc_service.qbwc import operations
from qwc_service.queue import service as queue
from qwc_service.simulator.wire import SoapFault
from tests.factories import (
    customer_query,
    customer_response,
    enqueue,
    let_sessions_expire,
    make_connection,
    make_machine,
    request_id_of,
)
from tests.soap_client import SoapClient


@pytest.fixture
def client(app: QwcApp) -> SoapClient:
    """A SOAP client posting to the app in-process."""
    return SoapClient(app)


def _job(app: QwcApp, connection_id: str, job_id: int) -> queue.Job:
    with unit_of_work(app.session_factory) as db:
        return queue.get_job(db, connection_id, job_id)


def test_server_and_client_version(client: SoapClient) -> None:
    """serverVersion names the server; clientVersion proceeds or asks for a newer connector."""
    assert client.call("serverVersion").startswith("qwc-service ")
    assert client.call("clientVersion", "2.3.0.215") == ""
    assert client.call("clientVersion", "1.0.0.0") == "O:2.1.0.0"


def test_wrong_password_unknown_user_and_revoked_machine_get_nvu(
    app: QwcApp, client: SoapClient
) -> None:
    """Bad credentials of every kind get nvu, with two strings and a random ticket."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    enqueue(app, connection_id)
    wrong = client.authenticate(machine.username, "not-the-password")
    unknown = client.authenticate("nobody", machine.password)
    empty = client.authenticate("", "")
    with unit_of_work(app.session_factory) as db:
        operations.revoke_machine(db, machine.username)
    revoked = client.authenticate(machine.username, machine.password)
    for answer in (wrong, unknown, empty, revoked):
        assert len(answer) >= 2 and answer[1] == "nvu" and answer[0]
    assert len({wrong[0], unknown[0], revoked[0]}) == 3


def test_no_work_answers_none(app: QwcApp, client: SoapClient) -> None:
    """A valid machine whose connection has nothing queued gets none."""
    machine = make_machine(app, make_connection(app))
    assert client.authenticate(machine.username, machine.password)[1] == "none"


def test_company_file_path_is_sent_when_set(app: QwcApp, client: SoapClient) -> None:
    """A connection with a company file path asks the Web Connector to open that file."""
    path = r"C:\Users\Public\Documents\Intuit\QuickBooks\Company Files\Acme.QBW"
    connection_id = make_connection(app, company_file=path)
    machine = make_machine(app, connection_id)
    enqueue(app, connection_id)
    assert client.authenticate(machine.username, machine.password)[1] == path


def test_full_session_hands_out_jobs_in_order_and_stores_responses(
    app: QwcApp, client: SoapClient
) -> None:
    """A session gets each job once, by priority then FIFO, with honest progress to 100."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    low = enqueue(app, connection_id, customer_query(1))
    high = enqueue(app, connection_id, customer_query(2), priority=5)
    ticket, status = client.authenticate(machine.username, machine.password)[:2]
    assert status == ""

    first = client.send_request(ticket, hcp="", company_file=r"C:\Acme.QBW")
    assert request_id_of(first) == f"{high}-1"
    assert "<MaxReturned>2</MaxReturned>" in first
    assert client.receive_response(ticket, customer_response(request_id_of(first))) == 50

    second = client.send_request(ticket)
    assert request_id_of(second) == f"{low}-1"
    assert client.receive_response(ticket, customer_response(request_id_of(second))) == 100
    assert client.call("closeConnection", ticket).startswith("Complete")

    for job_id in (low, high):
        job = _job(app, connection_id, job_id)
        assert (
            job.status == "done" and job.status_code == 0 and "CustomerRet" in (job.response or "")
        )


def test_empty_queue_mid_session_gives_empty_string_and_a_reason(
    app: QwcApp, client: SoapClient
) -> None:
    """When nothing is left, sendRequestXML answers "" and getLastError says why."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    job_id = enqueue(app, connection_id)
    ticket = client.authenticate(machine.username, machine.password)[0]
    with unit_of_work(app.session_factory) as db:
        queue.cancel_job(db, connection_id, job_id)
    assert client.send_request(ticket) == ""
    message = client.call("getLastError", ticket)
    assert message and message != "NoOp"


def test_qbxml_error_status_is_stored_on_the_job(app: QwcApp, client: SoapClient) -> None:
    """A non-zero statusCode marks the job as failed with an explanation."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    job_id = enqueue(app, connection_id)
    ticket = client.authenticate(machine.username, machine.password)[0]
    request = client.send_request(ticket)
    assert (
        client.receive_response(ticket, customer_response(request_id_of(request), status=3120))
        == 100
    )
    job = _job(app, connection_id, job_id)
    assert job.status == "error" and job.status_code == 3120 and job.error


def test_hresult_is_stored_on_the_job(app: QwcApp, client: SoapClient) -> None:
    """A request QuickBooks could not parse is stored with its HRESULT and a readable error."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    job_id = enqueue(app, connection_id)
    ticket = client.authenticate(machine.username, machine.password)[0]
    client.send_request(ticket)
    message = "QuickBooks found an error when parsing the provided XML text stream."
    result = client.receive_response(ticket, "", "0x80040400", message)
    assert result == 100
    job = _job(app, connection_id, job_id)
    assert job.status == "error" and job.hresult == "0x80040400" and job.error


def test_connection_error_retries_once_then_done(app: QwcApp, client: SoapClient) -> None:
    """connectionError asks for one retry with the open file, then says done."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    enqueue(app, connection_id)
    ticket = client.authenticate(machine.username, machine.password)[0]
    assert client.call("connectionError", ticket, "0x80040408", "Could not start QuickBooks.") == ""
    assert (
        client.call("connectionError", ticket, "0x80040408", "Could not start QuickBooks.")
        == "done"
    )
    assert "0x80040408" in client.call("getLastError", ticket)


def test_unknown_and_closed_tickets_get_protocol_answers(app: QwcApp, client: SoapClient) -> None:
    """A bad ticket never causes a fault: each method gives its protocol's error answer."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    enqueue(app, connection_id)
    ticket = client.authenticate(machine.username, machine.password)[0]
    client.call("closeConnection", ticket)
    for bad in (ticket, "forged", "' OR 1=1 --", "x" * 10_000, ""):
        assert client.send_request(bad) == ""
        assert client.receive_response(bad, customer_response("1-1")) < 0
        assert client.call("connectionError", bad, "0x80040408", "x") == "done"
        assert client.call("getLastError", bad)
        assert client.call("closeConnection", bad)


def test_job_of_a_dead_session_is_handed_out_again_after_expiry(app: QwcApp) -> None:
    """A job held by a dead session goes to no one else until that session expires."""
    client = SoapClient(app)
    connection_id = make_connection(app)
    first, second = make_machine(app, connection_id, "A"), make_machine(app, connection_id, "B")
    job_id = enqueue(app, connection_id)
    ticket_a = client.authenticate(first.username, first.password)[0]
    assert request_id_of(client.send_request(ticket_a)) == f"{job_id}-1"
    # Machine A dies here. B is turned away while A's session is alive...
    busy = client.authenticate(second.username, second.password)
    assert busy[1] == "busy" and int(busy[2]) > 0
    let_sessions_expire(app, connection_id)
    # ...and gets the same job once A's ticket has expired.
    ticket_b, status = client.authenticate(second.username, second.password)[:2]
    assert status == ""
    assert request_id_of(client.send_request(ticket_b)) == f"{job_id}-2"
    assert client.receive_response(ticket_a, customer_response(f"{job_id}-1")) < 0
    assert client.receive_response(ticket_b, customer_response(f"{job_id}-2")) == 100
    assert _job(app, connection_id, job_id).status == "done"


def test_interactive_methods_answer_safely(client: SoapClient) -> None:
    """Interactive mode is not offered, but its methods answer without a fault."""
    assert client.call("getInteractiveURL", "t", "s") == ""
    assert client.call("interactiveDone", "t") == "Done"
    assert client.call("isInteractiveDone", "t") == "DONE"
    assert client.call("interactiveRejected", "t", "user said no")


def test_database_failure_is_a_generic_fault(tmp_path: object) -> None:
    """When the database is unreachable, the reply is a SOAP fault with no internals."""
    from tests.factories import make_test_settings

    settings = make_test_settings("postgresql://postgres@127.0.0.1:1/none", tmp_path)  # type: ignore[arg-type]
    broken = create_app(settings, check_database=False)
    with pytest.raises(SoapFault) as info:
        SoapClient(broken).authenticate("someone", "secret")
    assert "could not process" in str(info.value)
    assert "psycopg" not in str(info.value) and "Traceback" not in str(info.value)


def test_authenticate_reply_uses_intuit_namespace_for_strings(app: QwcApp) -> None:
    """authenticateResult's <string> items are in the Intuit namespace (QBWC1012 otherwise)."""
    client = SoapClient(app)
    body = (
        b'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
        b'<soap:Body><authenticate xmlns="http://developer.intuit.com/"><strUserName>a</strUserName>'
        b"<strPassword>b</strPassword></authenticate></soap:Body></soap:Envelope>"
    )
    reply = client.raw(
        body,
        {
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": '"http://developer.intuit.com/authenticate"',
        },
    )
    root = etree.fromstring(reply.body)
    strings = root.findall(
        ".//{http://developer.intuit.com/}authenticateResult/{http://developer.intuit.com/}string"
    )
    assert len(strings) == 2 and strings[1].text == "nvu"


def test_failed_dependency_fails_its_dependants_only(app: QwcApp, client: SoapClient) -> None:
    """A job that fails takes the jobs depending on it down; an unrelated job still runs."""
    connection_id = make_connection(app)
    machine = make_machine(app, connection_id)
    first = enqueue(app, connection_id, customer_query(1))
    dependant = enqueue(app, connection_id, customer_query(2), depends_on=first)
    unrelated = enqueue(app, connection_id, customer_query(3))
    ticket = client.authenticate(machine.username, machine.password)[0]
    request = client.send_request(ticket)
    assert request_id_of(request) == f"{first}-1"
    client.receive_response(ticket, customer_response(request_id_of(request), status=3120))
    request = client.send_request(ticket)
    assert request_id_of(request) == f"{unrelated}-1"
    assert client.receive_response(ticket, customer_response(request_id_of(request))) == 100
    assert _job(app, connection_id, dependant).status == "error"
    assert str(first) in (_job(app, connection_id, dependant).error or "")
    assert _job(app, connection_id, unrelated).status == "done"
