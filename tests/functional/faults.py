"""Fault injection for tests: a TCP proxy that can be cut, killing processes, half-sent calls."""

from __future__ import annotations

import contextlib
import os
import select
import socket
import threading
import time
import urllib.request


class TcpProxy:
    """Forwards a local port to a target; ``cut()`` drops every connection and refuses new ones."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._open = threading.Event()
        self._open.set()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self._open.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        sockets = [a, b]
        try:
            while True:
                readable, _, _ = select.select(sockets, [], [], 1.0)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (b if sock is a else a).sendall(data)
        except OSError:
            return
        finally:
            for sock in sockets:
                with contextlib.suppress(OSError):
                    sock.close()

    def cut(self) -> int:
        """Drop every live connection and refuse new ones; returns how many were dropped."""
        self._open.clear()
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for a, b in pairs:
            for sock in (a, b):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
                except OSError:
                    pass
        return len(pairs)

    def restore(self) -> None:
        """Accept connections again."""
        self._open.set()

    def close(self) -> None:
        """Stop the proxy."""
        self._closed = True
        self.cut()
        self._listener.close()


def kill(pid: int) -> None:
    """SIGKILL a process."""
    os.kill(pid, 9)


def start_post(
    port: int, method: str, body: bytes, sent: int, *, close: bool = False
) -> socket.socket:
    """POST a SOAP call to 127.0.0.1:port but send only the first ``sent`` bytes of its body."""
    raw = socket.create_connection(("127.0.0.1", port))
    head = (
        "POST /qbwc HTTP/1.1\r\nHost: localhost\r\n"
        + ("Connection: close\r\n" if close else "")
        + "Content-Type: text/xml; charset=utf-8\r\n"
        + f'SOAPAction: "http://developer.intuit.com/{method}"\r\n'
        + f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    raw.sendall(head + body[:sent])
    return raw


def wait_healthy(url: str, timeout: float = 30) -> None:
    """Wait until the server at ``url`` answers its health check again."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("server did not come back")
