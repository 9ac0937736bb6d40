"""The peer in the same run: qbwc-kit's in-memory server under uvicorn, with the same client.

qbwc-kit is a bench-only extra (``pip install -e '.[bench]'``). Without it the peer's rows
say why and everything else runs.
"""

from __future__ import annotations

import sys
import urllib.request
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

from bench.config import Run
from bench.cpu import CpuProbe
from bench.env import ROOT
from bench.roundtrip import SessionTimes, run_sessions
from bench.workload import RawWorkload
from qwc_service.connections.credentials import new_guid
from qwc_service.serving import ServerProcess
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.qwcfile import QwcFile

PEER_APP = "bench.peer_app:app"
#: What the peer's machines log in with (bench/peer_app.py holds the same constant; the
#: app is imported only in the peer's own process).
PEER_PASSWORD = "peer"
PEER_IDLE_USER = "idle"


def peer_missing() -> str | None:
    """Why the peer cannot run here, or None when it can."""
    for module in ("qbwc_kit", "fastapi", "uvicorn"):
        try:
            import_module(module)
        except ImportError as exc:
            return f"{module} is not installed ({exc}); pip install -e '.[bench]'"
    return None


def peer_version() -> str:
    """qbwc-kit's installed version."""
    try:
        return version("qbwc-kit")
    except PackageNotFoundError:
        return "not installed"


class PeerProcess(ServerProcess):
    """uvicorn serving qbwc-kit's FastAPI app, with as many worker processes as gunicorn."""

    def __init__(self, run: Run) -> None:
        super().__init__(
            None, app=PEER_APP, cwd=ROOT, workers=run.workers, log_path=run.workdir / "peer.log"
        )

    @property
    def command(self) -> list[str]:
        """The uvicorn command line."""
        return [
            sys.executable,
            "-m",
            "uvicorn",
            PEER_APP,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ]

    def worker_pids(self) -> list[int]:
        """uvicorn's worker processes (with one worker, uvicorn serves in its own process)."""
        children = super().worker_pids()
        if self.workers <= 1 and self.process is not None:
            return [self.process.pid]
        return children

    def _answers(self) -> bool:
        # qbwc-kit serves its WSDL on GET of the SOAP path; it has no /health.
        try:
            with urllib.request.urlopen(f"{self.url}/qbwc", timeout=5) as reply:
                return bool(reply.status == 200)
        except OSError:
            return False


def peer_qwc(origin: str, username: str) -> QwcFile:
    """A .qwc for a peer machine."""
    return QwcFile(
        app_name=f"peer {username}",
        app_id="",
        app_url=f"{origin}/qbwc",
        app_description="peer",
        app_support=f"{origin}/qbwc",
        user_name=username,
        owner_id=new_guid(),
        file_id=new_guid(),
        qb_type="QBFS",
    )


def peer_round_trips(run: Run) -> SessionTimes:
    """The raw-job sessions of the round-trip benchmark, against the peer, same client."""
    workload = RawWorkload()
    quickbooks: dict[int, FakeQuickBooks] = {}
    with PeerProcess(run) as peer:

        def make(index: int, pages: int) -> tuple[QwcFile, str, FakeQuickBooks]:
            if pages not in quickbooks:
                quickbooks[pages] = workload.company(pages)
            qwc = peer_qwc(f"http://localhost:{peer.port}", f"raw-{pages}")
            return qwc, PEER_PASSWORD, quickbooks[pages]

        probe = CpuProbe(peer.worker_pids, "sqlite://")
        try:
            return run_sessions(f"{peer.url}/qbwc", make, run, probe)
        finally:
            probe.close()
