"""A thin SOAP client for tests: the simulator's wire format, any transport."""

from __future__ import annotations

from typing import Any

from qwc_service.simulator import wire
from qwc_service.simulator.transport import HttpReply, HttpTransport, WsgiTransport


class SoapClient:
    """Posts Web Connector envelopes and parses replies as strictly as the Web Connector."""

    def __init__(self, target: Any, url: str = "http://localhost/qbwc") -> None:
        self.transport: HttpTransport = target if hasattr(target, "post") else WsgiTransport(target)
        self.url = url

    def raw(self, body: bytes, headers: dict[str, str] | None = None) -> HttpReply:
        """Post any bytes (hostile-input tests)."""
        return self.transport.post(self.url, headers or wire.headers("serverVersion"), body)

    def call(self, method: str, *values: str | int | None) -> Any:
        """Call ``method`` with its parameters in WSDL order; returns the parsed result."""
        names = [name for name, _ in wire.PARAMETERS[method]]
        body = wire.envelope(method, list(zip(names, values, strict=True)))
        reply = self.transport.post(self.url, wire.headers(method), body)
        return wire.parse_reply(method, reply.status, reply.content_type, reply.body)

    def authenticate(self, username: str, password: str) -> list[str]:
        """authenticate's string array."""
        result: list[str] = self.call("authenticate", username, password)
        return result

    def send_request(
        self,
        ticket: str,
        hcp: str = "",
        company_file: str = r"C:\Company.QBW",
        country: str = "US",
        major: int = 13,
        minor: int = 0,
    ) -> str:
        """sendRequestXML's qbXML (or "")."""
        result: str = self.call("sendRequestXML", ticket, hcp, company_file, country, major, minor)
        return result

    def receive_response(
        self, ticket: str, response: str, hresult: str = "", message: str = ""
    ) -> int:
        """receiveResponseXML's progress."""
        result: int = self.call("receiveResponseXML", ticket, response, hresult, message)
        return result
