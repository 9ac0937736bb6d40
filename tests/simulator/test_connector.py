"""Tests for the simulated Web Connector against a scripted server with capture-shaped replies."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from lxml import etree

from qwc_service.simulator import wire
from qwc_service.simulator.connector import (
    WebConnector,
    format_transcript,
    parse_dataset_spec,
    simulate,
)
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.qwcfile import QwcFile, QwcRejected, read_qwc
from qwc_service.simulator.transcript import CallRecord
from qwc_service.simulator.transport import HttpClientTransport, WsgiTransport
from tests.reference_files import INTUIT_HTTP_QWC

TICKET = "354f40b4-b661-4472-a13f-8abf13a743c3"
PASSWORD = "s3cret-pa55"
CUSTOMER_QUERY = (
    '<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="13.0"?>\n<QBXML>\n'
    '<QBXMLMsgsRq onError="stopOnError">\n<CustomerQueryRq requestID="1">\n'
    "<MaxReturned>2</MaxReturned>\n</CustomerQueryRq>\n</QBXMLMsgsRq>\n</QBXML>"
)

Canned = tuple[str, str, bytes]


_RESULT = "<ns1:closeConnectionResult>Complete!</ns1:closeConnectionResult>"


class Replies:
    """Canned replies shaped like the consolibyte server's, and the captured replies by name."""

    def __init__(self, capture: Callable[[str], bytes]) -> None:
        self._capture = capture
        # The consolibyte server's closeConnection reply is the template for every canned reply.
        self._template = capture("closeConnection-response-RENDERED-consolibyte-builtin.xml")
        assert _RESULT.encode() in self._template

    def canned(self, method: str, result_xml: str, *, status: str = "200 OK") -> Canned:
        """A consolibyte-shaped reply for ``method`` whose response element holds ``result_xml``."""
        text = (
            self._template.decode("utf-8")
            .replace(_RESULT, result_xml)
            .replace("closeConnectionResponse", f"{method}Response")
        )
        return status, "text/xml", text.encode("utf-8")

    def text(self, method: str, value: str) -> Canned:
        """A string result."""
        return self.canned(
            method, f"<ns1:{method}Result>{wire.escape_text(value)}</ns1:{method}Result>"
        )

    def percent(self, value: int) -> Canned:
        """A receiveResponseXML percentage."""
        return self.canned(
            "receiveResponseXML",
            f"<ns1:receiveResponseXMLResult>{value}</ns1:receiveResponseXMLResult>",
        )

    def auth(self, *strings: str) -> Canned:
        """An authenticate result: one <ns1:string> per value, each followed by a newline."""
        items = "".join(f"<ns1:string>{wire.escape_text(s)}</ns1:string>\n" for s in strings)
        return self.canned(
            "authenticate", f"<ns1:authenticateResult>{items}</ns1:authenticateResult>"
        )

    def capture(self, name: str, **values: str) -> Canned:
        """A capture's payload as the reply, ``{placeholders}`` filled in."""
        text = self._capture(name).decode("utf-8")
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        return "200 OK", "text/xml", text.encode("utf-8")


