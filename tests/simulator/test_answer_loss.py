"""Lost answers, refusals and switched-off features, through the simulated Web Connector over
real HTTP, and the message-set status check that finds a write whose answer was lost."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIServer, make_server

import pytest
from lxml import etree

from qwc_service.simulator.connector import WebConnector, format_transcript
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import EMPTY_SET, FakeQuickBooks, Loss
from qwc_service.simulator.qwcfile import QwcFile, read_qwc
from qwc_service.simulator.transcript import SessionResult
from tests.reference_files import INTUIT_HTTP_QWC
from tests.simulator.test_connector import PASSWORD, Replies, ScriptedServer, _QuietHandler


def write_set(set_id: str, name: str) -> str:
    """A CustomerAdd under error recovery."""
    return (
        '<?xml version="1.0" encoding="utf-8"?><?qbxml version="13.0"?><QBXML>'
        f'<QBXMLMsgsRq onError="stopOnError" newMessageSetID="{set_id}">'
        f'<CustomerAddRq requestID="w1"><CustomerAdd><Name>{name}</Name></CustomerAdd>'
        "</CustomerAddRq></QBXMLMsgsRq></QBXML>"
    )


def status_check(set_id: str) -> str:
    """The status check of an earlier set."""
    return (
        '<?xml version="1.0" encoding="utf-8"?><?qbxml version="13.0"?><QBXML>'
        f'<QBXMLMsgsRq onError="stopOnError" oldMessageSetID="{set_id}" '
        f'newMessageSetID="{set_id}"/></QBXML>'
    )


@pytest.fixture
def replies(capture: Callable[[str], bytes]) -> Replies:
    """Replies for a ScriptedServer, built from the captures."""
    return Replies(capture)


@pytest.fixture
def qwc(qwc_samples: Path) -> QwcFile:
    """Intuit's localhost sample .qwc."""
    return read_qwc(qwc_samples / INTUIT_HTTP_QWC)


class Switchboard:
    """Serves whichever ScriptedServer the test put in ``current``."""

    def __init__(self, current: ScriptedServer) -> None:
        self.current = current

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """Pass the request on."""
        return self.current(environ, start_response)


