"""What a benchmark session syncs: raw customer-page jobs now, the real sync once it exists.

``page_workload()`` is the one switch: while the sync engine has not landed, a page is a
raw job (CustomerQueryRq, MaxReturned 100) answered from a generated company; once
``qwc_service/sync/schedule.py`` offers add_sync/sync_now and the handlers include a
SyncHandler, a session is a real iterator sync of customers at 100 per page.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from qwc_service.queue import service as queue
from qwc_service.simulator.dataset import Company, generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks

PAGE_SIZE = 100
CUSTOMER_PAGE = (
    '<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="13.0"?>\n'
    '<QBXML><QBXMLMsgsRq onError="stopOnError"><CustomerQueryRq>'
    f"<MaxReturned>{PAGE_SIZE}</MaxReturned></CustomerQueryRq></QBXMLMsgsRq></QBXML>"
)
INVOICE_QUERY = (
    '<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="13.0"?>\n'
    '<QBXML><QBXMLMsgsRq onError="stopOnError"><InvoiceQueryRq>'
    "<IncludeLineItems>true</IncludeLineItems></InvoiceQueryRq></QBXMLMsgsRq></QBXML>"
)


@dataclass(frozen=True)
class Workload:
    """How ``pages`` pages of customers get queued for a connection."""

    name: str
    queue_pages: Callable[[Session, str, int], None]

    def company_data(self, pages: int, seed: int = 1) -> Company:
        """A company with enough active customers for ``pages`` pages."""
        customers = pages * PAGE_SIZE if self.name == "sync" else PAGE_SIZE
        return generate_company(customers=customers, items=5, invoices=0, payments=0, seed=seed)

    def company(self, pages: int, seed: int = 1) -> FakeQuickBooks:
        """A QuickBooks with that company open."""
        return FakeQuickBooks(self.company_data(pages, seed))


def _raw_pages(session: Session, connection_id: str, pages: int) -> None:
    for _ in range(pages):
        queue.enqueue(session, connection_id, CUSTOMER_PAGE)


def _sync_pages(session: Session, connection_id: str, pages: int) -> None:
    schedule: Any = importlib.import_module("qwc_service.sync.schedule")
    schedule.add_sync(session, connection_id, "customers", 24 * 60, max_returned=PAGE_SIZE)
    schedule.sync_now(session, connection_id, "customers")


def sync_engine_landed() -> bool:
    """Whether the server has a real sync: add_sync/sync_now and a registered SyncHandler."""
    try:
        schedule = importlib.import_module("qwc_service.sync.schedule")
        from qwc_service.handlers import build_handlers
    except ImportError:
        return False
    if not (hasattr(schedule, "add_sync") and hasattr(schedule, "sync_now")):
        return False
    return any(type(h).__name__ == "SyncHandler" for h in build_handlers().values())


def records_store_landed() -> bool:
    """Whether sync responses are parsed into records (qwc_service/records/store.py exists)."""
    try:
        importlib.import_module("qwc_service.records.store")
    except ImportError:
        return False
    return sync_engine_landed()


def page_workload() -> Workload:
    """The workload the benchmarks run: a real sync if the engine exists, raw jobs otherwise."""
    if sync_engine_landed():
        return Workload("sync", _sync_pages)
    return Workload("raw jobs", _raw_pages)
