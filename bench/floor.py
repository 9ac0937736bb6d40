"""The floor: the least a Web Connector endpoint can do, to measure the server against.

A plain WSGI handler (lxml only, no database, no SOAP framework) that reads the same
envelopes the server reads — hardened parser, the parameters pulled out as text — and
answers with canned replies: authenticate hands out a ticket, sendRequestXML a canned
qbXML page request, receiveResponseXML a progress percentage. A session's page count
rides in the username (``floor-50`` asks for 50 pages; ``floor-idle`` finds no work:
authenticate answers "none"); progress is counted per ticket in the worker's memory, which
is fine here because a kept-alive connection stays on one worker.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterable
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree

NS = "http://developer.intuit.com/"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
#: What sendRequestXML hands out every time: one page of customers.
PAGE_REQUEST = (
    '<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="13.0"?>\n'
    '<QBXML><QBXMLMsgsRq onError="stopOnError"><CustomerQueryRq requestID="1">'
    "<MaxReturned>100</MaxReturned></CustomerQueryRq></QBXMLMsgsRq></QBXML>"
)
DEFAULT_PAGES = 50

StartResponse = Callable[..., Any]
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=True
)
_progress: dict[str, int] = {}
_lock = threading.Lock()


def _reply(method: str, inner: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<soap:Envelope xmlns:soap="{SOAP11}"><soap:Body>'
        f'<{method}Response xmlns="{NS}"><{method}Result>{inner}</{method}Result>'
        f"</{method}Response></soap:Body></soap:Envelope>"
    ).encode()


_SEND_REPLY = _reply("sendRequestXML", escape(PAGE_REQUEST))
#: A user whose name ends so finds no work: the idle poll of the fleet benchmark.
IDLE_SUFFIX = "-idle"
_IDLE_REPLY = _reply("authenticate", "<string></string><string>none</string>")


def _params(call: etree._Element) -> dict[str, str]:
    return {etree.QName(child).localname: child.text or "" for child in call}


def _pages_of(username: str) -> int:
    _, _, count = username.partition("-")
    return int(count) if count.isdigit() and int(count) > 0 else DEFAULT_PAGES


def _answer(method: str, params: dict[str, str]) -> bytes:
    if method == "authenticate":
        if params.get("strUserName", "").endswith(IDLE_SUFFIX):
            return _IDLE_REPLY
        ticket = f"{_pages_of(params.get('strUserName', ''))}-{secrets.token_hex(16)}"
        return _reply(method, f"<string>{ticket}</string><string />")
    if method == "sendRequestXML":
        return _SEND_REPLY
    if method == "receiveResponseXML":
        ticket = params.get("ticket", "")
        pages = _pages_of("x-" + ticket.partition("-")[0])
        with _lock:
            done = _progress.get(ticket, 0) + 1
            _progress[ticket] = done
        return _reply(method, str(min(100, 100 * done // pages)))
    if method == "closeConnection":
        with _lock:
            _progress.pop(params.get("ticket", ""), None)
        return _reply(method, "OK")
    if method == "serverVersion":
        return _reply(method, "floor 1")
    return _reply(method, "")


def _plain(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    body = text.encode()
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """The floor endpoint: POST /qbwc answers SOAP; anything else answers 200 text."""
    if environ.get("REQUEST_METHOD") != "POST":
        return _plain(start_response, "200 OK", "floor")
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length)
    try:
        root = etree.fromstring(body, _PARSER)
        if root.getroottree().docinfo.doctype:
            raise ValueError("DOCTYPE")
        call = root.find(f"{{{SOAP11}}}Body")[0]
        method = etree.QName(call).localname
        reply = _answer(method, _params(call))
    except (etree.XMLSyntaxError, ValueError, IndexError, TypeError):
        return _plain(start_response, "400 Bad Request", "not a SOAP request")
    start_response(
        "200 OK",
        [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(reply)))],
    )
    return [reply]
