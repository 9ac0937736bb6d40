"""``GET /metrics``: the Prometheus text exposition of this server."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import Engine

from qwc_service.db import SessionFactory
from qwc_service.metrics import PROCESS_REGISTRY, multiprocess_dir
from qwc_service.reporting.gauges import DatabaseCollector

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

# The classic text format every Prometheus version reads; the metric names need no escaping.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class _ProcessMetrics:
    """This process's counters, when there is no multi-process directory to read."""

    def collect(self) -> Iterator[Metric]:
        yield from PROCESS_REGISTRY.collect()


def build_registry(engine: Engine, session_factory: SessionFactory) -> CollectorRegistry:
    """Everything ``/metrics`` shows: the processes' counters and the database gauges."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir() is not None:
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # prometheus_client's
    else:
        registry.register(_ProcessMetrics())
    registry.register(DatabaseCollector(session_factory, engine.dialect.name))
    return registry


def metrics_page(engine: Engine, session_factory: SessionFactory) -> WsgiApp:
    """The ``/metrics`` WSGI page (GET or HEAD), in the Prometheus text format.

    It exposes operational numbers only, no customer data; keep it on a private network or
    behind the proxy's access rules all the same.
    """
    registry = build_registry(engine, session_factory)

    def handle(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            body = b"method not allowed\n"
            start_response(
                "405 Method Not Allowed",
                [
                    ("Content-Type", "text/plain; charset=utf-8"),
                    ("Content-Length", str(len(body))),
                    ("Allow", "GET, HEAD"),
                ],
            )
            return [body]
        body = generate_latest(registry)
        start_response(
            "200 OK",
            [
                ("Content-Type", CONTENT_TYPE),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
            ],
        )
        return [] if method == "HEAD" else [body]

    return handle
