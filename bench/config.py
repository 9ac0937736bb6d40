"""How big each benchmark is (full or --quick) and how the server is run."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from bench.env import ROOT, bench_settings
from bench.server import FLOOR_APP
from qwc_service.config import Settings
from qwc_service.serving import ServerProcess, free_port


@dataclass(frozen=True)
class Scale:
    """The sizes of one run."""

    pages: int = 50  # pages per round-trip session
    sessions: int = 5  # measured round-trip sessions per backend
    warmup_sessions: int = 2  # unmeasured sessions first (every worker warm)
    warmup_pages: int = 10
    machines: int = 200
    machine_pages: int = 10
    client_processes: int = 4
    think_ms: float = 0.0  # > 0: also run the machines with QuickBooks taking this long a page
    big_invoices: int = 50_000
    mixed_per_type: int = 40  # records of each type in the mixed full sync (a few thousand)
    deep_connections: int = 10_000
    deep_small: int = 1_000
    deep_large: int = 1_000_000
    claims: int = 1_000
    logins: int = 20  # sequential logins timed
    login_threads: int = 4  # logins running at once while the probe runs
    probe_calls: int = 200
    #: benchmarks also run on SQLite
    sqlite_for: tuple[str, ...] = ("roundtrip", "big", "deep", "mixed")
    idle_machines: tuple[int, ...] = (8, 64)  # concurrent machines polling with no work
    idle_warmup_s: float = 2.0  # polls before the measured window are not counted
    idle_seconds: float = 10.0  # the measured window of each idle-poll run, at least
    idle_min_polls_per_machine: int = 2  # ... and longer until this many polls per machine
    idle_max_seconds: float = 60.0  # ... but never longer than this


FULL = Scale()
QUICK = replace(
    FULL,
    sessions=1,
    warmup_sessions=2,
    warmup_pages=5,
    machines=20,
    machine_pages=5,
    client_processes=2,
    big_invoices=5_000,
    mixed_per_type=4,
    deep_large=100_000,
    claims=100,
    logins=6,
    probe_calls=60,
    sqlite_for=("roundtrip",),
    idle_machines=(8, 16),
    idle_warmup_s=1.0,
    idle_seconds=3.0,
    idle_min_polls_per_machine=1,
    idle_max_seconds=20.0,
)


@dataclass(frozen=True)
class Run:
    """One benchmark run: its scale, gunicorn's shape, where files go, which databases."""

    scale: Scale
    workers: int
    threads: int
    workdir: Path
    sqlite: bool = True
    #: Another checkout whose server runs next to this one's (``--compare-with``).
    compare_with: Path | None = None

    def settings(self, database_url: str, **overrides: object) -> Settings:
        """Default settings pointed at a benchmark database and a free port."""
        return bench_settings(database_url, self.workdir, free_port(), **overrides)

    def server(self, settings: Settings, name: str) -> ServerProcess:
        """The project's server with ``settings`` (not started yet)."""
        return ServerProcess(
            settings,
            cwd=ROOT,
            workers=self.workers,
            threads=self.threads,
            log_path=self.workdir / f"{name}.log",
            port=urlsplit(settings.public_url).port,
        )

    def floor(self) -> ServerProcess:
        """The floor application under the same gunicorn command line."""
        return ServerProcess(
            None,
            app=FLOOR_APP,
            cwd=ROOT,
            workers=self.workers,
            threads=self.threads,
            log_path=self.workdir / "floor.log",
        )
