"""What a benchmark session syncs: customers at 100 per page through the real sync engine."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from qwc_service.queue import service as queue
from qwc_service.simulator.dataset import Company, generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.sync import schedule

PAGE_SIZE = 100
#: A raw job of one page of customers (the authenticate probe and the deep queue use it).
CUSTOMER_PAGE = (
    '<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="13.0"?>\n'
    '<QBXML><QBXMLMsgsRq onError="stopOnError"><CustomerQueryRq>'
    f"<MaxReturned>{PAGE_SIZE}</MaxReturned></CustomerQueryRq></QBXMLMsgsRq></QBXML>"
)


@dataclass(frozen=True)
class Workload:
    """A scheduled customer sync: ``pages`` pages of a company's customers per session."""

    name: str = "sync"

    def queue_pages(self, db: Session, connection_id: str, pages: int) -> None:
        """Queue a customer sync for the connection (the company's size sets the pages)."""
        schedule.add_sync(db, connection_id, "customers", 24 * 60, max_returned=PAGE_SIZE)
        schedule.sync_now(db, connection_id, "customers")

    def company_data(self, pages: int, seed: int = 1) -> Company:
        """A company with enough active customers for ``pages`` pages."""
        return generate_company(
            customers=pages * PAGE_SIZE, items=5, invoices=0, payments=0, seed=seed
        )

    def company(self, pages: int, seed: int = 1) -> FakeQuickBooks:
        """A QuickBooks with that company open."""
        return FakeQuickBooks(self.company_data(pages, seed))


@dataclass(frozen=True)
class RawWorkload(Workload):
    """The same pages as raw jobs: each response is stored whole on its job, no records.

    What a round trip costs without reading and storing records: the protocol, the ticket,
    the durable queue and the response written to the database.
    """

    name: str = "raw jobs"

    def queue_pages(self, db: Session, connection_id: str, pages: int) -> None:
        """Queue ``pages`` raw jobs, each asking for the first page of customers."""
        for _ in range(pages):
            queue.enqueue(db, connection_id, CUSTOMER_PAGE)

    def company_data(self, pages: int, seed: int = 1) -> Company:
        """A company of one page of customers: every raw job reads the same page."""
        return generate_company(customers=PAGE_SIZE, items=5, invoices=0, payments=0, seed=seed)


def page_workload() -> Workload:
    """The workload the round-trip and many-machines benchmarks run."""
    return Workload()


def queue_invoice_sync(db: Session, connection_id: str) -> None:
    """Queue an invoice sync whose first page is the benchmark's big response."""
    schedule.add_sync(db, connection_id, "invoices", 24 * 60, max_returned=PAGE_SIZE)
    schedule.sync_now(db, connection_id, "invoices")