class ScriptedServer:
    """A WSGI app answering each method from a script; the last reply of a method repeats."""

    def __init__(self, replies: Replies, **script: list[Canned]) -> None:
        self.script: dict[str, list[Canned]] = {
            "serverVersion": [replies.text("serverVersion", "scripted 1.0")],
            "clientVersion": [replies.text("clientVersion", "")],
            "authenticate": [replies.auth(TICKET, "")],
            "sendRequestXML": [replies.text("sendRequestXML", CUSTOMER_QUERY)],
            "receiveResponseXML": [replies.percent(100)],
            "getLastError": [replies.text("getLastError", "NoOp")],
            "connectionError": [replies.text("connectionError", "done")],
            "closeConnection": [replies.text("closeConnection", "Complete!")],
        }
        self.script.update(script)
        self.calls: list[tuple[str, dict[str, str], dict[str, str]]] = []
        self.support_status = "200 OK"
        self.support_hits: list[str] = []

    def methods(self) -> list[str]:
        """The methods called, in order."""
        return [method for method, _, _ in self.calls]

    def params(self, method: str) -> list[dict[str, str]]:
        """The parameters of every call to ``method``."""
        return [params for name, params, _ in self.calls if name == method]

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """Answer a GET (AppSupport) or a SOAP POST from the script."""
        if environ["REQUEST_METHOD"] == "GET":
            self.support_hits.append(environ["PATH_INFO"] + "?" + environ["QUERY_STRING"])
            start_response(self.support_status, [("Content-Type", "text/html")])
            return [b"<html>support</html>"]
        body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        method = environ["HTTP_SOAPACTION"].strip('"').removeprefix(wire.NS)
        wrapper = etree.fromstring(body)[0][0]
        assert wrapper.tag == f"{{{wire.NS}}}{method}"
        params = {etree.QName(child).localname: child.text or "" for child in wrapper}
        headers = {
            "content-type": environ["CONTENT_TYPE"],
            "user-agent": environ["HTTP_USER_AGENT"],
        }
        self.calls.append((method, params, headers))
        replies = self.script[method]
        status, content_type, reply = replies.pop(0) if len(replies) > 1 else replies[0]
        start_response(status, [("Content-Type", content_type)])
        return [reply]


@pytest.fixture
def replies(capture: Callable[[str], bytes]) -> Replies:
    """Replies for a ScriptedServer, built from the captures."""
    return Replies(capture)


@pytest.fixture
def sample_qwc(qwc_samples: Path) -> Path:
    """Intuit's localhost sample .qwc (http allowed for localhost)."""
    return qwc_samples / INTUIT_HTTP_QWC


@pytest.fixture
def qwc(sample_qwc: Path) -> QwcFile:
    """Intuit's localhost sample .qwc, read."""
    return read_qwc(sample_qwc)


@pytest.fixture
def quickbooks() -> FakeQuickBooks:
    """A small generated company, QuickBooks running."""
    return FakeQuickBooks(generate_company(customers=3, items=2, invoices=2, payments=1))


def connector(
    qwc: QwcFile, quickbooks: FakeQuickBooks, server: ScriptedServer, **kwargs: Any
) -> WebConnector:
    """A Web Connector wired to ``server`` in-process, without NoOp pauses."""
    kwargs.setdefault("noop_wait_seconds", 0)
    return WebConnector(qwc, PASSWORD, quickbooks, http=WsgiTransport(server), **kwargs)


# -- a full session -------------------------------------------------------------------------------


