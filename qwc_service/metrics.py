"""Prometheus counters kept by each process, added up across gunicorn workers at scrape time.

What is measured
----------------
* ``qwc_soap_calls_total{method,outcome}``: SOAP calls by method and outcome.
* ``qwc_soap_call_duration_seconds{method}``: how long the server took for each call.
* ``qwc_login_failures_total{reason}``: refused Web Connector logins.
* ``qwc_webhook_deliveries_total{result}``: webhook POSTs by result (delivered, retrying,
  failed, lost).
* At scrape time, from the database (see ``qwc_service.reporting.gauges``): live sessions,
  jobs queued and in flight, the oldest queued job's age, webhook events pending,
  delivered and failed, the oldest pending event's age.

Many processes
--------------
Gunicorn runs several worker processes and a scrape reaches one of them, so a counter kept
in process memory shows only that worker's calls. When ``PROMETHEUS_MULTIPROC_DIR`` names
an empty, writable directory in the environment of gunicorn's master (set before it
starts, the same for every process, and emptied at each start), every process writes its
counters to files there and ``/metrics`` adds them all up; a ``qwc-service webhook deliver``
process given the same directory shows up too. The database-derived gauges need none of
this: every worker computes the same values from the shared database at scrape time.

The page itself is ``qwc_service.status.metrics.metrics_page``.
"""

from __future__ import annotations

import os
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Histogram

# The process's own metrics live in their own registry, not the library's global one, so
# building several apps in one process (the tests do) never registers a metric twice.
PROCESS_REGISTRY = CollectorRegistry(auto_describe=True)

SOAP_CALLS = Counter(
    "qwc_soap_calls",
    "SOAP calls answered, by method and outcome.",
    ["method", "outcome"],
    registry=PROCESS_REGISTRY,
)
SOAP_DURATION = Histogram(
    "qwc_soap_call_duration_seconds",
    "Time the server spent answering a SOAP call, by method.",
    ["method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
    registry=PROCESS_REGISTRY,
)
LOGIN_FAILURES = Counter(
    "qwc_login_failures",
    "Web Connector logins refused, by reason.",
    ["reason"],
    registry=PROCESS_REGISTRY,
)
WEBHOOK_DELIVERIES = Counter(
    "qwc_webhook_deliveries",
    "Webhook delivery attempts, by result.",
    ["result"],
    registry=PROCESS_REGISTRY,
)

MAX_LABEL_CHARS = 40


def outcome_label(outcome: object) -> str:
    """A SOAP outcome as a label of bounded cardinality.

    receiveResponseXML answers a percentage; its labels are ``progress`` (0-99),
    ``complete`` (100) and ``error`` (negative) rather than a series per number.
    """
    if isinstance(outcome, bool):
        return str(outcome).lower()
    text = str(outcome).strip()
    if isinstance(outcome, int) or text.lstrip("-").isdigit():
        number = int(text)
        return "error" if number < 0 else "complete" if number >= 100 else "progress"
    return text[:MAX_LABEL_CHARS] or "empty"


def observe_soap_call(method: str, outcome: object, seconds: float) -> None:
    """Count one SOAP call and record its duration."""
    name = (method or "unknown")[:MAX_LABEL_CHARS]
    SOAP_CALLS.labels(method=name, outcome=outcome_label(outcome)).inc()
    SOAP_DURATION.labels(method=name).observe(max(seconds, 0.0))


def count_login_failure(reason: str = "rejected") -> None:
    """Count one refused login (``wrong_password``, ``unknown_user``, ``throttled``...)."""
    LOGIN_FAILURES.labels(reason=(reason or "rejected")[:MAX_LABEL_CHARS]).inc()


def count_webhook_delivery(result: str) -> None:
    """Count one webhook delivery attempt by its result."""
    WEBHOOK_DELIVERIES.labels(result=(result or "unknown")[:MAX_LABEL_CHARS]).inc()


def multiprocess_dir() -> Path | None:
    """The directory of multi-process mode, or None when each process reports alone."""
    value = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(value) if value else None


def clear_multiprocess_dir() -> int:
    """Empty the multi-process directory before the server starts; returns files removed.

    Files left by an earlier run would otherwise be added to the new run's counters.
    """
    directory = multiprocess_dir()
    if directory is None or not directory.is_dir():
        return 0
    removed = 0
    for path in directory.glob("*.db"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed
