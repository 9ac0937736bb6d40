"""Onboarding through the API and running the simulated Web Connector against the server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from qwc_service.simulator.connector import SessionResult, WebConnector, WsgiTransport
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.qwcfile import read_qwc
from tests.api.client import ApiClient


@dataclass(frozen=True)
class Computer:
    """A machine added through the API: its username, password and downloaded .qwc."""

    username: str
    password: str
    qwc: bytes


def create_connection(client: ApiClient, name: str = "Acme Widgets", **extra: Any) -> str:
    """Create a connection through the API; returns its Connection ID."""
    reply = client.post("/api/connections", {"name": name, **extra})
    assert reply.status == 201, reply.body
    connection_id: str = reply.data["connection_id"]
    return connection_id


def add_computer(client: ApiClient, connection_id: str, label: str) -> Computer:
    """Add a machine and download its .qwc from the URL the API gave."""
    reply = client.post(f"/api/connections/{connection_id}/machines", {"label": label})
    assert reply.status == 201, reply.body
    qwc = client.get(urlsplit(reply.data["qwc_url"]).path)
    assert qwc.status == 200, qwc.body
    return Computer(reply.data["machine"]["username"], reply.data["password"], qwc.body)


def run_session(
    server: Any, computer: Computer, quickbooks: FakeQuickBooks, *, add: bool = True
) -> SessionResult:
    """One Web Connector update on ``computer``, over the WSGI app in-process."""
    connector = WebConnector(
        read_qwc(computer.qwc),
        computer.password,
        quickbooks,
        http=WsgiTransport(server),
        url="http://localhost/qbwc",
        machine_name=computer.username[-8:].upper(),
        noop_wait_seconds=0,
    )
    if add:
        connector.add_application()
    return connector.run_session()


def all_records(
    client: ApiClient, connection_id: str, record_type: str, limit: int = 7
) -> list[Any]:
    """Every stored record of a type, read page by page through the API."""
    rows: list[Any] = []
    after = None
    while True:
        reply = client.get(
            f"/api/connections/{connection_id}/records/{record_type}", limit=limit, after=after
        )
        assert reply.status == 200, reply.body
        rows += reply.data["data"]
        after = reply.data["next_after"]
        if after is None:
            return rows
