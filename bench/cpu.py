"""CPU time used by the server's workers and its PostgreSQL backends over a window.

Wall times on a shared machine move with whatever else runs; CPU seconds per round trip
move much less, so each benchmark reports both.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from bench.env import PG_ADMIN_URL, SETUP_APPLICATION, backend_of
from qwc_service.serving import children_of

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def server_cpu_seconds(main_pid: int) -> float:
    """CPU time of a server: its main process, its live workers, and the workers it reaped.

    A recycled worker's CPU (gunicorn's ``max_requests``) is gone from the live processes
    but added to its parent's children times once the parent has waited for it.
    """
    try:
        fields = Path(f"/proc/{main_pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    own = sum(int(value) for value in fields[11:15]) / _TICKS  # utime stime cutime cstime
    return own + sum(cpu_seconds(pid) for pid in children_of(main_pid))


@dataclass(frozen=True)
class CpuSample:
    """CPU seconds per process at one moment, for the workers and the database backends."""

    workers: dict[int, float]
    database: dict[int, float]


class CpuProbe:
    """Samples the CPU time of gunicorn workers and of the database's backends."""

    def __init__(self, worker_pids: Callable[[], list[int]], database_url: str) -> None:
        self._worker_pids = worker_pids
        self._dbname: str | None = None
        self._conn: psycopg.Connection | None = None
        if backend_of(database_url) == "postgresql":
            self._dbname = make_url(database_url).database
            admin = make_url(PG_ADMIN_URL)
            self._conn = psycopg.connect(
                host=admin.host,
                port=admin.port or 5432,
                user=admin.username,
                password=admin.password,
                dbname=admin.database or "postgres",
                application_name=SETUP_APPLICATION,
            )
            self._conn.autocommit = True

    def _backend_pids(self) -> list[int]:
        if self._conn is None:
            return []
        with self._conn.cursor() as cur:
            cur.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s "
                "AND coalesce(application_name, '') <> %s",
                (self._dbname, SETUP_APPLICATION),
            )
            return [int(row[0]) for row in cur.fetchall()]

    def sample(self) -> CpuSample:
        """The CPU seconds of every worker and backend now."""
        return CpuSample(
            {pid: cpu_seconds(pid) for pid in self._worker_pids()},
            {pid: cpu_seconds(pid) for pid in self._backend_pids()},
        )

    def close(self) -> None:
        """Close the monitoring connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def used(before: CpuSample, after: CpuSample) -> tuple[float, float]:
    """CPU seconds the workers and the database backends used between two samples."""

    def delta(old: dict[int, float], new: dict[int, float]) -> float:
        return sum(max(0.0, value - old.get(pid, 0.0)) for pid, value in new.items())

    return delta(before.workers, after.workers), delta(before.database, after.database)


def load_average() -> float:
    """The one-minute load average (how busy the machine was)."""
    return os.getloadavg()[0]
