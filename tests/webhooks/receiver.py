"""A real webhook receiver for tests: http.server on 127.0.0.1 in a thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    """One POST as the receiver saw it: headers (names lowercased), raw body, status answered."""

    headers: dict[str, str]
    body: bytes
    status: int


class Receiver:
    """Answers ``statuses`` in order (then ``then``), recording every request.

    ``hold_seconds`` keeps each request open a little, so two senders overlap in time.
    """

    def __init__(
        self,
        statuses: tuple[int, ...] = (),
        then: int = 200,
        *,
        hold_seconds: float = 0.0,
        location: str | None = None,
    ) -> None:
        self.statuses = list(statuses)
        self.then = then
        self.hold_seconds = hold_seconds
        self.location = location
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The URL to register as an endpoint."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/hook"

    def start(self) -> Receiver:
        """Start serving."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def _next_status(self) -> int:
        with self._lock:
            return self.statuses.pop(0) if self.statuses else self.then

    def _record(self, item: Received) -> None:
        with self._lock:
            self.received.append(item)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = receiver._next_status()
                if receiver.hold_seconds:
                    time.sleep(receiver.hold_seconds)
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver._record(Received(headers, body, status))
                answer = b"ok" if status < 300 else b"receiver is having a bad day"
                self.send_response(status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler


def ids_received(receiver: Receiver, accepted: Callable[[int], bool] | None = None) -> list[str]:
    """The event ids of the POSTs received (those answered 2xx, or as ``accepted`` says)."""
    keep = accepted or (lambda status: 200 <= status < 300)
    return [r.headers["qwc-event-id"] for r in receiver.received if keep(r.status)]
