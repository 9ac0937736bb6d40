"""The main job in one command: a server, a connection with two machines, one simulated sync."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
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
class DemoResult:
    """How the demo session ended."""

    completed: bool
    qwc_files: tuple[Path, ...]


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
        for record_type in ("customers", "invoices"):
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
        say(f"server: gunicorn on {server.url} (log in {workdir / 'server.log'})")
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
        for job in queue.list_jobs(db, connection_id):
            say(f"  job {job.id} {job.request_names}: {job.status}; {job.status_message or ''}")
        stored = {
            record_type: records.count_records(db, connection_id, record_type)
            for record_type in records.RECORD_TYPES
        }
    say("records stored: " + ", ".join(f"{n} {kind}" for kind, n in stored.items()))
    engine.dispose()
    files = tuple(m.qwc_path for m in machines if m.qwc_path is not None)
    say(f"\n.qwc files: {settings.files_dir / connection_id}")
    return DemoResult(completed=result.outcome == "completed", qwc_files=files)
