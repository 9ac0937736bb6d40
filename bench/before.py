"""Another checkout's server in the same run, for a before/after column (``--compare-with``).

The other tree (typically the commit before a change, checked out with its own ``.venv``)
runs its own code throughout: its migrations build its database, its ``bench.env`` makes
its machines, and its gunicorn serves with its own interpreter. Only the clients, the floor
and the peer are this tree's, so both servers are read against the same yardsticks.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.config import Run
from bench.env import bench_settings
from qwc_service.serving import ServerProcess, free_port

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