@pytest.fixture
def http(replies: Replies) -> Iterator[tuple[str, Switchboard]]:
    """A real HTTP socket in front of a Switchboard."""
    board = Switchboard(ScriptedServer(replies))
    httpd: WSGIServer = make_server("127.0.0.1", 0, board, handler_class=_QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{httpd.server_port}/qbwc", board
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def quickbooks(schema: etree.XMLSchema) -> FakeQuickBooks:
    """A small company checking requests against the schema."""
    return FakeQuickBooks(generate_company(customers=2, invoices=0), schema=schema)


def session(
    qwc: QwcFile,
    quickbooks: FakeQuickBooks,
    http: tuple[str, Switchboard],
    replies: Replies,
    request: str,
) -> tuple[SessionResult, ScriptedServer]:
    """One session whose server hands out ``request`` once."""
    url, board = http
    board.current = server = ScriptedServer(
        replies, sendRequestXML=[replies.text("sendRequestXML", request)]
    )
    return WebConnector(qwc, PASSWORD, quickbooks, url=url).run_session(), server


def named(quickbooks: FakeQuickBooks, name: str) -> int:
    """How many customers are called ``name``."""
    return sum(1 for c in quickbooks.company.customers.values() if c.name == name)


def test_lost_after_write_is_found_by_the_status_check(
    qwc: QwcFile,
    quickbooks: FakeQuickBooks,
    http: tuple[str, Switchboard],
    replies: Replies,
    schema: etree.XMLSchema,
) -> None:
    """after_dropped: applied, no receiveResponseXML; the next session's check returns it."""
    quickbooks.faults.lose(Loss.AFTER_DROPPED, request="CustomerAdd")
    lost, server = session(qwc, quickbooks, http, replies, write_set("J1", "Lost After"))
    assert (lost.outcome, lost.qbwc_code) == ("http_error", "QBWC1042")
    assert lost.answers_lost == ["after_dropped"]
    assert "answers lost on purpose: after_dropped" in format_transcript(lost)
    assert "receiveResponseXML" not in server.methods()
    assert "closeConnection" not in server.methods()
    assert named(quickbooks, "Lost After") == 1
    found, server = session(qwc, quickbooks, http, replies, status_check("J1"))
    assert found.outcome == "completed"
    (received,) = server.params("receiveResponseXML")
    msgs = etree.fromstring(received["response"].encode()).find("QBXMLMsgsRs")
    assert msgs is not None and schema.validate(msgs.getroottree())
    assert (msgs.get("messageSetStatusCode"), msgs.findtext("CustomerAddRs/CustomerRet/Name")) == (
        "0",
        "Lost After",
    )
    assert named(quickbooks, "Lost After") == 1


def test_lost_before_write_is_unknown_to_the_status_check(
    qwc: QwcFile, quickbooks: FakeQuickBooks, http: tuple[str, Switchboard], replies: Replies
) -> None:
    """before_dropped: nothing applied, the session ends at sendRequestXML; the check says 9002."""
    quickbooks.faults.lose(Loss.BEFORE_DROPPED)
    lost, server = session(qwc, quickbooks, http, replies, write_set("J2", "Lost Before"))
    assert (lost.outcome, lost.qbwc_code) == ("http_error", "QBWC1041")
    assert server.methods()[-1] == "sendRequestXML"
    assert named(quickbooks, "Lost Before") == 0
    _, server = session(qwc, quickbooks, http, replies, status_check("J2"))
    (received,) = server.params("receiveResponseXML")
    assert 'messageSetStatusCode="9002"' in received["response"]


@pytest.mark.parametrize(
    ("loss", "hresult", "applied"),
    [
        (Loss.AFTER_ERROR, "0x80040402", 1),
        (Loss.BEFORE_ERROR, "0x80040401", 0),
        (Loss.PARSE_ERROR, "0x80040400", 0),
    ],
)
def test_reported_losses_reach_receive_response_as_hresults(
    qwc: QwcFile,
    quickbooks: FakeQuickBooks,
    http: tuple[str, Switchboard],
    replies: Replies,
    loss: Loss,
    hresult: str,
    applied: int,
) -> None:
    """A loss the Web Connector reports carries an HRESULT, no response, and applied or not."""
    quickbooks.faults.lose(loss, request="CustomerAdd")
    result, server = session(qwc, quickbooks, http, replies, write_set("J3", "Reported Co"))
    assert result.outcome == "completed"
    (received,) = server.params("receiveResponseXML")
    assert (received["response"], received["hresult"]) == ("", hresult)
    assert received["message"]
    assert named(quickbooks, "Reported Co") == applied


def test_loss_targets_the_nth_matching_write(
    qwc: QwcFile, quickbooks: FakeQuickBooks, http: tuple[str, Switchboard], replies: Replies
) -> None:
    """nth=2 lets the first CustomerAdd through and loses the second only."""
    quickbooks.faults.lose(Loss.AFTER_ERROR, request="CustomerAddRq", nth=2)
    outcomes = []
    for n in (1, 2, 3):
        _, server = session(qwc, quickbooks, http, replies, write_set(f"N{n}", f"Nth {n}"))
        outcomes.append(server.params("receiveResponseXML")[0]["hresult"])
    assert outcomes == ["", "0x80040402", ""]
    assert [named(quickbooks, f"Nth {n}") for n in (1, 2, 3)] == [1, 1, 1]


def test_queries_do_not_count_against_write_rules(
    qwc: QwcFile, quickbooks: FakeQuickBooks, http: tuple[str, Switchboard], replies: Replies
) -> None:
    """A rule for any write ignores query sets and the status check."""
    quickbooks.faults.lose(Loss.BEFORE_ERROR)
    result, _ = session(qwc, quickbooks, http, replies, status_check("Q1"))
    assert result.answers_lost == []
    result, _ = session(qwc, quickbooks, http, replies, write_set("Q2", "Counted Co"))
    assert result.answers_lost == ["before_error"]


def test_status_check_answer_can_be_lost(
    qwc: QwcFile, quickbooks: FakeQuickBooks, http: tuple[str, Switchboard], replies: Replies
) -> None:
    """EMPTY_SET targets the status check: its answer is lost, the record stays for the next."""
    session(qwc, quickbooks, http, replies, write_set("S1", "Checked Co"))
    quickbooks.faults.lose(Loss.AFTER_DROPPED, request=EMPTY_SET)
    lost, _ = session(qwc, quickbooks, http, replies, status_check("S1"))
    assert lost.answers_lost == ["after_dropped"]
    _, server = session(qwc, quickbooks, http, replies, status_check("S1"))
    assert 'messageSetStatusCode="0"' in server.params("receiveResponseXML")[0]["response"]


def test_refusal_answers_a_lock_code_a_number_of_times(
    qwc: QwcFile, quickbooks: FakeQuickBooks, http: tuple[str, Switchboard], replies: Replies
) -> None:
    """refuse(3180, times=2): two writes answer 3180 and change nothing, the third succeeds."""
    quickbooks.faults.refuse(3180, request="CustomerAdd", times=2)
    codes = []
    for n in (1, 2, 3):
        _, server = session(qwc, quickbooks, http, replies, write_set(f"R{n}", "Locked Co"))
        rs = etree.fromstring(server.params("receiveResponseXML")[0]["response"].encode())
        codes.append(rs.find("QBXMLMsgsRs/CustomerAddRs").get("statusCode"))  # type: ignore[union-attr]
    assert codes == ["3180", "3180", "0"]
    assert named(quickbooks, "Locked Co") == 1


def test_disabled_feature_answers_3250(
    qwc: QwcFile, quickbooks: FakeQuickBooks, http: tuple[str, Switchboard], replies: Replies
) -> None:
    """disable("CustomerAdd"): 3250 until enabled again."""
    quickbooks.faults.disable("CustomerAdd")
    _, server = session(qwc, quickbooks, http, replies, write_set("D1", "Off Co"))
    assert 'statusCode="3250"' in server.params("receiveResponseXML")[0]["response"]
    quickbooks.faults.enable("CustomerAdd")
    _, server = session(qwc, quickbooks, http, replies, write_set("D2", "Off Co"))
    assert 'statusCode="0"' in server.params("receiveResponseXML")[0]["response"]
