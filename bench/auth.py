"""Authenticate: what a login costs, and whether logins hold up other callers.

The password check is an HMAC-SHA256 under the server's credential key, inside the login's
one transaction; with gthread workers other calls should keep being answered while logins
run, and the probe measures exactly that on its own connection.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from bench.client import SoapClient
from bench.config import Run
from bench.cpu import load_average
from bench.env import BENCH_PASSWORD, Database, Tenant
from bench.report import Section
from bench.stats import summarize
from bench.workload import CUSTOMER_PAGE
from qwc_service.connections.credentials import PasswordHashing
from qwc_service.db import unit_of_work
from qwc_service.queue import service as queue
from qwc_service.simulator import wire


def _login(client: SoapClient, tenant: Tenant) -> tuple[list[str], float]:
    value, ms = client.call(
        "authenticate", [("strUserName", tenant.username), ("strPassword", tenant.password)]
    )
    assert isinstance(value, list)
    return value, ms


@dataclass
class _Probe:
    """serverVersion and sendRequestXML latencies on one session's own connection."""

    url: str
    ticket: str
    server_version: list[float] = field(default_factory=list)
    send_request: list[float] = field(default_factory=list)

    def run(self, calls: int) -> None:
        client = SoapClient(self.url)
        try:
            for _ in range(calls // 2):
                self.server_version.append(client.call("serverVersion", [])[1])
                params: list[wire.Param] = [
                    ("ticket", self.ticket),
                    ("strHCPResponse", ""),
                    ("strCompanyFileName", ""),
                    ("qbXMLCountry", "US"),
                    ("qbXMLMajorVers", 13),
                    ("qbXMLMinorVers", 0),
                ]
                self.send_request.append(client.call("sendRequestXML", params)[1])
        finally:
            client.close()


def _login_loop(url: str, tenant: Tenant, stop: threading.Event, out: list[float]) -> None:
    client = SoapClient(url)
    try:
        while not stop.is_set():
            out.append(_login(client, tenant)[1])
    finally:
        client.close()


def measure(run: Run, database_url: str) -> Section:
    """Login cost in-process and over HTTP, and probe latency with and without logins."""
    scale = run.scale
    settings = run.settings(database_url)
    section = Section("Authenticate (HMAC-SHA256 password check)")
    hashing = PasswordHashing(settings)
    stored = hashing.hash(BENCH_PASSWORD)
    in_process = []
    for _ in range(max(3, scale.logins // 2)):
        started = time.perf_counter()
        hashing.verify(stored, BENCH_PASSWORD)
        in_process.append((time.perf_counter() - started) * 1000.0)
    database = Database(settings)
    try:
        tenants = database.add_tenants(scale.login_threads + 1, prefix="login")
        probe_tenant = database.add_tenants(1, prefix="probe")[0]
        with unit_of_work(database.factory) as db:
            queue.enqueue(db, probe_tenant.connection_id, CUSTOMER_PAGE)
        with run.server(settings, "auth") as server:
            url = f"{server.url}/qbwc"
            client = SoapClient(url)
            _login(client, tenants[0])  # warm-up
            sequential = [_login(client, tenants[0])[1] for _ in range(scale.logins)]
            client.close()
            ticket = _login(SoapClient(url), probe_tenant)[0][0]
            quiet = _Probe(url, ticket)
            quiet.run(scale.probe_calls)
            busy, during, logins = _probe_under_logins(url, ticket, tenants[1:], scale.probe_calls)
            load = load_average()
    finally:
        database.close()
    verify = summarize(in_process)
    http = summarize(sequential)
    section.summary_row("password check in-process", verify, "ms")
    section.summary_row("authenticate over HTTP, one at a time", http, "ms")
    section.summary_row(f"authenticate, {len(tenants) - 1} at once", summarize(logins), "ms")
    section.summary_row("serverVersion, no logins", summarize(quiet.server_version), "ms")
    section.summary_row(
        f"serverVersion, {len(tenants) - 1} logins running", summarize(busy.server_version), "ms"
    )
    section.summary_row("sendRequestXML, no logins", summarize(quiet.send_request), "ms")
    section.summary_row(
        f"sendRequestXML, {len(tenants) - 1} logins running", summarize(busy.send_request), "ms"
    )
    section.notes.append(
        f"{len(tenants) - 1} threads log in back to back (distinct machines, no queued work) "
        f"while one more connection alternates serverVersion and sendRequestXML; {during} "
        f"logins completed meanwhile; gunicorn {run.workers} workers x {run.threads} threads; "
        f"1-min load average {load:.1f}"
    )
    section.values.update(
        authenticate_ms_median=http.median,
        authenticate_ms_p99=http.p99,
        password_check_ms_median=verify.median,
        authenticate_concurrent_ms_median=summarize(logins).median,
        probe_server_version_ms_quiet=summarize(quiet.server_version).median,
        probe_server_version_ms_during_logins=summarize(busy.server_version).median,
        probe_send_request_ms_quiet=summarize(quiet.send_request).median,
        probe_send_request_ms_during_logins=summarize(busy.send_request).median,
        probe_send_request_ms_p99_during_logins=summarize(busy.send_request).p99,
    )
    return section


def _probe_under_logins(
    url: str, ticket: str, tenants: list[Tenant], calls: int
) -> tuple[_Probe, int, list[float]]:
    stop = threading.Event()
    latencies: list[list[float]] = [[] for _ in tenants]
    threads = [
        threading.Thread(target=_login_loop, args=(url, tenant, stop, out), daemon=True)
        for tenant, out in zip(tenants, latencies, strict=True)
    ]
    for thread in threads:
        thread.start()
    # Let every login thread get its first login going before probing.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not all(latencies):
        time.sleep(0.02)
    probe = _Probe(url, ticket)
    before = sum(len(x) for x in latencies)
    probe.run(calls)
    during = sum(len(x) for x in latencies) - before
    stop.set()
    for thread in threads:
        thread.join()
    return probe, during, [ms for out in latencies for ms in out]
