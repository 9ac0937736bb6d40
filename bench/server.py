"""gunicorn in a child process, for the server and the floor alike, with worker memory probes.

Both applications are started by the same command line — the project's gunicorn_conf, the
same workers and threads — so the only difference between them is the WSGI application.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bench.env import ROOT
from qwc_service.serving import ServerNotReady, free_port

QWC_APP = "qwc_service.wsgi:app"
FLOOR_APP = "bench.floor:app"


@dataclass(frozen=True)
class Memory:
    """A process's resident memory now and at its peak, in MiB."""

    rss_mb: float
    hwm_mb: float


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(f"{field} not in /proc/{pid}/status")


def memory_of(pid: int) -> Memory:
    """VmRSS and VmHWM of a process."""
    return Memory(_status_kib(pid, "VmRSS") / 1024.0, _status_kib(pid, "VmHWM") / 1024.0)


def reset_peak(pid: int) -> bool:
    """Reset a process's VmHWM to its current RSS (Linux ``clear_refs`` 5); False if refused."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def children_of(pid: int) -> list[int]:
    """The ids of the direct child processes of ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces; the parent id follows the closing parenthesis.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


class GunicornProcess:
    """``python -m gunicorn -c python:qwc_service.gunicorn_conf ... APP`` in its own group."""

    def __init__(
        self,
        app: str,
        env: Mapping[str, str],
        *,
        workers: int,
        threads: int,
        log_path: Path,
        port: int | None = None,
    ) -> None:
        self.app = app
        self.env = dict(env)
        self.workers = workers
        self.threads = threads
        self.log_path = log_path
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        """The base URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def command(self) -> list[str]:
        """The command line (the same for every application)."""
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:qwc_service.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            self.app,
        ]

    def start(self, timeout: float = 60.0) -> GunicornProcess:
        """Start and wait until every worker is up and ``/health`` (or ``/``) answers."""
        path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
        env = {**os.environ, **self.env, "PYTHONPATH": path}
        self._log = open(self.log_path, "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            self.command,
            env=env,
            cwd=ROOT,
            stdout=self._log,
            stderr=self._log,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerNotReady(f"gunicorn exited with {self.process.returncode}")
            if len(self.worker_pids()) >= self.workers and self._answers():
                return self
            time.sleep(0.1)
        self.stop()
        raise ServerNotReady(f"{self.app} did not answer within {timeout:.0f} s")

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/health", timeout=5) as reply:
                return bool(reply.status == 200)
        except OSError:
            return False

    def worker_pids(self) -> list[int]:
        """The gunicorn worker processes (children of the master)."""
        return [] if self.process is None else children_of(self.process.pid)

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM the process group, SIGKILL it if it hangs."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> GunicornProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
