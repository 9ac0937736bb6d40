"""The client side: the shipped simulator over real HTTP, with every POST timed on the wire.

Times are taken around the HTTP exchange only (request written, reply read, on a kept-alive
loopback connection), so neither the simulated QuickBooks nor the client's own envelope
work is counted as server time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from qwc_service.connections.credentials import new_guid
from qwc_service.simulator import wire
from qwc_service.simulator.connector import CallRecord, WebConnector
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.qwcfile import QwcFile
from qwc_service.simulator.transport import HttpClientTransport, HttpReply

SEND = "sendRequestXML"
RECEIVE = "receiveResponseXML"
#: The floor takes any password.
FLOOR_PASSWORD = "floor"


@dataclass(frozen=True)
class Timed:
    """One POST: the SOAP method, its wall time in ms, when it ended, the request size."""

    method: str
    ms: float
    ended: float
    request_bytes: int


class TimedTransport(HttpClientTransport):
    """HTTP/1.1 with keep-alive (the simulator's transport) that records each POST's time."""

    def __init__(self) -> None:
        super().__init__()
        self.timings: list[Timed] = []

    def post(self, url: str, headers: Mapping[str, str], body: bytes) -> HttpReply:
        """POST and record how long the server took to answer, as the client saw it."""
        action = headers.get("SOAPAction", "").strip('"')
        method = action.rsplit("/", 1)[-1]
        started = time.perf_counter()
        reply = super().post(url, headers, body)
        ended = time.perf_counter()
        self.timings.append(Timed(method, (ended - started) * 1000.0, ended, len(body)))
        return reply


def pair_times(timings: Sequence[Timed]) -> list[float]:
    """ms per sendRequestXML + receiveResponseXML pair, in session order."""
    pairs: list[float] = []
    pending: float | None = None
    for timed in timings:
        if timed.method == SEND:
            pending = timed.ms
        elif timed.method == RECEIVE and pending is not None:
            pairs.append(pending + timed.ms)
            pending = None
    return pairs


def floor_qwc(origin: str, name: str, pages: int) -> QwcFile:
    """A .qwc for the floor at ``origin``: the page count rides in the username."""
    return QwcFile(
        app_name=name,
        app_id="",
        app_url=f"{origin}/qbwc",
        app_description="floor",
        app_support=f"{origin}/support",
        user_name=f"floor-{pages}",
        owner_id=new_guid(),
        file_id=new_guid(),
        qb_type="QBFS",
    )


def connector(
    qwc: QwcFile,
    password: str,
    quickbooks: FakeQuickBooks,
    url: str,
    on_event: Callable[[CallRecord], None] | None = None,
) -> tuple[WebConnector, TimedTransport]:
    """A simulated Web Connector for ``qwc`` talking to ``url`` through a timed transport."""
    transport = TimedTransport()
    web_connector = WebConnector(
        qwc, password, quickbooks, url=url, http=transport, on_event=on_event
    )
    return web_connector, transport


class SoapClient:
    """Single SOAP calls on one kept-alive connection, each timed (for login and probe loops)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.transport = TimedTransport()

    def call(self, method: str, params: Sequence[wire.Param]) -> tuple[wire.Reply, float]:
        """Make one call; returns its result and its wall time in ms."""
        body = wire.envelope(method, params)
        reply = self.transport.post(self.url, wire.headers(method), body)
        value = wire.parse_reply(method, reply.status, reply.content_type, reply.body)
        return value, self.transport.timings[-1].ms

    def close(self) -> None:
        """Close the connection."""
        self.transport.close()
