"""Running the server under gunicorn from Python (``qwc-service serve``, the demo, tests)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from gunicorn.app.base import BaseApplication

from qwc_service.app import create_app
from qwc_service.config import Settings


class GunicornServer(BaseApplication):
    """gunicorn with the project's app; each worker builds its own app after the fork."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        import qwc_service.gunicorn_conf as defaults

        for key in dir(defaults):
            if key in self.cfg.settings and not key.startswith("_"):
                self.cfg.set(key, getattr(defaults, key))
        for key, value in self.options.items():
            if value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        return create_app(self.settings)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServerNotReady(RuntimeError):
    """The server process did not answer /health in time."""


QWC_APP = "qwc_service.wsgi:app"


def children_of(pid: int) -> list[int]:
    """The ids of the direct child processes of ``pid`` (gunicorn's workers, for its master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces; the parent id follows the closing parenthesis.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


class ServerProcess:
    """gunicorn in a child process, for the demo, tests and benchmarks.

    It runs the production command line (``qwc_service.gunicorn_conf``) with ``app`` (the
    project's server by default), the QWC_* variables of ``settings`` and any extra ``env``.
    """

    def __init__(
        self,
        settings: Settings | None,
        *,
        app: str = QWC_APP,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        port: int | None = None,
        workers: int = 2,
        threads: int = 4,
        log_path: Path | None = None,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.settings = settings
        self.app = app
        self.env = dict(env or {})
        self.cwd = cwd
        self.port = port or free_port()
        self.workers = workers
        self.threads = threads
        self.log_path = log_path
        self.extra_args = tuple(extra_args)
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        """The base URL the server answers on."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def command(self) -> list[str]:
        """The gunicorn command line."""
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
            *self.extra_args,
            self.app,
        ]

    def worker_pids(self) -> list[int]:
        """The gunicorn worker processes (children of the master)."""
        return [] if self.process is None else children_of(self.process.pid)

    def start(self, timeout: float = 60.0) -> ServerProcess:
        """Start gunicorn and wait until every worker is up and /health answers 200."""
        settings_env = self.settings.to_env() if self.settings is not None else {}
        env = {**os.environ, **settings_env, **self.env}
        self._log = open(self.log_path, "ab") if self.log_path else None  # noqa: SIM115 (kept open while gunicorn runs)
        self.process = subprocess.Popen(
            self.command,
            env=env,
            cwd=self.cwd,
            stdout=self._log or subprocess.DEVNULL,
            stderr=self._log or subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerNotReady(f"gunicorn exited with code {self.process.returncode}")
            if len(self.worker_pids()) >= self.workers and self._answers():
                return self
            time.sleep(0.1)
        self.stop()
        raise ServerNotReady(f"no answer from {self.url}/health within {timeout:.0f} s")

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/health", timeout=5) as reply:
                return bool(reply.status == 200)
        except OSError:
            return False

    def stop(self, timeout: float = 15.0) -> None:
        """Stop gunicorn gracefully (SIGTERM), then forcefully if it hangs."""
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

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
