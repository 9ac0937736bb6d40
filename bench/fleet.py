"""What a fleet does: idle polls against the server, the floor and the peer, in one run.

Also the peer's raw-job round trips (the round-trip benchmark's raw-job sessions, same
client), so the raw-job figures of both can be read side by side.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from bench.before import OtherTree
from bench.config import Run
from bench.cpu import CpuProbe
from bench.env import postgres_database
from bench.idle import Login, Polled, PollOutcome, Target, floor_target, run_polls, server_target
from bench.peer import (
    PEER_IDLE_USER,
    PEER_PASSWORD,
    PeerProcess,
    peer_missing,
    peer_round_trips,
    peer_version,
)
from bench.report import Row, Section
from bench.stats import summarize

#: Seconds between polls of a machine on the common schedule (seats = polls/s x this).
POLL_INTERVAL_S = 60


def peer_target(run: Run) -> Target:
    """qbwc-kit's server: every machine logs in as the user with no work."""

    @contextmanager
    def target(machines: int) -> Iterator[Polled]:
        with PeerProcess(run) as peer:
            probe = CpuProbe(peer.worker_pids, "sqlite://")
            try:
                logins = [Login(PEER_IDLE_USER, PEER_PASSWORD)] * machines
                process = peer.process
                assert process is not None
                yield Polled(f"{peer.url}/qbwc", lambda: process.pid, probe, logins)
            finally:
                probe.close()

    return target


def before_target(run: Run, tree: OtherTree) -> Target:
    """Another checkout's server, on a database its own migrations built."""

    @contextmanager
    def target(machines: int) -> Iterator[Polled]:
        with postgres_database(f"before_idle_{machines}", migrate=False) as url:
            logins = [
                Login(user, password) for user, password in tree.add_machines(url, run, machines)
            ]
            with tree.server(run, url, f"before-idle-{machines}") as server:
                probe = CpuProbe(server.worker_pids, url)
                process = server.process
                assert process is not None
                try:
                    yield Polled(f"{server.url}/qbwc", lambda: process.pid, probe, logins)
                finally:
                    probe.close()

    return target


def _suffix(machines: int, first: int) -> str:
    return "" if machines == first else f"_{machines}"


def _rows(section: Section, who: str, outcome: PollOutcome, key: str, suffix: str) -> None:
    label = f"{who}: " if who else ""
    m = outcome.machines
    section.rows.append(
        Row(
            f"{label}idle polls per second ({m} machines)",
            outcome.polls_per_s,
            "polls/s",
            f"{outcome.latency.n} polls in {outcome.window_s:.1f} s",
            None,
        )
    )
    section.summary_row(f"{label}idle poll, 4 calls ({m} machines)", outcome.latency, "ms")
    section.rows.append(Row(f"{label}server CPU per idle poll ({m})", outcome.server_cpu_ms, "ms"))
    if not who:
        section.rows.append(
            Row(f"{label}PostgreSQL CPU per idle poll ({m})", outcome.database_cpu_ms, "ms")
        )
    if outcome.errors or not who:
        section.rows.append(Row(f"{label}errors ({m} machines)", len(outcome.errors), "polls"))
        section.notes += [f"{label}error: {e}" for e in outcome.errors[:3]]
    if outcome.not_idle:
        section.rows.append(Row(f"{label}polls that found work ({m})", outcome.not_idle, "polls"))
    prefix = f"{key}_" if key else ""
    section.values.update(
        {
            f"{prefix}idle_polls_per_s{suffix}": outcome.polls_per_s,
            f"{prefix}idle_poll_p50_ms{suffix}": outcome.latency.median,
            f"{prefix}idle_poll_p99_ms{suffix}": outcome.latency.p99,
            f"{prefix}idle_poll_cpu_ms{suffix}": outcome.server_cpu_ms,
            f"{prefix}idle_poll_db_cpu_ms{suffix}": outcome.database_cpu_ms,
            f"{prefix}idle_poll_errors{suffix}": len(outcome.errors),
            f"{prefix}idle_poll_not_idle{suffix}": outcome.not_idle,
        }
    )


