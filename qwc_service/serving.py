"""Running the server under gunicorn from Python (``qwc-service serve``, the demo, tests)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
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


class ServerProcess:
    """gunicorn serving the app in a child process, for the demo, tests and benchmarks."""

    def __init__(
        self,
        settings: Settings,
        *,
        port: int | None = None,
        workers: int = 2,
        threads: int = 4,
        log_path: Path | None = None,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.settings = settings
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

    def start(self, timeout: float = 30.0) -> ServerProcess:
        """Start gunicorn and wait until /health answers 200."""
        env = {**os.environ, **self.settings.to_env()}
        command = [
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
            "qwc_service.wsgi:app",
        ]
        self._log = open(self.log_path, "ab") if self.log_path else None  # noqa: SIM115
        self.process = subprocess.Popen(
            command,
            env=env,
            stdout=self._log or subprocess.DEVNULL,
            stderr=self._log or subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerNotReady(f"gunicorn exited with code {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as reply:
                    if reply.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise ServerNotReady(f"no answer from {self.url}/health within {timeout:.0f} s")

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