def test_session_makes_the_calls_in_qbwc_order(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """serverVersion, clientVersion, authenticate, send/receive until 100, then closeConnection."""
    server = ScriptedServer(replies, receiveResponseXML=[replies.percent(50), replies.percent(100)])
    result = connector(qwc, quickbooks, server).run_session()
    assert server.methods() == [
        "serverVersion",
        "clientVersion",
        "authenticate",
        "sendRequestXML",
        "receiveResponseXML",
        "sendRequestXML",
        "receiveResponseXML",
        "closeConnection",
    ]
    assert result.outcome == "completed"
    assert result.progress == [50, 100]
    assert result.requests_processed == 2
    assert (result.ticket, result.auth_status) == (TICKET, "")
    assert result.server_version == "scripted 1.0"
    assert result.close_message == "Complete!"
    assert [call.method for call in result.calls] == server.methods()
    assert not quickbooks.session_open


def test_requests_carry_what_qbwc_sends(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """Version, credentials, the echoed ticket and .NET's headers reach the server."""
    server = ScriptedServer(replies)
    connector(qwc, quickbooks, server, version="2.2.0.71").run_session()
    assert server.params("serverVersion") == [{}]
    assert server.params("clientVersion") == [{"strVersion": "2.2.0.71"}]
    assert server.params("authenticate") == [{"strUserName": "username", "strPassword": PASSWORD}]
    for method, params, headers in server.calls[2 + 1 :]:
        assert params["ticket"] == TICKET, method
        assert headers == {
            "content-type": "text/xml; charset=utf-8",
            "user-agent": wire.USER_AGENT,
        }


def test_only_the_first_send_request_carries_the_hcp(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """strHCPResponse is QuickBooks' HCP document once, then empty; file and versions every time."""
    server = ScriptedServer(
        replies, receiveResponseXML=[replies.percent(30), replies.percent(60), replies.percent(100)]
    )
    web_connector = connector(qwc, quickbooks, server)
    web_connector.add_application()
    web_connector.run_session()
    sends = server.params("sendRequestXML")
    assert len(sends) == 3
    hcp = etree.fromstring(sends[0]["strHCPResponse"].encode())
    assert [rs.tag for rs in hcp.find("QBXMLMsgsRs")] == [
        "HostQueryRs",
        "CompanyQueryRs",
        "PreferencesQueryRs",
    ]
    stamps = {
        ext.findtext("DataExtName"): ext.findtext("DataExtValue")
        for ext in hcp.iter("DataExtRet")
        if ext.findtext("OwnerID") == qwc.owner_id
    }
    # QBWC holds the AppLock under its OwnerID while the session runs.
    assert stamps["FileID"] == qwc.file_id
    assert (stamps["AppLock"] or "").startswith("LOCKED:SIMULATED-PC:")
    assert [send["strHCPResponse"] for send in sends[1:]] == ["", ""]
    major, minor = quickbooks.company.max_qbxml_version
    for send in sends:
        assert send["strCompanyFileName"] == quickbooks.company.file_path
        assert send["qbXMLCountry"] == quickbooks.company.country
        assert (send["qbXMLMajorVers"], send["qbXMLMinorVers"]) == (str(major), str(minor))


def test_quickbooks_answers_reach_receive_response(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """The qbXML request is run through the fake QuickBooks and its response sent back."""
    server = ScriptedServer(replies)
    connector(qwc, quickbooks, server).run_session()
    (received,) = server.params("receiveResponseXML")
    assert "<CustomerQueryRs" in received["response"]
    assert (received["hresult"], received["message"]) == ("", "")


def test_malformed_qbxml_is_reported_through_hresult(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """A request QuickBooks cannot parse comes back as an empty response, HRESULT and message."""
    server = ScriptedServer(
        replies, sendRequestXML=[replies.text("sendRequestXML", "<QBXML><oops></QBXML>")]
    )
    result = connector(qwc, quickbooks, server).run_session()
    (received,) = server.params("receiveResponseXML")
    assert received["response"] == ""
    assert received["hresult"].startswith("0x8004")
    assert received["message"]
    assert result.outcome == "completed"


def test_password_is_masked_in_records_and_transcript(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """The password is sent to the server but never recorded: QBWC logs <MaskedForSecurity>."""
    seen: list[CallRecord] = []
    result = connector(qwc, quickbooks, ScriptedServer(replies), on_event=seen.append).run_session()
    assert seen == result.calls
    transcript = format_transcript(result)
    assert PASSWORD not in transcript
    assert all(PASSWORD not in call.params for call in result.calls)
    assert "strPassword=<MaskedForSecurity>" in result.calls[2].params
    assert len([line for line in transcript.splitlines() if "[HTTP 200" in line]) == len(
        result.calls
    )
    assert "outcome: completed" in transcript


# -- sendRequestXML "" and getLastError -----------------------------------------------------------


def test_noop_pauses_and_asks_again(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """ "" then getLastError "NoOp" makes QBWC ask for a request again, without the HCP."""
    server = ScriptedServer(
        replies,
        sendRequestXML=[
            replies.text("sendRequestXML", ""),
            replies.text("sendRequestXML", CUSTOMER_QUERY),
        ],
    )
    result = connector(qwc, quickbooks, server).run_session()
    assert server.methods()[3:] == [
        "sendRequestXML",
        "getLastError",
        "sendRequestXML",
        "receiveResponseXML",
        "closeConnection",
    ]
    assert server.params("sendRequestXML")[1]["strHCPResponse"] == ""
    assert result.outcome == "completed"


def test_last_error_message_ends_the_session(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """ "" then a getLastError message: the message is kept and closeConnection called."""
    server = ScriptedServer(
        replies,
        sendRequestXML=[replies.text("sendRequestXML", "")],
        getLastError=[replies.text("getLastError", "Nothing to do & no queue")],
    )
    result = connector(qwc, quickbooks, server).run_session()
    assert server.methods()[3:] == ["sendRequestXML", "getLastError", "closeConnection"]
    assert result.outcome == "server_error"
    assert result.last_error == "Nothing to do & no queue"


def test_negative_percentage_asks_for_the_last_error(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """receiveResponseXML < 0: getLastError, closeConnection, stop."""
    server = ScriptedServer(
        replies,
        receiveResponseXML=[replies.percent(-101)],
        getLastError=[replies.text("getLastError", "Job 7 failed: 3100 name in use")],
    )
    result = connector(qwc, quickbooks, server).run_session()
    assert server.methods()[3:] == [
        "sendRequestXML",
        "receiveResponseXML",
        "getLastError",
        "closeConnection",
    ]
    assert result.outcome == "server_error"
    assert result.progress == [-101]
    assert result.last_error == "Job 7 failed: 3100 name in use"


def test_endless_progress_stops_at_max_calls(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """A server that never reaches 100 is cut off after max_calls SOAP calls."""
    server = ScriptedServer(replies, receiveResponseXML=[replies.percent(50)])
    result = connector(qwc, quickbooks, server, max_calls=20).run_session()
    assert result.outcome == "call_limit"
    assert len(server.calls) == 20


# -- authenticate and clientVersion stops ---------------------------------------------------------


@pytest.mark.parametrize("status", ["nvu", "none", "busy", "NONE"])
def test_authenticate_status_stops_without_close(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks, status: str
) -> None:
    """nvu/none/busy (any case) end the session right after authenticate."""
    server = ScriptedServer(replies, authenticate=[replies.auth(TICKET, status)])
    result = connector(qwc, quickbooks, server).run_session()
    assert server.methods() == ["serverVersion", "clientVersion", "authenticate"]
    assert result.outcome == status.lower()
    assert result.auth_status == status


def test_postpone_and_minimum_run_interval_are_read(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """authRet[2] and authRet[3] are the postpone seconds and the minimum run interval."""
    server = ScriptedServer(replies, authenticate=[replies.auth(TICKET, "none", "60", "300")])
    result = connector(qwc, quickbooks, server).run_session()
    assert (result.postpone_seconds, result.min_run_seconds) == (60, 300)


def test_rendered_consolibyte_nvu_reply_stops(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """The consolibyte server's failed-login reply (empty ticket, nvu) ends the session as nvu."""
    reply = replies.capture("authenticate-response-RENDERED-consolibyte-builtin-2.xml")
    result = connector(qwc, quickbooks, ScriptedServer(replies, authenticate=[reply])).run_session()
    assert (result.outcome, result.ticket) == ("nvu", "")


@pytest.mark.parametrize("verdict", ["E:Upgrade the Web Connector", "O:2.3.0.215"])
def test_client_version_error_or_other_version_refuses(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks, verdict: str
) -> None:
    """clientVersion "E:..." or "O:..." stops before authenticate."""
    server = ScriptedServer(replies, clientVersion=[replies.text("clientVersion", verdict)])
    result = connector(qwc, quickbooks, server).run_session()
    assert server.methods() == ["serverVersion", "clientVersion"]
    assert (result.outcome, result.last_error) == ("version_refused", verdict)


def test_client_version_warning_continues(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """clientVersion "W:..." is recorded and the session goes on."""
    server = ScriptedServer(
        replies, clientVersion=[replies.text("clientVersion", "W:Please upgrade soon")]
    )
    result = connector(qwc, quickbooks, server).run_session()
    assert result.outcome == "completed"
    assert result.warnings == ["clientVersion warning: Please upgrade soon"]


def test_server_version_fault_is_tolerated(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """A server without serverVersion (SOAP fault) is still updated; the fault is a warning."""
    fault = (
        "500 Internal Server Error",
        "text/xml; charset=utf-8",
        (
            f'<?xml version="1.0"?><soap:Envelope xmlns:soap="{wire.SOAP11}"><soap:Body>'
            "<soap:Fault>"
            "<faultcode>soap:Client</faultcode><faultstring>Server did not recognize the value of "
            "HTTP Header SOAPAction</faultstring></soap:Fault></soap:Body></soap:Envelope>"
        ).encode(),
    )
    result = connector(
        qwc, quickbooks, ScriptedServer(replies, serverVersion=[fault])
    ).run_session()
    assert result.outcome == "completed"
    assert "serverVersion answered a SOAP fault" in result.warnings[0]


# -- connecting to QuickBooks ---------------------------------------------------------------------


def test_quickbooks_not_running_retries_once(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """connectionError "" retries once; still not running: connectionError again, then stop."""
    quickbooks.running = False
    server = ScriptedServer(replies, connectionError=[replies.text("connectionError", "")])
    result = connector(qwc, quickbooks, server).run_session()
    assert server.methods()[3:] == ["connectionError", "connectionError", "closeConnection"]
    assert server.params("connectionError")[0] == {
        "ticket": TICKET,
        "hresult": "0x80040408",
        "message": server.params("connectionError")[0]["message"],
    }
    assert result.outcome == "connection_error"
    assert result.qbwc_code == "QBWC1013"
    assert result.last_error is not None and result.last_error.startswith("0x80040408")


def test_connection_error_done_stops_at_once(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """connectionError "done" ends the session after one call."""
    quickbooks.running = False
    server = ScriptedServer(replies)
    result = connector(qwc, quickbooks, server).run_session()
    assert server.methods()[3:] == ["connectionError", "closeConnection"]
    assert result.outcome == "connection_error"


def test_retry_succeeds_once_quickbooks_is_started(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """When QuickBooks is running by the retry, the session carries on normally."""
    quickbooks.running = False

    def start_quickbooks(record: CallRecord) -> None:
        if record.method == "connectionError":
            quickbooks.running = True

    server = ScriptedServer(replies, connectionError=[replies.text("connectionError", "")])
    result = connector(qwc, quickbooks, server, on_event=start_quickbooks).run_session()
    assert server.methods()[3:] == [
        "connectionError",
        "sendRequestXML",
        "receiveResponseXML",
        "closeConnection",
    ]
    assert result.outcome == "completed"


def test_another_company_path_fails_then_open_file_is_used(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """authenticate naming a file QuickBooks has not open fails with 0x8004040A; "" retries."""
    other = "C:\\Company Files\\someone-else.QBW"
    server = ScriptedServer(
        replies,
        authenticate=[replies.auth(TICKET, other)],
        connectionError=[replies.text("connectionError", "")],
    )
    result = connector(qwc, quickbooks, server).run_session()
    assert server.params("connectionError")[0]["hresult"] == "0x8004040A"
    assert result.outcome == "completed"
    assert result.company_file == quickbooks.company.file_path


def test_company_file_in_use_by_another_session(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """A QuickBooks whose file another machine's session holds fails to begin with 0x80040422."""
    quickbooks.begin_session("OTHER-PC")
    server = ScriptedServer(replies)
    result = connector(qwc, quickbooks, server).run_session()
    quickbooks.end_session()
    assert server.params("connectionError")[0]["hresult"] == "0x80040422"
    assert result.outcome == "connection_error"


def test_quickbooks_closing_mid_session_reports_the_hresult(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """QuickBooks gone before ProcessRequest: receiveResponseXML carries the HRESULT instead."""

    def close_quickbooks(record: CallRecord) -> None:
        if record.method == "sendRequestXML":
            quickbooks.running = False

    server = ScriptedServer(replies)
    result = connector(qwc, quickbooks, server, on_event=close_quickbooks).run_session()
    (received,) = server.params("receiveResponseXML")
    assert (received["response"], received["hresult"]) == ("", "0x80040408")
    assert result.outcome == "completed"
    assert not quickbooks.session_open


def test_authenticate_path_of_the_open_file_is_used(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """authRet[1] naming the open company file (any case) goes straight to sendRequestXML."""
    path = quickbooks.company.file_path.upper()
    server = ScriptedServer(replies, authenticate=[replies.auth(TICKET, path)])
    result = connector(qwc, quickbooks, server).run_session()
    assert "connectionError" not in server.methods()
    assert result.outcome == "completed"


# -- replies the Web Connector rejects ------------------------------------------------------------


def test_wcf_authenticate_reply_is_a_protocol_violation(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """The WCF reply QBWC rejected stops the session with QBWC1012 and nothing after it."""
    reply = replies.capture("authenticate-response-REJECTED-by-QBWC-WCF-pastebin-LiD07kF9.xml")
    server = ScriptedServer(replies, authenticate=[reply])
    result = connector(qwc, quickbooks, server).run_session()
    assert server.methods() == ["serverVersion", "clientVersion", "authenticate"]
    assert result.outcome == "protocol_violation"
    assert result.qbwc_code == "QBWC1012"
    assert result.last_error == "QBWC1012: Index was outside the bounds of the array."
    assert result.calls[-1].result.startswith("rejected: QBWC1012")


def test_soap12_receive_response_is_a_protocol_violation(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """flowlink's SOAP 1.2 receiveResponseXML reply stops the session with QBWC1042."""
    reply = replies.capture("receiveResponseXML-response-flowlink-erb-template.xml")
    server = ScriptedServer(replies, receiveResponseXML=[reply])
    result = connector(qwc, quickbooks, server).run_session()
    assert server.methods()[-1] == "receiveResponseXML"
    assert (result.outcome, result.qbwc_code) == ("protocol_violation", "QBWC1042")
    assert not quickbooks.session_open


def test_flowlink_templates_run_a_session(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """The SOAP 1.1 templates QBWC accepted in production drive a whole session."""
    server = ScriptedServer(
        replies,
        authenticate=[
            replies.capture("authenticate-response-flowlink-erb-template.xml", result="")
        ],
        clientVersion=[
            replies.capture("clientVersion-response-flowlink-erb-template.xml", version="")
        ],
        sendRequestXML=[
            replies.capture(
                "sendRequestXML-response-flowlink-erb-template.xml",
                qbxml_fast_xs=wire.escape_text(CUSTOMER_QUERY),
            )
        ],
        closeConnection=[replies.capture("closeConnection-response-flowlink-erb-template.xml")],
    )
    result = connector(qwc, quickbooks, server).run_session()
    assert result.outcome == "completed"
    assert result.ticket == TICKET
    assert result.close_message == "Connection closed"


def test_http_error_status_stops_the_session(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """A 404 from sendRequestXML ends the session as an HTTP error with QBWC1041."""
    server = ScriptedServer(
        replies, sendRequestXML=[("404 Not Found", "text/html", b"<h1>nope</h1>")]
    )
    result = connector(qwc, quickbooks, server).run_session()
    assert (result.outcome, result.qbwc_code) == ("http_error", "QBWC1041")
    assert result.calls[-1].http_status == 404


def test_unreachable_server_is_an_http_error(qwc: QwcFile, quickbooks: FakeQuickBooks) -> None:
    """Nothing listening: the first call fails and the session ends as an HTTP error."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    web_connector = WebConnector(
        qwc,
        PASSWORD,
        quickbooks,
        url=f"http://localhost:{port}/qbwc",
        http=HttpClientTransport(timeout=5),
    )
    result = web_connector.run_session()
    assert result.outcome == "http_error"
    assert result.calls[0].http_status is None
    assert result.last_error is not None and result.last_error.startswith("serverVersion")


# -- adding the application -----------------------------------------------------------------------


def test_add_application_stamps_the_file_id(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """Adding GETs AppSupport and stamps the FileID under the OwnerID; adding again is fine."""
    server = ScriptedServer(replies)
    web_connector = connector(qwc, quickbooks, server)
    web_connector.add_application()
    web_connector.add_application()
    assert quickbooks.file_id_for(qwc.owner_id) == qwc.file_id
    assert server.support_hits == ["/WCWebService/WCWebService.asmx?wsdl"] * 2


def test_add_application_refuses_another_file_id(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """A company already stamped with another FileID for this OwnerID gives QBWC1039."""
    quickbooks.stamp_file_id(qwc.owner_id, "{00000000-0000-0000-0000-000000000001}")
    with pytest.raises(QwcRejected) as caught:
        connector(qwc, quickbooks, ScriptedServer(replies)).add_application()
    assert caught.value.code == "QBWC1039"
    assert "Unique OwnerID/FileID pair value required" in str(caught.value)


def test_add_application_needs_a_reachable_support_page(
    replies: Replies, qwc: QwcFile, quickbooks: FakeQuickBooks
) -> None:
    """AppSupport answering 404 refuses the application with QBWC1003 and stamps nothing."""
    server = ScriptedServer(replies)
    server.support_status = "404 Not Found"
    with pytest.raises(QwcRejected) as caught:
        connector(qwc, quickbooks, server).add_application()
    assert caught.value.code == "QBWC1003"
    assert quickbooks.file_id_for(qwc.owner_id) is None


def test_add_application_validates_the_file(
    sample_qwc: Path, replies: Replies, quickbooks: FakeQuickBooks
) -> None:
    """A .qwc with a plain-http public AppURL is refused before anything is contacted."""
    data = sample_qwc.read_text().replace("http://localhost/", "http://example.com/")
    server = ScriptedServer(replies)
    with pytest.raises(QwcRejected) as caught:
        connector(read_qwc(data.encode()), quickbooks, server).add_application()
    assert caught.value.code == "QBWC1051"
    assert server.support_hits == []


def test_url_override_moves_app_support_along(qwc: QwcFile, quickbooks: FakeQuickBooks) -> None:
    """With url= pointing elsewhere, AppSupport on the same host follows it."""
    web_connector = WebConnector(qwc, PASSWORD, quickbooks, url="http://localhost:8123/qbwc")
    assert (
        web_connector.support_url() == "http://localhost:8123/WCWebService/WCWebService.asmx?wsdl"
    )


# -- real HTTP, dataset specs and simulate() ------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean."""


@pytest.fixture
def live_server(replies: Replies) -> Iterator[tuple[str, ScriptedServer]]:
    """The scripted server behind a real HTTP socket on 127.0.0.1."""
    app = ScriptedServer(replies, receiveResponseXML=[replies.percent(40), replies.percent(100)])
    httpd: WSGIServer = make_server("127.0.0.1", 0, app, handler_class=_QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{httpd.server_port}", app
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_session_over_real_http(
    qwc: QwcFile, quickbooks: FakeQuickBooks, live_server: tuple[str, ScriptedServer]
) -> None:
    """The default transport runs a whole session over a socket."""
    base, app = live_server
    result = WebConnector(qwc, PASSWORD, quickbooks, url=f"{base}/qbwc").run_session()
    assert result.outcome == "completed"
    assert result.progress == [40, 100]
    assert all(call.http_status == 200 for call in result.calls)
    assert len(app.calls) == len(result.calls)


def test_simulate_adds_and_runs(
    sample_qwc: Path, tmp_path: Path, live_server: tuple[str, ScriptedServer]
) -> None:
    """simulate() reads the .qwc, adds the application and runs a session on a generated company."""
    base, app = live_server
    qwc_path = tmp_path / "app.qwc"
    qwc_path.write_bytes(sample_qwc.read_bytes())
    result = simulate(qwc_path, PASSWORD, url=f"{base}/qbwc", dataset_spec="customers=2,invoices=1")
    assert result.outcome == "completed"
    assert app.support_hits == ["/WCWebService/WCWebService.asmx?wsdl"]


def test_parse_dataset_spec() -> None:
    """Counts parse into generate_company keyword arguments; None gives the defaults."""
    assert parse_dataset_spec("customers=25, items=10,invoices=50") == {
        "customers": 25,
        "items": 10,
        "invoices": 50,
    }
    assert parse_dataset_spec(None)["customers"] > 0
    assert parse_dataset_spec("") == {}


@pytest.mark.parametrize("spec", ["customers", "customers=-1", "widgets=3", "customers=many"])
def test_parse_dataset_spec_refuses_nonsense(spec: str) -> None:
    """Unknown names, missing '=' and non-numeric or negative counts are refused."""
    with pytest.raises(ValueError):
        parse_dataset_spec(spec)