def measure(run: Run, database_url: str) -> Section:
    """Idle polls at each concurrency against the server, the floor and the peer."""
    machines = run.scale.idle_machines
    section = Section(
        "Idle polls (serverVersion, clientVersion, authenticate answering none, "
        f"closeConnection; {' and '.join(map(str, machines))} machines) and the peer"
    )
    missing = peer_missing()
    servers: dict[str, Target] = {
        "": server_target(run, database_url),
        "floor": floor_target(run),
    }
    if missing is None:
        servers["peer"] = peer_target(run)
    else:
        section.notes.append(f"peer (qbwc-kit) not run: {missing}")
    if run.compare_with is not None:
        tree = OtherTree(run.compare_with)
        unusable = tree.missing()
        if unusable is None:
            servers["before"] = before_target(run, tree)
            section.notes.append(f"before: the server of {tree.describe()}")
        else:
            section.notes.append(f"before not run: {unusable}")
    best: dict[str, float] = {}
    for count in machines:
        for who, target in servers.items():
            try:
                with target(count) as polled:
                    outcome = run_polls(run, polled)
            except Exception as exc:  # one server that cannot run must not lose the rest
                section.notes.append(f"{who or 'server'} with {count} machines failed: {exc!r}")
                continue
            _rows(section, who, outcome, who, _suffix(count, machines[0]))
            best[who] = max(best.get(who, 0.0), outcome.polls_per_s)
    for who, rate in best.items():
        prefix = f"{who}_" if who else ""
        section.values[f"{prefix}seats_at_60s"] = rate * POLL_INTERVAL_S
        section.rows.append(
            Row(
                f"{who + ': ' if who else ''}seats at {POLL_INTERVAL_S} s polling",
                rate * POLL_INTERVAL_S,
                "seats",
                "best sustained polls/s x 60",
            )
        )
    if missing is None:
        _peer_round_trips(run, section)
    section.values["peer_version"] = peer_version()
    section.notes.append(
        "each machine polls in a closed loop on its own kept-alive connection (the "
        "simulator's HTTP transport and envelopes), with its own credentials on the server "
        f"(one connection each); {run.scale.idle_warmup_s:g} s warm-up, then at least "
        f"{run.scale.idle_seconds:g} s measured, longer (up to {run.scale.idle_max_seconds:g} s) "
        f"until each machine polled {run.scale.idle_min_polls_per_machine}x; clients in up to "
        f"{run.scale.client_processes} processes"
    )
    section.notes.append(
        "server CPU: the server's main process, its live workers and the workers it reaped "
        "(recycled ones) over the window, per poll; PostgreSQL CPU: the backends of the "
        "server's database; the floor and the peer use no database"
    )
    section.notes.append(
        f"peer: qbwc-kit {peer_version()} (in memory, FastAPI under uvicorn with "
        f"{run.workers} worker processes), the same client"
    )
    return section


def _peer_round_trips(run: Run, section: Section) -> None:
    try:
        times = peer_round_trips(run)
    except Exception as exc:
        section.notes.append(f"peer round trips failed: {exc!r}")
        return
    pairs = summarize(times.pairs_ms)
    section.summary_row("peer: raw-job send+receive pair", pairs, "ms")
    section.summary_row("peer: worker CPU per pair", summarize(times.worker_cpu_ms), "ms")
    section.values.update(
        {
            "peer_round_trip_ms_median": pairs.median,
            "peer_round_trip_ms_p99": pairs.p99,
            "peer_worker_cpu_ms_per_pair": summarize(times.worker_cpu_ms).median,
            "peer_round_trip_failures": len(times.failures),
        }
    )
    section.notes += [f"peer session failed: {f}" for f in times.failures[:3]]
    section.notes.append(
        f"peer round trips: {run.scale.sessions} sessions of {run.scale.pages} raw jobs (the "
        "round-trip benchmark's raw-job page, one qbwc-kit task each) after "
        f"{run.scale.warmup_sessions} warm-up, the same simulated Web Connector and QuickBooks"
    )
