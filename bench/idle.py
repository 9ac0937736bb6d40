"""Idle polls: what a fleet mostly sends, a Web Connector finding no work.

A poll with nothing to do is four calls on one kept-alive connection: serverVersion,
clientVersion, authenticate (answered "none") and closeConnection. Machines poll in a
closed loop, each with its own credentials and its own connection, from a few client
processes, against the server, the floor and the peer in turn, at each concurrency.
Polls per second, each poll's wall time, and the CPU the server (and PostgreSQL) used per
poll are taken over a window after a warm-up.
"""

from __future__ import annotations

import math
import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench.client import FLOOR_PASSWORD, SoapClient
from bench.config import Run
from bench.cpu import CpuProbe, load_average, server_cpu_seconds, used
from bench.env import Database
from bench.stats import Summary, summarize

#: The Web Connector version the idle client reports in clientVersion.
CLIENT_VERSION = "2.3.0.215"
BARRIER_TIMEOUT = 300.0
#: The floor answers "none" to this user (see bench/floor.py).
FLOOR_IDLE_USER = "floor-idle"


@dataclass(frozen=True)
class Login:
    """One machine's credentials (picklable)."""

    username: str
    password: str


@dataclass(frozen=True)
class PollPlan:
    """What a client process runs: its machines, where, for how long (picklable)."""

    url: str
    logins: list[Login]
    warmup_s: float


@dataclass
class PollSample:
    """Polls that ended inside the measured window, as their client saw them."""

    polls_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    not_idle: int = 0


def poll_once(client: SoapClient, login: Login) -> tuple[float, str]:
    """One idle poll; returns its wall time in ms (the four POSTs) and authenticate's status."""
    total = client.call("serverVersion", [])[1]
    total += client.call("clientVersion", [("strVersion", CLIENT_VERSION)])[1]
    reply, ms = client.call(
        "authenticate", [("strUserName", login.username), ("strPassword", login.password)]
    )
    total += ms
    auth = reply if isinstance(reply, list) else ["", ""]
    total += client.call("closeConnection", [("ticket", auth[0])])[1]
    return total, auth[1] if len(auth) > 1 else ""


@dataclass
class _Shared:
    """What the client threads share with the parent: when to stop, how many polls counted."""

    barrier: Any
    stop: Any
    counted: Any
    lock: Any


def _machine(plan: PollPlan, login: Login, shared: _Shared, out: PollSample) -> None:
    client = SoapClient(plan.url)
    try:
        try:
            poll_once(client, login)  # connect and log in once before the clock starts
        except Exception as exc:
            out.errors.append(f"first poll: {exc!r}")
        shared.barrier.wait(BARRIER_TIMEOUT)
        start = time.monotonic() + plan.warmup_s
        while not shared.stop.is_set():
            try:
                ms, status = poll_once(client, login)
            except Exception as exc:  # counted, never fatal: the error rate is a figure
                if time.monotonic() >= start and not shared.stop.is_set():
                    with shared.lock:
                        out.errors.append(repr(exc)[:200])
                client.close()
                client = SoapClient(plan.url)
                continue
            # A poll counts when it ended inside the window: after the warm-up, before stop.
            if time.monotonic() >= start and not shared.stop.is_set():
                with shared.lock:
                    out.polls_ms.append(ms)
                    out.not_idle += status.strip().lower() != "none"
                with shared.counted.get_lock():
                    shared.counted.value += 1
    finally:
        client.close()


