"""The peer: qbwc-kit's in-memory server (its FastAPI adapter), as uvicorn serves it.

Imported only by the peer's own server process (``uvicorn bench.peer_app:app``). Every
machine logs in with PEER_PASSWORD; the username says what it finds: ``idle`` finds no
work (authenticate answers "none"), ``raw-N`` finds N raw jobs, each one request for the
first page of customers, the same request the project's raw-job round trips send.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from qbwc_kit import QBWCService
from qbwc_kit.server import create_app
from qbwc_kit.session import Task, TaskContext, TaskRun

from bench.workload import CUSTOMER_PAGE

PEER_PASSWORD = "peer"


class RawJob:
    """One qbXML request sent as it is; QuickBooks' answer is parsed and dropped."""

    name = "raw job"

    def run(self, ctx: TaskContext) -> TaskRun:
        """Yield the request once."""
        yield CUSTOMER_PAGE


class Accounts:
    """qbwc-kit's Authenticator for the benchmark's machines."""

    def authenticate(self, username: str, password: str) -> bool:
        """Every machine has the one password, compared in constant time."""
        return secrets.compare_digest(password.encode(), PEER_PASSWORD.encode())

    def tasks_for(self, username: str) -> Sequence[Task]:
        """``raw-N``: N raw jobs; anyone else: nothing to do."""
        kind, _, count = username.partition("-")
        if kind == "raw" and count.isdigit():
            return [RawJob() for _ in range(int(count))]
        return []


app = create_app(QBWCService(authenticator=Accounts()), endpoint_url="http://localhost/qbwc")
