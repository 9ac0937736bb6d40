"""What every SOAP call goes through, answered by the SOAP stack or directly: the caller's
context, one log event and the metrics."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from time import perf_counter
from typing import Any, TypeVar

import structlog

from qwc_service.metrics import observe_soap_call
from qwc_service.qbwc.exchange import CallContext

log = structlog.get_logger("qwc_service.soap")

T = TypeVar("T")


class CallFailed(Exception):
    """The exchange raised; it has been logged, and the client gets a bare Server fault."""


def call_context(environ: Mapping[str, Any]) -> CallContext:
    """Who is calling, from the WSGI environ (the address a trusted proxy named, if any)."""
    address = environ.get("qwc.client_address") or environ.get("REMOTE_ADDR") or ""
    return CallContext(client_address=str(address))


def run_call(method: str, fn: Callable[[], T], outcome: Callable[[T], Any]) -> T:
    """Run one call's service, timing, counting and logging it; CallFailed if it raised."""
    structlog.contextvars.clear_contextvars()
    start = perf_counter()
    try:
        result = fn()
    except Exception:
        elapsed = perf_counter() - start
        observe_soap_call(method, "server_error", elapsed)
        log.exception(
            "soap_call",
            method=method,
            outcome="server_error",
            duration_ms=round(elapsed * 1000, 2),
        )
        raise CallFailed(method) from None
    elapsed = perf_counter() - start
    label = outcome(result)
    observe_soap_call(method, label, elapsed)
    log.info("soap_call", method=method, outcome=label, duration_ms=round(elapsed * 1000, 2))
    return result
