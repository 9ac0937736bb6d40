"""FakeQuickBooks variants for the benchmarks: one that takes its time, one without limits."""

from __future__ import annotations

import re
import time

from qwc_service.simulator.quickbooks import FakeQuickBooks
from qwc_service.simulator.quickbooks.company import Company

_MAX_RETURNED = re.compile(r"<MaxReturned>\s*\d+\s*</MaxReturned>")


class SlowQuickBooks(FakeQuickBooks):
    """QuickBooks that spends ``think_ms`` on every request set, like a real company file."""

    def __init__(self, company: Company, think_ms: float) -> None:
        super().__init__(company)
        self.think_ms = think_ms

    def process(self, request_xml: str) -> str:
        """Answer after the think time."""
        if self.think_ms > 0:
            time.sleep(self.think_ms / 1000.0)
        return super().process(request_xml)


class UnlimitedQuickBooks(FakeQuickBooks):
    """QuickBooks that ignores MaxReturned, so one query returns every record at once.

    A sync page asks for at most MaxReturned records; the big-response benchmark wants the
    whole company in one response to that same job, so the limit is dropped here.
    """

    def __init__(self, company: Company) -> None:
        super().__init__(company)
        self.response_bytes = 0
        self.invoices = 0
        self.lines = 0
        self.biggest = ""

    def process(self, request_xml: str) -> str:
        """Answer without the page limit; remember the biggest response and its size."""
        response = super().process(_MAX_RETURNED.sub("", request_xml))
        size = len(response.encode("utf-8"))
        if size > self.response_bytes:
            self.response_bytes = size
            self.biggest = response
            self.invoices = response.count("<InvoiceRet>")
            self.lines = response.count("<InvoiceLineRet>")
        return response
