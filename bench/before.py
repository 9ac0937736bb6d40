"""Another checkout's server in the same run, for a before/after column (``--compare-with``).

The other tree (typically the commit before a change, checked out with its own ``.venv``)
runs its own code throughout: its migrations build its database, its ``bench.env`` makes
its machines, and its gunicorn serves with its own interpreter. Only the clients, the floor
and the peer are this tree's, so both servers are read against the same yardsticks.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.config import Run
from bench.env import bench_settings, postgres_database
from qwc_service.serving import ServerProcess, free_port
from qwc_service.simulator.qwcfile import QwcFile

#: Run in the other tree: migrate its database and make its machines with its own code.
_SETUP = """
import json, sys
from pathlib import Path
from bench.env import Database, bench_settings
from qwc_service.db import upgrade
url, workdir, port, count = sys.argv[1:5]
upgrade(url)
database = Database(bench_settings(url, Path(workdir), int(port)))
try:
    tenants = database.add_tenants(int(count), prefix="before")
finally:
    database.close()
print(json.dumps([[t.username, t.password] for t in tenants]))
"""

#: Run in the other tree: migrate, then one connection per session with its sync queued
#: (``pages``: the round trip's customer sync; ``invoices``: the big response's first page).
_SYNCS = """
import dataclasses, json, sys
from pathlib import Path
from bench.env import Database, bench_settings
from bench.workload import Workload, queue_invoice_sync
from qwc_service.db import unit_of_work, upgrade
url, workdir, what = sys.argv[1:4]
upgrade(url)
database = Database(bench_settings(url, Path(workdir), 0))
out = []
try:
    for index, pages in enumerate(int(p) for p in sys.argv[4:]):
        tenant = database.add_tenants(1, prefix=f"before {what} {index}")[0]
        with unit_of_work(database.factory) as db:
            if what == "invoices":
                queue_invoice_sync(db, tenant.connection_id)
            else:
                Workload().queue_pages(db, tenant.connection_id, pages)
        out.append([tenant.password, dataclasses.asdict(tenant.qwc)])
finally:
    database.close()
print(json.dumps(out))
"""


@dataclass(frozen=True)
class SyncTenant:
    """A machine of the other tree's server with a sync queued, as its Web Connector sees it."""

    qwc: QwcFile
    password: str


@dataclass(frozen=True)
class OtherTree:
    """A checkout of this project with its own virtual environment."""

    root: Path

    @property
    def python(self) -> Path:
        """The tree's own interpreter."""
        return self.root / ".venv" / "bin" / "python"

    def missing(self) -> str | None:
        """Why the tree cannot be run, or None."""
        if not (self.root / "qwc_service").is_dir() or not (self.root / "bench").is_dir():
            return f"{self.root} is not a checkout of qwc-service with bench/"
        if not self.python.exists():
            return f"{self.python} does not exist (python -m venv .venv; pip install -e .)"
        return None

    def describe(self) -> str:
        """The tree's path and commit."""
        done = subprocess.run(
            ["git", "-C", str(self.root), "log", "-1", "--format=%h %s"],
            capture_output=True,
            text=True,
            check=False,
        )
        return f"{self.root} ({done.stdout.strip()[:80] or 'not a git checkout'})"

    def add_machines(self, database_url: str, run: Run, count: int) -> list[tuple[str, str]]:
        """Migrate ``database_url`` and add ``count`` machines, with the tree's own code."""
        done = subprocess.run(
            [str(self.python), "-c", _SETUP, database_url, str(run.workdir), "0", str(count)],
            cwd=self.root,
            capture_output=True,
            text=True,
            check=True,
        )
        pairs = json.loads(done.stdout.strip().splitlines()[-1])
        return [(str(user), str(password)) for user, password in pairs]

    def sync_tenants(
        self, database_url: str, run: Run, what: str, pages: list[int]
    ) -> list[SyncTenant]:
        """Migrate ``database_url`` and add one machine per entry of ``pages``, each with a
        sync queued by the tree's own code: a customer sync (``what`` "pages") or the big
        response's invoice sync ("invoices")."""
        done = subprocess.run(
            [str(self.python), "-c", _SYNCS, database_url, str(run.workdir), what]
            + [str(p) for p in pages],
            cwd=self.root,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"setting up {self.root} failed: {done.stderr.strip()[-500:]}")
        known = {f.name for f in dataclasses.fields(QwcFile)}
        return [
            SyncTenant(QwcFile(**{k: v for k, v in qwc.items() if k in known}), str(password))
            for password, qwc in json.loads(done.stdout.strip().splitlines()[-1])
        ]

    def server(self, run: Run, database_url: str, name: str) -> ServerProcess:
        """The tree's server on ``database_url`` under the same gunicorn command line."""
        port = free_port()
        return _OtherServer(
            self,
            bench_settings(database_url, run.workdir, port),
            cwd=self.root,
            port=port,
            workers=run.workers,
            threads=run.threads,
            log_path=run.workdir / f"{name}.log",
        )


class _OtherServer(ServerProcess):
    def __init__(self, tree: OtherTree, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.tree = tree

    @property
    def command(self) -> list[str]:
        """This tree's gunicorn command line, run by the other tree's interpreter."""
        return [str(self.tree.python), *super().command[1:]]


@contextmanager
def empty_database(run: Run, backend: str, tag: str) -> Iterator[str]:
    """An empty database of ``backend`` for the other tree to migrate; dropped after."""
    if backend == "postgresql":
        with postgres_database(f"before_{tag}", migrate=False) as url:
            yield url
        return
    path = run.workdir / f"before-{tag}.db"
    try:
        yield f"sqlite:///{path}"
    finally:
        path.unlink(missing_ok=True)


def other_tree(run: Run) -> OtherTree | None:
    """The ``--compare-with`` tree, if one was given."""
    return None if run.compare_with is None else OtherTree(run.compare_with)