def client_process(plan: PollPlan, barrier: Any, stop: Any, counted: Any, results: Any) -> None:
    """One thread per machine until ``stop``; put a PollSample on ``results``."""
    out = PollSample()
    shared = _Shared(barrier, stop, counted, threading.Lock())
    threads = [
        threading.Thread(target=_machine, args=(plan, login, shared, out)) for login in plan.logins
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(out)


@dataclass(frozen=True)
class PollOutcome:
    """One run of ``machines`` machines polling one server."""

    machines: int
    polls_per_s: float
    window_s: float
    latency: Summary
    server_cpu_ms: float
    database_cpu_ms: float
    errors: list[str]
    not_idle: int
    load: float

    @property
    def cpu_ms(self) -> float:
        """Server plus database CPU per poll."""
        return self.server_cpu_ms + self.database_cpu_ms


def run_polls(run: Run, polled: Polled) -> PollOutcome:
    """The machines of ``polled`` polling it in a closed loop; CPU over the measured window."""
    url, logins, probe, main_pid = polled.url, polled.logins, polled.probe, polled.main_pid
    scale = run.scale
    context = multiprocessing.get_context("spawn")
    count = max(1, min(scale.client_processes, len(logins)))
    barrier = context.Barrier(len(logins) + 1)
    stop, counted, results = context.Event(), context.Value("i", 0), context.Queue()
    plans = [PollPlan(url, logins[i::count], scale.idle_warmup_s) for i in range(count)]
    processes = [
        context.Process(target=client_process, args=(plan, barrier, stop, counted, results))
        for plan in plans
    ]
    for process in processes:
        process.start()
    try:
        barrier.wait(BARRIER_TIMEOUT)
        time.sleep(scale.idle_warmup_s)
        before, server_before = probe.sample(), server_cpu_seconds(main_pid())
        started = time.monotonic()
        # A slow server gets a longer window, so that its figures rest on enough polls.
        wanted = scale.idle_min_polls_per_machine * len(logins)
        time.sleep(scale.idle_seconds)
        while counted.value < wanted and time.monotonic() - started < scale.idle_max_seconds:
            time.sleep(0.2)
        after, server_after = probe.sample(), server_cpu_seconds(main_pid())
        window = time.monotonic() - started
    finally:
        stop.set()
    load = load_average()
    collected: list[PollSample] = [results.get(timeout=BARRIER_TIMEOUT) for _ in processes]
    for process in processes:
        process.join()
    polls = [ms for sample in collected for ms in sample.polls_ms]
    _, database = used(before, after)
    # No poll ended inside the window: the CPU used has nothing to be divided by.
    per_poll = 1000.0 / len(polls) if polls else math.nan
    return PollOutcome(
        machines=len(logins),
        polls_per_s=len(polls) / window,
        window_s=window,
        latency=summarize(polls),
        server_cpu_ms=(server_after - server_before) * per_poll,
        database_cpu_ms=database * per_poll,
        errors=[e for sample in collected for e in sample.errors],
        not_idle=sum(sample.not_idle for sample in collected),
        load=load,
    )


@dataclass(frozen=True)
class Polled:
    """A running server to poll: where, whose CPU counts, its database, its machines."""

    url: str
    main_pid: Callable[[], int]
    probe: CpuProbe
    logins: list[Login]


#: Starts a server for so many machines, for the length of a ``with`` block.
Target = Callable[[int], AbstractContextManager[Polled]]


def server_target(run: Run, database_url: str) -> Target:
    """The project's server on ``database_url``, with one connection per machine."""

    @contextmanager
    def target(machines: int) -> Iterator[Polled]:
        settings = run.settings(database_url)
        database = Database(settings)
        try:
            tenants = database.add_tenants(machines, prefix=f"idle {machines}")
            with run.server(settings, f"idle-{machines}") as server:
                probe = CpuProbe(server.worker_pids, database_url)
                try:
                    logins = [Login(t.username, t.password) for t in tenants]
                    yield Polled(f"{server.url}/qbwc", lambda: _pid(server.process), probe, logins)
                finally:
                    probe.close()
        finally:
            database.close()

    return target


def floor_target(run: Run) -> Target:
    """The floor, whose authenticate answers "none" to FLOOR_IDLE_USER."""

    @contextmanager
    def target(machines: int) -> Iterator[Polled]:
        with run.floor() as floor:
            probe = CpuProbe(floor.worker_pids, "sqlite://")
            try:
                logins = [Login(FLOOR_IDLE_USER, FLOOR_PASSWORD)] * machines
                yield Polled(f"{floor.url}/qbwc", lambda: _pid(floor.process), probe, logins)
            finally:
                probe.close()

    return target


def _pid(process: Any) -> int:
    if process is None:
        raise RuntimeError("the server is not running")
    return int(process.pid)
