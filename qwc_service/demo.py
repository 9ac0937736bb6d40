"""The main job in one command: a server, a connection with two machines, one simulated sync."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.request import urlopen

from lxml.html import fromstring as parse_html

from qwc_service.config import Settings
from qwc_service.connections import service as connections
from qwc_service.connections import setup_links
from qwc_service.connections.credentials import PasswordHashing
from qwc_service.db import make_engine, make_session_factory, unit_of_work, upgrade
from qwc_service.qbxml.xmlsafe import parse_document
from qwc_service.queue import service as queue
from qwc_service.records import service as records
from qwc_service.serving import ServerProcess, free_port
from qwc_service.simulator.connector import WebConnector, format_transcript
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.qwcfile import read_qwc
from qwc_service.sync import schedule

# The record types the demo keeps in sync, and those it counts once its session is over.
DEMO_TYPES = ("customers", "invoices")
COUNTED_TYPES = ("customers", "items", "invoices", "payments")
# Raw request sets, as an integration would queue them by hand (tests use these too).
CUSTOMER_QUERY = (
    '<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="13.0"?>\n'
    '<QBXML><QBXMLMsgsRq onError="stopOnError">'
    '<CustomerQueryRq iterator="Start"><MaxReturned>10</MaxReturned>'
    "<ActiveStatus>All</ActiveStatus></CustomerQueryRq>"
    "</QBXMLMsgsRq></QBXML>"
)
INVOICE_QUERY = (
    '<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="13.0"?>\n'
    '<QBXML><QBXMLMsgsRq onError="stopOnError">'
    "<InvoiceQueryRq><MaxReturned>20</MaxReturned>"
    "<IncludeLineItems>true</IncludeLineItems></InvoiceQueryRq>"
    "</QBXMLMsgsRq></QBXML>"
)


@dataclass(frozen=True)
class DemoMachine:
    """One machine the demo added, and where its .qwc file was written."""

    username: str
    label: str
    qwc_path: str | None


@dataclass(frozen=True)
class DemoJob:
    """One of the demo connection's jobs as the session left it."""

    job_id: int
    requests: tuple[str, ...]
    status: str
    message: str | None


@dataclass(frozen=True)
class DemoResult:
    """What the demo ran and how its session ended."""

    workdir: str
    url: str
    database_url: str
    connection_id: str
    machines: tuple[DemoMachine, ...]
    session_outcome: str
    jobs: tuple[DemoJob, ...]
    #: Records stored per record type after the session.
    records_stored: tuple[tuple[str, int], ...]

    @property
    def completed(self) -> bool:
        """Whether the simulated session did all its work."""
        return self.session_outcome == "completed"

    @property
    def qwc_files(self) -> tuple[Path, ...]:
        """The .qwc files written for the machines."""
        return tuple(Path(m.qwc_path) for m in self.machines if m.qwc_path is not None)

    def to_payload(self) -> dict[str, Any]:
        """The summary as JSON-ready data."""
        return {
            "workdir": self.workdir,
            "url": self.url,
            "database_url": self.database_url,
            "connection_id": self.connection_id,
            "machines": [asdict(m) for m in self.machines],
            "jobs": [asdict(j) for j in self.jobs],
            "records_stored": dict(self.records_stored),
            "session": {"outcome": self.session_outcome, "completed": self.completed},
        }


def _from_setup_page(url: str) -> tuple[bytes, str]:
    """The .qwc file and the password a machine's setup page offers."""
    with urlopen(url, timeout=30) as reply:
        page = reply.read().decode("utf-8")
    password = parse_html(page).findtext(".//*[@id='password']") or ""
    with urlopen(url + "/qwc", timeout=30) as reply:
        return reply.read(), password.strip()


def count_records(response: str | None) -> Counter[str]:
    """How many records of each kind (CustomerRet, InvoiceRet …) a response holds."""
    counts: Counter[str] = Counter()
    if not response:
        return counts
    root = parse_document(response)
    for rs in root.iterfind("QBXMLMsgsRs/*"):
        for child in rs:
            if isinstance(child.tag, str) and child.tag.endswith("Ret"):
                counts[child.tag] += 1
    return counts


def run_demo(workdir: Path, say: Callable[[str], None]) -> DemoResult:
    """Run the demo in ``workdir`` (SQLite database and .qwc files go there)."""
    port = free_port()
    settings = Settings(
        database_url=f"sqlite:///{workdir / 'qwc_service.db'}",
        public_url=f"http://localhost:{port}",
        files_dir=workdir / "qwc_files",
        log_format="json",
        log_level="warning",
    )
    say(f"working directory: {workdir}")
    upgrade(settings.database_url)
    say("database: SQLite, schema at head")

    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    hashing = PasswordHashing(settings)
    with unit_of_work(factory) as db:
        connection = connections.create_connection(db, name="Acme Widgets (demo)")
        issued = [
            setup_links.add_machine_with_link(
                db, settings, hashing, connection.id, label=label, write_file=True
            )
            for label in ("Front office PC", "Terminal server")
        ]
        machines = [link.credentials for link in issued]
        # Customers and invoices kept in sync every 15 minutes; "sync now" queues the first
        # reads at once: full reads through iterators, 10 records per page.
        for record_type in DEMO_TYPES:
            schedule.add_sync(db, connection.id, record_type, every_minutes=15, max_returned=10)
        schedule.sync_now(db, connection.id)
        connection_id = connection.id
    say(f"connection {connection_id}: OwnerID {connection.owner_id}, FileID {connection.file_id}")
    for created in machines:
        say(f"  machine {created.machine.username} ({created.machine.label}): {created.qwc_path}")
    setup_page = setup_links.setup_url(settings, issued[0].token)
    say("queued: a customer sync and an invoice sync (iterators, 10 records per page)")

    company = FakeQuickBooks(generate_company(name="Acme Widgets", customers=25, invoices=40))
    with ServerProcess(settings, port=port, workers=2, log_path=workdir / "server.log") as server:
        server_url = server.url
        say(f"server: gunicorn on {server_url} (log in {workdir / 'server.log'})")
        # The first machine is set up the way its IT person would: from its setup page.
        qwc_file, password = _from_setup_page(setup_page)
        say(f"setup page of {machines[0].machine.label}: the .qwc file and password it shows")
        connector = WebConnector(read_qwc(qwc_file), password, company)
        connector.add_application()
        say("simulated Web Connector added that .qwc file and runs one update:\n")
        result = connector.run_session()
        say(format_transcript(result))

    say("\njobs:")
    with unit_of_work(factory) as db:
        jobs = tuple(
            DemoJob(
                job.id,
                tuple(name for name in job.request_names.split(",") if name),
                str(job.status),
                job.status_message,
            )
            for job in queue.list_jobs(db, connection_id)
        )
        stored = {
            record_type: records.count_records(db, connection_id, record_type)
            for record_type in COUNTED_TYPES
        }
    for job in jobs:
        say(f"  job {job.job_id} {','.join(job.requests)}: {job.status}; {job.message or ''}")
    say("records stored: " + ", ".join(f"{n} {kind}" for kind, n in stored.items()))
    engine.dispose()
    say(f"\n.qwc files: {settings.files_dir / connection_id}")
    return DemoResult(
        workdir=str(workdir),
        url=server_url,
        database_url=settings.database_url,
        connection_id=connection_id,
        machines=tuple(
            DemoMachine(
                m.machine.username,
                m.machine.label,
                str(m.qwc_path) if m.qwc_path is not None else None,
            )
            for m in machines
        ),
        session_outcome=result.outcome,
        jobs=jobs,
        records_stored=tuple(stored.items()),
    )
